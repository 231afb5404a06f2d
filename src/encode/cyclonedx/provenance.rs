//! Who made the document, when in the software's life, about what: `metadata.tools`,
//! `metadata.authors`, `metadata.lifecycles`, the described component's type and the
//! completeness statement.
//!
//! For a scan these are fixed: consign, no author (consign cannot know who runs it), the
//! `post-build` phase (the inventory of a built image), a `container`, complete unless some
//! file could not be read. For an SBOM read from another document (`consign convert`) they
//! come from that document ([`Sbom::document`]), so converting never drops the original
//! producer nor claims a phase or a completeness the original did not.

use super::model::{Component, ExternalReference, Lifecycle, OrganizationalContact};
use crate::Sbom;

/// The CycloneDX component types (1.5–1.7) a described subject may have.
const COMPONENT_TYPES: &[&str] = &[
    "application",
    "framework",
    "library",
    "container",
    "platform",
    "operating-system",
    "device",
    "device-driver",
    "firmware",
    "file",
    "machine-learning-model",
    "data",
];

/// The tools: the original producers first (for a converted document), then consign.
pub(super) fn tools(sbom: &Sbom) -> Vec<Component> {
    let mut out: Vec<Component> = sbom
        .document
        .iter()
        .flat_map(|d| &d.tools)
        .filter(|t| **t != sbom.tool)
        .map(|t| Component {
            kind: "application",
            name: t.name.clone(),
            version: Some(t.version.clone()).filter(|v| !v.is_empty()),
            ..Component::default()
        })
        .collect();
    let repository = env!("CARGO_PKG_REPOSITORY");
    out.push(Component {
        kind: "application",
        name: sbom.tool.name.clone(),
        version: Some(sbom.tool.version.clone()),
        external_references: (!repository.is_empty())
            .then(|| ExternalReference {
                kind: "vcs",
                url: repository.to_owned(),
            })
            .into_iter()
            .collect(),
        ..Component::default()
    });
    out
}

/// `metadata.authors`: the original document's authors, without SPDX's `Person:` /
/// `Organization:` prefix.
pub(super) fn authors(sbom: &Sbom) -> Vec<OrganizationalContact> {
    sbom.document
        .iter()
        .flat_map(|d| &d.authors)
        .map(|a| {
            let name = a
                .split_once(':')
                .filter(|(kind, _)| matches!(*kind, "Person" | "Organization"))
                .map_or(a.as_str(), |(_, n)| n)
                .trim();
            OrganizationalContact {
                name: Some(name.to_owned()),
                email: None,
            }
        })
        .collect()
}

/// `metadata.lifecycles`: `post-build` for a scan; the original's phases otherwise.
pub(super) fn lifecycles(sbom: &Sbom) -> Vec<Lifecycle> {
    match &sbom.document {
        None => vec![Lifecycle {
            phase: "post-build".to_owned(),
        }],
        Some(d) => d
            .lifecycles
            .iter()
            .map(|p| Lifecycle { phase: p.clone() })
            .collect(),
    }
}

/// The described component's type: `container` for a scan, the original's otherwise (an
/// SPDX purpose such as `APPLICATION` or `OPERATING-SYSTEM` mapped to its CycloneDX name).
pub(super) fn subject_kind(sbom: &Sbom) -> &'static str {
    let Some(kind) = sbom
        .document
        .as_ref()
        .and_then(|d| d.subject_kind.as_deref())
    else {
        return "container";
    };
    let kind = kind.to_ascii_lowercase().replace('_', "-");
    COMPONENT_TYPES
        .iter()
        .copied()
        .find(|t| *t == kind)
        .unwrap_or("container")
}

/// The operating system's composition aggregate: for a scan, `complete` unless a file could
/// not be read; for a converted document, `complete` only when the original said so.
pub(super) fn os_aggregate(sbom: &Sbom) -> &'static str {
    if !sbom.unknowns.is_empty() {
        return "incomplete";
    }
    match &sbom.document {
        Some(d) if !d.declared_complete => "unknown",
        _ => "complete",
    }
}
