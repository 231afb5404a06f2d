//! `consign convert`: every document from every producer, to every format consign writes;
//! the outputs pass the official schemas (and, through `tests/run.sh`, `validate-sbom`), and
//! what the input said about each package survives.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use consign::Sbom;
use consign::encode::{self, CdxVersion, EncodeOptions, Format};

use crate::support::cmd::{run, stderr, stdout};
use crate::support::{fixture, schema, tmp};

const FORMATS: [(Format, &str); 4] = [
    (Format::CycloneDxJson(CdxVersion::V1_5), "cdx-1.5.json"),
    (Format::CycloneDxJson(CdxVersion::V1_6), "cdx-1.6.json"),
    (Format::CycloneDxJson(CdxVersion::V1_7), "cdx-1.7.json"),
    (Format::SpdxJson, "spdx.json"),
];

/// Every SBOM fixture and golden consign reads.
fn inputs() -> Vec<PathBuf> {
    let mut out = Vec::new();
    for dir in [
        "sbom/peers",
        "sbom/trivy",
        "sbom/syft",
        "sbom/vmware-bitnami",
        "sbom/microsoft-sbom-tool",
        "sbom/cyclonedx-php-composer",
    ] {
        for e in std::fs::read_dir(fixture(dir)).unwrap() {
            let p = e.unwrap().path();
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            if name != "README.md" && name != "alpine.syft.json" {
                out.push(p);
            }
        }
    }
    let golden = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden");
    for s in [
        "alpine-3.11",
        "distroless-debian-12",
        "ubuntu-18.04",
        "amazonlinux-2023",
    ] {
        for ext in ["cdx.json", "cdx-1.5.json", "spdx.json"] {
            out.push(golden.join(format!("{s}.{ext}")));
        }
    }
    out.sort();
    out
}

fn read(path: &Path) -> Sbom {
    let bytes = std::fs::read(path).unwrap();
    consign::decode::decode(&bytes, &path.display().to_string()).unwrap_or_else(|e| panic!("{e}"))
}

/// What a conversion must keep about each package: identity, version, licenses, hashes,
/// CPEs, supplier.
type Facts = BTreeSet<(
    String,
    String,
    Vec<String>,
    Vec<String>,
    Vec<String>,
    Option<String>,
)>;

fn facts(s: &Sbom) -> Facts {
    s.packages
        .iter()
        .map(|p| {
            let mut hashes: Vec<String> = p
                .checksums
                .iter()
                .map(|c| format!("{}:{}", c.algorithm.cyclonedx(), c.value))
                .collect();
            hashes.sort();
            // Declared licenses all apply (`AND`): `[A, B]` and `[A AND B]` say the same.
            let mut licenses: Vec<String> = p
                .licenses
                .iter()
                .flat_map(|l| {
                    let t = l.as_str();
                    if t.contains(" OR ") || t.contains('(') {
                        vec![t.to_owned()]
                    } else {
                        t.split(" AND ").map(str::to_owned).collect()
                    }
                })
                .collect();
            licenses.sort();
            licenses.dedup();
            // A purl the document did not give is made up on reading, from the producer's
            // type word, which SPDX has no place for.
            let id = if p.synthetic_purl {
                format!("{}@{}", p.name, p.version)
            } else {
                p.purl.to_string()
            };
            (
                id,
                p.version.clone(),
                licenses,
                hashes,
                p.cpes.clone(),
                p.supplier.as_ref().map(|s| s.name.clone()),
            )
        })
        .collect()
}

/// Package-to-package edges, whatever their kind (CycloneDX has one kind of edge), by the
/// ids of [`facts`].
fn edges(s: &Sbom) -> BTreeSet<(String, String)> {
    let id = |pid: &consign::model::PackageId| {
        s.package(pid).map_or_else(
            || pid.0.clone(),
            |p| {
                if p.synthetic_purl {
                    format!("{}@{}", p.name, p.version)
                } else {
                    p.purl.to_string()
                }
            },
        )
    };
    s.relationships
        .iter()
        .map(|r| (id(&r.from), id(&r.to)))
        .collect()
}

/// Writes a converted document where `tests/run.sh` runs `validate-sbom` over them.
fn keep(name: &str, bytes: &[u8]) {
    if let Ok(dir) = std::env::var("CONSIGN_E2E_OUT") {
        std::fs::write(Path::new(&dir).join(name), bytes).unwrap();
    }
}

/// See: issue 5 (convert keeps purls, licenses, hashes, dependencies and relationships;
/// outputs pass the schemas).
#[test]
fn every_input_converts_to_every_format_and_keeps_its_facts() {
    let opts = EncodeOptions {
        created: jiff::Timestamp::from_second(1_700_000_000).unwrap(),
    };
    let mut converted = 0;
    for input in inputs() {
        let original = read(&input);
        let stem = input
            .file_name()
            .unwrap()
            .to_string_lossy()
            .replace('.', "_");
        for (format, ext) in FORMATS {
            let mut bytes = Vec::new();
            encode::encode(&original, &format, &opts, &mut bytes).unwrap();
            let what = format!("{} as {format}", input.display());
            schema::assert_valid(&what, &bytes);
            keep(&format!("convert-{stem}.{ext}"), &bytes);
            let back = consign::decode::decode(&bytes, &what).unwrap();
            assert_eq!(facts(&back), facts(&original), "{what}: package facts");
            assert_eq!(edges(&back), edges(&original), "{what}: edges");
            assert_eq!(
                back.distro.as_ref().map(|d| &d.id),
                original.distro.as_ref().map(|d| &d.id),
                "{what}"
            );
            // The original producer is named beside consign (SPDX's `Tool: name-version` can
            // split a version such as `in-dev` differently, hence the prefix).
            let tools = &back.document.as_ref().unwrap().tools;
            for t in &original.document.as_ref().unwrap().tools {
                let named = tools
                    .iter()
                    .any(|x| format!("{}-{}", x.name, x.version).starts_with(&t.name));
                assert!(named, "{what}: {} dropped", t.name);
            }
            converted += 1;
        }
    }
    assert_eq!(converted, 4 * 46);
}

/// consign's own documents convert to the same format and version byte for byte: nothing
/// consign knew is lost, and the output is deterministic (the original's time, a serial
/// derived from the content).
#[test]
fn consign_documents_round_trip_byte_for_byte() {
    // `encode-all-layers` adds a vendor label, a base image with a digest, a removed package,
    // licenses SPDX needs `LicenseRef-`s for and a file consign could not read.
    for (s, v16) in [
        ("alpine-3.11", "cdx.json"),
        ("distroless-debian-12", "cdx.json"),
        ("ubuntu-18.04", "cdx.json"),
        ("amazonlinux-2023", "cdx.json"),
        ("encode-all-layers", "cdx-1.6.json"),
    ] {
        for (ext, format) in [
            (v16, "cyclonedx-json@1.6"),
            ("cdx-1.7.json", "cyclonedx-json@1.7"),
            ("spdx.json", "spdx-json"),
        ] {
            let golden = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("tests/golden")
                .join(format!("{s}.{ext}"));
            let o = crate::support::cmd::bin()
                .env_remove("SOURCE_DATE_EPOCH")
                .args(["convert", golden.to_str().unwrap(), "-o", format])
                .output()
                .unwrap();
            assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
            assert!(
                o.stdout == std::fs::read(&golden).unwrap(),
                "{s}.{ext} changed"
            );
        }
    }
}

#[test]
fn cli_writes_several_outputs_atomically() {
    let dir = tmp();
    let input = fixture("sbom/peers/alpine-3.11.trivy-0.59.1.spdx");
    let (a, b) = (
        dir.path().join("a.cdx.json"),
        dir.path().join("b.spdx.json"),
    );
    let o = run(&[
        "convert",
        input.to_str().unwrap(),
        "-o",
        &format!("cyclonedx-json@1.5={}", a.display()),
        "-o",
        &format!("spdx-json={}", b.display()),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(o.stdout.is_empty());
    let cdx = schema::assert_valid("a", &std::fs::read(&a).unwrap());
    assert_eq!(cdx["specVersion"], "1.5");
    let tools: Vec<&str> = cdx["metadata"]["tools"]["components"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(tools, ["trivy", "consign"]);
    // SOURCE_DATE_EPOCH (set by the helper) wins over the original's time.
    assert_eq!(cdx["metadata"]["timestamp"], "2023-11-14T22:13:20Z");
    let spdx = schema::assert_valid("b", &std::fs::read(&b).unwrap());
    let creators = spdx["creationInfo"]["creators"].as_array().unwrap();
    assert_eq!(creators[0], "Tool: trivy-0.59.1");
    assert_eq!(creators[1], "Organization: aquasecurity");
}

#[test]
fn cli_errors() {
    let o = run(&["convert", "/nonexistent.json", "-o", "spdx-json"]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        stderr(&o),
        "error: cannot read /nonexistent.json: No such file or directory (os error 2)\n"
    );
    let input = fixture("sbom/trivy/conda.spdx-2.3.json");
    let o = run(&["convert", input.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("convert needs an output: -o FORMAT[=FILE]"));
    let o = run(&["convert", input.to_str().unwrap(), "-o", "cyclonedx-xml"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).starts_with("error: invalid -o \"cyclonedx-xml\""),
        "{}",
        stderr(&o)
    );
    let dir = tmp();
    let junk = dir.path().join("notes.txt");
    std::fs::write(&junk, "hello\n").unwrap();
    let o = run(&["convert", junk.to_str().unwrap(), "-o", "spdx-json"]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        stderr(&o),
        format!(
            "error: {}: neither an SBOM (CycloneDX or SPDX: JSON, XML, tag-value) nor an image archive (tar, gzip, zstd)\n",
            junk.display()
        )
    );
    // stdin.
    let o = crate::support::cmd::bin()
        .args(["convert", "-", "-o", "spdx-json"])
        .stdin(std::fs::File::open(&input).unwrap())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).contains("\"spdxVersion\": \"SPDX-2.3\""));
}
