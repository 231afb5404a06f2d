//! The CI recipe of docs/ci.md, run as users run it:
//!
//! - `examples/release-pipeline.sh`, end to end against the local registry tests/run.sh starts
//!   (`CONSIGN_E2E_REGISTRY`): release 1.0.0, then 1.1.0 whose release notes come from the SBOM
//!   1.0.0 attached in the registry, then a release the audit blocks;
//! - `examples/github-release.yml`, parsed as YAML and checked for the steps, the permissions,
//!   code scanning, the release assets, and that every consign command in it exists;
//! - the Kubernetes Indexed Job of docs/scale.md, parsed and checked against `--shard`.
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
            "## SBOM changes: `{registry}/e2e/pipeline@{digest1}` → `{registry}/e2e/pipeline@"
        )) || notes.contains("e2e/pipeline"),
        "{notes}"
    );
    let diff = json_file(&out2.join("diff.json"));
    assert_eq!(diff["summary"]["added"], 1, "{diff:#}");
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
}

/// The workflow as YAML, converted to JSON values for assertions.
fn workflow() -> Value {
    let text = std::fs::read_to_string(repo().join("examples/github-release.yml")).unwrap();
    serde_saphyr::from_str(&text).expect("examples/github-release.yml is valid YAML")
}

/// Shell text with continuation lines folded and runs of blanks made one space.
fn fold(sh: &str) -> String {
    sh.replace("\\\n", " ")
        .lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The `run:` scripts of a job's steps, joined and folded.
fn scripts(steps: &[Value]) -> String {
    fold(
        &steps
            .iter()
            .filter_map(|s| s["run"].as_str())
            .collect::<Vec<_>>()
            .join("\n"),
    )
}

#[test]
fn the_github_actions_workflow_has_every_step_and_no_more_rights_than_needed() {
    let w = workflow();
    assert_eq!(w["on"]["push"]["tags"], json!(["v*"]));
    assert_eq!(w["permissions"], json!({}), "nothing by default");
    let job = &w["jobs"]["release"];
    assert_eq!(
        job["permissions"],
        json!({"contents": "write", "packages": "write", "security-events": "write"})
    );
    let steps = job["steps"].as_array().expect("steps");
    let uses: Vec<&str> = steps.iter().filter_map(|s| s["uses"].as_str()).collect();
    for (action, _) in uses.iter().map(|u| u.split_once('@').expect("pinned")) {
        assert!(
            [
                "actions/checkout",
                "docker/setup-buildx-action",
                "docker/login-action",
                "docker/build-push-action",
                "github/codeql-action/upload-sarif"
            ]
            .contains(&action),
            "{action}"
        );
    }
    assert!(uses.iter().all(|u| {
        u.split_once("@v")
            .is_some_and(|(_, v)| v.parse::<u32>().is_ok())
    }));
    let sarif = steps
        .iter()
        .find(|s| {
            s["uses"]
                .as_str()
                .is_some_and(|u| u.starts_with("github/codeql-action/upload-sarif@"))
        })
        .expect("an upload-sarif step");
    assert_eq!(sarif["with"]["sarif_file"], "audit.sarif");
    assert!(
        sarif["if"].as_str().unwrap().contains("always()"),
        "uploaded even when the audit fails"
    );
    // No expression is expanded inside a script (script injection); secrets only via env.
    for s in steps {
        if let Some(run) = s["run"].as_str() {
            assert!(!run.contains("${{"), "expression in a script: {run}");
        }
    }
    let text = std::fs::read_to_string(repo().join("examples/github-release.yml")).unwrap();
    for line in text.lines().filter(|l| l.contains("secrets.")) {
        let key = line.trim().split(':').next().unwrap();
        assert!(
            ["password", "SIGNING_KEY"].contains(&key),
            "secret outside env/with: {line}"
        );
    }
    let all = scripts(steps);
    for needle in [
        "consign sbom \"registry:$IMAGE@$DIGEST\" -o cyclonedx-json=sbom.cdx.json -o spdx-json=sbom.spdx.json",
        "-o sarif=audit.sarif",
        "consign diff previous.cdx.json sbom.cdx.json -o markdown=CHANGES.md",
        "consign attest sbom.cdx.json --key",
        "consign attach \"$f\" --to \"$IMAGE@$DIGEST\"",
        "consign verify sbom.att.json --key",
    ] {
        assert!(all.contains(needle), "no step runs {needle:?}");
    }
    // The release gets every asset the steps wrote, and the notes from the diff.
    let publish = fold(
        steps
            .iter()
            .find(|s| s["name"] == "Publish the release")
            .and_then(|s| s["run"].as_str())
            .expect("a release step"),
    );
    assert!(publish.contains("--notes-file CHANGES.md"), "{publish}");
    for asset in [
        "sbom.cdx.json",
        "sbom.spdx.json",
        "sbom.att.json",
        "audit.sarif",
    ] {
        assert!(
            publish.contains(&format!(" {asset}")),
            "{asset} is not a release asset"
        );
    }
    assert_consign_commands_exist(&all);
}

/// Every `consign SUB … --flag` in `script` names a real subcommand and real flags.
fn assert_consign_commands_exist(script: &str) {
    for cmd in script.split("consign ").skip(1) {
        let line = cmd.lines().next().unwrap_or_default();
        let words: Vec<&str> = line
            .split_whitespace()
            .take_while(|w| !matches!(*w, ";" | "|" | "||" | "&&" | ">" | ";;"))
            .collect();
        let Some(sub) = words.first() else { continue };
        if !sub.chars().all(|c| c.is_ascii_lowercase()) {
            continue;
        }
        let o = bin().args([sub, "--help"]).output().unwrap();
        assert!(o.status.success(), "consign {sub}: {}", stderr(&o));
        let help = stdout(&o);
        for flag in words.iter().filter(|w| w.starts_with("--")) {
            let flag = flag.split('=').next().unwrap();
            assert!(
                help.contains(&format!("{flag} ")) || help.contains(&format!("{flag}\n")),
                "consign {sub} has no {flag}"
            );
        }
    }
}

#[test]
fn the_example_script_uses_only_real_commands_and_flags() {
    let script = std::fs::read_to_string(repo().join("examples/release-pipeline.sh")).unwrap();
    let body = script
        .lines()
        .filter(|l| !l.trim_start().starts_with('#'))
        .collect::<Vec<_>>()
        .join("\n");
    let body = fold(&body).replace("\"$CONSIGN\" ", "consign ");
    assert!(body.matches("consign ").count() >= 8, "{body}");
    assert_consign_commands_exist(&body);
    let o = Command::new("bash")
        .arg("-n")
        .arg(repo().join("examples/release-pipeline.sh"))
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
}

/// The ```yaml blocks of a Markdown file.
fn yaml_blocks(md: &str) -> Vec<String> {
    md.split("```yaml\n")
        .skip(1)
        .map(|b| b.split("```").next().unwrap().to_owned())
        .collect()
}

#[test]
fn the_kubernetes_indexed_job_in_docs_scale_md_is_valid_and_consistent() {
    let md = std::fs::read_to_string(repo().join("docs/scale.md")).unwrap();
    let blocks = yaml_blocks(&md);
    let docs: Vec<Value> = blocks
        .iter()
        .flat_map(|b| b.split("\n---\n").map(str::to_owned).collect::<Vec<_>>())
        .map(|d| serde_saphyr::from_str::<Value>(&d).expect("valid YAML"))
        .collect();
    let job = docs.iter().find(|d| d["kind"] == "Job").expect("a Job");
    assert_eq!(job["apiVersion"], "batch/v1");
    let spec = &job["spec"];
    assert_eq!(spec["completionMode"], "Indexed");
    let n = spec["completions"].as_u64().unwrap();
    assert!(spec["parallelism"].as_u64().unwrap() <= n);
    let pod = &spec["template"]["spec"];
    assert_eq!(pod["restartPolicy"], "Never");
    let c = &pod["containers"][0];
    let args: Vec<&str> = c["args"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap())
        .collect();
    assert_eq!(args[0], "sbom");
    let shard = args
        .iter()
        .position(|a| *a == "--shard")
        .map(|i| args[i + 1]);
    assert_eq!(
        shard,
        Some(format!("auto/{n}").as_str()),
        "--shard auto/N with N = completions"
    );
    assert!(args.contains(&"--from-list"));
    assert!(args.iter().any(|a| a.contains("{name}")));
    // Hardened like the image: non-root, read-only root, no privilege escalation.
    let sc = &c["securityContext"];
    assert_eq!(sc["runAsNonRoot"], true);
    assert_eq!(sc["readOnlyRootFilesystem"], true);
    assert_eq!(sc["allowPrivilegeEscalation"], false);
    assert!(
        c["image"]
            .as_str()
            .unwrap()
            .starts_with("ghcr.io/consign-dev/consign:")
    );
    // The arguments parse: the same command runs here on a one-image list.
    let dir = tmp();
    let sample = repo().join("samples/alpine-3.11.docker.tar");
    let list_arg = args[args.iter().position(|a| *a == "--from-list").unwrap() + 1];
    let list = dir.path().join(list_arg.trim_start_matches('/'));
    std::fs::create_dir_all(list.parent().unwrap()).unwrap();
    std::fs::write(&list, format!("{}\n", sample.display())).unwrap();
    let local: Vec<String> = args
        .iter()
        .map(|a| {
            let a = a.replace(list_arg, list.to_str().unwrap());
            match a.split_once("=/") {
                Some((f, p)) if a.contains('{') => format!("{f}={}/{p}", dir.path().display()),
                _ => a,
            }
        })
        .collect();
    let o = bin()
        .args(&local)
        .env("JOB_COMPLETION_INDEX", "0")
        .output()
        .unwrap();
    assert!(o.status.success(), "{local:?}: {}", stderr(&o));
}
