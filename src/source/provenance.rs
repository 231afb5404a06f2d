//! BuildKit provenance attestations stored beside an image in an OCI layout: the base images
//! and other inputs a build resolved (SLSA `materials` in provenance v0.2,
//! `buildDefinition.resolvedDependencies` in v1), for the auditor's base identification.
//!
//! BuildKit (`docker buildx build --provenance=true --output type=oci`) stores, next to each
//! image manifest in the index, an attestation manifest annotated
//! `vnd.docker.reference.type: attestation-manifest` and `vnd.docker.reference.digest:
//! <image manifest digest>`; its layers are in-toto statements
//! (`application/vnd.in-toto+json`, annotation `in-toto.io/predicate-type`). See
//! <https://docs.docker.com/build/metadata/attestations/attestation-storage/> and
//! <https://slsa.dev/spec/v1.0/provenance>. Reading them is best effort: anything missing,
//! unverifiable or malformed yields no materials, never an error.

use serde_json::Value;

use super::oci::{self, ManifestOrIndex, read_verified};
use super::store::BlobStore;
use super::{Digest, Limits};

/// One resolved build input.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Material {
    /// `pkg:docker/debian@12?platform=linux%2Famd64`, a git URL, …
    pub uri: String,
    /// `sha256:…`, when recorded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub digest: Option<String>,
}

/// The materials of every provenance attestation that refers to `manifest`.
pub fn find(store: &dyn BlobStore, manifest: &Digest, limits: &Limits) -> Vec<Material> {
    let Ok(bytes) = store.read_small("index.json", limits.max_json_bytes) else {
        return Vec::new();
    };
    let Ok(index) = oci::parse_json::<ManifestOrIndex>("index.json", &bytes, limits) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    walk(store, "index.json", &index, manifest, limits, 0, &mut out);
    out
}

fn walk(
    store: &dyn BlobStore,
    doc: &str,
    index: &ManifestOrIndex,
    manifest: &Digest,
    limits: &Limits,
    depth: usize,
    out: &mut Vec<Material>,
) {
    if depth > limits.max_index_depth {
        return;
    }
    for d in index.manifests.as_deref().unwrap_or_default() {
        let Ok((_, path, bytes)) = read_verified(store, doc, d, limits) else {
            continue;
        };
        let Ok(m) = oci::parse_json::<ManifestOrIndex>(&path, &bytes, limits) else {
            continue;
        };
        if m.is_index() {
            walk(store, &path, &m, manifest, limits, depth + 1, out);
            continue;
        }
        let is_attestation = d
            .annotations
            .get("vnd.docker.reference.type")
            .map(String::as_str)
            == Some("attestation-manifest");
        let refers = d
            .annotations
            .get("vnd.docker.reference.digest")
            .map(String::as_str)
            == Some(manifest.to_string().as_str());
        if !is_attestation || !refers {
            continue;
        }
        for layer in m.layers.as_deref().unwrap_or_default() {
            let predicate = layer
                .annotations
                .get("in-toto.io/predicate-type")
                .map(String::as_str)
                .unwrap_or("");
            if !predicate.contains("slsa.dev/provenance") {
                continue;
            }
            let Ok((_, lpath, lbytes)) = read_verified(store, &path, layer, limits) else {
                continue;
            };
            if let Ok(v) = serde_json::from_slice::<Value>(&lbytes) {
                out.extend(materials(&v));
            }
            let _ = lpath;
        }
    }
}

/// Materials of one in-toto statement (v0.2 or v1 SLSA provenance predicate).
pub fn materials(statement: &Value) -> Vec<Material> {
    let p = &statement["predicate"];
    let list = p["materials"]
        .as_array()
        .or_else(|| p["buildDefinition"]["resolvedDependencies"].as_array());
    list.into_iter()
        .flatten()
        .filter_map(|m| {
            let uri = m["uri"].as_str()?.to_owned();
            let digest = m["digest"]["sha256"]
                .as_str()
                .map(|h| format!("sha256:{h}"));
            Some(Material { uri, digest })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn v02_and_v1_predicates() {
        let v02 = serde_json::json!({"predicate": {"materials": [
            {"uri": "pkg:docker/docker/dockerfile@1", "digest": {"sha256": "aa"}},
            {"uri": "pkg:docker/debian@12?platform=linux%2Famd64", "digest": {"sha256": "bb"}}
        ]}});
        let m = materials(&v02);
        assert_eq!(m.len(), 2);
        assert_eq!(m[1].digest.as_deref(), Some("sha256:bb"));
        let v1 = serde_json::json!({"predicate": {"buildDefinition": {"resolvedDependencies": [
            {"uri": "pkg:docker/alpine@3.20", "digest": {"sha256": "cc"}}
        ]}}});
        assert_eq!(materials(&v1)[0].uri, "pkg:docker/alpine@3.20");
        assert!(materials(&serde_json::json!({})).is_empty());
    }
}
