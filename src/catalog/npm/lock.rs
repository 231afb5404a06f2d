//! The lock cataloger: finds `package-lock.json`, `npm-shrinkwrap.json`, `yarn.lock` and
//! `pnpm-lock.yaml` files outside `node_modules`, skips those whose project has an installed
//! tree (see the [module docs](super)), and hands each file to its parser.

use super::{file_name, package_lock, parent, pnpm, yarn};
use crate::Result;
use crate::catalog::{CatalogOutput, Cataloger, Environment, Tag, parse_failure, read_file};
use crate::fs::FileResolver;

pub(super) const LOCK_NAME: &str = "npm-lock-cataloger";

const LOCKFILES: [&str; 4] = [
    "**/package-lock.json",
    "**/npm-shrinkwrap.json",
    "**/yarn.lock",
    "**/pnpm-lock.yaml",
];

/// Reads npm, Yarn and pnpm lockfiles. See the [npm module docs](super).
pub struct NpmLockCataloger;

impl Cataloger for NpmLockCataloger {
    fn name(&self) -> &'static str {
        LOCK_NAME
    }

    fn tags(&self) -> &'static [Tag] {
        &[Tag::Language, Tag::Declared]
    }

    /// The lockfiles, and the package roots of installed trees: whether a lockfile is
    /// superseded depends on them, so a layer that installs (or deletes) a tree must run this
    /// cataloger again.
    fn wants(&self) -> &'static [&'static str] {
        &[
            LOCKFILES[0],
            LOCKFILES[1],
            LOCKFILES[2],
            LOCKFILES[3],
            "**/node_modules/*/package.json",
            "**/node_modules/@*/*/package.json",
            "**/node_modules/.pnpm/*/node_modules/*/package.json",
            "**/node_modules/.pnpm/*/node_modules/@*/*/package.json",
        ]
    }

    fn catalog(&self, fs: &dyn FileResolver, _env: &Environment) -> Result<CatalogOutput> {
        let mut out = CatalogOutput::default();
        for pattern in LOCKFILES {
            for loc in fs.files_by_glob(pattern) {
                let dir = parent(&loc.path);
                if dir.split('/').any(|c| c == "node_modules") || has_installed_tree(fs, dir) {
                    continue;
                }
                let bytes = match read_file(fs, &loc, LOCK_NAME) {
                    Ok(b) => b,
                    Err(u) => {
                        out.unknowns.push(u);
                        continue;
                    }
                };
                // Every package-lock and yarn.lock record has a version (pnpm's YAML reader
                // has its own node budget).
                if let Some(u) =
                    crate::catalog::too_many_records(LOCK_NAME, &loc, &bytes, b"version")
                {
                    out.unknowns.push(u);
                    continue;
                }
                let parsed = match file_name(&loc.path) {
                    "yarn.lock" => yarn::parse_yarn_lock(&bytes, &loc),
                    "pnpm-lock.yaml" => pnpm::parse_pnpm_lock(&bytes, &loc),
                    _ => package_lock::parse_package_lock(&bytes, &loc),
                };
                match parsed {
                    Ok(o) => append(&mut out, o),
                    Err(why) => out.unknowns.push(parse_failure(LOCK_NAME, &loc, why)),
                }
            }
        }
        Ok(out)
    }
}

/// True when the project in `dir` has packages installed in its `node_modules`.
fn has_installed_tree(fs: &dyn FileResolver, dir: &str) -> bool {
    let prefix = if dir.is_empty() {
        String::new()
    } else {
        format!("{}/", globset::escape(dir))
    };
    [
        "node_modules/*/package.json",
        "node_modules/@*/*/package.json",
        // pnpm: `node_modules/<name>` are symlinks into its store.
        "node_modules/.pnpm/*/node_modules/*/package.json",
        "node_modules/.pnpm/*/node_modules/@*/*/package.json",
    ]
    .iter()
    .any(|g| !fs.files_by_glob(&format!("{prefix}{g}")).is_empty())
}

/// Appends `o` to `out`, shifting its relationship indexes.
fn append(out: &mut CatalogOutput, o: CatalogOutput) {
    let base = out.packages.len();
    out.packages.extend(o.packages);
    out.relationships.extend(
        o.relationships
            .into_iter()
            .map(|(a, b, k)| (a + base, b + base, k)),
    );
    out.unknowns.extend(o.unknowns);
}
