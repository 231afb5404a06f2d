//! Installed distributions, grouped by environment, with their dependency edges.
//!
//! An environment is the directory holding the `.dist-info`/`.egg-info`/`.egg` directories
//! (`usr/lib/python3/dist-packages`, `opt/venv/lib/python3.12/site-packages`, a `--target`
//! directory). What is known of its interpreter, for markers: `python_version` from a
//! `python3.X`/`pypy3.X` path component, else from the `cpython-3XY` tags of compiled files
//! its RECORDs list; `platform_machine` from the tags of extension modules
//! (`*.cpython-312-x86_64-linux-gnu.so`).
//!
//! A distribution whose metadata file another distribution's RECORD lists is part of that
//! distribution, not installed on its own: setuptools ships `setuptools/_vendor/*.dist-info`
//! (17 of them in 75.x) and a test egg. The interpreter does not see them as distributions and
//! `pip list` does not list them, so they are not packages here; the distribution that ships
//! them names each in a `bundled` property (`packaging@24.1`), so the SBOM still says they are
//! there. (Syft reports each as a package of its own.)

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::markers::{self, MarkerEnv};
use super::metadata::{self, CoreMetadata};
use super::requirement::{self, Requirement};
use super::{INSTALLED, license, new_package};
use crate::catalog::{CatalogOutput, parse_failure, read_file};
use crate::fs::{FileResolver, Location};
use crate::model::{Evidence, LanguageMetadata, PackageMetadata, Party, RelationshipKind};
use crate::source::limits::{Items, check_items};

/// The files read (see the module docs of `python`).
pub(super) const WANTS: &[&str] = &[
    "**/*.dist-info/METADATA",
    "**/*.dist-info/RECORD",
    "**/*.egg-info",
    "**/*.egg-info/PKG-INFO",
    "**/*.egg-info/requires.txt",
    "**/*.egg-info/installed-files.txt",
    "**/EGG-INFO/PKG-INFO",
    "**/EGG-INFO/requires.txt",
];

/// One distribution found on disk, parsed.
struct Dist {
    location: Location,
    /// The environment directory (root-relative).
    env: String,
    meta: CoreMetadata,
    requires: Vec<Requirement>,
    files: Vec<String>,
}

/// Where a metadata file sits: its environment and its metadata directory (if any).
fn layout(path: &str) -> Option<(String, Option<String>)> {
    let parent = |p: &str| {
        p.rsplit_once('/')
            .map_or(String::new(), |(d, _)| d.to_owned())
    };
    if path.ends_with(".egg-info") {
        return Some((parent(path), None)); // a single-file egg-info
    }
    let dir = parent(path);
    let env = if dir.ends_with("/EGG-INFO") || dir == "EGG-INFO" {
        parent(&parent(&dir))
    } else {
        parent(&dir)
    };
    Some((env, Some(dir)))
}

/// Catalogs every installed distribution in `fs`.
pub(super) fn catalog(fs: &dyn FileResolver) -> CatalogOutput {
    let mut out = CatalogOutput::default();
    let mut dists: Vec<Dist> = Vec::new();
    for pattern in [
        "**/*.dist-info/METADATA",
        "**/*.egg-info/PKG-INFO",
        "**/*.egg-info",
        "**/EGG-INFO/PKG-INFO",
    ] {
        for loc in fs.files_by_glob(pattern) {
            match read_dist(fs, &loc) {
                Ok(d) => dists.push(d),
                Err(u) => out.unknowns.push(u),
            }
        }
    }
    let mut envs: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, d) in dists.iter().enumerate() {
        envs.entry(d.env.as_str()).or_default().push(i);
    }
    let mut edges: BTreeSet<(usize, usize, RelationshipKind)> = BTreeSet::new();
    for (env, members) in &envs {
        let menv = marker_env(env, members.iter().map(|&i| &dists[i]));
        resolve(&dists, members, &menv, &mut edges);
    }
    // Bundled distributions: the metadata file is owned by another distribution.
    // A bundled distribution's own RECORD lists its METADATA too: keep every owner.
    let mut owners: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, d) in dists.iter().enumerate() {
        for f in &d.files {
            owners.entry(f.as_str()).or_default().push(i);
        }
    }
    let mut bundled: Vec<Vec<String>> = vec![Vec::new(); dists.len()];
    let mut inside: Vec<bool> = vec![false; dists.len()];
    for (i, d) in dists.iter().enumerate() {
        let mut others = owners.get(d.location.path.as_str()).into_iter().flatten();
        if let Some(&o) = others.find(|&&o| o != i) {
            inside[i] = true;
            bundled[o].push(format!("{}@{}", d.meta.name, d.meta.version));
        }
    }
    let mut index: Vec<Option<usize>> = Vec::with_capacity(dists.len());
    for (i, d) in dists.iter().enumerate() {
        if inside[i] {
            index.push(None);
            continue;
        }
        match package(d, &bundled[i]) {
            Ok(p) => {
                index.push(Some(out.packages.len()));
                out.packages.push(p);
            }
            Err(why) => {
                index.push(None);
                out.unknowns
                    .push(parse_failure(INSTALLED, &d.location, why));
            }
        }
    }
    for (from, to, kind) in edges {
        if let (Some(a), Some(b)) = (index[from], index[to]) {
            out.relationships.push((a, b, kind));
        }
    }
    out
}

/// The file `name` beside the metadata, if it can be read; a file of more lines than the
/// items limit is an unknown (each line becomes a string).
fn read_text(
    fs: &dyn FileResolver,
    dir: &str,
    name: &str,
) -> Result<Option<String>, crate::model::Unknown> {
    let Some(loc) = fs.file_by_path(&format!("{dir}/{name}")).ok().flatten() else {
        return Ok(None);
    };
    let Ok(bytes) = fs.read(&loc) else {
        return Ok(None);
    };
    check_items(&bytes, Items::Separators(b"\n"))
        .map_err(|why| parse_failure(INSTALLED, &loc, why))?;
    Ok(Some(String::from_utf8_lossy(&bytes).into_owned()))
}

fn read_dist(fs: &dyn FileResolver, loc: &Location) -> Result<Dist, crate::model::Unknown> {
    let bytes = read_file(fs, loc, INSTALLED)?;
    let text = String::from_utf8_lossy(&bytes);
    let meta =
        metadata::parse_core_metadata(&text).map_err(|e| parse_failure(INSTALLED, loc, e))?;
    let (env, dir) = layout(&loc.path).unwrap_or_default();
    let mut requires_dist = meta.requires_dist.clone();
    let mut files = Vec::new();
    if let Some(dir) = &dir {
        if dir.ends_with(".dist-info") {
            if let Some(record) = read_text(fs, dir, "RECORD")? {
                files = metadata::parse_record(&record)
                    .iter()
                    .filter_map(|p| metadata::join(&env, p))
                    .collect();
            }
        } else {
            // setuptools keeps requirements out of PKG-INFO, in requires.txt.
            if let Some(req) = read_text(fs, dir, "requires.txt")? {
                requires_dist = metadata::parse_requires_txt(&req);
            }
            if let Some(list) = read_text(fs, dir, "installed-files.txt")? {
                files = list
                    .lines()
                    .map(str::trim)
                    .filter(|l| !l.is_empty())
                    .filter_map(|p| metadata::join(dir, p))
                    .collect();
            }
        }
    }
    let requires = requires_dist
        .iter()
        .filter_map(|r| requirement::parse_requirement(r))
        .collect();
    Ok(Dist {
        location: loc.clone(),
        env,
        meta,
        requires,
        files,
    })
}

/// What the environment's path and files say about its interpreter.
fn marker_env<'a>(env: &str, dists: impl Iterator<Item = &'a Dist>) -> MarkerEnv {
    let mut m = MarkerEnv::default();
    for seg in env.split('/') {
        for (prefix, implementation) in [("python", "cpython"), ("pypy", "pypy")] {
            if let Some(v) = seg.strip_prefix(prefix)
                && let Some((major, minor)) = v.split_once('.')
                && !major.is_empty()
                && [major, minor]
                    .iter()
                    .all(|s| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
            {
                m.python_version = Some(v.to_owned());
                m.implementation = Some(implementation.to_owned());
            }
        }
        if seg == "python3" || seg == "python2" {
            m.implementation.get_or_insert_with(|| "cpython".to_owned());
        }
    }
    for d in dists {
        for f in &d.files {
            let Some(pos) = f.find(".cpython-") else {
                continue;
            };
            // `.cpython-312.pyc` or `.cpython-312-x86_64-linux-gnu.so`
            let tag = &f[pos + ".cpython-".len()..];
            let digits: String = tag.chars().take_while(char::is_ascii_digit).collect();
            if m.python_version.is_none() && digits.len() >= 2 {
                m.python_version = Some(format!("{}.{}", &digits[..1], &digits[1..]));
                m.implementation = Some("cpython".to_owned());
            }
            if m.platform_machine.is_none()
                && let Some(rest) = tag[digits.len()..].strip_prefix('-')
                && let Some((machine, _)) = rest.split_once("-linux")
            {
                m.platform_machine = Some(machine.to_owned());
            }
        }
        if m.python_version.is_some() && m.platform_machine.is_some() {
            break;
        }
    }
    m
}

/// Adds the `depends-on` edges among `members` (one environment): a requirement whose marker
/// is not false for the environment, with the extras the dependents request, to the
/// distribution of that name installed there.
fn resolve(
    dists: &[Dist],
    members: &[usize],
    env: &MarkerEnv,
    edges: &mut BTreeSet<(usize, usize, RelationshipKind)>,
) {
    let mut by_name: HashMap<String, usize> = HashMap::new();
    for &i in members {
        by_name
            .entry(requirement::normalize(&dists[i].meta.name))
            .or_insert(i);
    }
    let mut extras: HashMap<usize, Vec<String>> = HashMap::new();
    // Extras requested of a dependency activate more of its requirements: repeat until no
    // requirement asks for a new extra (each round adds one at least, so this ends).
    loop {
        let mut changed = false;
        for &i in members {
            let mine = extras.get(&i).cloned().unwrap_or_default();
            for r in &dists[i].requires {
                let Some(&target) = by_name.get(&r.name) else {
                    continue;
                };
                let active = r
                    .marker
                    .as_deref()
                    .is_none_or(|m| markers::evaluate(m, env, &mine) != Some(false));
                if !active || target == i {
                    continue;
                }
                edges.insert((i, target, RelationshipKind::DependsOn));
                let theirs = extras.entry(target).or_default();
                for e in &r.extras {
                    if !theirs.contains(e) {
                        theirs.push(e.clone());
                        changed = true;
                    }
                }
            }
        }
        if !changed {
            break;
        }
    }
}

/// The party named by a name field and an e-mail field (`A <a@x>, B <b@x>` keeps the first).
fn party(name: Option<&str>, email: Option<&str>) -> Option<Party> {
    let first = email.and_then(|e| e.split(',').map(str::trim).find(|e| !e.is_empty()));
    let from_email = first.and_then(Party::parse);
    match name.map(str::trim).filter(|n| !n.is_empty()) {
        Some(n) => Some(Party {
            name: n.to_owned(),
            email: from_email
                .and_then(|p| p.email.or_else(|| Some(p.name).filter(|n| n.contains('@')))),
        }),
        None => from_email,
    }
}

fn homepage(m: &CoreMetadata) -> Option<String> {
    m.home_page.clone().or_else(|| {
        m.project_urls.iter().find_map(|(label, url)| {
            let key: String = label
                .chars()
                .filter(|c| c.is_alphanumeric())
                .collect::<String>()
                .to_lowercase();
            matches!(key.as_str(), "homepage" | "home").then(|| url.clone())
        })
    })
}

fn package(d: &Dist, bundled: &[String]) -> Result<crate::model::Package, String> {
    let m = &d.meta;
    let mut p = new_package(&m.name, &m.version, INSTALLED)?;
    p.locations.insert(d.location.clone());
    p.licenses = license::licenses(m);
    p.author = party(m.author.as_deref(), m.author_email.as_deref());
    p.supplier = party(m.maintainer.as_deref(), m.maintainer_email.as_deref());
    p.files = d.files.clone();
    let mut lm = LanguageMetadata::new(Evidence::Installed);
    lm.description = m.summary.clone();
    lm.homepage = homepage(m);
    lm.property("sitePackages", d.env.clone());
    for b in bundled {
        lm.property("bundled", b.clone());
    }
    p.metadata = PackageMetadata::Language(lm);
    Ok(p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layouts() {
        let l = |p: &str| layout(p).unwrap();
        assert_eq!(
            l("usr/lib/python3/dist-packages/a-1.dist-info/METADATA"),
            (
                "usr/lib/python3/dist-packages".into(),
                Some("usr/lib/python3/dist-packages/a-1.dist-info".into())
            )
        );
        assert_eq!(l("sp/m-1.6-py3.10.egg/EGG-INFO/PKG-INFO").0, "sp");
        assert_eq!(
            l("usr/lib/python2.7/Python-2.7.egg-info"),
            ("usr/lib/python2.7".into(), None)
        );
    }

    #[test]
    fn parties() {
        assert_eq!(
            party(Some("Georg Brandl"), Some("georg@python.org")),
            Some(Party {
                name: "Georg Brandl".into(),
                email: Some("georg@python.org".into())
            })
        );
        assert_eq!(
            party(None, Some("\"Jane Doe\" <jane@x.org>, Bob <bob@x.org>")),
            Some(Party {
                name: "Jane Doe".into(),
                email: Some("jane@x.org".into())
            })
        );
        assert_eq!(party(None, None), None);
    }
}
