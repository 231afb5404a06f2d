//! CycloneDX XML (<https://cyclonedx.org/docs/1.7/xml/>), read into the same types as the
//! JSON form and mapped by the same code.
//!
//! The XML schema is the JSON one with attributes for `bom-ref`, `type`, hash `alg`,
//! property `name` and dependency `ref`, and wrapper elements for lists (`<components>`,
//! `<hashes>`, `<licenses>`, …). The version comes from the namespace
//! (`http://cyclonedx.org/schema/bom/1.6`). Parsed with `roxmltree` (a read-only DOM, no
//! dependencies); elements are matched by local name, so prefixed documents read the same.

use roxmltree::Node;

use super::model::{
    Bom, Component, Composition, Contact, Dependency, Entity, Evidence, ExternalReference, Hash,
    LegacyTool, LicenseChoice, LicenseObject, Lifecycle, Metadata, Occurrence, Property, Tools,
};
use crate::model::{DocumentFormat, Sbom};
use crate::{Error, Result};

const NAMESPACE: &str = "http://cyclonedx.org/schema/bom/";

/// Reads a CycloneDX XML document.
pub(crate) fn decode(bytes: &[u8], origin: &str) -> Result<Sbom> {
    let text = std::str::from_utf8(bytes)
        .map_err(|e| Error::decode(origin, format!("XML is not UTF-8: {e}")))?;
    let options = roxmltree::ParsingOptions {
        allow_dtd: false,
        ..roxmltree::ParsingOptions::default()
    };
    let doc = roxmltree::Document::parse_with_options(text, options)
        .map_err(|e| Error::decode(origin, format!("invalid XML: {e}")))?;
    let root = doc.root_element();
    let ns = root.tag_name().namespace().unwrap_or("");
    let version = match ns.strip_prefix(NAMESPACE) {
        Some(v) if root.tag_name().name() == "bom" => v.to_owned(),
        _ if ns.contains("spdx.org") || root.tag_name().name() == "RDF" => {
            return Err(Error::decode(
                origin,
                "SPDX RDF/XML is not supported; SPDX JSON and tag-value are",
            ));
        }
        _ => {
            return Err(Error::decode(
                origin,
                "not an SBOM: XML, but not a CycloneDX <bom> (namespace http://cyclonedx.org/schema/bom/1.x)",
            ));
        }
    };
    let bom = Bom {
        bom_format: Some("CycloneDX".to_owned()),
        spec_version: Some(version.clone()),
        metadata: child(root, "metadata").map(metadata),
        components: child(root, "components")
            .map(|c| kids(c, "component").map(component).collect()),
        dependencies: child(root, "dependencies")
            .map(|d| kids(d, "dependency").map(dependency).collect())
            .unwrap_or_default(),
        compositions: child(root, "compositions")
            .map(|c| kids(c, "composition").map(composition).collect())
            .unwrap_or_default(),
    };
    Ok(super::from_bom(
        bom,
        DocumentFormat::CycloneDxXml(version),
        origin,
    ))
}

fn kids<'a, 'i>(n: Node<'a, 'i>, name: &'static str) -> impl Iterator<Item = Node<'a, 'i>> {
    n.children()
        .filter(move |c| c.is_element() && c.tag_name().name() == name)
}

fn child<'a, 'i>(n: Node<'a, 'i>, name: &'static str) -> Option<Node<'a, 'i>> {
    kids(n, name).next()
}

/// The trimmed text of child `name`, if non-empty.
fn text(n: Node<'_, '_>, name: &'static str) -> Option<String> {
    child(n, name).and_then(own_text)
}

fn own_text(n: Node<'_, '_>) -> Option<String> {
    let t: String = n.children().filter_map(|c| c.text()).collect();
    let t = t.trim();
    (!t.is_empty()).then(|| t.to_owned())
}

fn attr(n: Node<'_, '_>, name: &str) -> Option<String> {
    n.attribute(name).map(str::to_owned)
}

fn metadata(n: Node<'_, '_>) -> Metadata {
    let tools = child(n, "tools").map(|t| {
        if child(t, "components").is_some() || child(t, "services").is_some() {
            Tools::Object {
                components: child(t, "components")
                    .map(|c| kids(c, "component").map(component).collect())
                    .unwrap_or_default(),
                services: child(t, "services")
                    .map(|c| kids(c, "service").map(component).collect())
                    .unwrap_or_default(),
            }
        } else {
            Tools::Legacy(
                kids(t, "tool")
                    .map(|x| LegacyTool {
                        vendor: text(x, "vendor"),
                        name: text(x, "name"),
                        version: text(x, "version"),
                    })
                    .collect(),
            )
        }
    });
    Metadata {
        timestamp: text(n, "timestamp"),
        tools,
        authors: child(n, "authors")
            .map(|a| kids(a, "author").map(contact).collect())
            .unwrap_or_default(),
        lifecycles: child(n, "lifecycles")
            .map(|l| {
                kids(l, "lifecycle")
                    .map(|x| Lifecycle {
                        phase: text(x, "phase"),
                        name: text(x, "name"),
                    })
                    .collect()
            })
            .unwrap_or_default(),
        component: child(n, "component").map(component),
        properties: properties(n),
    }
}

fn contact(n: Node<'_, '_>) -> Contact {
    Contact {
        name: text(n, "name"),
        email: text(n, "email"),
    }
}

fn entity(n: Node<'_, '_>) -> Entity {
    Entity {
        name: text(n, "name"),
        contact: kids(n, "contact").map(contact).collect(),
    }
}

fn properties(n: Node<'_, '_>) -> Vec<Property> {
    child(n, "properties")
        .map(|p| {
            kids(p, "property")
                .map(|x| Property {
                    name: attr(x, "name"),
                    value: own_text(x),
                })
                .collect()
        })
        .unwrap_or_default()
}

fn component(n: Node<'_, '_>) -> Component {
    // 1.6 moved `author` to `authors`; 1.2–1.5 `author` is text.
    let authors = child(n, "authors")
        .map(|a| kids(a, "author").map(contact).collect())
        .unwrap_or_default();
    Component {
        kind: attr(n, "type"),
        bom_ref: attr(n, "bom-ref"),
        supplier: child(n, "supplier").map(entity),
        manufacturer: child(n, "manufacturer").map(entity),
        authors,
        author: text(n, "author"),
        publisher: text(n, "publisher"),
        group: text(n, "group"),
        name: text(n, "name"),
        version: text(n, "version"),
        description: text(n, "description"),
        hashes: child(n, "hashes")
            .map(|h| {
                kids(h, "hash")
                    .map(|x| Hash {
                        alg: attr(x, "alg"),
                        content: own_text(x),
                    })
                    .collect()
            })
            .unwrap_or_default(),
        licenses: child(n, "licenses").map(licenses).unwrap_or_default(),
        cpe: text(n, "cpe"),
        purl: text(n, "purl"),
        external_references: child(n, "externalReferences")
            .map(|r| {
                kids(r, "reference")
                    .map(|x| ExternalReference {
                        kind: attr(x, "type"),
                        url: text(x, "url"),
                    })
                    .collect()
            })
            .unwrap_or_default(),
        properties: properties(n),
        components: child(n, "components").map(|c| kids(c, "component").map(component).collect()),
        evidence: child(n, "evidence").map(|e| Evidence {
            occurrences: child(e, "occurrences")
                .map(|o| {
                    kids(o, "occurrence")
                        .map(|x| Occurrence {
                            location: text(x, "location"),
                            additional_context: text(x, "additionalContext"),
                        })
                        .collect()
                })
                .unwrap_or_default(),
        }),
    }
}

fn licenses(n: Node<'_, '_>) -> Vec<LicenseChoice> {
    n.children()
        .filter(Node::is_element)
        .filter_map(|x| match x.tag_name().name() {
            "license" => Some(LicenseChoice {
                license: Some(LicenseObject {
                    id: text(x, "id"),
                    name: text(x, "name"),
                }),
                expression: None,
            }),
            "expression" => Some(LicenseChoice {
                license: None,
                expression: own_text(x),
            }),
            _ => None,
        })
        .collect()
}

fn dependency(n: Node<'_, '_>) -> Dependency {
    Dependency {
        reference: attr(n, "ref"),
        depends_on: kids(n, "dependency")
            .filter_map(|d| attr(d, "ref"))
            .collect(),
    }
}

fn composition(n: Node<'_, '_>) -> Composition {
    let refs = |list: &'static str, item: &'static str| -> Vec<String> {
        child(n, list)
            .map(|l| kids(l, item).filter_map(|x| attr(x, "ref")).collect())
            .unwrap_or_default()
    };
    Composition {
        aggregate: text(n, "aggregate"),
        assemblies: refs("assemblies", "assembly"),
        dependencies: refs("dependencies", "dependency"),
    }
}
