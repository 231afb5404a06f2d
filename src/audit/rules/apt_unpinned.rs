//! PIN001 apt-unpinned.

use super::{list, operands, run_commands};
use crate::audit::AuditCtx;
use crate::audit::finding::{Finding, Findings};
use crate::audit::rule::{Rule, RuleMeta, declare_rule};
use crate::audit::shell::program;

declare_rule! {
    /// ## What it flags
    /// `apt-get install` / `apt install` naming packages without a version
    /// (`apt-get install -y curl` instead of `curl=7.88.1-10+deb12u5`), in the Dockerfile or,
    /// without one, in the image's history after the base (hadolint DL3008). Local `.deb`
    /// files and variables are not judged.
    ///
    /// ## Why it matters
    /// The same Dockerfile installs different versions on every build, so a build is not
    /// reproducible and a regression or a compromised update arrives unnoticed.
    ///
    /// ## How to fix
    /// Pin each package: `apt-get install -y --no-install-recommends curl=7.88.1-10+deb12u5`.
    ///
    /// ## Policy example
    /// ```toml
    /// [rules]
    /// apt-unpinned = "low"
    /// ```
    pub(crate) struct AptUnpinned;
    id: "PIN001",
    name: "apt-unpinned",
    title: "apt package installed without a pinned version",
    group: Pinning,
    severity: Medium,
    enabled: true,
}

const TAKES_VALUE: &[&str] = &[
    "-o",
    "-t",
    "--target-release",
    "-c",
    "--config-file",
    "--option",
];

impl Rule for AptUnpinned {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &AuditCtx<'_>, out: &mut Findings) {
        for (step, words) in run_commands(cx) {
            if !matches!(program(&words), "apt-get" | "apt" | "aptitude") {
                continue;
            }
            let Some(i) = words.iter().position(|w| w == "install") else {
                continue;
            };
            let unpinned: Vec<String> = operands(&words, i + 1, TAKES_VALUE)
                .into_iter()
                .filter(|p| {
                    !p.contains('=')
                        && !p.ends_with(".deb")
                        && !p.contains('$')
                        && !p.starts_with('/')
                        && !p.starts_with('.')
                })
                .collect();
            if unpinned.is_empty() {
                continue;
            }
            out.push(
                Finding::new(
                    &META,
                    format!("apt installs without a version: {}", list(&unpinned, 8)),
                )
                .at(cx.step_evidence(step)),
            );
        }
    }
}
