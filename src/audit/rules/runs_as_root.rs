//! IMG001 runs-as-root.

use crate::audit::AuditCtx;
use crate::audit::finding::{Evidence, Finding, Findings};
use crate::audit::rule::{Rule, RuleMeta, declare_rule};
use crate::fs::FileResolver;

declare_rule! {
    /// ## What it flags
    /// An image whose default user is root: no `USER` at all, `USER root`, `USER 0`,
    /// `USER 0:0`, or a user name that `/etc/passwd` in the image maps to uid 0 (CIS Docker
    /// Benchmark 4.1).
    ///
    /// ## Why it matters
    /// A process that runs as root inside the container is root on the host's kernel: a
    /// container escape or a writable host mount becomes a full compromise.
    ///
    /// ## How to fix
    /// Create an unprivileged user and switch to it at the end of the Dockerfile:
    /// `RUN useradd --uid 10001 --no-create-home app` then `USER 10001`.
    ///
    /// ## Policy example
    /// ```toml
    /// [[exceptions]]
    /// rule = "runs-as-root"
    /// reason = "the entrypoint drops privileges with gosu"
    /// expires = "2026-12-31"
    /// ```
    pub(crate) struct RunsAsRoot;
    id: "IMG001",
    name: "runs-as-root",
    title: "Image runs as root",
    group: Image,
    severity: High,
    enabled: true,
}

/// The uid of `name` in the image's `/etc/passwd`, if readable.
fn uid_of(cx: &AuditCtx<'_>, name: &str) -> Option<u64> {
    let loc = cx.fs.file_by_path("etc/passwd").ok()??;
    let bytes = cx.fs.read(&loc).ok()?;
    let text = String::from_utf8_lossy(&bytes);
    text.lines().find_map(|l| {
        let mut f = l.split(':');
        (f.next()? == name).then(|| f.nth(1)?.parse().ok())?
    })
}

impl Rule for RunsAsRoot {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &AuditCtx<'_>, out: &mut Findings) {
        let user = cx
            .sbom
            .image
            .config
            .config
            .as_ref()
            .and_then(|c| c.user.clone())
            .unwrap_or_default();
        let name = user.split(':').next().unwrap_or("").trim();
        let why = if name.is_empty() {
            "no USER is set, so the container runs as root".to_owned()
        } else if name == "root" || name.parse::<u64>() == Ok(0) {
            format!("USER is {user:?}")
        } else if name.parse::<u64>().is_err() && uid_of(cx, name) == Some(0) {
            format!("USER {name:?} has uid 0 in /etc/passwd")
        } else {
            return;
        };
        let mut f = Finding::new(&META, why).at(Evidence::Config {
            field: "config.User".into(),
            value: (!user.is_empty()).then(|| user.clone()),
        });
        let last_user = match cx.dockerfile {
            Some(d) => d
                .steps
                .iter()
                .rev()
                .find(|s| s.final_stage && s.keyword == "USER"),
            None => cx.history.iter().rev().find(|s| s.keyword == "USER"),
        };
        if let Some(s) = last_user {
            f = f.at(cx.step_evidence(s));
        }
        out.push(f);
    }
}
