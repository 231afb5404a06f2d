//! Serde types for reading CycloneDX JSON 1.2–1.7 (<https://cyclonedx.org/docs/1.7/json/>),
//! whoever wrote it.
//!
//! Lenient by construction: every field is optional, unknown fields are ignored, scalars of
//! the wrong type are taken as text and malformed list items are skipped (see
//! [`lenient`](crate::decode::lenient)). Both shapes the versions use are read:
//! `metadata.tools` as a 1.2–1.4 array of `{vendor, name, version}` or a 1.5+ object of
//! `components` and `services`; a component's `author` (text, deprecated in 1.6) and
//! `authors`; `metadata.manufacture` (1.5) and `manufacturer` (1.6).

use serde::Deserialize;

use crate::decode::lenient;

/// The document root.
#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub(crate) struct Bom {
    #[serde(deserialize_with = "lenient::string")]
    pub bom_format: Option<String>,
    #[serde(deserialize_with = "lenient::string")]
    pub spec_version: Option<String>,
    pub metadata: Option<Metadata>,
    pub components: Option<Vec<Component>>,
    #[serde(deserialize_with = "lenient::list")]
    pub dependencies: Vec<Dependency>,
    #[serde(deserialize_with = "lenient::list")]
    pub compositions: Vec<Composition>,
}

/// `metadata`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct Metadata {
    #[serde(deserialize_with = "lenient::string")]
    pub timestamp: Option<String>,
    pub tools: Option<Tools>,
    #[serde(deserialize_with = "lenient::list")]
    pub authors: Vec<Contact>,
    #[serde(deserialize_with = "lenient::list")]
    pub lifecycles: Vec<Lifecycle>,
    pub component: Option<Component>,
    #[serde(deserialize_with = "lenient::list")]
    pub properties: Vec<Property>,
}

/// `metadata.tools`: the legacy array or the 1.5+ object.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub(crate) enum Tools {
    Legacy(#[serde(deserialize_with = "lenient::list")] Vec<LegacyTool>),
    Object {
        #[serde(default, deserialize_with = "lenient::list")]
        components: Vec<Component>,
        #[serde(default, deserialize_with = "lenient::list")]
        services: Vec<Component>,
    },
}

/// A 1.2–1.4 tool.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct LegacyTool {
    #[serde(deserialize_with = "lenient::string")]
    pub vendor: Option<String>,
    #[serde(deserialize_with = "lenient::string")]
    pub name: Option<String>,
    #[serde(deserialize_with = "lenient::string")]
    pub version: Option<String>,
}

/// A lifecycle: a pre-defined `phase` or a custom `name`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct Lifecycle {
    #[serde(deserialize_with = "lenient::string")]
    pub phase: Option<String>,
    #[serde(deserialize_with = "lenient::string")]
    pub name: Option<String>,
}

/// A component (also a tool or a service, which share the fields read here).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct Component {
    #[serde(rename = "type", deserialize_with = "lenient::string")]
    pub kind: Option<String>,
    #[serde(rename = "bom-ref", deserialize_with = "lenient::string")]
    pub bom_ref: Option<String>,
    pub supplier: Option<Entity>,
    pub manufacturer: Option<Entity>,
    #[serde(deserialize_with = "lenient::list")]
    pub authors: Vec<Contact>,
    #[serde(deserialize_with = "lenient::string")]
    pub author: Option<String>,
    #[serde(deserialize_with = "lenient::string")]
    pub publisher: Option<String>,
    #[serde(deserialize_with = "lenient::string")]
    pub group: Option<String>,
    #[serde(deserialize_with = "lenient::string")]
    pub name: Option<String>,
    #[serde(deserialize_with = "lenient::string")]
    pub version: Option<String>,
    #[serde(deserialize_with = "lenient::string")]
    pub description: Option<String>,
    #[serde(deserialize_with = "lenient::list")]
    pub hashes: Vec<Hash>,
    #[serde(deserialize_with = "lenient::list")]
    pub licenses: Vec<LicenseChoice>,
    #[serde(deserialize_with = "lenient::string")]
    pub cpe: Option<String>,
    #[serde(deserialize_with = "lenient::string")]
    pub purl: Option<String>,
    #[serde(rename = "externalReferences", deserialize_with = "lenient::list")]
    pub external_references: Vec<ExternalReference>,
    #[serde(deserialize_with = "lenient::list")]
    pub properties: Vec<Property>,
    pub components: Option<Vec<Component>>,
    pub evidence: Option<Evidence>,
}

impl Component {
    /// The first value of property `name`.
    pub fn property(&self, name: &str) -> Option<&str> {
        property(&self.properties, name)
    }
}

/// The first value of property `name` in `props`.
pub(crate) fn property<'a>(props: &'a [Property], name: &str) -> Option<&'a str> {
    props
        .iter()
        .find(|p| p.name.as_deref() == Some(name))
        .and_then(|p| p.value.as_deref())
}

/// An organisation (supplier, manufacturer).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct Entity {
    #[serde(deserialize_with = "lenient::string")]
    pub name: Option<String>,
    #[serde(deserialize_with = "lenient::list")]
    pub contact: Vec<Contact>,
}

/// A person (author, contact).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct Contact {
    #[serde(deserialize_with = "lenient::string")]
    pub name: Option<String>,
    #[serde(deserialize_with = "lenient::string")]
    pub email: Option<String>,
}

/// A hash.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct Hash {
    #[serde(deserialize_with = "lenient::string")]
    pub alg: Option<String>,
    #[serde(deserialize_with = "lenient::string")]
    pub content: Option<String>,
}

/// One item of `licenses`: a license object or an expression.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct LicenseChoice {
    pub license: Option<LicenseObject>,
    #[serde(deserialize_with = "lenient::string")]
    pub expression: Option<String>,
}

/// `{"id": …}` or `{"name": …}`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct LicenseObject {
    #[serde(deserialize_with = "lenient::string")]
    pub id: Option<String>,
    #[serde(deserialize_with = "lenient::string")]
    pub name: Option<String>,
}

/// An external reference.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct ExternalReference {
    #[serde(rename = "type", deserialize_with = "lenient::string")]
    pub kind: Option<String>,
    #[serde(deserialize_with = "lenient::string")]
    pub url: Option<String>,
}

/// A name/value property.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct Property {
    #[serde(deserialize_with = "lenient::string")]
    pub name: Option<String>,
    #[serde(deserialize_with = "lenient::string")]
    pub value: Option<String>,
}

/// `evidence`: only the occurrences are read.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct Evidence {
    #[serde(deserialize_with = "lenient::list")]
    pub occurrences: Vec<Occurrence>,
}

/// One place a component was found.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct Occurrence {
    #[serde(deserialize_with = "lenient::string")]
    pub location: Option<String>,
    #[serde(rename = "additionalContext", deserialize_with = "lenient::string")]
    pub additional_context: Option<String>,
}

/// One node of the dependency graph.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct Dependency {
    #[serde(rename = "ref", deserialize_with = "lenient::string")]
    pub reference: Option<String>,
    /// 1.2–1.4 wrote `dependsOn` as a list of refs, as 1.5+ does; some producers nest
    /// `{ref}` objects, which [`lenient::strings`] skips.
    #[serde(rename = "dependsOn", deserialize_with = "lenient::strings")]
    pub depends_on: Vec<String>,
}

/// A completeness statement.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct Composition {
    #[serde(deserialize_with = "lenient::string")]
    pub aggregate: Option<String>,
    #[serde(deserialize_with = "lenient::strings")]
    pub assemblies: Vec<String>,
    #[serde(deserialize_with = "lenient::strings")]
    pub dependencies: Vec<String>,
}
