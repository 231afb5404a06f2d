//! The apk cataloger: installed packages of Alpine, Wolfi/Chainguard, postmarketOS and other
//! apk-tools distributions.
//!
//! Reads `lib/apk/db/installed`, or `usr/lib/apk/db/installed` where `/lib` is merged into
//! `/usr` (Wolfi since 2025; the file is found by its real path, so the `lib` symlink does not
//! matter). Format: <https://wiki.alpinelinux.org/wiki/Apk_spec>, parsed in `parse.rs`.
//!
//! ## Mapping
//!
//! - Identity: `pkg:apk/<distro id>/<name>@<version>?arch=<arch>&distro=<id>-<version_id>`,
//!   plus `upstream=<origin>` when the origin (source package) differs from the name, as Syft
//!   writes it (<https://github.com/package-url/purl-spec/blob/main/types-doc/apk-definition.md>).
//!   The namespace is the distro id; with no release file it falls back to `alpine` (the purl
//!   spec requires a namespace) and `distro=` is left out rather than guessed.
//! - `L:` licenses: SPDX expressions in current packages, space-separated names in old ones
//!   (`MIT BSD GPL2+`); see `catalog/license_names.rs` for what is
//!   mapped (`GPL2+` → `GPL-2.0-or-later`) and what stays a name (`BSD`).
//! - `o:` is the source package, `m:` the author, the distribution the supplier.
//! - `D:`/`p:` become the dependency spec: `so:`, `cmd:`, `pc:` names and `/bin/sh` resolve
//!   through other packages' provides (and `/bin/sh` also through owned files); conflicts
//!   (`!name`) are not requirements. `F:`/`R:` pairs are the owned files (files only, no
//!   directories, matching the dpkg cataloger).
//! - `C:` is a checksum of the package's control section, not of the artifact, so it goes into
//!   the metadata, not into the package checksums.

mod parse;

#[cfg(test)]
mod fixture_tests;

use std::borrow::Cow;

use super::license_names::{BareList, parse_license_field};
use super::{CatalogOutput, Cataloger, Environment, Tag, parse_failure, read_file};
use crate::Result;
use crate::fs::{FileResolver, Location};
use crate::model::{
    ApkMetadata, DependencySpec, Ecosystem, Package, PackageMetadata, Party, Purl, SourcePackage,
};
use crate::source::limits;
use parse::Record;

const NAME: &str = "apk-db-cataloger";

/// Reads the apk installed database. See the module docs.
pub struct ApkDbCataloger;

impl Cataloger for ApkDbCataloger {
    fn name(&self) -> &'static str {
        NAME
    }

    fn tags(&self) -> &'static [Tag] {
        &[Tag::Os, Tag::Installed]
    }

    fn wants(&self) -> &'static [&'static str] {
        &["lib/apk/db/installed", "usr/lib/apk/db/installed"]
    }

    fn catalog(&self, fs: &dyn FileResolver, env: &Environment) -> Result<CatalogOutput> {
        let mut out = CatalogOutput::default();
        for pattern in self.wants() {
            for loc in fs.files_by_glob(pattern) {
                catalog_file(fs, env, &loc, &mut out);
            }
        }
        Ok(out)
    }
}

fn catalog_file(fs: &dyn FileResolver, env: &Environment, loc: &Location, out: &mut CatalogOutput) {
    let bytes = match read_file(fs, loc, NAME) {
        Ok(b) => b,
        Err(u) => return out.unknowns.push(u),
    };
    let text = String::from_utf8_lossy(&bytes);
    if let Cow::Owned(_) = text {
        out.unknowns.push(parse_failure(
            NAME,
            loc,
            "invalid UTF-8; read with replacement characters",
        ));
    }
    // A dependency or file is a word or a line, and a string once parsed.
    if let Err(why) = limits::check_record_count(&text)
        .and_then(|()| limits::check_items(text.as_bytes(), limits::Items::Separators(b"\n ")))
    {
        return out.unknowns.push(parse_failure(NAME, loc, why));
    }
    for record in parse::parse_installed(&text) {
        match record.and_then(|r| package(r, env, loc)) {
            Ok(p) => out.packages.push(p),
            Err(why) => out.unknowns.push(parse_failure(NAME, loc, why)),
        }
    }
}

fn package(r: Record, env: &Environment, loc: &Location) -> std::result::Result<Package, String> {
    let distro = env.distro.as_ref().filter(|d| !d.id.is_empty());
    let upstream = r.origin.as_deref().filter(|o| *o != r.name);
    let purl = Purl::builder("apk", r.name.as_str())
        .namespace(distro.map_or("alpine", |d| d.id.as_str()))
        .version(r.version.as_str())
        .qualifier_opt("arch", r.arch.as_deref())
        .qualifier_opt("distro", distro.map(|d| d.purl_distro()))
        .qualifier_opt("upstream", upstream)
        .build()
        .map_err(|e| format!("record at line {}: {e}", r.line))?;
    let mut pkg = Package::new(Ecosystem::Apk, r.name, r.version, purl, NAME);
    pkg.arch = r.arch.clone();
    pkg.locations.insert(loc.clone());
    pkg.licenses = r
        .license
        .as_deref()
        .map(|l| parse_license_field(l, BareList::Split))
        .unwrap_or_default();
    pkg.supplier = distro
        .and_then(|d| d.supplier())
        .map(|name| Party { name, email: None });
    pkg.author = r.maintainer.as_deref().and_then(Party::parse);
    pkg.source = r.origin.clone().map(|name| SourcePackage {
        name,
        version: None,
    });
    pkg.files = r.files;
    pkg.dependencies = DependencySpec {
        provides: parse::provided_names(&r.provides),
        requires: parse::requirement_names(&r.depends),
    };
    pkg.metadata = PackageMetadata::Apk(ApkMetadata {
        architecture: r.arch,
        maintainer: r.maintainer,
        origin: r.origin,
        commit: r.commit,
        url: r.url,
        description: r.description,
        size: r.size,
        installed_size: r.installed_size,
        build_time: r.build_time,
        checksum: r.checksum,
        provides: r.provides,
        depends: r.depends,
        replaces: r.replaces,
        install_if: r.install_if,
    });
    Ok(pkg)
}
