//! The CI recipe of docs/ci.md, run as users run it: `examples/release-pipeline.sh`, end to
//! end against the local registry tests/run.sh starts (`CONSIGN_E2E_REGISTRY`): release 1.0.0,
//! then 1.1.0 whose release notes come from the SBOM 1.0.0 attached in the registry, then a
//! release the audit blocks, then the demo image the script builds when given none.
//! `ci_files.rs` checks the workflow and manifests.
//!
//! See: issue 9.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{Value, json};

use crate::support::cmd::{bin, stderr, stdout};
use crate::support::image::ImageBuilder;
use crate::support::peers::{check, consign, env, keep, text};
use crate::support::{schema, tmp};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A release image: the diff tests' web application, as a hardened build would make it
/// (non-root user, traceability labels), unless `as_root`.
fn release(img: ImageBuilder, version: &str, as_root: bool) -> ImageBuilder {
    let img = img
        .label(
            "org.opencontainers.image.source",
            "https://example.com/acme/web",
        )
        .label("org.opencontainers.image.revision", "0123456789abcdef")
        .label("org.opencontainers.image.version", version)
        .label("org.opencontainers.image.vendor", "ACME");
    if as_root {
        img
    } else {
        img.run_config(json!({"User": "10001:10001"}))
    }
}

/// Runs the example script with `vars`; returns (exit code, stderr).
fn pipeline(dir: &Path, vars: &[(&str, String)]) -> (Option<i32>, String) {
    let mut c = Command::new(repo().join("examples/release-pipeline.sh"));
    c.current_dir(dir)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", dir)
        .env("CONSIGN", env!("CARGO_BIN_EXE_consign"))
        .env("INSECURE", "1")
        .env("REGISTRY", env("CONSIGN_E2E_REGISTRY"))
        .env("REPOSITORY", "e2e/pipeline");
    for (k, v) in vars {
        c.env(k, v);
    }
    let o = c.output().unwrap();
    (o.status.code(), text(&o.stderr))
}

fn json_file(p: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(p).unwrap_or_else(|e| panic!("{}: {e}", p.display())))
        .unwrap()
}

/// The package-change part of a Markdown diff: from the totals to the footer.
fn changes(md: &str) -> &str {
    let start = md.find("**").unwrap();
    let end = md.find("<sub>").unwrap();
    &md[start..end]
}

#[test]
#[ignore = "needs a registry and skopeo: tests/run.sh"]
fn the_example_release_pipeline_runs_end_to_end() {
    let dir = tmp();
    let d = dir.path();
    let (old, new) = crate::diff::releases();
    let v1 = d.join("web-1.0.0.tar");
    release(old, "1.0.0", false).write_oci_tar(&v1);
    let v2 = d.join("web-1.1.0");
    release(new.clone(), "1.1.0", false).write_oci_dir(&v2);
    let bad = d.join("web-1.2.0.tar");
    release(new, "1.2.0", true).write_oci_tar(&bad);

    // Release 1.0.0: no previous release, so no diff.
    let out1 = d.join("release/1.0.0");
    let (code, err) = pipeline(
        d,
        &[
            ("IMAGE", format!("oci-archive:{}", v1.display())),
            ("VERSION", "1.0.0".into()),
        ],
    );
    assert_eq!(code, Some(0), "{err}");
    assert!(err.contains("no previous release: no diff"), "{err}");
    let mut assets: Vec<String> = std::fs::read_dir(&out1)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assets.sort();
    assert_eq!(
        assets,
        [
            "audit.json",
            "audit.sarif",
            "digest",
            "release.pub",
            "sbom.att.json",
            "sbom.att.json.referrer",
            "sbom.cdx.json",
            "sbom.cdx.json.referrer",
            "sbom.spdx.json",
            "sbom.spdx.json.referrer",
        ]
    );
    for f in ["sbom.cdx.json", "sbom.spdx.json"] {
        schema::assert_valid(f, &std::fs::read(out1.join(f)).unwrap());
        keep(&out1, f, &format!("pipeline-1.0.0-{f}"));
    }
    let sarif = json_file(&out1.join("audit.sarif"));
    assert_eq!(sarif["version"], "2.1.0");
    assert_eq!(sarif["runs"][0]["tool"]["driver"]["name"], "consign");
    let audit = json_file(&out1.join("audit.json"));
    assert_eq!(audit["summary"]["high"], 0, "{audit:#}");
    assert_eq!(audit["summary"]["critical"], 0, "{audit:#}");
    let digest1 = std::fs::read_to_string(out1.join("digest")).unwrap();
    let registry = env("CONSIGN_E2E_REGISTRY");
    let referrers = |digest: &str| -> Vec<String> {
        let o = check(
            consign(
                d,
                None,
                &[
                    "referrers",
                    &format!("{registry}/e2e/pipeline@{digest}"),
                    "--insecure-registry",
                    "--format",
                    "json",
                ],
            ),
            "referrers",
        );
        let list: Vec<Value> = serde_json::from_slice(&o.stdout).unwrap();
        let mut types: Vec<String> = list
            .iter()
            .map(|r| r["artifactType"].as_str().unwrap_or_default().to_owned())
            .collect();
        types.sort();
        types
    };
    assert_eq!(
        referrers(&digest1),
        [
            "application/spdx+json",
            "application/vnd.cyclonedx+json",
            "application/vnd.dsse.envelope.v1+json"
        ]
    );

    // Release 1.1.0: the release notes compare with the SBOM attached to 1.0.0.
    let out2 = d.join("release/1.1.0");
    let (code, err) = pipeline(
        d,
        &[
            ("IMAGE", format!("oci-dir:{}", v2.display())),
            ("VERSION", "1.1.0".into()),
            ("PREVIOUS", "1.0.0".into()),
        ],
    );
    assert_eq!(code, Some(0), "{err}");
    assert!(err.contains("verified "), "{err}");
    assert_eq!(
        std::fs::read(out2.join("previous.cdx.json")).unwrap(),
        std::fs::read(out1.join("sbom.cdx.json")).unwrap(),
        "the previous SBOM is the one release 1.0.0 attached, byte for byte"
    );
    let notes = std::fs::read_to_string(out2.join("CHANGES.md")).unwrap();
    let golden = std::fs::read_to_string(repo().join("tests/golden/diff-releases.md")).unwrap();
    assert_eq!(changes(&notes), changes(&golden), "{notes}");
    assert!(
        notes.starts_with(&format!(
            "## SBOM changes: `{registry}/e2e/pipeline` → `{registry}/e2e/pipeline`\n"
        )),
        "{notes}"
    );
    let diff = json_file(&out2.join("diff.json"));
    assert_eq!(diff["counts"][0]["ecosystem"], "all", "{diff:#}");
    assert_eq!(diff["counts"][0]["added"], 1, "{diff:#}");
    // A consumer verifies the attestation with the published public key.
    let digest2 = std::fs::read_to_string(out2.join("digest")).unwrap();
    let o = bin()
        .args(["verify"])
        .arg(out2.join("sbom.att.json"))
        .arg("--key")
        .arg(out2.join("release.pub"))
        .args(["--image-digest", &digest2])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        serde_json::from_str::<Value>(&stdout(&o)).unwrap(),
        json_file(&out2.join("sbom.cdx.json"))
    );
    keep(&out2, "sbom.spdx.json", "pipeline-1.1.0-sbom.spdx.json");

    // Release 1.2.0 runs as root: the audit stops it after writing its reports, and nothing
    // is attested or attached.
    let out3 = d.join("release/1.2.0");
    let (code, err) = pipeline(
        d,
        &[
            ("IMAGE", format!("oci-archive:{}", bad.display())),
            ("VERSION", "1.2.0".into()),
            ("PREVIOUS", "1.1.0".into()),
        ],
    );
    assert_eq!(code, Some(1), "{err}");
    assert!(
        err.contains("release blocked: the audit has findings at or above --fail-on"),
        "{err}"
    );
    let sarif = json_file(&out3.join("audit.sarif"));
    let rules: Vec<&str> = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["ruleId"].as_str())
        .collect();
    assert!(rules.contains(&"IMG001"), "{rules:?}");
    assert!(!out3.join("sbom.att.json").exists());
    let digest3 = std::fs::read_to_string(out3.join("digest")).unwrap();
    assert_eq!(referrers(&digest3), Vec::<String>::new());

    // Without IMAGE the script builds its demo image (what docs/ci.md runs on a fresh
    // machine), and the release goes through.
    let (code, err) = pipeline(d, &[("VERSION", "2.0.0".into())]);
    assert_eq!(code, Some(0), "{err}");
    assert!(err.contains("0. no IMAGE: building a demo image"), "{err}");
    let digest4 = std::fs::read_to_string(d.join("release/2.0.0/digest")).unwrap();
    assert_eq!(referrers(&digest4).len(), 3);
}
