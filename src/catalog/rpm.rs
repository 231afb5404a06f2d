//! Placeholder: the rpm cataloger is being written (see issue 2).

use super::{CatalogOutput, Cataloger, Environment, Tag};
use crate::Result;
use crate::fs::FileResolver;

/// Reads the rpm package database.
pub struct RpmDbCataloger;

impl Cataloger for RpmDbCataloger {
    fn name(&self) -> &'static str {
        "rpm-db-cataloger"
    }

    fn tags(&self) -> &'static [Tag] {
        &[Tag::Os, Tag::Installed]
    }

    fn wants(&self) -> &'static [&'static str] {
        &["var/lib/rpm/rpmdb.sqlite"]
    }

    fn catalog(&self, _fs: &dyn FileResolver, _env: &Environment) -> Result<CatalogOutput> {
        Ok(CatalogOutput::default())
    }
}
