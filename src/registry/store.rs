//! A registry repository seen as a [`BlobStore`], so `consign sbom registry:…` runs the very
//! planning and layer-reading code an OCI layout on disk does.
//!
//! - `index.json` is synthesised: one descriptor for the manifest or index the reference
//!   resolved to, named by `org.opencontainers.image.ref.name` = `registry/repo[:tag]`.
//! - `blobs/<alg>/<hex>` is served from the manifests endpoint for digests known to be
//!   manifests (the resolved one and every entry of an index served so far: fetched once, kept
//!   in memory), and streamed from the blobs endpoint otherwise (configs, layers). Layer
//!   streams go straight into the layer reader, which verifies their digests as they flow;
//!   nothing is written to disk.

use std::collections::{BTreeMap, HashMap};
use std::io::{Cursor, Read};
use std::sync::Mutex;

use super::api::Fetched;
use super::client::Client;
use super::manifest::{Descriptor, Document};
use super::reference::ImageRef;
use crate::source::Digest;
use crate::source::store::BlobStore;
use crate::{Error, Result};

/// One repository of one registry, as a blob store.
pub struct RegistryStore<'c> {
    client: &'c Client,
    image: ImageRef,
    index_json: Vec<u8>,
    /// Manifests fetched so far, by digest.
    manifests: Mutex<HashMap<Digest, Vec<u8>>>,
    /// Digests known to name manifests (not blobs).
    manifest_digests: Mutex<HashMap<Digest, String>>,
    limit: u64,
}

impl<'c> RegistryStore<'c> {
    /// Resolves `image` (tag or digest) and prepares the store. `limit` caps metadata sizes.
    pub fn open(client: &'c Client, image: &ImageRef, limit: u64) -> Result<Self> {
        let top = client.manifest(&image.repository, &image.reference(), limit)?;
        Ok(Self::from_fetched(client, image, top, limit))
    }

    /// A store whose entry point is the already fetched manifest `top`.
    pub fn from_fetched(client: &'c Client, image: &ImageRef, top: Fetched, limit: u64) -> Self {
        let mut name = image.name();
        if let Some(t) = &image.tag {
            name.push(':');
            name.push_str(t);
        }
        let mut entry = top.descriptor();
        entry.annotations =
            BTreeMap::from([("org.opencontainers.image.ref.name".to_owned(), name)]);
        let index = Document {
            manifests: Some(vec![entry]),
            ..Document::empty_index()
        };
        let store = RegistryStore {
            client,
            image: image.clone(),
            index_json: index.to_bytes(),
            manifests: Mutex::new(HashMap::new()),
            manifest_digests: Mutex::new(HashMap::new()),
            limit,
        };
        store.remember(&top.digest, &top.bytes);
        store
    }

    /// Keeps a fetched manifest and learns which of the digests it lists are manifests.
    fn remember(&self, digest: &Digest, bytes: &[u8]) {
        if let Ok(doc) = Document::parse(bytes)
            && let Ok(mut known) = self.manifest_digests.lock()
        {
            for d in doc.manifests.iter().flatten() {
                if let Ok(dd) = d.parsed_digest() {
                    known.insert(dd, d.media_type.clone());
                }
            }
        }
        if let Ok(mut m) = self.manifests.lock() {
            m.insert(digest.clone(), bytes.to_vec());
        }
    }

    fn cached(&self, digest: &Digest) -> Option<Vec<u8>> {
        self.manifests.lock().ok()?.get(digest).cloned()
    }

    fn is_manifest(&self, digest: &Digest) -> bool {
        self.manifest_digests
            .lock()
            .is_ok_and(|k| k.contains_key(digest))
    }

    /// The descriptor of the manifest the reference resolved to.
    pub fn top(&self) -> Option<Descriptor> {
        Document::parse(&self.index_json)
            .ok()?
            .manifests?
            .into_iter()
            .next()
    }
}

fn digest_of_path(path: &str) -> Option<Digest> {
    let rest = path.strip_prefix("blobs/")?;
    let (alg, hex) = rest.split_once('/')?;
    format!("{alg}:{hex}").parse().ok()
}

impl BlobStore for RegistryStore<'_> {
    fn describe(&self) -> String {
        format!("registry:{}", self.image)
    }

    fn contains(&self, path: &str) -> bool {
        // Anything addressed by digest may be fetched; a missing one fails when read, naming
        // the registry.
        path == "index.json" || digest_of_path(path).is_some()
    }

    fn open(&self, path: &str) -> Result<Box<dyn Read + Send + '_>> {
        if path == "index.json" {
            return Ok(Box::new(Cursor::new(self.index_json.clone())));
        }
        let digest = digest_of_path(path).ok_or_else(|| {
            Error::manifest(path, format!("not a blob path in {}", self.describe()))
        })?;
        if let Some(bytes) = self.cached(&digest) {
            return Ok(Box::new(Cursor::new(bytes)));
        }
        let repo = &self.image.repository;
        if self.is_manifest(&digest) {
            let m = self
                .client
                .manifest(repo, &digest.to_string(), self.limit)?;
            self.remember(&digest, &m.bytes);
            return Ok(Box::new(Cursor::new(m.bytes)));
        }
        self.client.blob(repo, &digest)
    }
}
