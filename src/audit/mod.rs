//! The auditor: is this image fit to ship?
//!
//! [`audit`] runs every enabled rule of the [`registry`] over one image — its SBOM, its
//! config and history, every layer's files (including files later layers deleted), the
//! Dockerfile when given, and the base catalog when given — then applies the policy's
//! severity overrides and exceptions and returns a [`Report`]. Findings are product output,
//! never errors; the library reads no clock: the caller passes `now`.
//!
//! Layout (one rule per file, registered in one list, ruff-style):
//! [`rule`] (trait, metadata, severities), [`finding`], [`policy`], [`registry`], `rules/`,
//! [`dockerfile`] and [`history`] (both into the [`step`] model), [`shell`], [`base`],
//! [`catalog`], [`eol`], [`secrets`], and the outputs [`report`] (JSON, table)
//! and [`sarif`].

pub mod base;
pub mod catalog;
pub mod dockerfile;
pub mod eol;
pub mod finding;
pub mod history;
pub mod policy;
pub mod registry;
pub mod report;
pub mod rule;
mod rules;
pub mod sarif;
pub mod secrets;
pub mod shell;
pub mod step;

use jiff::Timestamp;

use crate::Sbom;
use crate::fs::{EntryKind, LayerTree, LayeredFs, Whiteout};

pub use base::{BaseInfo, BaseMethod, Material};
pub use catalog::BaseCatalog;
pub use dockerfile::Dockerfile;
pub use finding::{Evidence, Finding};
pub use policy::{DEFAULT_POLICY, ValidPolicy};
pub use report::{Report, Suppressed};
pub use rule::{RuleMeta, Severity};

use finding::Findings;
use step::Step;

/// What the auditor looks at.
pub struct AuditInput<'a> {
    /// The image's SBOM (with its config, layers and distro).
    pub sbom: &'a Sbom,
    /// Every layer's entries and captured files ([`crate::scan_layers`] with
    /// [`secrets::CAPTURE`]).
    pub trees: &'a [LayerTree],
    /// The Dockerfile, when given.
    pub dockerfile: Option<&'a Dockerfile>,
    /// The base catalog, when given.
    pub catalog: Option<&'a BaseCatalog>,
    /// Provenance materials, when the image carries an attestation.
    pub provenance: &'a [Material],
    /// The time the policy is evaluated at (ages, EOL dates, exception expiry).
    pub now: Timestamp,
}

/// Everything a rule can read.
pub(crate) struct AuditCtx<'a> {
    pub sbom: &'a Sbom,
    pub trees: &'a [LayerTree],
    /// The filesystem a container sees.
    pub fs: LayeredFs<'a>,
    /// The history as steps, base steps marked.
    pub history: Vec<Step>,
    pub dockerfile: Option<&'a Dockerfile>,
    pub catalog: Option<&'a BaseCatalog>,
    pub base: BaseInfo,
    pub policy: &'a ValidPolicy,
    pub now: Timestamp,
}

impl<'a> AuditCtx<'a> {
    /// The instructions the instruction rules judge: the Dockerfile's when given (every
    /// stage), else the history's steps after the base.
    pub fn instructions(&self) -> Vec<&Step> {
        match self.dockerfile {
            Some(d) => d.steps.iter().collect(),
            None => self.history.iter().filter(|s| !s.in_base).collect(),
        }
    }

    /// Evidence for an instruction.
    pub fn step_evidence(&self, s: &Step) -> Evidence {
        s.evidence(self.dockerfile.map(|d| d.path.as_str()))
    }

    /// The first layer that is not the base's (0 when the base is unknown).
    pub fn app_layers_start(&self) -> u32 {
        self.base.layers.unwrap_or(0) as u32
    }

    /// Evidence for a file: its layer, that layer's digest, and the layer that later removed
    /// or replaced it.
    pub fn file_evidence(&self, layer: u32, path: &str) -> Evidence {
        Evidence::File {
            path: format!("/{path}"),
            layer,
            layer_digest: self
                .sbom
                .layers
                .get(layer as usize)
                .and_then(|l| l.diff_id.as_ref().map(|d| d.to_string())),
            removed_in: removed_in(self.trees, layer, path),
        }
    }
}

/// The first layer above `layer` that deletes or replaces `path`.
pub fn removed_in(trees: &[LayerTree], layer: u32, path: &str) -> Option<u32> {
    let under =
        |p: &str, dir: &str| dir.is_empty() || p == dir || p.starts_with(&format!("{dir}/"));
    for (j, t) in trees.iter().enumerate().skip(layer as usize + 1) {
        for w in &t.whiteouts {
            let hit = match w {
                Whiteout::Entry(e) => under(path, e),
                Whiteout::Opaque(d) => d.is_empty() || path.starts_with(&format!("{d}/")),
            };
            if hit {
                return Some(j as u32);
            }
        }
        if t.entries.iter().any(|e| {
            e.path == path
                || (e.meta.kind != EntryKind::Dir && path.starts_with(&format!("{}/", e.path)))
        }) {
            return Some(j as u32);
        }
    }
    None
}

/// Runs the audit.
pub fn audit(input: &AuditInput<'_>, policy: &ValidPolicy) -> Report {
    let mut history = history::steps(&input.sbom.image.config);
    let base = base::identify(
        input.sbom,
        &mut history,
        input.dockerfile,
        input.catalog,
        input.provenance,
    );
    let cx = AuditCtx {
        sbom: input.sbom,
        trees: input.trees,
        fs: LayeredFs::squashed(input.trees),
        history,
        dockerfile: input.dockerfile,
        catalog: input.catalog,
        base,
        policy,
        now: input.now,
    };
    let mut out = Findings::default();
    for r in registry::RULES {
        let meta = r.meta();
        let setting = policy.setting(meta);
        if !setting.enabled {
            continue;
        }
        let before = out.items.len();
        r.check(&cx, &mut out);
        for f in &mut out.items[before..] {
            f.severity = setting.severity;
        }
    }
    report::assemble(&cx, out.items, input.now)
}
