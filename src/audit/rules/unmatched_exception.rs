//! POL001 unmatched-exception.

use crate::audit::AuditCtx;
use crate::audit::finding::Findings;
use crate::audit::rule::{Rule, RuleMeta, declare_rule};

declare_rule! {
    /// ## What it flags
    /// A policy exception (`[[exceptions]]`) that matched no finding in this audit (after
    /// cargo-deny's `unmatched-*` checks). Expired exceptions are POL002's instead.
    ///
    /// ## Why it matters
    /// Stale exceptions pile up and later hide a new finding that happens to match them.
    ///
    /// ## How to fix
    /// Remove the exception, or narrow it to what it is meant to cover.
    ///
    /// ## Policy example
    /// ```toml
    /// [rules]
    /// unmatched-exception = "off"
    /// ```
    pub(crate) struct UnmatchedException;
    id: "POL001",
    name: "unmatched-exception",
    title: "Exception matches no finding",
    group: Policy,
    severity: Low,
    enabled: true,
}

impl Rule for UnmatchedException {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    /// Evaluated after all other rules, when exceptions are applied (see `report::assemble`).
    fn check(&self, _cx: &AuditCtx<'_>, _out: &mut Findings) {}
}
