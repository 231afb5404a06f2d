//! The npm catalogers: JavaScript packages installed in `node_modules`, and those declared by
//! the lockfiles of npm, Yarn and pnpm.
//!
//! - [`NpmInstalledCataloger`] (`installed/`) reads `node_modules/<name>/package.json` and
//!   `node_modules/@scope/<name>/package.json` at any depth (nested `node_modules`, pnpm's
//!   `.pnpm` store), plus the hidden lockfiles (npm's `node_modules/.package-lock.json`,
//!   pnpm's `node_modules/.pnpm/lock.yaml`) for dev flags, integrity and npm workspaces
//!   (<https://docs.npmjs.com/cli/v10/configuring-npm/package-json>).
//! - [`NpmLockCataloger`] (`lock.rs`) reads `package-lock.json` / `npm-shrinkwrap.json` v1–v3
//!   (`package_lock.rs`, <https://docs.npmjs.com/cli/v10/configuring-npm/package-lock-json>),
//!   `yarn.lock` v1 and Berry (`yarn.rs`, <https://classic.yarnpkg.com/lang/en/docs/yarn-lock/>)
//!   and `pnpm-lock.yaml` v5–v9 (`pnpm.rs`, <https://github.com/pnpm/spec/tree/master/lockfile>).
//!
//! ## Installed versus declared
//!
//! What `npm ls --all` lists is the installed tree: the packages at package roots under a
//! project's `node_modules` (a `package.json` deeper inside a package, such as
//! `node_modules/x/lib/package.json` or a test fixture under `node_modules/x/test/`, is not a
//! package of the tree), and not the project itself. Those are [`Evidence::Installed`].
//!
//! A lockfile says what an install *would* put on disk: dev dependencies a production image
//! left out (`npm ci --omit=dev`), optional dependencies for other platforms. So a lockfile
//! whose project has an installed `node_modules` next to it is superseded by that tree and
//! contributes no packages; only a lockfile with nothing installed beside it (a source tree,
//! a build stage's leftovers, Yarn Plug'n'Play) yields [`Evidence::Declared`] packages. Syft
//! and Trivy get the same effect by kind of source (installed files for images, lockfiles for
//! directories); deciding per project instead keeps an image's SBOM to what is installed,
//! without losing the declared inventory of projects that were never installed. Lockfiles
//! inside `node_modules` (shipped by a dependency for its own development) are ignored.
//! Where both catalogers do report a package (two projects, one installed, one only locked),
//! the scan merges the records by purl: one component with both locations, whose metadata
//! (and evidence) is the installed record's, since that cataloger runs first.
//!
//! ## Mapping
//!
//! `pkg:npm/<name>@<version>`, a scope as the namespace (`pkg:npm/%40babel/core@7.0.0`).
//! `license` (string, or the legacy `{type}` object) and legacy `licenses` arrays as SPDX
//! expressions where they parse; `author`, `description`, `homepage`; `resolved` and
//! `integrity` as properties, an `integrity` hash also as a package checksum. Dependency edges
//! are explicit (names are not unique across a tree): a dependency is resolved as Node does,
//! from the nearest `node_modules` up the tree, or by the lockfile's own keys.

mod installed;
mod lock;
mod package_lock;
mod pnpm;
mod yarn;

#[cfg(test)]
mod fixture_tests;

use std::collections::HashMap;

use base64::Engine as _;
use serde_json::Value;

use crate::fs::Location;
use crate::model::{
    Checksum, Ecosystem, Evidence, HashAlgorithm, LanguageMetadata, License, Package,
    PackageMetadata, Party, Purl,
};

pub use installed::NpmInstalledCataloger;
use lock::LOCK_NAME;
pub use lock::NpmLockCataloger;

/// `bytes` without a leading UTF-8 byte-order mark, which Node tolerates in JSON files.
fn without_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)
}

/// The directory part of a root-relative path (`""` at the root).
fn parent(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(d, _)| d)
}

fn file_name(path: &str) -> &str {
    path.rsplit_once('/').map_or(path, |(_, f)| f)
}

/// The npm purl: a scope (`@babel/core`) becomes the namespace.
fn purl(name: &str, version: &str) -> std::result::Result<Purl, String> {
    let b = match name.split_once('/') {
        Some((scope, n)) if scope.starts_with('@') => Purl::builder("npm", n).namespace(scope),
        _ => Purl::builder("npm", name),
    };
    b.version(version).build()
}

/// A package with its identity, evidence and location; the rest is filled from the file.
fn new_package(
    name: &str,
    version: &str,
    evidence: Evidence,
    found_by: &'static str,
    loc: &Location,
) -> std::result::Result<Package, String> {
    let name = name.trim();
    let version = version.trim();
    if name.is_empty() || version.is_empty() {
        return Err(format!("package {name:?} has no name or version"));
    }
    // Before the messages below quote them.
    crate::model::purl::check_component("name", name)?;
    crate::model::purl::check_component("version", version)?;
    let purl = purl(name, version).map_err(|e| format!("package {name}@{version}: {e}"))?;
    let mut p = Package::new(Ecosystem::Npm, name, version, purl, found_by);
    p.locations.insert(loc.clone());
    p.metadata = PackageMetadata::Language(LanguageMetadata::new(evidence));
    Ok(p)
}

/// The language metadata of a package made by [`new_package`].
fn meta(p: &mut Package) -> &mut LanguageMetadata {
    if !matches!(p.metadata, PackageMetadata::Language(_)) {
        p.metadata = PackageMetadata::Language(LanguageMetadata::default());
    }
    match &mut p.metadata {
        PackageMetadata::Language(m) => m,
        _ => unreachable!("set above"),
    }
}

/// Fills licenses, author, description and home page from a `package.json` (or a lockfile
/// entry, which repeats `license`).
fn apply_manifest(p: &mut Package, json: &Value) {
    p.licenses = licenses(json);
    p.author = json.get("author").and_then(party);
    let m = meta(p);
    m.description = json
        .get("description")
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned);
    m.homepage = json
        .get("homepage")
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned);
}

/// `license: "MIT"`, `license: {type: "MIT"}`, `licenses: ["MIT"]` or
/// `licenses: [{type: "MIT", url}]`.
fn licenses(json: &Value) -> Vec<License> {
    let text = |v: &Value| match v {
        Value::String(s) => Some(s.clone()),
        Value::Object(o) => o.get("type").and_then(Value::as_str).map(str::to_owned),
        _ => None,
    };
    let mut out: Vec<License> = Vec::new();
    let mut add = |t: Option<String>| {
        if let Some(l) = t.as_deref().and_then(License::parse)
            && !out.contains(&l)
        {
            out.push(l);
        }
    };
    match json.get("license") {
        Some(Value::Array(items)) => items.iter().for_each(|v| add(text(v))),
        Some(v) => add(text(v)),
        None => {}
    }
    if let Some(Value::Array(items)) = json.get("licenses") {
        items.iter().for_each(|v| add(text(v)));
    }
    out
}

/// `author: "Name <email> (url)"` or `{name, email}`.
fn party(v: &Value) -> Option<Party> {
    match v {
        Value::String(s) => {
            // Drop the `(url)` part of the people-field shorthand.
            let s = match s.find('(') {
                Some(i) if s.trim_end().ends_with(')') => &s[..i],
                _ => s.as_str(),
            };
            Party::parse(s)
        }
        Value::Object(o) => {
            let name = o.get("name").and_then(Value::as_str).unwrap_or("").trim();
            let email = o
                .get("email")
                .and_then(Value::as_str)
                .map(str::trim)
                .filter(|e| !e.is_empty());
            match (name.is_empty(), email) {
                (false, e) => Some(Party {
                    name: name.to_owned(),
                    email: e.map(str::to_owned),
                }),
                (true, Some(e)) => Some(Party {
                    name: e.to_owned(),
                    email: None,
                }),
                (true, None) => None,
            }
        }
        _ => None,
    }
}

/// Records `resolved` and `integrity`; each Subresource Integrity hash
/// (`sha512-<base64>`) also becomes a checksum of the package tarball.
fn apply_source(p: &mut Package, resolved: Option<&str>, integrity: Option<&str>) {
    if let Some(r) = resolved {
        meta(p).property("resolved", r);
    }
    let Some(integrity) = integrity else { return };
    meta(p).property("integrity", integrity);
    for sri in integrity.split_whitespace() {
        let Some((alg, b64)) = sri.split_once('-') else {
            continue;
        };
        let algorithm = match alg {
            "sha512" => HashAlgorithm::Sha512,
            "sha384" => HashAlgorithm::Sha384,
            "sha256" => HashAlgorithm::Sha256,
            "sha1" => HashAlgorithm::Sha1,
            _ => continue,
        };
        // SRI options (`?opt`) follow the digest.
        let b64 = b64.split('?').next().unwrap_or("");
        if let Ok(raw) = base64::engine::general_purpose::STANDARD.decode(b64) {
            let c = Checksum {
                algorithm,
                value: hex::encode(raw),
            };
            if !p.checksums.contains(&c) {
                p.checksums.push(c);
            }
        }
    }
}

/// Splits `name@range` (the name may be scoped: `@babel/core@^7`).
fn split_name(spec: &str) -> Option<(&str, &str)> {
    let at = spec.get(1..)?.find('@')? + 1;
    Some((&spec[..at], &spec[at + 1..]))
}

/// Node's module resolution over package directories (root-relative or lockfile-relative
/// paths of `…/node_modules/<name>`): `require(name)` from `dir` looks in `dir/node_modules`,
/// then in each ancestor's `node_modules`, nearest first.
#[derive(Default)]
struct Tree {
    by_dir: HashMap<String, usize>,
}

impl Tree {
    fn insert(&mut self, dir: impl Into<String>, index: usize) {
        self.by_dir.entry(dir.into()).or_insert(index);
    }

    /// The package `name` resolves to from `dir`; `fallback` maps a candidate directory the
    /// tree does not hold (a symlink, say) to a package.
    fn resolve(
        &self,
        dir: &str,
        name: &str,
        fallback: &dyn Fn(&str) -> Option<usize>,
    ) -> Option<usize> {
        let mut dir = dir;
        loop {
            if file_name(dir) != "node_modules" {
                let cand = if dir.is_empty() {
                    format!("node_modules/{name}")
                } else {
                    format!("{dir}/node_modules/{name}")
                };
                if let Some(&i) = self.by_dir.get(&cand) {
                    return Some(i);
                }
                if let Some(i) = fallback(&cand) {
                    return Some(i);
                }
            }
            if dir.is_empty() {
                return None;
            }
            dir = parent(dir);
        }
    }
}

/// The names of a manifest or lockfile entry's runtime dependencies: `dependencies`,
/// `optionalDependencies` and `peerDependencies` (npm 7+ installs peers).
fn dependency_names(json: &Value, keys: &[&str]) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for k in keys {
        if let Some(Value::Object(m)) = json.get(*k) {
            for n in m.keys() {
                if !names.contains(n) {
                    names.push(n.clone());
                }
            }
        }
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scoped_purls_and_names() {
        assert_eq!(
            purl("@babel/core", "7.0.0").unwrap().as_str(),
            "pkg:npm/%40babel/core@7.0.0"
        );
        assert_eq!(purl("ms", "2.1.3").unwrap().as_str(), "pkg:npm/ms@2.1.3");
        assert_eq!(split_name("@babel/core@^7"), Some(("@babel/core", "^7")));
        assert_eq!(split_name("lodash@npm:4"), Some(("lodash", "npm:4")));
        assert_eq!(split_name("lodash"), None);
    }

    #[test]
    fn licenses_in_every_shape() {
        let l = |j: &str| licenses(&serde_json::from_str(j).unwrap());
        assert_eq!(
            l(r#"{"license":"(MIT OR Apache-2.0)"}"#),
            [License::Expression("MIT OR Apache-2.0".into())]
        );
        assert_eq!(
            l(r#"{"license":{"type":"MIT","url":"x"}}"#),
            [License::Expression("MIT".into())]
        );
        assert_eq!(
            l(r#"{"licenses":[{"type":"MIT"},{"type":"Apache-2.0"}]}"#),
            [
                License::Expression("MIT".into()),
                License::Expression("Apache-2.0".into())
            ]
        );
        assert_eq!(
            l(r#"{"license":"SEE LICENSE IN LICENSE.md"}"#),
            [License::Name("SEE LICENSE IN LICENSE.md".into())]
        );
        assert!(l(r#"{"license":42}"#).is_empty());
    }

    #[test]
    fn authors_and_integrity() {
        let v: Value = serde_json::from_str(
            r#""TJ Holowaychuk <tj@vision-media.ca> (http://tjholowaychuk.com)""#,
        )
        .unwrap();
        assert_eq!(
            party(&v),
            Some(Party {
                name: "TJ Holowaychuk".into(),
                email: Some("tj@vision-media.ca".into())
            })
        );
        let loc = Location::new("x", 0);
        let mut p = new_package("ms", "2.0.0", Evidence::Declared, "t", &loc).unwrap();
        apply_source(
            &mut p,
            None,
            Some("sha1-w7M6te42DYbg5ijwRorn7yfWVN8= bogus-x"),
        );
        assert_eq!(p.checksums.len(), 1);
        assert_eq!(
            p.checksums[0].value,
            "c3b33ab5ee360d86e0e628f0468ae7ef27d654df"
        );
    }

    #[test]
    fn node_resolution_prefers_the_nearest() {
        let mut t = Tree::default();
        t.insert("node_modules/a", 0);
        t.insert("node_modules/b", 1);
        t.insert("node_modules/a/node_modules/b", 2);
        let none = |_: &str| None;
        assert_eq!(t.resolve("node_modules/a", "b", &none), Some(2));
        assert_eq!(
            t.resolve("node_modules/a/node_modules/b", "a", &none),
            Some(0)
        );
        assert_eq!(t.resolve("node_modules/b", "b", &none), Some(1));
        assert_eq!(t.resolve("", "c", &none), None);
    }
}
