//! The one list of catalogers. Adding a cataloger means adding one line here.

use super::Cataloger;
use super::{apk, dotnet, dpkg, golang, java, npm, php, python, rpm, ruby, rust};

/// Every cataloger, in the order they run and report.
pub const CATALOGERS: &[&dyn Cataloger] = &[
    &dpkg::DpkgDbCataloger,
    &apk::ApkDbCataloger,
    &rpm::RpmDbCataloger,
    &python::PythonInstalledCataloger,
    &python::PythonLockCataloger,
    &npm::NpmInstalledCataloger,
    &npm::NpmLockCataloger,
    &golang::GoModuleBinaryCataloger,
    &golang::GoModFileCataloger,
    &rust::CargoAuditableCataloger,
    &rust::CargoLockCataloger,
    &java::JavaArchiveCataloger,
    &dotnet::DotnetDepsCataloger,
    &php::PhpComposerInstalledCataloger,
    &php::PhpComposerLockCataloger,
    &ruby::RubyGemspecCataloger,
    &ruby::RubyGemfileLockCataloger,
];

/// The catalogers whose name or tag matches one of `selectors` (`dpkg`, `dpkg-db-cataloger`,
/// `os`, `language`), minus those matching a selector prefixed with `-`. No positive
/// selector means all.
pub fn select(selectors: &[String]) -> Result<Vec<&'static dyn Cataloger>, String> {
    let (exclude, include): (Vec<&str>, Vec<&str>) = selectors
        .iter()
        .map(String::as_str)
        .partition(|s| s.starts_with('-'));
    let exclude: Vec<&str> = exclude.iter().map(|s| &s[1..]).collect();
    for s in include.iter().chain(&exclude) {
        if !CATALOGERS.iter().any(|c| matches(*c, s)) {
            let names: Vec<&str> = CATALOGERS.iter().map(|c| c.name()).collect();
            return Err(format!(
                "unknown cataloger {s:?}; known: {}, or the tags os, language",
                names.join(", ")
            ));
        }
    }
    Ok(CATALOGERS
        .iter()
        .copied()
        .filter(|c| include.is_empty() || include.iter().any(|s| matches(*c, s)))
        .filter(|c| !exclude.iter().any(|s| matches(*c, s)))
        .collect())
}

fn matches(c: &dyn Cataloger, selector: &str) -> bool {
    let name = c.name();
    let short = name.split('-').next().unwrap_or(name);
    let tag = match selector {
        "os" => Some(super::Tag::Os),
        "language" => Some(super::Tag::Language),
        "installed" => Some(super::Tag::Installed),
        "declared" => Some(super::Tag::Declared),
        _ => None,
    };
    name == selector || short == selector || tag.is_some_and(|t| c.tags().contains(&t))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_well_formed() {
        let mut names: Vec<&str> = CATALOGERS.iter().map(|c| c.name()).collect();
        for n in &names {
            assert!(n.ends_with("-cataloger"), "{n}");
            assert!(n.chars().all(|c| c.is_ascii_lowercase() || c == '-'), "{n}");
        }
        names.sort();
        let len = names.len();
        names.dedup();
        assert_eq!(names.len(), len);
    }

    #[test]
    fn every_cataloger_wants_valid_globs() {
        for c in CATALOGERS {
            // A cataloger reads files by name, by content, or both.
            assert!(
                !c.wants().is_empty() || c.extractor().is_some(),
                "{}",
                c.name()
            );
            for g in c.wants() {
                crate::fs::wants::compile(g).unwrap();
            }
        }
    }

    #[test]
    fn selection() {
        let all = select(&[]).unwrap();
        assert_eq!(all.len(), CATALOGERS.len());
        let dpkg = select(&["dpkg".into()]).unwrap();
        assert_eq!(dpkg.len(), 1);
        let not_dpkg = select(&["-dpkg".into()]).unwrap();
        assert_eq!(not_dpkg.len(), CATALOGERS.len() - 1);
        assert!(select(&["nope".into()]).is_err_and(|e| e.contains("unknown cataloger")));
    }
}
