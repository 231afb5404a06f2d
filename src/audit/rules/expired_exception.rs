//! POL002 expired-exception.

use crate::audit::AuditCtx;
use crate::audit::finding::Findings;
use crate::audit::rule::{Rule, RuleMeta, declare_rule};

declare_rule! {
    /// ## What it flags
    /// A policy exception whose `expires` date has passed. It no longer suppresses anything:
    /// the findings it covered are reported again, and so is the exception itself.
    ///
    /// ## Why it matters
    /// Exceptions are meant to be temporary; an expired one is a decision that must be
    /// renewed (with a reason) or fixed.
    ///
    /// ## How to fix
    /// Fix what the exception covered and delete it, or extend `expires` with a fresh reason.
    ///
    /// ## Policy example
    /// ```toml
    /// [[exceptions]]
    /// rule = "IMG001"
    /// reason = "migration to a non-root user tracked in JIRA-123"
    /// expires = "2026-03-31"
    /// ```
    pub(crate) struct ExpiredException;
    id: "POL002",
    name: "expired-exception",
    title: "Exception has expired",
    group: Policy,
    severity: Medium,
    enabled: true,
}

impl Rule for ExpiredException {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    /// Evaluated after all other rules, when exceptions are applied (see `report::assemble`).
    fn check(&self, _cx: &AuditCtx<'_>, _out: &mut Findings) {}
}
