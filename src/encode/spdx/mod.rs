//! SPDX 2.3 JSON (<https://spdx.github.io/spdx-spec/v2.3/>).
//!
//! The document `DESCRIBES` the image package (`primaryPackagePurpose: CONTAINER`); the base
//! image, the operating system (`OPERATING_SYSTEM`: the JSON schema's spelling, not the spec
//! text's `OPERATING-SYSTEM`) and every package (`LIBRARY`) follow. The relationships after
//! `DESCRIBES` are exactly [`document_edges`](crate::model::DependencyGraph::document_edges):
//! `CONTAINS`, `DEPENDS_ON`, `DESCENDANT_OF`, the same edge set as the CycloneDX document.
//!
//! Identifiers: `SPDXRef-Image`, `SPDXRef-BaseImage`, `SPDXRef-OperatingSystem`, and
//! `SPDXRef-Package-<ecosystem>-<name>-<hash>` for packages, where the name is sanitised to
//! the `[A-Za-z0-9.-]` alphabet SPDX allows and the hash (of the purl) keeps ids unique when
//! sanitising makes two names alike. The `documentNamespace` ends in a UUID derived from the
//! document's content, so equal scans give equal namespaces and different ones never collide.
//!
//! SPDX has no name/value properties, so the facts CycloneDX carries as `consign:` properties
//! appear as text: layer history in each package's `comment`, evidence (paths, layers,
//! cataloger) in its `sourceInfo`, image facts in the image package's `comment`.
//!
//! Known unknowns: each file that could not be read is an `OTHER` annotation of the document
//! by `Tool: consign-<version>`, and the document `comment` says how many there are.

mod model;
mod package;
mod provenance;

use std::fmt::Write as _;

use self::model::{
    Annotation, Checksum, CreationInfo, Document, ExternalRef, Package, Relationship,
};
use self::package::LicenseRefs;
use crate::catalog::LinuxRelease;
use crate::encode::common::{
    content_uuid, describe_unknown, layer_step, scope_name, slug, source_kind_name, timestamp,
    to_json, web_url,
};
use crate::encode::oci::Reference;
use crate::encode::{EncodeOptions, Format};
use crate::model::graph::Edge;
use crate::model::{BaseImage, DependencyGraph, DocNode, Sbom, SourceKind};
use crate::source::Digest;
use crate::source::digest::Algorithm;

const NOASSERTION: &str = "NOASSERTION";
const IMAGE_ID: &str = "SPDXRef-Image";
const BASE_ID: &str = "SPDXRef-BaseImage";
const OS_ID: &str = "SPDXRef-OperatingSystem";

/// Encodes `sbom` as an SPDX 2.3 JSON document.
pub(crate) fn encode(sbom: &Sbom, opts: &EncodeOptions) -> crate::Result<Vec<u8>> {
    let format = Format::SpdxJson;
    let mut doc = build(sbom, opts);
    // The namespace ends in a hash of the document without it: equal content, equal URI.
    let unsigned = to_json(&doc, &format)?;
    let name = match slug(&sbom.image.display_name()) {
        s if s.is_empty() => "image".to_owned(),
        s => s,
    };
    doc.document_namespace = format!(
        "https://consign.dev/spdx/{name}-{}",
        content_uuid(&unsigned)
    );
    to_json(&doc, &format)
}

fn build(sbom: &Sbom, opts: &EncodeOptions) -> Document {
    let created = timestamp(opts.created);
    let tool = format!("Tool: {}-{}", sbom.tool.name, sbom.tool.version);
    let mut packages = vec![image_package(sbom)];
    if let Some(base) = &sbom.image.base {
        packages.push(base_package(base));
    }
    if let Some(distro) = &sbom.distro {
        packages.push(os_package(distro));
    }
    let mut license_refs = LicenseRefs::default();
    packages.extend(
        sbom.packages
            .iter()
            .map(|p| package::package(sbom, p, &mut license_refs)),
    );
    let comment = (!sbom.unknowns.is_empty()).then(|| {
        format!(
            "Incomplete: consign could not read {} file(s); see the annotations.",
            sbom.unknowns.len()
        )
    });
    let annotations = sbom
        .unknowns
        .iter()
        .map(|u| Annotation {
            annotation_date: created.clone(),
            annotation_type: "OTHER",
            annotator: tool.clone(),
            comment: format!("could not read: {}", describe_unknown(sbom, u)),
        })
        .collect();
    Document {
        spdx_version: "SPDX-2.3",
        data_license: "CC0-1.0",
        spdx_id: "SPDXRef-DOCUMENT",
        name: sbom.image.display_name(),
        document_namespace: String::new(),
        creation_info: CreationInfo {
            created,
            creators: provenance::creators(sbom),
            comment: provenance::creation_comment(sbom),
            license_list_version: license_list_version(),
        },
        comment,
        packages,
        has_extracted_licensing_infos: license_refs.into_infos(),
        relationships: relationships(sbom),
        annotations,
    }
}

/// The license list the `spdx` crate normalises against, as `major.minor`: the form the spec
/// gives (`3.21`) and pyspdxtools parses.
fn license_list_version() -> Option<String> {
    let mut parts = spdx::license_version().split('.');
    match (parts.next(), parts.next()) {
        (Some(major), Some(minor)) => Some(format!("{major}.{minor}")),
        _ => None,
    }
}

fn relationships(sbom: &Sbom) -> Vec<Relationship> {
    let id = |n: &DocNode| match n {
        DocNode::Image => IMAGE_ID.to_owned(),
        DocNode::BaseImage => BASE_ID.to_owned(),
        DocNode::OperatingSystem => OS_ID.to_owned(),
        DocNode::Package(pid) => package::spdx_id(sbom, pid),
    };
    let describes = Relationship {
        spdx_element_id: "SPDXRef-DOCUMENT".to_owned(),
        relationship_type: "DESCRIBES",
        related_spdx_element: IMAGE_ID.to_owned(),
    };
    let edges = DependencyGraph::build(sbom).document_edges();
    let none = provenance::no_dependencies(sbom, &edges);
    std::iter::once(describes)
        .chain(edges.iter().map(|e| Relationship {
            spdx_element_id: id(&e.from),
            relationship_type: match e.kind {
                Edge::Contains => "CONTAINS",
                Edge::DependsOn => "DEPENDS_ON",
                Edge::DescendantOf => "DESCENDANT_OF",
            },
            related_spdx_element: id(&e.to),
        }))
        .chain(none)
        .collect()
}

fn image_package(sbom: &Sbom) -> Package {
    let img = &sbom.image;
    let mut facts = vec![format!("source: {}", source_kind_name(img.source_kind))];
    // An SBOM read from another tool's document has no scope consign could vouch for.
    if img.source_kind != SourceKind::Document {
        facts.push(format!("scope: {}", scope_name(sbom.scope)));
    }
    if let Some(p) = &img.platform {
        facts.push(format!("platform: {p}"));
    }
    if let Some(d) = &img.manifest_digest {
        facts.push(format!("manifest digest: {d}"));
    }
    if let Some(d) = &img.config_digest {
        facts.push(format!("config digest: {d}"));
    }
    if let Some(c) = &img.created {
        facts.push(format!("created: {c}"));
    }
    if let Some(b) = &img.base {
        let name = b.name.as_deref().unwrap_or("(unnamed)");
        facts.push(format!("base image: {name} (from {})", b.evidence));
    }
    for l in &sbom.layers {
        let mut fact = format!("layer {}", l.index);
        if let Some(id) = l.id() {
            let _ = write!(fact, ": {id}");
        }
        if let Some(step) = layer_step(l) {
            let _ = write!(fact, ", created by: {step}");
        }
        facts.push(fact);
    }
    let reference = Reference::of_image(img);
    Package {
        name: img.name_or_file(),
        spdx_id: IMAGE_ID.to_owned(),
        version_info: Some(img.version()),
        supplier: img
            .supplier()
            .map_or_else(|| NOASSERTION.to_owned(), organization),
        comment: Some(facts.join("\n")),
        external_refs: reference.purl().into_iter().map(purl_ref).collect(),
        checksums: img.manifest_digest.iter().map(checksum_of).collect(),
        primary_package_purpose: provenance::root_purpose(sbom),
        ..unasserted()
    }
}

fn base_package(base: &BaseImage) -> Package {
    let r = Reference::of_base(base);
    let digest = r.digest.as_ref().map(Digest::to_string);
    Package {
        name: r
            .repository
            .clone()
            .or_else(|| digest.clone())
            .unwrap_or_else(|| "unknown".to_owned()),
        spdx_id: BASE_ID.to_owned(),
        version_info: r.tag.clone().or(digest),
        comment: Some(format!("base image, named by the {}", base.evidence)),
        external_refs: r.purl().into_iter().map(purl_ref).collect(),
        checksums: r.digest.as_ref().map(checksum_of).into_iter().collect(),
        primary_package_purpose: "CONTAINER",
        ..unasserted()
    }
}

fn os_package(d: &LinuxRelease) -> Package {
    let cpe = d.cpe().map(|(is23, c)| ExternalRef {
        reference_category: "SECURITY",
        reference_type: if is23 { "cpe23Type" } else { "cpe22Type" },
        reference_locator: c,
    });
    Package {
        name: d.id.clone(),
        spdx_id: OS_ID.to_owned(),
        version_info: Some(d.version_or_codename().to_owned()),
        supplier: d
            .supplier()
            .map_or_else(|| NOASSERTION.to_owned(), organization),
        homepage: d.home_url.as_deref().and_then(web_url),
        source_info: (!d.source_file.is_empty())
            .then(|| format!("identified from /{}", d.source_file)),
        description: d.pretty_name.clone(),
        external_refs: cpe.into_iter().collect(),
        primary_package_purpose: "OPERATING_SYSTEM",
        ..unasserted()
    }
}

/// A package with every assertion left as `NOASSERTION`; callers fill in what they know.
fn unasserted() -> Package {
    Package {
        supplier: NOASSERTION.to_owned(),
        download_location: NOASSERTION,
        files_analyzed: false,
        license_concluded: NOASSERTION,
        license_declared: NOASSERTION.to_owned(),
        copyright_text: NOASSERTION,
        ..Package::default()
    }
}

fn organization(name: String) -> String {
    format!("Organization: {name}")
}

fn purl_ref(purl: impl ToString) -> ExternalRef {
    ExternalRef {
        reference_category: "PACKAGE-MANAGER",
        reference_type: "purl",
        reference_locator: purl.to_string(),
    }
}

fn checksum_of(d: &Digest) -> Checksum {
    Checksum {
        algorithm: match d.algorithm() {
            Algorithm::Sha256 => "SHA256",
            Algorithm::Sha512 => "SHA512",
        },
        checksum_value: d.hex().to_owned(),
    }
}
