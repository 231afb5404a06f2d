//! IMG007 sudo-installed.

use crate::audit::AuditCtx;
use crate::audit::finding::{Evidence, Finding, Findings};
use crate::audit::rule::{Rule, RuleMeta, declare_rule};
use crate::fs::FileResolver;

declare_rule! {
    /// ## What it flags
    /// `sudo` in the image: the OS package (`sudo`, `sudo-ldap`, `doas`) or a `sudo` binary in
    /// `/usr/bin`, `/bin` or `/usr/sbin`.
    ///
    /// ## Why it matters
    /// A container has no interactive administrator; sudo only offers a path from the
    /// application user back to root, and its configuration is easy to get wrong (CIS Docker
    /// Benchmark 4.x, Docker's "don't install sudo" guidance).
    ///
    /// ## How to fix
    /// Do the privileged work at build time as root before `USER`, and use `gosu`/`su-exec`
    /// in an entrypoint if a process must drop privileges at start.
    ///
    /// ## Policy example
    /// ```toml
    /// [rules]
    /// sudo-installed = "high"
    /// ```
    pub(crate) struct SudoInstalled;
    id: "IMG007",
    name: "sudo-installed",
    title: "sudo is installed",
    group: Image,
    severity: Medium,
    enabled: true,
}

impl Rule for SudoInstalled {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &AuditCtx<'_>, out: &mut Findings) {
        let pkgs: Vec<_> = cx
            .sbom
            .packages
            .iter()
            .filter(|p| {
                p.ecosystem.is_os()
                    && p.removed_in.is_none()
                    && matches!(p.name.as_str(), "sudo" | "sudo-ldap" | "doas" | "opendoas")
            })
            .collect();
        for p in &pkgs {
            out.push(
                Finding::new(&META, format!("{} {} is installed", p.name, p.version))
                    .package(p.purl.to_string())
                    .at(Evidence::Package {
                        purl: p.purl.to_string(),
                        layer: p.introduced_in,
                    }),
            );
        }
        if !pkgs.is_empty() {
            return;
        }
        for path in ["usr/bin/sudo", "bin/sudo", "usr/sbin/sudo", "usr/bin/doas"] {
            if let Some((loc, _)) = cx.fs.metadata(path) {
                out.push(
                    Finding::new(&META, format!("/{path} is present (not from a package)"))
                        .at(cx.file_evidence(loc.layer, &loc.path)),
                );
                break;
            }
        }
    }
}
