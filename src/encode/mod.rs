//! Encoders: an [`Sbom`] written as CycloneDX JSON, SPDX 2.3 JSON or a human table.
//!
//! - CycloneDX 1.5, 1.6 (the default) and 1.7 JSON: <https://cyclonedx.org/docs/1.6/json/>.
//! - SPDX 2.3 JSON: <https://spdx.github.io/spdx-spec/v2.3/>.
//! - A plain-text table for people (no colours, stable columns).
//!
//! Invariants every encoder keeps:
//! - **Deterministic.** The same `Sbom` and the same [`EncodeOptions`] give the same bytes.
//!   Nothing reads the clock or a random source: the document timestamp comes from the
//!   options, and the CycloneDX serial number and the SPDX document namespace are UUIDs
//!   derived from the SHA-256 of the document's own content (a version-8 UUID), so they change
//!   exactly when the content does.
//! - **One graph.** Both JSON formats carry exactly the edge set of
//!   [`DependencyGraph::document_edges`](crate::model::DependencyGraph::document_edges), so a
//!   CycloneDX and an SPDX document of one scan never disagree about what contains or needs
//!   what.
//! - **Known unknowns are said out loud.** Files the scan could not read
//!   ([`Sbom::unknowns`](crate::Sbom::unknowns)) appear in every format: as an incomplete
//!   composition plus metadata properties in CycloneDX, as document annotations and comment
//!   in SPDX, as a footer in the table.
//! - **Valid by construction.** The JSON documents are checked against the official schemas
//!   and the third-party validators in the tests; fields that a spec version does not define
//!   are never emitted for that version.

pub(crate) mod common;
mod cyclonedx;
mod oci;
mod spdx;
mod table;

// The integration tests' schema checker, shared so unit tests validate what they encode too.
#[cfg(test)]
#[path = "../../tests/it/support/schema.rs"]
mod schema_check;

use std::fmt;
use std::io::Write;
use std::str::FromStr;

use crate::{Result, Sbom};

/// A CycloneDX specification version consign can write.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum CdxVersion {
    /// CycloneDX 1.5: component `author` is a string; occurrences carry only a location.
    V1_5,
    /// CycloneDX 1.6, the default: component `authors`, occurrence `additionalContext`.
    #[default]
    V1_6,
    /// CycloneDX 1.7: written like 1.6 (every 1.6 field consign uses is unchanged).
    V1_7,
}

impl CdxVersion {
    /// The `specVersion` text, e.g. `1.6`.
    pub fn as_str(self) -> &'static str {
        match self {
            CdxVersion::V1_5 => "1.5",
            CdxVersion::V1_6 => "1.6",
            CdxVersion::V1_7 => "1.7",
        }
    }
}

impl fmt::Display for CdxVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An output format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Format {
    /// CycloneDX JSON of the given version.
    CycloneDxJson(CdxVersion),
    /// SPDX 2.3 JSON.
    SpdxJson,
    /// A human-readable table.
    Table,
}

impl Format {
    /// Every spelling [`Format::from_str`] accepts, for help texts and error messages.
    pub const NAMES: &'static [&'static str] = &[
        "cyclonedx-json",
        "cyclonedx-json@1.5",
        "cyclonedx-json@1.6",
        "cyclonedx-json@1.7",
        "spdx-json",
        "spdx-json@2.3",
        "table",
    ];
}

impl Default for Format {
    /// CycloneDX 1.6 JSON: the CycloneDX version Syft and Trivy write by default.
    fn default() -> Self {
        Format::CycloneDxJson(CdxVersion::default())
    }
}

impl fmt::Display for Format {
    /// The canonical CLI spelling, always with the version for the JSON formats.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Format::CycloneDxJson(v) => write!(f, "cyclonedx-json@{v}"),
            Format::SpdxJson => f.write_str("spdx-json@2.3"),
            Format::Table => f.write_str("table"),
        }
    }
}

/// A format name [`Format::from_str`] does not know.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownFormat(pub String);

impl fmt::Display for UnknownFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown output format {:?}; expected one of: {}",
            self.0,
            Format::NAMES.join(", ")
        )
    }
}

impl std::error::Error for UnknownFormat {}

impl FromStr for Format {
    type Err = UnknownFormat;

    /// Parses a CLI format name (see [`Format::NAMES`]); a bare JSON format name means its
    /// default version.
    fn from_str(s: &str) -> std::result::Result<Self, Self::Err> {
        let (name, version) = match s.split_once('@') {
            Some((n, v)) => (n, Some(v)),
            None => (s, None),
        };
        let format = match (name, version) {
            ("cyclonedx-json", None) => Format::CycloneDxJson(CdxVersion::default()),
            ("cyclonedx-json", Some("1.5")) => Format::CycloneDxJson(CdxVersion::V1_5),
            ("cyclonedx-json", Some("1.6")) => Format::CycloneDxJson(CdxVersion::V1_6),
            ("cyclonedx-json", Some("1.7")) => Format::CycloneDxJson(CdxVersion::V1_7),
            ("spdx-json", None | Some("2.3")) => Format::SpdxJson,
            ("table", None) => Format::Table,
            _ => return Err(UnknownFormat(s.to_owned())),
        };
        Ok(format)
    }
}

/// Settings that are not part of the scan result.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EncodeOptions {
    /// The document creation time, written with seconds precision in UTC. It comes from the
    /// caller, never from the clock, so that output can be reproduced (pass a fixed time,
    /// e.g. from `SOURCE_DATE_EPOCH`, to get identical bytes from identical scans).
    pub created: jiff::Timestamp,
}

/// Writes `sbom` to `out` in `format`.
///
/// The JSON formats are pretty-printed (two-space indent) and end with a newline.
///
/// # Errors
///
/// [`Error::Encode`](crate::Error::Encode) when serialising or writing fails.
pub fn encode(
    sbom: &Sbom,
    format: &Format,
    opts: &EncodeOptions,
    out: &mut dyn Write,
) -> Result<()> {
    let bytes = match format {
        Format::CycloneDxJson(version) => cyclonedx::encode(sbom, *version, opts)?,
        Format::SpdxJson => spdx::encode(sbom, opts)?,
        Format::Table => table::render(sbom).into_bytes(),
    };
    out.write_all(&bytes)
        .and_then(|()| out.flush())
        .map_err(|e| common::encode_error(format, e))
}

#[cfg(test)]
mod tests;
