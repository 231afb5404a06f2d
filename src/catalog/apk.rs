//! Placeholder: the apk cataloger is being written (see issue 2).

use super::{CatalogOutput, Cataloger, Environment, Tag};
use crate::Result;
use crate::fs::FileResolver;

/// Reads the apk package database.
pub struct ApkDbCataloger;

impl Cataloger for ApkDbCataloger {
    fn name(&self) -> &'static str {
        "apk-db-cataloger"
    }

    fn tags(&self) -> &'static [Tag] {
        &[Tag::Os, Tag::Installed]
    }

    fn wants(&self) -> &'static [&'static str] {
        &["lib/apk/db/installed"]
    }

    fn catalog(&self, _fs: &dyn FileResolver, _env: &Environment) -> Result<CatalogOutput> {
        Ok(CatalogOutput::default())
    }
}
