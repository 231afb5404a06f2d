//! Serde types for reading SPDX 2.2 and 2.3 JSON (<https://spdx.github.io/spdx-spec/v2.3/>),
//! also filled by the tag-value reader. Lenient like the CycloneDX ones: everything
//! optional, unknown fields ignored, malformed list items skipped.

use serde::Deserialize;

use crate::decode::lenient;

/// The document root.
#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub(crate) struct Document {
    #[serde(deserialize_with = "lenient::string")]
    pub spdx_version: Option<String>,
    #[serde(deserialize_with = "lenient::string")]
    pub name: Option<String>,
    pub creation_info: Option<CreationInfo>,
    pub packages: Option<Vec<Package>>,
    #[serde(deserialize_with = "lenient::list")]
    pub relationships: Vec<Relationship>,
    /// SPDX 2.2's way of naming the described elements (2.3 uses `DESCRIBES`).
    #[serde(deserialize_with = "lenient::strings")]
    pub document_describes: Vec<String>,
    #[serde(deserialize_with = "lenient::list")]
    pub has_extracted_licensing_infos: Vec<ExtractedLicense>,
    /// Document annotations (consign lists the files it could not read here).
    #[serde(deserialize_with = "lenient::list")]
    pub annotations: Vec<Annotation>,
}

/// `creationInfo`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct CreationInfo {
    #[serde(deserialize_with = "lenient::string")]
    pub created: Option<String>,
    #[serde(deserialize_with = "lenient::strings")]
    pub creators: Vec<String>,
    #[serde(deserialize_with = "lenient::string")]
    pub comment: Option<String>,
}

/// A package.
#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub(crate) struct Package {
    #[serde(deserialize_with = "lenient::string")]
    pub name: Option<String>,
    #[serde(rename = "SPDXID", deserialize_with = "lenient::string")]
    pub spdx_id: Option<String>,
    #[serde(deserialize_with = "lenient::string")]
    pub version_info: Option<String>,
    #[serde(deserialize_with = "lenient::string")]
    pub supplier: Option<String>,
    #[serde(deserialize_with = "lenient::string")]
    pub originator: Option<String>,
    #[serde(deserialize_with = "lenient::string")]
    pub license_declared: Option<String>,
    #[serde(deserialize_with = "lenient::string")]
    pub license_concluded: Option<String>,
    #[serde(deserialize_with = "lenient::list")]
    pub checksums: Vec<Checksum>,
    #[serde(deserialize_with = "lenient::list")]
    pub external_refs: Vec<ExternalRef>,
    #[serde(deserialize_with = "lenient::string")]
    pub primary_package_purpose: Option<String>,
    #[serde(deserialize_with = "lenient::string")]
    pub description: Option<String>,
    #[serde(deserialize_with = "lenient::string")]
    pub homepage: Option<String>,
    #[serde(deserialize_with = "lenient::string")]
    pub source_info: Option<String>,
    #[serde(deserialize_with = "lenient::string")]
    pub comment: Option<String>,
    #[serde(deserialize_with = "lenient::list")]
    pub annotations: Vec<Annotation>,
    /// Older Trivy put its `Key: value` facts here instead of in annotations.
    #[serde(deserialize_with = "lenient::strings")]
    pub attribution_texts: Vec<String>,
}

impl Package {
    /// The value of a `Key: value` annotation comment or attribution text (Trivy's
    /// `PkgType: npm`, `LayerDiffID: sha256:…`).
    pub fn annotation(&self, key: &str) -> impl Iterator<Item = &str> {
        self.annotations
            .iter()
            .filter_map(|a| a.comment.as_deref())
            .chain(self.attribution_texts.iter().map(String::as_str))
            .filter_map(move |c| c.strip_prefix(key)?.strip_prefix(':').map(str::trim))
    }
}

/// A checksum.
#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub(crate) struct Checksum {
    #[serde(deserialize_with = "lenient::string")]
    pub algorithm: Option<String>,
    #[serde(deserialize_with = "lenient::string")]
    pub checksum_value: Option<String>,
}

/// An external reference (purl, CPE, …).
#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub(crate) struct ExternalRef {
    #[serde(deserialize_with = "lenient::string")]
    pub reference_category: Option<String>,
    #[serde(deserialize_with = "lenient::string")]
    pub reference_type: Option<String>,
    #[serde(deserialize_with = "lenient::string")]
    pub reference_locator: Option<String>,
}

/// An annotation; its annotator and comment are read.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct Annotation {
    #[serde(deserialize_with = "lenient::string")]
    pub annotator: Option<String>,
    #[serde(deserialize_with = "lenient::string")]
    pub comment: Option<String>,
}

/// A relationship.
#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub(crate) struct Relationship {
    #[serde(deserialize_with = "lenient::string")]
    pub spdx_element_id: Option<String>,
    #[serde(deserialize_with = "lenient::string")]
    pub relationship_type: Option<String>,
    #[serde(deserialize_with = "lenient::string")]
    pub related_spdx_element: Option<String>,
}

/// A license the document defines (`LicenseRef-…`).
#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub(crate) struct ExtractedLicense {
    #[serde(deserialize_with = "lenient::string")]
    pub license_id: Option<String>,
    #[serde(deserialize_with = "lenient::string")]
    pub extracted_text: Option<String>,
    #[serde(deserialize_with = "lenient::string")]
    pub name: Option<String>,
}
