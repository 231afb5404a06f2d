//! BAS005 distro-eol.

use crate::audit::AuditCtx;
use crate::audit::eol;
use crate::audit::finding::{Finding, Findings};
use crate::audit::rule::{Rule, RuleMeta, declare_rule};

declare_rule! {
    /// ## What it flags
    /// An image whose Linux distribution release (from `/etc/os-release`) is past its end of
    /// life: the end of the vendor's free security updates. A built-in table covers Debian,
    /// Ubuntu, Alpine, RHEL/UBI, CentOS, Rocky, AlmaLinux, Oracle Linux, Fedora and Amazon
    /// Linux; rolling distributions (Wolfi, Chainguard) never expire. A release older than
    /// the oldest one the table lists for its distribution (Debian 3.1, Ubuntu 10.04, Alpine
    /// 2.x) has ended too. The policy's `[eol]` table overrides or extends it.
    ///
    /// ## Why it matters
    /// Nobody fixes vulnerabilities in an end-of-life release: every new CVE stays open.
    ///
    /// ## How to fix
    /// Move the base to a supported release (`debian:10` → `debian:12`).
    ///
    /// ## Policy example
    /// ```toml
    /// [eol]
    /// "debian:11" = "2026-08-31"
    /// ```
    pub(crate) struct DistroEol;
    id: "BAS005",
    name: "distro-eol",
    title: "The distribution release is past end of life",
    group: Base,
    severity: High,
    enabled: true,
}

impl Rule for DistroEol {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &AuditCtx<'_>, out: &mut Findings) {
        let Some(d) = &cx.sbom.distro else { return };
        let Some(v) = d.version_id.as_deref() else {
            return;
        };
        let Some(e) = eol::lookup(&d.id, v, &cx.policy.eol) else {
            return;
        };
        if e.ends > cx.now {
            return;
        }
        let last_day = e
            .ends
            .checked_sub(jiff::SignedDuration::from_secs(1))
            .map(|t| t.strftime("%Y-%m-%d").to_string())
            .unwrap_or_default();
        let name = d
            .pretty_name
            .clone()
            .unwrap_or_else(|| format!("{} {v}", d.id));
        let mut f = Finding::new(
            &META,
            match &e.older_than {
                Some(oldest) => format!(
                    "{name} reached end of life on or before {last_day} ({}: older than {oldest}, the oldest release in the built-in table)",
                    e.key
                ),
                None => format!(
                    "{name} reached end of life on {last_day} ({}{})",
                    e.key,
                    if e.from_policy {
                        ", date from the policy"
                    } else {
                        ""
                    }
                ),
            },
        );
        let path = &d.source_file;
        if let Some((loc, _)) = crate::fs::FileResolver::metadata(&cx.fs, path) {
            f = f.at(cx.file_evidence(loc.layer, &loc.path));
        }
        if !cx.base.is_unknown() {
            let methods: Vec<_> = cx.base.evidence.iter().map(|e| e.method).collect();
            f = f.base(Some(cx.base.as_ref_by(&methods)));
        }
        out.push(f);
    }
}
