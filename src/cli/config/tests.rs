//! Unit tests of the config file: every key reaches a real flag, values are checked with
//! their place in the file, paths are resolved against the file, later files win.

use std::path::Path;

use clap::{CommandFactory, FromArgMatches};

use anyhow::bail;

use super::*;
use crate::cli::Args;

/// Every key there is, each set once.
const FULL: &str = r#"
[sbom]
output = ["cyclonedx-json=out/{name}.cdx.json", "spdx-json@2.3=x.spdx.json"]
scope = "all-layers"
verify = "blobs"
platform = "linux/arm64/v8"
catalogers = ["os", "-rpm"]
supplier = "Example Corp"
jobs = 3

[audit]
output = ["sarif=audit.sarif"]
policy = "policies/audit.toml"
fail-on = "medium"
base-catalog = "/etc/bases.json"
platform = "linux/amd64"

[diff]
output = ["markdown=CHANGES.md"]
fail-on = ["downgraded", "license-change"]
deny-license = ["GPL-3.0*"]

[score]
output = ["json=score.json"]
fail-under = 90.5
standard = "ntia"

[attest]
key = "keys/release.key"

[verify]
key = "keys/release.pub"

[registry]
insecure = true
ca = "ca.pem"
"#;

fn load(path: &str, text: &str) -> anyhow::Result<Config> {
    let mut c = Config::default();
    c.merge(Path::new(path), text)?;
    Ok(c)
}

fn err(text: &str) -> String {
    format!("{:#}", load("consign.toml", text).unwrap_err())
}

/// `consign ARGS…` parsed over `cfg`'s defaults.
fn parse(cfg: &Config, args: &[&str]) -> Args {
    let m = cfg
        .apply(Args::command())
        .try_get_matches_from(std::iter::once("consign").chain(args.iter().copied()))
        .unwrap();
    Args::from_arg_matches(&m).unwrap()
}

#[test]
fn every_key_sets_a_real_flag() {
    let cfg = load("/home/u/.config/consign/config.toml", FULL).unwrap();
    check_against(&Args::command(), &cfg).unwrap();
    let set: Vec<String> = cfg
        .defaults()
        .map(|d| format!("{} {} = {}", d.command, d.arg, d.values.join(" | ")))
        .collect();
    assert_eq!(
        set,
        [
            "attach insecure_registry = true",
            "attach registry_ca = /home/u/.config/consign/ca.pem",
            "attest key = /home/u/.config/consign/keys/release.key",
            "audit base_catalog = /etc/bases.json",
            "audit fail_on = medium",
            "audit insecure_registry = true",
            "audit outputs = sarif=audit.sarif",
            "audit platform = linux/amd64",
            "audit policy = /home/u/.config/consign/policies/audit.toml",
            "audit registry_ca = /home/u/.config/consign/ca.pem",
            "diff deny_license = GPL-3.0*",
            "diff fail_on = downgraded | license-change",
            "diff outputs = markdown=CHANGES.md",
            "referrers insecure_registry = true",
            "referrers registry_ca = /home/u/.config/consign/ca.pem",
            "sbom catalogers = os | -rpm",
            "sbom insecure_registry = true",
            "sbom jobs = 3",
            "sbom outputs = cyclonedx-json=out/{name}.cdx.json | spdx-json@2.3=x.spdx.json",
            "sbom platform = linux/arm64/v8",
            "sbom registry_ca = /home/u/.config/consign/ca.pem",
            "sbom scope = all-layers",
            "sbom supplier = Example Corp",
            "sbom verify = blobs",
            "score fail_under = 90.5",
            "score outputs = json=score.json",
            "score standard = ntia",
            "verify key = /home/u/.config/consign/keys/release.pub",
        ]
    );
    // The defaults parse as the flags would, including the required `attest --key`.
    let a = parse(&cfg, &["attest", "app.cdx.json"]);
    assert!(format!("{a:?}").contains("key: \"/home/u/.config/consign/keys/release.key\""));
    let a = parse(&cfg, &["sbom", "--from-list", "l.txt"]);
    let dbg = format!("{a:?}");
    for want in [
        "scope: AllLayers",
        "verify: Blobs",
        "jobs: Some(3)",
        "insecure_registry: true",
        "\"-rpm\"",
    ] {
        assert!(dbg.contains(want), "{want} in {dbg}");
    }
}

#[test]
fn a_local_file_keeps_its_relative_paths_and_the_command_line_wins() {
    let cfg = load(
        "consign.toml",
        "[audit]\npolicy = \"audit.toml\"\nfail-on = \"low\"\n",
    )
    .unwrap();
    let a = format!("{:?}", parse(&cfg, &["audit", "app.tar"]));
    assert!(
        a.contains("policy: Some(\"audit.toml\")") && a.contains("fail_on: Low"),
        "{a}"
    );
    let a = format!(
        "{:?}",
        parse(&cfg, &["audit", "app.tar", "--fail-on", "critical"])
    );
    assert!(a.contains("fail_on: Critical"), "{a}");
}

#[test]
fn a_later_file_wins_key_by_key() {
    let mut cfg = Config::default();
    cfg.merge(
        Path::new("/u/config.toml"),
        "[sbom]\nscope = \"all-layers\"\nsupplier = \"A\"\n",
    )
    .unwrap();
    cfg.merge(Path::new("consign.toml"), "[sbom]\nsupplier = \"B\"\n")
        .unwrap();
    let set: Vec<String> = cfg
        .defaults()
        .map(|d| format!("{}={} from {}", d.arg, d.values[0], d.origin.display()))
        .collect();
    assert_eq!(
        set,
        [
            "scope=all-layers from /u/config.toml",
            "supplier=B from consign.toml"
        ]
    );
    assert_eq!(cfg.files.len(), 2);
}

#[test]
fn mistakes_name_the_file_the_line_and_the_key() {
    assert_eq!(
        err("[audit]\npolcy = \"a.toml\"\n"),
        "consign.toml:2:1: [audit] polcy: unknown field `polcy`, expected one of `output`, \
         `policy`, `fail-on`, `base-catalog`, `platform`"
    );
    assert!(
        err("[sbom]\nscope = \"x\"\n[audt]\n")
            .starts_with("consign.toml:3:2: unknown field `audt`"),
        "{}",
        err("[sbom]\nscope = \"x\"\n[audt]\n")
    );
    assert_eq!(
        err("[sbom]\njobs = \"four\"\n"),
        "consign.toml:2:8: [sbom] jobs: invalid type: string \"four\", expected u32"
    );
    assert_eq!(
        err("[sbom]\njobs = 0\n"),
        "consign.toml:2:8: [sbom] jobs: must be at least 1"
    );
    assert_eq!(
        err("\n[audit]\nfail-on = \"hgh\"\n"),
        "consign.toml:3:11: [audit] fail-on: invalid value \"hgh\" (expected one of low, \
         medium, high, critical)"
    );
    assert_eq!(
        err("[sbom]\nscope = \"squash\"\n"),
        "consign.toml:2:9: [sbom] scope: invalid value \"squash\" (expected one of squashed, \
         all-layers)"
    );
    assert!(
        err("[sbom]\nplatform = \"linux\"\n").starts_with("consign.toml:2:12: [sbom] platform: ")
    );
    assert_eq!(
        err("[sbom]\noutput = [\"yaml=x.yaml\"]\n"),
        "consign.toml:2:10: [sbom] output: invalid output \"yaml=x.yaml\": unknown format \
         \"yaml\" (expected table, cyclonedx-json, spdx-json)"
    );
    assert!(
        err("[sbom]\ncatalogers = [\"nope\"]\n")
            .starts_with("consign.toml:2:14: [sbom] catalogers: ")
    );
    assert_eq!(
        err("[score]\nfail-under = 101\n"),
        "consign.toml:2:14: [score] fail-under: expected a percentage from 0 to 100"
    );
    assert_eq!(
        err("[diff]\nfail-on = [\"downgrade\"]\n"),
        "consign.toml:2:11: [diff] fail-on: invalid value \"downgrade\" (expected one of added, \
         removed, upgraded, downgraded, changed, license-change, any)"
    );
    assert!(
        err("[sbom\n").starts_with("consign.toml:1:"),
        "{}",
        err("[sbom\n")
    );
}

/// Fails unless every config key maps to a flag of `cmd` (a guard for tests and for anyone
/// adding a key).
fn check_against(cmd: &clap::Command, cfg: &Config) -> anyhow::Result<()> {
    for d in cfg.defaults() {
        let Some(sc) = cmd.find_subcommand(d.command) else {
            bail!("config maps to unknown subcommand {}", d.command);
        };
        if !sc.get_arguments().any(|a| a.get_id() == d.arg) {
            bail!("config maps to unknown flag {} of {}", d.arg, d.command);
        }
    }
    Ok(())
}
