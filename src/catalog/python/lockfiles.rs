//! Declared Python dependencies: pinned requirements files and the lockfiles of Poetry,
//! Pipenv and uv, wherever they are in the image (usually the application's directory).
//!
//! - `requirements*.txt` (<https://pip.pypa.io/en/stable/reference/requirements-file-format/>):
//!   only exact pins (`name==1.2`, `name===1.2`, extras and markers allowed) name a version;
//!   ranges, options (`-r`, `-e`, `--hash` continuation lines) and URLs without a pin are
//!   skipped. `requirements-dev.txt`, `dev-requirements.txt` and `requirements-test.txt`
//!   hold development dependencies by convention: their packages are marked `dev`.
//! - `poetry.lock`: see `poetry.rs` (dev packages found with the `pyproject.toml` beside it).
//! - `Pipfile.lock` (<https://pipenv.pypa.io/en/latest/pipfile.html>): `default` and `develop`
//!   (dev) maps of name → `{"version": "==x"}`; no edges recorded.
//! - `uv.lock` (<https://docs.astral.sh/uv/concepts/projects/layout/#the-lockfile>):
//!   `[[package]]` tables with `dependencies`, `optional-dependencies` and `dev-dependencies`;
//!   the project itself (`source = { virtual | editable = "." }`) is not a dependency and is
//!   left out; a package is dev when only the projects' dev groups reach it.
//!
//! A declared package installed in the image is reported by the installed cataloger alone
//! (see `installed`).
//!
//! Files inside `site-packages`, `dist-packages` or `node_modules` belong to an installed
//! package (its own test data or build files), not to the image's project, and are skipped.

use std::collections::{BTreeSet, HashMap, HashSet};

use serde::Deserialize;

use super::requirement::normalize;
use super::{LOCK, metadata, new_package, poetry};
use crate::catalog::{CatalogOutput, parse_failure, read_file};
use crate::fs::{FileResolver, Location};
use crate::model::{Evidence, LanguageMetadata, PackageMetadata, RelationshipKind};
use crate::source::limits::{Items, check_items};

/// The lockfiles.
const LOCKFILES: &[&str] = &[
    "**/*requirements*.txt",
    "**/poetry.lock",
    "**/Pipfile.lock",
    "**/uv.lock",
];

/// The files read: the lockfiles, the `pyproject.toml` beside a `poetry.lock`, and the
/// installed distributions' metadata (see `installed`).
pub(super) const WANTS: &[&str] = &[
    "**/*requirements*.txt",
    "**/poetry.lock",
    "**/Pipfile.lock",
    "**/uv.lock",
    "**/pyproject.toml",
    "**/*.dist-info/METADATA",
    "**/*.egg-info",
    "**/*.egg-info/PKG-INFO",
    "**/EGG-INFO/PKG-INFO",
];

/// (normalised name, version) of every distribution installed in the image.
///
/// A declared package that is also installed is left to the installed cataloger: the lockfile
/// adds nothing but an earlier layer (the `COPY requirements.txt` before the `pip install`),
/// which would misdate the installation. The installed metadata is among `WANTS`, so this
/// cataloger runs again in the layer that installs what a lockfile declared.
fn installed(fs: &dyn FileResolver) -> HashSet<(String, String)> {
    let mut out = HashSet::new();
    for pattern in &WANTS[5..] {
        for loc in fs.files_by_glob(pattern) {
            let Ok(bytes) = fs.read(&loc) else { continue };
            if let Ok(m) = metadata::parse_core_metadata(&String::from_utf8_lossy(&bytes)) {
                out.insert((normalize(&m.name), m.version));
            }
        }
    }
    out
}

/// One declared package: name, version, dev, and the (normalised) names it depends on.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Declared {
    pub name: String,
    pub version: String,
    pub dev: bool,
    pub depends: Vec<String>,
}

/// Catalogs every lockfile in `fs`.
pub(super) fn catalog(fs: &dyn FileResolver) -> CatalogOutput {
    let mut out = CatalogOutput::default();
    let installed = installed(fs);
    for pattern in LOCKFILES {
        for loc in fs.files_by_glob(pattern) {
            // Inside an installed distribution: its authors' files, not the image's project.
            if ["site-packages/", "dist-packages/", "node_modules/"]
                .iter()
                .any(|d| loc.path.contains(d))
            {
                continue;
            }
            let file = loc.path.rsplit('/').next().unwrap_or("");
            let bytes = match read_file(fs, &loc, LOCK) {
                Ok(b) => b,
                Err(u) => {
                    out.unknowns.push(u);
                    continue;
                }
            };
            // A requirement is a line; the lockfiles give each package a version.
            let needle: &[u8] = match file {
                "poetry.lock" | "Pipfile.lock" | "uv.lock" => b"version",
                _ => b"\n",
            };
            if let Some(u) = crate::catalog::too_many_records(LOCK, &loc, &bytes, needle) {
                out.unknowns.push(u);
                continue;
            }
            let text = String::from_utf8_lossy(&bytes);
            let parsed = match file {
                "poetry.lock" => {
                    let dir = loc.path.rsplit_once('/').map_or("", |(d, _)| d);
                    let project = sibling(fs, dir, "pyproject.toml");
                    poetry::parse_poetry_lock(&text, project.as_deref())
                }
                "Pipfile.lock" => parse_pipfile_lock(&text),
                "uv.lock" => parse_uv_lock(&text),
                _ => parse_requirements(&text, file),
            };
            match parsed {
                Ok(mut decl) => {
                    decl.retain(|d| !installed.contains(&(normalize(&d.name), d.version.clone())));
                    add(&mut out, &loc, decl);
                }
                Err(why) => out.unknowns.push(parse_failure(LOCK, &loc, why)),
            }
        }
    }
    out
}

/// The text of `name` in directory `dir`, if the image has it (and it was captured).
fn sibling(fs: &dyn FileResolver, dir: &str, name: &str) -> Option<String> {
    let path = if dir.is_empty() {
        name.to_owned()
    } else {
        format!("{dir}/{name}")
    };
    let loc = fs.file_by_path(&path).ok()??;
    Some(String::from_utf8_lossy(&fs.read(&loc).ok()?).into_owned())
}

fn add(out: &mut CatalogOutput, loc: &Location, decl: Vec<Declared>) {
    let mut index: Vec<Option<usize>> = Vec::with_capacity(decl.len());
    let mut by_name: HashMap<String, Vec<usize>> = HashMap::new();
    for d in &decl {
        match new_package(&d.name, &d.version, LOCK) {
            Ok(mut p) => {
                p.locations.insert(loc.clone());
                let mut m = LanguageMetadata::new(Evidence::Declared);
                m.dev = d.dev;
                p.metadata = PackageMetadata::Language(m);
                by_name
                    .entry(normalize(&d.name))
                    .or_default()
                    .push(out.packages.len());
                index.push(Some(out.packages.len()));
                out.packages.push(p);
            }
            Err(why) => {
                index.push(None);
                out.unknowns.push(parse_failure(LOCK, loc, why));
            }
        }
    }
    // Edges stay inside this lockfile: `by_name` only holds its own packages.
    let mut edges = BTreeSet::new();
    for (d, from) in decl.iter().zip(index) {
        let Some(from) = from else { continue };
        for dep in &d.depends {
            for &to in by_name.get(&normalize(dep)).into_iter().flatten() {
                if to != from {
                    edges.insert((from, to, RelationshipKind::DependsOn));
                }
            }
        }
    }
    out.relationships.extend(edges);
}

/// Pinned lines of a requirements file (see the module docs).
pub(super) fn parse_requirements(text: &str, file: &str) -> Result<Vec<Declared>, String> {
    let lower = file.to_ascii_lowercase();
    let dev = [
        "requirements-dev",
        "dev-requirements",
        "requirements_dev",
        "requirements-test",
    ]
    .iter()
    .any(|k| lower.starts_with(k));
    let joined = text.replace("\\\r\n", " ").replace("\\\n", " ");
    let mut out = Vec::new();
    for line in joined.lines() {
        let line = line.split(" #").next().unwrap_or("").trim();
        if line.is_empty() || line.starts_with(['#', '-']) {
            continue;
        }
        let spec = line.split(';').next().unwrap_or("");
        let Some((name_part, version_part)) = spec.split_once("==") else {
            continue;
        };
        let name_end = name_part.find(['[', ' ', '\t']).unwrap_or(name_part.len());
        let name = name_part[..name_end].trim();
        // Only extras may stand between the name and `==` (not `>=1,` of another clause).
        let between = name_part[name_end..].trim();
        if !(between.is_empty() || between.starts_with('[') && between.ends_with(']')) {
            continue;
        }
        let version_part = version_part.trim_start_matches('=').trim();
        let version = version_part.split_whitespace().next().unwrap_or("");
        let valid_name = !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
        if !valid_name || version.is_empty() || version.contains(['*', ',', '<', '>', '!']) {
            continue;
        }
        out.push(Declared {
            name: name.to_owned(),
            version: version.to_owned(),
            dev,
            depends: Vec::new(),
        });
    }
    Ok(out)
}

#[derive(Deserialize)]
struct PipfileLock {
    #[serde(default)]
    default: HashMap<String, PipfileEntry>,
    #[serde(default)]
    develop: HashMap<String, PipfileEntry>,
}

#[derive(Deserialize)]
struct PipfileEntry {
    version: Option<String>,
}

/// `Pipfile.lock` (see the module docs).
pub(super) fn parse_pipfile_lock(text: &str) -> Result<Vec<Declared>, String> {
    check_items(text.as_bytes(), Items::Json)?;
    let lock: PipfileLock = serde_json::from_str(text).map_err(|e| format!("Pipfile.lock: {e}"))?;
    let mut out = Vec::new();
    for (map, dev) in [(lock.default, false), (lock.develop, true)] {
        let mut entries: Vec<_> = map.into_iter().collect();
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        for (name, e) in entries {
            if let Some(v) = e.version.as_deref().and_then(|v| v.strip_prefix("==")) {
                out.push(Declared {
                    name,
                    version: v.trim_start_matches('=').to_owned(),
                    dev,
                    depends: Vec::new(),
                });
            }
        }
    }
    Ok(out)
}

#[derive(Deserialize)]
struct UvLock {
    #[serde(default)]
    package: Vec<UvPackage>,
}

#[derive(Deserialize)]
struct UvPackage {
    name: String,
    version: Option<String>,
    #[serde(default)]
    source: toml::Table,
    #[serde(default)]
    dependencies: Vec<UvDep>,
    #[serde(default, rename = "optional-dependencies")]
    optional: HashMap<String, Vec<UvDep>>,
    #[serde(default, rename = "dev-dependencies")]
    dev: HashMap<String, Vec<UvDep>>,
}

#[derive(Deserialize)]
struct UvDep {
    name: String,
}

/// `uv.lock` (see the module docs).
pub(super) fn parse_uv_lock(text: &str) -> Result<Vec<Declared>, String> {
    check_items(text.as_bytes(), Items::Toml)?;
    let lock: UvLock = toml::from_str(text).map_err(|e| format!("uv.lock: {e}"))?;
    let is_project =
        |p: &UvPackage| p.source.contains_key("virtual") || p.source.contains_key("editable");
    let deps_of = |p: &UvPackage, dev: bool| -> Vec<String> {
        let mut d: Vec<String> = p.dependencies.iter().map(|d| normalize(&d.name)).collect();
        d.extend(p.optional.values().flatten().map(|d| normalize(&d.name)));
        if dev {
            d.extend(p.dev.values().flatten().map(|d| normalize(&d.name)));
        }
        d
    };
    let by_name: HashMap<String, Vec<&UvPackage>> =
        lock.package.iter().fold(HashMap::new(), |mut m, p| {
            m.entry(normalize(&p.name)).or_default().push(p);
            m
        });
    // What the projects need at run time, transitively; the rest is dev-only.
    let mut runtime: BTreeSet<String> = BTreeSet::new();
    let mut stack: Vec<String> = lock
        .package
        .iter()
        .filter(|p| is_project(p))
        .flat_map(|p| deps_of(p, false))
        .collect();
    while let Some(n) = stack.pop() {
        if runtime.insert(n.clone()) {
            for p in by_name.get(&n).into_iter().flatten() {
                stack.extend(deps_of(p, false));
            }
        }
    }
    let has_projects = lock.package.iter().any(is_project);
    Ok(lock
        .package
        .iter()
        .filter(|p| !is_project(p))
        .filter_map(|p| {
            Some(Declared {
                name: p.name.clone(),
                version: p.version.clone()?,
                dev: has_projects && !runtime.contains(&normalize(&p.name)),
                depends: deps_of(p, true),
            })
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requirements_pins_only() {
        let text = "a==1.0\nb>=2\nz >=1, ==2\nc[x] == 3.0 ; python_version < '3'\n-e .\nd==4.* \ne===5 \\\n  --hash=sha256:00\n#f==6\n";
        let got = parse_requirements(text, "requirements.txt").unwrap();
        let names: Vec<_> = got
            .iter()
            .map(|d| (d.name.as_str(), d.version.as_str()))
            .collect();
        assert_eq!(names, [("a", "1.0"), ("c", "3.0"), ("e", "5")]);
        assert!(parse_requirements("a==1\n", "requirements-dev.txt").unwrap()[0].dev);
    }

    #[test]
    fn malformed_lockfiles_are_errors() {
        assert!(super::super::poetry::parse_poetry_lock("[[package]\n", None).is_err());
        assert!(parse_pipfile_lock("{").is_err());
        assert!(parse_uv_lock("package = 3").is_err());
    }
}
