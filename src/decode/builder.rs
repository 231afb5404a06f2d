//! Assembling an [`Sbom`] from another tool's document: the part the CycloneDX and SPDX
//! readers share.
//!
//! Readers hand over one [`Entry`] per component or package, each under the document's own
//! reference (`bom-ref`, `SPDXID`), and the relationships between references. The builder
//! gives every entry its identity (its purl; see [`identity`](super::identity) for entries
//! without one), merges entries that share it (Trivy lists an npm package once per
//! `node_modules` copy, with one purl), turns references into package ids, and establishes
//! the [`Sbom`] invariants: packages sorted and unique, relationships sorted, unique and
//! between existing packages.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::catalog::LinuxRelease;
use crate::fs::Location;
use crate::model::{
    Checksum, DocumentInfo, ImageInfo, License, Package, PackageId, PackageMetadata, Party, Purl,
    Relationship, RelationshipKind, Sbom, Scope, SourceKind, SourcePackage, Tool,
};

use super::identity;

/// `found_by` of packages read from a document (the `Package` field is `'static`; the
/// original cataloger name, when the document gives one, is not kept).
pub(crate) const FOUND_BY: &str = "sbom-document";

/// One component or package as a document describes it.
#[derive(Debug, Default)]
pub(crate) struct Entry {
    pub name: String,
    pub version: String,
    pub purl: Option<String>,
    /// Tool-specific hints at the ecosystem, for entries without a purl (`debian`, `npm`,
    /// `python`, …: Trivy's `PkgType`, Syft's `package:type`).
    pub type_hint: Option<String>,
    pub licenses: Vec<License>,
    pub supplier: Option<Party>,
    pub author: Option<Party>,
    pub checksums: Vec<Checksum>,
    pub cpes: Vec<String>,
    pub source: Option<SourcePackage>,
    pub arch: Option<String>,
    pub locations: Vec<Location>,
    pub introduced_in: Option<u32>,
    pub removed_in: Option<u32>,
    pub found_by: Option<&'static str>,
    pub metadata: PackageMetadata,
}

/// Accumulates entries and edges; see the module docs.
#[derive(Default)]
pub(crate) struct Builder {
    packages: BTreeMap<PackageId, Package>,
    refs: HashMap<String, PackageId>,
    edges: BTreeSet<(String, String, RelationshipKind)>,
    /// References whose dependencies the document states (possibly as none).
    stated: BTreeSet<String>,
    /// References some relationship names.
    mentioned: BTreeSet<String>,
}

impl Builder {
    /// Adds an entry under the document reference `reference` (several references may name
    /// one package, and one reference may be given twice).
    pub fn add(&mut self, reference: Option<&str>, e: Entry) -> PackageId {
        let mut p = identity::package(e);
        p.dependencies_known = false;
        let id = p.id();
        if let Some(r) = reference {
            self.refs.insert(r.to_owned(), id.clone());
        }
        match self.packages.get_mut(&id) {
            Some(have) => merge(have, p),
            None => {
                self.packages.insert(id.clone(), p);
            }
        }
        id
    }

    /// `from` depends on (or contains) `to`; either may name a non-package element, in which
    /// case only the mention counts.
    pub fn edge(&mut self, from: &str, to: &str, kind: RelationshipKind) {
        self.mention(from);
        self.mention(to);
        self.edges.insert((from.to_owned(), to.to_owned(), kind));
        if kind == RelationshipKind::DependsOn {
            self.stated.insert(from.to_owned());
        }
    }

    /// The document states the dependencies of `reference` (an empty CycloneDX `dependsOn`,
    /// an SPDX `DEPENDS_ON NONE`).
    pub fn dependencies_stated(&mut self, reference: &str) {
        self.stated.insert(reference.to_owned());
    }

    /// A relationship names `reference`.
    pub fn mention(&mut self, reference: &str) {
        self.mentioned.insert(reference.to_owned());
    }

    /// The SBOM, with `image` as the described subject and `document` as the record of the
    /// document itself.
    pub fn finish(
        mut self,
        image: ImageInfo,
        distro: Option<LinuxRelease>,
        mut document: DocumentInfo,
        tool: Tool,
    ) -> Sbom {
        for r in &self.stated {
            if let Some(p) = self.refs.get(r).and_then(|id| self.packages.get_mut(id)) {
                p.dependencies_known = true;
            }
        }
        document.related = self
            .mentioned
            .iter()
            .filter_map(|r| self.refs.get(r).cloned())
            .collect();
        let relationships: BTreeSet<Relationship> = self
            .edges
            .iter()
            .filter_map(|(from, to, kind)| {
                let (from, to) = (self.refs.get(from)?, self.refs.get(to)?);
                (from != to).then(|| Relationship {
                    from: from.clone(),
                    to: to.clone(),
                    kind: *kind,
                })
            })
            .collect();
        Sbom {
            tool,
            image,
            layers: Vec::new(),
            distro,
            scope: Scope::default(),
            catalogers: Vec::new(),
            packages: self.packages.into_values().collect(),
            relationships: relationships.into_iter().collect(),
            unknowns: Vec::new(),
            document: Some(document),
        }
    }
}

/// Fills what `have` lacks from `p`: the same package, described twice.
fn merge(have: &mut Package, p: Package) {
    have.locations.extend(p.locations);
    if have.licenses.is_empty() {
        have.licenses = p.licenses;
    }
    if have.supplier.is_none() {
        have.supplier = p.supplier;
    }
    if have.author.is_none() {
        have.author = p.author;
    }
    if have.source.is_none() {
        have.source = p.source;
    }
    for c in p.checksums {
        if !have.checksums.contains(&c) {
            have.checksums.push(c);
        }
    }
    for c in p.cpes {
        if !have.cpes.contains(&c) {
            have.cpes.push(c);
        }
    }
    have.introduced_in = match (have.introduced_in, p.introduced_in) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    };
}

/// The subject of a document that names nothing about it.
pub(crate) fn unnamed_subject(origin: &str) -> ImageInfo {
    ImageInfo {
        source_kind: SourceKind::Document,
        input: origin.to_owned(),
        name: None,
        tag: None,
        manifest_digest: None,
        config_digest: None,
        platform: None,
        created: None,
        base: None,
        annotations: BTreeMap::new(),
        supplier_override: None,
        config: Default::default(),
    }
}

/// Records the subject's supplier as the image's (see [`ImageInfo::supplier`]) unless the
/// image already names one.
pub(crate) fn subject_supplier(image: &mut ImageInfo, supplier: Option<&str>) {
    let Some(name) = supplier.map(str::trim).filter(|s| !s.is_empty()) else {
        return;
    };
    if image.supplier().is_none() {
        image.supplier_override = Some(name.to_owned());
    }
}

/// The tool to record as the SBOM's own: consign, which read the document.
pub(crate) fn reader_tool() -> Tool {
    Tool::default()
}

/// A purl that parses, in canonical form.
pub(crate) fn parse_purl(text: &str) -> Option<Purl> {
    text.trim().parse().ok()
}
