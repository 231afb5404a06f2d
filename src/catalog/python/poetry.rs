//! `poetry.lock` (<https://python-poetry.org/docs/basic-usage/#installing-with-poetrylock>):
//! `[[package]]` tables with `[package.dependencies]`, which give the edges.
//!
//! Which packages are development-only depends on the lockfile's age: Poetry < 1.2 writes
//! `category = "dev"`, Poetry 2 writes `groups = [...]` (dev when `main` is not among them),
//! and Poetry 1.2–1.8 writes neither. For those, the `pyproject.toml` beside the lockfile names
//! the project's run-time requirements (`[tool.poetry.dependencies]`, PEP 621
//! `[project] dependencies` and `optional-dependencies`); a package the lockfile's tree does not
//! reach from them is dev-only (<https://python-poetry.org/docs/managing-dependencies/>).
//! Without that file nothing is marked dev rather than guessed.

use std::collections::{BTreeSet, HashMap};

use serde::Deserialize;

use super::lockfiles::Declared;
use super::requirement::{normalize, parse_requirement};
use crate::source::limits::{Items, check_items};

#[derive(Deserialize)]
struct PoetryLock {
    #[serde(default)]
    package: Vec<PoetryPackage>,
}

#[derive(Deserialize)]
struct PoetryPackage {
    name: String,
    version: String,
    category: Option<String>,
    groups: Option<Vec<String>>,
    #[serde(default)]
    dependencies: toml::Table,
}

/// Parses `poetry.lock`, with the project's `pyproject.toml` when there is one.
pub(super) fn parse_poetry_lock(
    text: &str,
    pyproject: Option<&str>,
) -> Result<Vec<Declared>, String> {
    check_items(text.as_bytes(), Items::Toml)?;
    let lock: PoetryLock = toml::from_str(text).map_err(|e| format!("poetry.lock: {e}"))?;
    let marked = lock
        .package
        .iter()
        .any(|p| p.category.is_some() || p.groups.is_some());
    let runtime = match (marked, pyproject.and_then(runtime_roots)) {
        (false, Some(roots)) => Some(reachable(&lock.package, roots)),
        _ => None,
    };
    Ok(lock
        .package
        .into_iter()
        .map(|p| {
            let dev = match &runtime {
                Some(r) => !r.contains(&normalize(&p.name)),
                None => {
                    p.category.as_deref() == Some("dev")
                        || p.groups.is_some_and(|g| !g.iter().any(|g| g == "main"))
                }
            };
            Declared {
                dev,
                depends: p.dependencies.keys().map(|k| normalize(k)).collect(),
                name: p.name,
                version: p.version,
            }
        })
        .collect())
}

/// The run-time requirements a `pyproject.toml` names; `None` when it names no Poetry or
/// PEP 621 dependencies at all (or does not parse).
fn runtime_roots(text: &str) -> Option<Vec<String>> {
    check_items(text.as_bytes(), Items::Toml).ok()?;
    let doc: toml::Table = toml::from_str(text).ok()?;
    let mut roots = Vec::new();
    let mut found = false;
    let poetry = doc
        .get("tool")
        .and_then(|t| t.get("poetry"))
        .and_then(|p| p.get("dependencies"))
        .and_then(|d| d.as_table());
    if let Some(deps) = poetry {
        found = true;
        roots.extend(
            deps.keys()
                .filter(|k| k.as_str() != "python")
                .map(|k| normalize(k)),
        );
    }
    if let Some(project) = doc.get("project") {
        let specs = project
            .get("dependencies")
            .and_then(|d| d.as_array())
            .into_iter()
            .flatten()
            .chain(
                project
                    .get("optional-dependencies")
                    .and_then(|o| o.as_table())
                    .into_iter()
                    .flat_map(|t| t.values())
                    .filter_map(|v| v.as_array())
                    .flatten(),
            );
        for spec in specs.filter_map(|v| v.as_str()) {
            found = true;
            if let Some(r) = parse_requirement(spec) {
                roots.push(r.name);
            }
        }
    }
    found.then_some(roots)
}

/// Normalised names reachable from `roots` through the lockfile's dependency tables.
fn reachable(packages: &[PoetryPackage], roots: Vec<String>) -> BTreeSet<String> {
    let deps: HashMap<String, Vec<String>> = packages
        .iter()
        .map(|p| {
            let d = p.dependencies.keys().map(|k| normalize(k)).collect();
            (normalize(&p.name), d)
        })
        .collect();
    let mut seen = BTreeSet::new();
    let mut stack = roots;
    while let Some(n) = stack.pop() {
        if seen.insert(n.clone()) {
            stack.extend(deps.get(&n).into_iter().flatten().cloned());
        }
    }
    seen
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Poetry 1.8 style: neither `category` nor `groups`.
    const LOCK_1_8: &str = r#"
[[package]]
name = "requests"
version = "2.31.0"
optional = false

[package.dependencies]
certifi = ">=2017.4.17"
urllib3 = ">=1.21.1,<3"

[[package]]
name = "certifi"
version = "2024.2.2"

[[package]]
name = "urllib3"
version = "2.2.1"

[[package]]
name = "pytest"
version = "8.0.0"

[package.dependencies]
iniconfig = "*"

[[package]]
name = "iniconfig"
version = "2.0.0"
"#;

    fn dev_of(got: &[Declared]) -> Vec<(&str, bool)> {
        got.iter().map(|d| (d.name.as_str(), d.dev)).collect()
    }

    #[test]
    fn pyproject_decides_dev_for_unmarked_lockfiles() {
        let pyproject = "[tool.poetry.dependencies]\npython = \"^3.11\"\nRequests = \"^2.31\"\n\n[tool.poetry.group.dev.dependencies]\npytest = \"^8\"\n";
        let got = parse_poetry_lock(LOCK_1_8, Some(pyproject)).unwrap();
        assert_eq!(
            dev_of(&got),
            [
                ("requests", false),
                ("certifi", false),
                ("urllib3", false),
                ("pytest", true),
                ("iniconfig", true)
            ]
        );
        assert_eq!(got[0].depends, ["certifi", "urllib3"]);
        let pep621 = "[project]\nname = \"app\"\ndependencies = [\"requests>=2.31 ; python_version >= '3.8'\"]\n";
        let got = parse_poetry_lock(LOCK_1_8, Some(pep621)).unwrap();
        assert!(got[3].dev && !got[2].dev);
    }

    #[test]
    fn without_pyproject_nothing_is_guessed() {
        let got = parse_poetry_lock(LOCK_1_8, None).unwrap();
        assert!(got.iter().all(|d| !d.dev));
        let got = parse_poetry_lock(LOCK_1_8, Some("not toml [")).unwrap();
        assert!(got.iter().all(|d| !d.dev));
    }

    #[test]
    fn poetry_2_groups() {
        let text = "[[package]]\nname = \"a\"\nversion = \"1\"\ngroups = [\"main\"]\n[package.dependencies]\nb = \">=1\"\n\n[[package]]\nname = \"b\"\nversion = \"2\"\ngroups = [\"dev\"]\n";
        // Markers in the lockfile win over the pyproject.
        let got = parse_poetry_lock(text, Some("[tool.poetry.dependencies]\n")).unwrap();
        assert_eq!((got[0].dev, got[1].dev), (false, true));
        assert_eq!(got[0].depends, ["b"]);
    }
}
