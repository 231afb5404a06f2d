//! BAS002 base-latest-tag.

use crate::audit::AuditCtx;
use crate::audit::base::BaseMethod;
use crate::audit::finding::{Evidence, Finding, Findings};
use crate::audit::rule::{Rule, RuleMeta, declare_rule};

declare_rule! {
    /// ## What it flags
    /// A base image named with the `latest` tag or with no tag at all (which means `latest`),
    /// unless it is pinned by digest. The name comes from the Dockerfile's `FROM`, the
    /// `org.opencontainers.image.base.name` annotation or a provenance attestation.
    ///
    /// ## Why it matters
    /// `latest` jumps across major releases: a rebuild can silently move to a new distro
    /// release with different packages, users and defaults.
    ///
    /// ## How to fix
    /// Name a release tag (`debian:12-slim`, `alpine:3.20`), ideally with its digest.
    ///
    /// ## Policy example
    /// ```toml
    /// [rules]
    /// base-latest-tag = "high"
    /// ```
    pub(crate) struct BaseLatestTag;
    id: "BAS002",
    name: "base-latest-tag",
    title: "Base image uses the latest tag or no tag",
    group: Base,
    severity: Medium,
    enabled: true,
}

impl Rule for BaseLatestTag {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &AuditCtx<'_>, out: &mut Findings) {
        let b = &cx.base;
        let by: Vec<BaseMethod> = b
            .name_by
            .iter()
            .copied()
            .filter(|m| *m != BaseMethod::Catalog)
            .collect();
        let Some(reference) = &b.reference else {
            return;
        };
        if by.is_empty() || reference.contains('@') {
            return;
        }
        if !matches!(b.tag.as_deref(), None | Some("latest")) {
            return;
        }
        let mut f = Finding::new(
            &META,
            format!(
                "base image {reference} {}",
                if b.tag.is_some() {
                    "uses the latest tag"
                } else {
                    "has no tag (latest)"
                }
            ),
        );
        if by.contains(&BaseMethod::Dockerfile)
            && let Some(d) = cx.dockerfile
            && let Some(stage) = d.final_base()
        {
            f = f.at(cx.step_evidence(&d.steps[stage.step]));
        } else {
            f = f.at(Evidence::Config {
                field: "annotations[org.opencontainers.image.base.name]".into(),
                value: Some(reference.clone()),
            });
        }
        out.push(f.base(Some(b.as_ref_by(&by))));
    }
}
