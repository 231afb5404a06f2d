//! AGE002 os-packages-outdated.

use super::list;
use crate::audit::AuditCtx;
use crate::audit::catalog::package_key;
use crate::audit::finding::{Evidence, Finding, Findings};
use crate::audit::rule::{Rule, RuleMeta, declare_rule};
use crate::version::{self, Scheme};

declare_rule! {
    /// ## What it flags
    /// OS packages the image still carries at the version its base build shipped, where the
    /// base catalog records a newer build of the same base `name:tag` that ships a newer
    /// version (ordered by the package manager's rules: dpkg, rpm, apk). Needs a catalog whose entries record packages (`consign base add` does) and a
    /// base build identified in it. Packages the image upgraded itself are not reported.
    ///
    /// ## Why it matters
    /// These are exactly the fixes a rebuild on the current base would bring in.
    ///
    /// ## How to fix
    /// Rebuild on the newest base build (or run the distribution's upgrade in the build).
    ///
    /// ## Policy example
    /// ```toml
    /// [rules]
    /// os-packages-outdated = "high"
    /// ```
    pub(crate) struct OsPackagesOutdated;
    id: "AGE002",
    name: "os-packages-outdated",
    title: "OS packages are older than the newest base build ships",
    group: Age,
    severity: Medium,
    enabled: true,
}

impl Rule for OsPackagesOutdated {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &AuditCtx<'_>, out: &mut Findings) {
        let Some(catalog) = cx.catalog else { return };
        let Some(current) = cx.base.entry(Some(catalog)) else {
            return;
        };
        if current.packages.is_empty() {
            return;
        }
        let platform = cx.sbom.image.platform.as_ref().map(|p| p.to_string());
        let Some(newest) = catalog
            .builds_of(&current.name, current.tag.as_deref(), platform.as_deref())
            .into_iter()
            .next()
        else {
            return;
        };
        if newest.created_at() <= current.created_at() || newest.packages.is_empty() {
            return;
        }
        let mut stale = Vec::new();
        let mut evidence = Vec::new();
        for p in cx
            .sbom
            .packages
            .iter()
            .filter(|p| p.ecosystem.is_os() && p.removed_in.is_none())
        {
            let key = package_key(p.purl.as_str());
            let (Some(old), Some(new)) = (current.packages.get(&key), newest.packages.get(&key))
            else {
                continue;
            };
            let scheme = Scheme::for_purl_type(p.purl.ty());
            if *old == p.version && version::compare(scheme, new, &p.version).is_gt() {
                stale.push(format!("{} {} → {new}", p.name, p.version));
                evidence.push(Evidence::Package {
                    purl: p.purl.to_string(),
                    layer: p.introduced_in,
                });
            }
        }
        if stale.is_empty() {
            return;
        }
        let mut f = Finding::new(
            &META,
            format!(
                "{} OS packages are older than in {} ({}): {}",
                stale.len(),
                newest.reference(),
                newest.created.as_deref().unwrap_or("?"),
                list(&stale, 10)
            ),
        );
        for e in evidence.into_iter().take(50) {
            f = f.at(e);
        }
        out.push(f.base(Some(cx.base.as_ref_by(&cx.base.catalog_by))));
    }
}
