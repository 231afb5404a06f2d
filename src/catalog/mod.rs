//! Catalogers: each one turns the files of one package format into [`Package`]s.
//!
//! A cataloger declares up front which files it reads ([`Cataloger::wants`], globs relative to
//! the image root); the layer reader keeps the bytes of exactly those files, so a cataloger
//! never triggers a second read of a layer. It then sees the image only through a
//! [`FileResolver`] and returns a [`CatalogOutput`]. A file it cannot parse is an [`Unknown`] in
//! the output, not an error: the scan goes on and the SBOM says what was not read.
//!
//! Adding a cataloger: one file here (`impl Cataloger`), one line in [`registry`].

pub mod apk;
pub(crate) mod binary;
pub mod dotnet;
pub mod dpkg;
pub mod golang;
pub mod java;
pub(crate) mod license_names;
pub mod npm;
pub mod os_release;
pub mod php;
pub mod python;
pub mod registry;
pub mod rpm;
pub mod ruby;
pub mod rust;
#[cfg(test)]
pub(crate) mod testfs;

use std::sync::Arc;

pub use os_release::LinuxRelease;

use crate::Result;
use crate::fs::{Extractor, FileResolver, Location, ReadError};
use crate::model::{Package, RelationshipKind, Unknown};

/// What a cataloger is about, used to select catalogers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Tag {
    /// Operating-system packages.
    Os,
    /// Language ecosystem packages.
    Language,
    /// Evidence of installation (a package database), as opposed to a declaration.
    Installed,
    /// Declared dependencies (lockfiles, manifests).
    Declared,
}

/// What catalogers know about the image besides its files.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Environment {
    /// The Linux distribution, when identified.
    pub distro: Option<LinuxRelease>,
    /// Release files that exist but could not be read.
    pub unknowns: Vec<Unknown>,
}

impl Environment {
    /// Identifies the environment from the files in `fs`.
    pub fn detect(fs: &dyn FileResolver) -> Self {
        let (distro, unknowns) = os_release::detect(fs);
        Environment { distro, unknowns }
    }
}

/// What one cataloger found.
#[derive(Clone, Debug, Default)]
pub struct CatalogOutput {
    /// The packages, in any order; duplicates (same purl) are merged by the scan.
    pub packages: Vec<Package>,
    /// Edges the format records explicitly (lockfile trees), as indexes into `packages`.
    /// Edges computable from provides/requires belong in each package's
    /// [`DependencySpec`](crate::model::DependencySpec) instead.
    pub relationships: Vec<(usize, usize, RelationshipKind)>,
    /// What could not be read.
    pub unknowns: Vec<Unknown>,
}

/// A package-format reader. See the module docs.
pub trait Cataloger: Sync {
    /// Kebab-case name ending in `-cataloger`, e.g. `dpkg-db-cataloger`.
    fn name(&self) -> &'static str;

    /// What the cataloger is about.
    fn tags(&self) -> &'static [Tag];

    /// Globs (root-relative; `*` within a directory, `**` across) of the files whose content
    /// the cataloger reads. Only these files are captured from the layers.
    fn wants(&self) -> &'static [&'static str];

    /// Files recognised by content rather than name (Go and cargo-auditable binaries, Java
    /// archives), of which only a summary is kept; read back through
    /// [`FileResolver::extracted`] under the extractor's name. See [`crate::fs::extract`].
    fn extractor(&self) -> Option<&'static Extractor> {
        None
    }

    /// Catalogs the packages visible in `fs`.
    fn catalog(&self, fs: &dyn FileResolver, env: &Environment) -> Result<CatalogOutput>;

    /// Whether [`Cataloger::identify`] is cheaper than [`Cataloger::catalog`].
    fn can_identify(&self) -> bool {
        false
    }

    /// The packages visible in `fs` with their identities only, for a layer whose full output
    /// a later run replaces: the scan then needs to know which packages each layer holds (to
    /// say where each was introduced), not their files or licenses. The packages must carry
    /// exactly the purls [`Cataloger::catalog`] gives them. Default: the full catalog.
    fn identify(&self, fs: &dyn FileResolver, env: &Environment) -> Result<CatalogOutput> {
        self.catalog(fs, env)
    }
}

/// Reads a file for a cataloger; a failure becomes an [`Unknown`] naming the file.
pub fn read_file(
    fs: &dyn FileResolver,
    location: &Location,
    cataloger: &str,
) -> std::result::Result<Arc<[u8]>, Unknown> {
    fs.read(location).map_err(|e: ReadError| Unknown {
        source: cataloger.to_owned(),
        location: Some(location.clone()),
        reason: format!("cannot read: {e}"),
    })
}

/// An unknown when `bytes` holds more occurrences of `needle` — a string every package record
/// of the format contains — than the packages limit allows ([`crate::source::Limits`]):
/// counted before parsing, so a forged lockfile of millions of tiny records costs no memory.
pub(crate) fn too_many_records(
    cataloger: &str,
    location: &Location,
    bytes: &[u8],
    needle: &[u8],
) -> Option<Unknown> {
    let max = crate::source::limits::scoped().packages;
    let found = memchr::memmem::find_iter(bytes, needle).count() as u64;
    (found > max).then(|| {
        parse_failure(
            cataloger,
            location,
            format!("more than {max} records; not read (limit packages)"),
        )
    })
}

/// An [`Unknown`] for a file a cataloger could not parse.
pub fn parse_failure(
    cataloger: &str,
    location: &Location,
    reason: impl std::fmt::Display,
) -> Unknown {
    Unknown {
        source: cataloger.to_owned(),
        location: Some(location.clone()),
        reason: reason.to_string(),
    }
}
