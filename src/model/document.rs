//! What an SBOM document says about itself, kept when consign reads a document instead of
//! scanning an image (see [`crate::decode`]).
//!
//! The inventory (packages, licenses, hashes, edges) goes into the [`Sbom`](crate::Sbom)
//! model like a scan's; this holds the rest: the format, who and what made the document,
//! when, at which point of the software's life, and facts about the document's graph that
//! the model does not keep. `convert` writes the tools and authors back out, `score` measures
//! the minimum elements on it, `diff` names the producers.

use std::collections::BTreeSet;
use std::fmt;

use serde::Serialize;

use crate::model::{PackageId, Tool};

/// The format a document was read from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DocumentFormat {
    /// CycloneDX JSON of the given `specVersion` (`1.2` … `1.7`).
    CycloneDxJson(String),
    /// CycloneDX XML of the given version (from the namespace).
    CycloneDxXml(String),
    /// SPDX JSON of the given version (`2.2`, `2.3`).
    SpdxJson(String),
    /// SPDX tag-value of the given version.
    SpdxTagValue(String),
}

impl fmt::Display for DocumentFormat {
    /// `cyclonedx-json@1.6`, `spdx-tag-value@2.3`: the spelling `-o` uses.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DocumentFormat::CycloneDxJson(v) => write!(f, "cyclonedx-json@{v}"),
            DocumentFormat::CycloneDxXml(v) => write!(f, "cyclonedx-xml@{v}"),
            DocumentFormat::SpdxJson(v) => write!(f, "spdx-json@{v}"),
            DocumentFormat::SpdxTagValue(v) => write!(f, "spdx-tag-value@{v}"),
        }
    }
}

/// What a document said about itself. See the module docs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DocumentInfo {
    /// The format and spec version.
    pub format: DocumentFormat,
    /// The document's name (SPDX `name`; CycloneDX has none), verbatim.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The creation time, verbatim (CycloneDX `metadata.timestamp`, SPDX `created`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<String>,
    /// The tools that made it, in document order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tools: Vec<Tool>,
    /// The people or organisations that made it, as the document names them (SPDX
    /// `Person: …` / `Organization: …` creators keep their prefix).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub authors: Vec<String>,
    /// The lifecycle phases it describes (CycloneDX `metadata.lifecycles`: `build`,
    /// `post-build`, …; for SPDX, phases named in the creation comment).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub lifecycles: Vec<String>,
    /// SPDX's `creationInfo.comment`, verbatim (written back when converting to SPDX).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// The kind of thing the document describes, as its format spells it (CycloneDX
    /// component type such as `container` or `application`; SPDX primary package purpose).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject_kind: Option<String>,
    /// The attestation the document was wrapped in, when it was (`in-toto Statement v1 in a
    /// DSSE envelope, predicate https://cyclonedx.org/bom`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub envelope: Option<String>,
    /// Packages that at least one relationship of the document names (as either end, the
    /// document's root included): the NTIA "dependency relationship" element.
    #[serde(skip)]
    pub related: BTreeSet<PackageId>,
    /// True when the document marks its inventory complete (a CycloneDX composition with
    /// aggregate `complete` over the described component).
    pub declared_complete: bool,
}

impl DocumentInfo {
    /// An empty record for a document of `format`.
    pub fn new(format: DocumentFormat) -> Self {
        DocumentInfo {
            format,
            name: None,
            timestamp: None,
            tools: Vec::new(),
            authors: Vec::new(),
            lifecycles: Vec::new(),
            comment: None,
            subject_kind: None,
            envelope: None,
            related: BTreeSet::new(),
            declared_complete: false,
        }
    }

    /// `syft 1.18.1`, `trivy 0.59.1 + consign 0.1.0`, or `unknown tool`: who produced it.
    pub fn producer(&self) -> String {
        if self.tools.is_empty() {
            return "unknown tool".to_owned();
        }
        self.tools
            .iter()
            .map(|t| {
                if t.version.is_empty() {
                    t.name.clone()
                } else {
                    format!("{} {}", t.name, t.version)
                }
            })
            .collect::<Vec<_>>()
            .join(" + ")
    }
}
