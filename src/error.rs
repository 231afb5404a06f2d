//! The crate's error type: what stops a scan.
//!
//! Three tiers (see the house style): an [`Error`] means the run cannot continue (an unreadable
//! archive, a digest mismatch, an unsafe path); a per-file parse failure becomes an
//! [`Unknown`](crate::model::Unknown) recorded in the SBOM; a finding is product output, never an
//! error. Every variant names the file, blob or entry it is about, so the one-line message the
//! CLI prints tells the user where to look.

use std::path::PathBuf;

use crate::source::Digest;

/// Everything that makes a scan fail.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Reading a file on disk failed.
    #[error("{}: {error}", path.display())]
    Io {
        /// The file or directory on disk.
        path: PathBuf,
        /// The underlying error (part of the message, so not also a `source()`: the CLI
        /// prints the chain and would repeat it).
        error: std::io::Error,
    },
    /// An image metadata file (manifest.json, index.json, a manifest or config blob) is missing
    /// or malformed.
    #[error("{path}: {reason}")]
    Manifest {
        /// The metadata file, as named inside the image (e.g. `manifest.json`, `blobs/sha256/…`).
        path: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A blob's content does not match the digest its descriptor (or the config's diff_ids)
    /// promised: the image was altered or damaged.
    #[error("{what} {path}: digest mismatch: expected {expected}, got {actual}")]
    DigestMismatch {
        /// What was checked: "blob", "layer (uncompressed)", "config".
        what: &'static str,
        /// The blob, as named inside the image.
        path: String,
        /// The digest the image metadata promised.
        expected: Digest,
        /// The digest of the bytes actually read.
        actual: Digest,
    },
    /// A blob's size does not match its descriptor.
    #[error("blob {path}: size mismatch: descriptor says {expected} bytes, read {actual}")]
    SizeMismatch {
        /// The blob, as named inside the image.
        path: String,
        /// The size in the descriptor.
        expected: u64,
        /// The number of bytes read.
        actual: u64,
    },
    /// A tar archive (the outer image archive or a layer) is damaged or unsafe.
    #[error("{archive}: {reason}")]
    Archive {
        /// The archive: the image file, or a layer blob inside it.
        archive: String,
        /// What is wrong (names the offending entry where there is one).
        reason: String,
    },
    /// Reading one layer failed; wraps the cause with the layer it happened in.
    #[error("layer {index}: {error}")]
    Layer {
        /// The layer's position in the image, bottom first.
        index: usize,
        /// The layer blob, as named inside the image.
        blob: String,
        /// What went wrong (it names the blob).
        error: Box<Error>,
    },
    /// The image to scan cannot be chosen: several candidates and no selector, or a selector
    /// that matches nothing.
    #[error("{0}")]
    Selection(String),
    /// The source argument cannot be understood (unknown prefix, missing path, unknown layout).
    #[error("{0}")]
    Source(String),
    /// A limit protecting against hostile input was hit.
    #[error("{what}: limit exceeded: {reason}")]
    Limit {
        /// The file or blob being read.
        what: String,
        /// Which limit, and its value.
        reason: String,
    },
    /// A file given as an SBOM is not one, or is one consign cannot read.
    #[error("{path}: {reason}")]
    Decode {
        /// The file, as the user named it.
        path: String,
        /// What is wrong with it.
        reason: String,
    },
    /// An audit policy file is malformed or names something that does not exist (the reason
    /// gives the line and the field).
    #[error("policy {path}: {reason}")]
    Policy {
        /// The policy file (`<built-in>` for the default policy).
        path: String,
        /// What is wrong, with the line and field where known.
        reason: String,
    },
    /// A base catalog file is malformed.
    #[error("base catalog {path}: {reason}")]
    Catalog {
        /// The catalog file.
        path: String,
        /// What is wrong.
        reason: String,
    },
    /// A Dockerfile cannot be read.
    #[error("{path}: {reason}")]
    Dockerfile {
        /// The Dockerfile.
        path: String,
        /// What is wrong.
        reason: String,
    },
    /// Talking to a registry failed: unreachable, authentication refused, not found, or an
    /// answer that breaks the distribution spec.
    #[error("{registry}{}{repository}: {reason}", if repository.is_empty() { "" } else { "/" })]
    Registry {
        /// The registry (`host[:port]`).
        registry: String,
        /// The repository, when the request was about one.
        repository: String,
        /// What went wrong, with the HTTP status and the registry's own error code.
        reason: String,
    },
    /// Writing an SBOM document failed.
    #[error("encoding {format}: {reason}")]
    Encode {
        /// The output format.
        format: String,
        /// What went wrong.
        reason: String,
    },
}

/// The crate's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// Wraps an I/O error with the path it happened on.
    pub fn io(path: impl Into<PathBuf>, error: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            error,
        }
    }

    /// A malformed or missing metadata file.
    pub fn manifest(path: impl Into<String>, reason: impl std::fmt::Display) -> Self {
        Error::Manifest {
            path: path.into(),
            reason: reason.to_string(),
        }
    }

    /// A document that cannot be read as an SBOM.
    pub fn decode(path: impl Into<String>, reason: impl std::fmt::Display) -> Self {
        Error::Decode {
            path: path.into(),
            reason: reason.to_string(),
        }
    }

    /// A damaged or unsafe archive.
    pub fn archive(archive: impl Into<String>, reason: impl std::fmt::Display) -> Self {
        Error::Archive {
            archive: archive.into(),
            reason: reason.to_string(),
        }
    }
}
