//! PIN003 pip-unpinned.

use super::{list, operands, run_commands};
use crate::audit::AuditCtx;
use crate::audit::finding::{Finding, Findings};
use crate::audit::rule::{Rule, RuleMeta, declare_rule};
use crate::audit::shell::program;

declare_rule! {
    /// ## What it flags
    /// `pip install` (also `pip3`, `python -m pip`, `uv pip install`) naming a requirement
    /// without an exact `==` version (`flask`, `flask>=2`), or installing from a requirements
    /// file (`-r`) without `--require-hashes`. Local paths, wheels and archives are not judged;
    /// a constraints file (`-c`) counts as pinning.
    ///
    /// ## Why it matters
    /// Unpinned Python dependencies change between builds, and without hashes a tampered
    /// package on the index is installed as readily as the real one.
    ///
    /// ## How to fix
    /// `pip install flask==3.0.3`, or generate a locked requirements file with hashes
    /// (`pip-compile --generate-hashes`) and `pip install --require-hashes -r requirements.txt`.
    ///
    /// ## Policy example
    /// ```toml
    /// [rules]
    /// pip-unpinned = "high"
    /// ```
    pub(crate) struct PipUnpinned;
    id: "PIN003",
    name: "pip-unpinned",
    title: "pip package installed without a pinned version",
    group: Pinning,
    severity: Medium,
    enabled: true,
}

const TAKES_VALUE: &[&str] = &[
    "-i",
    "--index-url",
    "--extra-index-url",
    "-t",
    "--target",
    "--prefix",
    "--root",
    "-f",
    "--find-links",
    "--trusted-host",
    "--platform",
    "--python-version",
    "--implementation",
    "--abi",
    "--only-binary",
    "--no-binary",
    "--progress-bar",
    "--cache-dir",
    "--src",
    "--log",
    "--timeout",
    "--retries",
    "--upgrade-strategy",
    "-e",
    "--editable",
    "--python",
];

fn is_local(p: &str) -> bool {
    p.starts_with('.')
        || p.starts_with('/')
        || p.contains('$')
        || p.contains("://")
        || p.contains(" @ ")
        || [".whl", ".tar.gz", ".zip", ".tgz"]
            .iter()
            .any(|e| p.ends_with(e))
}

impl Rule for PipUnpinned {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &AuditCtx<'_>, out: &mut Findings) {
        for (step, words) in run_commands(cx) {
            let prog = program(&words);
            let start = if prog.starts_with("pip") {
                1
            } else if prog.starts_with("python")
                && words.get(1).map(String::as_str) == Some("-m")
                && words.get(2).is_some_and(|w| w.starts_with("pip"))
            {
                3
            } else if prog == "uv" && words.get(1).map(String::as_str) == Some("pip") {
                2
            } else {
                continue;
            };
            if words.get(start).map(String::as_str) != Some("install") {
                continue;
            }
            let hashes = words.iter().any(|w| w == "--require-hashes");
            let constraints = words
                .iter()
                .any(|w| w == "-c" || w.starts_with("--constraint"));
            let mut problems: Vec<String> = Vec::new();
            let mut i = start + 1;
            while i < words.len() {
                let w = &words[i];
                if (w == "-r" || w == "--requirement") && !hashes {
                    if let Some(f) = words.get(i + 1) {
                        problems.push(format!("-r {f} without --require-hashes"));
                    }
                } else if let Some(f) = w
                    .strip_prefix("--requirement=")
                    .or_else(|| w.strip_prefix("-r").filter(|r| !r.is_empty()))
                    && !hashes
                {
                    problems.push(format!("-r {f} without --require-hashes"));
                }
                i += 1;
            }
            let mut takes: Vec<&str> = TAKES_VALUE.to_vec();
            takes.extend(["-r", "--requirement", "-c", "--constraint"]);
            if !constraints {
                for p in operands(&words, start + 1, &takes) {
                    if !p.contains("==") && !is_local(&p) {
                        problems.push(p);
                    }
                }
            }
            if problems.is_empty() {
                continue;
            }
            out.push(
                Finding::new(
                    &META,
                    format!(
                        "pip installs without pinned versions: {}",
                        list(&problems, 8)
                    ),
                )
                .at(cx.step_evidence(step)),
            );
        }
    }
}
