//! BAS004 base-rebuild-available.

use crate::audit::AuditCtx;
use crate::audit::base::BaseMethod;
use crate::audit::finding::{Evidence, Finding, Findings};
use crate::audit::rule::{Rule, RuleMeta, declare_rule};

declare_rule! {
    /// ## What it flags
    /// The base catalog (`--base-catalog`) holds a newer build of the same base `name:tag`
    /// than the one the image was built on: the image missed a rebuild. The image's base build
    /// is the catalog entry its leading layers (or the base digest annotation) match; when
    /// only the base's name and tag are known (Dockerfile `FROM`, annotation), any build of
    /// that `name:tag` created after the image itself counts.
    ///
    /// ## Why it matters
    /// A new build of the same tag exists because the distribution shipped fixes (usually
    /// security fixes). Until the image is rebuilt it keeps the old packages. Docker Scout
    /// needs its hosted service for this check; consign does it offline from the catalog.
    ///
    /// ## How to fix
    /// Rebuild with `--pull` (or bump the pinned digest) and redeploy. Record new base builds
    /// with `consign base add IMAGE --catalog FILE` as they are published.
    ///
    /// ## Policy example
    /// ```toml
    /// [rules]
    /// BAS004 = "critical"
    /// ```
    pub(crate) struct BaseRebuildAvailable;
    id: "BAS004",
    name: "base-rebuild-available",
    title: "A newer build of the base image exists",
    group: Base,
    severity: High,
    enabled: true,
}

impl Rule for BaseRebuildAvailable {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &AuditCtx<'_>, out: &mut Findings) {
        let Some(catalog) = cx.catalog else { return };
        let b = &cx.base;
        let platform = cx.sbom.image.platform.as_ref().map(|p| p.to_string());
        let (name, tag, since, methods, current) = match b.entry(Some(catalog)) {
            Some(e) => (
                e.name.clone(),
                e.tag.clone(),
                e.created_at(),
                b.catalog_by.clone(),
                Some(e.reference()),
            ),
            None => {
                let Some(name) = &b.name else { return };
                let created = cx
                    .sbom
                    .image
                    .created
                    .as_deref()
                    .and_then(|c| c.parse().ok());
                (
                    name.clone(),
                    b.tag.clone(),
                    created,
                    b.name_by.clone(),
                    None,
                )
            }
        };
        let Some(since) = since else { return };
        let builds = catalog.builds_of(&name, tag.as_deref(), platform.as_deref());
        let Some(newest) = builds.first() else { return };
        let Some(newest_t) = newest.created_at() else {
            return;
        };
        if newest_t <= since {
            return;
        }
        let mut methods = methods;
        methods.push(BaseMethod::Catalog);
        let msg = match &current {
            Some(c) => format!(
                "built on {c}; the catalog has a newer build of the same tag: {} ({})",
                newest.reference(),
                newest.created.as_deref().unwrap_or("?")
            ),
            None => format!(
                "the catalog has a build of the base {} created after this image: {} ({})",
                b.display(),
                newest.reference(),
                newest.created.as_deref().unwrap_or("?")
            ),
        };
        out.push(
            Finding::new(&META, msg)
                .at(Evidence::Config {
                    field: "base".into(),
                    value: Some(current.unwrap_or_else(|| b.display())),
                })
                .base(Some(b.as_ref_by(&methods))),
        );
    }
}
