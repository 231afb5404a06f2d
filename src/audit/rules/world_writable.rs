//! IMG008 world-writable.

use crate::audit::AuditCtx;
use crate::audit::finding::{Finding, Findings};
use crate::audit::rule::{Rule, RuleMeta, declare_rule};
use crate::fs::{EntryKind, FileResolver};

declare_rule! {
    /// ## What it flags
    /// Files and directories writable by every user, outside the temporary directories in
    /// `hardening.world_writable_allow` (`/tmp`, `/var/tmp`, `/run/lock`, `/dev/shm` …).
    /// Symbolic links (always 0777), devices and sticky directories (mode 1777: the shared
    /// temporary directory pattern, where nobody can remove another user's files) are not
    /// judged. A world-writable directory is reported once, with the number of world-writable
    /// entries beneath it.
    ///
    /// ## Why it matters
    /// Any process in the container, whatever its user, can replace such files: programs,
    /// configuration or data the application trusts.
    ///
    /// ## How to fix
    /// Give the application user ownership of what it must write (`COPY --chown=app`,
    /// `chown`), and use mode 0755/0644; never `chmod -R 777`.
    ///
    /// ## Policy example
    /// ```toml
    /// [hardening]
    /// world_writable_allow = ["/tmp", "/tmp/**", "/var/tmp", "/app/cache/**"]
    /// ```
    pub(crate) struct WorldWritable;
    id: "IMG008",
    name: "world-writable",
    title: "World-writable path outside temporary directories",
    group: Image,
    severity: Medium,
    enabled: true,
}

impl Rule for WorldWritable {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &AuditCtx<'_>, out: &mut Findings) {
        let mut hits: Vec<(crate::fs::Location, u32, EntryKind)> = Vec::new();
        cx.fs.walk(&mut |loc, meta| {
            if matches!(meta.kind, EntryKind::File | EntryKind::Dir)
                && meta.mode & 0o002 != 0
                && !(meta.kind == EntryKind::Dir && meta.mode & 0o1000 != 0)
                && !cx.policy.world_writable_allowed(&loc.absolute())
            {
                hits.push((loc.clone(), meta.mode, meta.kind));
            }
        });
        let mut i = 0;
        while i < hits.len() {
            let (loc, mode, kind) = hits[i].clone();
            let prefix = format!("{}/", loc.path);
            let mut j = i + 1;
            while j < hits.len() && hits[j].0.path.starts_with(&prefix) {
                j += 1;
            }
            let beneath = j - i - 1;
            let what = if kind == EntryKind::Dir {
                "directory"
            } else {
                "file"
            };
            let more = if beneath > 0 {
                format!(", and {beneath} world-writable entries beneath it")
            } else {
                String::new()
            };
            out.push(
                Finding::new(
                    &META,
                    format!(
                        "/{} is a world-writable {what} (mode {:04o}){more}",
                        loc.path,
                        mode & 0o7777
                    ),
                )
                .at(cx.file_evidence(loc.layer, &loc.path)),
            );
            i = j;
        }
    }
}
