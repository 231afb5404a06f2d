//! The Python catalogers: installed distributions, and the lockfiles of Python projects.
//!
//! [`PythonInstalledCataloger`] reads what installers leave in any `site-packages` or
//! `dist-packages` directory (system, virtualenv, `pip install --target`):
//!
//! - `*.dist-info/METADATA` (+ `RECORD`, the files the distribution owns): wheels installed by
//!   pip, uv, poetry (<https://packaging.python.org/en/latest/specifications/recording-installed-packages/>);
//! - `*.egg-info/PKG-INFO` (+ `requires.txt`, `installed-files.txt`): setuptools installs and
//!   Debian's `python3-*` packages; a single-file `*.egg-info` (distutils);
//!   `*.egg/EGG-INFO/PKG-INFO` (unzipped eggs).
//!
//! Core metadata (PEP 566/643/639) is read in `metadata.rs`, declared licenses in `license.rs`,
//! requirements (PEP 508) in `requirement.rs` and their environment markers in `markers.rs`;
//! `installed.rs` groups distributions by the directory that holds them (one environment each)
//! and resolves `Requires-Dist` to the distributions installed in that same environment only,
//! as the interpreter would import them: two virtualenvs never depend on each other.
//!
//! [`PythonLockCataloger`] reads `requirements*.txt` (pinned `==` lines only), `poetry.lock`,
//! `Pipfile.lock` and `uv.lock` (`lockfiles.rs`): declared, not installed, packages
//! ([`Evidence::Declared`](crate::model::Evidence)), dev groups marked `dev`, the lockfile's
//! dependency tree as edges where it records one.
//!
//! ## Identity
//!
//! `pkg:pypi/<name>@<version>` with the name normalised per PEP 503 (lowercase, runs of
//! `-_.` as one `-`), as the purl spec's pypi type requires
//! (<https://github.com/package-url/purl-spec/blob/main/types-doc/pypi-definition.md>); the
//! package name keeps the spelling of the metadata (`Pygments`), as `pip list` shows it.

mod installed;
mod license;
mod lockfiles;
mod markers;
mod metadata;
mod poetry;
mod requirement;

/// PEP 503 name normalisation (lowercase; runs of `-`, `_`, `.` become one `-`), also how the
/// purl spec names `pypi` packages.
pub use requirement::normalize as normalize_name;

#[cfg(test)]
mod fixture_tests;
#[cfg(test)]
mod lock_tests;

use super::{CatalogOutput, Cataloger, Environment, Tag};
use crate::Result;
use crate::fs::FileResolver;
use crate::model::{Ecosystem, Package, Purl};

/// Reads installed Python distributions. See the module docs.
pub struct PythonInstalledCataloger;

/// Reads Python lockfiles and pinned requirements. See the module docs.
pub struct PythonLockCataloger;

const INSTALLED: &str = "python-installed-cataloger";
const LOCK: &str = "python-lock-cataloger";

impl Cataloger for PythonInstalledCataloger {
    fn name(&self) -> &'static str {
        INSTALLED
    }

    fn tags(&self) -> &'static [Tag] {
        &[Tag::Language, Tag::Installed]
    }

    fn wants(&self) -> &'static [&'static str] {
        installed::WANTS
    }

    fn catalog(&self, fs: &dyn FileResolver, _env: &Environment) -> Result<CatalogOutput> {
        Ok(installed::catalog(fs))
    }
}

impl Cataloger for PythonLockCataloger {
    fn name(&self) -> &'static str {
        LOCK
    }

    fn tags(&self) -> &'static [Tag] {
        &[Tag::Language, Tag::Declared]
    }

    fn wants(&self) -> &'static [&'static str] {
        lockfiles::WANTS
    }

    fn catalog(&self, fs: &dyn FileResolver, _env: &Environment) -> Result<CatalogOutput> {
        Ok(lockfiles::catalog(fs))
    }
}

/// A pypi package with its purl; `Err` when the purl cannot be built.
fn new_package(
    name: &str,
    version: &str,
    found_by: &'static str,
) -> std::result::Result<Package, String> {
    let purl = Purl::builder("pypi", requirement::normalize(name))
        .version(version)
        .build()
        .map_err(|e| format!("{name} {version}: {e}"))?;
    Ok(Package::new(Ecosystem::Pypi, name, version, purl, found_by))
}
