//! BAS003 base-too-old.

use crate::audit::AuditCtx;
use crate::audit::finding::{Evidence, Finding, Findings};
use crate::audit::rule::{Rule, RuleMeta, declare_rule};

declare_rule! {
    /// ## What it flags
    /// A base image built longer ago than `thresholds.max_base_age` (default 90 days). The
    /// base's build time comes from the base catalog entry the image matches, else from the
    /// history step where the base ends. A zeroed time (reproducible builds) is not judged.
    ///
    /// ## Why it matters
    /// Distributions publish security fixes continuously; a base built months ago ships the
    /// vulnerabilities fixed since. Official images are rebuilt at least monthly.
    ///
    /// ## How to fix
    /// Rebuild on a current build of the base (`docker build --pull`), and pin the new digest.
    ///
    /// ## Policy example
    /// ```toml
    /// [thresholds]
    /// max_base_age = "60d"
    /// ```
    pub(crate) struct BaseTooOld;
    id: "BAS003",
    name: "base-too-old",
    title: "Base image is older than the policy allows",
    group: Base,
    severity: Medium,
    enabled: true,
}

impl Rule for BaseTooOld {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &AuditCtx<'_>, out: &mut Findings) {
        let b = &cx.base;
        let (Some(created), Some(method)) = (&b.created, b.created_by) else {
            return;
        };
        let Ok(t) = created.parse::<jiff::Timestamp>() else {
            return;
        };
        // Reproducible builds (distroless, ko, apko) zero the time: no age to judge, as AGE001.
        if t.as_second() <= 0 {
            return;
        }
        let age = cx.now.as_second() - t.as_second();
        if age <= cx.policy.max_base_age {
            return;
        }
        let mut methods = vec![method];
        methods.extend(b.name_by.iter().copied());
        out.push(
            Finding::new(
                &META,
                format!(
                    "base image {} was built {} days ago ({created}); the policy allows {} days",
                    b.display(),
                    age / 86_400,
                    cx.policy.max_base_age / 86_400
                ),
            )
            .at(Evidence::Config {
                field: "base.created".into(),
                value: Some(created.clone()),
            })
            .base(Some(b.as_ref_by(&methods))),
        );
    }
}
