//! CycloneDX JSON 1.5, 1.6 and 1.7 (<https://cyclonedx.org/docs/1.6/json/>).
//!
//! The document describes the image (`metadata.component`, `type: container`); the base
//! image, the operating system and every package are `components`. Packages are
//! `type: library`, OS packages included, as Syft and Trivy write them: CycloneDX has no type
//! for a distribution package. Each package's `bom-ref` is its purl, unique by the
//! [`Sbom`] invariants. `dependencies` holds one entry for *every* component (the spec asks
//! for empty entries, so that a missing one means "unknown"), whose `dependsOn` are the
//! targets of that node's [`document_edges`](crate::model::DependencyGraph::document_edges),
//! whatever their kind (contains, depends on, descends from).
//!
//! ## Known unknowns
//!
//! `compositions` says how complete the inventory is. The operating system's packages are
//! `complete` when every package database was read (the spec: "no further relationships …
//! are known to exist"), `incomplete` when one could not be. The image as a whole is
//! `incomplete` when anything could not be read and `unknown` otherwise: the catalogers that
//! ran (the `consign:cataloger` properties) read package databases, and software installed
//! without one — a copied binary, a vendored library — is invisible to them. Each unknown is
//! also named in the metadata properties.
//!
//! ## Versions
//!
//! 1.5 has no component `authors` (it gets the legacy `author` string) and no occurrence
//! `additionalContext` (so occurrences are per path only). 1.6 and 1.7 are written alike.
//! Before 1.7 a `licenses` array holds either license objects or one expression; consign keeps
//! to that in 1.7 too.
//!
//! ## The `consign:` property namespace
//!
//! On `metadata` (the document):
//! - `consign:cataloger`: a cataloger that ran (one property each).
//! - `consign:unknown:<n>:location`, `…:layer`, `…:layerDiffId`, `…:reason`, `…:source`:
//!   the n-th file that could not be read (0-based), the layer index and diff_id of the copy
//!   that was read, why, and the cataloger that hit it.
//!
//! On the image (`metadata.component`):
//! - `consign:scope`: `squashed` or `all-layers`.
//! - `consign:image:sourceKind`: `docker-archive`, `oci-dir`, `oci-archive`, `directory`, `registry`.
//! - `consign:image:platform`, `…:manifestDigest`, `…:configDigest`, `…:created`.
//! - `consign:image:base:name`, `…:base:digest`, `…:base:evidence`: the base image and where
//!   that claim came from (`manifest-annotation`, `index-annotation`, `config-label`).
//! - `consign:image:label:<key>`, `consign:image:annotation:<key>`: config labels and
//!   manifest annotations, verbatim.
//! - `consign:layer:<i>:diffId`, `…:digest`, `…:mediaType`, `…:size`, `…:createdBy`: each
//!   layer, bottom = 0.
//!
//! On a package component:
//! - `consign:package:foundBy`, `…:arch`, `…:sourceName`, `…:sourceVersion`.
//! - `consign:package:type`: the ecosystem (purl type) of a package whose SBOM gave it no
//!   purl, as a hint for readers (consign writes no made-up purl).
//! - `consign:package:cpe`: a CPE after the first (which is the component's `cpe`), for
//!   packages read from another tool's SBOM.
//! - `consign:layer:introduced` (index), `consign:layer:introducedDiffId`,
//!   `consign:layer:createdBy` (the history step that made that layer).
//! - `consign:layer:removedIn`, `consign:layer:removedInDiffId` (all-layers scope only).
//! - `consign:dpkg:*`, `consign:apk:*`, `consign:rpm:*`: package-database facts without a
//!   CycloneDX field (section, priority, installed size, release, vendor, …).

mod component;
mod model;
mod provenance;

use std::collections::{BTreeMap, BTreeSet};

use self::model::{
    Bom, Component, Composition, Dependency, Evidence, ExternalReference, Hash, Metadata,
    Occurrence, OrganizationalEntity, Property, Tools,
};
use crate::catalog::LinuxRelease;
use crate::encode::common::{
    content_uuid, layer_step, scope_name, source_kind_name, timestamp, to_json, web_url,
};
use crate::encode::oci::Reference;
use crate::encode::{CdxVersion, EncodeOptions, Format};
use crate::model::{BaseImage, DependencyGraph, DocNode, Sbom, SourceKind};
use crate::source::Digest;
use crate::source::digest::Algorithm;

/// Encodes `sbom` as a CycloneDX JSON document of `version`.
pub(crate) fn encode(
    sbom: &Sbom,
    version: CdxVersion,
    opts: &EncodeOptions,
) -> crate::Result<Vec<u8>> {
    let format = Format::CycloneDxJson(version);
    let mut bom = build(sbom, version, opts);
    // The serial number is a hash of the document without it: equal content, equal serial.
    let unsigned = to_json(&bom, &format)?;
    bom.serial_number = format!("urn:uuid:{}", content_uuid(&unsigned));
    to_json(&bom, &format)
}

/// The `bom-ref`s of the non-package document nodes. Packages use their purl.
struct Refs {
    image: String,
    base: String,
    os: String,
}

impl Refs {
    fn new(sbom: &Sbom) -> Self {
        let image = Reference::of_image(&sbom.image)
            .purl()
            .map_or_else(|| "image".to_owned(), |p| p.to_string());
        let base = sbom
            .image
            .base
            .as_ref()
            .and_then(|b| Reference::of_base(b).purl())
            .map(|p| p.to_string())
            // An image that merely re-tags its base would otherwise share its ref.
            .filter(|p| *p != image)
            .unwrap_or_else(|| "base-image".to_owned());
        let os = match &sbom.distro {
            Some(d) => format!("os:{}@{}", d.id, d.version_or_codename()),
            None => "os".to_owned(),
        };
        Refs { image, base, os }
    }

    fn of(&self, node: &DocNode) -> String {
        match node {
            DocNode::Image => self.image.clone(),
            DocNode::BaseImage => self.base.clone(),
            DocNode::OperatingSystem => self.os.clone(),
            DocNode::Package(id) => id.0.clone(),
        }
    }
}

fn build(sbom: &Sbom, version: CdxVersion, opts: &EncodeOptions) -> Bom {
    let refs = Refs::new(sbom);
    let mut components = Vec::new();
    if let Some(base) = &sbom.image.base {
        components.push(base_component(base, &refs));
    }
    if let Some(distro) = &sbom.distro {
        components.push(os_component(distro, &refs));
    }
    let containers = crate::model::ownership::containers(&sbom.relationships);
    components.extend(sbom.packages.iter().map(|p| {
        let owners = containers.get(&p.id()).map_or(&[][..], Vec::as_slice);
        component::package(sbom, p, owners, version)
    }));
    let image = image_component(sbom, &refs);
    let dependencies = dependencies(sbom, &refs, &image, &components);
    let mut compositions = vec![Composition {
        aggregate: if sbom.unknowns.is_empty() {
            "unknown"
        } else {
            "incomplete"
        },
        assemblies: vec![refs.image.clone()],
    }];
    if sbom.distro.is_some() && sbom.packages.iter().any(|p| p.ecosystem.is_os()) {
        compositions.push(Composition {
            aggregate: provenance::os_aggregate(sbom),
            assemblies: vec![refs.os.clone()],
        });
    }
    Bom {
        schema: format!("http://cyclonedx.org/schema/bom-{version}.schema.json"),
        bom_format: "CycloneDX",
        spec_version: version.as_str(),
        serial_number: String::new(),
        version: 1,
        metadata: Metadata {
            timestamp: timestamp(opts.created),
            lifecycles: provenance::lifecycles(sbom),
            tools: Tools {
                components: provenance::tools(sbom),
            },
            authors: provenance::authors(sbom),
            component: image,
            properties: document_properties(sbom),
        },
        components,
        dependencies,
        compositions,
    }
}

/// One entry per component, image first, then in component order; a package whose
/// dependencies are not known and that has no outgoing edge gets none (an empty entry would
/// claim it depends on nothing).
fn dependencies(
    sbom: &Sbom,
    refs: &Refs,
    image: &Component,
    components: &[Component],
) -> Vec<Dependency> {
    let mut targets: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for e in DependencyGraph::build(sbom).document_edges() {
        targets
            .entry(refs.of(&e.from))
            .or_default()
            .insert(refs.of(&e.to));
    }
    let unknown: BTreeSet<String> = sbom
        .packages
        .iter()
        .filter(|p| !p.dependencies_known)
        .map(|p| p.id().0)
        .collect();
    std::iter::once(image)
        .chain(components)
        .filter_map(|c| c.bom_ref.clone())
        .filter_map(|r| {
            let depends_on: Vec<String> =
                targets.remove(&r).unwrap_or_default().into_iter().collect();
            (!depends_on.is_empty() || !unknown.contains(&r)).then_some(Dependency {
                depends_on,
                reference: r,
            })
        })
        .collect()
}

fn image_component(sbom: &Sbom, refs: &Refs) -> Component {
    let img = &sbom.image;
    let mut props = Vec::new();
    // An SBOM read from another tool's document has no scope consign could vouch for.
    if img.source_kind != SourceKind::Document {
        props.push(Property::new("consign:scope", scope_name(sbom.scope)));
    }
    props.push(Property::new(
        "consign:image:sourceKind",
        source_kind_name(img.source_kind),
    ));
    let mut push = |name: &str, value: Option<String>| {
        if let Some(v) = value {
            props.push(Property::new(name, v));
        }
    };
    push(
        "consign:image:platform",
        img.platform.as_ref().map(|p| p.to_string()),
    );
    push(
        "consign:image:manifestDigest",
        img.manifest_digest.as_ref().map(Digest::to_string),
    );
    push(
        "consign:image:configDigest",
        img.config_digest.as_ref().map(Digest::to_string),
    );
    push("consign:image:created", img.created.clone());
    if let Some(base) = &img.base {
        push("consign:image:base:name", base.name.clone());
        push(
            "consign:image:base:digest",
            base.digest.as_ref().map(Digest::to_string),
        );
        push(
            "consign:image:base:evidence",
            Some(base.evidence.to_owned()),
        );
    }
    for (k, v) in img.config.labels() {
        push(&format!("consign:image:label:{k}"), Some(v));
    }
    for (k, v) in &img.annotations {
        push(&format!("consign:image:annotation:{k}"), Some(v.clone()));
    }
    for l in &sbom.layers {
        let p = format!("consign:layer:{}", l.index);
        push(
            &format!("{p}:diffId"),
            l.diff_id.as_ref().map(Digest::to_string),
        );
        push(
            &format!("{p}:digest"),
            l.digest.as_ref().map(Digest::to_string),
        );
        push(&format!("{p}:mediaType"), l.media_type.clone());
        push(&format!("{p}:size"), l.size.map(|s| s.to_string()));
        push(&format!("{p}:createdBy"), layer_step(l));
    }
    Component {
        kind: provenance::subject_kind(sbom),
        bom_ref: Some(refs.image.clone()),
        supplier: img.supplier().map(organization),
        name: img.name_or_file(),
        version: Some(img.version()),
        hashes: img.manifest_digest.iter().map(hash_of).collect(),
        purl: Reference::of_image(img).purl().map(|p| p.to_string()),
        properties: props,
        ..Component::default()
    }
}

fn base_component(base: &BaseImage, refs: &Refs) -> Component {
    let r = Reference::of_base(base);
    let digest = r.digest.as_ref().map(Digest::to_string);
    Component {
        kind: "container",
        bom_ref: Some(refs.base.clone()),
        name: r
            .repository
            .clone()
            .or_else(|| digest.clone())
            .unwrap_or_else(|| "unknown".to_owned()),
        version: r.tag.clone().or(digest),
        hashes: r.digest.as_ref().map(hash_of).into_iter().collect(),
        purl: r.purl().map(|p| p.to_string()),
        ..Component::default()
    }
}

fn os_component(d: &LinuxRelease, refs: &Refs) -> Component {
    Component {
        kind: "operating-system",
        bom_ref: Some(refs.os.clone()),
        supplier: d.supplier().map(organization),
        name: d.id.clone(),
        version: Some(d.version_or_codename().to_owned()),
        description: d.pretty_name.clone(),
        cpe: d.cpe().map(|(_, c)| c),
        external_references: d
            .home_url
            .as_deref()
            .and_then(web_url)
            .map(|url| ExternalReference {
                kind: "website",
                url,
            })
            .into_iter()
            .collect(),
        evidence: (!d.source_file.is_empty()).then(|| Evidence {
            occurrences: vec![Occurrence {
                location: format!("/{}", d.source_file),
                additional_context: None,
            }],
        }),
        ..Component::default()
    }
}

/// Catalogers that ran and every unknown (see the module docs for the names).
fn document_properties(sbom: &Sbom) -> Vec<Property> {
    let mut props: Vec<Property> = sbom
        .catalogers
        .iter()
        .map(|c| Property::new("consign:cataloger", c.as_str()))
        .collect();
    for (n, u) in sbom.unknowns.iter().enumerate() {
        let p = format!("consign:unknown:{n}");
        if let Some(loc) = &u.location {
            props.push(Property::new(format!("{p}:location"), loc.absolute()));
            props.push(Property::new(format!("{p}:layer"), loc.layer.to_string()));
            if let Some(id) = sbom
                .layers
                .get(loc.layer as usize)
                .and_then(|l| l.diff_id.as_ref())
            {
                props.push(Property::new(format!("{p}:layerDiffId"), id.to_string()));
            }
        }
        props.push(Property::new(format!("{p}:reason"), u.reason.as_str()));
        props.push(Property::new(format!("{p}:source"), u.source.as_str()));
    }
    props
}

fn organization(name: String) -> OrganizationalEntity {
    OrganizationalEntity {
        name,
        contact: Vec::new(),
    }
}

fn hash_of(d: &Digest) -> Hash {
    Hash {
        alg: match d.algorithm() {
            Algorithm::Sha256 => "SHA-256",
            Algorithm::Sha512 => "SHA-512",
        },
        content: d.hex().to_owned(),
    }
}
