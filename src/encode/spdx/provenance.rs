//! Who made the document, at which point of the software's life, about what: the creators,
//! the creation comment that carries the generation context, the described package's
//! purpose, and the `DEPENDS_ON NONE` statements.
//!
//! SPDX 2.3 has no lifecycle field (SPDX 3 has `sbomType`), so the phase goes into
//! `creationInfo.comment` as `Lifecycle phase: post-build (…)`, the CycloneDX phase names,
//! which `consign score` reads back. A package that depends on nothing gets
//! `DEPENDS_ON NONE` (SPDX 2.3 §11.1: `NONE` says there is no such element), so that "no
//! edge" means "no dependency" rather than "not known", as an empty `dependsOn` does in
//! CycloneDX. For a document read from another tool, creators, phase and purpose come from
//! that document ([`Sbom::document`]).

use std::collections::BTreeSet;

use super::model::Relationship;
use super::package;
use crate::Sbom;
use crate::model::graph::Edge;
use crate::model::{DocEdge, DocNode};

/// `Tool: …` for the original producers, their people and organisations, then consign.
pub(super) fn creators(sbom: &Sbom) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(d) = &sbom.document {
        out.extend(
            d.tools
                .iter()
                .filter(|t| **t != sbom.tool)
                .map(|t| match t.version.as_str() {
                    "" => format!("Tool: {}", t.name),
                    v => format!("Tool: {}-{v}", t.name),
                }),
        );
        out.extend(d.authors.iter().map(|a| {
            if a.starts_with("Person:") || a.starts_with("Organization:") {
                a.clone()
            } else {
                format!("Organization: {a}")
            }
        }));
    }
    out.push(format!("Tool: {}-{}", sbom.tool.name, sbom.tool.version));
    out
}

/// The generation context: `post-build` for a scan, the original's phases otherwise.
pub(super) fn creation_comment(sbom: &Sbom) -> Option<String> {
    match &sbom.document {
        None => Some(
            "Lifecycle phase: post-build (the inventory of a built container image, read \
             from its layers)."
                .to_owned(),
        ),
        // An SPDX original's comment, kept as written.
        Some(d) if d.comment.is_some() => d.comment.clone(),
        Some(d) if !d.lifecycles.is_empty() => {
            Some(format!("Lifecycle phase: {}.", d.lifecycles.join(", ")))
        }
        Some(_) => None,
    }
}

/// The described package's `primaryPackagePurpose`: `CONTAINER` for a scan.
pub(super) fn root_purpose(sbom: &Sbom) -> &'static str {
    let Some(kind) = sbom
        .document
        .as_ref()
        .and_then(|d| d.subject_kind.as_deref())
    else {
        return "CONTAINER";
    };
    match kind.to_ascii_lowercase().replace('_', "-").as_str() {
        "application" => "APPLICATION",
        "framework" => "FRAMEWORK",
        "library" => "LIBRARY",
        "container" => "CONTAINER",
        "operating-system" => "OPERATING_SYSTEM",
        "device" | "device-driver" => "DEVICE",
        "firmware" => "FIRMWARE",
        "file" => "FILE",
        "source" => "SOURCE",
        "archive" => "ARCHIVE",
        "install" => "INSTALL",
        _ => "OTHER",
    }
}

/// `<package> DEPENDS_ON NONE` for every package whose dependencies are known and empty.
pub(super) fn no_dependencies(sbom: &Sbom, edges: &[DocEdge]) -> Vec<Relationship> {
    let dependents: BTreeSet<&DocNode> = edges
        .iter()
        .filter(|e| e.kind == Edge::DependsOn)
        .map(|e| &e.from)
        .collect();
    sbom.packages
        .iter()
        .filter(|p| p.dependencies_known && !dependents.contains(&DocNode::Package(p.id())))
        .map(|p| Relationship {
            spdx_element_id: package::spdx_id_of(p),
            relationship_type: "DEPENDS_ON",
            related_spdx_element: "NONE".to_owned(),
        })
        .collect()
}
