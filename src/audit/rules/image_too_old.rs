//! AGE001 image-too-old.

use crate::audit::AuditCtx;
use crate::audit::finding::{Evidence, Finding, Findings};
use crate::audit::rule::{Rule, RuleMeta, declare_rule};

declare_rule! {
    /// ## What it flags
    /// An image built (config `created`) longer ago than `thresholds.max_image_age`
    /// (default 30 days). Images without a `created` time, or with the Unix epoch (a
    /// reproducible build that zeroed it), are not judged.
    ///
    /// ## Why it matters
    /// Docker's security guidance is to rebuild images often (at least weekly) so they pick
    /// up the base image's and the packages' security fixes. An old image has missed them.
    ///
    /// ## How to fix
    /// Rebuild on a schedule (`docker build --pull --no-cache`) and redeploy.
    ///
    /// ## Policy example
    /// ```toml
    /// [thresholds]
    /// max_image_age = "7d"
    /// ```
    pub(crate) struct ImageTooOld;
    id: "AGE001",
    name: "image-too-old",
    title: "Image was built longer ago than the policy allows",
    group: Age,
    severity: Medium,
    enabled: true,
}

impl Rule for ImageTooOld {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &AuditCtx<'_>, out: &mut Findings) {
        let Some(created) = &cx.sbom.image.created else {
            return;
        };
        let Ok(t) = created.parse::<jiff::Timestamp>() else {
            return;
        };
        if t.as_second() <= 0 {
            return;
        }
        let age = cx.now.as_second() - t.as_second();
        if age <= cx.policy.max_image_age {
            return;
        }
        out.push(
            Finding::new(
                &META,
                format!(
                    "image was built {} days ago ({created}); the policy allows {} days",
                    age / 86_400,
                    cx.policy.max_image_age / 86_400
                ),
            )
            .at(Evidence::Config {
                field: "created".into(),
                value: Some(created.clone()),
            }),
        );
    }
}
