//! One package as a CycloneDX component: identity, supplier and authors, licenses, hashes,
//! evidence and the `consign:` properties (listed in the parent module's docs).

use super::model::{
    Component, Evidence, ExternalReference, Hash, License, LicenseChoice, Occurrence,
    OrganizationalContact, OrganizationalEntity, Property,
};
use crate::encode::CdxVersion;
use crate::encode::common::{layer_label, layer_step, web_url};
use crate::model::{Package, PackageId, PackageMetadata, Party, Sbom};

/// The component for `p`.
/// `owners` are the packages that contain it (an OS package owning its files).
pub(super) fn package(
    sbom: &Sbom,
    p: &Package,
    owners: &[&PackageId],
    version: CdxVersion,
) -> Component {
    let legacy_author = version == CdxVersion::V1_5;
    let (description, homepage) = match &p.metadata {
        PackageMetadata::Dpkg(m) => (None, m.homepage.as_deref()),
        PackageMetadata::Apk(m) => (m.description.clone(), m.url.as_deref()),
        PackageMetadata::Language(m) => (m.description.clone(), m.homepage.as_deref()),
        _ => (None, None),
    };
    Component {
        kind: "library",
        bom_ref: Some(p.id().0),
        supplier: p.supplier.as_ref().map(|s| OrganizationalEntity {
            name: s.name.clone(),
            contact: s
                .email
                .iter()
                .map(|e| OrganizationalContact {
                    name: None,
                    email: Some(e.clone()),
                })
                .collect(),
        }),
        authors: match &p.author {
            Some(a) if !legacy_author => vec![OrganizationalContact {
                name: Some(a.name.clone()),
                email: a.email.clone(),
            }],
            _ => Vec::new(),
        },
        author: p.author.as_ref().filter(|_| legacy_author).map(party_text),
        name: p.name.clone(),
        version: Some(p.version.clone()).filter(|v| !v.is_empty()),
        description,
        // The spec's "not present at run time" scope: the database lists it, its files are gone.
        // ... and "optional" for a development-only dependency.
        scope: match (p.not_installed(), &p.metadata) {
            (Some(_), _) => Some("excluded"),
            (None, PackageMetadata::Language(m)) if m.dev => Some("optional"),
            _ => None,
        },
        hashes: p
            .checksums
            .iter()
            .map(|c| Hash {
                alg: c.algorithm.cyclonedx(),
                content: c.value.clone(),
            })
            .collect(),
        licenses: licenses(p),
        cpe: p.cpes.first().cloned(),
        purl: (!p.synthetic_purl).then(|| p.purl.to_string()),
        external_references: homepage
            .and_then(web_url)
            .map(|url| ExternalReference {
                kind: "website",
                url,
            })
            .into_iter()
            .collect(),
        properties: properties(sbom, p, owners),
        evidence: evidence(sbom, p, version),
    }
}

/// `Name <email>`, the form package databases use.
fn party_text(p: &Party) -> String {
    match &p.email {
        Some(e) => format!("{} <{e}>", p.name),
        None => p.name.clone(),
    }
}

/// The `licenses` array. All-SPDX licenses become one expression (or one `id` when that
/// expression is a single license-list id). As soon as one license is free text, an
/// expression can no longer be used (before 1.7 the array holds license objects *or* one
/// expression), so every license becomes an object: list ids as `id`, everything else,
/// including compound expressions, as `name` with the text verbatim (Syft does the same).
///
/// Known gap: `id` must be in the schema's license enum (SPDX list 3.28.0 in the vendored
/// schemas) while the `spdx` crate knows list 3.29; an id new in 3.29 would fail validation.
pub(super) fn licenses(p: &Package) -> Vec<LicenseChoice> {
    // Exactly a list id: `spdx::license_id` also accepts `OpenSSL+`, whose `+` would be lost.
    let id = |text: &str| {
        spdx::license_id(text)
            .filter(|l| l.name == text)
            .map(|l| l.name.to_owned())
    };
    match p.license_expression() {
        Some(expression) => {
            let choice = match id(&expression) {
                Some(id) => LicenseChoice::License {
                    license: License::Id { id },
                },
                None => LicenseChoice::Expression { expression },
            };
            vec![choice]
        }
        None => p
            .licenses
            .iter()
            .map(|l| LicenseChoice::License {
                license: match id(l.as_str()) {
                    Some(id) => License::Id { id },
                    None => License::Name {
                        name: l.as_str().to_owned(),
                    },
                },
            })
            .collect(),
    }
}

/// One occurrence per location. In 1.6+ each names the layer of that copy; 1.5 has no field
/// for it, so occurrences there are per path (the layers are in the properties).
fn evidence(sbom: &Sbom, p: &Package, version: CdxVersion) -> Option<Evidence> {
    let mut occurrences: Vec<Occurrence> = Vec::new();
    for loc in &p.locations {
        let location = loc.absolute();
        if version == CdxVersion::V1_5 {
            // Locations are sorted by path first, so equal paths are adjacent.
            if occurrences.last().is_some_and(|o| o.location == location) {
                continue;
            }
            occurrences.push(Occurrence {
                location,
                additional_context: None,
            });
        } else {
            occurrences.push(Occurrence {
                location,
                additional_context: Some(layer_label(sbom, loc.layer)),
            });
        }
    }
    (!occurrences.is_empty()).then_some(Evidence { occurrences })
}

fn properties(sbom: &Sbom, p: &Package, owners: &[&PackageId]) -> Vec<Property> {
    let mut out = Props(Vec::new());
    out.push("consign:package:foundBy", Some(p.found_by));
    // The CycloneDX `dependencies` graph has no "contains"; say it here, with the owner's
    // bom-ref (its purl).
    for o in owners {
        out.push("consign:package:ownedBy", Some(o));
    }
    out.push("consign:package:arch", p.arch.as_ref());
    // A package another SBOM gave no purl keeps its ecosystem (consign writes none for it).
    if p.synthetic_purl {
        out.push(
            "consign:package:type",
            Some(p.purl.ty()).filter(|t| *t != "generic"),
        );
    }
    // A component has one `cpe`; the others (read from another SBOM) go here.
    for cpe in p.cpes.iter().skip(1) {
        out.push("consign:package:cpe", Some(cpe));
    }
    out.push("consign:package:notInstalled", p.not_installed());
    if let Some(src) = &p.source {
        out.push("consign:package:sourceName", Some(&src.name));
        out.push("consign:package:sourceVersion", src.version.as_ref());
    }
    if let Some(i) = p.introduced_in {
        let layer = sbom.layers.get(i as usize);
        out.push("consign:layer:introduced", Some(i));
        out.push(
            "consign:layer:introducedDiffId",
            layer.and_then(|l| l.diff_id.as_ref()),
        );
        out.push("consign:layer:createdBy", layer.and_then(layer_step));
    }
    if let Some(i) = p.removed_in {
        out.push("consign:layer:removedIn", Some(i));
        out.push(
            "consign:layer:removedInDiffId",
            sbom.layers.get(i as usize).and_then(|l| l.diff_id.as_ref()),
        );
    }
    match &p.metadata {
        PackageMetadata::Dpkg(m) => {
            out.push("consign:dpkg:section", m.section.as_ref());
            out.push("consign:dpkg:priority", m.priority.as_ref());
            out.push("consign:dpkg:installedSizeKiB", m.installed_size_kib);
            out.push("consign:dpkg:multiArch", m.multi_arch.as_ref());
            out.push("consign:dpkg:essential", m.essential.then_some("yes"));
            out.push("consign:dpkg:database", Some(&m.database));
            // Only the unusual states: every other package is "install ok installed".
            out.push(
                "consign:dpkg:status",
                m.status.as_ref().filter(|s| *s != "install ok installed"),
            );
        }
        PackageMetadata::Apk(m) => {
            out.push("consign:apk:origin", m.origin.as_ref());
            out.push("consign:apk:commit", m.commit.as_ref());
            out.push("consign:apk:size", m.size);
            out.push("consign:apk:installedSize", m.installed_size);
            out.push("consign:apk:buildTime", m.build_time);
            out.push("consign:apk:checksum", m.checksum.as_ref());
        }
        PackageMetadata::Rpm(m) => {
            out.push("consign:rpm:epoch", m.epoch);
            out.push("consign:rpm:release", Some(&m.release));
            out.push("consign:rpm:sourceRpm", m.source_rpm.as_ref());
            out.push("consign:rpm:vendor", m.vendor.as_ref());
            out.push("consign:rpm:size", m.size);
            out.push("consign:rpm:modularityLabel", m.modularity_label.as_ref());
            out.push("consign:rpm:database", Some(&m.database));
        }
        PackageMetadata::Language(m) => {
            out.push("consign:package:evidence", Some(m.evidence.as_str()));
            out.push("consign:package:dev", m.dev.then_some("true"));
            let ty = p.purl.ty();
            for (key, value) in &m.properties {
                out.push(&format!("consign:{ty}:{key}"), Some(value));
            }
        }
        PackageMetadata::None => {}
    }
    out.0
}

/// Collects properties, skipping unknown and empty values.
struct Props(Vec<Property>);

impl Props {
    fn push(&mut self, name: &str, value: Option<impl ToString>) {
        if let Some(v) = value.map(|v| v.to_string()).filter(|v| !v.is_empty()) {
            self.0.push(Property::new(name, v));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Ecosystem, License as L, Purl};

    fn json(declared: &[L]) -> String {
        let purl = Purl::builder("deb", "x").build().unwrap();
        let mut p = Package::new(Ecosystem::Deb, "x", "1", purl, "test");
        p.licenses = declared.to_vec();
        serde_json::to_string(&licenses(&p)).unwrap()
    }

    #[test]
    fn single_ids_and_expressions() {
        let e = |s: &str| L::Expression(s.into());
        assert_eq!(json(&[e("MIT")]), r#"[{"license":{"id":"MIT"}}]"#);
        assert_eq!(
            json(&[e("MIT OR Apache-2.0")]),
            r#"[{"expression":"MIT OR Apache-2.0"}]"#
        );
        assert_eq!(
            json(&[e("MIT"), e("Zlib OR Apache-2.0")]),
            r#"[{"expression":"MIT AND (Zlib OR Apache-2.0)"}]"#
        );
        // Exceptions are expressions, not list ids.
        assert_eq!(
            json(&[e("GPL-2.0-or-later WITH Classpath-exception-2.0")]),
            r#"[{"expression":"GPL-2.0-or-later WITH Classpath-exception-2.0"}]"#
        );
        assert_eq!(json(&[]), "[]");
    }

    #[test]
    fn a_plus_is_not_dropped() {
        assert_eq!(
            json(&[L::Name("OpenSSL+".into())]),
            r#"[{"license":{"name":"OpenSSL+"}}]"#
        );
    }

    #[test]
    fn free_text_never_mixes_with_an_expression() {
        let got = json(&[
            L::Expression("MIT".into()),
            L::Expression("BSD-3-Clause OR GPL-2.0-only".into()),
            L::Name("see copyright file".into()),
        ]);
        assert_eq!(
            got,
            r#"[{"license":{"id":"MIT"}},{"license":{"name":"BSD-3-Clause OR GPL-2.0-only"}},{"license":{"name":"see copyright file"}}]"#
        );
    }
}
