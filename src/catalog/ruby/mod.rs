//! The Ruby catalogers: installed gems (`specifications/*.gemspec` under any `GEM_HOME`,
//! default gems in `specifications/default/` included) and gems locked by Bundler
//! (`Gemfile.lock`). Parsing: `gemspec.rs`, `gemfile_lock.rs`.
//!
//! - Identity: `pkg:gem/<name>@<version>`; a precompiled gem's platform (`x86_64-linux`,
//!   from the gemspec or the lockfile) becomes the purl's `platform` qualifier and the
//!   package's architecture (Syft leaves it out).
//! - Installed gems carry their licenses, first author, homepage and summary; their runtime
//!   dependencies resolve by name against the other installed gems (see `model::resolve`).
//! - Locked gems are declared evidence; their edges point to the gems of the same lockfile.

mod gemfile_lock;
mod gemspec;

use std::collections::HashMap;

use super::{CatalogOutput, Cataloger, Environment, Tag, parse_failure, read_file};
use crate::Result;
use crate::fs::{FileResolver, Location};
use crate::model::{
    DependencySpec, Ecosystem, Evidence, LanguageMetadata, License, Package, PackageMetadata,
    Party, Purl, RelationshipKind,
};

const GEMSPEC: &str = "ruby-installed-gemspec-cataloger";
const GEMFILE: &str = "ruby-gemfile-cataloger";

/// Reads installed gems' specifications. See the module docs.
pub struct RubyGemspecCataloger;

/// Reads `Gemfile.lock`. See the module docs.
pub struct RubyGemfileLockCataloger;

impl Cataloger for RubyGemspecCataloger {
    fn name(&self) -> &'static str {
        GEMSPEC
    }

    fn tags(&self) -> &'static [Tag] {
        &[Tag::Language, Tag::Installed]
    }

    fn wants(&self) -> &'static [&'static str] {
        &[
            "**/specifications/*.gemspec",
            "**/specifications/default/*.gemspec",
        ]
    }

    fn catalog(&self, fs: &dyn FileResolver, _env: &Environment) -> Result<CatalogOutput> {
        let mut out = CatalogOutput::default();
        for glob in self.wants() {
            for loc in fs.files_by_glob(glob) {
                let parsed = read_file(fs, &loc, GEMSPEC).and_then(|b| {
                    gemspec::parse_gemspec(&String::from_utf8_lossy(&b))
                        .and_then(|g| gemspec_package(g, &loc))
                        .map_err(|why| parse_failure(GEMSPEC, &loc, why))
                });
                match parsed {
                    Ok(p) => out.packages.push(p),
                    Err(u) => out.unknowns.push(u),
                }
            }
        }
        Ok(out)
    }
}

fn gemspec_package(g: gemspec::Gemspec, loc: &Location) -> std::result::Result<Package, String> {
    let purl = Purl::builder("gem", g.name.as_str())
        .version(g.version.as_str())
        .qualifier_opt("platform", g.platform.as_deref())
        .build()?;
    let mut pkg = Package::new(Ecosystem::Gem, g.name, g.version, purl, GEMSPEC);
    pkg.arch = g.platform;
    pkg.locations.insert(loc.clone());
    pkg.licenses = g
        .licenses
        .iter()
        .filter_map(|l| License::parse(l))
        .collect();
    pkg.author = g.authors.first().and_then(|a| Party::parse(a));
    let mut deps = g.dependencies;
    deps.sort();
    deps.dedup();
    pkg.dependencies = DependencySpec {
        provides: Vec::new(),
        requires: deps.into_iter().map(|d| vec![d]).collect(),
    };
    let mut meta = LanguageMetadata::new(Evidence::Installed);
    meta.homepage = g.homepage.filter(|h| !h.is_empty());
    meta.description = g.summary.filter(|s| !s.is_empty());
    pkg.metadata = PackageMetadata::Language(meta);
    Ok(pkg)
}

impl Cataloger for RubyGemfileLockCataloger {
    fn name(&self) -> &'static str {
        GEMFILE
    }

    fn tags(&self) -> &'static [Tag] {
        &[Tag::Language, Tag::Declared]
    }

    fn wants(&self) -> &'static [&'static str] {
        &["**/Gemfile.lock"]
    }

    fn catalog(&self, fs: &dyn FileResolver, _env: &Environment) -> Result<CatalogOutput> {
        let mut out = CatalogOutput::default();
        for loc in fs.files_by_glob(self.wants()[0]) {
            match read_file(fs, &loc, GEMFILE) {
                Ok(b) => match crate::catalog::too_many_records(GEMFILE, &loc, &b, b"\n") {
                    Some(u) => out.unknowns.push(u),
                    None => gemfile_packages(&String::from_utf8_lossy(&b), &loc, &mut out),
                },
                Err(u) => out.unknowns.push(u),
            }
        }
        Ok(out)
    }
}

fn gemfile_packages(text: &str, loc: &Location, out: &mut CatalogOutput) {
    let (gems, problems) = gemfile_lock::parse_gemfile_lock(text);
    for p in problems {
        out.unknowns.push(parse_failure(GEMFILE, loc, p));
    }
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut deps = Vec::new();
    for g in gems {
        let purl = Purl::builder("gem", g.name.as_str())
            .version(g.version.as_str())
            .qualifier_opt("platform", g.platform.as_deref())
            .build();
        let purl = match purl {
            Ok(p) => p,
            Err(e) => {
                out.unknowns
                    .push(parse_failure(GEMFILE, loc, format!("line {}: {e}", g.line)));
                continue;
            }
        };
        let mut pkg = Package::new(Ecosystem::Gem, &g.name, &g.version, purl, GEMFILE);
        pkg.arch = g.platform.clone();
        pkg.locations.insert(loc.clone());
        pkg.metadata = PackageMetadata::Language(LanguageMetadata::new(Evidence::Declared));
        // A gem locked for several platforms appears once per platform; edges go to all.
        index.entry(g.name.clone()).or_insert(out.packages.len());
        deps.push((out.packages.len(), g.dependencies));
        out.packages.push(pkg);
    }
    for (from, names) in deps {
        let mut to: Vec<usize> = names.iter().filter_map(|n| index.get(n).copied()).collect();
        to.sort_unstable();
        to.dedup();
        out.relationships.extend(
            to.into_iter()
                .filter(|&t| t != from)
                .map(|t| (from, t, RelationshipKind::DependsOn)),
        );
    }
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

    #[test]
    fn installed_bundler_gemspec() {
        let c = &RubyGemspecCataloger;
        let out = scan(
            c,
            TestLayer::new(c.wants()).dir_tree(&fixture("ruby/installed-gems")),
        );
        assert!(out.unknowns.is_empty(), "{:?}", out.unknowns);
        let [p] = &out.packages[..] else {
            panic!("{:?}", out.packages)
        };
        assert_eq!(p.purl.as_str(), "pkg:gem/bundler@2.1.4");
        assert_eq!(p.licenses, [License::parse("MIT").unwrap()]);
        assert_eq!(p.author.as_ref().unwrap().name, "André Arko");
        let PackageMetadata::Language(m) = &p.metadata else {
            panic!()
        };
        assert_eq!(m.homepage.as_deref(), Some("https://bundler.io"));
    }

    #[test]
    fn syft_gemfile_lock() {
        let c = &RubyGemfileLockCataloger;
        let out = scan(
            c,
            TestLayer::new(c.wants()).dir_tree(&fixture("ruby/bundler-app")),
        );
        assert!(out.unknowns.is_empty(), "{:?}", out.unknowns);
        let names: Vec<String> = out
            .packages
            .iter()
            .map(|p| format!("{}@{}", p.name, p.version))
            .collect();
        // 52 gems (GEM, GIT and PATH sections; not BAD-SECTION).
        assert_eq!(names.len(), 52, "{names:?}");
        for want in [
            "google-cloud-errors@1.3.0",
            "turbolinks@3.0.0",
            "actionmailer@4.1.1",
            "unicorn@4.8.3",
        ] {
            assert!(names.contains(&want.to_owned()), "{want}");
        }
        assert!(!names.iter().any(|n| n.starts_with("bad-")));
        let idx = |n: &str| out.packages.iter().position(|p| p.name == n).unwrap();
        assert!(out.relationships.contains(&(
            idx("unicorn"),
            idx("rack"),
            RelationshipKind::DependsOn
        )));
        assert!(out.relationships.contains(&(
            idx("turbolinks"),
            idx("coffee-rails"),
            RelationshipKind::DependsOn
        )));
    }

    #[test]
    fn bad_gemspec_is_unknown() {
        let c = &RubyGemspecCataloger;
        let out = scan(
            c,
            TestLayer::new(c.wants()).file("gems/specifications/x.gemspec", "\u{0}\u{1}"),
        );
        assert_eq!(out.unknowns.len(), 1);
    }
}
