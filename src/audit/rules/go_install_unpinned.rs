//! PIN006 go-install-unpinned.

use super::{list, operands, run_commands};
use crate::audit::AuditCtx;
use crate::audit::finding::{Finding, Findings};
use crate::audit::rule::{Rule, RuleMeta, declare_rule};
use crate::audit::shell::program;

declare_rule! {
    /// ## What it flags
    /// `go install` or `go get` of a remote module at `@latest` (or a moving branch:
    /// `@master`, `@main`, `@HEAD`), or `go get` with no version at all. Local packages
    /// (`./cmd/app`) are not judged.
    ///
    /// ## Why it matters
    /// `@latest` resolves to whatever was tagged last: the build is not reproducible.
    ///
    /// ## How to fix
    /// Name the version: `go install golang.org/x/tools/gopls@v0.15.3`.
    ///
    /// ## Policy example
    /// ```toml
    /// [rules]
    /// go-install-unpinned = "off"
    /// ```
    pub(crate) struct GoInstallUnpinned;
    id: "PIN006",
    name: "go-install-unpinned",
    title: "Go module installed at latest",
    group: Pinning,
    severity: Medium,
    enabled: true,
}

impl Rule for GoInstallUnpinned {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &AuditCtx<'_>, out: &mut Findings) {
        for (step, words) in run_commands(cx) {
            let verb = words.get(1).map(String::as_str).unwrap_or("");
            if program(&words) != "go" || !matches!(verb, "install" | "get") {
                continue;
            }
            let loose: Vec<String> = operands(
                &words,
                2,
                &["-o", "-ldflags", "-tags", "-gcflags", "-modfile", "-C"],
            )
            .into_iter()
            .filter(|m| {
                !m.starts_with('.') && !m.starts_with('/') && !m.contains('$') && m.contains('.')
            })
            .filter(|m| match m.split_once('@') {
                Some((_, v)) => matches!(
                    v,
                    "latest" | "master" | "main" | "HEAD" | "upgrade" | "patch"
                ),
                None => verb == "get",
            })
            .collect();
            if loose.is_empty() {
                continue;
            }
            out.push(
                Finding::new(
                    &META,
                    format!("go {verb} without a fixed version: {}", list(&loose, 8)),
                )
                .at(cx.step_evidence(step)),
            );
        }
    }
}
