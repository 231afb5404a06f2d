//! OCI (and Docker distribution) JSON documents: descriptors, image indexes and manifests,
//! and reading a blob with its digest and size verified.
//!
//! Specs: <https://github.com/opencontainers/image-spec/blob/main/image-index.md>,
//! <https://github.com/opencontainers/image-spec/blob/main/manifest.md>.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::store::BlobStore;
use super::{Digest, Limits};
use crate::model::Platform;
use crate::{Error, Result};

/// OCI image index.
pub const MT_OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
/// Docker manifest list.
pub const MT_DOCKER_LIST: &str = "application/vnd.docker.distribution.manifest.list.v2+json";
/// OCI image manifest.
pub const MT_OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
/// Docker image manifest, schema 2.
pub const MT_DOCKER_MANIFEST: &str = "application/vnd.docker.distribution.manifest.v2+json";

/// A content descriptor.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Descriptor {
    /// Media type.
    #[serde(default)]
    pub media_type: Option<String>,
    /// Digest of the referenced content.
    pub digest: String,
    /// Size in bytes.
    #[serde(default)]
    pub size: Option<i64>,
    /// Annotations.
    #[serde(default)]
    pub annotations: BTreeMap<String, String>,
    /// Platform (in indexes).
    #[serde(default)]
    pub platform: Option<PlatformJson>,
    /// URLs of non-distributable content.
    #[serde(default)]
    pub urls: Vec<String>,
}

/// A descriptor's platform.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct PlatformJson {
    /// Operating system.
    #[serde(default)]
    pub os: String,
    /// Architecture.
    #[serde(default)]
    pub architecture: String,
    /// Variant.
    #[serde(default)]
    pub variant: Option<String>,
}

impl PlatformJson {
    /// As the model's platform.
    pub fn to_platform(&self) -> Platform {
        Platform {
            os: self.os.clone(),
            architecture: self.architecture.clone(),
            variant: self.variant.clone().filter(|v| !v.is_empty()),
        }
    }
}

/// An image index (or Docker manifest list), or an image manifest: which one is decided by
/// the fields present, since media types are optional in both.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ManifestOrIndex {
    /// Schema version (2).
    #[serde(default)]
    pub schema_version: Option<i64>,
    /// Media type.
    #[serde(default)]
    pub media_type: Option<String>,
    /// Index: the manifests.
    #[serde(default)]
    pub manifests: Option<Vec<Descriptor>>,
    /// Manifest: the config.
    #[serde(default)]
    pub config: Option<Descriptor>,
    /// Manifest: the layers.
    #[serde(default)]
    pub layers: Option<Vec<Descriptor>>,
    /// Annotations.
    #[serde(default)]
    pub annotations: BTreeMap<String, String>,
}

impl ManifestOrIndex {
    /// True for an index / manifest list.
    pub fn is_index(&self) -> bool {
        self.manifests.is_some()
            || matches!(
                self.media_type.as_deref(),
                Some(MT_OCI_INDEX | MT_DOCKER_LIST)
            )
    }
}

/// Parses a metadata document with a message naming the file, refusing one nested deeper
/// than [`Limits::max_json_depth`] before parsing it.
pub fn parse_json<T: serde::de::DeserializeOwned>(
    path: &str,
    bytes: &[u8],
    limits: &Limits,
) -> Result<T> {
    let depth = super::limits::json_depth(bytes);
    if depth > limits.max_json_depth {
        return Err(Error::Limit {
            what: path.to_owned(),
            reason: format!(
                "JSON nested {depth} deep; at most {} (limit json-depth)",
                limits.max_json_depth
            ),
        });
    }
    serde_json::from_slice(bytes).map_err(|e| Error::manifest(path, format!("malformed JSON: {e}")))
}

/// The store path of a blob: `blobs/<algorithm>/<hex>`.
pub fn blob_path(d: &Digest) -> String {
    let s = d.to_string();
    let (alg, hex) = s.split_once(':').unwrap_or(("sha256", &s));
    format!("blobs/{alg}/{hex}")
}

/// Parses a descriptor's digest, naming the document it came from on failure.
pub fn descriptor_digest(doc: &str, d: &Descriptor) -> Result<Digest> {
    d.digest
        .parse()
        .map_err(|e| Error::manifest(doc, format!("bad descriptor: {e}")))
}

/// Reads a metadata blob and verifies its size and digest against the descriptor.
pub fn read_verified(
    store: &dyn BlobStore,
    doc: &str,
    d: &Descriptor,
    limits: &Limits,
) -> Result<(Digest, String, Vec<u8>)> {
    let digest = descriptor_digest(doc, d)?;
    let path = blob_path(&digest);
    if let Some(size) = d.size
        && (size < 0 || size as u64 > limits.max_json_bytes)
    {
        return Err(Error::Limit {
            what: path,
            reason: format!(
                "descriptor size {size} is not a plausible metadata size (limit {})",
                limits.max_json_bytes
            ),
        });
    }
    let bytes = store.read_small(&path, limits.max_json_bytes)?;
    verify_bytes(&path, &digest, d.size, &bytes)?;
    Ok((digest, path, bytes))
}

/// Checks bytes against a digest (and size, when given).
pub fn verify_bytes(path: &str, digest: &Digest, size: Option<i64>, bytes: &[u8]) -> Result<()> {
    if let Some(size) = size
        && size as u64 != bytes.len() as u64
    {
        return Err(Error::SizeMismatch {
            path: path.to_owned(),
            expected: size as u64,
            actual: bytes.len() as u64,
        });
    }
    let actual = match digest.algorithm() {
        super::digest::Algorithm::Sha256 => Digest::sha256_of(bytes),
        super::digest::Algorithm::Sha512 => {
            use sha2::Digest as _;
            let hex = hex::encode(sha2::Sha512::digest(bytes));
            Digest::new(super::digest::Algorithm::Sha512, &hex)
                .map_err(|e| Error::manifest(path, e))?
        }
    };
    if &actual != digest {
        return Err(Error::DigestMismatch {
            what: "blob",
            path: path.to_owned(),
            expected: digest.clone(),
            actual,
        });
    }
    Ok(())
}
