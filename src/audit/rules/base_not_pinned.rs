//! BAS001 base-not-pinned.

use crate::audit::AuditCtx;
use crate::audit::base::BaseMethod;
use crate::audit::finding::{Finding, Findings};
use crate::audit::rule::{Rule, RuleMeta, declare_rule};

declare_rule! {
    /// ## What it flags
    /// A `FROM` line of the final stage's chain that names its base image by tag only
    /// (`FROM debian:12`), without a digest (`FROM debian:12@sha256:…`). Needs `--dockerfile`:
    /// an image records the base's digest it was built on, not how the Dockerfile named it.
    ///
    /// ## Why it matters
    /// A tag moves. The same Dockerfile builds on a different base tomorrow, so builds are not
    /// reproducible and a compromised or broken tag flows straight into your image.
    ///
    /// ## How to fix
    /// Pin the digest and let a bot (Renovate, Dependabot) bump it:
    /// `FROM debian:12@sha256:<digest>`.
    ///
    /// ## Policy example
    /// ```toml
    /// [rules]
    /// BAS001 = "off"
    /// ```
    pub(crate) struct BaseNotPinned;
    id: "BAS001",
    name: "base-not-pinned",
    title: "Base image referenced by tag without a digest",
    group: Base,
    severity: Medium,
    enabled: true,
}

impl Rule for BaseNotPinned {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &AuditCtx<'_>, out: &mut Findings) {
        let Some(d) = cx.dockerfile else { return };
        let Some(stage) = d.final_base() else { return };
        if stage.image.contains('@') || stage.image.contains('$') {
            return;
        }
        let step = &d.steps[stage.step];
        out.push(
            Finding::new(
                &META,
                format!(
                    "base image {} is referenced by tag, not by digest",
                    stage.image
                ),
            )
            .at(cx.step_evidence(step))
            .base(Some(cx.base.as_ref_by(&[BaseMethod::Dockerfile]))),
        );
    }
}
