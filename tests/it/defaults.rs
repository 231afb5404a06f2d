//! Defaults for flags: the command line over `CONSIGN_*` variables over `./consign.toml` over
//! `$XDG_CONFIG_HOME/consign/config.toml` over the built-in values, with the real binary.
//! See: issue 9.

use std::path::Path;
use std::process::Output;

use crate::support::cmd::{bin, stderr, stdout};
use crate::support::tmp;

fn sample() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("samples/alpine-3.11.docker.tar")
        .display()
        .to_string()
}

/// `consign audit` of the Alpine sample (findings at high, none at critical) in `cwd`, with
/// `env`; the exit code tells which --fail-on won.
fn audit(cwd: &Path, extra: &[&str], env: &[(&str, &str)]) -> Output {
    let mut c = bin();
    c.current_dir(cwd)
        .args([
            "audit",
            &sample(),
            "-q",
            "-o",
            "json=audit.json",
            "--now",
            "2020-06-01",
        ])
        .args(extra);
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().unwrap()
}

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

#[test]
fn command_line_over_environment_over_local_file_over_user_file_over_built_in() {
    let dir = tmp();
    let cwd = dir.path().join("work");
    let xdg = dir.path().join("xdg");
    std::fs::create_dir_all(&cwd).unwrap();
    let code = |o: Output| {
        assert_ne!(o.status.code(), Some(2), "{}", stderr(&o));
        o.status.code().unwrap()
    };
    // Built in: --fail-on high, and the sample has high findings.
    assert_eq!(code(audit(&cwd, &[], &[])), 1);
    // The user's file.
    write(
        &xdg.join("consign/config.toml"),
        "[audit]\nfail-on = \"critical\"\n",
    );
    let xdg_env = ("XDG_CONFIG_HOME", xdg.to_str().unwrap());
    assert_eq!(code(audit(&cwd, &[], &[xdg_env])), 0);
    // ~/.config when XDG_CONFIG_HOME is unset.
    let home = ("HOME", dir.path().to_str().unwrap());
    write(
        &dir.path().join(".config/consign/config.toml"),
        "[audit]\nfail-on = \"critical\"\n",
    );
    assert_eq!(code(audit(&cwd, &[], &[home])), 0);
    // ./consign.toml over the user's file.
    write(&cwd.join("consign.toml"), "[audit]\nfail-on = \"high\"\n");
    assert_eq!(code(audit(&cwd, &[], &[xdg_env])), 1);
    // The environment over the files.
    let env_critical = ("CONSIGN_FAIL_ON", "critical");
    assert_eq!(code(audit(&cwd, &[], &[xdg_env, env_critical])), 0);
    // The command line over everything.
    assert_eq!(
        code(audit(
            &cwd,
            &["--fail-on", "high"],
            &[xdg_env, env_critical]
        )),
        1
    );
    // CONSIGN_CONFIG names the only file; empty reads none.
    let only = dir.path().join("only.toml");
    write(&only, "[audit]\nfail-on = \"critical\"\n");
    assert_eq!(
        code(audit(
            &cwd,
            &[],
            &[("CONSIGN_CONFIG", only.to_str().unwrap())]
        )),
        0
    );
    write(
        &cwd.join("consign.toml"),
        "[audit]\nfail-on = \"critical\"\n",
    );
    assert_eq!(code(audit(&cwd, &[], &[("CONSIGN_CONFIG", "")])), 1);
}

#[test]
fn verbose_names_the_config_files_and_their_defaults() {
    let dir = tmp();
    write(
        &dir.path().join("consign.toml"),
        "[sbom]\nscope = \"all-layers\"\n",
    );
    let o = bin()
        .current_dir(dir.path())
        .args(["-vv", "sbom", &sample(), "-o", "cyclonedx-json"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("info: defaults from consign.toml\n"), "{err}");
    assert!(
        err.contains("debug: consign::cli: consign.toml: sbom scope = all-layers\n"),
        "{err}"
    );
    let doc = stdout(&o);
    let scope = doc.split("\"consign:scope\"").nth(1).unwrap_or_default();
    assert!(
        scope.trim_start().starts_with(",\n") && scope.contains("\"all-layers\""),
        "{doc}"
    );
}

#[test]
fn a_malformed_config_is_an_error_naming_file_line_and_key() {
    let dir = tmp();
    write(
        &dir.path().join("consign.toml"),
        "# defaults\n[audit]\npolcy = \"audit.toml\"\n",
    );
    let o = bin()
        .current_dir(dir.path())
        .args(["audit", &sample()])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        stderr(&o),
        "error: consign.toml:3:1: [audit] polcy: unknown field `polcy`, expected one of `output`, \
         `policy`, `fail-on`, `base-catalog`, `platform`\n"
    );
    assert!(o.stdout.is_empty());
    write(&dir.path().join("consign.toml"), "[sbom]\nscope = 3\n");
    let o = bin()
        .current_dir(dir.path())
        .args(["sbom", &sample()])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        stderr(&o),
        "error: consign.toml:2:9: [sbom] scope: invalid type: integer `3`, expected a string\n"
    );
    // A config path relative to the file: an input the policy names is looked up beside it.
    write(
        &dir.path().join("cfg/config.toml"),
        "[audit]\npolicy = \"missing.toml\"\n",
    );
    let o = bin()
        .current_dir(dir.path())
        .env("CONSIGN_CONFIG", dir.path().join("cfg/config.toml"))
        .args(["audit", &sample()])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let want = format!(
        "error: cannot read policy {}",
        dir.path().join("cfg/missing.toml").display()
    );
    assert!(stderr(&o).starts_with(&want), "{}", stderr(&o));
}

#[test]
fn environment_variables_reach_their_flags() {
    let dir = tmp();
    let d = dir.path();
    let run = |args: &[&str], env: &[(&str, &str)]| {
        let mut c = bin();
        c.current_dir(d).args(args);
        for (k, v) in env {
            c.env(k, v);
        }
        c.output().unwrap()
    };
    let s = sample();
    // CONSIGN_SCOPE and CONSIGN_SUPPLIER show in the document.
    let o = run(
        &["sbom", &s, "-o", "cyclonedx-json"],
        &[
            ("CONSIGN_SCOPE", "all-layers"),
            ("CONSIGN_SUPPLIER", "Example Corp"),
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let doc: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(
        doc["metadata"]["component"]["supplier"]["name"],
        "Example Corp"
    );
    assert!(stdout(&o).contains("\"value\": \"all-layers\""));
    // CONSIGN_PLATFORM selects (here: a platform the image does not have).
    let o = run(&["sbom", &s], &[("CONSIGN_PLATFORM", "linux/s390x")]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("linux/s390x"), "{}", stderr(&o));
    // CONSIGN_CATALOGERS: dpkg and rpm find no package in an Alpine image.
    let o = run(
        &["sbom", &s, "-o", "cyclonedx-json"],
        &[("CONSIGN_CATALOGERS", "dpkg,rpm")],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(!stdout(&o).contains("pkg:apk/"));
    let o = run(&["sbom", &s, "-o", "cyclonedx-json"], &[]);
    assert!(stdout(&o).contains("pkg:apk/"));
    // CONSIGN_POLICY and CONSIGN_BASE_CATALOG name files.
    let o = run(&["audit", &s], &[("CONSIGN_POLICY", "nope.toml")]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).starts_with("error: cannot read policy nope.toml"),
        "{}",
        stderr(&o)
    );
    let o = run(&["audit", &s], &[("CONSIGN_BASE_CATALOG", "bases.json")]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("bases.json"), "{}", stderr(&o));
    // CONSIGN_KEY and CONSIGN_PUBLIC_KEY.
    assert!(
        run(&["key", "generate", "--out", "k", "-q"], &[])
            .status
            .success()
    );
    // An OCI layout records the manifest digest an attestation's subject needs.
    let oci = Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/amazonlinux-2023.oci.tar");
    let o = run(
        &[
            "sbom",
            oci.to_str().unwrap(),
            "-o",
            "cyclonedx-json=app.cdx.json",
        ],
        &[],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let o = run(
        &["attest", "app.cdx.json", "-q", "-o", "app.att.json"],
        &[("CONSIGN_KEY", "k.key")],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let o = run(
        &["verify", "app.att.json", "-q"],
        &[("CONSIGN_PUBLIC_KEY", "k.pub")],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    // CONSIGN_FAIL_UNDER / CONSIGN_STANDARD and CONSIGN_DIFF_FAIL_ON / CONSIGN_DENY_LICENSE gate.
    let o = run(
        &["score", "app.cdx.json", "-q"],
        &[
            ("CONSIGN_FAIL_UNDER", "100"),
            ("CONSIGN_STANDARD", "cisa-2025"),
        ],
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let o = run(
        &["diff", "app.cdx.json", "app.cdx.json", "-q"],
        &[("CONSIGN_DIFF_FAIL_ON", "added,any")],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let o = run(
        &["diff", "app.cdx.json", "app.cdx.json"],
        &[("CONSIGN_DIFF_FAIL_ON", "sideways")],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("invalid value 'sideways'"),
        "{}",
        stderr(&o)
    );
    // Registry settings from the environment do not make a local scan an error; the same
    // flags typed for a local image do.
    let o = run(
        &["sbom", &s, "-q"],
        &[
            ("CONSIGN_INSECURE_REGISTRY", "true"),
            ("CONSIGN_REGISTRY_CA", "ca.pem"),
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let o = run(&["sbom", &s, "--insecure-registry"], &[]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        stderr(&o),
        "error: --insecure-registry and --registry-ca apply to registry:… sources only\n"
    );
}
