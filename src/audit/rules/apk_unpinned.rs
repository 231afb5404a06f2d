//! PIN002 apk-unpinned.

use super::{list, operands, run_commands};
use crate::audit::AuditCtx;
use crate::audit::finding::{Finding, Findings};
use crate::audit::rule::{Rule, RuleMeta, declare_rule};
use crate::audit::shell::program;

declare_rule! {
    /// ## What it flags
    /// `apk add` naming packages without a version (`apk add curl` instead of
    /// `curl=8.5.0-r0`; `~` and `>`/`<` constraints count as pinned), in the Dockerfile or the
    /// history after the base (hadolint DL3018).
    ///
    /// ## Why it matters
    /// Builds are not reproducible: each build takes whatever the repository holds that day.
    ///
    /// ## How to fix
    /// `apk add --no-cache curl=8.5.0-r0`.
    ///
    /// ## Policy example
    /// ```toml
    /// [rules]
    /// PIN002 = "off"
    /// ```
    pub(crate) struct ApkUnpinned;
    id: "PIN002",
    name: "apk-unpinned",
    title: "apk package installed without a pinned version",
    group: Pinning,
    severity: Medium,
    enabled: true,
}

const TAKES_VALUE: &[&str] = &[
    "-t",
    "--virtual",
    "-X",
    "--repository",
    "-p",
    "--root",
    "--arch",
    "--cache-dir",
    "--keys-dir",
    "--repositories-file",
];

impl Rule for ApkUnpinned {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &AuditCtx<'_>, out: &mut Findings) {
        for (step, words) in run_commands(cx) {
            if program(&words) != "apk" {
                continue;
            }
            let Some(i) = words.iter().position(|w| w == "add") else {
                continue;
            };
            let unpinned: Vec<String> = operands(&words, i + 1, TAKES_VALUE)
                .into_iter()
                .filter(|p| {
                    !p.contains(['=', '~', '<', '>']) && !p.ends_with(".apk") && !p.contains('$')
                })
                .collect();
            if unpinned.is_empty() {
                continue;
            }
            out.push(
                Finding::new(
                    &META,
                    format!("apk adds without a version: {}", list(&unpinned, 8)),
                )
                .at(cx.step_evidence(step)),
            );
        }
    }
}
