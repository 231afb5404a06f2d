//! The readers against real documents from other producers (`tests/fixtures/sbom/`, see
//! `SOURCES.md`) and against inputs that are not SBOMs.

use std::path::Path;

use super::*;
use crate::model::{DocumentFormat, License, Package, SourceKind};

fn read(rel: &str) -> Sbom {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/sbom")
        .join(rel);
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    decode(&bytes, rel).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

fn purls(s: &Sbom) -> Vec<&str> {
    s.packages.iter().map(|p| p.purl.as_str()).collect()
}

fn find<'a>(s: &'a Sbom, name: &str) -> &'a Package {
    s.packages
        .iter()
        .find(|p| p.name == name)
        .unwrap_or_else(|| panic!("no {name}"))
}

#[test]
fn trivy_cyclonedx_1_5() {
    let s = read("trivy/centos-7.cyclonedx-1.5.json");
    let d = s.document.as_ref().unwrap();
    assert_eq!(d.format, DocumentFormat::CycloneDxJson("1.5".into()));
    assert_eq!(d.producer(), "trivy dev");
    assert_eq!(d.timestamp.as_deref(), Some("2022-06-14T15:08:48+00:00"));
    assert_eq!(d.subject_kind.as_deref(), Some("container"));
    assert_eq!(s.image.source_kind, SourceKind::Document);
    assert_eq!(
        s.image.name.as_deref(),
        Some("ghcr.io/aquasecurity/trivy-test-images")
    );
    assert_eq!(s.image.tag.as_deref(), Some("centos-7"));
    assert_eq!(
        s.image.config_digest.as_ref().unwrap().to_string(),
        "sha256:f1cb7c7d58b73eac859c395882eec49d50651244e342cd6c68a5c7809785f427"
    );
    let distro = s.distro.as_ref().unwrap();
    assert_eq!(
        (distro.id.as_str(), distro.version_id.as_deref()),
        ("centos", Some("7.6.1810"))
    );
    assert_eq!(
        purls(&s),
        [
            "pkg:rpm/centos/bash@4.2.46-31.el7?arch=x86_64&distro=centos-7.6.1810",
            "pkg:rpm/centos/openssl-libs@1.0.2k-16.el7?arch=x86_64&distro=centos-7.6.1810&epoch=1",
        ]
    );
    let bash = find(&s, "bash");
    assert_eq!(bash.licenses, [License::Name("GPLv3+".into())]);
    assert_eq!(bash.source.as_ref().unwrap().name, "bash");
    assert_eq!(
        bash.source.as_ref().unwrap().version.as_deref(),
        Some("4.2.46-31.el7")
    );
    assert_eq!(bash.arch.as_deref(), Some("x86_64"));
}

#[test]
fn dsse_envelope_of_an_in_toto_statement() {
    let s = read("trivy/centos-7.cyclonedx.intoto.jsonl");
    let d = s.document.as_ref().unwrap();
    assert_eq!(d.format, DocumentFormat::CycloneDxJson("1.4".into()));
    assert_eq!(
        d.envelope.as_deref(),
        Some(
            "in-toto Statement v0.1 (predicate https://cyclonedx.org/bom) in a DSSE envelope \
             (1 signature, not verified)"
        )
    );
    // The same two packages as the plain document.
    let plain = read("trivy/centos-7.cyclonedx-1.5.json");
    assert_eq!(purls(&s), purls(&plain));
}

#[test]
fn trivy_spdx_2_2_with_attribution_texts() {
    let s = read("trivy/centos-7.spdx-2.2.json");
    let d = s.document.as_ref().unwrap();
    assert_eq!(d.format, DocumentFormat::SpdxJson("2.2".into()));
    assert_eq!(d.producer(), "trivy dev");
    assert_eq!(d.authors, ["Organization: aquasecurity"]);
    // The OS is told by its id (2.2 has no purpose) and is not a package.
    assert_eq!(s.distro.as_ref().unwrap().id, "centos");
    assert_eq!(s.packages.len(), 2);
    assert_eq!(
        s.image.name.as_deref(),
        Some("ghcr.io/aquasecurity/trivy-test-images")
    );
    assert_eq!(s.image.tag.as_deref(), Some("centos-7"));
    // Packages contained by the OS, not by each other: no package edges.
    assert!(s.relationships.is_empty());
    assert_eq!(d.related.len(), 2);
}

#[test]
fn trivy_cyclonedx_1_7_application_with_lockfile_groups() {
    let s = read("trivy/npm.cyclonedx-1.7.json");
    let d = s.document.as_ref().unwrap();
    assert_eq!(d.format, DocumentFormat::CycloneDxJson("1.7".into()));
    assert_eq!(d.subject_kind.as_deref(), Some("application"));
    assert_eq!(s.image.name.as_deref(), Some("testdata/fixtures/repo/npm"));
    // `package-lock.json` groups the packages; it is not one.
    assert_eq!(s.packages.len(), 12);
    assert!(
        s.packages
            .iter()
            .all(|p| p.purl.ty() == "npm" && !p.synthetic_purl)
    );
    assert!(s.packages.iter().all(|p| p.dependencies_known));
    assert_eq!(
        find(&s, "jquery").licenses,
        [License::Expression("MIT".into())]
    );
}

#[test]
fn spdx_2_3_from_trivy_and_bitnami() {
    let s = read("trivy/conda.spdx-2.3.json");
    assert_eq!(
        purls(&s),
        ["pkg:conda/openssl@1.1.1q", "pkg:conda/pip@22.2.2"]
    );
    assert_eq!(
        s.document.as_ref().unwrap().subject_kind.as_deref(),
        Some("SOURCE")
    );
    let s = read("vmware-bitnami/postgresql-15.3.0.spdx-2.3.json");
    let d = s.document.as_ref().unwrap();
    assert_eq!(d.authors, ["Organization: VMware, Inc."]);
    assert!(d.tools.is_empty());
    assert_eq!(s.image.name.as_deref(), Some("PostgreSQL"));
    assert_eq!(s.image.tag.as_deref(), Some("15.3.0"));
    assert_eq!(
        purls(&s),
        [
            "pkg:bitnami/gdal@3.7.1",
            "pkg:bitnami/geos@3.8.3",
            "pkg:bitnami/proj@6.3.2"
        ]
    );
    assert_eq!(
        find(&s, "GEOS").licenses,
        [License::Expression("LGPL-2.1-only".into())]
    );
}

#[test]
fn microsoft_sbom_tool_files_only() {
    let s = read("microsoft-sbom-tool/powershell-7.5.0-preview.2.spdx-2.2.json");
    let d = s.document.as_ref().unwrap();
    assert_eq!(d.producer(), "Microsoft.SBOMTool 2.2.3");
    assert_eq!(d.authors, ["Organization: Microsoft"]);
    assert_eq!(
        d.name.as_deref(),
        Some("PowerShell Linux Arm32 7.5.0-preview.2")
    );
    assert!(s.packages.is_empty());
}

#[test]
fn syft_documents() {
    let s = read("syft/alpine-3.10.syft.spdx-2.2.json");
    assert_eq!(
        s.document.as_ref().unwrap().producer(),
        "syft [not provided]"
    );
    assert_eq!(s.packages.len(), 3);
    assert_eq!(
        find(&s, "libssl1.1").licenses,
        [License::Expression("OpenSSL".into())]
    );
    let s = read("syft/micronaut.cyclonedx-1.6.json");
    assert_eq!(s.packages.len(), 1);
    // No purl, no type: made up, and never written out.
    let p = &s.packages[0];
    assert!(p.synthetic_purl);
    assert_eq!(
        p.purl.as_str(),
        "pkg:generic/netty-codec-http2@4.1.73.Final"
    );
}

#[test]
fn composer_cyclonedx_1_4_with_dependencies() {
    let s = read("cyclonedx-php-composer/laravel-7.12.0.cyclonedx-1.4.json");
    let d = s.document.as_ref().unwrap();
    assert_eq!(d.producer(), "cyclonedx-php-composer in-dev");
    assert_eq!(s.packages.len(), 62);
    assert_eq!(s.relationships.len(), 112);
    assert!(s.packages.iter().all(|p| p.purl.ty() == "composer"));
}

#[test]
fn xml_reads_like_json() {
    let json = read("peers/alpine-3.11.syft-1.18.1.cdx.json");
    let xml = read("peers/alpine-3.11.syft-1.18.1.cdx.xml");
    assert_eq!(
        xml.document.as_ref().unwrap().format,
        DocumentFormat::CycloneDxXml("1.6".into())
    );
    assert_eq!(xml.packages, json.packages);
    assert_eq!(xml.relationships, json.relationships);
    assert_eq!(xml.distro, json.distro);
    assert_eq!(xml.image.name, json.image.name);
    assert_eq!(xml.image.manifest_digest, json.image.manifest_digest);
}

#[test]
fn tag_value_reads_like_json() {
    for tool in ["syft-1.18.1", "trivy-0.59.1"] {
        let json = read(&format!("peers/alpine-3.11.{tool}.spdx.json"));
        let tv = read(&format!("peers/alpine-3.11.{tool}.spdx"));
        assert_eq!(
            tv.document.as_ref().unwrap().format,
            DocumentFormat::SpdxTagValue("2.3".into())
        );
        let key = |s: &Sbom| -> Vec<(String, String, Vec<License>)> {
            s.packages
                .iter()
                .map(|p| (p.purl.to_string(), p.version.clone(), p.licenses.clone()))
                .collect()
        };
        assert_eq!(key(&tv), key(&json), "{tool}");
        assert_eq!(tv.relationships, json.relationships, "{tool}");
    }
}

#[test]
fn not_sboms_are_clear_errors() {
    let cases: &[(&[u8], &str)] = &[
        (
            b"{\"name\": \"x\"}",
            "not an SBOM: a JSON object without bomFormat",
        ),
        (b"[1, 2]", "not an SBOM: JSON, but not an object"),
        (
            b"{\"bomFormat\": \"CycloneDX\", \"specVersion\": \"2.0\"}",
            "unsupported CycloneDX specVersion \"2.0\"",
        ),
        (
            b"{\"bomFormat\": \"CycloneDX\"}",
            "CycloneDX document without specVersion",
        ),
        (
            b"{\"spdxVersion\": \"SPDX-3.0\"}",
            "unsupported SPDX version 3.0",
        ),
        (
            b"{\"@context\": \"https://spdx.org/rdf/3.0.1/spdx-context.jsonld\"}",
            "SPDX 3 (JSON-LD) is not supported",
        ),
        (
            b"<project xmlns=\"http://maven.apache.org/POM/4.0.0\"/>",
            "not a CycloneDX <bom>",
        ),
        (
            b"<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\"/>",
            "SPDX RDF/XML is not supported",
        ),
        (
            b"\x1f\x8b\x08\x00binary",
            "not an SBOM: neither JSON, XML nor SPDX tag-value",
        ),
        (
            b"{\"bomFormat\": \"CycloneDX\", \"specVersion\": \"1.6\", ",
            "invalid JSON: EOF while parsing",
        ),
        (
            b"{\"payloadType\": \"x\", \"payload\": \"!!\"}",
            "DSSE envelope: payload is not base64",
        ),
    ];
    for (bytes, want) in cases {
        let err = decode(bytes, "in.json").unwrap_err().to_string();
        assert!(err.starts_with("in.json: "), "{err}");
        assert!(err.contains(want), "{err:?} should contain {want:?}");
    }
}

#[test]
fn syft_native_json_is_named() {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/sbom/syft/alpine.syft.json");
    let err = decode(&std::fs::read(path).unwrap(), "alpine.syft.json").unwrap_err();
    assert_eq!(
        err.to_string(),
        "alpine.syft.json: Syft's own JSON format is not read; write CycloneDX or SPDX with \
         Syft (`syft … -o cyclonedx-json`)"
    );
}

#[test]
fn lenient_where_producers_differ() {
    // Numbers for strings, nulls, unknown fields, a hash with an unknown algorithm, a
    // component without purl or version, a 1.2-style tools array.
    let doc = br#"{
      "bomFormat": "CycloneDX", "specVersion": "1.2", "x-vendor": {"a": 1},
      "metadata": {"tools": [{"vendor": "v", "name": "t", "version": 3}], "component": null},
      "components": [
        {"type": "library", "name": "a", "version": 1.5, "purl": "pkg:npm/a@1.5",
         "hashes": [{"alg": "SHA-256", "content": "AB"}, {"alg": "CRC32", "content": "1"}],
         "licenses": null},
        {"type": "library", "name": "b", "properties": [{"name": "syft:package:type", "value": "python"}]},
        {"type": "file", "name": "/etc/passwd"}
      ],
      "dependencies": [{"ref": "x", "dependsOn": null}]
    }"#;
    let s = decode(doc, "lenient.json").unwrap();
    assert_eq!(s.document.as_ref().unwrap().producer(), "t 3");
    assert_eq!(purls(&s), ["pkg:npm/a@1.5", "pkg:pypi/b"]);
    let a = find(&s, "a");
    assert_eq!(a.version, "1.5");
    assert_eq!(a.checksums.len(), 1);
    assert_eq!(a.checksums[0].value, "ab");
    assert!(find(&s, "b").synthetic_purl);
}

#[test]
fn sniffing() {
    assert_eq!(sniff(b"  \n{\"a\":1}"), Sniffed::Json);
    assert_eq!(sniff(b"\xEF\xBB\xBF<bom/>"), Sniffed::Xml);
    assert_eq!(
        sniff(b"## comment\nSPDXVersion: SPDX-2.3\n"),
        Sniffed::TagValue
    );
    assert_eq!(sniff(b"\x1f\x8b\x08"), Sniffed::Other);
    assert_eq!(sniff(b""), Sniffed::Other);
}

// See: the review of issue 6. consign's SPDX of a classic `docker save` image used to carry
// the config digest as the image's version; consign's own facts (the comment) say which
// digest is which, so that version is not taken for the manifest digest.
#[test]
fn consign_spdx_facts_decide_the_image_digests() {
    let config = format!("sha256:{}", "c".repeat(64));
    let doc = serde_json::json!({
        "spdxVersion": "SPDX-2.3", "dataLicense": "CC0-1.0", "SPDXID": "SPDXRef-DOCUMENT",
        "name": "bad", "documentNamespace": "https://example.com/bad",
        "creationInfo": {"created": "2024-01-01T00:00:00Z", "creators": ["Tool: consign-0.1.0"]},
        "packages": [{"SPDXID": "SPDXRef-Image", "name": "bad", "versionInfo": config,
            "downloadLocation": "NOASSERTION", "primaryPackagePurpose": "CONTAINER",
            "comment": format!("source: docker-archive\nscope: squashed\nconfig digest: {config}")}],
        "relationships": [{"spdxElementId": "SPDXRef-DOCUMENT", "relationshipType": "DESCRIBES",
            "relatedSpdxElement": "SPDXRef-Image"}]
    });
    let s = decode(doc.to_string().as_bytes(), "bad.spdx.json").unwrap();
    assert_eq!(s.image.source_kind, SourceKind::DockerArchive);
    assert_eq!(s.image.manifest_digest, None);
    assert_eq!(s.image.config_digest.unwrap().to_string(), config);
    assert_eq!(s.image.tag, None);
}

/// Every source kind consign writes is read back by both readers (`registry` was missed when
/// the registry source was added, so a converted registry SBOM became an "sbom-document").
#[test]
fn consign_source_kinds_read_back_in_both_formats() {
    use crate::model::SourceKind::*;
    for kind in [
        DockerArchive,
        OciDir,
        OciArchive,
        Directory,
        Document,
        Registry,
    ] {
        let name = crate::encode::common::source_kind_name(kind);
        let cdx = serde_json::json!({"bomFormat": "CycloneDX", "specVersion": "1.6",
            "metadata": {"component": {"type": "container", "name": "app",
                "properties": [{"name": "consign:image:sourceKind", "value": name}]}}});
        let s = decode(cdx.to_string().as_bytes(), "a.cdx.json").unwrap();
        assert_eq!(s.image.source_kind, kind, "CycloneDX {name}");
        let spdx = serde_json::json!({
            "spdxVersion": "SPDX-2.3", "dataLicense": "CC0-1.0", "SPDXID": "SPDXRef-DOCUMENT",
            "name": "app", "documentNamespace": "https://example.com/app",
            "creationInfo": {"created": "2024-01-01T00:00:00Z", "creators": ["Tool: consign-0.1.0"]},
            "packages": [{"SPDXID": "SPDXRef-Image", "name": "app", "downloadLocation": "NOASSERTION",
                "primaryPackagePurpose": "CONTAINER", "comment": format!("source: {name}")}],
            "documentDescribes": ["SPDXRef-Image"]
        });
        let s = decode(spdx.to_string().as_bytes(), "a.spdx.json").unwrap();
        assert_eq!(s.image.source_kind, kind, "SPDX {name}");
    }
}
