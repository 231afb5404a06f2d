//! consign's own facts, read back from the `consign:` properties its CycloneDX encoder writes
//! (listed in `encode/cyclonedx/mod.rs`): the image (source kind, scope, digests, platform,
//! base image, labels, annotations), its layers, the catalogers and unknowns, and per package
//! the layer history, source package and package-database metadata. With them a consign
//! document converts to another version or format without losing what consign knew.

use std::collections::BTreeMap;

use super::model::{Component, Property};
use crate::catalog::registry::CATALOGERS;
use crate::encode::common::source_kind_from_name;
use crate::fs::Location;
use crate::model::{
    ApkMetadata, BaseImage, DpkgMetadata, Evidence, LanguageMetadata, LayerInfo, PackageMetadata,
    Platform, RpmMetadata, Scope, SourceKind, SourcePackage, Unknown,
};
use crate::source::{Digest, ImageConfig};

/// Document- and image-level facts.
#[derive(Debug, Default)]
pub(super) struct ImageFacts {
    pub catalogers: Vec<String>,
    pub unknowns: Vec<Unknown>,
    pub scope: Option<Scope>,
    pub source_kind: Option<SourceKind>,
    pub platform: Option<Platform>,
    pub manifest_digest: Option<Digest>,
    pub config_digest: Option<Digest>,
    pub created: Option<String>,
    pub base: Option<BaseImage>,
    pub annotations: BTreeMap<String, String>,
    pub config: ImageConfig,
    pub layers: Vec<LayerInfo>,
}

fn props(list: &[Property]) -> impl Iterator<Item = (&str, &str)> {
    list.iter()
        .filter_map(|p| Some((p.name.as_deref()?, p.value.as_deref()?)))
        .filter(|(n, _)| n.starts_with("consign:"))
}

/// The image facts, or `None` when the document has no `consign:` property (another tool
/// wrote it).
pub(super) fn image_facts(metadata: &[Property], image: &[Property]) -> Option<ImageFacts> {
    props(metadata).chain(props(image)).next()?;
    let mut f = ImageFacts::default();
    let mut unknowns: BTreeMap<usize, (Option<String>, Option<u32>, String, String)> =
        BTreeMap::new();
    for (name, value) in props(metadata) {
        if name == "consign:cataloger" {
            f.catalogers.push(value.to_owned());
        } else if let Some(rest) = name.strip_prefix("consign:unknown:")
            && let Some((n, field)) = rest.split_once(':')
            && let Ok(n) = n.parse::<usize>()
        {
            let u = unknowns.entry(n).or_default();
            match field {
                "location" => u.0 = Some(value.trim_start_matches('/').to_owned()),
                "layer" => u.1 = value.parse().ok(),
                "reason" => u.2 = value.to_owned(),
                "source" => u.3 = value.to_owned(),
                _ => {}
            }
        }
    }
    f.unknowns = unknowns
        .into_values()
        .map(|(path, layer, reason, source)| Unknown {
            source,
            location: path.map(|p| Location::new(p, layer.unwrap_or(0))),
            reason,
        })
        .collect();
    f.unknowns.sort();
    let mut labels = serde_json::Map::new();
    let mut base: (Option<String>, Option<Digest>, Option<&'static str>) = (None, None, None);
    let mut layers: BTreeMap<u32, LayerInfo> = BTreeMap::new();
    for (name, value) in props(image) {
        let name = &name["consign:".len()..];
        match name {
            "scope" => {
                f.scope = match value {
                    "all-layers" => Some(Scope::AllLayers),
                    "squashed" => Some(Scope::Squashed),
                    _ => None,
                }
            }
            "image:sourceKind" => f.source_kind = source_kind_from_name(value),
            "image:platform" => f.platform = platform(value),
            "image:manifestDigest" => f.manifest_digest = value.parse().ok(),
            "image:configDigest" => f.config_digest = value.parse().ok(),
            "image:created" => f.created = Some(value.to_owned()),
            "image:base:name" => base.0 = Some(value.to_owned()),
            "image:base:digest" => base.1 = value.parse().ok(),
            "image:base:evidence" => base.2 = evidence(value),
            _ => {
                if let Some(k) = name.strip_prefix("image:label:") {
                    labels.insert(k.to_owned(), value.into());
                } else if let Some(k) = name.strip_prefix("image:annotation:") {
                    f.annotations.insert(k.to_owned(), value.to_owned());
                } else if let Some(rest) = name.strip_prefix("layer:")
                    && let Some((i, field)) = rest.split_once(':')
                    && let Ok(i) = i.parse::<u32>()
                {
                    layer_field(
                        layers.entry(i).or_insert_with(|| empty_layer(i)),
                        field,
                        value,
                    );
                }
            }
        }
    }
    if base.0.is_some() || base.1.is_some() {
        f.base = Some(BaseImage {
            name: base.0,
            digest: base.1,
            evidence: base.2.unwrap_or("manifest-annotation"),
        });
    }
    if !labels.is_empty() {
        let config = serde_json::json!({"config": {"Labels": labels}});
        f.config = serde_json::from_value(config).unwrap_or_default();
    }
    f.layers = layers.into_values().collect();
    Some(f)
}

fn empty_layer(index: u32) -> LayerInfo {
    LayerInfo {
        index,
        digest: None,
        diff_id: None,
        media_type: None,
        size: None,
        created_by: None,
    }
}

fn layer_field(l: &mut LayerInfo, field: &str, value: &str) {
    match field {
        "diffId" => l.diff_id = value.parse().ok(),
        "digest" => l.digest = value.parse().ok(),
        "mediaType" => l.media_type = Some(value.to_owned()),
        "size" => l.size = value.parse().ok(),
        "createdBy" => l.created_by = Some(value.to_owned()),
        _ => {}
    }
}

fn evidence(v: &str) -> Option<&'static str> {
    ["manifest-annotation", "index-annotation", "config-label"]
        .into_iter()
        .find(|e| *e == v)
}

/// `os/arch[/variant]`.
pub(crate) fn platform(v: &str) -> Option<Platform> {
    let mut parts = v.split('/');
    let os = parts.next().filter(|s| !s.is_empty())?;
    let architecture = parts.next().filter(|s| !s.is_empty())?;
    Some(Platform {
        os: os.to_owned(),
        architecture: architecture.to_owned(),
        variant: parts.next().map(str::to_owned),
    })
}

/// What a package component's `consign:` properties say.
#[derive(Debug)]
pub(super) struct PackageFacts {
    pub found_by: Option<&'static str>,
    pub arch: Option<String>,
    pub source: Option<SourcePackage>,
    pub introduced_in: Option<u32>,
    pub removed_in: Option<u32>,
    pub metadata: PackageMetadata,
}

/// The package facts of `c` (all `None` for another tool's component).
pub(super) fn package_facts(c: &Component) -> PackageFacts {
    let get = |n: &str| c.property(n).map(str::to_owned);
    fn num<T: std::str::FromStr>(c: &Component, n: &str) -> Option<T> {
        c.property(n).and_then(|v| v.parse().ok())
    }
    let homepage = c
        .external_references
        .iter()
        .find(|r| r.kind.as_deref() == Some("website"))
        .and_then(|r| r.url.clone());
    let metadata = if let Some(database) = get("consign:dpkg:database") {
        PackageMetadata::Dpkg(DpkgMetadata {
            architecture: get("consign:package:arch"),
            section: get("consign:dpkg:section"),
            priority: get("consign:dpkg:priority"),
            installed_size_kib: num(c, "consign:dpkg:installedSizeKiB"),
            multi_arch: get("consign:dpkg:multiArch"),
            essential: c.property("consign:dpkg:essential") == Some("yes"),
            // Written only when it is not `install ok installed`.
            status: get("consign:dpkg:status"),
            homepage,
            database,
            ..DpkgMetadata::default()
        })
    } else if c.property("consign:apk:origin").is_some()
        || c.property("consign:apk:checksum").is_some()
        || c.property("consign:package:foundBy") == Some("apk-db-cataloger")
    {
        PackageMetadata::Apk(ApkMetadata {
            architecture: get("consign:package:arch"),
            origin: get("consign:apk:origin"),
            commit: get("consign:apk:commit"),
            url: homepage,
            description: c.description.clone(),
            size: num(c, "consign:apk:size"),
            installed_size: num(c, "consign:apk:installedSize"),
            build_time: num(c, "consign:apk:buildTime"),
            checksum: get("consign:apk:checksum"),
            ..ApkMetadata::default()
        })
    } else if let Some(database) = get("consign:rpm:database") {
        PackageMetadata::Rpm(RpmMetadata {
            epoch: num(c, "consign:rpm:epoch"),
            release: get("consign:rpm:release").unwrap_or_default(),
            architecture: get("consign:package:arch"),
            source_rpm: get("consign:rpm:sourceRpm"),
            vendor: get("consign:rpm:vendor"),
            size: num(c, "consign:rpm:size"),
            modularity_label: get("consign:rpm:modularityLabel"),
            database,
            ..RpmMetadata::default()
        })
    } else if let Some(evidence) = c.property("consign:package:evidence") {
        let evidence = match evidence {
            "binary" => Evidence::Binary,
            "declared" => Evidence::Declared,
            _ => Evidence::Installed,
        };
        let ty = c
            .purl
            .as_deref()
            .and_then(|p| p.strip_prefix("pkg:"))
            .and_then(|p| p.split('/').next())
            .unwrap_or("");
        let prefix = format!("consign:{ty}:");
        PackageMetadata::Language(LanguageMetadata {
            evidence,
            dev: c.property("consign:package:dev") == Some("true"),
            description: c.description.clone(),
            homepage,
            properties: c
                .properties
                .iter()
                .filter_map(|p| {
                    let key = p.name.as_deref()?.strip_prefix(&prefix)?;
                    Some((key.to_owned(), p.value.clone()?))
                })
                .collect(),
        })
    } else {
        PackageMetadata::None
    };
    PackageFacts {
        found_by: c
            .property("consign:package:foundBy")
            .and_then(|f| CATALOGERS.iter().map(|c| c.name()).find(|n| *n == f)),
        arch: get("consign:package:arch"),
        source: get("consign:package:sourceName").map(|name| SourcePackage {
            name,
            version: get("consign:package:sourceVersion"),
        }),
        introduced_in: num(c, "consign:layer:introduced"),
        removed_in: num(c, "consign:layer:removedIn"),
        metadata,
    }
}

/// `layer 3 (sha256:…)` → 3: the layer a consign occurrence names.
pub(super) fn occurrence_layer(context: &str) -> Option<u32> {
    context
        .strip_prefix("layer ")?
        .split(|c: char| !c.is_ascii_digit())
        .next()?
        .parse()
        .ok()
}
