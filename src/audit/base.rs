//! Which base image an image was built on, and how we know.
//!
//! Five independent methods, each recorded in [`BaseInfo::evidence`] so that every finding
//! that depends on the base can say which ones identified it:
//! 1. [`BaseMethod::Annotation`]: `org.opencontainers.image.base.name` / `.base.digest` on
//!    the manifest, the index descriptor or the config labels (Buildah, Podman and the Docker
//!    Official Images set them; BuildKit does not);
//! 2. [`BaseMethod::Provenance`]: a BuildKit SLSA provenance attestation's materials
//!    (`resolvedDependencies`), when the image carries one;
//! 3. [`BaseMethod::Dockerfile`]: the final stage's `FROM`, following stage aliases;
//! 4. [`BaseMethod::History`]: the last empty-layer `CMD`/`ENTRYPOINT` of the history that is
//!    followed by a layer-making step marks where the base ends (the base's own `CMD` comes
//!    last in its Dockerfile);
//! 5. [`BaseMethod::Catalog`]: the image's leading layer diff_ids equal a catalog entry's
//!    (or an annotation's digest names an entry).
//!
//! The name comes from the Dockerfile, else the annotation, else provenance, else the
//! catalog; the number of base layers from the catalog, else the history boundary.

use serde::Serialize;

use super::catalog::{BaseCatalog, CatalogImage, short_name};
use super::dockerfile::Dockerfile;
use super::finding::BaseRef;
use super::step::Step;
use crate::Sbom;
use crate::source::reference::Reference;

/// How a fact about the base was established.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum BaseMethod {
    /// OCI `org.opencontainers.image.base.*` annotations or labels.
    Annotation,
    /// A BuildKit provenance attestation.
    Provenance,
    /// The Dockerfile's `FROM`.
    Dockerfile,
    /// The history's base boundary.
    History,
    /// The base catalog.
    Catalog,
}

impl BaseMethod {
    /// The kebab-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            BaseMethod::Annotation => "annotation",
            BaseMethod::Provenance => "provenance",
            BaseMethod::Dockerfile => "dockerfile",
            BaseMethod::History => "history",
            BaseMethod::Catalog => "catalog",
        }
    }
}

/// One method's contribution.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct BaseEvidence {
    /// The method.
    pub method: BaseMethod,
    /// What it said, for humans.
    pub detail: String,
}

pub use crate::source::provenance::Material;

/// What is known about the base.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct BaseInfo {
    /// The reference as written where it was named (Dockerfile `FROM`, annotation).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    /// Normalised repository (`docker.io/library/debian`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Tag, when named.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tag: Option<String>,
    /// Digest, when named or matched.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub digest: Option<String>,
    /// Methods that gave the name.
    pub name_by: Vec<BaseMethod>,
    /// How many of the image's layers are the base's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub layers: Option<usize>,
    /// How many history entries are the base's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub history_len: Option<usize>,
    /// Methods that gave the boundary.
    pub layers_by: Vec<BaseMethod>,
    /// When the base was built.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    /// The method that gave `created`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_by: Option<BaseMethod>,
    /// The matched catalog entry, by index.
    #[serde(skip)]
    pub catalog_entry: Option<usize>,
    /// Methods that matched the catalog entry.
    pub catalog_by: Vec<BaseMethod>,
    /// Every method's contribution.
    pub evidence: Vec<BaseEvidence>,
}

impl BaseInfo {
    /// True when no method identified anything.
    pub fn is_unknown(&self) -> bool {
        self.evidence.is_empty()
    }

    /// `name:tag@digest`, with the parts known, or `<base image>`.
    pub fn display(&self) -> String {
        if let Some(r) = &self.reference {
            return r.clone();
        }
        let mut s = self
            .name
            .as_deref()
            .map(short_name)
            .unwrap_or_else(|| "<base image>".into());
        if let Some(t) = &self.tag {
            s.push(':');
            s.push_str(t);
        }
        if let Some(d) = &self.digest {
            s.push('@');
            s.push_str(d);
        }
        s
    }

    /// The reference for a finding that relied on the facts established by `methods`.
    pub fn as_ref_by(&self, methods: &[BaseMethod]) -> BaseRef {
        let mut m: Vec<BaseMethod> = methods.to_vec();
        m.sort();
        m.dedup();
        BaseRef {
            reference: self.display(),
            identified_by: m,
        }
    }

    /// The matched catalog entry.
    pub fn entry<'c>(&self, catalog: Option<&'c BaseCatalog>) -> Option<&'c CatalogImage> {
        catalog.and_then(|c| c.images.get(self.catalog_entry?))
    }
}

/// Identifies the base and marks the history steps that belong to it.
pub fn identify(
    sbom: &Sbom,
    history: &mut [Step],
    dockerfile: Option<&Dockerfile>,
    catalog: Option<&BaseCatalog>,
    provenance: &[Material],
) -> BaseInfo {
    let mut b = BaseInfo::default();
    let set_name = |b: &mut BaseInfo, reference: &str, method: BaseMethod| {
        let Some(r) = Reference::parse(reference) else {
            return;
        };
        if b.name.is_none() {
            b.reference = Some(reference.to_owned());
            b.name = Some(r.repository.clone());
            b.tag = r.tag.clone();
            b.digest = b.digest.take().or(r.digest.clone());
        }
        if b.name.as_deref() == Some(r.repository.as_str()) {
            b.name_by.push(method);
        }
    };
    if let Some(stage) = dockerfile.and_then(Dockerfile::final_base) {
        set_name(&mut b, &stage.image, BaseMethod::Dockerfile);
        b.evidence.push(BaseEvidence {
            method: BaseMethod::Dockerfile,
            detail: format!("FROM {} (line {})", stage.image, stage.line),
        });
    }
    let boundary = history_boundary(history);
    let own_label = |step: &Step| {
        step.keyword == "LABEL" && step.args.contains("org.opencontainers.image.base.name")
    };
    // Config labels are inherited: one the base image set names the base's own base. Only a
    // label a step after the base boundary set (or, without a boundary, any step) counts.
    let inherited = sbom.image.base.as_ref().is_some_and(|a| {
        a.evidence == "config-label"
            && !history
                .iter()
                .enumerate()
                .any(|(i, st)| boundary.is_none_or(|b| i > b) && own_label(st))
    });
    if let Some(a) = sbom.image.base.as_ref().filter(|_| !inherited) {
        if let Some(n) = &a.name {
            set_name(&mut b, n, BaseMethod::Annotation);
        }
        if let Some(d) = &a.digest
            && b.digest.is_none()
        {
            b.digest = Some(d.to_string());
        }
        b.evidence.push(BaseEvidence {
            method: BaseMethod::Annotation,
            detail: format!(
                "{} ({})",
                [a.name.clone(), a.digest.as_ref().map(|d| d.to_string())]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join(" @ "),
                a.evidence
            ),
        });
    }
    let images: Vec<(&Material, String)> = provenance
        .iter()
        .filter_map(|m| docker_material(&m.uri).map(|r| (m, r)))
        .collect();
    let chosen = match images.as_slice() {
        [one] => Some(one),
        many => many.iter().find(|(_, r)| {
            Reference::parse(r).is_some_and(|r| Some(&r.repository) == b.name.as_ref())
        }),
    };
    if let Some((m, r)) = chosen {
        set_name(&mut b, r, BaseMethod::Provenance);
        if b.digest.is_none() {
            b.digest = m.digest.clone();
        }
        b.evidence.push(BaseEvidence {
            method: BaseMethod::Provenance,
            detail: format!("material {}", m.uri),
        });
    }
    // The catalog: by leading diff_ids, else by a digest another method gave.
    let diff_ids: Vec<String> = sbom
        .layers
        .iter()
        .filter_map(|l| l.diff_id.as_ref().map(|d| d.to_string()))
        .collect();
    if let Some(c) = catalog {
        let by_layers = c.match_layers(&diff_ids);
        let by_digest = b.digest.as_deref().and_then(|d| c.by_digest(d));
        if let Some(e) = by_layers.or(by_digest) {
            b.catalog_entry = c.images.iter().position(|x| std::ptr::eq(x, e));
            if by_layers.is_some() {
                b.catalog_by.push(BaseMethod::Catalog);
                b.layers = Some(e.diff_ids.len());
                b.history_len = e.history_len;
                b.layers_by.push(BaseMethod::Catalog);
            } else {
                b.catalog_by.extend(
                    b.name_by
                        .iter()
                        .copied()
                        .filter(|m| *m != BaseMethod::Dockerfile),
                );
                b.catalog_by.push(BaseMethod::Catalog);
            }
            if b.name.is_none() {
                b.name = Some(e.name.clone());
                b.tag = e.tag.clone();
                b.name_by.push(BaseMethod::Catalog);
            }
            if b.digest.is_none() {
                b.digest = e.digest.clone().or(e.config_digest.clone());
            }
            b.created = e.created.clone();
            b.created_by = Some(BaseMethod::Catalog);
            b.evidence.push(BaseEvidence {
                method: BaseMethod::Catalog,
                detail: format!(
                    "{} ({})",
                    e.reference(),
                    if by_layers.is_some() {
                        format!("first {} layer diff_ids match", e.diff_ids.len())
                    } else {
                        "digest match".to_owned()
                    }
                ),
            });
        }
    }
    if let Some(i) = boundary {
        let layers = history[..=i].iter().filter(|s| s.layer().is_some()).count();
        if b.history_len.is_none() {
            b.history_len = Some(i + 1);
            b.layers = Some(layers);
        }
        if b.layers == Some(layers) {
            b.layers_by.push(BaseMethod::History);
        }
        if b.created.is_none()
            && let Some(c) = sbom
                .image
                .config
                .history
                .get(i)
                .and_then(|h| h.created.clone())
        {
            b.created = Some(c);
            b.created_by = Some(BaseMethod::History);
        }
        b.evidence.push(BaseEvidence {
            method: BaseMethod::History,
            detail: format!("base ends at history step {i} ({layers} layers)"),
        });
    }
    if let Some(n) = b.history_len {
        for s in history.iter_mut().take(n) {
            s.in_base = true;
        }
    }
    b
}

/// `pkg:docker/debian@12?platform=…` → `debian:12`; `None` for other materials and for the
/// Dockerfile frontend image.
fn docker_material(uri: &str) -> Option<String> {
    let rest = uri.strip_prefix("pkg:docker/")?;
    let rest = rest.split(['?', '#']).next()?;
    let (name, version) = rest.split_once('@').unwrap_or((rest, ""));
    let name = name.replace("%2F", "/");
    if name == "docker/dockerfile"
        || name.starts_with("docker/dockerfile-")
        || name == "docker/buildkit-syft-scanner"
    {
        return None;
    }
    Some(if version.is_empty() {
        name
    } else if version.starts_with("sha256:") {
        format!("{name}@{version}")
    } else {
        format!("{name}:{version}")
    })
}

/// Index of the history step where the base ends: the last empty-layer `CMD` or `ENTRYPOINT`
/// that has a layer before it and a layer-making step after it, or the last root filesystem
/// made by debuerreotype (the Debian official images' single `# debian.sh …` entry, which
/// records no `CMD`) that has a layer-making step after it, whichever comes later.
pub fn history_boundary(history: &[Step]) -> Option<usize> {
    let last_layer = history.iter().rposition(|s| s.layer().is_some())?;
    let first_layer = history.iter().position(|s| s.layer().is_some())?;
    let before_app = &history[..last_layer];
    let cmd = before_app.iter().enumerate().rev().find(|(i, s)| {
        *i > first_layer
            && s.layer().is_none()
            && matches!(s.keyword.as_str(), "CMD" | "ENTRYPOINT")
    });
    let rootfs = before_app
        .iter()
        .enumerate()
        .rev()
        .find(|(_, s)| s.layer().is_some() && debuerreotype(&s.raw));
    // `None` orders below `Some`, so this is the later of the two, or either alone.
    cmd.map(|(i, _)| i).max(rootfs.map(|(i, _)| i))
}

/// True for the `created_by` debuerreotype writes for a Debian root filesystem
/// (`# debian.sh --arch 'amd64' out/ 'bookworm' '@1704067200'`).
fn debuerreotype(created_by: &str) -> bool {
    created_by.trim_start().starts_with("# debian.sh ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::history;
    use crate::source::ImageConfig;

    #[test]
    fn boundary_is_the_last_cmd_before_app_layers() {
        let config: ImageConfig = serde_json::from_value(serde_json::json!({
            "history": [
                {"created_by": "/bin/sh -c #(nop) ADD file:1 in / "},
                {"created_by": "/bin/sh -c #(nop)  CMD [\"bash\"]", "empty_layer": true},
                {"created_by": "RUN /bin/sh -c apt-get install -y curl # buildkit"},
                {"created_by": "USER app", "empty_layer": true},
                {"created_by": "CMD [\"app\"]", "empty_layer": true}
            ]
        }))
        .unwrap();
        let steps = history::steps(&config);
        assert_eq!(history_boundary(&steps), Some(1));
        assert_eq!(history_boundary(&steps[..2]), None);
    }

    #[test]
    fn docker_materials() {
        assert_eq!(
            docker_material("pkg:docker/debian@12?platform=linux%2Famd64").as_deref(),
            Some("debian:12")
        );
        assert_eq!(docker_material("pkg:docker/docker/dockerfile@1"), None);
        assert_eq!(docker_material("https://x"), None);
    }
}
