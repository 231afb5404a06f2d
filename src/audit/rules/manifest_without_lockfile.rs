//! PIN010 manifest-without-lockfile.

use crate::audit::AuditCtx;
use crate::audit::finding::{Finding, Findings};
use crate::audit::rule::{Rule, RuleMeta, declare_rule};
use crate::fs::{EntryKind, FileResolver};

declare_rule! {
    /// ## What it flags
    /// An application's package manifest in the image without its lockfile beside it:
    /// `package.json` without `package-lock.json`, `npm-shrinkwrap.json`, `yarn.lock`,
    /// `pnpm-lock.yaml` or `bun.lock(b)`; `Pipfile` without `Pipfile.lock`; `Gemfile`
    /// without `Gemfile.lock`; `composer.json` without `composer.lock`. Only files the
    /// image's own layers added are judged (not the base's), and never inside installed
    /// dependencies (`node_modules`, `site-packages`, `vendor`, `/usr`).
    ///
    /// ## Why it matters
    /// The dependencies were resolved at build time from ranges: nobody can tell, or
    /// reproduce, which versions the image runs.
    ///
    /// ## How to fix
    /// Commit the lockfile, copy it with the manifest, and install from it (`npm ci`,
    /// `pipenv install --deploy`, `bundle install --frozen`, `composer install`).
    ///
    /// ## Policy example
    /// ```toml
    /// [[exceptions]]
    /// rule = "PIN010"
    /// path = "/opt/tool/package.json"
    /// reason = "vendored tool without dependencies"
    /// ```
    pub(crate) struct ManifestWithoutLockfile;
    id: "PIN010",
    name: "manifest-without-lockfile",
    title: "Package manifest without its lockfile",
    group: Pinning,
    severity: Low,
    enabled: true,
}

const PAIRS: &[(&str, &[&str])] = &[
    (
        "package.json",
        &[
            "package-lock.json",
            "npm-shrinkwrap.json",
            "yarn.lock",
            "pnpm-lock.yaml",
            "bun.lockb",
            "bun.lock",
        ],
    ),
    ("Pipfile", &["Pipfile.lock"]),
    ("Gemfile", &["Gemfile.lock"]),
    ("composer.json", &["composer.lock"]),
];

const SKIP: &[&str] = &[
    "node_modules",
    "site-packages",
    "dist-packages",
    "vendor",
    "gems",
    ".cache",
    ".npm",
    "bower_components",
];

impl Rule for ManifestWithoutLockfile {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &AuditCtx<'_>, out: &mut Findings) {
        let start = cx.app_layers_start();
        let mut hits = Vec::new();
        cx.fs.walk(&mut |loc, meta| {
            if meta.kind != EntryKind::File || loc.layer < start {
                return;
            }
            let (dir, name) = loc.path.rsplit_once('/').unwrap_or(("", &loc.path));
            let Some((_, locks)) = PAIRS.iter().find(|(m, _)| *m == name) else {
                return;
            };
            if loc.path.starts_with("usr/")
                || loc.path.starts_with("opt/yarn")
                || dir.split('/').any(|c| SKIP.contains(&c))
            {
                return;
            }
            hits.push((loc.clone(), dir.to_owned(), *locks));
        });
        for (loc, dir, locks) in hits {
            let present = locks.iter().any(|l| {
                let p = if dir.is_empty() {
                    (*l).to_owned()
                } else {
                    format!("{dir}/{l}")
                };
                cx.fs.metadata(&p).is_some()
            });
            if present {
                continue;
            }
            out.push(
                Finding::new(
                    &META,
                    format!(
                        "/{} has no lockfile beside it ({})",
                        loc.path,
                        locks.join(", ")
                    ),
                )
                .at(cx.file_evidence(loc.layer, &loc.path)),
            );
        }
    }
}
