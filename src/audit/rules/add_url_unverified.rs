//! PIN009 add-url-unverified.

use crate::audit::AuditCtx;
use crate::audit::finding::{Finding, Findings};
use crate::audit::rule::{Rule, RuleMeta, declare_rule};

declare_rule! {
    /// ## What it flags
    /// `ADD <url>` (http, https or a git URL) without `--checksum=sha256:…` (for git,
    /// without a pinned commit: `--checksum` or a `#<commit>` ref).
    ///
    /// ## Why it matters
    /// The build fetches whatever the URL serves that day, unverified.
    ///
    /// ## How to fix
    /// `ADD --checksum=sha256:<digest> https://example.com/tool.tar.gz /opt/`, or download in
    /// a `RUN` and verify with `sha256sum -c`.
    ///
    /// ## Policy example
    /// ```toml
    /// [rules]
    /// PIN009 = "high"
    /// ```
    pub(crate) struct AddUrlUnverified;
    id: "PIN009",
    name: "add-url-unverified",
    title: "ADD of a URL without --checksum",
    group: Pinning,
    severity: Medium,
    enabled: true,
}

impl Rule for AddUrlUnverified {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &AuditCtx<'_>, out: &mut Findings) {
        for step in cx.instructions() {
            if step.keyword != "ADD" || step.flag("checksum").is_some() {
                continue;
            }
            let words: Vec<&str> = step.args.split_whitespace().collect();
            let srcs = &words[..words.len().saturating_sub(1)];
            for s in srcs {
                let url = s.starts_with("http://")
                    || s.starts_with("https://")
                    || s.starts_with("git@")
                    || s.ends_with(".git");
                let pinned_git =
                    s.contains(".git#") && s.rsplit('#').next().is_some_and(|r| r.len() >= 40);
                if url && !pinned_git {
                    out.push(
                        Finding::new(&META, format!("ADD {s} without --checksum"))
                            .at(cx.step_evidence(step)),
                    );
                }
            }
        }
    }
}
