//! Serde types for the subset of SPDX 2.3 JSON that consign writes.
//!
//! Reference: <https://spdx.github.io/spdx-spec/v2.3/> and the JSON schema of the
//! `support/2.3.1` branch (vendored in `schemas/spdx-2.3.schema.json`). Hand-written rather
//! than taken from `spdx-rs`, which writes `created` with nanoseconds (see `CRATES.md`). Field
//! names and order follow the specification's JSON examples.

use serde::Serialize;

/// The document root.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Document {
    /// Always `SPDX-2.3`.
    pub spdx_version: &'static str,
    /// Always `CC0-1.0`, as the spec requires.
    pub data_license: &'static str,
    /// Always `SPDXRef-DOCUMENT`.
    #[serde(rename = "SPDXID")]
    pub spdx_id: &'static str,
    /// The image's display name.
    pub name: String,
    /// A unique URI for this document, derived from its content.
    pub document_namespace: String,
    /// Who made the document, when.
    pub creation_info: CreationInfo,
    /// Document-level remarks (what could not be read).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// The image, base image, OS and packages.
    pub packages: Vec<Package>,
    /// Texts of the non-SPDX licenses referenced as `LicenseRef-…`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub has_extracted_licensing_infos: Vec<ExtractedLicensingInfo>,
    /// `DESCRIBES`, then the document edges.
    pub relationships: Vec<Relationship>,
    /// One `OTHER` annotation of the document per file that could not be read.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub annotations: Vec<Annotation>,
}

/// `creationInfo`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct CreationInfo {
    /// `YYYY-MM-DDThh:mm:ssZ`.
    pub created: String,
    /// `Tool: consign-<version>`.
    pub creators: Vec<String>,
    /// The SPDX license list version used to normalise licenses (`major.minor`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub license_list_version: Option<String>,
    /// The generation context (`Lifecycle phase: post-build …`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

/// A package: the image, the base image, the OS or a package.
#[derive(Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Package {
    /// The name.
    pub name: String,
    /// `SPDXRef-…`, unique in the document.
    #[serde(rename = "SPDXID")]
    pub spdx_id: String,
    /// The version.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version_info: Option<String>,
    /// `Organization: …`, `Person: … (email)` or `NOASSERTION`.
    pub supplier: String,
    /// Who originally made it: `Person: …`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub originator: Option<String>,
    /// Always `NOASSERTION`: an image records what is installed, not where it came from.
    pub download_location: &'static str,
    /// Always false: files are not listed.
    pub files_analyzed: bool,
    /// The home page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub homepage: Option<String>,
    /// Where the package was found (paths, layers, cataloger).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_info: Option<String>,
    /// Always `NOASSERTION`: consign reports what is declared, it does not conclude.
    pub license_concluded: &'static str,
    /// The declared licenses as one SPDX expression, or `NOASSERTION`.
    pub license_declared: String,
    /// Always `NOASSERTION`.
    pub copyright_text: &'static str,
    /// A description.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Layer history and other facts without an SPDX field.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// The purl, and for the OS its CPE.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub external_refs: Vec<ExternalRef>,
    /// Hashes of the package.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub checksums: Vec<Checksum>,
    /// `CONTAINER`, `OPERATING_SYSTEM`, `LIBRARY`.
    pub primary_package_purpose: &'static str,
}

/// An external reference.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ExternalRef {
    /// `PACKAGE-MANAGER` or `SECURITY`.
    pub reference_category: &'static str,
    /// `purl`, `cpe22Type`, `cpe23Type`.
    pub reference_type: &'static str,
    /// The purl or CPE.
    pub reference_locator: String,
}

/// A checksum.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Checksum {
    /// `SHA256`, …
    pub algorithm: &'static str,
    /// Lowercase hex.
    pub checksum_value: String,
}

/// A relationship between two elements.
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Relationship {
    /// The subject.
    pub spdx_element_id: String,
    /// `DESCRIBES`, `CONTAINS`, `DEPENDS_ON`, `DESCENDANT_OF`.
    pub relationship_type: &'static str,
    /// The object, or `NONE`.
    pub related_spdx_element: String,
}

/// A license that is not on the SPDX list, defined for this document.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ExtractedLicensingInfo {
    /// `LicenseRef-…`.
    pub license_id: String,
    /// The text as the package database declared it.
    pub extracted_text: String,
    /// A short name: the same text.
    pub name: String,
    /// Why the text may be incomplete.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

/// An annotation.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Annotation {
    /// When (the document's creation time).
    pub annotation_date: String,
    /// Always `OTHER`.
    pub annotation_type: &'static str,
    /// `Tool: consign-<version>`.
    pub annotator: String,
    /// The remark.
    pub comment: String,
}
