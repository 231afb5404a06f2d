//! One package as an SPDX package, and the `LicenseRef-`s its free-text licenses need.
//!
//! SPDX wants every declared license as one expression. Free text (`License::Name`) is not an
//! expression, so it becomes `LicenseRef-<sanitised text>` and a `hasExtractedLicensingInfos`
//! entry carries the text verbatim; the expression joins everything with `AND`. A `LicenseRef-`
//! that the package database itself wrote in an expression needs an entry too (validators
//! reject undefined references), but its text is unknown, and the entry says so.

use std::collections::BTreeMap;

use super::model::{Checksum, ExternalRef, ExtractedLicensingInfo, Package};
use super::{NOASSERTION, purl_ref, unasserted};
use crate::encode::common::{
    join_and, layer_label, layer_step, sanitize_id, short_hash, slug, web_url,
};
use crate::model::{self, PackageId, PackageMetadata, Party, Sbom};

/// The longest sanitised text kept in a generated `LicenseRef-` id.
const MAX_REF_LEN: usize = 48;

/// The `SPDXRef-` of a package: `SPDXRef-Package-<purl type>-<name>-<hash of purl>`.
pub(super) fn spdx_id_of(p: &model::Package) -> String {
    format!(
        "SPDXRef-Package-{}-{}-{}",
        sanitize_id(p.purl.ty()),
        sanitize_id(&p.name),
        short_hash(p.purl.as_str())
    )
}

/// The `SPDXRef-` of the package with id `id`.
pub(super) fn spdx_id(sbom: &Sbom, id: &PackageId) -> String {
    match sbom.package(id) {
        Some(p) => spdx_id_of(p),
        // Unreachable for a valid `Sbom` (edges only name existing packages); still unique.
        None => format!("SPDXRef-Package-{}", short_hash(&id.0)),
    }
}

/// The SPDX package for `p`.
pub(super) fn package(sbom: &Sbom, p: &model::Package, refs: &mut LicenseRefs) -> Package {
    let (description, homepage) = match &p.metadata {
        PackageMetadata::Dpkg(m) => (None, m.homepage.as_deref()),
        PackageMetadata::Apk(m) => (m.description.clone(), m.url.as_deref()),
        PackageMetadata::Language(m) => (m.description.clone(), m.homepage.as_deref()),
        _ => (None, None),
    };
    Package {
        name: p.name.clone(),
        spdx_id: spdx_id_of(p),
        version_info: Some(p.version.clone()).filter(|v| !v.is_empty()),
        supplier: p
            .supplier
            .as_ref()
            .map_or_else(|| NOASSERTION.to_owned(), |s| party("Organization", s)),
        originator: p.author.as_ref().map(|a| party("Person", a)),
        homepage: homepage.and_then(web_url),
        source_info: source_info(sbom, p),
        license_declared: declared(p, refs),
        description,
        comment: comment(sbom, p),
        external_refs: external_refs(p),
        checksums: p
            .checksums
            .iter()
            .map(|c| Checksum {
                algorithm: c.algorithm.spdx(),
                checksum_value: c.value.clone(),
            })
            .collect(),
        primary_package_purpose: "LIBRARY",
        ..unasserted()
    }
}

/// The purl (unless made up: see [`model::Package::synthetic_purl`]) and the CPEs.
fn external_refs(p: &model::Package) -> Vec<ExternalRef> {
    let purl = (!p.synthetic_purl).then(|| purl_ref(&p.purl));
    let cpes = p.cpes.iter().map(|c| ExternalRef {
        reference_category: "SECURITY",
        reference_type: if c.starts_with("cpe:2.3:") {
            "cpe23Type"
        } else {
            "cpe22Type"
        },
        reference_locator: c.clone(),
    });
    purl.into_iter().chain(cpes).collect()
}

/// `Organization: Name (email)`. Suppliers are written as organisations (for OS packages the
/// supplier is the distribution); authors as persons, as Syft does, since package databases
/// do not say which a maintainer is.
fn party(kind: &str, p: &Party) -> String {
    match &p.email {
        Some(e) => format!("{kind}: {} ({e})", p.name),
        None => format!("{kind}: {}", p.name),
    }
}

/// Where the evidence is: every path with the layer of its copy, and the cataloger.
fn source_info(sbom: &Sbom, p: &model::Package) -> Option<String> {
    if p.locations.is_empty() {
        return None;
    }
    let places: Vec<String> = p
        .locations
        .iter()
        .map(|l| format!("{} in {}", l.absolute(), layer_label(sbom, l.layer)))
        .collect();
    Some(format!("found by {} in: {}", p.found_by, places.join(", ")))
}

/// Layer history and source package: the facts CycloneDX carries as properties.
fn comment(sbom: &Sbom, p: &model::Package) -> Option<String> {
    let mut parts = Vec::new();
    if let Some(i) = p.introduced_in {
        let step = sbom.layers.get(i as usize).and_then(layer_step);
        parts.push(match step {
            Some(s) => format!("introduced in {} by: {s}", layer_label(sbom, i)),
            None => format!("introduced in {}", layer_label(sbom, i)),
        });
    }
    if let Some(i) = p.removed_in {
        parts.push(format!("removed in {}", layer_label(sbom, i)));
    }
    if let Some(why) = p.not_installed() {
        parts.push(format!("not installed: {why}"));
    }
    if let PackageMetadata::Language(m) = &p.metadata {
        match m.evidence {
            model::Evidence::Declared => parts.push("declared by a lockfile or manifest".into()),
            model::Evidence::Binary => parts.push("compiled into a binary".into()),
            model::Evidence::Installed => {}
        }
        if m.dev {
            parts.push("development dependency".into());
        }
    }
    if let Some(src) = &p.source {
        parts.push(match &src.version {
            Some(v) => format!("source package: {} {v}", src.name),
            None => format!("source package: {}", src.name),
        });
    }
    (!parts.is_empty()).then(|| parts.join("; "))
}

/// `licenseDeclared`: the SPDX expression, with free text as `LicenseRef-`s.
fn declared(p: &model::Package, refs: &mut LicenseRefs) -> String {
    if p.licenses.is_empty() {
        return NOASSERTION.to_owned();
    }
    let expression = match p.license_expression() {
        Some(e) => e,
        None => {
            let parts: Vec<String> = p
                .licenses
                .iter()
                .map(|l| match l {
                    model::License::Expression(e) => e.clone(),
                    model::License::Name(text) => refs.for_text(text),
                })
                .collect();
            join_and(&parts)
        }
    };
    let expression = or_later_as_refs(&expression, refs);
    refs.note_references(&expression);
    expression
}

/// `expression` with every `<id>+` other than the GNU ones (which the model already wrote as
/// `-or-later` ids) as a `LicenseRef-<id>-or-later` for the text `<id>+`. The SPDX grammar
/// allows `+` after any id, but pyspdxtools and the `license-expression` library behind it
/// (and so most SPDX consumers) reject `OpenSSL+`; the reference keeps the text and validates.
fn or_later_as_refs(expression: &str, refs: &mut LicenseRefs) -> String {
    if !expression.contains('+') {
        return expression.to_owned();
    }
    let mut out = String::with_capacity(expression.len() + 16);
    let mut token = String::new();
    let mut flush = |token: &mut String, out: &mut String| {
        match token.strip_suffix('+') {
            Some(id) if !id.is_empty() && !id.starts_with("LicenseRef-") => {
                let name = format!("{}-or-later", slug(id));
                out.push_str(&refs.for_text_named(token, &name));
            }
            _ => out.push_str(token),
        }
        token.clear();
    };
    for c in expression.chars() {
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

/// The `LicenseRef-`s of one document: text → id, and id → entry.
#[derive(Debug, Default)]
pub(super) struct LicenseRefs {
    by_text: BTreeMap<String, String>,
    infos: BTreeMap<String, ExtractedLicensingInfo>,
}

impl LicenseRefs {
    /// The id for free-text `text`: `LicenseRef-<sanitised text>`, with a hash suffix when the
    /// text is long or another text sanitises to the same id.
    fn for_text(&mut self, text: &str) -> String {
        self.for_text_named(text, &slug(text))
    }

    /// The id for free-text `text`, built from `name` (already sanitised).
    fn for_text_named(&mut self, text: &str, name: &str) -> String {
        if let Some(id) = self.by_text.get(text) {
            return id.clone();
        }
        let mut name = name.to_owned();
        if name.len() > MAX_REF_LEN || name.is_empty() {
            name.truncate(MAX_REF_LEN);
            name = format!("{}-{}", name.trim_end_matches('-'), short_hash(text));
        }
        let mut id = format!("LicenseRef-{}", name.trim_start_matches('-'));
        if self.infos.contains_key(&id) {
            id = format!("{id}-{}", short_hash(text));
        }
        self.by_text.insert(text.to_owned(), id.clone());
        self.infos.insert(
            id.clone(),
            ExtractedLicensingInfo {
                license_id: id.clone(),
                extracted_text: text.to_owned(),
                name: text.to_owned(),
                comment: None,
            },
        );
        id
    }

    /// Defines every `LicenseRef-` in `expression` that has no entry yet (one the package
    /// database wrote itself).
    fn note_references(&mut self, expression: &str) {
        let tokens = expression.split(|c: char| c.is_whitespace() || c == '(' || c == ')');
        for t in tokens.filter(|t| t.starts_with("LicenseRef-")) {
            self.infos
                .entry(t.to_owned())
                .or_insert_with(|| ExtractedLicensingInfo {
                    license_id: t.to_owned(),
                    extracted_text: t.to_owned(),
                    name: t.to_owned(),
                    comment: Some(
                        "Declared by reference in the package metadata; the license text was not available."
                            .to_owned(),
                    ),
                });
        }
    }

    /// The entries, sorted by id.
    pub(super) fn into_infos(self) -> Vec<ExtractedLicensingInfo> {
        self.infos.into_values().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Ecosystem, License, Purl};

    fn pkg(licenses: &[License]) -> model::Package {
        let purl = Purl::builder("deb", "x")
            .namespace("debian")
            .build()
            .unwrap();
        let mut p = model::Package::new(Ecosystem::Deb, "x", "1", purl, "test");
        p.licenses = licenses.to_vec();
        p
    }

    #[test]
    fn free_text_becomes_a_license_ref() {
        let mut refs = LicenseRefs::default();
        let p = pkg(&[
            License::Expression("MIT OR Apache-2.0".into()),
            License::Name("Public Domain".into()),
        ]);
        assert_eq!(
            declared(&p, &mut refs),
            "(MIT OR Apache-2.0) AND LicenseRef-Public-Domain"
        );
        // The same text maps to the same id; a different text that sanitises alike does not.
        assert_eq!(refs.for_text("Public Domain"), "LicenseRef-Public-Domain");
        let other = refs.for_text("Public/Domain");
        assert!(other.starts_with("LicenseRef-Public-Domain-"), "{other}");
        let infos = refs.into_infos();
        assert_eq!(infos.len(), 2);
        assert_eq!(infos[0].extracted_text, "Public Domain");
    }

    #[test]
    fn long_text_is_shortened_and_ids_stay_valid() {
        let mut refs = LicenseRefs::default();
        let text = "see /usr/share/doc/foo/copyright for the (many) licenses of this package";
        let id = refs.for_text(text);
        assert!(id.len() <= "LicenseRef-".len() + MAX_REF_LEN + 17, "{id}");
        assert!(
            id["LicenseRef-".len()..]
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-'),
            "{id}"
        );
    }

    #[test]
    fn declared_refs_get_an_entry() {
        let mut refs = LicenseRefs::default();
        let p = pkg(&[License::Expression("MIT AND LicenseRef-Callaway".into())]);
        assert_eq!(declared(&p, &mut refs), "MIT AND LicenseRef-Callaway");
        let infos = refs.into_infos();
        assert_eq!(infos[0].license_id, "LicenseRef-Callaway");
        assert!(infos[0].comment.is_some());
        assert_eq!(
            declared(&pkg(&[]), &mut LicenseRefs::default()),
            "NOASSERTION"
        );
    }

    #[test]
    fn or_later_of_a_non_gnu_id_is_a_license_ref() {
        let mut refs = LicenseRefs::default();
        let p = pkg(&[License::parse("(MIT OR OpenSSL+) AND GPL-2.0+").unwrap()]);
        assert_eq!(
            declared(&p, &mut refs),
            "(MIT OR LicenseRef-OpenSSL-or-later) AND GPL-2.0-or-later"
        );
        let infos = refs.into_infos();
        assert_eq!(infos.len(), 1);
        assert_eq!(
            (
                infos[0].license_id.as_str(),
                infos[0].extracted_text.as_str()
            ),
            ("LicenseRef-OpenSSL-or-later", "OpenSSL+")
        );
        assert_eq!(infos[0].comment, None);
    }

    #[test]
    fn package_ids_are_sanitised_and_unique() {
        let a = pkg(&[]);
        let id = spdx_id_of(&a);
        assert!(id.starts_with("SPDXRef-Package-deb-x-"), "{id}");
        let mut b = pkg(&[]);
        b.name = "libstdc++6".into();
        b.purl = Purl::builder("deb", "libstdc++6").build().unwrap();
        assert!(spdx_id_of(&b).starts_with("SPDXRef-Package-deb-libstdc--6-"));
        assert_ne!(spdx_id_of(&a), spdx_id_of(&b));
    }
}
