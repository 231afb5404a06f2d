//! CycloneDX JSON (1.2–1.7) into the [`Sbom`] model.
//!
//! The described component (`metadata.component`) becomes the subject ([`ImageInfo`]);
//! the first `operating-system` component the distribution; every other component, nested
//! ones included, a package — except files, data, devices and cryptographic assets, which
//! are not software packages. A nested component is contained by its parent.
//! `dependencies` entries become `DependsOn` edges between packages, and an entry (even an
//! empty one) marks its component's dependencies as known, as the spec defines.
//!
//! Producer-specific properties are read where they carry identity or provenance: consign's
//! own `consign:` properties (see [`consign`]); Trivy's `aquasecurity:trivy:PkgType`,
//! `SrcName`/`SrcVersion`, `ImageID`, `RepoDigest`, `RepoTag`; Syft's `syft:package:type`.
//! Trivy's `DiffID` and `LayerDiffID` are not read: Trivy lists the diff_ids sorted by
//! value, not in layer order, so they cannot say which layer is which.

mod consign;
pub(crate) mod model;
pub(crate) mod xml;

pub(crate) use consign::platform;

use self::model::{Bom, Component, property};
use super::builder::{Builder, Entry, reader_tool, subject_supplier, unnamed_subject};
use crate::catalog::LinuxRelease;
use crate::fs::Location;
use crate::model::{
    Checksum, DocumentFormat, DocumentInfo, HashAlgorithm, ImageInfo, License, Party,
    RelationshipKind, Sbom, SourceKind, SourcePackage, Tool,
};
use crate::source::Digest;
use crate::source::reference::split_name_tag;
use crate::{Error, Result};

/// Component types that are not software packages (a `container` other than the described
/// one is an image, such as consign's base image component).
const NOT_PACKAGES: &[&str] = &["file", "data", "device", "cryptographic-asset", "container"];

/// Reads a CycloneDX JSON document.
pub(crate) fn decode_json(bytes: &[u8], origin: &str) -> Result<Sbom> {
    let bom: Bom = serde_json::from_slice(bytes).map_err(|e| {
        Error::decode(
            origin,
            format!("not a readable CycloneDX JSON document: {e}"),
        )
    })?;
    let version = spec_version(&bom, origin)?;
    Ok(from_bom(
        bom,
        DocumentFormat::CycloneDxJson(version),
        origin,
    ))
}

/// The `specVersion`: any 1.x (1.2 to 1.7 are known; a later 1.x is read the same way).
pub(crate) fn spec_version(bom: &Bom, origin: &str) -> Result<String> {
    if bom.bom_format.as_deref() != Some("CycloneDX") {
        return Err(Error::decode(
            origin,
            "not a CycloneDX document: bomFormat is not \"CycloneDX\"",
        ));
    }
    match bom.spec_version.as_deref() {
        Some(v) if v.starts_with("1.") => Ok(v.to_owned()),
        Some(v) => Err(Error::decode(
            origin,
            format!("unsupported CycloneDX specVersion {v:?}"),
        )),
        None => Err(Error::decode(
            origin,
            "CycloneDX document without specVersion",
        )),
    }
}

/// Maps a parsed document (JSON or XML) into the model; see the module docs.
pub(crate) fn from_bom(bom: Bom, format: DocumentFormat, origin: &str) -> Sbom {
    let meta = bom.metadata.unwrap_or_default();
    let root = meta.component.unwrap_or_default();
    let mut doc = DocumentInfo::new(format);
    doc.timestamp = meta.timestamp;
    doc.tools = tools(meta.tools);
    doc.authors = meta.authors.iter().filter_map(contact_text).collect();
    doc.lifecycles = meta
        .lifecycles
        .into_iter()
        .filter_map(|l| l.phase.or(l.name))
        .collect();
    doc.subject_kind = root.kind.clone();
    // consign claims completeness for the operating system's packages (the image as a
    // whole stays `unknown`: other ecosystems are not catalogued); any such claim counts.
    doc.declared_complete = bom
        .compositions
        .iter()
        .any(|c| c.aggregate.as_deref() == Some("complete"));

    let facts = consign::image_facts(&meta.properties, &root.properties);
    let mut walk = Walk {
        builder: Builder::default(),
        distro: None,
        next_ref: 0,
    };
    for c in bom.components.unwrap_or_default() {
        walk.component(c, None);
    }
    for d in bom.dependencies {
        let Some(r) = d.reference else { continue };
        walk.builder.mention(&r);
        walk.builder.dependencies_stated(&r);
        for t in &d.depends_on {
            walk.builder.edge(&r, t, RelationshipKind::DependsOn);
        }
    }
    let mut image = subject(&root, origin, facts.as_ref());
    let supplier = root.supplier.as_ref().or(root.manufacturer.as_ref());
    subject_supplier(&mut image, supplier.and_then(|s| s.name.as_deref()));
    let distro = walk.distro.take();
    let mut sbom = walk.builder.finish(image, distro, doc, reader_tool());
    if let Some(f) = facts {
        sbom.catalogers = f.catalogers;
        sbom.unknowns = f.unknowns;
        sbom.scope = f.scope.unwrap_or_default();
        sbom.layers = f.layers;
    }
    sbom
}

/// The component walk: packages into the builder, the distribution aside.
struct Walk {
    builder: Builder,
    distro: Option<LinuxRelease>,
    next_ref: usize,
}

impl Walk {
    fn component(&mut self, mut c: Component, parent: Option<&str>) {
        let kind = c.kind.clone().unwrap_or_default();
        if kind == "operating-system" {
            if self.distro.is_none() {
                self.distro = distro(&c);
            }
            return;
        }
        if NOT_PACKAGES.contains(&kind.as_str()) {
            return;
        }
        // Nesting needs a reference even where the document gives none.
        let reference = c.bom_ref.clone().unwrap_or_else(|| {
            self.next_ref += 1;
            format!("consign:unreferenced:{}", self.next_ref)
        });
        let children = c.components.take().unwrap_or_default();
        // Trivy groups packages under one component per lockfile or package database
        // (`aquasecurity:trivy:Class`); the group is not a package, its members are.
        if c.property("aquasecurity:trivy:Class").is_some() {
            for child in children {
                self.component(child, None);
            }
            return;
        }
        let entry = self.entry(&c);
        self.builder.add(Some(&reference), entry);
        if let Some(p) = parent {
            self.builder.edge(p, &reference, RelationshipKind::Contains);
        }
        for child in children {
            self.component(child, Some(&reference));
        }
    }

    fn entry(&self, c: &Component) -> Entry {
        let f = consign::package_facts(c);
        let locations = c
            .evidence
            .iter()
            .flat_map(|e| &e.occurrences)
            .filter_map(|o| {
                let path = o.location.as_deref()?.trim_start_matches('/');
                // Only where the layer is known: a location names one layer's copy.
                let layer = o
                    .additional_context
                    .as_deref()
                    .and_then(consign::occurrence_layer)?;
                Some(Location::new(path, layer))
            })
            .collect();
        Entry {
            name: display_name(c),
            version: c.version.clone().unwrap_or_default(),
            purl: c.purl.clone(),
            type_hint: c
                .property("aquasecurity:trivy:PkgType")
                .or_else(|| c.property("syft:package:type"))
                .or_else(|| c.property("consign:package:type"))
                .map(str::to_owned),
            licenses: licenses(c),
            supplier: entity(c.supplier.as_ref()).or_else(|| entity(c.manufacturer.as_ref())),
            author: c
                .authors
                .first()
                .and_then(contact_party)
                .or_else(|| c.author.as_deref().and_then(Party::parse))
                .or_else(|| c.publisher.as_deref().and_then(Party::parse)),
            checksums: checksums(c),
            // The first CPE is the component's; consign and Syft put the others in properties.
            cpes: c
                .cpe
                .iter()
                .cloned()
                .chain(
                    c.properties
                        .iter()
                        .filter(|p| {
                            matches!(
                                p.name.as_deref(),
                                Some("consign:package:cpe" | "syft:cpe23")
                            )
                        })
                        .filter_map(|p| p.value.clone()),
                )
                .fold(Vec::new(), |mut v, c| {
                    if !v.contains(&c) {
                        v.push(c);
                    }
                    v
                }),
            source: f.source.or_else(|| trivy_source(c)),
            arch: f.arch,
            locations,
            introduced_in: f.introduced_in,
            removed_in: f.removed_in,
            found_by: f.found_by,
            metadata: f.metadata,
        }
    }
}

/// The name as the document gives it; Maven-style `group` kept in front (`group:name` for
/// Maven, `group/name` otherwise), as the purl would spell it.
fn display_name(c: &Component) -> String {
    let name = c.name.clone().unwrap_or_default();
    match c.group.as_deref() {
        Some(g)
            if c.purl
                .as_deref()
                .is_some_and(|p| p.starts_with("pkg:maven/")) =>
        {
            format!("{g}:{name}")
        }
        Some(g) if !name.starts_with(g) && g.starts_with('@') => format!("{g}/{name}"),
        _ => name,
    }
}

fn licenses(c: &Component) -> Vec<License> {
    c.licenses
        .iter()
        .filter_map(|l| {
            let text = l.expression.as_deref().or_else(|| {
                let o = l.license.as_ref()?;
                o.id.as_deref().or(o.name.as_deref())
            })?;
            License::parse(text)
        })
        .collect()
}

fn checksums(c: &Component) -> Vec<Checksum> {
    c.hashes
        .iter()
        .filter_map(|h| {
            Some(Checksum {
                algorithm: HashAlgorithm::from_name(h.alg.as_deref()?)?,
                value: h.content.as_deref()?.to_ascii_lowercase(),
            })
        })
        .collect()
}

fn entity(e: Option<&model::Entity>) -> Option<Party> {
    let e = e?;
    let mut p = Party::parse(e.name.as_deref()?)?;
    if p.email.is_none() {
        p.email = e.contact.iter().find_map(|c| c.email.clone());
    }
    Some(p)
}

fn contact_party(c: &model::Contact) -> Option<Party> {
    match (&c.name, &c.email) {
        (Some(n), email) => Some(Party {
            name: n.clone(),
            email: email.clone(),
        }),
        (None, Some(e)) => Some(Party {
            name: e.clone(),
            email: None,
        }),
        (None, None) => None,
    }
}

fn contact_text(c: &model::Contact) -> Option<String> {
    contact_party(c).map(|p| match p.email {
        Some(e) => format!("{} <{e}>", p.name),
        None => p.name,
    })
}

/// Trivy's source package: `SrcName` with `SrcVersion`[`-SrcRelease`].
fn trivy_source(c: &Component) -> Option<SourcePackage> {
    let name = c.property("aquasecurity:trivy:SrcName")?.to_owned();
    let version = c.property("aquasecurity:trivy:SrcVersion").map(|v| {
        match c.property("aquasecurity:trivy:SrcRelease") {
            Some(r) => format!("{v}-{r}"),
            None => v.to_owned(),
        }
    });
    Some(SourcePackage { name, version })
}

/// Every tool, whichever of the two shapes the document uses.
fn tools(t: Option<model::Tools>) -> Vec<Tool> {
    let tool = |name: Option<String>, version: Option<String>| {
        name.map(|name| Tool {
            name,
            version: version.unwrap_or_default(),
        })
    };
    match t {
        None => Vec::new(),
        Some(model::Tools::Legacy(list)) => list
            .into_iter()
            .filter_map(|t| tool(t.name, t.version))
            .collect(),
        Some(model::Tools::Object {
            components,
            services,
        }) => components
            .into_iter()
            .chain(services)
            .filter_map(|c| tool(c.name, c.version))
            .collect(),
    }
}

/// The operating-system component as a [`LinuxRelease`]; Trivy writes one named `none`
/// when it cannot tell the distribution.
fn distro(c: &Component) -> Option<LinuxRelease> {
    let id = c.name.as_deref()?.to_ascii_lowercase();
    if id.is_empty() || id == "none" {
        return None;
    }
    Some(LinuxRelease {
        id,
        version_id: c.version.clone(),
        pretty_name: c.description.clone(),
        cpe_name: c.cpe.clone(),
        home_url: c
            .external_references
            .iter()
            .find(|r| r.kind.as_deref() == Some("website"))
            .and_then(|r| r.url.clone()),
        source_file: c
            .evidence
            .iter()
            .flat_map(|e| &e.occurrences)
            .find_map(|o| o.location.as_deref())
            .map(|l| l.trim_start_matches('/').to_owned())
            .unwrap_or_default(),
        ..LinuxRelease::default()
    })
}

/// The described component as the subject. consign's own properties restore what consign
/// knew; Trivy's name the digests and tag; otherwise the name and version are taken as given,
/// a version that is a digest taken as the image's digest.
fn subject(root: &Component, origin: &str, facts: Option<&consign::ImageFacts>) -> ImageInfo {
    let mut image = unnamed_subject(origin);
    let name = root.name.clone().map(|n| match &root.group {
        Some(g) => format!("{g}/{n}"),
        None => n,
    });
    let version = root.version.clone();
    if let Some(f) = facts {
        image.source_kind = f.source_kind.unwrap_or(SourceKind::Document);
        image.name = name;
        image.tag = version.filter(|v| v.parse::<Digest>().is_err());
        image.manifest_digest = f.manifest_digest.clone();
        image.config_digest = f.config_digest.clone();
        image.platform = f.platform.clone();
        image.created = f.created.clone();
        image.base = f.base.clone();
        image.annotations = f.annotations.clone();
        image.config = f.config.clone();
        return image;
    }
    let digest_of = |p: &str| {
        property(&root.properties, p)
            .and_then(|v| v.rsplit('@').next())
            .and_then(|d| d.parse::<Digest>().ok())
    };
    image.config_digest = digest_of("aquasecurity:trivy:ImageID");
    image.manifest_digest = digest_of("aquasecurity:trivy:RepoDigest");
    let tagged = property(&root.properties, "aquasecurity:trivy:RepoTag").or(name.as_deref());
    match (root.kind.as_deref(), tagged) {
        (Some("container"), Some(t)) => {
            let (n, tag) = split_name_tag(t);
            image.name = Some(n.to_owned());
            image.tag = tag.map(str::to_owned);
        }
        _ => image.name = name.clone(),
    }
    if let Some(v) = version {
        match v.parse::<Digest>() {
            Ok(d) if image.manifest_digest.is_none() && image.config_digest.is_none() => {
                image.manifest_digest = Some(d)
            }
            Ok(_) => {}
            Err(_) if image.tag.is_none() => image.tag = Some(v),
            Err(_) => {}
        }
    }
    image
}
