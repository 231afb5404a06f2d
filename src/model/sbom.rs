//! The [`Sbom`]: everything one scan learned, independent of any output format.
//!
//! Invariants (established by [`crate::scan`], relied on by the encoders): packages are sorted
//! by id and unique; relationships are sorted, unique and only name packages that exist;
//! unknowns are sorted and unique. Encoders therefore never need to sort or deduplicate, and
//! the same image always yields the same bytes.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::catalog::LinuxRelease;
use crate::model::{DocumentInfo, Package, PackageId, Unknown};
use crate::source::{Digest, ImageConfig};

/// The tool that made the SBOM.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Tool {
    /// `consign`.
    pub name: String,
    /// The crate version.
    pub version: String,
}

impl Default for Tool {
    fn default() -> Self {
        Tool {
            name: env!("CARGO_PKG_NAME").to_owned(),
            version: env!("CARGO_PKG_VERSION").to_owned(),
        }
    }
}

/// How the scanned image was stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SourceKind {
    /// A `docker save` tarball (classic or Docker 25+ layout).
    DockerArchive,
    /// An OCI image layout directory.
    OciDir,
    /// An OCI image layout in a tar archive.
    OciArchive,
    /// A root filesystem directory.
    Directory,
    /// Not scanned: read from an SBOM document (see [`Sbom::document`]).
    Document,
    /// An image pulled from a registry (`registry:HOST/REPO:TAG`).
    Registry,
}

/// Which files the catalogers saw.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Scope {
    /// What a running container sees: upper layers win, whiteouts applied.
    #[default]
    Squashed,
    /// Also what later layers deleted or replaced, marked with the layer that removed it.
    AllLayers,
}

/// An OS/architecture pair (`linux/arm64/v8`).
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Platform {
    /// `linux`, `windows`.
    pub os: String,
    /// `amd64`, `arm64`, …
    pub architecture: String,
    /// `v7`, `v8`, …
    #[serde(skip_serializing_if = "Option::is_none")]
    pub variant: Option<String>,
}

impl std::fmt::Display for Platform {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.os, self.architecture)?;
        if let Some(v) = &self.variant {
            write!(f, "/{v}")?;
        }
        Ok(())
    }
}

/// The image the image was built on, when the image says so.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct BaseImage {
    /// `org.opencontainers.image.base.name`, e.g. `docker.io/library/debian:12`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `org.opencontainers.image.base.digest`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub digest: Option<Digest>,
    /// Where this came from: `manifest-annotation`, `index-annotation` or `config-label`.
    pub evidence: &'static str,
}

/// The scanned image.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ImageInfo {
    /// How it was stored.
    pub source_kind: SourceKind,
    /// The source argument as given (path), for humans.
    pub input: String,
    /// Repository name (`docker.io/library/alpine`, `alpine`), when recorded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Tag, when recorded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tag: Option<String>,
    /// Digest of the image manifest, when the archive holds the manifest.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub manifest_digest: Option<Digest>,
    /// Digest of the image config: the image ID.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub config_digest: Option<Digest>,
    /// OS and architecture.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub platform: Option<Platform>,
    /// When the image was built (config `created`), verbatim.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    /// The base image, when annotations or labels name it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub base: Option<BaseImage>,
    /// Manifest annotations.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub annotations: BTreeMap<String, String>,
    /// The supplier named by whoever ran the scan (`consign sbom --supplier`), which wins
    /// over what the image says.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub supplier_override: Option<String>,
    /// The image config (labels, user, env, history, …).
    #[serde(skip)]
    pub config: ImageConfig,
}

impl ImageInfo {
    /// A digest to show people: the manifest digest when known, else the config digest (image
    /// ID). Not an identity to write into a document or an attestation: a purl, a hash or an
    /// in-toto subject names the manifest digest ([`ImageInfo::manifest_digest`]) or nothing.
    pub fn digest(&self) -> Option<&Digest> {
        self.manifest_digest
            .as_ref()
            .or(self.config_digest.as_ref())
    }

    /// Who supplies the image: `--supplier`, else what the image itself says —
    /// `org.opencontainers.image.vendor`, then `org.opencontainers.image.authors` (manifest
    /// annotation or config label), then the `maintainer` label, then the config's `author`
    /// (Dockerfile `MAINTAINER`). Never guessed from the name.
    pub fn supplier(&self) -> Option<String> {
        let labels = self.config.labels();
        let from = |key: &str| {
            self.annotations
                .get(key)
                .or_else(|| labels.get(key))
                .cloned()
        };
        self.supplier_override
            .clone()
            .or_else(|| from("org.opencontainers.image.vendor"))
            .or_else(|| from("org.opencontainers.image.authors"))
            .or_else(|| labels.get("maintainer").cloned())
            .or_else(|| self.config.author.clone())
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    }

    /// A display name: `name:tag`, or the name, or the input's file name.
    pub fn display_name(&self) -> String {
        match (&self.name, &self.tag) {
            (Some(n), Some(t)) => format!("{n}:{t}"),
            (Some(n), None) => n.clone(),
            _ => self.name_or_file(),
        }
    }

    /// The repository name, or — for an image that records none — the last component of the
    /// input path: never the whole path, which would leak the scanning host's directory
    /// layout into the SBOM and make the same image give different bytes in another place.
    pub fn name_or_file(&self) -> String {
        if let Some(n) = &self.name {
            return n.clone();
        }
        let trimmed = self.input.trim_end_matches('/');
        let file = trimmed.rsplit('/').next().unwrap_or(trimmed);
        if file.is_empty() || file == "." || file == ".." {
            "image".to_owned()
        } else {
            file.to_owned()
        }
    }

    /// A version for the image component: the tag, else the manifest digest, else `unknown`.
    /// Never the config digest: readers (consign's own decoders among them) take a digest
    /// version for the manifest digest.
    pub fn version(&self) -> String {
        if let Some(t) = &self.tag {
            return t.clone();
        }
        match &self.manifest_digest {
            Some(d) => d.to_string(),
            None => "unknown".to_owned(),
        }
    }
}

/// One layer of the image.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LayerInfo {
    /// Position, bottom = 0.
    pub index: u32,
    /// Digest of the (possibly compressed) blob as stored, when the archive records it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub digest: Option<Digest>,
    /// Digest of the uncompressed tar (the config's diff_id), verified.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub diff_id: Option<Digest>,
    /// Media type from the manifest.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub media_type: Option<String>,
    /// Compressed size in bytes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub size: Option<u64>,
    /// The history step (`created_by`) that made the layer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_by: Option<String>,
}

impl LayerInfo {
    /// The digest that identifies the layer: the diff_id, else the blob digest.
    pub fn id(&self) -> Option<&Digest> {
        self.diff_id.as_ref().or(self.digest.as_ref())
    }
}

/// How two packages are related.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum RelationshipKind {
    /// `from` needs `to` at run time.
    DependsOn,
    /// `from` contains `to` (an OS package owning a language package's files).
    Contains,
}

/// An edge between two packages.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Relationship {
    /// The dependent (or container).
    pub from: PackageId,
    /// The dependency (or contained).
    pub to: PackageId,
    /// What the edge means.
    pub kind: RelationshipKind,
}

/// Everything one scan learned.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Sbom {
    /// The tool.
    pub tool: Tool,
    /// The image.
    pub image: ImageInfo,
    /// Its layers, bottom first.
    pub layers: Vec<LayerInfo>,
    /// The Linux distribution.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub distro: Option<LinuxRelease>,
    /// The scope the catalogers saw.
    pub scope: Scope,
    /// The catalogers that ran.
    pub catalogers: Vec<String>,
    /// Packages, sorted by id, unique.
    pub packages: Vec<Package>,
    /// Package-to-package edges, sorted, unique.
    pub relationships: Vec<Relationship>,
    /// What could not be read.
    pub unknowns: Vec<Unknown>,
    /// For an SBOM read from a document rather than scanned: what the document said about
    /// itself (format, tools, authors, time, lifecycle). `None` for a scan.
    pub document: Option<DocumentInfo>,
}

impl Sbom {
    /// The package with this id.
    pub fn package(&self, id: &PackageId) -> Option<&Package> {
        self.packages
            .binary_search_by(|p| p.id().cmp(id))
            .ok()
            .map(|i| &self.packages[i])
    }

    /// The layer a package was introduced in, when known.
    pub fn introducing_layer(&self, p: &Package) -> Option<&LayerInfo> {
        p.introduced_in.and_then(|i| self.layers.get(i as usize))
    }
}
