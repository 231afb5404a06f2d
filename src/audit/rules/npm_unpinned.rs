//! PIN004 npm-unpinned.

use super::{list, operands};
use crate::audit::AuditCtx;
use crate::audit::finding::{Finding, Findings};
use crate::audit::rule::{Rule, RuleMeta, declare_rule};
use crate::audit::shell::{self, program};

declare_rule! {
    /// ## What it flags
    /// `npm install` (`npm i`, `npm add`; also `yarn add`, `pnpm add`) naming packages without
    /// an exact version (`express`, `express@^4`, `express@latest`), and a bare `npm install`
    /// in a directory (the `WORKDIR`, or a `cd` in the same `RUN`) whose lockfile
    /// (`package-lock.json`, `npm-shrinkwrap.json`) is in no layer of the image. `npm ci`
    /// always installs from the lockfile and is fine (hadolint DL3016).
    ///
    /// ## Why it matters
    /// Without exact versions or a lockfile, every build resolves a different dependency tree:
    /// not reproducible, and open to a malicious release landing between two builds.
    ///
    /// ## How to fix
    /// Commit `package-lock.json`, copy it into the image and run `npm ci`; install global
    /// tools with an exact version (`npm install -g typescript@5.4.5`).
    ///
    /// ## Policy example
    /// ```toml
    /// [rules]
    /// npm-unpinned = "high"
    /// ```
    pub(crate) struct NpmUnpinned;
    id: "PIN004",
    name: "npm-unpinned",
    title: "npm package installed without a pinned version or lockfile",
    group: Pinning,
    severity: Medium,
    enabled: true,
}

const TAKES_VALUE: &[&str] = &[
    "--prefix",
    "--registry",
    "--cache",
    "-w",
    "--workspace",
    "--tag",
    "--userconfig",
];

/// True when an npm package spec names an exact version.
fn exact(spec: &str) -> bool {
    let body = spec
        .strip_prefix('@')
        .map_or(spec, |s| s.split_once('/').map_or(s, |(_, n)| n));
    match body.split_once('@') {
        Some((_, v)) => {
            !v.is_empty()
                && v.chars().next().is_some_and(|c| c.is_ascii_digit())
                && !v.contains(['^', '~', '*', '>', '<', ' ', '|'])
                && !v.split('.').any(|p| p == "x" || p == "X")
        }
        None => false,
    }
}

fn local(spec: &str) -> bool {
    spec.starts_with('.')
        || spec.starts_with('/')
        || spec.contains("://")
        || spec.contains('$')
        || spec.ends_with(".tgz")
        || spec.starts_with("file:")
        || spec.starts_with("git+")
}

fn join(dir: &str, p: &str) -> String {
    if p.starts_with('/') || dir.is_empty() {
        p.trim_matches('/').to_owned()
    } else {
        format!("{dir}/{}", p.trim_matches('/'))
    }
}

impl Rule for NpmUnpinned {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &AuditCtx<'_>, out: &mut Findings) {
        let has_lock = |dir: &str| {
            ["package-lock.json", "npm-shrinkwrap.json"]
                .iter()
                .any(|l| {
                    let p = if dir.is_empty() {
                        (*l).to_owned()
                    } else {
                        format!("{dir}/{l}")
                    };
                    cx.trees
                        .iter()
                        .any(|t| t.entries.iter().any(|e| e.path == p))
                })
        };
        let mut workdir = String::new();
        let mut stage = usize::MAX;
        for step in cx.instructions() {
            if step.stage != stage {
                stage = step.stage;
                workdir.clear();
            }
            if step.keyword == "WORKDIR" {
                workdir = join(&workdir, step.args.trim().trim_matches('"'));
                continue;
            }
            if step.keyword != "RUN" {
                continue;
            }
            let mut dir = workdir.clone();
            for words in shell::commands(&step.args) {
                let prog = program(&words);
                if prog == "cd" {
                    if let Some(d) = words.get(1) {
                        dir = join(&dir, d);
                    }
                    continue;
                }
                let verb = words.get(1).map(String::as_str).unwrap_or("");
                let installs = match prog {
                    "npm" => matches!(verb, "install" | "i" | "add" | "isntall" | "in"),
                    "yarn" | "pnpm" => {
                        verb == "add"
                            || (verb == "global" && words.get(2).map(String::as_str) == Some("add"))
                    }
                    _ => false,
                };
                if !installs {
                    continue;
                }
                let start = if verb == "global" { 3 } else { 2 };
                let specs = operands(&words, start, TAKES_VALUE);
                let loose: Vec<String> = specs
                    .iter()
                    .filter(|s| !exact(s) && !local(s))
                    .cloned()
                    .collect();
                let msg = if !loose.is_empty() {
                    format!(
                        "{prog} installs without exact versions: {}",
                        list(&loose, 8)
                    )
                } else if specs.is_empty() && prog == "npm" && !has_lock(&dir) {
                    format!(
                        "npm install without a lockfile in /{dir} (no package-lock.json in any layer); use npm ci with a committed lockfile"
                    )
                } else {
                    continue;
                };
                out.push(Finding::new(&META, msg).at(cx.step_evidence(step)));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_versions() {
        assert!(exact("express@4.19.2") && exact("@types/node@20.1.0"));
        assert!(
            !exact("express")
                && !exact("express@^4")
                && !exact("@types/node")
                && !exact("x@latest")
                && !exact("x@4.x")
        );
    }
}
