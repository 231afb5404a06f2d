//! What the installed cataloger reads besides `package.json` files: the hidden lockfiles
//! (npm's `node_modules/.package-lock.json`, pnpm's `node_modules/.pnpm/lock.yaml`) for dev
//! flags, `resolved` and `integrity`, and npm workspaces, which only the hidden lockfile
//! names.

use std::collections::HashMap;

use serde_json::Value;

use super::{NAME, Tree};
use crate::catalog::npm::{dependency_names, meta, new_package};
use crate::catalog::{CatalogOutput, parse_failure, read_file};
use crate::fs::{FileResolver, Location};
use crate::model::{Evidence, PackageMetadata};

/// What a hidden lockfile (or npm 6's `_` fields) says about one installed package.
#[derive(Default)]
pub(super) struct LockFacts {
    pub(super) dev: bool,
    pub(super) resolved: Option<String>,
    pub(super) integrity: Option<String>,
    /// npm: a `link: true` entry (`node_modules/<ws>` → the workspace folder in `resolved`).
    pub(super) link: bool,
    /// npm: a workspace folder's entry says who it is and what it needs.
    pub(super) name: Option<String>,
    pub(super) version: Option<String>,
    pub(super) licenses: Vec<crate::model::License>,
    pub(super) deps: Vec<String>,
}

/// What a package needs at run time (npm 7+ installs peers).
pub(super) const DEPENDENCY_KEYS: [&str; 3] =
    ["dependencies", "optionalDependencies", "peerDependencies"];

/// npm workspaces: `node_modules/<ws>` is a symlink to a folder of the project, listed by
/// `npm ls` like any dependency. Its `package.json` is outside every `node_modules` (so not
/// captured); the hidden lockfile's entry for the folder names it instead.
pub(super) fn workspaces(
    fs: &dyn FileResolver,
    project: &str,
    facts: &HashMap<String, LockFacts>,
    out: &mut CatalogOutput,
    tree: &mut Tree,
    deps: &mut Vec<Vec<String>>,
) {
    let join = |rel: &str| match project {
        "" => rel.to_owned(),
        p => format!("{p}/{rel}"),
    };
    let mut links: Vec<(&String, &LockFacts)> = facts
        .iter()
        .filter(|(k, f)| f.link && k.starts_with("node_modules/"))
        .collect();
    links.sort_by_key(|(k, _)| *k);
    for (key, link) in links {
        let Some(target) = link.resolved.as_deref() else {
            continue;
        };
        let dir = join(target);
        let Some(ws) = facts.get(target) else {
            continue;
        };
        let (Some(name), Some(version)) = (&ws.name, &ws.version) else {
            continue;
        };
        // The link and the folder must both still be in the image.
        if target.contains("node_modules/")
            || tree.by_dir.contains_key(&dir)
            || fs.metadata(&join(key)).is_none()
        {
            continue;
        }
        let Ok(Some(loc)) = fs.file_by_path(&format!("{dir}/package.json")) else {
            continue;
        };
        let Ok(mut p) = new_package(name, version, Evidence::Installed, NAME, &loc) else {
            continue;
        };
        p.licenses = ws.licenses.clone();
        meta(&mut p).dev = link.dev;
        meta(&mut p).property("resolved", format!("file:{target}"));
        tree.insert(dir, out.packages.len());
        deps.push(ws.deps.clone());
        out.packages.push(p);
    }
}

/// The hidden lockfile of `project`: npm's by package path relative to the project, else
/// pnpm's (`node_modules/.pnpm/lock.yaml`) by `name@version`; empty when there is none. A
/// broken one is an unknown, and the packages are still reported.
pub(super) fn hidden_lockfile(
    fs: &dyn FileResolver,
    project: &str,
    out: &mut CatalogOutput,
) -> HashMap<String, LockFacts> {
    let at = |rel: &str| match project {
        "" => rel.to_owned(),
        p => format!("{p}/{rel}"),
    };
    let Ok(Some(loc)) = fs.file_by_path(&at("node_modules/.package-lock.json")) else {
        return match fs.file_by_path(&at("node_modules/.pnpm/lock.yaml")) {
            Ok(Some(loc)) => pnpm_hidden_lockfile(fs, &loc, out),
            _ => HashMap::new(),
        };
    };
    let json: Value = match read_file(fs, &loc, NAME)
        .map_err(|u| u.reason)
        .and_then(|b| {
            if let Some(u) = crate::catalog::too_many_records(NAME, &loc, &b, b"version") {
                return Err(u.reason);
            }
            crate::source::limits::check_items(&b, crate::source::limits::Items::Json)?;
            serde_json::from_slice(crate::catalog::npm::without_bom(&b)).map_err(|e| e.to_string())
        }) {
        Ok(v) => v,
        Err(why) => {
            out.unknowns.push(parse_failure(NAME, &loc, why));
            return HashMap::new();
        }
    };
    let Some(Value::Object(packages)) = json.get("packages") else {
        return HashMap::new();
    };
    packages
        .iter()
        .map(|(k, v)| {
            let s = |f: &str| v.get(f).and_then(Value::as_str).map(str::to_owned);
            let facts = LockFacts {
                dev: v.get("dev").and_then(Value::as_bool) == Some(true),
                resolved: s("resolved"),
                integrity: s("integrity"),
                link: v.get("link").and_then(Value::as_bool) == Some(true),
                name: s("name"),
                version: s("version"),
                licenses: crate::catalog::npm::licenses(v),
                deps: dependency_names(v, &DEPENDENCY_KEYS),
            };
            (k.clone(), facts)
        })
        .collect()
}

fn pnpm_hidden_lockfile(
    fs: &dyn FileResolver,
    loc: &Location,
    out: &mut CatalogOutput,
) -> HashMap<String, LockFacts> {
    let parsed = read_file(fs, loc, NAME)
        .map_err(|u| u.reason)
        .and_then(|b| crate::catalog::npm::pnpm::parse_pnpm_lock(&b, loc));
    let lock = match parsed {
        Ok(lock) => lock,
        Err(why) => {
            out.unknowns.push(parse_failure(NAME, loc, why));
            return HashMap::new();
        }
    };
    lock.packages
        .into_iter()
        .map(|p| {
            let mut facts = LockFacts::default();
            if let PackageMetadata::Language(m) = &p.metadata {
                facts.dev = m.dev;
                for (k, v) in &m.properties {
                    match k.as_str() {
                        "resolved" => facts.resolved = Some(v.clone()),
                        "integrity" => facts.integrity = Some(v.clone()),
                        _ => {}
                    }
                }
            }
            (format!("{}@{}", p.name, p.version), facts)
        })
        .collect()
}
