//! The base catalog: a JSON file recording known base images, so that an image's base can be
//! identified offline from its leading layers and a newer build of the same `name:tag` can
//! be noticed. `consign base add SOURCE --catalog FILE` builds it from real base images.
//!
//! ```json
//! {
//!   "schema": "consign-base-catalog/1",
//!   "images": [{
//!     "name": "docker.io/library/debian", "tag": "12",
//!     "digest": "sha256:…", "config_digest": "sha256:…",
//!     "created": "2024-06-10T00:00:00Z", "platform": "linux/amd64", "distro": "debian 12",
//!     "history_len": 2, "diff_ids": ["sha256:…"],
//!     "packages": {"pkg:deb/debian/libc6": "2.36-9+deb12u7"}
//!   }]
//! }
//! ```
//! Names are normalised as Docker does (`debian` → `docker.io/library/debian`). Entries are
//! kept sorted by name, tag and created time; adding an image already present (same config
//! digest) replaces its entry. `packages` maps each OS package's purl without version or
//! qualifiers to its version.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::source::reference::Reference;
use crate::{Error, Result, Sbom};

/// The schema identifier written into every catalog.
pub const SCHEMA: &str = "consign-base-catalog/1";

/// A base catalog.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BaseCatalog {
    /// Always [`SCHEMA`].
    pub schema: String,
    /// The known base images.
    #[serde(default)]
    pub images: Vec<CatalogImage>,
}

/// One build of a base image.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CatalogImage {
    /// Normalised repository (`docker.io/library/debian`).
    pub name: String,
    /// Tag this build was published under.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tag: Option<String>,
    /// Manifest digest.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub digest: Option<String>,
    /// Config digest (image ID).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config_digest: Option<String>,
    /// Build time (config `created`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    /// `os/arch[/variant]`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platform: Option<String>,
    /// `ID VERSION_ID` from os-release.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub distro: Option<String>,
    /// Number of history entries (empty layers included): where the base's history ends.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub history_len: Option<usize>,
    /// Layer diff_ids, bottom first.
    pub diff_ids: Vec<String>,
    /// OS packages: purl without version → version.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub packages: BTreeMap<String, String>,
}

impl CatalogImage {
    /// `name:tag@digest` with the parts known.
    pub fn reference(&self) -> String {
        let mut s = short_name(&self.name);
        if let Some(t) = &self.tag {
            s.push(':');
            s.push_str(t);
        }
        if let Some(d) = self.digest.as_ref().or(self.config_digest.as_ref()) {
            s.push('@');
            s.push_str(d);
        }
        s
    }

    /// The build time as a timestamp.
    pub fn created_at(&self) -> Option<jiff::Timestamp> {
        self.created.as_deref().and_then(|c| c.parse().ok())
    }

    /// Records a scanned image as a catalog entry. `name` overrides the name the image
    /// records (`NAME[:TAG]`).
    pub fn from_sbom(sbom: &Sbom, name: Option<&str>) -> Result<CatalogImage> {
        let recorded = match (&sbom.image.name, &sbom.image.tag) {
            (Some(n), Some(t)) => Some(format!("{n}:{t}")),
            (Some(n), None) => Some(n.clone()),
            _ => None,
        };
        let given = name.map(str::to_owned).or(recorded).ok_or_else(|| {
            Error::Source(format!(
                "{}: the image records no name; pass --name NAME:TAG",
                sbom.image.input
            ))
        })?;
        let r = Reference::parse(&given)
            .ok_or_else(|| Error::Source(format!("{given:?} is not an image reference")))?;
        let tag = r.tag.or_else(|| {
            // A bare recorded tag (`12` from an OCI ref.name) with no name given.
            (name.is_none()).then(|| sbom.image.tag.clone()).flatten()
        });
        let packages = sbom
            .packages
            .iter()
            .filter(|p| p.ecosystem.is_os() && p.removed_in.is_none())
            .map(|p| (package_key(p.purl.as_str()), p.version.clone()))
            .collect();
        Ok(CatalogImage {
            name: r.repository,
            tag,
            digest: sbom.image.manifest_digest.as_ref().map(|d| d.to_string()),
            config_digest: sbom.image.config_digest.as_ref().map(|d| d.to_string()),
            created: sbom.image.created.clone(),
            platform: sbom.image.platform.as_ref().map(|p| p.to_string()),
            distro: sbom.distro.as_ref().map(|d| {
                format!("{} {}", d.id, d.version_id.as_deref().unwrap_or(""))
                    .trim()
                    .to_owned()
            }),
            history_len: Some(sbom.image.config.history.len()),
            diff_ids: sbom
                .layers
                .iter()
                .filter_map(|l| l.diff_id.as_ref().map(|d| d.to_string()))
                .collect(),
            packages,
        })
    }
}

/// A purl without version, qualifiers or subpath: the key of [`CatalogImage::packages`].
pub fn package_key(purl: &str) -> String {
    let end = purl.find(['@', '?', '#']).unwrap_or(purl.len());
    purl[..end].to_owned()
}

/// `docker.io/library/debian` → `debian`; other names unchanged.
pub fn short_name(repo: &str) -> String {
    repo.strip_prefix("docker.io/library/")
        .or_else(|| repo.strip_prefix("docker.io/"))
        .unwrap_or(repo)
        .to_owned()
}

impl BaseCatalog {
    /// An empty catalog.
    pub fn new() -> Self {
        BaseCatalog {
            schema: SCHEMA.to_owned(),
            images: Vec::new(),
        }
    }

    /// Reads a catalog file.
    pub fn load(path: &std::path::Path) -> Result<BaseCatalog> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        Self::from_json(&text, &path.display().to_string())
    }

    /// Parses catalog JSON; `path` names it in errors.
    pub fn from_json(text: &str, path: &str) -> Result<BaseCatalog> {
        let c: BaseCatalog = serde_json::from_str(text).map_err(|e| Error::Catalog {
            path: path.to_owned(),
            reason: e.to_string(),
        })?;
        if c.schema != SCHEMA {
            return Err(Error::Catalog {
                path: path.to_owned(),
                reason: format!("schema is {:?}, expected {SCHEMA:?}", c.schema),
            });
        }
        Ok(c)
    }

    /// Pretty JSON, stable order, trailing newline.
    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).unwrap_or_default();
        s.push('\n');
        s
    }

    /// Adds (or replaces, by config digest, else manifest digest) an entry. Returns true
    /// when an entry was replaced.
    pub fn add(&mut self, img: CatalogImage) -> bool {
        let same = |e: &CatalogImage| {
            e.name == img.name
                && e.tag == img.tag
                && ((e.config_digest.is_some() && e.config_digest == img.config_digest)
                    || (e.digest.is_some() && e.digest == img.digest))
        };
        let replaced = self.images.iter().any(same);
        self.images.retain(|e| !same(e));
        self.images.push(img);
        self.images.sort_by(|a, b| {
            (&a.name, &a.tag, &a.created, &a.config_digest).cmp(&(
                &b.name,
                &b.tag,
                &b.created,
                &b.config_digest,
            ))
        });
        replaced
    }

    /// The entry whose diff_ids are the longest prefix of `diff_ids`.
    pub fn match_layers(&self, diff_ids: &[String]) -> Option<&CatalogImage> {
        self.images
            .iter()
            .filter(|e| !e.diff_ids.is_empty() && diff_ids.starts_with(&e.diff_ids))
            .max_by_key(|e| e.diff_ids.len())
    }

    /// The entry with this manifest or config digest.
    pub fn by_digest(&self, digest: &str) -> Option<&CatalogImage> {
        self.images.iter().find(|e| {
            e.digest.as_deref() == Some(digest) || e.config_digest.as_deref() == Some(digest)
        })
    }

    /// Builds of `name:tag` (normalised name) for `platform` (when both are known), newest
    /// first.
    pub fn builds_of(
        &self,
        name: &str,
        tag: Option<&str>,
        platform: Option<&str>,
    ) -> Vec<&CatalogImage> {
        let mut v: Vec<&CatalogImage> = self
            .images
            .iter()
            .filter(|e| e.name == name && e.tag.as_deref() == tag)
            .filter(|e| match (platform, e.platform.as_deref()) {
                (Some(a), Some(b)) => a == b,
                _ => true,
            })
            .collect();
        v.sort_by_key(|e| std::cmp::Reverse(e.created_at()));
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(tag: &str, created: &str, diff: &[&str]) -> CatalogImage {
        CatalogImage {
            name: "docker.io/library/debian".into(),
            tag: Some(tag.into()),
            config_digest: Some(format!("sha256:{created}")),
            created: Some(created.into()),
            diff_ids: diff.iter().map(|s| s.to_string()).collect(),
            ..CatalogImage::default()
        }
    }

    #[test]
    fn matching_and_newest_builds() {
        let mut c = BaseCatalog::new();
        c.add(entry("12", "2024-01-01T00:00:00Z", &["a"]));
        c.add(entry("12", "2024-06-01T00:00:00Z", &["b"]));
        assert!(!c.add(entry("12-slim", "2024-06-01T00:00:00Z", &["b", "c"])));
        assert!(c.add(entry("12", "2024-01-01T00:00:00Z", &["a"])));
        let img: Vec<String> = ["b", "c", "d"].iter().map(|s| s.to_string()).collect();
        assert_eq!(
            c.match_layers(&img).unwrap().tag.as_deref(),
            Some("12-slim")
        );
        let builds = c.builds_of("docker.io/library/debian", Some("12"), None);
        assert_eq!(builds[0].created.as_deref(), Some("2024-06-01T00:00:00Z"));
        let back = BaseCatalog::from_json(&c.to_json(), "c.json").unwrap();
        assert_eq!(back, c);
        assert!(BaseCatalog::from_json("{\"schema\":\"x\",\"images\":[]}", "c.json").is_err());
        assert_eq!(
            package_key("pkg:deb/debian/libc6@2.36?arch=amd64"),
            "pkg:deb/debian/libc6"
        );
    }
}
