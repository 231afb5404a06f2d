//! The dpkg cataloger: installed Debian packages (Debian, Ubuntu, and their derivatives).
//!
//! Reads:
//! - `var/lib/dpkg/status`, the database (deb822 stanzas, see `deb822.rs` and `status.rs` for
//!   which stanzas count as installed: what `dpkg-query -W` lists minus `config-files`);
//! - `var/lib/dpkg/status.d/*`, distroless images' one-stanza-per-package files (their
//!   `*.md5sums` companions list the package's files);
//! - `var/lib/dpkg/info/<pkg>[:<arch>].list`, the files each package owns (`files.rs`);
//! - `usr/share/doc/<pkg>/copyright`, the only license declaration Debian has (`copyright.rs`);
//!   looked up through symlinks, since many packages link their doc directory to another's.
//!
//! Format references: <https://www.debian.org/doc/debian-policy/ch-controlfields.html>,
//! `deb-status(5)`, <https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/>.
//!
//! ## Identity
//!
//! `pkg:deb/<distro id>/<name>@<version>?arch=<arch>&distro=<id>-<version_id>&upstream=<source>`
//! (<https://github.com/package-url/purl-spec/blob/main/types-doc/deb-definition.md>). The
//! version keeps its epoch. `upstream` is Syft's qualifier for the source package: present when
//! the source differs from the binary, by name (`upstream=glibc`) or by version after a binNMU
//! (`upstream=libselinux@3.4-1` for `3.4-1+b6`). The namespace is the distro id (`debian`,
//! `ubuntu`, or a derivative's own id, the vendor that built the package); when no release file
//! identifies the distro it falls back to `debian`, because the purl spec requires a namespace
//! for `deb`, and `distro=` is then left out rather than guessed.
//!
//! The supplier is the distribution (`Debian`, `Canonical Ltd.`); the `Origin` field is used
//! only when the distro is unknown, since it names where the source came from, not who built
//! the binary (Ubuntu's own dpkg build says `Origin: debian`). The author is `Maintainer`.

mod copyright;
mod deb822;
mod files;
mod status;

#[cfg(test)]
mod fixture_tests;

use std::borrow::Cow;
use std::collections::HashMap;

use super::{CatalogOutput, Cataloger, Environment, Tag, parse_failure, read_file};
use crate::Result;
use crate::fs::{FileResolver, Location};
use crate::model::{
    DependencySpec, DpkgMetadata, Ecosystem, License, Package, PackageMetadata, Party, Purl,
    SourcePackage, Unknown,
};
use crate::source::limits;
use status::Entry;

const NAME: &str = "dpkg-db-cataloger";
const STATUS: &str = "var/lib/dpkg/status";
const STATUS_D: &str = "var/lib/dpkg/status.d";

/// Reads the dpkg package database. See the module docs.
pub struct DpkgDbCataloger;

impl Cataloger for DpkgDbCataloger {
    fn name(&self) -> &'static str {
        NAME
    }

    fn tags(&self) -> &'static [Tag] {
        &[Tag::Os, Tag::Installed]
    }

    fn wants(&self) -> &'static [&'static str] {
        &[
            "var/lib/dpkg/status",
            "var/lib/dpkg/status.d/*",
            "var/lib/dpkg/info/*.list",
            "usr/share/doc/*/copyright",
        ]
    }

    fn catalog(&self, fs: &dyn FileResolver, env: &Environment) -> Result<CatalogOutput> {
        Ok(catalog(fs, env, Detail::Full))
    }

    fn can_identify(&self) -> bool {
        true
    }

    /// The database stanzas alone: no file lists, no copyright files, which are most of the
    /// cost on an image whose layers install packages one `apt-get` at a time.
    fn identify(&self, fs: &dyn FileResolver, env: &Environment) -> Result<CatalogOutput> {
        Ok(catalog(fs, env, Detail::Identity))
    }
}

/// How much of each package to read.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Detail {
    /// Everything: owned files and licenses too.
    Full,
    /// What the purl needs: the database stanzas.
    Identity,
}

fn catalog(fs: &dyn FileResolver, env: &Environment, detail: Detail) -> CatalogOutput {
    let mut cx = Context {
        fs,
        env,
        detail,
        out: CatalogOutput::default(),
        licenses: HashMap::new(),
    };
    for loc in fs.files_by_glob(STATUS) {
        cx.database(&loc, Db::Status);
    }
    for loc in fs.files_by_glob(&format!("{STATUS_D}/*")) {
        let file = loc.path.rsplit('/').next().unwrap_or("");
        // Companion files, not stanzas: `<pkg>.md5sums`, editor or dotfiles.
        if file.ends_with(".md5sums") || file.starts_with('.') {
            continue;
        }
        cx.database(&loc, Db::StatusD);
    }
    cx.out
}

/// Which kind of database file a stanza came from.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Db {
    Status,
    StatusD,
}

struct Context<'a> {
    fs: &'a dyn FileResolver,
    env: &'a Environment,
    detail: Detail,
    out: CatalogOutput,
    /// Parsed copyright files by real path: doc directories are often symlinks to a shared one.
    licenses: HashMap<String, Vec<License>>,
}

impl Context<'_> {
    fn database(&mut self, loc: &Location, db: Db) {
        let bytes = match read_file(self.fs, loc, NAME) {
            Ok(b) => b,
            Err(u) => return self.out.unknowns.push(u),
        };
        let text = String::from_utf8_lossy(&bytes);
        if let Cow::Owned(_) = text {
            self.out.unknowns.push(parse_failure(
                NAME,
                loc,
                "invalid UTF-8; read with replacement characters",
            ));
        }
        // A field is a line, and a dependency or alternative a string once parsed.
        if let Err(why) = limits::check_record_count(&text)
            .and_then(|()| limits::check_items(text.as_bytes(), limits::Items::Separators(b"\n,|")))
        {
            return self.out.unknowns.push(parse_failure(NAME, loc, why));
        }
        let paragraphs = deb822::paragraphs(&text);
        let single = paragraphs.len() == 1;
        for p in paragraphs {
            let entry = match p {
                Ok(p) => status::entry(&p).map_err(|e| format!("stanza at line {}: {e}", p.line)),
                Err(m) => Err(format!("stanza at line {}: {}", m.line, m.reason)),
            };
            match entry {
                Ok(Some(e)) => {
                    let pkg = self.package(e, loc, db, single);
                    match pkg {
                        Ok(pkg) => self.out.packages.push(pkg),
                        Err(why) => self.out.unknowns.push(parse_failure(NAME, loc, why)),
                    }
                }
                Ok(None) => {}
                Err(why) => self.out.unknowns.push(parse_failure(NAME, loc, why)),
            }
        }
    }

    fn package(
        &mut self,
        e: Entry,
        db_loc: &Location,
        db: Db,
        single: bool,
    ) -> std::result::Result<Package, String> {
        let distro = self.env.distro.as_ref();
        let mut pkg = Package::new(
            Ecosystem::Deb,
            e.name.clone(),
            e.version.clone(),
            purl(&e, self.env)?,
            NAME,
        );
        pkg.arch = e.arch.clone();
        pkg.locations.insert(db_loc.clone());
        pkg.supplier = match distro {
            Some(d) => d.supplier().map(|name| Party { name, email: None }),
            None => e.origin.as_deref().and_then(Party::parse),
        };
        pkg.author = e.maintainer.as_deref().and_then(Party::parse);
        // Policy 5.6.1: no Source field means the source package has the binary's name.
        pkg.source = Some(SourcePackage {
            name: e.source_name.clone().unwrap_or_else(|| e.name.clone()),
            version: e.source_version.clone(),
        });
        if self.detail == Detail::Identity {
            return Ok(pkg);
        }
        if let Some((files, loc)) = self.owned_files(&e, db_loc, db, single) {
            pkg.files = files;
            pkg.locations.insert(loc);
        }
        if let Some((licenses, loc)) = self.licenses(&e.name) {
            pkg.licenses = licenses;
            pkg.locations.insert(loc);
        }
        pkg.dependencies = DependencySpec {
            provides: status::provided_names(&e.provides),
            requires: status::requirement_groups(
                &[e.pre_depends.as_slice(), e.depends.as_slice()].concat(),
            ),
        };
        let database = db_loc
            .path
            .strip_prefix("var/lib/dpkg/")
            .unwrap_or(&db_loc.path)
            .to_owned();
        pkg.metadata = PackageMetadata::Dpkg(DpkgMetadata {
            architecture: e.arch,
            maintainer: e.maintainer,
            installed_size_kib: e.installed_size_kib,
            section: e.section,
            priority: e.priority,
            multi_arch: e.multi_arch,
            essential: e.essential,
            homepage: e.homepage,
            database,
            status: e.status,
            origin: e.origin,
            description: e.description,
            provides: e.provides,
            depends: e.depends,
            pre_depends: e.pre_depends,
        });
        Ok(pkg)
    }

    /// The package's file list and where it came from; `None` when there is none.
    fn owned_files(
        &mut self,
        e: &Entry,
        db_loc: &Location,
        db: Db,
        single: bool,
    ) -> Option<(Vec<String>, Location)> {
        let candidates = match db {
            Db::Status => {
                let info = "var/lib/dpkg/info";
                let mut c = Vec::new();
                if let Some(arch) = &e.arch {
                    c.push(format!("{info}/{}:{arch}.list", e.name));
                }
                c.push(format!("{info}/{}.list", e.name));
                c
            }
            Db::StatusD => {
                let mut c = vec![format!("{STATUS_D}/{}.md5sums", e.name)];
                if single {
                    c.push(format!("{}.md5sums", db_loc.path));
                }
                c
            }
        };
        let loc = candidates
            .iter()
            .find_map(|c| self.fs.file_by_path(c).ok().flatten())?;
        let bytes = match read_file(self.fs, &loc, NAME) {
            Ok(b) => b,
            Err(u) => {
                self.out.unknowns.push(u);
                return None;
            }
        };
        let text = String::from_utf8_lossy(&bytes);
        let files = if loc.path.ends_with(".list") {
            files::parse_list(&text, self.fs)
        } else {
            files::parse_md5sums(&text)
        };
        Some((files, loc))
    }

    /// Licenses from the package's copyright file and its location; `None` when there is no
    /// copyright file (distroless and slim images delete `usr/share/doc`).
    fn licenses(&mut self, name: &str) -> Option<(Vec<License>, Location)> {
        let path = format!("usr/share/doc/{name}/copyright");
        let loc = match self.fs.file_by_path(&path) {
            Ok(Some(loc)) => loc,
            Ok(None) => return None,
            Err(e) => {
                // No location: the path does not resolve to a file in any layer.
                self.out.unknowns.push(Unknown {
                    source: NAME.to_owned(),
                    location: None,
                    reason: format!("/{path}: {e}"),
                });
                return None;
            }
        };
        if let Some(ls) = self.licenses.get(&loc.path) {
            return Some((ls.clone(), loc));
        }
        let licenses = match read_file(self.fs, &loc, NAME) {
            Ok(bytes) => match limits::check_items(&bytes, limits::Items::Separators(b"\n")) {
                Ok(()) => copyright::parse_copyright(&String::from_utf8_lossy(&bytes)),
                Err(why) => {
                    self.out.unknowns.push(parse_failure(NAME, &loc, why));
                    Vec::new()
                }
            },
            Err(u) => {
                self.out.unknowns.push(u);
                Vec::new()
            }
        };
        self.licenses.insert(loc.path.clone(), licenses.clone());
        Some((licenses, loc))
    }
}

/// The package URL. See the module docs.
fn purl(e: &Entry, env: &Environment) -> std::result::Result<Purl, String> {
    let distro = env.distro.as_ref().filter(|d| !d.id.is_empty());
    Purl::builder("deb", e.name.as_str())
        .namespace(distro.map_or("debian", |d| d.id.as_str()))
        .version(e.version.as_str())
        .qualifier_opt("arch", e.arch.as_deref())
        .qualifier_opt("distro", distro.map(|d| d.purl_distro()))
        .qualifier_opt("upstream", upstream(e))
        .build()
}

/// The `upstream` qualifier: the source package, when it is not evident from name and version.
fn upstream(e: &Entry) -> Option<String> {
    let name = e.source_name.as_deref().unwrap_or(&e.name);
    match e.source_version.as_deref().filter(|v| *v != e.version) {
        Some(v) => Some(format!("{name}@{v}")),
        None if name != e.name => Some(name.to_owned()),
        None => None,
    }
}
