//! `pnpm-lock.yaml`, lockfile versions 5 to 9 (<https://github.com/pnpm/spec/tree/master/lockfile>).
//!
//! - v5 keys packages by `/name/version` (peer suffix after `_`), v6 by `/name@version` (peer
//!   suffix in parentheses), both with dependencies and `dev: true|false` on each package.
//! - v9 keys `packages` by `name@version` (metadata only) and moves dependencies to
//!   `snapshots` (keys with peer suffixes). It drops `dev`, so a package counts as dev when
//!   the importers' `devDependencies` reach it and their `dependencies` and
//!   `optionalDependencies` do not (npm's rule).
//!
//! A package fetched from a tarball or git (`debug@https://…/4.3.5`) has its real version in
//! a `version` field; local `file:`/`link:` folders without one are not registry packages and
//! are skipped. `resolution.integrity` becomes a checksum.

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};

use serde::{Deserialize, Deserializer};

use super::{LOCK_NAME, apply_source, meta, new_package, split_name};
use crate::catalog::{CatalogOutput, parse_failure};
use crate::fs::Location;
use crate::model::{Evidence, RelationshipKind};

/// Any YAML scalar, as text (versions like `3.6.0` are strings, `4` or `6.0` are numbers).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(super) struct Scalar(pub(super) String);

impl<'de> Deserialize<'de> for Scalar {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Scalar;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a scalar")
            }
            fn visit_str<E>(self, v: &str) -> Result<Scalar, E> {
                Ok(Scalar(v.to_owned()))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Scalar, E> {
                Ok(Scalar(v.to_string()))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Scalar, E> {
                Ok(Scalar(v.to_string()))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Scalar, E> {
                Ok(Scalar(v.to_string()))
            }
            fn visit_bool<E>(self, v: bool) -> Result<Scalar, E> {
                Ok(Scalar(v.to_string()))
            }
        }
        d.deserialize_any(V)
    }
}

/// A dependency reference: v6+ `{specifier, version}`, v5 a bare version.
#[derive(Deserialize)]
#[serde(untagged)]
enum DepRef {
    Full { version: Scalar },
    Bare(Scalar),
}

impl DepRef {
    fn version(&self) -> &str {
        match self {
            DepRef::Full { version } | DepRef::Bare(version) => &version.0,
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct Importer {
    dependencies: BTreeMap<String, DepRef>,
    optional_dependencies: BTreeMap<String, DepRef>,
    dev_dependencies: BTreeMap<String, DepRef>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Resolution {
    integrity: Option<String>,
    tarball: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct PnpmPackage {
    resolution: Resolution,
    name: Option<String>,
    version: Option<Scalar>,
    dev: Option<bool>,
    dependencies: BTreeMap<String, Scalar>,
    optional_dependencies: BTreeMap<String, Scalar>,
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct Lockfile {
    lockfile_version: Option<Scalar>,
    importers: BTreeMap<String, Importer>,
    #[serde(flatten)]
    root: Importer,
    packages: BTreeMap<String, PnpmPackage>,
    snapshots: BTreeMap<String, PnpmPackage>,
}

/// `name@version(peer@1)(…)` → `name@version`; with `v5`, `/name/1.0.0_peer@1` →
/// `/name/1.0.0` (the suffix follows the version segment).
fn strip_peers(key: &str, v5: bool) -> &str {
    let key = key.split('(').next().unwrap_or(key);
    if !v5 {
        return key;
    }
    let skip = if key.trim_start_matches('/').starts_with('@') {
        3
    } else {
        2
    };
    let version_start = key
        .match_indices('/')
        .nth(skip - 1)
        .map_or(key.len(), |(i, _)| i);
    match key[version_start..].find('_') {
        Some(i) => &key[..version_start + i],
        None => key,
    }
}

/// `(name, version)` of a package key of any version: `/@s/n@1.0.0`, `/n/1.0.0`, `n@1.0.0`.
fn key_parts(key: &str, v5: bool) -> Option<(&str, &str)> {
    let key = strip_peers(key, v5);
    let key = key.strip_prefix('/').unwrap_or(key);
    if !v5 && let Some(parts) = split_name(key) {
        return Some(parts);
    }
    // v5: `/name/1.0.0` or `/@scope/name/1.0.0`.
    key.rsplit_once('/')
}

/// Parses a pnpm lockfile.
pub(super) fn parse_pnpm_lock(bytes: &[u8], loc: &Location) -> Result<CatalogOutput, String> {
    let text = std::str::from_utf8(bytes).map_err(|e| format!("not UTF-8: {e}"))?;
    let lock: Lockfile = serde_saphyr::from_str(text).map_err(|e| e.to_string())?;
    let version = lock.lockfile_version.as_ref().map_or("", |v| v.0.as_str());
    let major: u32 = version
        .split('.')
        .next()
        .and_then(|m| m.parse().ok())
        .ok_or_else(|| format!("unsupported lockfileVersion {version:?}"))?;
    let v9 = major >= 9;
    let v5 = major < 6;
    let mut out = CatalogOutput::default();
    // Package key without peers (`name@version`, v5/v6 with a leading `/`) → index.
    let mut index: HashMap<String, usize> = HashMap::new();
    for (key, pkg) in &lock.packages {
        let base = strip_peers(key, v5);
        if index.contains_key(base) {
            continue;
        }
        let parts = key_parts(key, v5);
        let name = pkg.name.as_deref().or(parts.map(|p| p.0)).unwrap_or("");
        let version = pkg
            .version
            .as_ref()
            .map(|v| v.0.as_str())
            .or(parts.map(|p| p.1))
            .unwrap_or("");
        if version.starts_with("file:") || version.starts_with("link:") {
            continue;
        }
        let mut p = match new_package(name, version, Evidence::Declared, LOCK_NAME, loc) {
            Ok(p) => p,
            Err(why) => {
                out.unknowns
                    .push(parse_failure(LOCK_NAME, loc, format!("{key}: {why}")));
                continue;
            }
        };
        let r = &pkg.resolution;
        apply_source(&mut p, r.tarball.as_deref(), r.integrity.as_deref());
        meta(&mut p).dev = pkg.dev == Some(true);
        index.insert(base.to_owned(), out.packages.len());
        out.packages.push(p);
    }
    let target = |name: &str, reference: &str| -> Option<usize> {
        let key = if reference.starts_with('/') {
            reference.to_owned()
        } else if reference.starts_with(|c: char| c.is_ascii_digit()) || reference.contains(':') {
            if v9 {
                format!("{name}@{reference}")
            } else if major >= 6 {
                format!("/{name}@{reference}")
            } else {
                format!("/{name}/{reference}")
            }
        } else {
            // An alias: `string-width@4.2.3`.
            if v9 {
                reference.to_owned()
            } else {
                format!("/{reference}")
            }
        };
        index.get(strip_peers(&key, v5)).copied()
    };
    let edges_of = if v9 { &lock.snapshots } else { &lock.packages };
    let mut edges: Vec<(usize, usize)> = Vec::new();
    for (key, pkg) in edges_of {
        let Some(&from) = index.get(strip_peers(key, v5)) else {
            continue;
        };
        for (n, r) in pkg.dependencies.iter().chain(&pkg.optional_dependencies) {
            if let Some(to) = target(n, &r.0)
                && to != from
                && !edges.contains(&(from, to))
            {
                edges.push((from, to));
            }
        }
    }
    if v9 {
        mark_dev(&lock, &mut out, &edges, &target);
    }
    out.relationships = edges
        .into_iter()
        .map(|(a, b)| (a, b, RelationshipKind::DependsOn))
        .collect();
    Ok(out)
}

/// v9: dev = reachable from some importer's devDependencies but not from production roots.
fn mark_dev(
    lock: &Lockfile,
    out: &mut CatalogOutput,
    edges: &[(usize, usize)],
    target: &dyn Fn(&str, &str) -> Option<usize>,
) {
    let importers = lock.importers.values().chain(std::iter::once(&lock.root));
    let mut prod_roots = Vec::new();
    let mut dev_roots = Vec::new();
    for imp in importers {
        let roots = |m: &BTreeMap<String, DepRef>| -> Vec<usize> {
            m.iter()
                .filter_map(|(n, d)| target(n, d.version()))
                .collect()
        };
        prod_roots.extend(roots(&imp.dependencies));
        prod_roots.extend(roots(&imp.optional_dependencies));
        dev_roots.extend(roots(&imp.dev_dependencies));
    }
    let mut next: HashMap<usize, Vec<usize>> = HashMap::new();
    for &(a, b) in edges {
        next.entry(a).or_default().push(b);
    }
    let reach = |roots: Vec<usize>| -> HashSet<usize> {
        let mut seen: HashSet<usize> = roots.iter().copied().collect();
        let mut queue: VecDeque<usize> = roots.into();
        while let Some(i) = queue.pop_front() {
            for &b in next.get(&i).into_iter().flatten() {
                if seen.insert(b) {
                    queue.push_back(b);
                }
            }
        }
        seen
    };
    let prod = reach(prod_roots);
    for i in reach(dev_roots) {
        if !prod.contains(&i) {
            meta(&mut out.packages[i]).dev = true;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_of_every_version() {
        assert_eq!(key_parts("/ms/2.0.0", true), Some(("ms", "2.0.0")));
        assert_eq!(
            key_parts("/@babel/core/7.0.0_supports-color@8.1.1", true),
            Some(("@babel/core", "7.0.0"))
        );
        assert_eq!(
            key_parts("/debug@4.3.4(supports-color@8.1.1)", false),
            Some(("debug", "4.3.4"))
        );
        assert_eq!(key_parts("my_pkg@1.0.0", false), Some(("my_pkg", "1.0.0")));
        assert_eq!(strip_peers("/my_pkg/1.0.0", true), "/my_pkg/1.0.0");
    }

    #[test]
    fn v5_lockfile() {
        let lock = "lockfileVersion: 5.4
specifiers:
  a: ^1.0.0
dependencies:
  a: 1.0.0_b@2.0.0
packages:
  /a/1.0.0_b@2.0.0:
    resolution: {integrity: sha1-w7M6te42DYbg5ijwRorn7yfWVN8=}
    dependencies:
      b: 2.0.0
    dev: false
  /b/2.0.0:
    resolution: {integrity: sha1-w7M6te42DYbg5ijwRorn7yfWVN8=}
    dev: true
";
        let out = parse_pnpm_lock(lock.as_bytes(), &Location::new("pnpm-lock.yaml", 0)).unwrap();
        let names: Vec<String> = out
            .packages
            .iter()
            .map(|p| format!("{}@{}", p.name, p.version))
            .collect();
        assert_eq!(names, ["a@1.0.0", "b@2.0.0"]);
        assert_eq!(out.relationships.len(), 1);
    }
}
