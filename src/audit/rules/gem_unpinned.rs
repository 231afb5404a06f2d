//! PIN005 gem-unpinned.

use super::{list, operands, run_commands};
use crate::audit::AuditCtx;
use crate::audit::finding::{Finding, Findings};
use crate::audit::rule::{Rule, RuleMeta, declare_rule};
use crate::audit::shell::program;

declare_rule! {
    /// ## What it flags
    /// `gem install` without `-v`/`--version` and without `name:version` operands
    /// (hadolint DL3028).
    ///
    /// ## Why it matters
    /// Each build installs the newest release: not reproducible, and open to a bad release.
    ///
    /// ## How to fix
    /// `gem install bundler -v 2.5.10` (or `gem install bundler:2.5.10`), or a `Gemfile.lock`
    /// with `bundle install --deployment`.
    ///
    /// ## Policy example
    /// ```toml
    /// [rules]
    /// PIN005 = "low"
    /// ```
    pub(crate) struct GemUnpinned;
    id: "PIN005",
    name: "gem-unpinned",
    title: "gem installed without a pinned version",
    group: Pinning,
    severity: Medium,
    enabled: true,
}

impl Rule for GemUnpinned {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &AuditCtx<'_>, out: &mut Findings) {
        for (step, words) in run_commands(cx) {
            if program(&words) != "gem" || words.get(1).map(String::as_str) != Some("install") {
                continue;
            }
            if words
                .iter()
                .any(|w| w == "-v" || w == "--version" || w.starts_with("--version="))
            {
                continue;
            }
            let loose: Vec<String> = operands(
                &words,
                2,
                &[
                    "-i",
                    "--install-dir",
                    "-n",
                    "--bindir",
                    "--source",
                    "-s",
                    "--platform",
                ],
            )
            .into_iter()
            .filter(|g| !g.contains(':') && !g.ends_with(".gem") && !g.contains('$'))
            .collect();
            if loose.is_empty() {
                continue;
            }
            out.push(
                Finding::new(
                    &META,
                    format!("gem installs without a version: {}", list(&loose, 8)),
                )
                .at(cx.step_evidence(step)),
            );
        }
    }
}
