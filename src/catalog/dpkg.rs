//! Placeholder: the dpkg cataloger is being written (see issue 2).

use super::{CatalogOutput, Cataloger, Environment, Tag};
use crate::Result;
use crate::fs::FileResolver;

/// Reads the dpkg package database.
pub struct DpkgDbCataloger;

impl Cataloger for DpkgDbCataloger {
    fn name(&self) -> &'static str {
        "dpkg-db-cataloger"
    }

    fn tags(&self) -> &'static [Tag] {
        &[Tag::Os, Tag::Installed]
    }

    fn wants(&self) -> &'static [&'static str] {
        &["var/lib/dpkg/status", "var/lib/dpkg/status.d/*"]
    }

    fn catalog(&self, _fs: &dyn FileResolver, _env: &Environment) -> Result<CatalogOutput> {
        Ok(CatalogOutput::default())
    }
}
