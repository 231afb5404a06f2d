//! IMG004 no-healthcheck.

use crate::audit::AuditCtx;
use crate::audit::finding::{Evidence, Finding, Findings};
use crate::audit::rule::{Rule, RuleMeta, declare_rule};

declare_rule! {
    /// ## What it flags
    /// An image without a `HEALTHCHECK` (or with `HEALTHCHECK NONE`) (CIS Docker Benchmark 4.6).
    ///
    /// ## Why it matters
    /// Without a health check the engine only knows whether the process runs, not whether it
    /// serves: a hung service is never restarted.
    ///
    /// ## How to fix
    /// `HEALTHCHECK --interval=30s CMD ["/app/healthcheck"]`. Images that only run under
    /// Kubernetes (which ignores it in favour of probes) can turn the rule off.
    ///
    /// ## Policy example
    /// ```toml
    /// [rules]
    /// no-healthcheck = "off"
    /// ```
    pub(crate) struct NoHealthcheck;
    id: "IMG004",
    name: "no-healthcheck",
    title: "No HEALTHCHECK",
    group: Image,
    severity: Low,
    enabled: true,
}

impl Rule for NoHealthcheck {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &AuditCtx<'_>, out: &mut Findings) {
        let hc = cx
            .sbom
            .image
            .config
            .config
            .as_ref()
            .and_then(|c| c.healthcheck.as_ref());
        let disabled = hc.is_some_and(|h| {
            h.test
                .first()
                .is_some_and(|t| t.eq_ignore_ascii_case("NONE"))
        });
        if hc.is_some_and(|h| !h.test.is_empty()) && !disabled {
            return;
        }
        let msg = if disabled {
            "the health check is disabled (HEALTHCHECK NONE)"
        } else {
            "the image defines no HEALTHCHECK"
        };
        out.push(Finding::new(&META, msg).at(Evidence::Config {
            field: "config.Healthcheck".into(),
            value: None,
        }));
    }
}
