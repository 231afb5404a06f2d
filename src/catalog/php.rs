//! The PHP catalogers: Composer packages installed in a project's `vendor/` directory
//! (`vendor/composer/installed.json`) and declared by a lockfile (`composer.lock`).
//! Formats: <https://getcomposer.org/doc/01-basic-usage.md#commit-your-composer-lock-file-to-version-control>,
//! schema <https://getcomposer.org/schema.json>.
//!
//! - `installed.json` is a top-level array (Composer 1) or `{"packages": [...], "dev": …,
//!   "dev-package-names": [...]}` (Composer 2); packages listed in `dev-package-names` are
//!   marked dev. Evidence: installed.
//! - `composer.lock` lists `packages` and `packages-dev` (marked dev). Evidence: declared.
//! - Identity: `pkg:composer/<vendor>/<name>@<version>`, version as written (`v1.8.1`).
//! - `license` (a string or a list; a list means a choice, so it becomes one `OR`
//!   expression when every item is an SPDX id), `description`, `homepage`, the first
//!   author, `dist.shasum` (SHA-1 of the dist archive, when Composer recorded one).
//! - `require` entries naming other packages of the same file become dependency edges;
//!   platform requirements (`php`, `ext-*`, `lib-*`) are not packages.

use std::collections::{HashMap, HashSet};

use serde::Deserialize;
use serde_json::Value;

use super::{CatalogOutput, Cataloger, Environment, Tag, parse_failure, read_file};
use crate::Result;
use crate::fs::{FileResolver, Location};
use crate::model::{
    Checksum, Ecosystem, Evidence, HashAlgorithm, LanguageMetadata, License, Package,
    PackageMetadata, Party, Purl, RelationshipKind,
};
use crate::source::limits::{Items, check_items};

const INSTALLED: &str = "php-composer-installed-cataloger";
const LOCK: &str = "php-composer-lock-cataloger";

/// Reads `vendor/composer/installed.json`. See the module docs.
pub struct PhpComposerInstalledCataloger;

/// Reads `composer.lock`. See the module docs.
pub struct PhpComposerLockCataloger;

impl Cataloger for PhpComposerInstalledCataloger {
    fn name(&self) -> &'static str {
        INSTALLED
    }

    fn tags(&self) -> &'static [Tag] {
        &[Tag::Language, Tag::Installed]
    }

    fn wants(&self) -> &'static [&'static str] {
        &["**/vendor/composer/installed.json"]
    }

    fn catalog(&self, fs: &dyn FileResolver, _env: &Environment) -> Result<CatalogOutput> {
        Ok(catalog_files(
            fs,
            self.wants()[0],
            INSTALLED,
            parse_installed_json,
        ))
    }
}

impl Cataloger for PhpComposerLockCataloger {
    fn name(&self) -> &'static str {
        LOCK
    }

    fn tags(&self) -> &'static [Tag] {
        &[Tag::Language, Tag::Declared]
    }

    fn wants(&self) -> &'static [&'static str] {
        &["**/composer.lock"]
    }

    fn catalog(&self, fs: &dyn FileResolver, _env: &Environment) -> Result<CatalogOutput> {
        Ok(catalog_files(
            fs,
            self.wants()[0],
            LOCK,
            parse_composer_lock,
        ))
    }
}

type Parse = fn(&[u8]) -> std::result::Result<Vec<(ComposerPackage, bool)>, String>;

fn catalog_files(
    fs: &dyn FileResolver,
    glob: &str,
    name: &'static str,
    parse: Parse,
) -> CatalogOutput {
    let mut out = CatalogOutput::default();
    for loc in fs.files_by_glob(glob) {
        let parsed =
            read_file(fs, &loc, name).and_then(|b| {
                match crate::catalog::too_many_records(name, &loc, &b, b"\"version\"") {
                    Some(u) => Err(u),
                    None => parse(&b).map_err(|why| parse_failure(name, &loc, why)),
                }
            });
        match parsed {
            Ok(list) => add_packages(list, &loc, name, &mut out),
            Err(u) => out.unknowns.push(u),
        }
    }
    out
}

#[derive(Deserialize)]
struct ComposerPackage {
    #[serde(default)]
    name: String,
    #[serde(default)]
    version: String,
    #[serde(default)]
    license: Value,
    #[serde(default)]
    require: HashMap<String, Value>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    homepage: Option<String>,
    #[serde(default)]
    authors: Vec<Author>,
    #[serde(default)]
    dist: Option<Dist>,
}

#[derive(Deserialize)]
struct Author {
    #[serde(default)]
    name: String,
    #[serde(default)]
    email: Option<String>,
}

#[derive(Deserialize)]
struct Dist {
    #[serde(default)]
    shasum: Option<String>,
}

/// Composer 1 (array) or 2 (object) `installed.json`: packages with their dev flag.
fn parse_installed_json(bytes: &[u8]) -> std::result::Result<Vec<(ComposerPackage, bool)>, String> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Installed {
        V1(Vec<ComposerPackage>),
        V2 {
            packages: Vec<ComposerPackage>,
            #[serde(default, rename = "dev-package-names")]
            dev_names: HashSet<String>,
        },
    }
    check_items(bytes, Items::Json)?;
    let parsed: Installed = serde_json::from_slice(bytes).map_err(|e| e.to_string())?;
    Ok(match parsed {
        Installed::V1(list) => list.into_iter().map(|p| (p, false)).collect(),
        Installed::V2 {
            packages,
            dev_names,
        } => packages
            .into_iter()
            .map(|p| {
                let dev = dev_names.contains(&p.name);
                (p, dev)
            })
            .collect(),
    })
}

/// `composer.lock`: `packages`, then `packages-dev` marked dev.
fn parse_composer_lock(bytes: &[u8]) -> std::result::Result<Vec<(ComposerPackage, bool)>, String> {
    #[derive(Deserialize)]
    struct Lock {
        #[serde(default)]
        packages: Vec<ComposerPackage>,
        #[serde(default, rename = "packages-dev")]
        packages_dev: Vec<ComposerPackage>,
    }
    check_items(bytes, Items::Json)?;
    let lock: Lock = serde_json::from_slice(bytes).map_err(|e| e.to_string())?;
    let dev = lock.packages_dev.into_iter().map(|p| (p, true));
    Ok(lock
        .packages
        .into_iter()
        .map(|p| (p, false))
        .chain(dev)
        .collect())
}

fn add_packages(
    list: Vec<(ComposerPackage, bool)>,
    loc: &Location,
    found_by: &'static str,
    out: &mut CatalogOutput,
) {
    let evidence = if found_by == LOCK {
        Evidence::Declared
    } else {
        Evidence::Installed
    };
    let start = out.packages.len();
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut requires = Vec::new();
    for (p, dev) in list {
        match package(&p, dev, evidence, loc, found_by) {
            Ok(pkg) => {
                index.insert(p.name.to_ascii_lowercase(), out.packages.len());
                requires.push((out.packages.len(), p.require));
                out.packages.push(pkg);
            }
            Err(why) => out.unknowns.push(parse_failure(found_by, loc, why)),
        }
    }
    for (from, require) in requires {
        let mut targets: Vec<usize> = require
            .keys()
            .filter_map(|name| index.get(&name.to_ascii_lowercase()).copied())
            .filter(|&to| to != from && to >= start)
            .collect();
        targets.sort_unstable();
        targets.dedup();
        out.relationships.extend(
            targets
                .into_iter()
                .map(|to| (from, to, RelationshipKind::DependsOn)),
        );
    }
}

fn package(
    p: &ComposerPackage,
    dev: bool,
    evidence: Evidence,
    loc: &Location,
    found_by: &'static str,
) -> std::result::Result<Package, String> {
    let (vendor, name) = p
        .name
        .split_once('/')
        .filter(|(v, n)| !v.is_empty() && !n.is_empty())
        .ok_or_else(|| format!("package name {:?} is not vendor/name", p.name))?;
    if p.version.is_empty() {
        return Err(format!("{}: no version", p.name));
    }
    let purl = Purl::builder("composer", name)
        .namespace(vendor)
        .version(p.version.as_str())
        .build()
        .map_err(|e| format!("{}: {e}", p.name))?;
    let mut pkg = Package::new(Ecosystem::Composer, &p.name, &p.version, purl, found_by);
    pkg.locations.insert(loc.clone());
    pkg.licenses = licenses(&p.license);
    pkg.author = p
        .authors
        .first()
        .filter(|a| !a.name.is_empty())
        .map(|a| Party {
            name: a.name.clone(),
            email: a.email.clone().filter(|e| !e.is_empty()),
        });
    pkg.checksums = p
        .dist
        .as_ref()
        .and_then(|d| d.shasum.as_deref())
        .filter(|s| s.len() == 40 && s.bytes().all(|b| b.is_ascii_hexdigit()))
        .map(|s| Checksum {
            algorithm: HashAlgorithm::Sha1,
            value: s.to_ascii_lowercase(),
        })
        .into_iter()
        .collect();
    let mut meta = LanguageMetadata::new(evidence);
    meta.dev = dev;
    meta.description = p.description.clone().filter(|d| !d.is_empty());
    meta.homepage = p.homepage.clone().filter(|h| !h.is_empty());
    pkg.metadata = PackageMetadata::Language(meta);
    Ok(pkg)
}

/// A string, or a list meaning a choice (`["MIT", "GPL-2.0-only"]` → `MIT OR GPL-2.0-only`).
fn licenses(value: &Value) -> Vec<License> {
    let items: Vec<&str> = match value {
        Value::String(s) => vec![s.as_str()],
        Value::Array(a) => a.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    let parsed: Vec<License> = items.iter().filter_map(|s| License::parse(s)).collect();
    if parsed.len() > 1 && parsed.iter().all(|l| l.expression().is_some()) {
        let joined: Vec<String> = parsed.iter().map(|l| format!("({})", l.as_str())).collect();
        if let Some(l) = License::parse(&joined.join(" OR ")) {
            return vec![l];
        }
    }
    parsed
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::testfs::{TestLayer, fixture};
    use crate::fs::LayeredFs;

    fn scan(c: &dyn Cataloger, layer: TestLayer) -> CatalogOutput {
        let trees = [layer.build()];
        let fs = LayeredFs::squashed(&trees);
        c.catalog(&fs, &Environment::default()).unwrap()
    }

    fn summary(out: &CatalogOutput) -> Vec<(String, bool)> {
        out.packages
            .iter()
            .map(|p| {
                let PackageMetadata::Language(m) = &p.metadata else {
                    panic!()
                };
                (p.purl.as_str().to_owned(), m.dev)
            })
            .collect()
    }

    #[test]
    fn installed_json_v1_and_v2() {
        // Composer 2 lists behat/mink in `dev-package-names`; Composer 1 does not say.
        for (dir, dev) in [
            ("php/vendor-composer-1", false),
            ("php/vendor-composer-2", true),
        ] {
            let c = &PhpComposerInstalledCataloger;
            let out = scan(c, TestLayer::new(c.wants()).dir_tree(&fixture(dir)));
            assert!(out.unknowns.is_empty(), "{dir}: {:?}", out.unknowns);
            assert_eq!(
                summary(&out),
                [
                    ("pkg:composer/asm89/stack-cors@1.3.0".to_owned(), false),
                    ("pkg:composer/behat/mink@v1.8.1".to_owned(), dev),
                ],
                "{dir}"
            );
            let cors = &out.packages[0];
            assert_eq!(cors.licenses, [License::parse("MIT").unwrap()]);
            assert_eq!(cors.author.as_ref().unwrap().name, "Alexander");
            assert_eq!(
                cors.locations.first().unwrap().path,
                "vendor/composer/installed.json"
            );
        }
    }

    #[test]
    fn composer_lock_dev_and_edges() {
        let c = &PhpComposerLockCataloger;
        let out = scan(
            c,
            TestLayer::new(c.wants()).dir_tree(&fixture("php/composer-lock")),
        );
        assert!(out.unknowns.is_empty(), "{:?}", out.unknowns);
        assert_eq!(
            summary(&out),
            [
                ("pkg:composer/adoy/fastcgi-client@1.0.2".to_owned(), false),
                (
                    "pkg:composer/alcaeus/mongo-php-adapter@1.1.11".to_owned(),
                    false
                ),
                ("pkg:composer/behat/gherkin@v4.6.2".to_owned(), true),
                (
                    "pkg:composer/codeception/codeception@4.1.6".to_owned(),
                    true
                ),
            ]
        );
        // mongodb/mongodb is required but not in the lock: no edge, no invented package.
        assert_eq!(out.relationships, [(3, 2, RelationshipKind::DependsOn)]);
    }

    #[test]
    fn require_edges_license_lists_and_bad_entries() {
        let json = r#"{"packages": [
            {"name": "a/one", "version": "1.0", "require": {"php": ">=8", "B/Two": "^2"},
             "license": ["MIT", "GPL-2.0-or-later"]},
            {"name": "b/two", "version": "2.0", "license": "proprietary"},
            {"name": "noslash", "version": "1"}
        ], "dev-package-names": ["b/two"]}"#;
        let c = &PhpComposerInstalledCataloger;
        let out = scan(
            c,
            TestLayer::new(c.wants())
                .file("app/vendor/composer/installed.json", json)
                .file("x/vendor/composer/installed.json", "[1, 2"),
        );
        assert_eq!(out.relationships, [(0, 1, RelationshipKind::DependsOn)]);
        assert_eq!(
            out.packages[0].licenses[0].as_str(),
            "MIT OR GPL-2.0-or-later"
        );
        assert_eq!(
            out.packages[1].licenses[0],
            License::Name("proprietary".into())
        );
        assert!(summary(&out)[1].1);
        assert_eq!(out.unknowns.len(), 2, "{:?}", out.unknowns);
    }
}
