//! The identity of images in the documents: OCI package URLs and the image supplier.
//!
//! The `oci` purl type (<https://github.com/package-url/purl-spec/blob/main/types/oci-definition.json>):
//! the name is the last segment of the repository, lowercased; the version is the digest,
//! which is required ("to uniquely identify the artifact"); `repository_url` says where it may
//! be fetched and `tag` what it was tagged when scanned. So an image without a known digest, or
//! without a repository name, gets no purl rather than a made-up one.
//!
//! The digest that identifies an image — in its purl, its component `hashes` / package
//! `checksums` and, without a tag, its version — is the **manifest** digest only: what a
//! registry, `docker pull NAME@DIGEST`, cosign and an in-toto subject name. The config digest
//! (image ID) is the digest of another blob; when it is all that is known (a classic
//! `docker save` archive records no manifest digest) the image gets no purl and no hash, and
//! the config digest is written only where it is named as such (`consign:image:configDigest`,
//! the SPDX comment's `config digest:` line). The canonical text comes
//! from [`Purl`], which keeps the digest's `:` and percent-encodes `/` in qualifier values, as
//! the purl-spec build vectors (`tests/types/oci-test.json`) expect:
//! `pkg:oci/debian@sha256:…?repository_url=docker.io%2Flibrary%2Fdebian&tag=12` (the type
//! definition's own examples write `sha256%3A`; both parse to the same purl).

use crate::model::{BaseImage, ImageInfo, Purl};
use crate::source::{Digest, reference};

/// A repository reference taken apart: `docker.io/library/debian:12@sha256:…`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Reference {
    /// `docker.io/library/debian`.
    pub repository: Option<String>,
    /// `12`.
    pub tag: Option<String>,
    /// The digest, from the reference or recorded separately.
    pub digest: Option<Digest>,
}

impl Reference {
    /// The scanned image, identified by its manifest digest (never the config digest).
    pub fn of_image(image: &ImageInfo) -> Self {
        Reference {
            repository: image.name.clone(),
            tag: image.tag.clone(),
            digest: image.manifest_digest.clone(),
        }
    }

    /// The base image. Its name may carry a tag and a digest (`name:tag@sha256:…`); a
    /// separately recorded digest wins over one in the name.
    pub fn of_base(base: &BaseImage) -> Self {
        let mut r = Reference {
            digest: base.digest.clone(),
            ..Reference::default()
        };
        let Some(name) = base.name.as_deref() else {
            return r;
        };
        let parts = reference::split(name);
        r.digest = r
            .digest
            .or_else(|| parts.digest.and_then(|d| d.parse().ok()));
        r.repository = Some(parts.name.to_owned()).filter(|n| !n.is_empty());
        r.tag = parts.tag.filter(|t| !t.is_empty()).map(str::to_owned);
        r
    }

    /// The `oci` purl, when both a repository and a digest are known.
    pub fn purl(&self) -> Option<Purl> {
        let repository = self.repository.as_deref()?;
        let digest = self.digest.as_ref()?;
        let name = repository.rsplit('/').next()?.to_ascii_lowercase();
        Purl::builder("oci", name)
            .version(digest.to_string())
            .qualifier("repository_url", repository_url(repository))
            .qualifier_opt("tag", self.tag.clone())
            .build()
            .ok()
    }
}

/// Where a repository can be fetched: the name with Docker's defaults made explicit
/// ([`reference::qualify`]: `alpine` is `docker.io/library/alpine`).
pub(crate) fn repository_url(repository: &str) -> String {
    reference::qualify(repository)
}

#[cfg(test)]
mod tests {
    use super::*;

    const D: &str = "sha256:244fd47e07d1004f0aed9c156ab3ad0ee0ccbc4a1c37bd07e7ae8f2b83c5cd4b";

    #[test]
    fn image_purl_follows_the_purl_spec_vectors() {
        let r = Reference {
            repository: Some("docker.io/library/debian".into()),
            tag: Some("latest".into()),
            digest: Some(D.parse().unwrap()),
        };
        assert_eq!(
            r.purl().unwrap().as_str(),
            format!("pkg:oci/debian@{D}?repository_url=docker.io%2Flibrary%2Fdebian&tag=latest")
        );
    }

    #[test]
    fn no_purl_without_digest_or_name() {
        let mut r = Reference {
            repository: Some("alpine".into()),
            ..Reference::default()
        };
        assert_eq!(r.purl(), None);
        r.repository = None;
        r.digest = Some(D.parse().unwrap());
        assert_eq!(r.purl(), None);
    }

    #[test]
    fn docker_hub_defaults_are_explicit() {
        assert_eq!(repository_url("alpine"), "docker.io/library/alpine");
        assert_eq!(repository_url("acme/web"), "docker.io/acme/web");
        assert_eq!(repository_url("ghcr.io/acme/web"), "ghcr.io/acme/web");
        assert_eq!(repository_url("localhost:5000/web"), "localhost:5000/web");
        assert_eq!(repository_url("localhost/web"), "localhost/web");
    }

    #[test]
    fn base_references_are_taken_apart() {
        let base = |name: &str| BaseImage {
            name: Some(name.into()),
            digest: None,
            evidence: "manifest-annotation",
        };
        let r = Reference::of_base(&base(&format!("docker.io/library/debian:12@{D}")));
        assert_eq!(r.repository.as_deref(), Some("docker.io/library/debian"));
        assert_eq!(r.tag.as_deref(), Some("12"));
        assert_eq!(r.digest.unwrap().to_string(), D);
        let r = Reference::of_base(&base("localhost:5000/base"));
        assert_eq!(r.repository.as_deref(), Some("localhost:5000/base"));
        assert_eq!(r.tag, None);
        let r = Reference::of_base(&base("localhost:5000/base:1.0"));
        assert_eq!(r.repository.as_deref(), Some("localhost:5000/base"));
        assert_eq!(r.tag.as_deref(), Some("1.0"));
    }
}
