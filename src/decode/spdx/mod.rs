//! SPDX 2.2 and 2.3, JSON and tag-value, into the [`Sbom`] model.
//!
//! The described element (`documentDescribes`, or the target of the document's `DESCRIBES`)
//! becomes the subject when there is exactly one and it is a package; the first
//! `OPERATING-SYSTEM` package (`OPERATING_SYSTEM` in the JSON schema's spelling) the
//! distribution; every other package a package. Files and snippets are not packages.
//! Relationships: `DEPENDS_ON`/`DEPENDENCY_OF` become `DependsOn` edges, `CONTAINS`/
//! `CONTAINED_BY` `Contains` edges; `X DEPENDS_ON NONE` states that X depends on nothing.
//!
//! The declared license is read (the concluded one when nothing is declared), with
//! `LicenseRef-`s the document defines turned back into the license names they stand for
//! when the expression is a plain `AND` list. Trivy's `PkgType:`, `ImageID:`, `RepoDigest:`
//! and `RepoTag:` annotations (attribution texts in its SPDX 2.2) and its `built package
//! from:` source info are read (not its `DiffID:`s, listed sorted by value rather than in
//! layer order), and consign's own comments restore the image and layer facts (see
//! [`consign`]).

mod consign;
pub(crate) mod model;
pub(crate) mod tag_value;

use std::collections::{BTreeMap, BTreeSet};

use self::model::{Document, Package};
use super::builder::{Builder, Entry, reader_tool, subject_supplier, unnamed_subject};
use crate::catalog::LinuxRelease;
use crate::model::{
    Checksum, DocumentFormat, DocumentInfo, HashAlgorithm, ImageInfo, License, Party,
    RelationshipKind, Sbom, SourcePackage, Tool,
};
use crate::source::Digest;
use crate::source::reference::split_name_tag;
use crate::{Error, Result};

const DOCUMENT: &str = "SPDXRef-DOCUMENT";

/// Reads an SPDX JSON document.
pub(crate) fn decode_json(bytes: &[u8], origin: &str) -> Result<Sbom> {
    let doc: Document = serde_json::from_slice(bytes)
        .map_err(|e| Error::decode(origin, format!("not a readable SPDX JSON document: {e}")))?;
    let version = spdx_version(doc.spdx_version.as_deref(), origin)?;
    Ok(from_document(
        doc,
        DocumentFormat::SpdxJson(version),
        origin,
    ))
}

/// `SPDX-2.3` → `2.3`; SPDX 2.x only.
pub(crate) fn spdx_version(v: Option<&str>, origin: &str) -> Result<String> {
    match v.and_then(|v| v.strip_prefix("SPDX-")) {
        Some(n) if n.starts_with("2.") => Ok(n.to_owned()),
        Some(n) => Err(Error::decode(
            origin,
            format!("unsupported SPDX version {n} (SPDX 2.2 and 2.3 are read)"),
        )),
        None => Err(Error::decode(
            origin,
            "not an SPDX document: no spdxVersion",
        )),
    }
}

/// Maps a parsed document into the model; see the module docs.
pub(crate) fn from_document(doc: Document, format: DocumentFormat, origin: &str) -> Sbom {
    let creation = doc.creation_info.unwrap_or_default();
    let mut info = DocumentInfo::new(format);
    info.name = doc.name;
    info.timestamp = creation.created;
    for c in &creation.creators {
        match c.split_once(':').map(|(k, v)| (k.trim(), v.trim())) {
            Some(("Tool", t)) => info.tools.push(tool(t)),
            Some(("Person" | "Organization", _)) => info.authors.push(c.trim().to_owned()),
            _ => {}
        }
    }
    info.lifecycles = creation.comment.as_deref().map(phases).unwrap_or_default();
    info.comment = creation.comment;

    let mut described: BTreeSet<String> = doc.document_describes.iter().cloned().collect();
    for r in &doc.relationships {
        match (
            r.spdx_element_id.as_deref(),
            r.relationship_type.as_deref(),
            r.related_spdx_element.as_deref(),
        ) {
            (Some(DOCUMENT), Some("DESCRIBES"), Some(e)) => described.insert(e.to_owned()),
            (Some(e), Some("DESCRIBED_BY"), Some(DOCUMENT)) => described.insert(e.to_owned()),
            _ => false,
        };
    }
    let packages = doc.packages.unwrap_or_default();
    let subject_id = match described.iter().collect::<Vec<_>>().as_slice() {
        [one] if packages.iter().any(|p| p.spdx_id.as_ref() == Some(*one)) => Some((*one).clone()),
        _ => None,
    };
    let refs: BTreeMap<String, String> = doc
        .has_extracted_licensing_infos
        .iter()
        .filter_map(|l| {
            let name = l.name.clone().or_else(|| l.extracted_text.clone())?;
            Some((l.license_id.clone()?, name))
        })
        .collect();

    let mut b = Builder::default();
    let mut distro = None;
    let mut subject = None;
    let mut base_digest = None;
    for p in &packages {
        let Some(id) = p.spdx_id.as_deref() else {
            continue;
        };
        if Some(id) == subject_id.as_deref() {
            subject = Some(p);
            continue;
        }
        // An image other than the subject (consign's base image) is not a package.
        if p.primary_package_purpose.as_deref() == Some("CONTAINER") {
            if id == "SPDXRef-BaseImage" {
                base_digest = p.checksums.iter().find_map(|c| {
                    let value = c.checksum_value.as_deref()?;
                    (c.algorithm.as_deref() == Some("SHA256"))
                        .then(|| format!("sha256:{value}").parse::<Digest>().ok())?
                });
            }
            continue;
        }
        let purpose = p.primary_package_purpose.as_deref().unwrap_or("");
        // SPDX 2.2 has no purpose; Trivy then marks the OS by its id.
        if matches!(purpose, "OPERATING-SYSTEM" | "OPERATING_SYSTEM")
            || (purpose.is_empty() && id.starts_with("SPDXRef-OperatingSystem"))
        {
            if distro.is_none() {
                distro = os(p);
            }
            continue;
        }
        b.add(Some(id), entry(p, &refs));
    }
    for r in doc.relationships {
        let (Some(a), Some(kind), Some(z)) = (
            r.spdx_element_id,
            r.relationship_type,
            r.related_spdx_element,
        ) else {
            continue;
        };
        match (kind.as_str(), z.as_str()) {
            ("DEPENDS_ON", "NONE") => {
                b.mention(&a);
                b.dependencies_stated(&a);
            }
            ("DEPENDS_ON", _) => b.edge(&a, &z, RelationshipKind::DependsOn),
            ("DEPENDENCY_OF", _) => b.edge(&z, &a, RelationshipKind::DependsOn),
            ("CONTAINS", _) => b.edge(&a, &z, RelationshipKind::Contains),
            ("CONTAINED_BY", _) => b.edge(&z, &a, RelationshipKind::Contains),
            // The document describing its subject says nothing about the subject's parts.
            ("DESCRIBES" | "DESCRIBED_BY", _) if subject_id.is_some() => {}
            _ => {
                b.mention(&a);
                b.mention(&z);
            }
        }
    }
    let mut image = match subject {
        Some(p) => subject_of(p, origin),
        None => unnamed_subject(origin),
    };
    let supplier = subject.and_then(|p| party(p.supplier.as_deref()));
    subject_supplier(&mut image, supplier.as_ref().map(|s| s.name.as_str()));
    info.subject_kind = subject.and_then(|p| p.primary_package_purpose.clone());
    let facts = subject.and_then(consign::image_facts);
    let mut sbom = b.finish(image, distro, info, reader_tool());
    if let Some(f) = facts {
        f.apply(&mut sbom);
        if let Some(base) = &mut sbom.image.base {
            base.digest = base.digest.take().or(base_digest);
        }
        sbom.unknowns = consign::unknowns(&doc.annotations);
    }
    sbom
}

/// `name-1.2.3` → name `name`, version `1.2.3`: the version starts after the last `-` that
/// is followed by a digit or `v` and a digit, or is one of the placeholders producers write
/// (`trivy-dev`, `syft-[not provided]`).
fn tool(text: &str) -> Tool {
    let is_version = |v: &str| {
        let v = v.strip_prefix('v').unwrap_or(v);
        v.starts_with(|d: char| d.is_ascii_digit())
            || matches!(v, "dev" | "[not provided]" | "unknown")
    };
    let split = text
        .char_indices()
        .filter(|&(i, c)| c == '-' && is_version(&text[i + 1..]))
        .map(|(i, _)| i)
        .next_back();
    match split {
        Some(i) => Tool {
            name: text[..i].to_owned(),
            version: text[i + 1..].to_owned(),
        },
        None => Tool {
            name: text.to_owned(),
            version: String::new(),
        },
    }
}

/// The CycloneDX lifecycle phases named in a creation comment (`Lifecycle phase: build`).
pub(crate) fn phases(comment: &str) -> Vec<String> {
    const PHASES: &[&str] = &[
        "design",
        "pre-build",
        "build",
        "post-build",
        "operations",
        "discovery",
        "decommission",
    ];
    let Some((_, rest)) = comment.split_once("Lifecycle phase:") else {
        return Vec::new();
    };
    let mut out: Vec<String> = Vec::new();
    for w in rest.split(|c: char| !(c.is_ascii_alphanumeric() || c == '-')) {
        if PHASES.contains(&w) && !out.iter().any(|o| o == w) {
            out.push(w.to_owned());
        }
    }
    out
}

/// `Organization: Name (email)`, `Person: Name <email>`, `NOASSERTION` → a party.
fn party(text: Option<&str>) -> Option<Party> {
    let text = text?.trim();
    if text.eq_ignore_ascii_case("NOASSERTION") || text.eq_ignore_ascii_case("NONE") {
        return None;
    }
    let text = text
        .strip_prefix("Organization:")
        .or_else(|| text.strip_prefix("Person:"))
        .unwrap_or(text)
        .trim();
    if let Some(inner) = text.strip_suffix(')')
        && let Some((name, email)) = inner.rsplit_once(" (")
        && email.contains('@')
    {
        return Some(Party {
            name: name.trim().to_owned(),
            email: Some(email.trim().to_owned()),
        });
    }
    Party::parse(text)
}

/// The declared license (the concluded one when nothing is declared), with document-defined
/// `LicenseRef-`s in a plain `AND` list turned back into their names.
fn licenses(p: &Package, refs: &BTreeMap<String, String>) -> Vec<License> {
    let useful = |s: &Option<String>| {
        s.clone()
            .filter(|s| !s.eq_ignore_ascii_case("NOASSERTION") && !s.eq_ignore_ascii_case("NONE"))
    };
    let Some(text) = useful(&p.license_declared).or_else(|| useful(&p.license_concluded)) else {
        return Vec::new();
    };
    let text = inline_single_ids(&text, refs);
    // WITH binds tighter than AND, so `A WITH e AND LicenseRef-x` is still a plain list.
    let plain_and = !text.contains(" OR ") && !text.contains('(');
    if plain_and && text.contains("LicenseRef-") {
        return text
            .split(" AND ")
            .filter_map(|t| match refs.get(t.trim()) {
                Some(name) => License::parse(name).or_else(|| License::parse(t)),
                None => License::parse(t),
            })
            .collect();
    }
    License::parse(&text).into_iter().collect()
}

/// `text` with every `LicenseRef-` whose name is one SPDX license (`OpenSSL+`, which consign
/// writes as `LicenseRef-OpenSSL-or-later` because SPDX tools reject it) put back in place.
fn inline_single_ids(text: &str, refs: &BTreeMap<String, String>) -> String {
    if !text.contains("LicenseRef-") {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len());
    let mut token = String::new();
    let flush = |token: &mut String, out: &mut String| {
        let single = refs
            .get(token.as_str())
            .and_then(|name| match License::parse(name) {
                Some(License::Expression(e)) if !e.contains(' ') => Some(e),
                _ => None,
            });
        out.push_str(single.as_deref().unwrap_or(token));
        token.clear();
    };
    for c in text.chars() {
        if c.is_whitespace() || c == '(' || c == ')' {
            flush(&mut token, &mut out);
            out.push(c);
        } else {
            token.push(c);
        }
    }
    flush(&mut token, &mut out);
    out
}

fn entry(p: &Package, refs: &BTreeMap<String, String>) -> Entry {
    let mut e = Entry {
        name: p.name.clone().unwrap_or_default(),
        version: p.version_info.clone().unwrap_or_default(),
        purl: p.external_refs.iter().find_map(|r| {
            (r.reference_type.as_deref() == Some("purl")).then(|| r.reference_locator.clone())?
        }),
        type_hint: p.annotation("PkgType").next().map(str::to_owned),
        licenses: licenses(p, refs),
        supplier: party(p.supplier.as_deref()),
        author: party(p.originator.as_deref()),
        checksums: p
            .checksums
            .iter()
            .filter_map(|c| {
                Some(Checksum {
                    algorithm: HashAlgorithm::from_name(c.algorithm.as_deref()?)?,
                    value: c.checksum_value.as_deref()?.to_ascii_lowercase(),
                })
            })
            .collect(),
        cpes: p
            .external_refs
            .iter()
            .filter(|r| matches!(r.reference_type.as_deref(), Some("cpe22Type" | "cpe23Type")))
            .filter_map(|r| r.reference_locator.clone())
            .collect(),
        source: p
            .source_info
            .as_deref()
            .and_then(|s| s.strip_prefix("built package from: "))
            .map(|s| {
                let (name, version) = s.split_once(' ').unwrap_or((s, ""));
                SourcePackage {
                    name: name.to_owned(),
                    version: Some(version.to_owned()).filter(|v| !v.is_empty()),
                }
            }),
        ..Entry::default()
    };
    consign::package_facts(p, &mut e);
    e
}

/// An `OPERATING-SYSTEM` package as a [`LinuxRelease`] (Trivy writes one named `none` when
/// it cannot tell the distribution).
fn os(p: &Package) -> Option<LinuxRelease> {
    let id = p.name.as_deref()?.to_ascii_lowercase();
    if id.is_empty() || id == "none" {
        return None;
    }
    Some(LinuxRelease {
        id,
        version_id: p.version_info.clone(),
        pretty_name: p.description.clone(),
        home_url: p.homepage.clone(),
        source_file: p
            .source_info
            .as_deref()
            .and_then(|s| s.strip_prefix("identified from /"))
            .unwrap_or_default()
            .to_owned(),
        cpe_name: p.external_refs.iter().find_map(|r| {
            matches!(r.reference_type.as_deref(), Some("cpe22Type" | "cpe23Type"))
                .then(|| r.reference_locator.clone())?
        }),
        ..LinuxRelease::default()
    })
}

/// The described package as the subject: name and version, for a container the tag split
/// off the name and a digest version taken as the digest; Trivy's annotations name the
/// image ID, repo digest and tag.
fn subject_of(p: &Package, origin: &str) -> ImageInfo {
    let mut image = unnamed_subject(origin);
    let digest = |key: &str| {
        p.annotation(key)
            .find_map(|v| v.rsplit('@').next()?.parse::<Digest>().ok())
    };
    image.config_digest = digest("ImageID");
    image.manifest_digest = digest("RepoDigest");
    // SPDX 2.2 has no purpose; Trivy then marks the image by its id.
    let container = p.primary_package_purpose.as_deref() == Some("CONTAINER")
        || p.spdx_id
            .as_deref()
            .is_some_and(|i| i.starts_with("SPDXRef-ContainerImage"));
    let tagged = p
        .annotation("RepoTag")
        .next()
        .map(str::to_owned)
        .or(p.name.clone());
    match tagged {
        Some(t) if container => {
            let (n, tag) = split_name_tag(&t);
            image.name = Some(n.to_owned());
            image.tag = tag.map(str::to_owned);
        }
        other => image.name = other,
    }
    if let Some(v) = &p.version_info {
        match v.parse::<Digest>() {
            Ok(d) if image.manifest_digest.is_none() && image.config_digest.is_none() => {
                image.manifest_digest = Some(d)
            }
            Ok(_) => {}
            Err(_) if image.tag.is_none() => image.tag = Some(v.clone()),
            Err(_) => {}
        }
    }
    image
}
