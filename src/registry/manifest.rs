//! The OCI documents a registry client reads and writes: descriptors, image manifests (with
//! OCI 1.1 `artifactType` and `subject`) and image indexes — one serde struct for both, since
//! which one a document is shows in its fields.
//!
//! Specs: <https://github.com/opencontainers/image-spec/blob/main/manifest.md>,
//! <https://github.com/opencontainers/image-spec/blob/main/image-index.md>,
//! <https://github.com/opencontainers/image-spec/blob/main/descriptor.md>.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::source::Digest;
use crate::source::oci::{MT_DOCKER_LIST, MT_DOCKER_MANIFEST, MT_OCI_INDEX, MT_OCI_MANIFEST};

/// The empty JSON config of an artifact with no config (`{}`), OCI 1.1 guidance.
pub const MT_EMPTY: &str = "application/vnd.oci.empty.v1+json";
/// A DSSE envelope (cosign's `.att` layers, consign's attached attestations).
pub const MT_DSSE: &str = "application/vnd.dsse.envelope.v1+json";
/// An in-toto statement (BuildKit attestation layers).
pub const MT_IN_TOTO: &str = "application/vnd.in-toto+json";
/// Every manifest type consign reads, for `Accept`.
pub const MANIFEST_ACCEPT: &str = "application/vnd.oci.image.index.v1+json, \
     application/vnd.oci.image.manifest.v1+json, \
     application/vnd.docker.distribution.manifest.list.v2+json, \
     application/vnd.docker.distribution.manifest.v2+json";

/// Annotation: when an artifact was made (RFC 3339).
pub const ANN_CREATED: &str = "org.opencontainers.image.created";
/// Annotation on a layer: its file name.
pub const ANN_TITLE: &str = "org.opencontainers.image.title";
/// Annotation (BuildKit, on attestation layers): the in-toto predicate type.
pub const ANN_PREDICATE_TYPE: &str = "in-toto.io/predicate-type";
/// Annotation (cosign, on `.att` layers): the in-toto predicate type.
pub const ANN_COSIGN_PREDICATE_TYPE: &str = "predicateType";
/// Annotation (BuildKit, on index entries): what kind of entry this is.
pub const ANN_REFERENCE_TYPE: &str = "vnd.docker.reference.type";
/// Annotation (BuildKit, on index entries): the manifest an attestation manifest is about.
pub const ANN_REFERENCE_DIGEST: &str = "vnd.docker.reference.digest";

/// A content descriptor.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Descriptor {
    /// Media type of the referenced content.
    #[serde(default)]
    pub media_type: String,
    /// Its digest.
    pub digest: String,
    /// Its size in bytes.
    pub size: u64,
    /// For manifests of artifacts: the artifact's type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub artifact_type: Option<String>,
    /// Annotations.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub annotations: BTreeMap<String, String>,
    /// Platform (index entries), kept as it was.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platform: Option<serde_json::Value>,
}

impl Descriptor {
    /// A descriptor of `bytes`.
    pub fn of(media_type: &str, bytes: &[u8]) -> Descriptor {
        Descriptor {
            media_type: media_type.to_owned(),
            digest: Digest::sha256_of(bytes).to_string(),
            size: bytes.len() as u64,
            ..Descriptor::default()
        }
    }

    /// The parsed digest.
    pub fn parsed_digest(&self) -> Result<Digest, String> {
        self.digest.parse()
    }

    /// True for the media types of image manifests (not indexes).
    pub fn is_manifest(&self) -> bool {
        matches!(
            self.media_type.as_str(),
            MT_OCI_MANIFEST | MT_DOCKER_MANIFEST
        )
    }

    /// True for the media types of indexes.
    pub fn is_index(&self) -> bool {
        matches!(self.media_type.as_str(), MT_OCI_INDEX | MT_DOCKER_LIST)
    }
}

/// An image manifest or an image index.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Document {
    /// Always 2.
    pub schema_version: u32,
    /// The document's media type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media_type: Option<String>,
    /// For artifacts: what the artifact is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub artifact_type: Option<String>,
    /// Manifest: the config.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config: Option<Descriptor>,
    /// Manifest: the layers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub layers: Option<Vec<Descriptor>>,
    /// Index: the manifests.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manifests: Option<Vec<Descriptor>>,
    /// What this document refers to (OCI 1.1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<Descriptor>,
    /// Annotations.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub annotations: BTreeMap<String, String>,
}

impl Document {
    /// An empty OCI image index.
    pub fn empty_index() -> Document {
        Document {
            schema_version: 2,
            media_type: Some(MT_OCI_INDEX.to_owned()),
            manifests: Some(Vec::new()),
            ..Document::default()
        }
    }

    /// Parses a manifest or index.
    pub fn parse(bytes: &[u8]) -> Result<Document, String> {
        serde_json::from_slice(bytes).map_err(|e| format!("malformed manifest JSON: {e}"))
    }

    /// The JSON bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        // Strings, numbers, maps and JSON values always serialise.
        serde_json::to_vec(self).unwrap_or_default()
    }

    /// True when this is an index (by media type, or by having `manifests`).
    pub fn is_index(&self) -> bool {
        self.manifests.is_some()
            || matches!(
                self.media_type.as_deref(),
                Some(MT_OCI_INDEX | MT_DOCKER_LIST)
            )
    }

    /// The artifact type as the referrers API reports it: `artifactType`, else the config's
    /// media type.
    pub fn effective_artifact_type(&self) -> Option<String> {
        self.artifact_type
            .clone()
            .or_else(|| self.config.as_ref().map(|c| c.media_type.clone()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_artifact_manifests_the_spec_way() {
        let config = Descriptor::of(MT_EMPTY, b"{}");
        assert_eq!(
            config.digest,
            "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"
        );
        let m = Document {
            schema_version: 2,
            media_type: Some(MT_OCI_MANIFEST.into()),
            artifact_type: Some("application/spdx+json".into()),
            config: Some(config),
            layers: Some(vec![]),
            ..Document::default()
        };
        let json = String::from_utf8(m.to_bytes()).unwrap();
        assert_eq!(
            json,
            "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\
             \"artifactType\":\"application/spdx+json\",\"config\":{\"mediaType\":\
             \"application/vnd.oci.empty.v1+json\",\"digest\":\"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a\",\
             \"size\":2},\"layers\":[]}"
        );
        assert_eq!(Document::parse(json.as_bytes()).unwrap(), m);
        assert_eq!(
            m.effective_artifact_type().as_deref(),
            Some("application/spdx+json")
        );
        let index = Document::empty_index();
        assert!(index.is_index());
        assert_eq!(
            String::from_utf8(index.to_bytes()).unwrap(),
            "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"manifests\":[]}"
        );
    }
}
