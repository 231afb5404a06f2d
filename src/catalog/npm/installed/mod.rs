//! Installed packages: the package roots of every `node_modules` tree, as `npm ls --all`
//! sees them (<https://docs.npmjs.com/cli/v10/configuring-npm/folders>).
//!
//! A package root is `<project>/node_modules/<name>` or `…/node_modules/@scope/<name>`,
//! repeated for nested trees (`node_modules/a/node_modules/b`), with pnpm's virtual store
//! (`node_modules/.pnpm/<key>/node_modules/<name>`) as one more hop. Any other `package.json`
//! (`node_modules/x/lib/package.json`, `node_modules/x/test/node_modules/y/package.json`) is
//! not part of the tree npm builds and is not a package. The project itself, whose
//! `package.json` sits beside `node_modules`, is the application, not a dependency, so it is
//! not read at all.
//!
//! npm 7+ also writes `node_modules/.package-lock.json` (the hidden lockfile), keyed by the
//! same paths: it supplies `dev`, `resolved` and `integrity`; pnpm keeps a copy of its
//! lockfile in `node_modules/.pnpm/lock.yaml`, which supplies the same by `name@version`.
//! npm 5–6 wrote `_resolved`, `_integrity` and `_development` into each installed
//! `package.json` instead. Yarn leaves no such record, so its dev packages are not marked.

use std::collections::{BTreeSet, HashMap};

use serde_json::Value;

#[cfg(test)]
mod fixture_tests;
mod hidden;

use super::{Tree, apply_manifest, apply_source, dependency_names, meta, new_package, parent};
use crate::Result;
use crate::catalog::{CatalogOutput, Cataloger, Environment, Tag, parse_failure, read_file};
use crate::fs::{FileResolver, Location};
use crate::model::{Evidence, RelationshipKind};
use crate::source::limits::{Items, check_items};
use hidden::{DEPENDENCY_KEYS, LockFacts, hidden_lockfile, workspaces};

const NAME: &str = "npm-installed-cataloger";

const PACKAGE_GLOBS: [&str; 2] = [
    "**/node_modules/*/package.json",
    "**/node_modules/@*/*/package.json",
];

/// Reads the packages installed under `node_modules`. See the module docs.
pub struct NpmInstalledCataloger;

impl Cataloger for NpmInstalledCataloger {
    fn name(&self) -> &'static str {
        NAME
    }

    fn tags(&self) -> &'static [Tag] {
        &[Tag::Language, Tag::Installed]
    }

    fn wants(&self) -> &'static [&'static str] {
        &[
            PACKAGE_GLOBS[0],
            PACKAGE_GLOBS[1],
            "**/node_modules/.package-lock.json",
            "**/node_modules/.pnpm/lock.yaml",
        ]
    }

    fn catalog(&self, fs: &dyn FileResolver, _env: &Environment) -> Result<CatalogOutput> {
        Ok(catalog_installed(fs))
    }
}

/// The project directory of a package root's `package.json`, or `None` when the file is not
/// at a package root of a `node_modules` tree.
pub(super) fn project_of(path: &str) -> Option<&str> {
    let dir = path.strip_suffix("/package.json")?;
    let comps: Vec<&str> = dir.split('/').collect();
    let first = comps.iter().position(|c| *c == "node_modules")?;
    let mut i = first;
    loop {
        if comps.get(i) != Some(&"node_modules") {
            return None;
        }
        i += 1;
        let name = *comps.get(i)?;
        if name == ".pnpm" {
            // `.pnpm/<name>@<version>/node_modules/…`
            comps.get(i + 1)?;
            i += 2;
            continue;
        }
        if name.starts_with('.') {
            return None;
        }
        if name.starts_with('@') {
            i += 1;
            if comps.get(i)?.starts_with('.') {
                return None;
            }
        }
        i += 1;
        if i == comps.len() {
            let end = comps[..first].iter().map(|c| c.len() + 1).sum::<usize>();
            return Some(&path[..end.saturating_sub(1)]);
        }
    }
}

/// `@scope/name` or `name` from `…/node_modules/<that>/package.json`.
fn folder_name(path: &str) -> &str {
    let dir = parent(path);
    let (up, last) = dir.rsplit_once('/').unwrap_or(("", dir));
    match up.rsplit_once('/').map_or(up, |(_, s)| s) {
        scope if scope.starts_with('@') => &dir[dir.len() - last.len() - scope.len() - 1..],
        _ => last,
    }
}

fn catalog_installed(fs: &dyn FileResolver) -> CatalogOutput {
    let mut out = CatalogOutput::default();
    let locs: BTreeSet<Location> = PACKAGE_GLOBS
        .iter()
        .flat_map(|g| fs.files_by_glob(g))
        .collect();
    let mut hidden: HashMap<String, HashMap<String, LockFacts>> = HashMap::new();
    let mut tree = Tree::default();
    let mut deps: Vec<Vec<String>> = Vec::new();
    for loc in &locs {
        let Some(project) = project_of(&loc.path) else {
            continue;
        };
        let bytes = match read_file(fs, loc, NAME) {
            Ok(b) => b,
            Err(u) => {
                out.unknowns.push(u);
                continue;
            }
        };
        if let Err(why) = check_items(&bytes, Items::Json) {
            out.unknowns.push(parse_failure(NAME, loc, why));
            continue;
        }
        let json: Value = match serde_json::from_slice(super::without_bom(&bytes)) {
            Ok(v @ Value::Object(_)) => v,
            Ok(_) => {
                out.unknowns
                    .push(parse_failure(NAME, loc, "package.json is not an object"));
                continue;
            }
            Err(e) => {
                out.unknowns.push(parse_failure(NAME, loc, e));
                continue;
            }
        };
        let str_of = |k: &str| json.get(k).and_then(Value::as_str).unwrap_or("");
        // Without a name, npm names the package after its folder.
        let name = match str_of("name") {
            "" => folder_name(&loc.path),
            n => n,
        };
        let mut p = match new_package(name, str_of("version"), Evidence::Installed, NAME, loc) {
            Ok(p) => p,
            Err(why) => {
                out.unknowns.push(parse_failure(NAME, loc, why));
                continue;
            }
        };
        apply_manifest(&mut p, &json);
        let dir = parent(&loc.path);
        let facts = hidden
            .entry(project.to_owned())
            .or_insert_with(|| hidden_lockfile(fs, project, &mut out));
        let rel = dir
            .strip_prefix(project)
            .map_or(dir, |r| r.trim_start_matches('/'));
        let own = LockFacts {
            dev: json.get("_development").and_then(Value::as_bool) == Some(true),
            resolved: json
                .get("_resolved")
                .and_then(Value::as_str)
                .map(str::to_owned),
            integrity: json
                .get("_integrity")
                .and_then(Value::as_str)
                .map(str::to_owned),
            ..LockFacts::default()
        };
        let id = format!("{}@{}", p.name, p.version);
        let f = facts.get(rel).or_else(|| facts.get(&id)).unwrap_or(&own);
        meta(&mut p).dev = f.dev || own.dev;
        apply_source(&mut p, f.resolved.as_deref(), f.integrity.as_deref());
        tree.insert(dir, out.packages.len());
        deps.push(dependency_names(&json, &DEPENDENCY_KEYS));
        out.packages.push(p);
    }
    let mut projects: Vec<&String> = hidden.keys().collect();
    projects.sort();
    for project in projects {
        workspaces(
            fs,
            project,
            &hidden[project],
            &mut out,
            &mut tree,
            &mut deps,
        );
    }
    let fallback = |cand: &str| -> Option<usize> {
        let loc = fs.file_by_path(&format!("{cand}/package.json")).ok()??;
        tree.by_dir.get(parent(&loc.path)).copied()
    };
    for (i, names) in deps.iter().enumerate() {
        let Some(loc) = out.packages[i].locations.first() else {
            continue;
        };
        let dir = parent(&loc.path).to_owned();
        for n in names {
            if let Some(j) = tree.resolve(&dir, n, &fallback)
                && j != i
            {
                out.relationships.push((i, j, RelationshipKind::DependsOn));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folder_names() {
        assert_eq!(folder_name("a/node_modules/@s/n/package.json"), "@s/n");
        assert_eq!(folder_name("node_modules/n/package.json"), "n");
    }

    #[test]
    fn package_roots_like_npm() {
        let root = project_of;
        assert_eq!(root("app/node_modules/a/package.json"), Some("app"));
        assert_eq!(root("node_modules/a/package.json"), Some(""));
        assert_eq!(
            root("usr/lib/node_modules/npm/node_modules/@npmcli/arborist/package.json"),
            Some("usr/lib")
        );
        assert_eq!(
            root("app/node_modules/a/node_modules/b/node_modules/c/package.json"),
            Some("app")
        );
        assert_eq!(
            root("app/node_modules/.pnpm/a@1.0.0/node_modules/a/package.json"),
            Some("app")
        );
        for not in [
            "app/package.json",
            "app/node_modules/package.json",
            "app/node_modules/@scope/package.json",
            "app/node_modules/a/lib/package.json",
            "app/node_modules/a/test/node_modules/b/package.json",
            "app/node_modules/.bin/package.json",
            "app/node_modules/.cache/x/package.json",
            "app/node_modules/@s/.x/package.json",
        ] {
            assert_eq!(root(not), None, "{not}");
        }
    }
}
