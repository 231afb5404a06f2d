//! The audit report: findings after exceptions, and its two human/machine renderings.
//!
//! JSON schema `consign-audit/1` (stable: fields are only ever added):
//! ```text
//! { "schema": "consign-audit/1",
//!   "tool": {"name", "version"}, "evaluated_at": RFC 3339, "policy": path | "<built-in>",
//!   "image": {"input", "name"?, "tag"?, "digest"?, "created"?, "platform"?, "distro"?, "layers"},
//!   "base": {"reference"?, "name"?, "tag"?, "digest"?, "name_by": [method], "layers"?,
//!            "history_len"?, "layers_by": [method], "created"?, "created_by"?, "catalog_by": [method],
//!            "evidence": [{"method", "detail"}]},
//!   "summary": {"critical", "high", "medium", "low", "suppressed"},
//!   "findings": [{"id", "name", "title", "severity", "message",
//!                 "locations": [{"kind": "file"|"history"|"dockerfile"|"config"|"package"|"policy", …}],
//!                 "package"?, "base"?: {"reference", "identified_by": [method]}}],
//!   "suppressed": [{"finding": {…}, "reason", "expires"?, "policy_line"}] }
//! ```
//! Methods are `annotation`, `provenance`, `dockerfile`, `history`, `catalog`. Findings are
//! sorted by severity (most severe first), rule ID, then location.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use jiff::Timestamp;
use serde::Serialize;

use super::AuditCtx;
use super::base::BaseInfo;
use super::finding::{Evidence, Finding};
use super::policy::Exception;
use super::registry;
use super::rule::Severity;
use crate::model::Tool;

/// The JSON schema identifier.
pub const SCHEMA: &str = "consign-audit/1";

/// The audited image, briefly.
#[derive(Clone, Debug, Serialize)]
pub struct ImageSummary {
    /// The source as given.
    pub input: String,
    /// Repository name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Tag.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tag: Option<String>,
    /// Manifest digest, else config digest.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub digest: Option<String>,
    /// Config `created`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    /// `os/arch`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub platform: Option<String>,
    /// `ID VERSION_ID`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub distro: Option<String>,
    /// Number of layers.
    pub layers: usize,
}

/// Counts per severity.
#[derive(Clone, Debug, Default, Serialize, PartialEq, Eq)]
pub struct Summary {
    /// Critical findings.
    pub critical: usize,
    /// High findings.
    pub high: usize,
    /// Medium findings.
    pub medium: usize,
    /// Low findings.
    pub low: usize,
    /// Findings an exception suppressed.
    pub suppressed: usize,
}

/// A finding an exception suppressed.
#[derive(Clone, Debug, Serialize)]
pub struct Suppressed {
    /// The finding.
    pub finding: Finding,
    /// The exception's reason.
    pub reason: String,
    /// Its expiry, as written.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires: Option<String>,
    /// Its line in the policy.
    pub policy_line: usize,
}

/// The outcome of an audit.
#[derive(Clone, Debug, Serialize)]
pub struct Report {
    /// [`SCHEMA`].
    pub schema: &'static str,
    /// consign and its version.
    pub tool: Tool,
    /// The `now` the policy was evaluated at.
    pub evaluated_at: String,
    /// The policy's source.
    pub policy: String,
    /// The image.
    pub image: ImageSummary,
    /// The base, and how it was identified.
    pub base: BaseInfo,
    /// Counts.
    pub summary: Summary,
    /// Findings, most severe first.
    pub findings: Vec<Finding>,
    /// Suppressed findings.
    pub suppressed: Vec<Suppressed>,
    /// IDs of the rules that ran.
    #[serde(skip)]
    pub rules_run: Vec<&'static str>,
}

impl Report {
    /// How many findings are at or above `threshold`.
    pub fn count_at_or_above(&self, threshold: Severity) -> usize {
        self.findings
            .iter()
            .filter(|f| f.severity >= threshold)
            .count()
    }

    /// The report as pretty JSON with a trailing newline.
    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).unwrap_or_default();
        s.push('\n');
        s
    }

    /// The report as a table grouped by severity.
    pub fn to_table(&self) -> String {
        let mut out = String::new();
        let img = &self.image;
        let _ = writeln!(
            out,
            "Image:  {}{}",
            match (&img.name, &img.tag) {
                (Some(n), Some(t)) => format!("{n}:{t}"),
                (Some(n), None) => n.clone(),
                _ => img.input.clone(),
            },
            img.digest
                .as_deref()
                .map(|d| format!(" ({d})"))
                .unwrap_or_default()
        );
        if let Some(d) = &img.distro {
            let _ = writeln!(out, "Distro: {d}");
        }
        if self.base.is_unknown() {
            let _ = writeln!(out, "Base:   not identified");
        } else {
            let methods: BTreeSet<&str> = self
                .base
                .evidence
                .iter()
                .map(|e| e.method.as_str())
                .collect();
            let _ = writeln!(
                out,
                "Base:   {}{} (identified by {})",
                self.base.display(),
                self.base
                    .layers
                    .map(|n| format!(", {n} layers"))
                    .unwrap_or_default(),
                methods.into_iter().collect::<Vec<_>>().join(", ")
            );
        }
        let _ = writeln!(
            out,
            "Policy: {} (evaluated at {})",
            self.policy, self.evaluated_at
        );
        for sev in Severity::ALL_DESC {
            let group: Vec<&Finding> = self.findings.iter().filter(|f| f.severity == sev).collect();
            if group.is_empty() {
                continue;
            }
            let _ = writeln!(
                out,
                "\n{} ({})",
                sev.as_str().to_ascii_uppercase(),
                group.len()
            );
            for f in group {
                let _ = writeln!(out, "  {:<7} {:<28} {}", f.id, f.name, f.message);
                for l in &f.locations {
                    let _ = writeln!(out, "  {:<7} {:<28}   at {}", "", "", l.describe());
                }
                if let Some(b) = &f.base {
                    let by: Vec<&str> = b.identified_by.iter().map(|m| m.as_str()).collect();
                    let _ = writeln!(
                        out,
                        "  {:<7} {:<28}   base {} (identified by {})",
                        "",
                        "",
                        b.reference,
                        by.join(", ")
                    );
                }
            }
        }
        let s = &self.summary;
        let _ = writeln!(
            out,
            "\n{} findings: {} critical, {} high, {} medium, {} low; {} suppressed by exceptions",
            self.findings.len(),
            s.critical,
            s.high,
            s.medium,
            s.low,
            s.suppressed
        );
        out
    }
}

/// Applies exceptions (and reports unmatched and expired ones), sorts, counts. A finding is
/// suppressed by the first live exception that matches it; every matching exception, live
/// or expired, counts as matched for POL001.
pub(crate) fn assemble(cx: &AuditCtx<'_>, mut items: Vec<Finding>, now: Timestamp) -> Report {
    let policy = cx.policy;
    let mut matched = vec![false; policy.exceptions.len()];
    let mut suppressed = Vec::new();
    let mut kept = Vec::new();
    for f in items.drain(..) {
        let f = f.redacted();
        let applies = |e: &Exception| {
            e.rule == f.id
                && e.path_glob
                    .as_ref()
                    .is_none_or(|g| f.path().is_some_and(|p| g.is_match(p)))
                && e.package.as_ref().is_none_or(|pk| {
                    f.package
                        .as_ref()
                        .is_some_and(|p| p.starts_with(pk.as_str()))
                })
        };
        let expired = |e: &Exception| e.expires.is_some_and(|t| t <= now);
        // A live exception suppresses; expired ones that match are only reported (POL002),
        // whatever their order in the file.
        let mut live = None;
        for (i, e) in policy.exceptions.iter().enumerate() {
            if applies(e) {
                matched[i] = true;
                if live.is_none() && !expired(e) {
                    live = Some(e);
                }
            }
        }
        match live {
            Some(e) => suppressed.push(Suppressed {
                finding: f,
                reason: e.reason.clone(),
                expires: e.expires_text.clone(),
                policy_line: e.line,
            }),
            None => kept.push(f),
        }
    }
    let unmatched = registry::lookup("POL001").map(|m| (m, policy.setting(m)));
    let expired = registry::lookup("POL002").map(|m| (m, policy.setting(m)));
    for (i, e) in policy.exceptions.iter().enumerate() {
        let at = Evidence::Policy {
            path: policy.source.clone(),
            line: Some(e.line),
        };
        let is_expired = e.expires.is_some_and(|t| t <= now);
        if is_expired && let Some((m, s)) = expired.filter(|(_, s)| s.enabled) {
            let mut f = Finding::new(
                m,
                format!(
                    "exception for {} expired on {}: it no longer suppresses findings ({})",
                    e.rule,
                    e.expires_text.as_deref().unwrap_or("?"),
                    e.reason
                ),
            )
            .at(at.clone());
            f.severity = s.severity;
            kept.push(f);
        }
        if !matched[i]
            && !is_expired
            && let Some((m, s)) = unmatched.filter(|(_, s)| s.enabled)
        {
            let mut f = Finding::new(
                m,
                format!(
                    "exception for {} matches no finding; remove it ({})",
                    e.rule, e.reason
                ),
            )
            .at(at);
            f.severity = s.severity;
            kept.push(f);
        }
    }
    kept.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then_with(|| a.id.cmp(b.id))
            .then_with(|| a.locations.cmp(&b.locations))
            .then_with(|| a.message.cmp(&b.message))
    });
    kept.dedup();
    let mut summary = Summary {
        suppressed: suppressed.len(),
        ..Summary::default()
    };
    for f in &kept {
        match f.severity {
            Severity::Critical => summary.critical += 1,
            Severity::High => summary.high += 1,
            Severity::Medium => summary.medium += 1,
            Severity::Low => summary.low += 1,
        }
    }
    let info = &cx.sbom.image;
    Report {
        schema: SCHEMA,
        tool: Tool::default(),
        evaluated_at: now.to_string(),
        policy: policy.source.clone(),
        image: ImageSummary {
            input: info.input.clone(),
            name: info.name.clone(),
            tag: info.tag.clone(),
            digest: info.digest().map(|d| d.to_string()),
            created: info.created.clone(),
            platform: info.platform.as_ref().map(|p| p.to_string()),
            distro: cx.sbom.distro.as_ref().map(|d| {
                format!("{} {}", d.id, d.version_id.as_deref().unwrap_or(""))
                    .trim()
                    .to_owned()
            }),
            layers: cx.sbom.layers.len(),
        },
        base: cx.base.clone(),
        summary,
        findings: kept,
        suppressed,
        rules_run: registry::RULES
            .iter()
            .map(|r| r.meta())
            .filter(|m| policy.setting(m).enabled)
            .map(|m| m.id)
            .collect(),
    }
}
