//! consign's own facts, read back from the text its SPDX encoder writes where SPDX has no
//! field (see `encode/spdx/mod.rs`): the image package's `comment` (source kind, scope,
//! platform, digests, base image, one line per layer), each package's `comment` (the layer
//! that introduced it, the one that removed it, the source package) and `sourceInfo` (the
//! cataloger and every path with its layer). Another tool's text never matches these forms.

use std::collections::BTreeSet;

use super::model::{Annotation, Package};
use crate::catalog::registry::CATALOGERS;
use crate::decode::builder::Entry;
use crate::encode::common::source_kind_from_name;
use crate::fs::Location;
use crate::model::{
    ApkMetadata, BaseImage, DpkgMetadata, LayerInfo, PackageMetadata, Platform, Sbom, Scope,
    SourceKind, SourcePackage, Unknown,
};
use crate::source::Digest;

/// Image facts from the image package's comment.
#[derive(Debug, Default)]
pub(super) struct ImageFacts {
    source_kind: Option<SourceKind>,
    scope: Option<Scope>,
    platform: Option<Platform>,
    manifest_digest: Option<Digest>,
    config_digest: Option<Digest>,
    created: Option<String>,
    base: Option<BaseImage>,
    layers: Vec<LayerInfo>,
}

/// The facts, when the comment is consign's (its first line names the source kind).
pub(super) fn image_facts(p: &Package) -> Option<ImageFacts> {
    let comment = p.comment.as_deref()?;
    let mut lines = comment.lines();
    let first = lines.next()?.strip_prefix("source: ")?;
    let mut f = ImageFacts {
        source_kind: Some(source_kind_from_name(first).unwrap_or(SourceKind::Document)),
        ..ImageFacts::default()
    };
    for line in lines {
        if let Some(v) = line.strip_prefix("scope: ") {
            f.scope = match v {
                "all-layers" => Some(Scope::AllLayers),
                _ => Some(Scope::Squashed),
            };
        } else if let Some(v) = line.strip_prefix("platform: ") {
            f.platform = crate::decode::cyclonedx::platform(v);
        } else if let Some(v) = line.strip_prefix("manifest digest: ") {
            f.manifest_digest = v.parse().ok();
        } else if let Some(v) = line.strip_prefix("config digest: ") {
            f.config_digest = v.parse().ok();
        } else if let Some(v) = line.strip_prefix("created: ") {
            f.created = Some(v.to_owned());
        } else if let Some(v) = line.strip_prefix("base image: ") {
            let (name, evidence) = v.rsplit_once(" (from ").unwrap_or((v, ""));
            let evidence = ["manifest-annotation", "index-annotation", "config-label"]
                .into_iter()
                .find(|e| evidence.trim_end_matches(')') == *e)
                .unwrap_or("manifest-annotation");
            f.base = Some(BaseImage {
                name: (name != "(unnamed)").then(|| name.to_owned()),
                digest: None,
                evidence,
            });
        } else if let Some(l) = layer(line) {
            f.layers.push(l);
        }
    }
    Some(f)
}

/// `layer 2: sha256:…, created by: RUN …` (id and step each optional).
fn layer(line: &str) -> Option<LayerInfo> {
    let rest = line.strip_prefix("layer ")?;
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    let index = rest[..digits].parse().ok()?;
    let rest = &rest[digits..];
    let (id, step) = match rest.split_once(", created by: ") {
        Some((id, step)) => (id, Some(step.to_owned())),
        None => (rest, None),
    };
    Some(LayerInfo {
        index,
        digest: None,
        diff_id: id.strip_prefix(": ").and_then(|d| d.parse().ok()),
        media_type: None,
        size: None,
        created_by: step,
    })
}

impl ImageFacts {
    /// Puts the facts into the SBOM read from the document.
    pub(super) fn apply(self, sbom: &mut Sbom) {
        let img = &mut sbom.image;
        img.source_kind = self.source_kind.unwrap_or(SourceKind::Document);
        img.platform = self.platform;
        // consign writes a `manifest digest:` line whenever it knows the manifest digest, so
        // the facts decide: a digest version (an older consign wrote the config digest there
        // for a classic `docker save` image) is not taken for it.
        img.manifest_digest = self.manifest_digest;
        img.config_digest = self.config_digest.or(img.config_digest.take());
        img.created = self.created;
        img.base = self.base;
        // The tag came from the version, which is the digest when there is no tag.
        if img
            .tag
            .as_deref()
            .is_some_and(|t| t.parse::<Digest>().is_ok())
        {
            img.tag = None;
        }
        sbom.scope = self.scope.unwrap_or_default();
        sbom.layers = self.layers;
        let catalogers: BTreeSet<&str> = sbom.packages.iter().map(|p| p.found_by).collect();
        sbom.catalogers = CATALOGERS
            .iter()
            .map(|c| c.name())
            .filter(|n| catalogers.contains(n))
            .map(str::to_owned)
            .collect();
    }
}

/// Fills `e` from a package's consign comment and source info.
pub(super) fn package_facts(p: &Package, e: &mut Entry) {
    if let Some(info) = p
        .source_info
        .as_deref()
        .and_then(|s| s.strip_prefix("found by "))
        && let Some((found_by, places)) = info.split_once(" in: ")
    {
        e.found_by = CATALOGERS.iter().map(|c| c.name()).find(|n| *n == found_by);
        // The encoders take these from the package-database metadata.
        e.metadata = match found_by {
            "dpkg-db-cataloger" => PackageMetadata::Dpkg(DpkgMetadata {
                homepage: p.homepage.clone(),
                // The comment says why, not the status text: this is the state it names.
                status: p
                    .comment
                    .as_deref()
                    .is_some_and(|c| c.contains("not installed: "))
                    .then(|| "deinstall ok config-files".to_owned()),
                ..DpkgMetadata::default()
            }),
            "apk-db-cataloger" => PackageMetadata::Apk(ApkMetadata {
                url: p.homepage.clone(),
                description: p.description.clone(),
                ..ApkMetadata::default()
            }),
            _ => PackageMetadata::None,
        };
        for place in places.split(", /") {
            if let Some((path, layer)) = place.rsplit_once(" in layer ")
                && let Some(n) = leading_number(layer)
            {
                e.locations
                    .push(Location::new(path.trim_start_matches('/'), n));
            }
        }
    }
    let Some(comment) = p.comment.as_deref() else {
        return;
    };
    if let Some(rest) = comment.strip_prefix("introduced in layer ") {
        e.introduced_in = leading_number(rest);
    }
    if let Some((_, rest)) = comment.split_once("removed in layer ") {
        e.removed_in = leading_number(rest);
    }
    if let Some((_, src)) = comment.rsplit_once("source package: ") {
        let (name, version) = src.split_once(' ').unwrap_or((src, ""));
        e.source = Some(SourcePackage {
            name: name.to_owned(),
            version: Some(version.to_owned()).filter(|v| !v.is_empty()),
        });
    }
}

/// The files consign could not read, from the document annotations its encoder writes:
/// `could not read: /path in layer 1 (sha256:…): reason [cataloger]` or
/// `could not read: reason [cataloger]`. Only consign's own annotations are read.
pub(super) fn unknowns(annotations: &[Annotation]) -> Vec<Unknown> {
    let mut out: Vec<Unknown> = annotations
        .iter()
        .filter(|a| {
            a.annotator
                .as_deref()
                .is_some_and(|t| t.starts_with("Tool: consign-"))
        })
        .filter_map(|a| unknown(a.comment.as_deref()?))
        .collect();
    out.sort();
    out
}

fn unknown(comment: &str) -> Option<Unknown> {
    let rest = comment.strip_prefix("could not read: ")?;
    let (rest, source) = rest.strip_suffix(']')?.rsplit_once(" [")?;
    let located = rest.strip_prefix('/').and_then(|r| {
        let (path, after) = r.split_once(" in layer ")?;
        let layer = leading_number(after)?;
        // `1: reason` or `1 (sha256:…): reason`.
        let tail = after.trim_start_matches(|c: char| c.is_ascii_digit());
        let reason = match tail.strip_prefix(": ") {
            Some(r) => r,
            None => tail.strip_prefix(" (")?.split_once("): ")?.1,
        };
        Some((Location::new(path, layer), reason))
    });
    let (location, reason) = match located {
        Some((l, r)) => (Some(l), r),
        None => (None, rest),
    };
    Some(Unknown {
        source: source.to_owned(),
        location,
        reason: reason.to_owned(),
    })
}

fn leading_number(s: &str) -> Option<u32> {
    let digits = s.bytes().take_while(u8::is_ascii_digit).count();
    s[..digits].parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn note(annotator: &str, comment: &str) -> Annotation {
        Annotation {
            annotator: Some(annotator.to_owned()),
            comment: Some(comment.to_owned()),
        }
    }

    #[test]
    fn unknowns_from_consign_annotations_only() {
        let got = unknowns(&[
            note(
                "Tool: consign-0.1.0",
                "could not read: /var/lib/dpkg/status.d/x in layer 1 (sha256:45): stanza 1: \
                 no Package field [dpkg-db-cataloger]",
            ),
            note(
                "Tool: consign-0.1.0",
                "could not read: /lib/apk/db/installed in layer 0: bad line: x [apk-db-cataloger]",
            ),
            note(
                "Tool: consign-0.1.0",
                "could not read: layer 2 is truncated [image]",
            ),
            note("Tool: trivy-0.59.1", "could not read: a [b]"),
            note("Tool: consign-0.1.0", "something else"),
        ]);
        let u = |source: &str, loc: Option<(&str, u32)>, reason: &str| Unknown {
            source: source.to_owned(),
            location: loc.map(|(p, l)| Location::new(p, l)),
            reason: reason.to_owned(),
        };
        let mut want = vec![
            u(
                "dpkg-db-cataloger",
                Some(("var/lib/dpkg/status.d/x", 1)),
                "stanza 1: no Package field",
            ),
            u(
                "apk-db-cataloger",
                Some(("lib/apk/db/installed", 0)),
                "bad line: x",
            ),
            u("image", None, "layer 2 is truncated"),
        ];
        want.sort();
        assert_eq!(got, want);
    }
}
