//! IMG003 setuid-file.

use crate::audit::AuditCtx;
use crate::audit::finding::{Finding, Findings};
use crate::audit::rule::{Rule, RuleMeta, declare_rule};
use crate::fs::{EntryKind, FileResolver};

declare_rule! {
    /// ## What it flags
    /// A regular file with the setuid or setgid bit in the filesystem the container sees,
    /// unless its path is in `hardening.setuid_allow` (by default the standard ones of
    /// Debian, Ubuntu, Alpine and RHEL-family bases: `su`, `passwd`, `mount`, …).
    ///
    /// ## Why it matters
    /// A setuid binary runs with its owner's privileges (usually root): any bug in it is a
    /// privilege escalation for whoever runs code in the container (CIS Docker Benchmark 4.8).
    ///
    /// ## How to fix
    /// Remove the bits in the build: `RUN find / -xdev -perm /6000 -type f -exec chmod a-s {} +`,
    /// and run the container with `--security-opt no-new-privileges`.
    ///
    /// ## Policy example
    /// ```toml
    /// [hardening]
    /// setuid_allow = ["/usr/bin/passwd"]
    /// ```
    pub(crate) struct SetuidFile;
    id: "IMG003",
    name: "setuid-file",
    title: "setuid or setgid file",
    group: Image,
    severity: Medium,
    enabled: true,
}

impl Rule for SetuidFile {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &AuditCtx<'_>, out: &mut Findings) {
        let mut hits = Vec::new();
        cx.fs.walk(&mut |loc, meta| {
            if meta.kind == EntryKind::File
                && meta.mode & 0o6000 != 0
                && !cx.policy.setuid_allowed(&loc.absolute())
            {
                hits.push((loc.clone(), meta.mode, meta.uid));
            }
        });
        for (loc, mode, uid) in hits {
            let bits = match (mode & 0o4000 != 0, mode & 0o2000 != 0) {
                (true, true) => "setuid and setgid",
                (true, false) => "setuid",
                _ => "setgid",
            };
            out.push(
                Finding::new(
                    &META,
                    format!(
                        "/{} is {bits} (mode {:04o}, owner uid {uid})",
                        loc.path,
                        mode & 0o7777
                    ),
                )
                .at(cx.file_evidence(loc.layer, &loc.path)),
            );
        }
    }
}
