//! Attaching an artifact (an SBOM, an attestation) to an image in its registry, the OCI 1.1
//! way: an image manifest whose `subject` is the image manifest, `artifactType` says what it
//! is, `config` is the empty JSON descriptor and the one layer is the file.
//!
//! Spec: <https://github.com/opencontainers/image-spec/blob/main/manifest.md#guidelines-for-artifact-usage>
//! and, for discovery, <https://github.com/opencontainers/distribution-spec/blob/main/spec.md#pushing-manifests-with-subject>:
//! a registry that indexes the subject itself answers the manifest PUT with `OCI-Subject`;
//! when it does not, the client maintains the **referrers tag schema** — an image index tagged
//! `<alg>-<hex>` (e.g. `sha256-9c27…`) listing every referrer — by fetching it (or starting an
//! empty one), adding the new descriptor and pushing it back, as oras and cosign do. The
//! update is a read-modify-write: two clients attaching to the same image at the same moment
//! on a registry without the referrers API can lose one entry (the spec offers no lock; oras
//! has the same window).

use std::collections::BTreeMap;

use super::client::Client;
use super::manifest::{ANN_TITLE, Descriptor, Document, MT_EMPTY};
use super::reference::ImageRef;
use crate::Result;
use crate::source::Digest;
use crate::source::oci::{MT_OCI_INDEX, MT_OCI_MANIFEST};

/// What to attach.
#[derive(Clone, Debug)]
pub struct Artifact {
    /// The file's bytes (the layer).
    pub bytes: Vec<u8>,
    /// The layer's media type.
    pub media_type: String,
    /// The manifest's `artifactType`.
    pub artifact_type: String,
    /// The layer's file name (`org.opencontainers.image.title`), when known.
    pub title: Option<String>,
    /// Manifest annotations (`org.opencontainers.image.created`, the predicate type, …); they
    /// are also copied into the referrers list entry, where clients filter on them.
    pub annotations: BTreeMap<String, String>,
}

/// How the registry learned of the referrer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Indexed {
    /// The registry indexes subjects itself (`OCI-Subject`, referrers API).
    ByRegistry,
    /// consign updated the referrers tag (`sha256-<hex>`).
    ReferrersTag,
}

/// An attached artifact.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attached {
    /// The artifact manifest's descriptor (with `artifactType` and annotations).
    pub manifest: Descriptor,
    /// How it can be found.
    pub indexed: Indexed,
    /// The referrers tag, when that was updated.
    pub tag: Option<String>,
}

/// The referrers tag of `digest`: `<alg>-<encoded>`, the encoded part cut at 64 characters.
pub fn referrers_tag(digest: &Digest) -> String {
    let text = digest.to_string();
    let (alg, hex) = text.split_once(':').unwrap_or(("sha256", &text));
    format!("{alg}-{}", &hex[..hex.len().min(64)])
}

/// Pushes `artifact` as a referrer of `subject` (which must name a manifest by digest).
pub fn attach(
    client: &Client,
    subject: &ImageRef,
    artifact: &Artifact,
    limit: u64,
) -> Result<Attached> {
    let repo = &subject.repository;
    let digest = subject.digest.as_ref().ok_or_else(|| {
        client.error(
            repo,
            format!("{subject}: attach needs the image by digest (…@sha256:…)"),
        )
    })?;
    let target = client
        .manifest_opt(repo, &digest.to_string(), limit)?
        .ok_or_else(|| {
            client.error(
                repo,
                format!("the image {digest} is not in the repository (HTTP 404); push it first"),
            )
        })?;

    let config = Descriptor::of(MT_EMPTY, b"{}");
    client.push_blob(repo, b"{}")?;
    let mut layer = Descriptor::of(&artifact.media_type, &artifact.bytes);
    if let Some(t) = &artifact.title {
        layer.annotations.insert(ANN_TITLE.to_owned(), t.clone());
    }
    client.push_blob(repo, &artifact.bytes)?;
    let manifest = Document {
        schema_version: 2,
        media_type: Some(MT_OCI_MANIFEST.to_owned()),
        artifact_type: Some(artifact.artifact_type.clone()),
        config: Some(config),
        layers: Some(vec![layer]),
        subject: Some(target.descriptor()),
        annotations: artifact.annotations.clone(),
        ..Document::default()
    };
    let bytes = manifest.to_bytes();
    let manifest_digest = Digest::sha256_of(&bytes);
    let pushed =
        client.put_manifest(repo, &manifest_digest.to_string(), MT_OCI_MANIFEST, &bytes)?;
    let entry = Descriptor {
        media_type: MT_OCI_MANIFEST.to_owned(),
        digest: pushed.digest.to_string(),
        size: bytes.len() as u64,
        artifact_type: Some(artifact.artifact_type.clone()),
        annotations: artifact.annotations.clone(),
        platform: None,
    };
    if pushed.subject_indexed {
        return Ok(Attached {
            manifest: entry,
            indexed: Indexed::ByRegistry,
            tag: None,
        });
    }
    let tag = referrers_tag(digest);
    let mut index = match client.manifest_opt(repo, &tag, limit)? {
        Some(f) => {
            let doc =
                Document::parse(&f.bytes).map_err(|e| client.error(repo, format!("{tag}: {e}")))?;
            if !doc.is_index() {
                return Err(client.error(
                    repo,
                    format!("tag {tag} exists but is not an image index; it cannot hold the referrers list"),
                ));
            }
            doc
        }
        None => Document::empty_index(),
    };
    let list = index.manifests.get_or_insert_with(Vec::new);
    if !list.iter().any(|d| d.digest == entry.digest) {
        list.push(entry.clone());
    }
    let index_bytes = index.to_bytes();
    client.put_manifest(repo, &tag, MT_OCI_INDEX, &index_bytes)?;
    Ok(Attached {
        manifest: entry,
        indexed: Indexed::ReferrersTag,
        tag: Some(tag),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tag_schema() {
        let d: Digest = format!("sha256:{}", "ab".repeat(32)).parse().unwrap();
        assert_eq!(referrers_tag(&d), format!("sha256-{}", "ab".repeat(32)));
        let d: Digest = format!("sha512:{}", "cd".repeat(64)).parse().unwrap();
        assert_eq!(referrers_tag(&d), format!("sha512-{}", "cd".repeat(32)));
    }
}
