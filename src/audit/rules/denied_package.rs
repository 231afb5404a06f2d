//! PKG001 denied-package.

use crate::audit::AuditCtx;
use crate::audit::catalog::package_key;
use crate::audit::finding::{Evidence, Finding, Findings};
use crate::audit::rule::{Rule, RuleMeta, declare_rule};

declare_rule! {
    /// ## What it flags
    /// Packages the policy denies, by purl without version (`pkg:deb/debian/telnet`,
    /// `pkg:npm/event-stream`), optionally only within version ranges (`"< 3.0.11"`,
    /// `">= 1.0, < 1.2"`; Debian and RPM versions compare with dpkg's and rpm's rules).
    ///
    /// ## Why it matters
    /// Some packages must never ship: known-malicious releases, tools banned by policy, or
    /// versions with a critical vulnerability.
    ///
    /// ## How to fix
    /// Remove or upgrade the package.
    ///
    /// ## Policy example
    /// ```toml
    /// [packages]
    /// deny = [{ purl = "pkg:deb/debian/openssl", versions = ["< 3.0.11"], reason = "CVE-2023-5363" }]
    /// ```
    pub(crate) struct DeniedPackage;
    id: "PKG001",
    name: "denied-package",
    title: "Denied package",
    group: Package,
    severity: High,
    enabled: true,
}

impl Rule for DeniedPackage {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &AuditCtx<'_>, out: &mut Findings) {
        for d in &cx.policy.denied_packages {
            for p in cx.sbom.packages.iter().filter(|p| p.removed_in.is_none()) {
                if package_key(p.purl.as_str()) != d.purl {
                    continue;
                }
                let ty = p.purl.ty().to_owned();
                let range = if d.versions.is_empty() {
                    None
                } else {
                    match d.versions.iter().find(|r| r.contains(&ty, &p.version)) {
                        Some(r) => Some(r.as_str().to_owned()),
                        None => continue,
                    }
                };
                let mut msg = format!("{} {} is denied by the policy", p.name, p.version);
                if let Some(r) = range {
                    msg.push_str(&format!(" (versions {r})"));
                }
                if let Some(why) = &d.reason {
                    msg.push_str(&format!(": {why}"));
                }
                out.push(Finding::new(&META, msg).package(p.purl.to_string()).at(
                    Evidence::Package {
                        purl: p.purl.to_string(),
                        layer: p.introduced_in,
                    },
                ));
            }
        }
    }
}
