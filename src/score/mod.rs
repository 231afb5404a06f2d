//! How complete an SBOM is: the minimum elements of the NTIA (2021,
//! <https://www.ntia.gov/report/2021/minimum-elements-software-bill-materials-sbom>) and of
//! CISA's 2025 update (<https://www.cisa.gov/resources-tools/resources/2025-minimum-elements-software-bill-materials-sbom>),
//! each measured as a share of the components that carry it, with the components that lack
//! it listed.
//!
//! | field | NTIA | CISA 2025 | a component (or the document) has it when |
//! | --- | :-: | :-: | --- |
//! | `creator` | ✓ | | the document names who or what made it: an author or a tool (the NTIA element "author of SBOM data"; the NTIA conformance checker and sbomqs accept a tool) |
//! | `author` | | ✓ | the document names a person or organisation that wrote it (CycloneDX `metadata.authors`, SPDX `Person:`/`Organization:` creators); CISA 2025 distinguishes the author from the tool |
//! | `supplier` | ✓ | ✓ (software producer) | a supplier (CycloneDX `supplier` or `manufacturer`, SPDX `supplier`) |
//! | `name` | ✓ | ✓ | a name |
//! | `version` | ✓ | ✓ | a version |
//! | `identifier` | ✓ | ✓ (software identifiers) | a purl or a CPE (a purl consign made up for a component without one does not count) |
//! | `hash` | | ✓ | a hash with its algorithm |
//! | `license` | | ✓ | a declared (or concluded) license other than `NOASSERTION` |
//! | `relationship` | ✓ | ✓ (dependency relationship) | some relationship of the document names it (contained in the image, depends on, …) |
//! | `dependencies-complete` | | ✓ (completeness) | the document states all its dependencies, possibly none (a CycloneDX `dependencies` entry; SPDX `DEPENDS_ON`, including `DEPENDS_ON NONE`) |
//! | `tool` | | ✓ (tool name) | the document names the tool that made it |
//! | `timestamp` | ✓ | ✓ | the document has a creation time |
//! | `generation-context` | | ✓ | the document says at which lifecycle phase it was made (CycloneDX `metadata.lifecycles`; in SPDX 2.3, which has no field for it, a `Lifecycle phase: …` creation comment, as consign writes) |
//!
//! A standard's score is the mean of its fields' coverage; a component field of an SBOM
//! without components is not applicable and left out of the mean. consign's own SBOMs carry
//! every field the image makes knowable: what they lack is what the image does not record
//! (dpkg keeps no package hash; a package without a copyright file declares no license; an
//! image says nothing about who generates its SBOM, so CISA's `author` is absent).
//!
//! # JSON output
//!
//! `consign score -o json` writes [`Score`] as one object; fields are only ever added:
//!
//! ```json
//! { "source": "app.cdx.json", "format": "cyclonedx-json@1.6", "producer": "trivy 0.59.1",
//!   "components": 14,
//!   "fields": [ { "id": "supplier", "scope": "component", "standards": ["ntia", "cisa2025"],
//!                 "covered": 0, "total": 14, "percent": 0.0,
//!                 "missing": ["pkg:apk/alpine/musl@1.1.24-r2?arch=x86_64", "…"] } ],
//!   "ntia": 85.7, "cisa2025": 75.0 }
//! ```
//!
//! `fields` lists every field of the table above, in its order; `percent` is absent when
//! nothing was measured (`total` 0) and `missing` when nothing is missing. Percentages are
//! rounded to one decimal.

mod render;

use serde::Serialize;

use crate::Sbom;
use crate::model::Package;

pub use render::{json, table};

/// A minimum-elements standard.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Standard {
    /// NTIA, The Minimum Elements for a Software Bill of Materials (2021).
    Ntia,
    /// CISA, 2025 Minimum Elements for a Software Bill of Materials.
    Cisa2025,
}

impl Standard {
    /// The name as the CLI spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            Standard::Ntia => "ntia",
            Standard::Cisa2025 => "cisa-2025",
        }
    }
}

/// Whether a field is measured on every component or on the document.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Scope {
    /// Per component.
    Component,
    /// Once, for the whole document.
    Document,
}

/// One field's coverage.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Field {
    /// The field's id (`supplier`, `hash`, …).
    pub id: &'static str,
    /// Component or document field.
    pub scope: Scope,
    /// The standards that require it.
    pub standards: Vec<Standard>,
    /// How many components (or 1 for the document) have it.
    pub covered: usize,
    /// How many were measured (0 when there is nothing to measure).
    pub total: usize,
    /// `covered / total` in percent, rounded to one decimal; absent when `total` is 0.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub percent: Option<f64>,
    /// The components without it (`purl`, or `name@version` when there is none).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub missing: Vec<String>,
}

/// The score of one SBOM.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Score {
    /// The input as given.
    pub source: String,
    /// Its format (`cyclonedx-json@1.6`).
    pub format: String,
    /// Its producer.
    pub producer: String,
    /// The number of components measured.
    pub components: usize,
    /// Every field, in the table's order.
    pub fields: Vec<Field>,
    /// The NTIA score in percent.
    pub ntia: f64,
    /// The CISA 2025 score in percent.
    pub cisa2025: f64,
}

impl Score {
    /// The score under `standard`.
    pub fn of(&self, standard: Standard) -> f64 {
        match standard {
            Standard::Ntia => self.ntia,
            Standard::Cisa2025 => self.cisa2025,
        }
    }

    /// The field with id `id`.
    pub fn field(&self, id: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.id == id)
    }
}

const BOTH: &[Standard] = &[Standard::Ntia, Standard::Cisa2025];
const CISA: &[Standard] = &[Standard::Cisa2025];
const NTIA: &[Standard] = &[Standard::Ntia];

fn label(p: &Package) -> String {
    if p.synthetic_purl {
        format!("{}@{}", p.name, p.version)
    } else {
        p.purl.to_string()
    }
}

fn percent(covered: usize, total: usize) -> Option<f64> {
    (total > 0).then(|| (covered as f64 * 1000.0 / total as f64).round() / 10.0)
}

/// Scores `sbom`, read from a document (see [`crate::decode`]). For a scan (no
/// [`Sbom::document`]), the facts consign's encoders add (tool, time, phase, graph) count as
/// present; score the encoded document instead to measure it as written.
pub fn score(sbom: &Sbom) -> Score {
    let doc = sbom.document.as_ref();
    let component = |id: &'static str, standards: &[Standard], has: &dyn Fn(&Package) -> bool| {
        let missing: Vec<String> = sbom
            .packages
            .iter()
            .filter(|p| !has(p))
            .map(label)
            .collect();
        let total = sbom.packages.len();
        let covered = total - missing.len();
        Field {
            id,
            scope: Scope::Component,
            standards: standards.to_vec(),
            covered,
            total,
            percent: percent(covered, total),
            missing,
        }
    };
    let document = |id: &'static str, standards: &[Standard], has: bool| Field {
        id,
        scope: Scope::Document,
        standards: standards.to_vec(),
        covered: usize::from(has),
        total: 1,
        percent: percent(usize::from(has), 1),
        missing: Vec::new(),
    };
    let related = |p: &Package| doc.is_none_or(|d| d.related.contains(&p.id()));
    let authored = doc.is_some_and(|d| !d.authors.is_empty());
    let tooled = doc.is_none_or(|d| !d.tools.is_empty());
    let fields = vec![
        document("creator", NTIA, authored || tooled),
        document("author", CISA, authored),
        component("supplier", BOTH, &|p| p.supplier.is_some()),
        component("name", BOTH, &|p| !p.name.trim().is_empty()),
        component("version", BOTH, &|p| !p.version.trim().is_empty()),
        component("identifier", BOTH, &|p| {
            !p.synthetic_purl || !p.cpes.is_empty()
        }),
        component("hash", CISA, &|p| !p.checksums.is_empty()),
        component("license", CISA, &|p| !p.licenses.is_empty()),
        component("relationship", BOTH, &related),
        component("dependencies-complete", CISA, &|p| p.dependencies_known),
        document("tool", CISA, tooled),
        document("timestamp", BOTH, doc.is_none_or(|d| d.timestamp.is_some())),
        document(
            "generation-context",
            CISA,
            doc.is_none_or(|d| !d.lifecycles.is_empty()),
        ),
    ];
    let mean = |s: Standard| {
        let ps: Vec<f64> = fields
            .iter()
            .filter(|f| f.standards.contains(&s))
            .filter_map(|f| f.percent)
            .collect();
        let m = ps.iter().sum::<f64>() / ps.len().max(1) as f64;
        (m * 10.0).round() / 10.0
    };
    let (format, producer) = match doc {
        Some(d) => (d.format.to_string(), d.producer()),
        None => (
            "image".to_owned(),
            format!("{} {}", sbom.tool.name, sbom.tool.version),
        ),
    };
    Score {
        source: sbom.image.input.clone(),
        format,
        producer,
        components: sbom.packages.len(),
        ntia: mean(Standard::Ntia),
        cisa2025: mean(Standard::Cisa2025),
        fields,
    }
}

#[cfg(test)]
mod tests;
