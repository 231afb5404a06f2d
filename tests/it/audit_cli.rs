//! `consign audit`, `consign base add` and `consign rules` run as a user runs them: exit
//! codes (0 clean, 1 findings at or above --fail-on, 2 errors), outputs written atomically,
//! SARIF valid against the OASIS SARIF 2.1.0 schema.

use std::path::Path;
use std::process::{Command, Output};

use serde_json::{Value, json};

use crate::support::audit_image::{NOW, Tweak, image};
use crate::support::tmp;

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_consign"))
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .args(args)
        .output()
        .unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn write(dir: &Path, name: &str, t: &Tweak) -> String {
    let p = dir.join(name);
    image(t).write_docker_archive(&p);
    p.display().to_string()
}

/// Validates a SARIF document against the vendored SARIF 2.1.0 schema.
pub fn assert_valid_sarif(doc: &Value) {
    let mut schema: Value = serde_json::from_str(
        &std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas/sarif-2.1.0.schema.json"),
        )
        .unwrap(),
    )
    .unwrap();
    // The published schema's `language` patterns are not valid regexes (an erratum of the
    // OASIS file, `…{2}]?$`); the file stays unmodified and the patterns are fixed here.
    for def in ["run", "toolComponent"] {
        schema["definitions"][def]["properties"]["language"]["pattern"] =
            json!("^[a-zA-Z]{2}(-[a-zA-Z]{2})?$");
    }
    let v = jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .unwrap();
    let errors: Vec<String> = v
        .iter_errors(doc)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "SARIF invalid: {errors:#?}");
}

#[test]
fn exit_codes() {
    let dir = tmp();
    let clean = write(dir.path(), "clean.tar", &Tweak::default());
    let root = write(
        dir.path(),
        "root.tar",
        &Tweak {
            config: Some(json!({"User": "0"})),
            ..Tweak::default()
        },
    );
    let o = run(&["audit", &clean, "--now", NOW, "-q"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains("0 findings"));
    let o = run(&["audit", &root, "--now", NOW, "-q"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains("IMG001  runs-as-root"));
    let o = run(&["audit", &root, "--now", NOW, "-q", "--fail-on", "critical"]);
    assert_eq!(o.status.code(), Some(0));
    let o = run(&[
        "audit",
        &dir.path().join("missing.tar").display().to_string(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).starts_with("error: cannot scan "),
        "{}",
        stderr(&o)
    );
    let policy = dir.path().join("p.toml");
    std::fs::write(
        &policy,
        "[thresholds]\nmax_image_age = \"30d\"\n\n[hardening]\nsensitive_port = [22]\n",
    )
    .unwrap();
    let o = run(&["audit", &clean, "--policy", policy.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        stderr(&o).lines().next().unwrap(),
        format!(
            "error: policy {}: line 5: unknown field `sensitive_port`, expected one of `sensitive_ports`, `required_labels`, `setuid_allow`, `world_writable_allow`",
            policy.display()
        )
    );
    let o = run(&["audit", &clean, "--fail-on", "severe"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn json_and_sarif_outputs() {
    let dir = tmp();
    let bad = write(
        dir.path(),
        "bad.tar",
        &Tweak {
            config: Some(
                json!({"User": "", "ExposedPorts": {"22/tcp": {}}, "Env": ["API_TOKEN=ghp_aB3dE5gH7jK9mN1pQ3sT5vX7zA9cE1gI3kM5"]}),
            ),
            ..Tweak::default()
        },
    );
    let dockerfile = dir.path().join("Dockerfile");
    std::fs::write(
        &dockerfile,
        "FROM debian:12\nRUN apt-get install -y curl\nEXPOSE 22\n",
    )
    .unwrap();
    let (json_out, sarif_out) = (dir.path().join("a.json"), dir.path().join("a.sarif"));
    let o = run(&[
        "audit",
        &bad,
        "--now",
        NOW,
        "-q",
        "--dockerfile",
        dockerfile.to_str().unwrap(),
        "-o",
        &format!("json={}", json_out.display()),
        "-o",
        &format!("sarif={}", sarif_out.display()),
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(o.stdout.is_empty());
    let report: Value = serde_json::from_slice(&std::fs::read(&json_out).unwrap()).unwrap();
    assert_eq!(report["schema"], "consign-audit/1");
    let ids: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["SEC001", "IMG001", "IMG002", "BAS001", "PIN001"]);
    assert_eq!(
        report["summary"],
        json!({"critical": 1, "high": 2, "medium": 2, "low": 0, "suppressed": 0})
    );
    let sarif_text = std::fs::read_to_string(&sarif_out).unwrap();
    assert!(!sarif_text.contains("ghp_aB3dE5"));
    let sarif: Value = serde_json::from_str(&sarif_text).unwrap();
    assert_valid_sarif(&sarif);
    let run0 = &sarif["runs"][0];
    assert_eq!(
        run0["tool"]["driver"]["rules"].as_array().unwrap().len(),
        33
    );
    let results = run0["results"].as_array().unwrap();
    let pin = results.iter().find(|r| r["ruleId"] == "PIN001").unwrap();
    assert_eq!(
        pin["locations"][0]["physicalLocation"]["region"]["startLine"],
        2
    );
    assert_eq!(pin["level"], "warning");
    let rule = &run0["tool"]["driver"]["rules"][pin["ruleIndex"].as_u64().unwrap() as usize];
    assert_eq!(rule["id"], "PIN001");
    assert!(
        rule["help"]["markdown"]
            .as_str()
            .unwrap()
            .contains("## How to fix")
    );
    assert_eq!(rule["properties"]["security-severity"], "5.5");
}

#[test]
fn base_add_builds_a_catalog_the_audit_uses() {
    let dir = tmp();
    let catalog = dir.path().join("bases.json");
    // The base itself: the clean image's first two layers, published as debian:12.
    let base = crate::support::image::ImageBuilder::new().tag(Some("debian:12"));
    let app = image(&Tweak::default());
    let w = app.build();
    let _ = w;
    let base_path = dir.path().join("base.tar");
    let mut b = base;
    for i in 0..2 {
        b = b.layer(move |l| crate::support::audit_image::base_layer(l, i));
    }
    b.created("2023-12-20T00:00:00Z")
        .write_docker_archive(&base_path);
    let o = run(&[
        "base",
        "add",
        base_path.to_str().unwrap(),
        "--catalog",
        catalog.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stderr(&o).starts_with("added debian:12@sha256:"),
        "{}",
        stderr(&o)
    );
    let newer = dir.path().join("newer.tar");
    crate::support::image::ImageBuilder::new()
        .tag(Some("debian:12"))
        .layer(|l| l.file("etc/os-release", "ID=debian\nVERSION_ID=12\n"))
        .created("2024-01-12T00:00:00Z")
        .write_docker_archive(&newer);
    let o = run(&[
        "base",
        "add",
        newer.to_str().unwrap(),
        "--catalog",
        catalog.to_str().unwrap(),
        "-q",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let c: Value = serde_json::from_slice(&std::fs::read(&catalog).unwrap()).unwrap();
    assert_eq!(c["images"].as_array().unwrap().len(), 2);
    let app_path = dir.path().join("app.tar");
    app.write_docker_archive(&app_path);
    let o = run(&[
        "audit",
        app_path.to_str().unwrap(),
        "--base-catalog",
        catalog.to_str().unwrap(),
        "--now",
        NOW,
        "-q",
        "-o",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let r: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(r["findings"][0]["id"], "BAS004");
    assert_eq!(
        r["findings"][0]["base"]["identified_by"],
        json!(["catalog"])
    );
}

#[test]
fn rules_and_default_policy() {
    let o = run(&["audit", "--print-default-policy"]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(
        String::from_utf8_lossy(&o.stdout),
        consign::audit::DEFAULT_POLICY
    );
    let o = run(&["rules", "explain", "secret-in-file"]);
    assert_eq!(o.status.code(), Some(0));
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.starts_with("# SEC003 secret-in-file: Secret in a file of a layer\n\nDefault severity: critical. On by default.\n\n## What it flags\n"), "{text}");
    let o = run(&["rules", "explain", "XYZ999"]);
    assert_eq!(o.status.code(), Some(2));
    let o = run(&["rules"]);
    assert_eq!(String::from_utf8_lossy(&o.stdout).lines().count(), 34);
}

#[test]
fn help_of_the_new_subcommands() {
    for (args, needles) in [
        (
            &["audit", "--help"][..],
            &[
                "--policy",
                "--dockerfile",
                "--base-catalog",
                "--fail-on",
                "--print-default-policy",
                "Exit status: 0",
            ][..],
        ),
        (&["base", "add", "--help"][..], &["--catalog", "--name"][..]),
        (&["rules", "--help"][..], &["explain"][..]),
    ] {
        let o = run(args);
        assert_eq!(o.status.code(), Some(0), "{args:?}");
        let help = String::from_utf8_lossy(&o.stdout);
        for n in needles {
            assert!(help.contains(n), "{n} missing from {args:?}");
        }
    }
}
