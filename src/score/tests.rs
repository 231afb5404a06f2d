//! Scores of real documents: consign's own (the sample goldens) and other producers'.

use std::collections::BTreeMap;
use std::path::Path;

use super::*;

fn scored(rel: &str) -> Score {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(rel);
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{rel}: {e}"));
    score(&crate::decode::decode(&bytes, rel).unwrap())
}

fn percents(s: &Score) -> BTreeMap<&'static str, Option<f64>> {
    s.fields.iter().map(|f| (f.id, f.percent)).collect()
}

/// consign's SBOMs carry every field the image makes knowable, in every format. What is
/// below 100% is what the image does not record: dpkg and apk keep no artifact hash (apk's
/// `C:` is the control section's), the distroless and Ubuntu samples ship no copyright files,
/// and no image says who generates its SBOM (CISA's `author`).
#[test]
fn consign_sboms_carry_what_the_image_makes_knowable() {
    for (sample, hash, license) in [
        ("alpine-3.11", 0.0, 100.0),
        ("distroless-debian-12", 0.0, 20.0),
        ("ubuntu-18.04", 0.0, 0.0),
        ("amazonlinux-2023", 100.0, 100.0),
    ] {
        for ext in ["cdx.json", "cdx-1.5.json", "cdx-1.7.json", "spdx.json"] {
            let s = scored(&format!("tests/golden/{sample}.{ext}"));
            for (id, p) in percents(&s) {
                let want = match id {
                    "author" => 0.0,
                    "hash" => hash,
                    "license" => license,
                    _ => 100.0,
                };
                assert_eq!(p, Some(want), "{sample}.{ext}: {id}");
            }
            assert_eq!(s.ntia, 100.0, "{sample}.{ext}");
        }
    }
    let s = scored("tests/golden/amazonlinux-2023.spdx.json");
    assert_eq!(s.cisa2025, 91.7);
    assert_eq!(s.components, 102);
    assert_eq!(s.format, "spdx-json@2.3");
    assert_eq!(s.producer, "consign 0.1.0");
}

#[test]
fn other_producers_and_the_components_they_leave_out() {
    let s = scored("tests/fixtures/sbom/peers/alpine-3.11.syft-1.18.1.cdx.json");
    let p = percents(&s);
    assert_eq!(p["supplier"], Some(0.0));
    assert_eq!(p["generation-context"], Some(0.0));
    // Syft states the dependencies of 11 of the 14 packages.
    let deps = s.field("dependencies-complete").unwrap();
    assert_eq!((deps.covered, deps.total), (11, 14));
    assert_eq!(
        deps.missing,
        [
            "pkg:apk/alpine/alpine-keys@2.1-r2?arch=x86_64&distro=alpine-3.11.5",
            "pkg:apk/alpine/ca-certificates-cacert@20191127-r1?arch=x86_64&distro=alpine-3.11.5&upstream=ca-certificates",
            "pkg:apk/alpine/musl@1.1.24-r2?arch=x86_64&distro=alpine-3.11.5",
        ]
    );
    assert_eq!(s.ntia, 84.7);
    assert_eq!(s.cisa2025, 64.3);
    let t = scored("tests/fixtures/sbom/peers/alpine-3.11.trivy-0.59.1.spdx.json");
    let p = percents(&t);
    assert_eq!(p["author"], Some(100.0));
    assert_eq!(p["hash"], Some(100.0));
    assert_eq!(p["generation-context"], Some(0.0));
}

#[test]
fn made_up_purls_are_not_identifiers() {
    let s = scored("tests/fixtures/sbom/peers/distroless-debian-12.trivy-0.59.1.cdx.json");
    let id = s.field("identifier").unwrap();
    assert_eq!((id.covered, id.total), (0, 10));
    assert_eq!(id.missing[0], "coreutils@9.1-1");
}

#[test]
fn no_components_means_not_applicable() {
    let s =
        scored("tests/fixtures/sbom/microsoft-sbom-tool/powershell-7.5.0-preview.2.spdx-2.2.json");
    assert_eq!(s.components, 0);
    let p = percents(&s);
    assert_eq!(p["name"], None);
    assert_eq!(p["author"], Some(100.0));
    assert_eq!(p["generation-context"], Some(0.0));
    // Mean of the document fields only: creator and timestamp for NTIA.
    assert_eq!(s.ntia, 100.0);
    assert_eq!(s.cisa2025, 75.0);
    let t = table(&s, 3);
    assert!(
        t.contains("\nname                   NTIA, CISA 2025  n/a\n"),
        "{t}"
    );
}

#[test]
fn table_lists_the_first_missing_components() {
    let s = scored("tests/golden/ubuntu-18.04.cdx.json");
    let t = table(&s, 2);
    assert!(t.starts_with(
        "tests/golden/ubuntu-18.04.cdx.json (cyclonedx-json@1.6, consign 0.1.0): 91 components\n\n"
    ));
    assert!(
        t.contains(
            "hash                   CISA 2025        0% (0/91)     \
         pkg:deb/ubuntu/adduser@3.116ubuntu1?arch=all&distro=ubuntu-18.04, \
         pkg:deb/ubuntu/apt@1.6.3ubuntu0.1?arch=amd64&distro=ubuntu-18.04 … and 89 more\n"
        ),
        "{t}"
    );
    assert!(t.ends_with("\nNTIA minimum elements: 100%\nCISA 2025 minimum elements: 75%\n"));
    assert!(t.lines().all(|l| l == l.trim_end()));
}
