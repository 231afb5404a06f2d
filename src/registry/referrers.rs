//! Finding what is attached to an image, wherever the tools that attached it put it:
//!
//! 1. **OCI referrers** — the referrers API (`GET /v2/<repo>/referrers/<digest>`), or, where a
//!    registry lacks it, the referrers tag schema (an index tagged `sha256-<hex>`)
//!    (<https://github.com/opencontainers/distribution-spec/blob/main/spec.md#listing-referrers>).
//! 2. **cosign's legacy tags** — `sha256-<hex>.att` (DSSE attestations, one layer each, with a
//!    `predicateType` annotation), `sha256-<hex>.sbom` (`cosign attach sbom`) and
//!    `sha256-<hex>.sig` (signatures).
//! 3. **BuildKit attestation manifests** — entries of the image index annotated
//!    `vnd.docker.reference.type: attestation-manifest` and `vnd.docker.reference.digest:
//!    <platform manifest>`, whose layers are in-toto statements (`in-toto.io/predicate-type`)
//!    (<https://github.com/moby/buildkit/blob/master/docs/attestations/attestation-storage.md>).
//!
//! [`find_sbom`] picks an attached SBOM out of these for `consign sbom --from-referrers`.

use std::collections::BTreeMap;

use super::attach::referrers_tag;
use super::client::Client;
use super::manifest::{
    ANN_COSIGN_PREDICATE_TYPE, ANN_CREATED, ANN_PREDICATE_TYPE, ANN_REFERENCE_DIGEST,
    ANN_REFERENCE_TYPE, Descriptor, Document, MT_DSSE, MT_IN_TOTO,
};
use crate::Result;
use crate::attest::{Envelope, SbomKind, Statement, statement};
use crate::source::Digest;

/// Where a referrer was found.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Source {
    /// The registry's referrers API.
    ReferrersApi,
    /// The referrers tag schema (`sha256-<hex>`).
    ReferrersTag,
    /// cosign's `sha256-<hex>.att` tag.
    CosignAttestation,
    /// cosign's `sha256-<hex>.sbom` tag.
    CosignSbom,
    /// cosign's `sha256-<hex>.sig` tag.
    CosignSignature,
    /// A BuildKit attestation manifest in the image index.
    BuildKit,
}

impl Source {
    /// A short name for listings: `referrers-api`, `referrers-tag`, `cosign-att`, …
    pub fn as_str(self) -> &'static str {
        match self {
            Source::ReferrersApi => "referrers-api",
            Source::ReferrersTag => "referrers-tag",
            Source::CosignAttestation => "cosign-att",
            Source::CosignSbom => "cosign-sbom",
            Source::CosignSignature => "cosign-sig",
            Source::BuildKit => "buildkit",
        }
    }
}

/// Something attached to an image manifest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Referrer {
    /// Where it was found.
    pub source: Source,
    /// The manifest it is about.
    pub subject: Digest,
    /// The referrer's manifest (with `artifactType` and annotations where known).
    pub manifest: Descriptor,
    /// The in-toto predicate types its layers declare, when the layers are annotated (cosign,
    /// BuildKit) or the referrers entry says so.
    pub predicate_types: Vec<String>,
}

impl Referrer {
    /// The artifact type, or the media type for legacy entries that have none.
    pub fn kind(&self) -> &str {
        self.manifest
            .artifact_type
            .as_deref()
            .unwrap_or(&self.manifest.media_type)
    }
}

/// Lists what refers to `subject` in `repo`. `index` is the image index the subject was
/// reached through, when there is one: its BuildKit attestation manifests are listed too
/// (all of them when `subject` is the index itself).
pub fn list(
    client: &Client,
    repo: &str,
    subject: &Digest,
    index: Option<(&Digest, &Document)>,
    limit: u64,
) -> Result<Vec<Referrer>> {
    let mut out = Vec::new();
    let (source, list) = match client.referrers_api(repo, subject, limit)? {
        Some(doc) => (Source::ReferrersApi, doc),
        None => {
            let tag = referrers_tag(subject);
            match client.manifest_opt(repo, &tag, limit)? {
                Some(f) => (
                    Source::ReferrersTag,
                    Document::parse(&f.bytes)
                        .map_err(|e| client.error(repo, format!("{tag}: {e}")))?,
                ),
                None => (Source::ReferrersTag, Document::empty_index()),
            }
        }
    };
    for d in list.manifests.unwrap_or_default() {
        let predicate_types = d
            .annotations
            .get(ANN_PREDICATE_TYPE)
            .cloned()
            .into_iter()
            .collect();
        out.push(Referrer {
            source,
            subject: subject.clone(),
            manifest: d,
            predicate_types,
        });
    }
    let tag = referrers_tag(subject);
    for (suffix, source) in [
        ("att", Source::CosignAttestation),
        ("sbom", Source::CosignSbom),
        ("sig", Source::CosignSignature),
    ] {
        let Some(f) = client.manifest_opt(repo, &format!("{tag}.{suffix}"), limit)? else {
            continue;
        };
        let doc = Document::parse(&f.bytes).unwrap_or_default();
        let layers = doc.layers.unwrap_or_default();
        let mut manifest = f.descriptor();
        manifest.artifact_type = layers.first().map(|l| l.media_type.clone());
        out.push(Referrer {
            source,
            subject: subject.clone(),
            manifest,
            predicate_types: predicate_types_of(&layers),
        });
    }
    if let Some((index_digest, index)) = index {
        for d in index.manifests.iter().flatten() {
            if d.annotations.get(ANN_REFERENCE_TYPE).map(String::as_str)
                != Some("attestation-manifest")
            {
                continue;
            }
            let Some(about) = d
                .annotations
                .get(ANN_REFERENCE_DIGEST)
                .and_then(|a| a.parse::<Digest>().ok())
            else {
                continue;
            };
            if about != *subject && index_digest != subject {
                continue;
            }
            let layers = client
                .manifest_opt(repo, &d.digest, limit)?
                .and_then(|f| Document::parse(&f.bytes).ok())
                .and_then(|m| m.layers)
                .unwrap_or_default();
            let mut manifest = d.clone();
            manifest.artifact_type = Some(MT_IN_TOTO.to_owned());
            out.push(Referrer {
                source: Source::BuildKit,
                subject: about,
                manifest,
                predicate_types: predicate_types_of(&layers),
            });
        }
    }
    Ok(out)
}

fn predicate_types_of(layers: &[Descriptor]) -> Vec<String> {
    layers
        .iter()
        .filter_map(|l| {
            l.annotations
                .get(ANN_PREDICATE_TYPE)
                .or_else(|| l.annotations.get(ANN_COSIGN_PREDICATE_TYPE))
                .cloned()
        })
        .collect()
}

/// An SBOM found attached to an image.
#[derive(Clone, Debug)]
pub struct AttachedSbom {
    /// The format.
    pub kind: SbomKind,
    /// The document, as stored (or, from an attestation, the predicate).
    pub bytes: Vec<u8>,
    /// Where it came from.
    pub referrer: Referrer,
    /// True when it was taken out of an attestation (whose signature is not checked here:
    /// that is `consign verify`'s job).
    pub from_attestation: bool,
}

/// Picks an attached SBOM among `referrers` (of `kind` when given), preferring plain SBOM
/// artifacts to attestations, OCI referrers to legacy tags, and among equals the most
/// recently created. Returns `None` when there is none.
pub fn find_sbom(
    client: &Client,
    repo: &str,
    referrers: &[Referrer],
    kind: Option<SbomKind>,
    limit: u64,
) -> Result<Option<AttachedSbom>> {
    let mut ranked: Vec<(u8, Source, String, usize)> = Vec::new();
    for (i, r) in referrers.iter().enumerate() {
        let direct = SbomKind::from_type(r.kind());
        let attested = r
            .predicate_types
            .iter()
            .any(|p| statement::is_sbom_predicate(p))
            || matches!(r.kind(), MT_DSSE | MT_IN_TOTO);
        let rank = match (direct, attested) {
            (Some(k), _) if kind.is_none_or(|w| w == k) => 0,
            (None, true) => 1,
            _ => continue,
        };
        let created = r
            .manifest
            .annotations
            .get(ANN_CREATED)
            .cloned()
            .unwrap_or_default();
        ranked.push((rank, r.source, created, i));
    }
    // Best first: lowest rank, then source, then newest, then latest listed.
    ranked.sort_by(|a, b| {
        (a.0, a.1)
            .cmp(&(b.0, b.1))
            .then(b.2.cmp(&a.2))
            .then(b.3.cmp(&a.3))
    });
    for (_, _, _, i) in ranked {
        let r = &referrers[i];
        if let Some(found) = extract(client, repo, r, kind, limit)? {
            return Ok(Some(found));
        }
    }
    Ok(None)
}

/// Reads the referrer's layers and returns the first SBOM in them (of `kind` when given).
fn extract(
    client: &Client,
    repo: &str,
    r: &Referrer,
    kind: Option<SbomKind>,
    limit: u64,
) -> Result<Option<AttachedSbom>> {
    let m = client.manifest(repo, &r.manifest.digest, limit)?;
    let doc = Document::parse(&m.bytes)
        .map_err(|e| client.error(repo, format!("{}: {e}", r.manifest.digest)))?;
    for layer in doc.layers.unwrap_or_default() {
        let Ok(digest) = layer.parsed_digest() else {
            continue;
        };
        let declared = layer
            .annotations
            .get(ANN_PREDICATE_TYPE)
            .or_else(|| layer.annotations.get(ANN_COSIGN_PREDICATE_TYPE));
        if declared.is_some_and(|p| !statement::is_sbom_predicate(p)) {
            continue;
        }
        let is_sbom = SbomKind::from_type(&layer.media_type)
            .or_else(|| SbomKind::from_type(r.kind()).filter(|_| layer.media_type != MT_DSSE));
        if let Some(k) = is_sbom {
            if kind.is_some_and(|w| w != k) {
                continue;
            }
            let bytes = client.blob_bytes(repo, &digest, limit)?;
            return Ok(Some(AttachedSbom {
                kind: k,
                bytes,
                referrer: r.clone(),
                from_attestation: false,
            }));
        }
        let statement_bytes = match layer.media_type.as_str() {
            MT_DSSE => {
                let bytes = client.blob_bytes(repo, &digest, limit)?;
                let Ok(env) = Envelope::from_json(&bytes) else {
                    continue;
                };
                match env.payload_bytes() {
                    Ok(p) => p,
                    Err(_) => continue,
                }
            }
            MT_IN_TOTO => client.blob_bytes(repo, &digest, limit)?,
            _ => continue,
        };
        let Ok(st) = Statement::parse(&statement_bytes) else {
            continue;
        };
        let Some(k) = SbomKind::from_type(&st.predicate_type)
            .filter(|_| statement::is_sbom_predicate(&st.predicate_type))
        else {
            continue;
        };
        if kind.is_some_and(|w| w != k) {
            continue;
        }
        let Some(p) = st.predicate else { continue };
        return Ok(Some(AttachedSbom {
            kind: k,
            bytes: p.get().as_bytes().to_vec(),
            referrer: r.clone(),
            from_attestation: true,
        }));
    }
    Ok(None)
}

/// Annotations for a listing: the created time and title, when set.
pub fn summary(r: &Referrer) -> BTreeMap<&'static str, String> {
    let mut m = BTreeMap::new();
    if let Some(c) = r.manifest.annotations.get(ANN_CREATED) {
        m.insert("created", c.clone());
    }
    if !r.predicate_types.is_empty() {
        m.insert("predicateType", r.predicate_types.join(","));
    }
    m
}
