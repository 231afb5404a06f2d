//! PIN007 cargo-install-unpinned.

use super::{operands, run_commands};
use crate::audit::AuditCtx;
use crate::audit::finding::{Finding, Findings};
use crate::audit::rule::{Rule, RuleMeta, declare_rule};
use crate::audit::shell::program;

declare_rule! {
    /// ## What it flags
    /// `cargo install` of a crate without a version (`--version`, `--vers` or `name@1.2.3`),
    /// or any `cargo install` without `--locked`.
    ///
    /// ## Why it matters
    /// Without a version the newest release is built; without `--locked` cargo ignores the
    /// crate's `Cargo.lock` and resolves fresh dependency versions on every build.
    ///
    /// ## How to fix
    /// `cargo install ripgrep@14.1.0 --locked`.
    ///
    /// ## Policy example
    /// ```toml
    /// [rules]
    /// PIN007 = "low"
    /// ```
    pub(crate) struct CargoInstallUnpinned;
    id: "PIN007",
    name: "cargo-install-unpinned",
    title: "cargo install without a version or --locked",
    group: Pinning,
    severity: Medium,
    enabled: true,
}

const TAKES_VALUE: &[&str] = &[
    "--version",
    "--vers",
    "--git",
    "--branch",
    "--tag",
    "--rev",
    "--path",
    "--root",
    "--index",
    "--registry",
    "--target",
    "--features",
    "-F",
    "--profile",
    "-j",
    "--jobs",
    "--bin",
    "--example",
    "--target-dir",
    "--config",
    "-Z",
];

impl Rule for CargoInstallUnpinned {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &AuditCtx<'_>, out: &mut Findings) {
        for (step, words) in run_commands(cx) {
            if program(&words) != "cargo" || words.get(1).map(String::as_str) != Some("install") {
                continue;
            }
            let has = |f: &str| {
                words
                    .iter()
                    .any(|w| w == f || w.starts_with(&format!("{f}=")))
            };
            let pinned_source = has("--path") || has("--rev") || has("--tag");
            let mut missing = Vec::new();
            let crates = operands(&words, 2, TAKES_VALUE);
            if !pinned_source
                && !has("--version")
                && !has("--vers")
                && crates.iter().any(|c| !c.contains('@'))
            {
                missing.push("a version");
            }
            if !has("--locked") {
                missing.push("--locked");
            }
            if missing.is_empty() {
                continue;
            }
            let what = if crates.is_empty() {
                "cargo install".to_owned()
            } else {
                format!("cargo install {}", crates.join(" "))
            };
            out.push(
                Finding::new(&META, format!("{what} without {}", missing.join(" and ")))
                    .at(cx.step_evidence(step)),
            );
        }
    }
}
