//! Registries: pulling images through the OCI distribution API, pushing artifacts that refer
//! to them, and finding what refers to them.
//!
//! - [`client`]: one registry's HTTP client (TLS, auth challenges, retries, clear errors);
//!   [`auth`] its credentials (Docker `config.json`, credential helpers) and challenges;
//!   [`api`] the endpoints (manifests, blobs, uploads, referrers).
//! - [`store`]: a repository as a [`BlobStore`](crate::source::store::BlobStore), so
//!   `registry:` sources go through the same planning (index → platform → manifest → config)
//!   and the same streaming, digest-verifying layer reader as images on disk ([`load`]).
//! - [`attach`](mod@attach): pushing an SBOM or attestation as an OCI 1.1 artifact with a `subject`;
//!   [`referrers`]: listing referrers (API, tag schema, cosign tags, BuildKit) and picking an
//!   attached SBOM.
//!
//! Spec: <https://github.com/opencontainers/distribution-spec/blob/main/spec.md>. The library
//! reads no environment and no fixed paths: credentials, proxies and CAs come in
//! [`ClientOptions`].

pub mod api;
pub mod attach;
pub mod auth;
pub mod client;
pub mod manifest;
pub mod reference;
pub mod referrers;
pub mod store;
mod token;

pub use attach::{Artifact, Attached, Indexed, attach};
pub use auth::{Credential, DockerConfig};
pub use client::{Client, ClientOptions, RetryPolicy};
pub use reference::ImageRef;
/// An HTTP(S) proxy for [`ClientOptions::proxy`].
pub use ureq::Proxy;

use crate::Result;
use crate::fs::Wants;
use crate::model::{Platform, SourceKind};
use crate::source::plan::{host_platform, platform_matches};
use crate::source::{self, Digest, Layout, LoadOptions, LoadedImage};
use manifest::Document;

/// A client for the registry `image` lives in.
pub fn client_for(image: &ImageRef, opts: &ClientOptions) -> Result<Client> {
    Client::new(&image.registry, image.api_host(), opts.clone())
}

/// Pulls and reads the image `image` names (see [`store`]).
pub fn load(image: &ImageRef, wants: &Wants, opts: &LoadOptions<'_>) -> Result<LoadedImage> {
    let default = ClientOptions::default();
    let client = client_for(image, opts.registry.unwrap_or(&default))?;
    let store = store::RegistryStore::open(&client, image, opts.limits.max_json_bytes)?;
    let input = format!("registry:{image}");
    source::load_store(
        &store,
        Layout::Oci,
        SourceKind::Registry,
        std::path::Path::new(&input),
        wants,
        opts,
    )
}

/// An image reference resolved to manifests.
#[derive(Clone, Debug)]
pub struct Resolved {
    /// What the reference names (a manifest or an index).
    pub top: api::Fetched,
    /// When `top` is an index: the index.
    pub index: Option<Document>,
    /// The platform manifest: `top` itself, or the index entry chosen for the platform.
    pub manifest: Digest,
}

/// Resolves `image` and, for an index, picks the manifest for `platform` (default: this
/// machine's, else the only one). Attestation manifests and `unknown/unknown` entries are
/// never picked.
pub fn resolve(
    client: &Client,
    image: &ImageRef,
    platform: Option<&Platform>,
    limit: u64,
) -> Result<Resolved> {
    let repo = &image.repository;
    let top = client.manifest(repo, &image.reference(), limit)?;
    let doc = Document::parse(&top.bytes).map_err(|e| client.error(repo, e))?;
    if !doc.is_index() {
        return Ok(Resolved {
            manifest: top.digest.clone(),
            top,
            index: None,
        });
    }
    let entries: Vec<(Digest, Option<Platform>)> = doc
        .manifests
        .iter()
        .flatten()
        .filter(|d| d.is_manifest() || d.media_type.is_empty())
        .filter(|d| {
            d.annotations
                .get(manifest::ANN_REFERENCE_TYPE)
                .map(String::as_str)
                != Some("attestation-manifest")
        })
        .filter_map(|d| {
            let p = d
                .platform
                .as_ref()
                .and_then(|p| serde_json::from_value::<source::oci::PlatformJson>(p.clone()).ok())
                .map(|p| p.to_platform());
            if p.as_ref().is_some_and(|p| p.os == "unknown") {
                return None;
            }
            Some((d.parsed_digest().ok()?, p))
        })
        .collect();
    let want = platform.cloned();
    let pick = |w: &Platform| -> Vec<&(Digest, Option<Platform>)> {
        entries
            .iter()
            .filter(|(_, p)| p.as_ref().is_some_and(|p| platform_matches(w, p)))
            .collect()
    };
    let available = || {
        let names: Vec<String> = entries
            .iter()
            .map(|(_, p)| p.as_ref().map_or("unknown".to_owned(), Platform::to_string))
            .collect();
        names.join(", ")
    };
    let chosen = match &want {
        Some(w) => pick(w).first().map(|(d, _)| d.clone()).ok_or_else(|| {
            client.error(
                repo,
                format!(
                    "{image} has no manifest for platform {w}; available: {}",
                    available()
                ),
            )
        })?,
        None => match (pick(&host_platform()).first(), entries.as_slice()) {
            (Some((d, _)), _) => d.clone(),
            (None, [(d, _)]) => d.clone(),
            _ => {
                return Err(client.error(
                    repo,
                    format!(
                        "{image} is a multi-platform index ({}); choose one with --platform",
                        available()
                    ),
                ));
            }
        },
    };
    Ok(Resolved {
        top,
        index: Some(doc),
        manifest: chosen,
    })
}
