//! The image's own changes: what the SBOMs describe, its digest, the base image, the
//! distribution, and how many layers the two share.
//!
//! Producers name the same image differently (consign: `name:tag` from the archive; Syft and
//! Trivy: the path they were given), and give different digests (manifest or config). So a
//! subject change is reported only when both names look like image references or both SBOMs
//! come from the same producer, and digests only when they mean the same: config digests
//! always, manifest digests from the same producer. The
//! distribution compares by id and version, a version that merely adds precision (`12` from
//! os-release, `12.5` from Trivy's `debian_version`) counting as the same. Layers compare by
//! diff_id, in order (consign records them): the base image changed when the first layers
//! differ.

use serde::Serialize;

use crate::Sbom;
use crate::source::Digest;

/// An old and a new value.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Transition {
    /// The old value (absent when unknown).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub old: Option<String>,
    /// The new value (absent when unknown).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new: Option<String>,
}

/// Layer counts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LayerSummary {
    /// Layers of the old image.
    pub old: usize,
    /// Layers of the new image.
    pub new: usize,
    /// Leading layers the two share (same diff_id at the same position).
    pub shared: usize,
}

impl LayerSummary {
    /// True when the two images have the same layers.
    pub fn identical(&self) -> bool {
        self.shared == self.old && self.shared == self.new
    }
}

/// The image's changes; every field absent when unchanged or unknowable.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ImageChanges {
    /// What the SBOMs describe (`name:tag`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject: Option<Transition>,
    /// The image digest.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub digest: Option<Transition>,
    /// The base image (`name@digest`), where the images name it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub base: Option<Transition>,
    /// The distribution (`debian 12.4`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub distro: Option<Transition>,
    /// Layer counts, when both SBOMs list layers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub layers: Option<LayerSummary>,
}

impl ImageChanges {
    /// True when nothing about the image changed.
    pub fn is_empty(&self) -> bool {
        self.subject.is_none()
            && self.digest.is_none()
            && self.base.is_none()
            && self.distro.is_none()
            && self.layers.as_ref().is_none_or(LayerSummary::identical)
    }
}

/// `name:tag` (or the name, or the input) of what `s` describes.
pub(super) fn subject_label(s: &Sbom) -> Option<String> {
    let img = &s.image;
    match (&img.name, &img.tag) {
        (Some(n), Some(t)) => Some(format!("{n}:{t}")),
        (Some(n), None) => Some(n.clone()),
        _ => None,
    }
}

/// True when `name` reads as an image reference rather than a file a tool was pointed at.
fn is_reference(name: &str) -> bool {
    let archive = [".tar", ".tar.gz", ".tgz", ".tar.zst", ".tar.xz", ".oci"]
        .iter()
        .any(|s| name.ends_with(s));
    !(archive || name.starts_with(['/', '.']) || name.contains('\\'))
}

fn transition(old: Option<String>, new: Option<String>) -> Option<Transition> {
    (old != new).then_some(Transition { old, new })
}

/// Compares the images of `old` and `new`.
pub(super) fn changes(old: &Sbom, new: &Sbom, same_producer: bool) -> ImageChanges {
    let (so, sn) = (subject_label(old), subject_label(new));
    let comparable = |s: &Option<String>| s.as_deref().is_some_and(is_reference);
    let subject = if same_producer || (comparable(&so) && comparable(&sn)) {
        transition(so, sn)
    } else {
        None
    };
    let (a, b) = (&old.image, &new.image);
    // Producers fill the manifest digest with different things (Syft's CycloneDX version is
    // neither consign's manifest digest nor the config digest); the config digest (the image
    // ID) means the same everywhere.
    let manifests = (&a.manifest_digest, &b.manifest_digest);
    let configs = (&a.config_digest, &b.config_digest);
    let digest = match (manifests, configs) {
        ((Some(x), Some(y)), _) if same_producer => {
            transition(Some(x.to_string()), Some(y.to_string()))
        }
        (_, (Some(x), Some(y))) => transition(Some(x.to_string()), Some(y.to_string())),
        _ => None,
    };
    let base_of = |s: &Sbom| {
        s.image.base.as_ref().map(|b| {
            let name = b.name.clone().unwrap_or_else(|| "(unnamed)".to_owned());
            match &b.digest {
                Some(d) if !name.contains('@') => format!("{name}@{d}"),
                _ => name,
            }
        })
    };
    let base = match (base_of(old), base_of(new)) {
        (None, None) => None,
        (x, y) if x.is_some() && y.is_some() || same_producer => transition(x, y),
        _ => None,
    };
    ImageChanges {
        subject,
        digest,
        base,
        distro: distro(old, new),
        layers: layers(old, new),
    }
}

fn distro(old: &Sbom, new: &Sbom) -> Option<Transition> {
    let (a, b) = (old.distro.as_ref()?, new.distro.as_ref()?);
    let (va, vb) = (a.version_or_codename(), b.version_or_codename());
    let refines = |x: &str, y: &str| y.strip_prefix(x).is_some_and(|r| r.starts_with('.'));
    if a.id == b.id && (va == vb || refines(va, vb) || refines(vb, va)) {
        return None;
    }
    Some(Transition {
        old: Some(format!("{} {va}", a.id)),
        new: Some(format!("{} {vb}", b.id)),
    })
}

fn layers(old: &Sbom, new: &Sbom) -> Option<LayerSummary> {
    let ids = |s: &Sbom| -> Option<Vec<Digest>> {
        let v: Option<Vec<Digest>> = s.layers.iter().map(|l| l.diff_id.clone()).collect();
        v.filter(|v| !v.is_empty())
    };
    let (a, b) = (ids(old)?, ids(new)?);
    let shared = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    Some(LayerSummary {
        old: a.len(),
        new: b.len(),
        shared,
    })
}
