//! `Cargo.lock`: the crates a Rust project's build resolves to.
//!
//! Format: <https://doc.rust-lang.org/cargo/reference/resolver.html> (no formal spec; the
//! versions, from cargo's `src/cargo/core/resolver/encode.rs`):
//! - v1 (no `version` key, `[metadata]` table holding `"checksum <name> <version> (<source>)"`
//!   keys) — dependencies always written `name version (source)`;
//! - v2 (no `version` key or `version = 2`, inline `checksum`) — dependencies written as
//!   `name` alone when one package has that name, `name version` when several do, and
//!   `name version (source)` when that is still ambiguous;
//! - v3 (`version = 3`) and v4 (`version = 4`) change only how git sources are encoded.
//!
//! Lockfiles inside cargo's download cache (`.cargo/registry/`, `.cargo/git/`) belong to
//! downloaded crates, not to the image's projects, and are skipped.
//!
//! Every `[[package]]` is a package with evidence `declared` (the lockfile does not say which
//! are dev- or build-only, nor which are workspace members beyond having no `source`); a
//! `checksum` is the SHA-256 of the `.crate` archive, so it is a real artifact checksum. Edges
//! come from each package's `dependencies`.

use std::collections::HashMap;

use serde::Deserialize;

use super::crate_package;
use crate::Result;
use crate::catalog::{CatalogOutput, Cataloger, Environment, Tag, parse_failure, read_file};
use crate::fs::{FileResolver, Location};
use crate::model::{Checksum, Evidence, HashAlgorithm, LanguageMetadata, RelationshipKind};

const NAME: &str = "rust-cargo-lock-cataloger";

/// Reads `Cargo.lock` files. See the module docs.
pub struct CargoLockCataloger;

impl Cataloger for CargoLockCataloger {
    fn name(&self) -> &'static str {
        NAME
    }

    fn tags(&self) -> &'static [Tag] {
        &[Tag::Language, Tag::Declared]
    }

    fn wants(&self) -> &'static [&'static str] {
        &["**/Cargo.lock"]
    }

    fn catalog(&self, fs: &dyn FileResolver, _env: &Environment) -> Result<CatalogOutput> {
        let mut out = CatalogOutput::default();
        for loc in fs.files_by_glob("**/Cargo.lock") {
            if is_downloaded_source(&loc.path) {
                continue;
            }
            match read_file(fs, &loc, NAME) {
                Ok(bytes) => {
                    match crate::catalog::too_many_records(NAME, &loc, &bytes, b"[[package]]") {
                        Some(u) => out.unknowns.push(u),
                        None => parse_cargo_lock(&loc, &bytes, &mut out),
                    }
                }
                Err(u) => out.unknowns.push(u),
            }
        }
        Ok(out)
    }
}

#[derive(Deserialize)]
struct Lock {
    version: Option<u32>,
    #[serde(default)]
    package: Vec<LockPackage>,
    #[serde(default)]
    metadata: HashMap<String, toml::Value>,
}

#[derive(Deserialize)]
struct LockPackage {
    name: String,
    version: String,
    source: Option<String>,
    checksum: Option<String>,
    #[serde(default)]
    dependencies: Vec<String>,
}

/// Catalogs one lockfile into `out` (its packages appended, edges offset accordingly).
pub(super) fn parse_cargo_lock(loc: &Location, bytes: &[u8], out: &mut CatalogOutput) {
    let lock: Lock = match std::str::from_utf8(bytes)
        .map_err(|e| e.to_string())
        .and_then(|t| {
            crate::source::limits::check_items(t.as_bytes(), crate::source::limits::Items::Toml)?;
            toml::from_str(t).map_err(|e| e.to_string())
        }) {
        Ok(l) => l,
        Err(why) => return out.unknowns.push(parse_failure(NAME, loc, why)),
    };
    if let Some(v) = lock.version.filter(|v| !(1..=4).contains(v)) {
        out.unknowns.push(parse_failure(
            NAME,
            loc,
            format!("Cargo.lock version {v} is newer than this reader knows; read as version 4"),
        ));
    }
    // Index of each lock package in `out.packages`, or None when it could not be made.
    let mut index: Vec<Option<usize>> = Vec::with_capacity(lock.package.len());
    for p in &lock.package {
        let mut meta = LanguageMetadata::new(Evidence::Declared);
        meta.property("source", p.source.as_deref().unwrap_or_default());
        let checksum = p
            .checksum
            .clone()
            .or_else(|| v1_checksum(&lock.metadata, p));
        match crate_package(&p.name, &p.version, loc, meta, NAME) {
            Ok(mut pkg) => {
                if let Some(c) = checksum.filter(|c| is_sha256_hex(c)) {
                    pkg.checksums.push(Checksum {
                        algorithm: HashAlgorithm::Sha256,
                        value: c.to_ascii_lowercase(),
                    });
                }
                index.push(Some(out.packages.len()));
                out.packages.push(pkg);
            }
            Err(why) => {
                index.push(None);
                out.unknowns.push(parse_failure(NAME, loc, why));
            }
        }
    }
    for (i, p) in lock.package.iter().enumerate() {
        let Some(from) = index[i] else { continue };
        for dep in &p.dependencies {
            match resolve(&lock.package, dep) {
                Some(j) => {
                    if let Some(to) = index[j].filter(|to| *to != from) {
                        out.relationships
                            .push((from, to, RelationshipKind::DependsOn));
                    }
                }
                None => out.unknowns.push(parse_failure(
                    NAME,
                    loc,
                    format!(
                        "{} {}: dependency {dep:?} matches no package",
                        p.name, p.version
                    ),
                )),
            }
        }
    }
}

/// Crates cargo downloaded (`$CARGO_HOME/registry/src`, `$CARGO_HOME/git/checkouts`) are
/// sources of dependencies, not projects of the image: a lockfile one of them ships says
/// what its author built, not what is in the image.
fn is_downloaded_source(path: &str) -> bool {
    path.contains(".cargo/registry/") || path.contains(".cargo/git/")
}

/// The package a `dependencies` entry (`name`, `name version`, `name version (source)`) names:
/// the only match, or `None` when there is none (an ambiguous entry takes the first match,
/// which cargo never writes).
fn resolve(packages: &[LockPackage], dep: &str) -> Option<usize> {
    let mut words = dep.splitn(3, ' ');
    let name = words.next()?;
    let version = words.next();
    let source = words
        .next()
        .map(|s| s.trim_start_matches('(').trim_end_matches(')'));
    packages.iter().position(|p| {
        p.name == name
            && version.is_none_or(|v| p.version == v)
            && source.is_none_or(|s| p.source.as_deref().is_some_and(|ps| same_source(ps, s)))
    })
}

/// Sources compare without the `#<commit>` fragment of git sources, which dependency entries
/// of v1 lockfiles leave out.
fn same_source(a: &str, b: &str) -> bool {
    let strip = |s: &'_ str| s.split('#').next().unwrap_or(s).to_owned();
    a == b || strip(a) == strip(b)
}

/// The checksum of a v1 lockfile, from `[metadata]`.
fn v1_checksum(metadata: &HashMap<String, toml::Value>, p: &LockPackage) -> Option<String> {
    let source = p.source.as_deref()?;
    let key = format!("checksum {} {} ({source})", p.name, p.version);
    metadata.get(&key)?.as_str().map(str::to_owned)
}

fn is_sha256_hex(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::testfs::fixture;

    fn lock(rel: &str) -> CatalogOutput {
        let bytes = std::fs::read(fixture(rel)).unwrap();
        let mut out = CatalogOutput::default();
        parse_cargo_lock(&Location::new("Cargo.lock", 0), &bytes, &mut out);
        out
    }

    fn edges(out: &CatalogOutput) -> Vec<(String, String)> {
        let id = |i: usize| format!("{}@{}", out.packages[i].name, out.packages[i].version);
        out.relationships
            .iter()
            .map(|&(a, b, _)| (id(a), id(b)))
            .collect()
    }

    #[test]
    fn v2_without_version_key() {
        // Syft's fixture: every [[package]] is reported, as its test expects; its test also
        // plants a dependency on a package that is not there, which is an unknown here.
        let out = lock("cargo/lock-v2/Cargo.lock");
        let why: Vec<&str> = out.unknowns.iter().map(|u| u.reason.as_str()).collect();
        assert_eq!(
            why,
            [r#"unicode-bidi 0.3.4: dependency "bogus" matches no package"#]
        );
        let got: Vec<String> = out
            .packages
            .iter()
            .map(|p| format!("{}@{}", p.name, p.version))
            .collect();
        assert_eq!(
            got,
            [
                "ansi_term@0.12.1",
                "errno@0.3.9",
                "matches@0.1.8",
                "memchr@2.3.3",
                "natord@1.0.9",
                "nom@4.2.3",
                "schannel@0.1.26",
                "unicode-bidi@0.3.4",
                "version_check@0.1.5",
                "winapi@0.3.9",
                "winapi-i686-pc-windows-gnu@0.4.0",
                "winapi-x86_64-pc-windows-gnu@0.4.0",
                "windows-sys@0.52.0",
                "windows-sys@0.59.0",
            ]
        );
        assert_eq!(out.packages[0].purl.as_str(), "pkg:cargo/ansi_term@0.12.1");
        assert_eq!(
            out.packages[0].checksums[0].algorithm,
            HashAlgorithm::Sha256
        );
        let e = edges(&out);
        assert!(e.contains(&("ansi_term@0.12.1".into(), "winapi@0.3.9".into())));
        assert!(e.contains(&("nom@4.2.3".into(), "memchr@2.3.3".into())));
    }

    #[test]
    fn v3_and_v4() {
        let v3 = lock("cargo/lock-v3/Cargo.lock");
        assert!(v3.unknowns.is_empty(), "{:?}", v3.unknowns);
        assert_eq!(v3.packages.len(), 9);
        assert_eq!(v3.relationships.len(), 9);
        let v4 = lock("cargo/ripgrep-lock-v4/Cargo.lock");
        assert!(v4.unknowns.is_empty(), "{:?}", v4.unknowns);
        assert_eq!(v4.packages.len(), 63);
        let e = edges(&v4);
        assert!(
            e.contains(&("ripgrep@15.2.0".into(), "grep@0.4.1".into())),
            "{e:?}"
        );
        // Workspace members have no source and no checksum.
        let rg = v4.packages.iter().find(|p| p.name == "ripgrep").unwrap();
        assert!(rg.checksums.is_empty());
    }

    #[test]
    fn disambiguates_name_version_and_source() {
        let text = r#"
version = 3
[[package]]
name = "app"
version = "0.1.0"
dependencies = ["dup 1.0.0", "dup 2.0.0 (git+https://ex.com/dup#abc)", "single", "missing"]
[[package]]
name = "dup"
version = "1.0.0"
source = "registry+https://github.com/rust-lang/crates.io-index"
[[package]]
name = "dup"
version = "2.0.0"
source = "registry+https://github.com/rust-lang/crates.io-index"
[[package]]
name = "dup"
version = "2.0.0"
source = "git+https://ex.com/dup#abc"
[[package]]
name = "single"
version = "0.3.0"
"#;
        let mut out = CatalogOutput::default();
        parse_cargo_lock(&Location::new("Cargo.lock", 0), text.as_bytes(), &mut out);
        assert_eq!(
            out.relationships,
            [
                (0, 1, RelationshipKind::DependsOn),
                (0, 3, RelationshipKind::DependsOn),
                (0, 4, RelationshipKind::DependsOn)
            ]
        );
        assert_eq!(out.unknowns.len(), 1, "{:?}", out.unknowns);
    }

    #[test]
    fn v1_metadata_checksums() {
        let sum = "a".repeat(64);
        let text = format!(
            "[[package]]\nname = \"a\"\nversion = \"1.0.0\"\nsource = \"registry+x\"\n\
             dependencies = [\"b 2.0.0 (registry+x)\"]\n\
             [[package]]\nname = \"b\"\nversion = \"2.0.0\"\nsource = \"registry+x\"\n\
             [metadata]\n\"checksum a 1.0.0 (registry+x)\" = \"{sum}\"\n"
        );
        let mut out = CatalogOutput::default();
        parse_cargo_lock(&Location::new("Cargo.lock", 0), text.as_bytes(), &mut out);
        assert_eq!(out.packages[0].checksums[0].value, sum);
        assert_eq!(out.relationships, [(0, 1, RelationshipKind::DependsOn)]);
    }

    #[test]
    fn lockfiles_of_downloaded_crates_are_skipped() {
        use crate::catalog::testfs::TestLayer;
        use crate::fs::LayeredFs;
        let lock = std::fs::read(fixture("cargo/lock-v3/Cargo.lock")).unwrap();
        let trees = [TestLayer::new(CargoLockCataloger.wants())
            .file("app/Cargo.lock", &lock)
            .file(
                "root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/rg-14.1.1/Cargo.lock",
                &lock,
            )
            .file("root/.cargo/git/checkouts/x-1/abc/Cargo.lock", &lock)
            .build()];
        let fs = LayeredFs::squashed(&trees);
        let out = CargoLockCataloger
            .catalog(&fs, &Environment::default())
            .unwrap();
        assert_eq!(out.packages.len(), 9);
        assert!(
            out.packages
                .iter()
                .all(|p| p.locations.iter().all(|l| l.path == "app/Cargo.lock"))
        );
    }

    #[test]
    fn malformed_lockfiles_are_unknowns() {
        for bad in [
            &b"[[package]]\nname = 1\n"[..],
            b"\xff\xfe",
            b"version = 9\n",
        ] {
            let mut out = CatalogOutput::default();
            parse_cargo_lock(&Location::new("Cargo.lock", 0), bad, &mut out);
            assert_eq!(out.unknowns.len(), 1, "{bad:?}");
        }
    }
}
