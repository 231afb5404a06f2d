//! consign: what is inside a container image, and whether it can be trusted.
//!
//! The library reads an image ([`source`]) layer by layer in one streaming pass, stacks the
//! layers into the filesystem a container sees ([`fs`]), runs the package catalogers
//! ([`catalog`]) and gathers what they found into an [`Sbom`] ([`model`]), which the
//! [`encode`] module writes as CycloneDX, SPDX or a table; [`audit`] judges the image against a
//! policy (base images, pinning, rebuilds, hardening, secrets, licenses). The library never prints, reads
//! environment variables or exits; the `consign` binary's `cli` module does.

pub mod attest;
pub mod audit;
pub mod catalog;
pub mod decode;
pub mod diff;
pub mod encode;
pub mod error;
pub mod fs;
#[doc(hidden)]
pub mod fuzzing;
pub mod model;
pub mod redact;
pub mod registry;
pub mod scan;
pub mod score;
pub mod source;
pub mod version;

pub use error::{Error, Result};
pub use model::{Package, Sbom};
pub use scan::{ScanOptions, Scanned, scan, scan_layers};
