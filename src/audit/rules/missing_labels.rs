//! IMG009 missing-labels.

use crate::audit::AuditCtx;
use crate::audit::finding::{Evidence, Finding, Findings};
use crate::audit::rule::{Rule, RuleMeta, declare_rule};

declare_rule! {
    /// ## What it flags
    /// Traceability labels (or manifest annotations) that the policy requires and the image
    /// lacks: by default `org.opencontainers.image.source`, `.revision` and `.version`
    /// (<https://github.com/opencontainers/image-spec/blob/main/annotations.md>).
    ///
    /// ## Why it matters
    /// Without them nobody can tell which repository, commit and release an image in
    /// production was built from, so a vulnerable build cannot be traced to its fix.
    ///
    /// ## How to fix
    /// `LABEL org.opencontainers.image.source=https://github.com/org/app
    /// org.opencontainers.image.revision=$GIT_SHA org.opencontainers.image.version=$VERSION`,
    /// or `docker buildx build --annotation …`.
    ///
    /// ## Policy example
    /// ```toml
    /// [hardening]
    /// required_labels = ["org.opencontainers.image.source"]
    /// ```
    pub(crate) struct MissingLabels;
    id: "IMG009",
    name: "missing-labels",
    title: "Traceability labels missing",
    group: Image,
    severity: Low,
    enabled: true,
}

impl Rule for MissingLabels {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &AuditCtx<'_>, out: &mut Findings) {
        let labels = cx.sbom.image.config.labels();
        let missing: Vec<String> = cx
            .policy
            .required_labels
            .iter()
            .filter(|l| {
                labels.get(*l).is_none_or(|v| v.trim().is_empty())
                    && cx
                        .sbom
                        .image
                        .annotations
                        .get(*l)
                        .is_none_or(|v| v.trim().is_empty())
            })
            .cloned()
            .collect();
        if missing.is_empty() {
            return;
        }
        out.push(
            Finding::new(&META, format!("missing labels: {}", missing.join(", "))).at(
                Evidence::Config {
                    field: "config.Labels".into(),
                    value: None,
                },
            ),
        );
    }
}
