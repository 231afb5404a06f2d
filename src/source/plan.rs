//! Deciding what to read: from an archive's metadata (`manifest.json` of `docker save`, or
//! `index.json` of an OCI layout) to one image's verified config and its list of layers.
//!
//! - docker save, classic: `manifest.json` → `<hex>.json` config (its name is its digest) →
//!   `<id>/layer.tar` layers, verified against the config's diff_ids after reading.
//! - docker save, Docker 25+: the same `manifest.json` pointing into an OCI layout that is also
//!   in the archive (`index.json`, `blobs/sha256/…`); the OCI manifest found through
//!   `index.json` adds the manifest digest, layer sizes and media types.
//! - OCI layout: `index.json` → (nested indexes →) manifest → config → layer descriptors.
//!   Attestation manifests are skipped; several platforms are narrowed by `--platform`, else
//!   the host's platform, else the only one; several images by `--image`.
//!
//! Every metadata blob is checked against its descriptor's digest and size before use.

use std::collections::{BTreeMap, HashSet};

use serde::Deserialize;

use super::oci::{self, Descriptor, ManifestOrIndex, blob_path, read_verified};
use super::reference::{Reference, split_name_tag};
use super::store::BlobStore;
use super::{Digest, ImageConfig, Limits};
use crate::model::{BaseImage, Platform, SourceKind};
use crate::{Error, Result};

/// Which metadata an archive must have.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layout {
    /// `manifest.json` if present, else `index.json`.
    Auto,
    /// `manifest.json` required (docker-archive:).
    Docker,
    /// `index.json` required (oci-archive:, oci-dir:).
    Oci,
}

/// Which image to pick when a source holds several.
#[derive(Clone, Debug, Default)]
pub struct Selector {
    /// `--image NAME[:TAG]`.
    pub image: Option<String>,
    /// `--platform os/arch[/variant]`.
    pub platform: Option<Platform>,
}

/// One layer to read.
#[derive(Clone, Debug)]
pub struct LayerPlan {
    /// Path of the blob in the store.
    pub path: String,
    /// Digest the blob must have (when the metadata records one).
    pub digest: Option<Digest>,
    /// Size the blob must have (when recorded).
    pub size: Option<u64>,
    /// Media type from the manifest.
    pub media_type: Option<String>,
    /// Digest the uncompressed tar must have (config diff_id).
    pub diff_id: Digest,
}

/// The image to read, its metadata verified.
#[derive(Clone, Debug)]
pub struct ImagePlan {
    /// Archive layout found.
    pub kind: SourceKind,
    /// Repository name as recorded.
    pub name: Option<String>,
    /// Tag as recorded.
    pub tag: Option<String>,
    /// Manifest digest, when the archive holds the manifest.
    pub manifest_digest: Option<Digest>,
    /// Config digest (image ID).
    pub config_digest: Option<Digest>,
    /// The config.
    pub config: ImageConfig,
    /// Manifest annotations.
    pub annotations: BTreeMap<String, String>,
    /// Base image from annotations or labels.
    pub base: Option<BaseImage>,
    /// Platform.
    pub platform: Option<Platform>,
    /// Layers, bottom first.
    pub layers: Vec<LayerPlan>,
    /// Materials of provenance attestations stored beside the image (OCI layouts).
    pub provenance: Vec<super::provenance::Material>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct DockerEntry {
    config: String,
    #[serde(default)]
    repo_tags: Option<Vec<String>>,
    #[serde(default)]
    layers: Vec<String>,
}

/// Plans the image to read from `store`.
pub fn plan(
    store: &dyn BlobStore,
    layout: Layout,
    sel: &Selector,
    limits: &Limits,
) -> Result<ImagePlan> {
    let has_docker = store.contains("manifest.json");
    let has_oci = store.contains("index.json");
    match layout {
        Layout::Docker if !has_docker => Err(Error::manifest(
            "manifest.json",
            format!(
                "missing from {}: not a docker-save archive",
                store.describe()
            ),
        )),
        Layout::Oci if !has_oci => Err(Error::manifest(
            "index.json",
            format!("missing from {}: not an OCI image layout", store.describe()),
        )),
        Layout::Oci => plan_oci(store, sel, limits),
        _ if has_docker => plan_docker(store, sel, limits),
        _ if has_oci => plan_oci(store, sel, limits),
        _ => Err(Error::Source(format!(
            "{}: neither manifest.json (docker save) nor index.json (OCI layout) found",
            store.describe()
        ))),
    }
}

fn plan_docker(store: &dyn BlobStore, sel: &Selector, limits: &Limits) -> Result<ImagePlan> {
    let bytes = store.read_small("manifest.json", limits.max_json_bytes)?;
    let mut entries: Vec<DockerEntry> = oci::parse_json("manifest.json", &bytes, limits)?;
    if let Some(want) = &sel.platform {
        entries = filter_docker_platform(store, entries, want, limits)?;
    }
    let (entry, tag) = select_docker(&entries, sel)?;
    let config_path = normalize_member(&entry.config)?;
    let config_digest = digest_from_member(&config_path);
    let config_bytes = store.read_small(&config_path, limits.max_json_bytes)?;
    if let Some(d) = &config_digest {
        oci::verify_bytes(&config_path, d, None, &config_bytes)?;
    }
    let config: ImageConfig = oci::parse_json(&config_path, &config_bytes, limits)?;
    let diff_ids = diff_ids(&config_path, &config)?;
    if diff_ids.len() != entry.layers.len() {
        return Err(Error::manifest(
            &config_path,
            format!(
                "config lists {} diff_ids but manifest.json lists {} layers",
                diff_ids.len(),
                entry.layers.len()
            ),
        ));
    }
    let mut layers = Vec::with_capacity(diff_ids.len());
    for (path, diff_id) in entry.layers.iter().zip(diff_ids) {
        let path = normalize_member(path)?;
        layers.push(LayerPlan {
            digest: digest_from_member(&path),
            path,
            size: None,
            media_type: None,
            diff_id,
        });
    }
    let (name, tag) = match tag {
        Some(t) => {
            let (n, t) = split_name_tag(&t);
            (Some(n.to_owned()), t.map(str::to_owned))
        }
        None => (None, None),
    };
    let mut plan = ImagePlan {
        kind: SourceKind::DockerArchive,
        name,
        tag,
        manifest_digest: None,
        config_digest,
        platform: platform_of(&config),
        base: None,
        annotations: BTreeMap::new(),
        config,
        layers,
        provenance: Vec::new(),
    };
    if store.contains("index.json") {
        enrich_from_oci(store, &mut plan, limits)?;
        if let Some(d) = &plan.manifest_digest {
            plan.provenance = super::provenance::find(store, d, limits);
        }
    }
    plan.base = base_image(&plan.annotations, &BTreeMap::new(), &plan.config);
    Ok(plan)
}

/// Docker 25+ archives also hold the OCI manifest: find the one whose config is ours and take
/// its digest, annotations, and the layers' sizes and media types.
fn enrich_from_oci(store: &dyn BlobStore, plan: &mut ImagePlan, limits: &Limits) -> Result<()> {
    let Some(config_digest) = plan.config_digest.clone() else {
        return Ok(());
    };
    for c in collect_candidates(store, limits)? {
        let (digest, path, bytes) = read_verified(store, &c.from, &c.descriptor, limits)?;
        let m: ManifestOrIndex = oci::parse_json(&path, &bytes, limits)?;
        let (Some(config), Some(layers)) = (&m.config, &m.layers) else {
            continue;
        };
        if oci::descriptor_digest(&path, config)? != config_digest {
            continue;
        }
        plan.manifest_digest = Some(digest);
        plan.annotations = m.annotations.clone();
        if layers.len() == plan.layers.len() {
            for (lp, d) in plan.layers.iter_mut().zip(layers) {
                let dd = oci::descriptor_digest(&path, d)?;
                if blob_path(&dd) == lp.path {
                    lp.size = d.size.and_then(|s| u64::try_from(s).ok());
                    lp.media_type = d.media_type.clone();
                    lp.digest = Some(dd);
                }
            }
        }
        break;
    }
    Ok(())
}

/// Keeps the entries whose config is for `want` (a multi-platform `docker save` lists one
/// entry per platform, all with the same tags).
fn filter_docker_platform(
    store: &dyn BlobStore,
    entries: Vec<DockerEntry>,
    want: &Platform,
    limits: &Limits,
) -> Result<Vec<DockerEntry>> {
    let mut keep = Vec::new();
    let mut seen = Vec::new();
    for e in entries {
        let path = normalize_member(&e.config)?;
        let bytes = store.read_small(&path, limits.max_json_bytes)?;
        let config: ImageConfig = oci::parse_json(&path, &bytes, limits)?;
        match platform_of(&config) {
            Some(p) if platform_matches(want, &p) => keep.push(e),
            Some(p) => seen.push(p.to_string()),
            None => seen.push(format!("{} (no platform)", e.config)),
        }
    }
    if keep.is_empty() {
        return Err(Error::Selection(format!(
            "no image for platform {want}; the archive holds: {}",
            seen.join(", ")
        )));
    }
    Ok(keep)
}

fn select_docker<'e>(
    entries: &'e [DockerEntry],
    sel: &Selector,
) -> Result<(&'e DockerEntry, Option<String>)> {
    let tags = |e: &DockerEntry| e.repo_tags.clone().unwrap_or_default();
    if entries.is_empty() {
        return Err(Error::manifest("manifest.json", "lists no images"));
    }
    if let Some(want) = &sel.image {
        let q = Reference::parse(want);
        for e in entries {
            for t in tags(e) {
                if Reference::parse(&t).is_some_and(|r| q.as_ref().is_some_and(|q| q.matches(&r))) {
                    return Ok((e, Some(t)));
                }
            }
            let id = digest_from_member(&e.config);
            if id.is_some_and(|d| digest_matches(&d.to_string(), want)) {
                return Ok((e, tags(e).into_iter().next()));
            }
        }
        return Err(Error::Selection(format!(
            "no image {want:?} in the archive; it holds: {}",
            list_docker(entries)
        )));
    }
    match entries {
        [one] => Ok((one, tags(one).into_iter().next())),
        _ => Err(Error::Selection(format!(
            "the archive holds {} images: {}; choose one with --image",
            entries.len(),
            list_docker(entries)
        ))),
    }
}

fn list_docker(entries: &[DockerEntry]) -> String {
    entries
        .iter()
        .map(|e| match &e.repo_tags {
            Some(t) if !t.is_empty() => t.join(", "),
            _ => format!("<untagged {}>", e.config),
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// A manifest found through index.json.
#[derive(Clone, Debug)]
struct Candidate {
    descriptor: Descriptor,
    /// The document that listed it (for messages).
    from: String,
    /// Names recorded for it (ref.name, containerd image name), own or inherited.
    names: Vec<String>,
    platform: Option<Platform>,
    /// Annotations of the descriptors leading to it.
    annotations: BTreeMap<String, String>,
}

const REF_NAME: &str = "org.opencontainers.image.ref.name";
const CONTAINERD_NAME: &str = "io.containerd.image.name";

fn collect_candidates(store: &dyn BlobStore, limits: &Limits) -> Result<Vec<Candidate>> {
    let bytes = store.read_small("index.json", limits.max_json_bytes)?;
    let index: ManifestOrIndex = oci::parse_json("index.json", &bytes, limits)?;
    if !index.is_index() {
        return Err(Error::manifest("index.json", "is not an image index"));
    }
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    walk_index(
        store,
        "index.json",
        &index,
        &[],
        &BTreeMap::new(),
        0,
        &mut seen,
        &mut out,
        limits,
    )?;
    Ok(out)
}

#[allow(clippy::too_many_arguments)]
fn walk_index(
    store: &dyn BlobStore,
    doc: &str,
    index: &ManifestOrIndex,
    names: &[String],
    inherited: &BTreeMap<String, String>,
    depth: usize,
    seen: &mut HashSet<Digest>,
    out: &mut Vec<Candidate>,
    limits: &Limits,
) -> Result<()> {
    if depth > limits.max_index_depth {
        return Err(Error::Limit {
            what: doc.to_owned(),
            reason: format!(
                "image indexes nested deeper than {}",
                limits.max_index_depth
            ),
        });
    }
    for d in index.manifests.as_deref().unwrap_or_default() {
        if d.annotations
            .get("vnd.docker.reference.type")
            .map(String::as_str)
            == Some("attestation-manifest")
        {
            continue;
        }
        let digest = oci::descriptor_digest(doc, d)?;
        let mut own: Vec<String> = names.to_vec();
        for key in [CONTAINERD_NAME, REF_NAME] {
            if let Some(n) = d.annotations.get(key) {
                own.insert(0, n.clone());
            }
        }
        let mut annotations = inherited.clone();
        annotations.extend(d.annotations.clone());
        let mt = d.media_type.as_deref().unwrap_or("");
        if mt == oci::MT_OCI_INDEX || mt == oci::MT_DOCKER_LIST {
            if !seen.insert(digest.clone()) {
                return Err(Error::manifest(
                    doc,
                    format!("image index cycle through {digest}"),
                ));
            }
            if !store.contains(&blob_path(&digest)) {
                continue;
            }
            let (_, path, bytes) = read_verified(store, doc, d, limits)?;
            let nested: ManifestOrIndex = oci::parse_json(&path, &bytes, limits)?;
            walk_index(
                store,
                &path,
                &nested,
                &own,
                &annotations,
                depth + 1,
                seen,
                out,
                limits,
            )?;
        } else if mt.is_empty() || mt == oci::MT_OCI_MANIFEST || mt == oci::MT_DOCKER_MANIFEST {
            // Platforms whose blobs were not copied (a partial multi-platform copy) are not
            // candidates.
            if !store.contains(&blob_path(&digest)) {
                continue;
            }
            let platform = d.platform.as_ref().map(oci::PlatformJson::to_platform);
            if platform.as_ref().is_some_and(|p| p.os == "unknown") {
                continue;
            }
            out.push(Candidate {
                descriptor: d.clone(),
                from: doc.to_owned(),
                names: own,
                platform,
                annotations,
            });
        }
    }
    Ok(())
}

fn plan_oci(store: &dyn BlobStore, sel: &Selector, limits: &Limits) -> Result<ImagePlan> {
    let all = collect_candidates(store, limits)?;
    if all.is_empty() {
        return Err(Error::manifest("index.json", "lists no image manifests"));
    }
    let chosen = select_oci(all, sel)?;
    let (manifest_digest, path, bytes) =
        read_verified(store, &chosen.from, &chosen.descriptor, limits)?;
    let m: ManifestOrIndex = oci::parse_json(&path, &bytes, limits)?;
    let (Some(config_d), Some(layer_ds)) = (&m.config, &m.layers) else {
        return Err(Error::manifest(
            &path,
            "is not an image manifest (no config or layers)",
        ));
    };
    let config_mt = config_d.media_type.as_deref().unwrap_or("");
    if !config_mt.is_empty()
        && config_mt != "application/vnd.oci.image.config.v1+json"
        && config_mt != "application/vnd.docker.container.image.v1+json"
    {
        return Err(Error::manifest(
            &path,
            format!("is not a container image (config media type {config_mt})"),
        ));
    }
    let (config_digest, config_path, config_bytes) = read_verified(store, &path, config_d, limits)?;
    let config: ImageConfig = oci::parse_json(&config_path, &config_bytes, limits)?;
    let diff_ids = diff_ids(&config_path, &config)?;
    if diff_ids.len() != layer_ds.len() {
        return Err(Error::manifest(
            &config_path,
            format!(
                "config lists {} diff_ids but the manifest lists {} layers",
                diff_ids.len(),
                layer_ds.len()
            ),
        ));
    }
    let mut layers = Vec::with_capacity(layer_ds.len());
    for (d, diff_id) in layer_ds.iter().zip(diff_ids) {
        if d.media_type
            .as_deref()
            .is_some_and(|t| t.contains("encrypted"))
        {
            return Err(Error::manifest(
                &path,
                format!("layer {} is encrypted", d.digest),
            ));
        }
        let digest = oci::descriptor_digest(&path, d)?;
        let size = match d.size {
            Some(s) => Some(u64::try_from(s).map_err(|_| {
                Error::manifest(&path, format!("layer {} has a negative size", d.digest))
            })?),
            None => None,
        };
        layers.push(LayerPlan {
            path: blob_path(&digest),
            digest: Some(digest),
            size,
            media_type: d.media_type.clone(),
            diff_id,
        });
    }
    let recorded = chosen.names.first().cloned();
    let (name, tag) = match recorded {
        // A bare ref.name ("3.19", "latest") is a tag only.
        Some(n) if !n.contains('/') && !n.contains(':') => (None, Some(n)),
        Some(n) => {
            let (n, t) = split_name_tag(&n);
            (Some(n.to_owned()), t.map(str::to_owned))
        }
        None => (None, None),
    };
    let base = base_image(&m.annotations, &chosen.annotations, &config);
    let provenance = super::provenance::find(store, &manifest_digest, limits);
    Ok(ImagePlan {
        provenance,
        kind: SourceKind::OciDir,
        name,
        tag,
        manifest_digest: Some(manifest_digest),
        config_digest: Some(config_digest),
        platform: chosen.platform.clone().or_else(|| platform_of(&config)),
        annotations: m.annotations.clone(),
        base,
        config,
        layers,
    })
}

fn select_oci(mut all: Vec<Candidate>, sel: &Selector) -> Result<Candidate> {
    let describe = |cs: &[Candidate]| {
        cs.iter()
            .map(|c| {
                let name = c.names.first().map_or("<unnamed>", String::as_str);
                match &c.platform {
                    Some(p) => format!("{name} ({p})"),
                    None => name.to_owned(),
                }
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    if let Some(want) = &sel.image {
        let q = Reference::parse(want);
        let keep: Vec<Candidate> = all
            .iter()
            .filter(|c| {
                digest_matches(&c.descriptor.digest, want)
                    || c.names.iter().any(|n| {
                        n == want
                            || (n.contains('/') || n.contains(':'))
                                && Reference::parse(n)
                                    .is_some_and(|r| q.as_ref().is_some_and(|q| q.matches(&r)))
                    })
            })
            .cloned()
            .collect();
        if keep.is_empty() {
            return Err(Error::Selection(format!(
                "no image {want:?} in the layout; it holds: {}",
                describe(&all)
            )));
        }
        all = keep;
    }
    if let Some(p) = &sel.platform {
        let keep: Vec<Candidate> = all
            .iter()
            .filter(|c| c.platform.as_ref().is_none_or(|cp| platform_matches(p, cp)))
            .cloned()
            .collect();
        if keep.is_empty() {
            return Err(Error::Selection(format!(
                "no image for platform {p}; available: {}",
                describe(&all)
            )));
        }
        all = keep;
    }
    if all.len() == 1 {
        return Ok(all.remove(0));
    }
    let names: HashSet<&Vec<String>> = all.iter().map(|c| &c.names).collect();
    if names.len() > 1 && sel.image.is_none() && all.iter().all(|c| !c.names.is_empty()) {
        return Err(Error::Selection(format!(
            "the layout holds {} images: {}; choose one with --image",
            all.len(),
            describe(&all)
        )));
    }
    let host = host_platform();
    let on_host: Vec<&Candidate> = all
        .iter()
        .filter(|c| {
            c.platform
                .as_ref()
                .is_some_and(|p| platform_matches(&host, p))
        })
        .collect();
    if let [one] = on_host.as_slice() {
        return Ok((*one).clone());
    }
    Err(Error::Selection(format!(
        "the index holds {} images: {}; choose one with --platform (or --image)",
        all.len(),
        describe(&all)
    )))
}

/// True when `want` names the digest `digest` (`sha256:…`): in full, or by a prefix of at
/// least 12 hex digits as `docker images` shows IDs.
fn digest_matches(digest: &str, want: &str) -> bool {
    let hex = digest.split_once(':').map_or(digest, |(_, h)| h);
    let want_hex = want.strip_prefix("sha256:").unwrap_or(want);
    want == digest
        || (want_hex.len() >= 12
            && want_hex.bytes().all(|b| b.is_ascii_hexdigit())
            && hex.starts_with(want_hex))
}

/// Parses `os/arch[/variant]`.
pub fn parse_platform(s: &str) -> Result<Platform, String> {
    let parts: Vec<&str> = s.split('/').collect();
    match parts.as_slice() {
        [os, arch] if !os.is_empty() && !arch.is_empty() => Ok(Platform {
            os: (*os).to_owned(),
            architecture: (*arch).to_owned(),
            variant: None,
        }),
        [os, arch, v] if !os.is_empty() && !arch.is_empty() && !v.is_empty() => Ok(Platform {
            os: (*os).to_owned(),
            architecture: (*arch).to_owned(),
            variant: Some((*v).to_owned()),
        }),
        _ => Err(format!(
            "invalid platform {s:?}: expected os/arch[/variant], e.g. linux/arm64"
        )),
    }
}

/// True when `have` satisfies the requested platform `want` (a missing variant matches any;
/// `arm64` means `arm64/v8`).
pub fn platform_matches(want: &Platform, have: &Platform) -> bool {
    let norm = |p: &Platform| {
        let v = match (p.architecture.as_str(), p.variant.as_deref()) {
            ("arm64", None) => Some("v8".to_owned()),
            (_, v) => v.map(str::to_owned),
        };
        (
            p.os.to_ascii_lowercase(),
            p.architecture.to_ascii_lowercase(),
            v,
        )
    };
    let (wo, wa, wv) = norm(want);
    let (ho, ha, hv) = norm(have);
    wo == ho && wa == ha && (want.variant.is_none() || wv == hv)
}

/// The platform this binary runs on, in OCI terms.
pub fn host_platform() -> Platform {
    let arch = match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        "x86" => "386",
        "powerpc64" => "ppc64le",
        other => other,
    };
    Platform {
        os: "linux".into(),
        architecture: arch.into(),
        variant: None,
    }
}

fn platform_of(config: &ImageConfig) -> Option<Platform> {
    (!config.architecture.is_empty()).then(|| Platform {
        os: if config.os.is_empty() {
            "linux".into()
        } else {
            config.os.clone()
        },
        architecture: config.architecture.clone(),
        variant: config.variant.clone(),
    })
}

fn diff_ids(path: &str, config: &ImageConfig) -> Result<Vec<Digest>> {
    config
        .rootfs
        .diff_ids
        .iter()
        .map(|d| {
            d.parse()
                .map_err(|e| Error::manifest(path, format!("bad rootfs.diff_ids entry: {e}")))
        })
        .collect()
}

fn normalize_member(p: &str) -> Result<String> {
    crate::fs::path::normalize(p.as_bytes())
        .map(|n| n.path)
        .map_err(|_| Error::manifest("manifest.json", format!("path {p:?} escapes the archive")))
}

/// The digest a member's name encodes: `blobs/sha256/<hex>` or `<hex>.json`.
fn digest_from_member(path: &str) -> Option<Digest> {
    if let Some(rest) = path.strip_prefix("blobs/") {
        let (alg, hex) = rest.split_once('/')?;
        return format!("{alg}:{hex}").parse().ok();
    }
    let hex = path.strip_suffix(".json")?;
    format!("sha256:{hex}").parse().ok()
}

const BASE_NAME: &str = "org.opencontainers.image.base.name";
const BASE_DIGEST: &str = "org.opencontainers.image.base.digest";

fn base_image(
    manifest: &BTreeMap<String, String>,
    index: &BTreeMap<String, String>,
    config: &ImageConfig,
) -> Option<BaseImage> {
    let labels = config.labels();
    for (map, evidence) in [
        (manifest, "manifest-annotation"),
        (index, "index-annotation"),
        (&labels, "config-label"),
    ] {
        let name = map.get(BASE_NAME).filter(|s| !s.is_empty()).cloned();
        let digest = map.get(BASE_DIGEST).and_then(|d| d.parse().ok());
        if name.is_some() || digest.is_some() {
            return Some(BaseImage {
                name,
                digest,
                evidence,
            });
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn platforms() {
        let p = parse_platform("linux/arm64/v8").unwrap();
        assert_eq!(p.to_string(), "linux/arm64/v8");
        assert!(parse_platform("linux").is_err());
        let arm64 = parse_platform("linux/arm64").unwrap();
        assert!(platform_matches(&arm64, &p));
        assert!(platform_matches(&p, &arm64));
        let v7 = parse_platform("linux/arm/v7").unwrap();
        let v6 = parse_platform("linux/arm/v6").unwrap();
        assert!(!platform_matches(&v7, &v6));
        assert!(platform_matches(&parse_platform("linux/arm").unwrap(), &v6));
    }

    #[test]
    fn image_ids_by_prefix() {
        let d = "sha256:9c27e219663c25e0f28493790cc0b88bc973ba3b1686355f221c38a36978ac63";
        assert!(digest_matches(d, d));
        assert!(digest_matches(d, "9c27e219663c"));
        assert!(digest_matches(d, "sha256:9c27e219663c25"));
        assert!(!digest_matches(d, "9c27e2"));
        assert!(!digest_matches(d, "alpine"));
    }

    #[test]
    fn member_digests() {
        let hex = "9c27e219663c25e0f28493790cc0b88bc973ba3b1686355f221c38a36978ac63";
        assert_eq!(
            digest_from_member(&format!("blobs/sha256/{hex}"))
                .unwrap()
                .hex(),
            hex
        );
        assert_eq!(
            digest_from_member(&format!("{hex}.json")).unwrap().hex(),
            hex
        );
        assert!(digest_from_member("abc/layer.tar").is_none());
    }
}
