//! IMG005 add-instead-of-copy.

use crate::audit::AuditCtx;
use crate::audit::finding::{Finding, Findings};
use crate::audit::rule::{Rule, RuleMeta, declare_rule};
use crate::fs::EntryKind;

declare_rule! {
    /// ## What it flags
    /// `ADD` of local files or directories that are not archives, where `COPY` does the same
    /// (hadolint DL3020, CIS Docker Benchmark 4.9). From the history, a classic
    /// `ADD dir:… in /dst` always qualifies and `ADD file:…` when its layer holds a single
    /// file (nothing was unpacked). URLs are PIN009's business; the base's own `ADD` of its
    /// root filesystem is not judged.
    ///
    /// ## Why it matters
    /// `ADD` silently unpacks archives and fetches URLs; using it for plain files hides that
    /// behaviour from reviewers and invites surprises when a file happens to be an archive.
    ///
    /// ## How to fix
    /// Use `COPY src dst`.
    ///
    /// ## Policy example
    /// ```toml
    /// [rules]
    /// IMG005 = "off"
    /// ```
    pub(crate) struct AddInsteadOfCopy;
    id: "IMG005",
    name: "add-instead-of-copy",
    title: "ADD used where COPY would do",
    group: Image,
    severity: Low,
    enabled: true,
}

const ARCHIVES: &[&str] = &[
    ".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tbz", ".tar.xz", ".txz", ".tar.zst", ".tzst",
    ".tar.lz", ".gz", ".bz2", ".xz", ".zst",
];

impl Rule for AddInsteadOfCopy {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &AuditCtx<'_>, out: &mut Findings) {
        for step in cx.instructions() {
            if step.keyword != "ADD" {
                continue;
            }
            let words: Vec<&str> = step.args.split_whitespace().collect();
            let plain = if let Some(src) = words
                .first()
                .filter(|w| w.starts_with("file:") || w.starts_with("dir:"))
            {
                // Classic history: `ADD file:<hash> in /dst`.
                src.starts_with("dir:")
                    || step
                        .layer()
                        .and_then(|l| cx.trees.get(l as usize))
                        .is_some_and(|t| {
                            t.entries
                                .iter()
                                .filter(|e| e.meta.kind != EntryKind::Dir)
                                .count()
                                == 1
                        })
            } else {
                let srcs = &words[..words.len().saturating_sub(1)];
                !srcs.is_empty()
                    && srcs.iter().all(|s| {
                        !s.contains("://")
                            && !s.starts_with("git@")
                            && !s.contains('$')
                            && !ARCHIVES.iter().any(|e| s.to_ascii_lowercase().ends_with(e))
                    })
            };
            if plain {
                out.push(
                    Finding::new(&META, "ADD copies plain files; use COPY")
                        .at(cx.step_evidence(step)),
                );
            }
        }
    }
}
