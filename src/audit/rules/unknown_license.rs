//! LIC002 unknown-license.

use crate::audit::AuditCtx;
use crate::audit::finding::{Evidence, Finding, Findings};
use crate::audit::rule::{Rule, RuleMeta, declare_rule};
use crate::model::License;

declare_rule! {
    /// ## What it flags
    /// Packages with no declared license, or with license text that is not an SPDX
    /// expression (`GPL`, `BSD-style`, free prose). Off by default: turn it on when the
    /// policy must account for every license.
    ///
    /// ## Why it matters
    /// A license you cannot identify is one you cannot check against your policy.
    ///
    /// ## How to fix
    /// Find the real license and record it (an exception with the reason), or replace the
    /// package.
    ///
    /// ## Policy example
    /// ```toml
    /// [rules]
    /// unknown-license = "medium"
    /// ```
    pub(crate) struct UnknownLicense;
    id: "LIC002",
    name: "unknown-license",
    title: "Package license unknown or not SPDX",
    group: License,
    severity: Low,
    enabled: false,
}

impl Rule for UnknownLicense {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &AuditCtx<'_>, out: &mut Findings) {
        for p in cx.sbom.packages.iter().filter(|p| p.removed_in.is_none()) {
            let names: Vec<&str> = p
                .licenses
                .iter()
                .filter_map(|l| match l {
                    License::Name(n) => Some(n.as_str()),
                    License::Expression(_) => None,
                })
                .collect();
            let msg = if p.licenses.is_empty() {
                format!("{} {} declares no license", p.name, p.version)
            } else if !names.is_empty() {
                format!(
                    "{} {} declares licenses that are not SPDX: {}",
                    p.name,
                    p.version,
                    names.join("; ")
                )
            } else {
                continue;
            };
            out.push(
                Finding::new(&META, msg)
                    .package(p.purl.to_string())
                    .at(Evidence::Package {
                        purl: p.purl.to_string(),
                        layer: p.introduced_in,
                    }),
            );
        }
    }
}
