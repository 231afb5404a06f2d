//! Serde types for the subset of CycloneDX JSON that consign writes (1.5, 1.6, 1.7).
//!
//! Reference: <https://cyclonedx.org/docs/1.6/json/> (and `/1.5/`, `/1.7/`). Hand-written
//! rather than taken from `cyclonedx-bom`, which stops at 1.5 (see `CRATES.md`). The types are
//! strict on output: every optional field is skipped when empty, because the schema forbids
//! some empty values (an empty `licenses` choice matches neither branch of its `oneOf`) and
//! empty arrays say nothing. Fields that exist only in some versions are documented as such;
//! the encoder leaves them empty for the others. Field order follows the specification's
//! documentation, so the output reads like the examples there.

use serde::Serialize;

/// The document root.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Bom {
    /// The JSON schema of the version, for editors and validators.
    #[serde(rename = "$schema")]
    pub schema: String,
    /// Always `CycloneDX`.
    pub bom_format: &'static str,
    /// `1.5`, `1.6` or `1.7`.
    pub spec_version: &'static str,
    /// `urn:uuid:…`, derived from the content.
    pub serial_number: String,
    /// The revision of this BOM for the same serial number: always 1.
    pub version: u32,
    /// Document metadata, including the image as the described component.
    pub metadata: Metadata,
    /// Everything found in the image.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub components: Vec<Component>,
    /// The dependency graph: one entry per component.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub dependencies: Vec<Dependency>,
    /// How complete the inventory is.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub compositions: Vec<Composition>,
}

/// `metadata`.
#[derive(Debug, Serialize)]
pub(crate) struct Metadata {
    /// When the BOM was created.
    pub timestamp: String,
    /// The lifecycle phases the BOM describes.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub lifecycles: Vec<Lifecycle>,
    /// The tools that made the BOM (the object form, 1.5+).
    pub tools: Tools,
    /// The people or organisations that made the BOM (for a converted document).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub authors: Vec<OrganizationalContact>,
    /// The component the BOM describes: the image.
    pub component: Component,
    /// Document-level facts (catalogers, unknowns).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub properties: Vec<Property>,
}

/// One lifecycle phase.
#[derive(Debug, Serialize)]
pub(crate) struct Lifecycle {
    /// A pre-defined phase, e.g. `post-build`.
    pub phase: String,
}

/// `metadata.tools` in its object form.
#[derive(Debug, Serialize)]
pub(crate) struct Tools {
    /// Software tools.
    pub components: Vec<Component>,
}

/// A component: the image, the base image, the OS, a package, or a tool.
#[derive(Debug, Default, Serialize)]
pub(crate) struct Component {
    /// `container`, `operating-system`, `library`, `application`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// The reference used by `dependencies` and `compositions`.
    #[serde(rename = "bom-ref", skip_serializing_if = "Option::is_none")]
    pub bom_ref: Option<String>,
    /// Who supplies the component.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub supplier: Option<OrganizationalEntity>,
    /// Who made it (1.6+).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub authors: Vec<OrganizationalContact>,
    /// Who made it, as text (1.5; deprecated since 1.6).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
    /// The name.
    pub name: String,
    /// The version.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// A description.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// `excluded` for a package the database lists but that is not installed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scope: Option<&'static str>,
    /// Hashes of the component.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub hashes: Vec<Hash>,
    /// Licenses: either license objects or a single expression, never both.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub licenses: Vec<LicenseChoice>,
    /// A CPE 2.2 or 2.3 name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cpe: Option<String>,
    /// The package URL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub purl: Option<String>,
    /// Links (home page, source repository).
    #[serde(rename = "externalReferences", skip_serializing_if = "Vec::is_empty")]
    pub external_references: Vec<ExternalReference>,
    /// Name/value facts in the `consign:` namespace.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub properties: Vec<Property>,
    /// Where the component was found.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub evidence: Option<Evidence>,
}

/// `organizationalEntity`: a supplier.
#[derive(Debug, Serialize)]
pub(crate) struct OrganizationalEntity {
    /// The organisation's name.
    pub name: String,
    /// Contacts (only their e-mail addresses are known).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub contact: Vec<OrganizationalContact>,
}

/// `organizationalContact`: an author or a supplier's contact.
#[derive(Debug, Serialize)]
pub(crate) struct OrganizationalContact {
    /// The name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The e-mail address.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
}

/// A hash.
#[derive(Debug, Serialize)]
pub(crate) struct Hash {
    /// `SHA-256`, …
    pub alg: &'static str,
    /// Lowercase hex.
    pub content: String,
}

/// One item of a `licenses` array.
#[derive(Debug, Serialize)]
#[serde(untagged)]
pub(crate) enum LicenseChoice {
    /// `{"license": {…}}`.
    License {
        /// The license.
        license: License,
    },
    /// `{"expression": "…"}`: must be the only item of its array (before 1.7).
    Expression {
        /// A valid SPDX license expression.
        expression: String,
    },
}

/// A license: an SPDX id or a free-text name.
#[derive(Debug, Serialize)]
#[serde(untagged)]
pub(crate) enum License {
    /// `{"id": "MIT"}`.
    Id {
        /// An id from the SPDX license list.
        id: String,
    },
    /// `{"name": "…"}`.
    Name {
        /// The text as declared.
        name: String,
    },
}

/// An external reference.
#[derive(Debug, Serialize)]
pub(crate) struct ExternalReference {
    /// `website`, `vcs`, …
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// The URL.
    pub url: String,
}

/// A name/value property.
#[derive(Debug, PartialEq, Eq, Serialize)]
pub(crate) struct Property {
    /// A `consign:` name.
    pub name: String,
    /// The value.
    pub value: String,
}

impl Property {
    /// A property.
    pub fn new(name: impl Into<String>, value: impl Into<String>) -> Self {
        Property {
            name: name.into(),
            value: value.into(),
        }
    }
}

/// `evidence`.
#[derive(Debug, Serialize)]
pub(crate) struct Evidence {
    /// Each place the component was found.
    pub occurrences: Vec<Occurrence>,
}

/// One place a component was found.
#[derive(Debug, Serialize)]
pub(crate) struct Occurrence {
    /// The absolute path inside the image.
    pub location: String,
    /// The layer that held this copy of the file (1.6+).
    #[serde(rename = "additionalContext", skip_serializing_if = "Option::is_none")]
    pub additional_context: Option<String>,
}

/// One node of the dependency graph.
#[derive(Debug, Serialize)]
pub(crate) struct Dependency {
    /// The component.
    #[serde(rename = "ref")]
    pub reference: String,
    /// What it contains or needs, sorted; empty when nothing (the spec asks for empty
    /// entries, so that a missing entry means "unknown", not "none").
    #[serde(rename = "dependsOn")]
    pub depends_on: Vec<String>,
}

/// A completeness statement.
#[derive(Debug, Serialize)]
pub(crate) struct Composition {
    /// `complete`, `incomplete` or `unknown`.
    pub aggregate: &'static str,
    /// The components whose constituent parts the statement is about.
    pub assemblies: Vec<String>,
}
