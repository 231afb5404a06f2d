//! `package-lock.json` and `npm-shrinkwrap.json`, lockfile versions 1 to 3
//! (<https://docs.npmjs.com/cli/v10/configuring-npm/package-lock-json>).
//!
//! - v2 and v3 hold `packages`, keyed by install path (`node_modules/a/node_modules/b`); `""`
//!   is the project itself (not a dependency). A `link: true` entry points (`resolved`) at a
//!   workspace folder, which has an entry of its own. The name is the entry's `name` (set for
//!   aliases and workspaces) or the last path segment; dependencies resolve by path as Node
//!   would on that tree.
//! - v1 (npm 5–6) holds a nested `dependencies` tree: each entry's `requires` names what it
//!   needs, resolved through the nesting the same way. An aliased entry's version reads
//!   `npm:<real name>@<version>`.

use serde_json::{Map, Value};

use super::{
    LOCK_NAME, Tree, apply_manifest, apply_source, dependency_names, meta, new_package, split_name,
};
use crate::catalog::{CatalogOutput, parse_failure};
use crate::fs::Location;
use crate::model::{Evidence, RelationshipKind};
use crate::source::limits::{Items, check_items};

/// Parses a package lock; `Err` when the file is not a package lock at all.
pub(super) fn parse_package_lock(bytes: &[u8], loc: &Location) -> Result<CatalogOutput, String> {
    // Every value costs a `Value` (32 bytes and more) once parsed.
    check_items(bytes, Items::Json)?;
    let json: Value =
        serde_json::from_slice(super::without_bom(bytes)).map_err(|e| e.to_string())?;
    let Value::Object(top) = &json else {
        return Err("not a JSON object".into());
    };
    let mut out = CatalogOutput::default();
    let mut lock = Lock::default();
    if let Some(Value::Object(packages)) = top.get("packages") {
        lock.read_packages(packages, loc, &mut out);
    } else if let Some(Value::Object(deps)) = top.get("dependencies") {
        lock.read_v1("", deps, loc, &mut out);
    } else if top.get("lockfileVersion").is_none() {
        return Err("no lockfileVersion, packages or dependencies".into());
    }
    lock.link(&mut out);
    Ok(out)
}

#[derive(Default)]
struct Lock {
    tree: Tree,
    /// `(install path, dependency names)` per package, by index.
    needs: Vec<(String, Vec<String>)>,
    /// `link: true` entries: install path → target folder.
    links: Vec<(String, String)>,
}

impl Lock {
    fn read_packages(
        &mut self,
        packages: &Map<String, Value>,
        loc: &Location,
        out: &mut CatalogOutput,
    ) {
        for (key, entry) in packages {
            if key.is_empty() {
                continue;
            }
            if entry.get("link").and_then(Value::as_bool) == Some(true) {
                if let Some(target) = entry.get("resolved").and_then(Value::as_str) {
                    self.links.push((key.clone(), target.to_owned()));
                }
                continue;
            }
            let from_key = key.rsplit_once("node_modules/").map(|(_, n)| n);
            let Some(name) = entry.get("name").and_then(Value::as_str).or(from_key) else {
                // A folder outside node_modules without a name: nothing to identify.
                continue;
            };
            let version = entry.get("version").and_then(Value::as_str).unwrap_or("");
            self.add(
                key,
                name,
                version,
                entry,
                &["dependencies", "optionalDependencies", "peerDependencies"],
                loc,
                out,
            );
        }
    }

    fn read_v1(
        &mut self,
        prefix: &str,
        deps: &Map<String, Value>,
        loc: &Location,
        out: &mut CatalogOutput,
    ) {
        for (name, entry) in deps {
            let path = if prefix.is_empty() {
                format!("node_modules/{name}")
            } else {
                format!("{prefix}/node_modules/{name}")
            };
            let version = entry.get("version").and_then(Value::as_str).unwrap_or("");
            // `"version": "npm:string-width@4.2.3"` installs string-width under another name.
            let (real, version) = match version.strip_prefix("npm:").and_then(split_name) {
                Some((n, v)) => (n, v),
                None => (name.as_str(), version),
            };
            self.add(&path, real, version, entry, &["requires"], loc, out);
            if let Some(Value::Object(nested)) = entry.get("dependencies") {
                self.read_v1(&path, nested, loc, out);
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn add(
        &mut self,
        path: &str,
        name: &str,
        version: &str,
        entry: &Value,
        dep_keys: &[&str],
        loc: &Location,
        out: &mut CatalogOutput,
    ) {
        let mut p = match new_package(name, version, Evidence::Declared, LOCK_NAME, loc) {
            Ok(p) => p,
            Err(why) => {
                out.unknowns
                    .push(parse_failure(LOCK_NAME, loc, format!("{path}: {why}")));
                return;
            }
        };
        apply_manifest(&mut p, entry);
        let s = |k: &str| entry.get(k).and_then(Value::as_str);
        apply_source(&mut p, s("resolved"), s("integrity"));
        let m = meta(&mut p);
        m.dev = entry.get("dev").and_then(Value::as_bool) == Some(true);
        if entry.get("optional").and_then(Value::as_bool) == Some(true) {
            m.property("optional", "true");
        }
        self.tree.insert(path, out.packages.len());
        self.needs
            .push((path.to_owned(), dependency_names(entry, dep_keys)));
        out.packages.push(p);
    }

    /// Resolves every package's dependencies to edges.
    fn link(&self, out: &mut CatalogOutput) {
        let fallback = |cand: &str| {
            let (_, target) = self.links.iter().find(|(k, _)| k == cand)?;
            self.tree.by_dir.get(target.as_str()).copied()
        };
        for (i, (path, names)) in self.needs.iter().enumerate() {
            // A workspace folder resolves from its own directory, like any package.
            for n in names {
                if let Some(j) = self.tree.resolve(path, n, &fallback)
                    && j != i
                {
                    out.relationships.push((i, j, RelationshipKind::DependsOn));
                }
            }
        }
    }
}
