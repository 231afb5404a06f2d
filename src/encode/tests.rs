//! Unit tests of the format names and of encoding awkward input, checked against the
//! official schemas.

use std::collections::{BTreeMap, BTreeSet};

use super::*;
use crate::catalog::LinuxRelease;
use crate::fs::Location;
use crate::model::{
    ApkMetadata, BaseImage, Checksum, Ecosystem, HashAlgorithm, ImageInfo, License, Package,
    PackageMetadata, Party, Purl, Relationship, RelationshipKind, RpmMetadata, Scope, SourceKind,
    Tool, Unknown,
};
use crate::source::Digest;
use crate::source::digest::Algorithm;

/// An SBOM full of the awkward cases: no layers but packages that claim one, a SHA-512
/// image id, a base image without digest, a distro with only a codename and a CPE 2.2
/// name, free-text home pages, `LicenseRef-`s written by the package database, names
/// outside the SPDX id alphabet, and an unknown without a location.
fn awkward() -> Sbom {
    let sha512 = Digest::new(Algorithm::Sha512, &"ab".repeat(64)).unwrap();
    let mut apk = Package::new(
        Ecosystem::Apk,
        "py3-foo",
        "1.0-r0",
        Purl::builder("apk", "py3-foo")
            .namespace("wolfi")
            .version("1.0-r0")
            .build()
            .unwrap(),
        "apk-db-cataloger",
    );
    apk.licenses = vec![License::Expression("MIT AND LicenseRef-foo".into())];
    apk.supplier = Party::parse("Wolfi <security@example.com>");
    apk.author = Party::parse("Someone");
    apk.checksums = vec![
        Checksum {
            algorithm: HashAlgorithm::Sha1,
            value: "a".repeat(40),
        },
        Checksum {
            algorithm: HashAlgorithm::Md5,
            value: "b".repeat(32),
        },
    ];
    apk.introduced_in = Some(3);
    apk.locations = BTreeSet::from([Location::new("lib/apk/db/installed", 3)]);
    apk.metadata = PackageMetadata::Apk(ApkMetadata {
        description: Some("Foo for Python".into()),
        url: Some("see the homepage".into()),
        build_time: Some(1_700_000_000),
        ..ApkMetadata::default()
    });
    let mut rpm = Package::new(
        Ecosystem::Rpm,
        "libstdc++",
        "13.2.1-1",
        Purl::builder("rpm", "libstdc++")
            .version("13.2.1-1")
            .build()
            .unwrap(),
        "rpm-db-cataloger",
    );
    rpm.licenses = vec![License::Name("GPLv3+ and GPLv3+ with exceptions".into())];
    rpm.metadata = PackageMetadata::Rpm(RpmMetadata {
        epoch: Some(0),
        release: "1".into(),
        database: "sqlite".into(),
        ..RpmMetadata::default()
    });
    let mut packages = vec![apk, rpm];
    packages.sort_by_key(Package::id);
    let relationships = vec![Relationship {
        from: packages[0].id(),
        to: packages[1].id(),
        kind: RelationshipKind::Contains,
    }];
    Sbom {
        tool: Tool::default(),
        image: ImageInfo {
            supplier_override: None,
            source_kind: SourceKind::OciDir,
            input: "./layout".into(),
            name: Some("registry.example.com:5000/team/app".into()),
            tag: None,
            manifest_digest: None,
            config_digest: Some(sha512),
            platform: None,
            created: None,
            base: Some(BaseImage {
                name: Some("base:latest".into()),
                digest: None,
                evidence: "config-label",
            }),
            annotations: BTreeMap::new(),
            config: Default::default(),
        },
        layers: Vec::new(),
        distro: Some(LinuxRelease {
            id: "debian".into(),
            version_codename: Some("trixie".into()),
            cpe_name: Some("cpe:/o:debian:debian_linux:13".into()),
            home_url: Some("not a url".into()),
            ..LinuxRelease::default()
        }),
        scope: Scope::AllLayers,
        catalogers: Vec::new(),
        packages,
        relationships,
        unknowns: vec![Unknown {
            source: "reader".into(),
            location: None,
            reason: "layer 4 is truncated".into(),
        }],
        document: None,
    }
}

fn encoded(sbom: &Sbom, format: Format) -> Vec<u8> {
    let opts = EncodeOptions {
        created: jiff::Timestamp::UNIX_EPOCH,
    };
    let mut out = Vec::new();
    encode(sbom, &format, &opts, &mut out).unwrap();
    out
}

#[test]
fn awkward_input_still_gives_valid_documents() {
    let sbom = awkward();
    for format in [
        Format::CycloneDxJson(CdxVersion::V1_5),
        Format::CycloneDxJson(CdxVersion::V1_6),
        Format::CycloneDxJson(CdxVersion::V1_7),
        Format::SpdxJson,
    ] {
        let doc = schema_check::assert_valid(&format.to_string(), &encoded(&sbom, format));
        let text = doc.to_string();
        // Invalid home pages are left out, never emitted.
        assert!(!text.contains("see the homepage") && !text.contains("not a url"));
    }
    let mut with_manifest = sbom.clone();
    with_manifest.image.manifest_digest = with_manifest.image.config_digest.clone();
    let cdx: serde_json::Value =
        serde_json::from_slice(&encoded(&with_manifest, Format::default())).unwrap();
    assert_eq!(cdx["metadata"]["component"]["hashes"][0]["alg"], "SHA-512");
    assert_eq!(
        cdx["metadata"]["component"]["bom-ref"],
        "pkg:oci/app@sha512:".to_owned()
            + &"ab".repeat(64)
            + "?repository_url=registry.example.com:5000%2Fteam%2Fapp"
    );
    let cdx: serde_json::Value =
        serde_json::from_slice(&encoded(&sbom, Format::default())).unwrap();
    assert_eq!(cdx["components"][0]["bom-ref"], "base-image");
    assert_eq!(cdx["components"][1]["version"], "trixie");
    let spdx: serde_json::Value =
        serde_json::from_slice(&encoded(&sbom, Format::SpdxJson)).unwrap();
    let ids: Vec<&str> = spdx["hasExtractedLicensingInfos"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["licenseId"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        [
            "LicenseRef-GPLv3-and-GPLv3-with-exceptions",
            "LicenseRef-foo"
        ]
    );
    let table = String::from_utf8(encoded(&sbom, Format::Table)).unwrap();
    assert!(table.contains("1 file could not be read:\n  layer 4 is truncated [reader]"));
}

fn json(bytes: Vec<u8>) -> serde_json::Value {
    serde_json::from_slice(&bytes).unwrap()
}

/// The SPDX package with `id`.
fn spdx_package<'a>(doc: &'a serde_json::Value, id: &str) -> &'a serde_json::Value {
    doc["packages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["SPDXID"] == id)
        .unwrap()
}

// See: the review of issue 6 (the SBOM of a classic `docker save` image named its config
// digest as the image's purl and hash, and `attest` took it for the subject).
#[test]
fn the_image_is_identified_by_its_manifest_digest_only() {
    let config: Digest = format!("sha256:{}", "c".repeat(64)).parse().unwrap();
    let manifest: Digest = format!("sha256:{}", "a".repeat(64)).parse().unwrap();
    let mut sbom = awkward();
    sbom.image.config_digest = Some(config.clone());

    // Only the config digest is known: no oci purl, no hash, no digest as the version; the
    // config digest is kept where it is named as such.
    let cdx = json(encoded(&sbom, Format::default()));
    let c = &cdx["metadata"]["component"];
    assert_eq!(c["bom-ref"], "image");
    assert_eq!(c.get("purl"), None);
    assert_eq!(c.get("hashes"), None);
    assert_eq!(c["version"], "unknown");
    let props = c["properties"].as_array().unwrap();
    assert!(props.contains(&serde_json::json!(
        {"name": "consign:image:configDigest", "value": config.to_string()}
    )));
    assert!(
        !props
            .iter()
            .any(|p| p["name"] == "consign:image:manifestDigest")
    );
    let spdx = json(encoded(&sbom, Format::SpdxJson));
    let image = spdx_package(&spdx, "SPDXRef-Image");
    assert_eq!(image.get("externalRefs"), None);
    assert_eq!(image.get("checksums"), None);
    assert_eq!(image["versionInfo"], "unknown");
    assert!(
        image["comment"]
            .as_str()
            .unwrap()
            .contains(&format!("\nconfig digest: {config}\n"))
    );

    // The table tells a person which digest it shows: one that cannot name the image in
    // `attest --image NAME@DIGEST` is called the image id.
    let table = String::from_utf8(encoded(&sbom, Format::Table)).unwrap();
    assert!(
        table.starts_with(&format!(
            "image: registry.example.com:5000/team/app  image id: {config}  distro:"
        )),
        "{table}"
    );

    // With the manifest digest: the purl, the hash and (without a tag) the version are its.
    sbom.image.manifest_digest = Some(manifest.clone());
    let table = String::from_utf8(encoded(&sbom, Format::Table)).unwrap();
    assert!(
        table.starts_with(&format!(
            "image: registry.example.com:5000/team/app  digest: {manifest}  distro:"
        )),
        "{table}"
    );
    let cdx = json(encoded(&sbom, Format::default()));
    let c = &cdx["metadata"]["component"];
    let purl =
        format!("pkg:oci/app@{manifest}?repository_url=registry.example.com:5000%2Fteam%2Fapp");
    assert_eq!(c["purl"], purl.as_str());
    assert_eq!(c["bom-ref"], purl.as_str());
    assert_eq!(
        c["hashes"],
        serde_json::json!([{"alg": "SHA-256", "content": "a".repeat(64)}])
    );
    assert_eq!(c["version"], manifest.to_string());
    let spdx = json(encoded(&sbom, Format::SpdxJson));
    let image = spdx_package(&spdx, "SPDXRef-Image");
    assert_eq!(
        image["externalRefs"],
        serde_json::json!([{"referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl",
            "referenceLocator": purl}])
    );
    assert_eq!(
        image["checksums"],
        serde_json::json!([{"algorithm": "SHA256", "checksumValue": "a".repeat(64)}])
    );
}

#[test]
fn the_schema_check_rejects_invalid_documents() {
    let mut doc: serde_json::Value =
        serde_json::from_slice(&encoded(&awkward(), Format::default())).unwrap();
    // An expression next to a license object: what the licenses encoder must never do.
    doc["components"][2]["licenses"] = serde_json::json!([
        {"expression": "MIT OR Apache-2.0"},
        {"license": {"id": "MIT"}}
    ]);
    assert!(schema_check::validate(&doc).is_err());
    let mut spdx: serde_json::Value =
        serde_json::from_slice(&encoded(&awkward(), Format::SpdxJson)).unwrap();
    spdx["packages"][2]["primaryPackagePurpose"] = "OPERATING-SYSTEM".into();
    assert!(schema_check::validate(&spdx).is_err());
}

#[test]
fn parses_every_documented_name() {
    for name in Format::NAMES {
        let f: Format = name.parse().unwrap();
        // The canonical spelling parses back to the same format.
        assert_eq!(f.to_string().parse::<Format>().unwrap(), f, "{name}");
    }
    assert_eq!(
        "cyclonedx-json".parse::<Format>().unwrap(),
        Format::CycloneDxJson(CdxVersion::V1_6)
    );
    assert_eq!(
        "cyclonedx-json@1.5".parse::<Format>().unwrap(),
        Format::CycloneDxJson(CdxVersion::V1_5)
    );
    assert_eq!("spdx-json".parse::<Format>().unwrap(), Format::SpdxJson);
    assert_eq!("table".parse::<Format>().unwrap(), Format::Table);
}

#[test]
fn rejects_unknown_names_and_versions() {
    for bad in [
        "cyclonedx-json@1.4",
        "spdx-json@2.2",
        "table@1",
        "cyclonedx",
        "",
        "CycloneDX-JSON",
    ] {
        let err = bad.parse::<Format>().unwrap_err();
        assert!(err.to_string().contains("expected one of"), "{bad}");
    }
}
