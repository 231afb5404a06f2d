//! The distribution API endpoints consign uses, on top of `Client::send`: manifests (get,
//! head, put), blobs (get as a stream, get small and verified, head, monolithic upload) and
//! the referrers API.
//!
//! Every manifest is checked against its digest: the one asked for, or, when fetched by tag,
//! the `Docker-Content-Digest` the registry announces (when it announces one). Blobs fetched
//! whole are verified here; streamed layer blobs are verified by the layer reader as they flow.

use std::io::Read;

use ureq::Body;
use ureq::http::{Method, Response, StatusCode};

use super::client::{Access, Call, Client};
use super::manifest::{Descriptor, Document, MANIFEST_ACCEPT};
use crate::Result;
use crate::source::Digest;
use crate::source::oci::MT_OCI_INDEX;
use crate::source::oci::verify_bytes;

/// A manifest or index as fetched.
#[derive(Clone, Debug)]
pub struct Fetched {
    /// The bytes, exactly as served (their digest is the manifest's identity).
    pub bytes: Vec<u8>,
    /// The media type (`Content-Type`, else the document's own `mediaType`).
    pub media_type: String,
    /// The digest of the bytes.
    pub digest: Digest,
}

impl Fetched {
    /// The descriptor of this manifest.
    pub fn descriptor(&self) -> Descriptor {
        Descriptor {
            media_type: self.media_type.clone(),
            digest: self.digest.to_string(),
            size: self.bytes.len() as u64,
            ..Descriptor::default()
        }
    }
}

/// What a manifest PUT reported.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pushed {
    /// The manifest's digest.
    pub digest: Digest,
    /// True when the registry set `OCI-Subject`: it indexes the manifest's subject itself
    /// (it supports the referrers API).
    pub subject_indexed: bool,
}

fn header<'r>(resp: &'r Response<Body>, name: &str) -> Option<&'r str> {
    resp.headers().get(name).and_then(|v| v.to_str().ok())
}

impl Client {
    fn call<'a>(&self, method: Method, path: String, repo: &'a str, access: Access) -> Call<'a> {
        Call {
            method,
            path,
            repo,
            access,
            accept: None,
            content_type: None,
            body: &[],
        }
    }

    /// Fetches the manifest `reference` (tag or digest) of `repo`; `Ok(None)` on 404.
    pub fn manifest_opt(&self, repo: &str, reference: &str, limit: u64) -> Result<Option<Fetched>> {
        Ok(self.get_manifest(repo, reference, limit)?.ok())
    }

    /// Fetches the manifest `reference` of `repo`; 404 is an error.
    pub fn manifest(&self, repo: &str, reference: &str, limit: u64) -> Result<Fetched> {
        self.get_manifest(repo, reference, limit)?
            .map_err(|detail| {
                let what = if detail.contains("NAME_UNKNOWN") {
                    format!("repository {repo} not found")
                } else {
                    format!("manifest {reference} not found")
                };
                self.error(repo, format!("{what} (HTTP 404{detail})"))
            })
    }

    /// The manifest, or on 404 the registry's error detail.
    fn get_manifest(
        &self,
        repo: &str,
        reference: &str,
        limit: u64,
    ) -> Result<std::result::Result<Fetched, String>> {
        let mut call = self.call(
            Method::GET,
            format!("/v2/{repo}/manifests/{reference}"),
            repo,
            Access::Pull,
        );
        call.accept = Some(MANIFEST_ACCEPT);
        let mut resp = self.send(&call)?;
        let what = format!("manifest {reference}");
        if resp.status() == StatusCode::NOT_FOUND {
            return Ok(Err(super::client::error_detail(resp)));
        }
        if !resp.status().is_success() {
            return Err(self.status_error(repo, &what, Access::Pull, resp));
        }
        let announced = header(&resp, "docker-content-digest").map(str::to_owned);
        let content_type = header(&resp, "content-type")
            .map(|c| c.split(';').next().unwrap_or(c).trim().to_owned())
            .filter(|c| !c.is_empty() && c != "application/json" && c != "text/plain");
        let bytes = resp
            .body_mut()
            .with_config()
            .limit(limit)
            .read_to_vec()
            .map_err(|e| self.error(repo, format!("{what}: cannot read: {e}")))?;
        let digest = match reference.parse::<Digest>() {
            Ok(d) => {
                verify_bytes(&format!("{}/{repo}@{d}", self.registry()), &d, None, &bytes)?;
                d
            }
            Err(_) => {
                let actual = Digest::sha256_of(&bytes);
                if let Some(a) = announced.as_deref().and_then(|a| a.parse::<Digest>().ok())
                    && a.algorithm() == actual.algorithm()
                    && a != actual
                {
                    return Err(self.error(
                        repo,
                        format!(
                            "{what}: the registry announced digest {a} but served content with digest {actual}"
                        ),
                    ));
                }
                actual
            }
        };
        let media_type = match content_type {
            Some(c) => c,
            None => Document::parse(&bytes)
                .ok()
                .and_then(|d| d.media_type)
                .unwrap_or_default(),
        };
        Ok(Ok(Fetched {
            bytes,
            media_type,
            digest,
        }))
    }

    /// Opens the blob `digest` of `repo` as a stream (redirects followed). The caller verifies
    /// the digest as it reads.
    pub fn blob(&self, repo: &str, digest: &Digest) -> Result<Box<dyn Read + Send + 'static>> {
        let call = self.call(
            Method::GET,
            format!("/v2/{repo}/blobs/{digest}"),
            repo,
            Access::Pull,
        );
        let resp = self.send(&call)?;
        if !resp.status().is_success() {
            return Err(self.status_error(repo, &format!("blob {digest}"), Access::Pull, resp));
        }
        Ok(Box::new(resp.into_body().into_reader()))
    }

    /// Fetches a small blob whole and verifies it.
    pub fn blob_bytes(&self, repo: &str, digest: &Digest, limit: u64) -> Result<Vec<u8>> {
        let mut bytes = Vec::new();
        self.blob(repo, digest)?
            .take(limit + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| self.error(repo, format!("blob {digest}: cannot read: {e}")))?;
        if bytes.len() as u64 > limit {
            return Err(self.error(repo, format!("blob {digest} is larger than {limit} bytes")));
        }
        verify_bytes(
            &format!("{}/{repo}@{digest}", self.registry()),
            digest,
            None,
            &bytes,
        )?;
        Ok(bytes)
    }

    /// True when the blob exists in `repo`.
    pub fn blob_exists(&self, repo: &str, digest: &Digest, access: Access) -> Result<bool> {
        let call = self.call(
            Method::HEAD,
            format!("/v2/{repo}/blobs/{digest}"),
            repo,
            access,
        );
        let resp = self.send(&call)?;
        match resp.status() {
            s if s.is_success() => Ok(true),
            StatusCode::NOT_FOUND => Ok(false),
            _ => Err(self.status_error(repo, &format!("blob {digest}"), access, resp)),
        }
    }

    /// Uploads `bytes` as a blob (skipped when the registry has it): `POST` an upload session,
    /// then one `PUT` with the digest.
    pub fn push_blob(&self, repo: &str, bytes: &[u8]) -> Result<Digest> {
        let digest = Digest::sha256_of(bytes);
        if self.blob_exists(repo, &digest, Access::Push)? {
            return Ok(digest);
        }
        let what = format!("uploading blob {digest}");
        let start = self.call(
            Method::POST,
            format!("/v2/{repo}/blobs/uploads/"),
            repo,
            Access::Push,
        );
        let resp = self.send(&start)?;
        if resp.status() != StatusCode::ACCEPTED && !resp.status().is_success() {
            return Err(self.status_error(repo, &what, Access::Push, resp));
        }
        let location = header(&resp, "location")
            .ok_or_else(|| self.error(repo, format!("{what}: no Location for the upload")))?;
        let url = self.upload_url(repo, location, &digest)?;
        let mut put = self.call(Method::PUT, url, repo, Access::Push);
        put.content_type = Some("application/octet-stream");
        put.body = bytes;
        let resp = self.send(&put)?;
        if resp.status() != StatusCode::CREATED && !resp.status().is_success() {
            return Err(self.status_error(repo, &what, Access::Push, resp));
        }
        Ok(digest)
    }

    /// The URL to finish an upload at: the `Location` (relative or on the same origin) plus
    /// `digest=`.
    fn upload_url(&self, repo: &str, location: &str, digest: &Digest) -> Result<String> {
        let absolute = location.starts_with("http://") || location.starts_with("https://");
        if absolute && !location.starts_with(&format!("{}/", self.base_url())) {
            return Err(self.error(
                repo,
                format!(
                    "the registry sent the upload to another origin ({location}); not following"
                ),
            ));
        }
        let path = if absolute {
            location[self.base_url().len()..].to_owned()
        } else if location.starts_with('/') {
            location.to_owned()
        } else {
            format!("/{location}")
        };
        let sep = if path.contains('?') { '&' } else { '?' };
        Ok(format!(
            "{path}{sep}digest={}",
            digest.to_string().replace(':', "%3A")
        ))
    }

    /// Stores a manifest under `reference` (a tag or its digest).
    pub fn put_manifest(
        &self,
        repo: &str,
        reference: &str,
        media_type: &str,
        bytes: &[u8],
    ) -> Result<Pushed> {
        let mut call = self.call(
            Method::PUT,
            format!("/v2/{repo}/manifests/{reference}"),
            repo,
            Access::Push,
        );
        call.content_type = Some(media_type);
        call.body = bytes;
        let resp = self.send(&call)?;
        if !resp.status().is_success() {
            return Err(self.status_error(
                repo,
                &format!("pushing manifest {reference}"),
                Access::Push,
                resp,
            ));
        }
        Ok(Pushed {
            digest: Digest::sha256_of(bytes),
            subject_indexed: header(&resp, "oci-subject").is_some(),
        })
    }

    /// The referrers of `digest` through the referrers API; `Ok(None)` when the registry
    /// does not offer the API (404, or an answer that is not an image index), the signal to
    /// fall back to the referrers tag schema.
    pub fn referrers_api(
        &self,
        repo: &str,
        digest: &Digest,
        limit: u64,
    ) -> Result<Option<Document>> {
        let mut call = self.call(
            Method::GET,
            format!("/v2/{repo}/referrers/{digest}"),
            repo,
            Access::Pull,
        );
        call.accept = Some(MT_OCI_INDEX);
        let mut resp = self.send(&call)?;
        match resp.status() {
            s if s.is_success() => {}
            StatusCode::NOT_FOUND | StatusCode::BAD_REQUEST | StatusCode::NOT_ACCEPTABLE => {
                return Ok(None);
            }
            _ => {
                return Err(self.status_error(
                    repo,
                    &format!("referrers of {digest}"),
                    Access::Pull,
                    resp,
                ));
            }
        }
        let is_index = header(&resp, "content-type").is_some_and(|c| c.starts_with(MT_OCI_INDEX));
        let bytes = resp
            .body_mut()
            .with_config()
            .limit(limit)
            .read_to_vec()
            .map_err(|e| self.error(repo, format!("referrers of {digest}: cannot read: {e}")))?;
        match Document::parse(&bytes) {
            Ok(d) if is_index || d.is_index() => Ok(Some(d)),
            _ => Ok(None),
        }
    }
}
