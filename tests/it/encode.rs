//! The encoders: golden output, schema validity of every document, determinism, and that
//! CycloneDX and SPDX carry the same graph and the same unknowns.

use std::collections::{BTreeMap, BTreeSet};

use consign::Sbom;
use consign::encode::{CdxVersion, EncodeOptions, Format, encode};
use consign::model::{DependencyGraph, DocNode, Scope};
use serde_json::Value;

use crate::support::golden::assert_golden;
use crate::support::sbom::{bare_directory, debian_app};
use crate::support::schema::assert_valid;

/// Every format, with the golden-file suffix it is stored under.
const FORMATS: &[(Format, &str)] = &[
    (Format::CycloneDxJson(CdxVersion::V1_5), "cdx-1.5.json"),
    (Format::CycloneDxJson(CdxVersion::V1_6), "cdx-1.6.json"),
    (Format::CycloneDxJson(CdxVersion::V1_7), "cdx-1.7.json"),
    (Format::SpdxJson, "spdx.json"),
    (Format::Table, "table.txt"),
];

const CDX: Format = Format::CycloneDxJson(CdxVersion::V1_6);

fn opts() -> EncodeOptions {
    EncodeOptions {
        created: "2024-03-05T08:30:00Z".parse().expect("timestamp"),
    }
}

fn render_with(sbom: &Sbom, format: Format, opts: &EncodeOptions) -> Vec<u8> {
    let mut out = Vec::new();
    encode(sbom, &format, opts, &mut out).expect("encode");
    out
}

fn render(sbom: &Sbom, format: Format) -> Vec<u8> {
    render_with(sbom, format, &opts())
}

/// Renders `sbom` in every format, schema-checks the JSON ones, compares with the goldens.
fn check_goldens(case: &str, sbom: &Sbom) {
    for (format, suffix) in FORMATS {
        let bytes = render(sbom, *format);
        if *format != Format::Table {
            assert_valid(&format!("{case} as {format}"), &bytes);
        }
        assert_golden(&format!("encode-{case}.{suffix}"), &bytes);
    }
}

fn json(bytes: &[u8]) -> Value {
    serde_json::from_slice(bytes).expect("JSON")
}

#[test]
fn basic_image_goldens() {
    check_goldens("basic", &debian_app(Scope::Squashed));
}

#[test]
fn all_layers_goldens() {
    check_goldens("all-layers", &debian_app(Scope::AllLayers));
}

#[test]
fn bare_directory_goldens() {
    check_goldens("bare-directory", &bare_directory());
}

#[test]
fn output_is_deterministic() {
    for sbom in [debian_app(Scope::AllLayers), bare_directory()] {
        for (format, _) in FORMATS {
            assert_eq!(render(&sbom, *format), render(&sbom, *format), "{format}");
        }
    }
}

#[test]
fn json_is_pretty_with_a_trailing_newline() {
    let sbom = debian_app(Scope::Squashed);
    for format in [CDX, Format::SpdxJson] {
        let text = String::from_utf8(render(&sbom, format)).expect("UTF-8");
        assert!(text.starts_with("{\n  \""), "{format}");
        assert!(text.ends_with("}\n") && !text.ends_with("\n\n"), "{format}");
    }
}

/// The serial number and the document namespace are derived from the content: stable for
/// equal input, different as soon as anything (a package, the timestamp) changes.
#[test]
fn serial_and_namespace_follow_the_content() {
    let ids = |sbom: &Sbom, opts: &EncodeOptions| {
        let cdx = json(&render_with(sbom, CDX, opts));
        let spdx = json(&render_with(sbom, Format::SpdxJson, opts));
        (
            cdx["serialNumber"].as_str().expect("serial").to_owned(),
            spdx["documentNamespace"]
                .as_str()
                .expect("namespace")
                .to_owned(),
        )
    };
    let sbom = debian_app(Scope::Squashed);
    let (serial, namespace) = ids(&sbom, &opts());
    assert!(serial.starts_with("urn:uuid:"), "{serial}");
    assert!(
        namespace.starts_with("https://consign.dev/spdx/ghcr.io-acme-web-1.4.2-"),
        "{namespace}"
    );
    assert_eq!(ids(&sbom, &opts()), (serial.clone(), namespace.clone()));

    let mut changed = sbom.clone();
    changed.packages[0].version.push_str("+1");
    let (s2, n2) = ids(&changed, &opts());
    assert_ne!(s2, serial);
    assert_ne!(n2, namespace);

    let later = EncodeOptions {
        created: "2024-03-05T08:30:01Z".parse().expect("timestamp"),
    };
    let (s3, n3) = ids(&sbom, &later);
    assert_ne!(s3, serial);
    assert_ne!(n3, namespace);
}

/// A node as both documents can name it: `image`, `base-image`, `os`, or a package's purl.
fn node_key(node: &DocNode) -> String {
    match node {
        DocNode::Image => "image".into(),
        DocNode::BaseImage => "base-image".into(),
        DocNode::OperatingSystem => "os".into(),
        DocNode::Package(id) => id.0.clone(),
    }
}

type Edges = BTreeSet<(String, String)>;

fn cyclonedx_edges(doc: &Value) -> Edges {
    let mut keys = BTreeMap::new();
    let image = &doc["metadata"]["component"];
    keys.insert(
        image["bom-ref"].as_str().expect("image ref"),
        "image".to_owned(),
    );
    for c in doc["components"].as_array().expect("components") {
        let key = match c["type"].as_str() {
            Some("container") => "base-image".to_owned(),
            Some("operating-system") => "os".to_owned(),
            _ => c["purl"].as_str().expect("purl").to_owned(),
        };
        keys.insert(c["bom-ref"].as_str().expect("bom-ref"), key);
    }
    let mut edges = Edges::new();
    for d in doc["dependencies"].as_array().expect("dependencies") {
        let from = &keys[d["ref"].as_str().expect("ref")];
        for to in d["dependsOn"].as_array().expect("dependsOn") {
            edges.insert((from.clone(), keys[to.as_str().expect("ref")].clone()));
        }
    }
    edges
}

fn spdx_edges(doc: &Value) -> Edges {
    let mut keys = BTreeMap::new();
    for p in doc["packages"].as_array().expect("packages") {
        let id = p["SPDXID"].as_str().expect("SPDXID");
        let key = match id {
            "SPDXRef-Image" => "image".to_owned(),
            "SPDXRef-BaseImage" => "base-image".to_owned(),
            "SPDXRef-OperatingSystem" => "os".to_owned(),
            _ => p["externalRefs"][0]["referenceLocator"]
                .as_str()
                .expect("purl")
                .to_owned(),
        };
        keys.insert(id, key);
    }
    doc["relationships"]
        .as_array()
        .expect("relationships")
        .iter()
        .filter(|r| r["relationshipType"] != "DESCRIBES" && r["relatedSpdxElement"] != "NONE")
        .map(|r| {
            let k = |f: &str| keys[r[f].as_str().expect("element")].clone();
            (k("spdxElementId"), k("relatedSpdxElement"))
        })
        .collect()
}

/// Both documents carry exactly `document_edges()`.
#[test]
fn cyclonedx_and_spdx_carry_the_same_edges() {
    for sbom in [
        debian_app(Scope::Squashed),
        debian_app(Scope::AllLayers),
        bare_directory(),
    ] {
        let expected: Edges = DependencyGraph::build(&sbom)
            .document_edges()
            .iter()
            .map(|e| (node_key(&e.from), node_key(&e.to)))
            .collect();
        assert!(!expected.is_empty());
        for version in [CdxVersion::V1_5, CdxVersion::V1_6, CdxVersion::V1_7] {
            let cdx = json(&render(&sbom, Format::CycloneDxJson(version)));
            assert_eq!(cyclonedx_edges(&cdx), expected, "CycloneDX {version}");
        }
        let spdx = json(&render(&sbom, Format::SpdxJson));
        assert_eq!(spdx_edges(&spdx), expected, "SPDX");
        let describes: Vec<&Value> = spdx["relationships"]
            .as_array()
            .expect("relationships")
            .iter()
            .filter(|r| r["relationshipType"] == "DESCRIBES")
            .collect();
        assert_eq!(describes.len(), 1);
        assert_eq!(describes[0]["relatedSpdxElement"], "SPDXRef-Image");
        // `DEPENDS_ON NONE` for exactly the packages that depend on nothing, so that SPDX
        // too tells "no dependencies" from "unknown".
        let names = |r: &Value| {
            let id = r["spdxElementId"].as_str().expect("id");
            let p = spdx["packages"]
                .as_array()
                .expect("packages")
                .iter()
                .find(|p| p["SPDXID"] == id)
                .expect("package");
            p["name"].as_str().expect("name").to_owned()
        };
        let none: BTreeSet<String> = spdx["relationships"]
            .as_array()
            .expect("relationships")
            .iter()
            .filter(|r| r["relatedSpdxElement"] == "NONE")
            .map(|r| {
                assert_eq!(r["relationshipType"], "DEPENDS_ON");
                names(r)
            })
            .collect();
        let leaves: BTreeSet<String> = sbom
            .packages
            .iter()
            .filter(|p| !sbom.relationships.iter().any(|r| r.from == p.id()))
            .map(|p| p.name.clone())
            .collect();
        assert_eq!(none, leaves);
    }
}

/// Every component (and the image) has exactly one `dependencies` entry, and every ref
/// resolves: a consumer can tell "no dependencies" from "unknown".
#[test]
fn every_component_has_one_dependency_entry() {
    let doc = json(&render(&debian_app(Scope::AllLayers), CDX));
    let mut refs: Vec<&str> = doc["components"]
        .as_array()
        .expect("components")
        .iter()
        .map(|c| c["bom-ref"].as_str().expect("bom-ref"))
        .collect();
    refs.push(
        doc["metadata"]["component"]["bom-ref"]
            .as_str()
            .expect("ref"),
    );
    let unique: BTreeSet<&str> = refs.iter().copied().collect();
    assert_eq!(unique.len(), refs.len(), "bom-refs are unique");
    let entries: Vec<&str> = doc["dependencies"]
        .as_array()
        .expect("dependencies")
        .iter()
        .map(|d| d["ref"].as_str().expect("ref"))
        .collect();
    assert_eq!(entries.len(), refs.len());
    assert_eq!(entries.iter().copied().collect::<BTreeSet<_>>(), unique);
    for d in doc["dependencies"].as_array().expect("dependencies") {
        let targets: Vec<&str> = d["dependsOn"]
            .as_array()
            .expect("dependsOn")
            .iter()
            .map(|t| t.as_str().expect("ref"))
            .collect();
        assert!(
            targets.windows(2).all(|w| w[0] < w[1]),
            "sorted: {targets:?}"
        );
        assert!(targets.iter().all(|t| unique.contains(t)), "{targets:?}");
    }
}

/// What could not be read is in every format.
#[test]
fn unknowns_are_stated_in_every_format() {
    let sbom = debian_app(Scope::Squashed);
    let cdx = json(&render(&sbom, CDX));
    assert_eq!(cdx["compositions"][0]["aggregate"], "incomplete");
    assert_eq!(
        cdx["compositions"][0]["assemblies"][0],
        cdx["metadata"]["component"]["bom-ref"]
    );
    let props: BTreeMap<&str, &str> = cdx["metadata"]["properties"]
        .as_array()
        .expect("properties")
        .iter()
        .map(|p| {
            (
                p["name"].as_str().expect("name"),
                p["value"].as_str().expect("value"),
            )
        })
        .collect();
    assert_eq!(
        props["consign:unknown:0:location"],
        "/var/lib/dpkg/status.d/broken"
    );
    assert_eq!(props["consign:unknown:0:layer"], "1");
    assert_eq!(
        props["consign:unknown:0:reason"],
        "stanza 1: no Package field"
    );

    let spdx = json(&render(&sbom, Format::SpdxJson));
    let annotations = spdx["annotations"].as_array().expect("annotations");
    assert_eq!(annotations.len(), 1);
    assert_eq!(annotations[0]["annotator"], "Tool: consign-0.1.0");
    assert!(
        annotations[0]["comment"]
            .as_str()
            .expect("comment")
            .contains("/var/lib/dpkg/status.d/broken in layer 1")
    );

    let table = String::from_utf8(render(&sbom, Format::Table)).expect("UTF-8");
    assert!(table.contains("\n1 file could not be read:\n  /var/lib/dpkg/status.d/broken"));

    // Debian's database was only partly readable: its packages are incomplete too.
    assert_eq!(cdx["compositions"][1]["aggregate"], "incomplete");
    assert_eq!(cdx["compositions"][1]["assemblies"][0], "os:debian@12");
    // Nothing unreadable: the image's completeness is unknown (software without a package
    // database is invisible), not complete.
    let clean = json(&render(&bare_directory(), CDX));
    assert_eq!(clean["compositions"][0]["aggregate"], "unknown");
}

/// Licenses: a single id, an expression, and free text that never shares an array with an
/// expression in CycloneDX and becomes a defined `LicenseRef-` in SPDX.
#[test]
fn licenses_in_both_formats() {
    let sbom = debian_app(Scope::Squashed);
    let cdx = json(&render(&sbom, CDX));
    let licenses = |name: &str| {
        cdx["components"]
            .as_array()
            .expect("components")
            .iter()
            .find(|c| c["name"] == name)
            .map(|c| c["licenses"].to_string())
            .expect("component")
    };
    assert_eq!(licenses("libssl3"), r#"[{"license":{"id":"Apache-2.0"}}]"#);
    assert_eq!(
        licenses("libc6"),
        r#"[{"expression":"GPL-2.0-or-later AND LGPL-2.1-or-later"}]"#
    );
    assert_eq!(
        licenses("libgcc-s1"),
        r#"[{"license":{"name":"GPL-3.0-or-later WITH GCC-exception-3.1"}},{"license":{"name":"Unicode data files license, see copyright"}}]"#
    );

    let spdx = json(&render(&sbom, Format::SpdxJson));
    let declared = |name: &str| {
        spdx["packages"]
            .as_array()
            .expect("packages")
            .iter()
            .find(|p| p["name"] == name)
            .map(|p| p["licenseDeclared"].as_str().expect("declared").to_owned())
            .expect("package")
    };
    assert_eq!(declared("tzdata"), "LicenseRef-public-domain");
    assert_eq!(
        declared("libgcc-s1"),
        "GPL-3.0-or-later WITH GCC-exception-3.1 AND LicenseRef-Unicode-data-files-license-see-copyright"
    );
    let defined: BTreeSet<&str> = spdx["hasExtractedLicensingInfos"]
        .as_array()
        .expect("extracted")
        .iter()
        .map(|l| l["licenseId"].as_str().expect("id"))
        .collect();
    assert_eq!(
        defined,
        BTreeSet::from([
            "LicenseRef-Unicode-data-files-license-see-copyright",
            "LicenseRef-public-domain"
        ])
    );
}

/// Version differences: 1.5 has no `authors` and no occurrence context.
#[test]
fn cyclonedx_versions_differ_only_where_the_spec_does() {
    let sbom = debian_app(Scope::Squashed);
    let libc = |version| {
        let doc = json(&render(&sbom, Format::CycloneDxJson(version)));
        doc["components"]
            .as_array()
            .expect("components")
            .iter()
            .find(|c| c["name"] == "libc6")
            .cloned()
            .expect("libc6")
    };
    let old = libc(CdxVersion::V1_5);
    assert_eq!(
        old["author"],
        "GNU Libc Maintainers <debian-glibc@lists.debian.org>"
    );
    assert!(old.get("authors").is_none());
    // The status file is in both layers, but 1.5 cannot say which: one occurrence per path.
    let occurrences = old["evidence"]["occurrences"]
        .as_array()
        .expect("occurrences");
    assert_eq!(occurrences.len(), 2);
    assert!(
        occurrences
            .iter()
            .all(|o| o.get("additionalContext").is_none())
    );

    for version in [CdxVersion::V1_6, CdxVersion::V1_7] {
        let new = libc(version);
        assert!(new.get("author").is_none());
        assert_eq!(new["authors"][0]["email"], "debian-glibc@lists.debian.org");
        let occurrences = new["evidence"]["occurrences"]
            .as_array()
            .expect("occurrences");
        assert_eq!(occurrences.len(), 3);
        assert!(
            occurrences[1]["additionalContext"]
                .as_str()
                .expect("context")
                .starts_with("layer 0 (sha256:")
        );
    }
}

#[test]
fn table_marks_removed_packages_in_all_layers_scope() {
    let table =
        String::from_utf8(render(&debian_app(Scope::AllLayers), Format::Table)).expect("UTF-8");
    let header = table.lines().nth(2).expect("header row");
    assert_eq!(
        header.split_whitespace().collect::<Vec<_>>(),
        ["NAME", "VERSION", "TYPE", "LAYER", "STATUS"]
    );
    let wget = table
        .lines()
        .find(|l| l.starts_with("wget "))
        .expect("wget row");
    assert!(wget.ends_with("removed in layer 1"), "{wget}");
    assert!(table.lines().all(|l| !l.ends_with(' ')));
    let squashed =
        String::from_utf8(render(&debian_app(Scope::Squashed), Format::Table)).expect("UTF-8");
    assert!(!squashed.contains("STATUS"));
}
