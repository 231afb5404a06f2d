//! What a rule is: stable metadata ([`RuleMeta`]) and a check ([`Rule`]).
//!
//! A rule's ID (`IMG001`) and name (`runs-as-root`) never change meaning and are never reused;
//! both work wherever a policy or the command line names a rule (ruff codes, cargo-deny names).
//! A rule's documentation is its doc comment, captured at compile time by [`declare_rule!`] so
//! that `consign rules explain ID` prints exactly what rustdoc shows.

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

use super::AuditCtx;
use super::finding::Findings;

/// How bad a finding is. Ordered: `Low < Medium < High < Critical`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth knowing; rarely a reason to block.
    Low,
    /// Should be fixed.
    Medium,
    /// Blocks by default (`--fail-on high`).
    High,
    /// Exposed secrets and the like: fix before anything else.
    Critical,
}

impl Severity {
    /// Every severity, most severe first.
    pub const ALL_DESC: [Severity; 4] = [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
    ];

    /// The lowercase name.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Severity {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.to_ascii_lowercase().as_str() {
            "low" => Ok(Severity::Low),
            "medium" => Ok(Severity::Medium),
            "high" => Ok(Severity::High),
            "critical" => Ok(Severity::Critical),
            _ => Err(format!(
                "unknown severity {s:?}: expected low, medium, high or critical"
            )),
        }
    }
}

/// The family a rule belongs to (its ID prefix).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Group {
    /// `BAS`: the base image.
    Base,
    /// `PIN`: unpinned versions.
    Pinning,
    /// `AGE`: missing rebuilds.
    Age,
    /// `IMG`: hardening of the image config and filesystem.
    Image,
    /// `SEC`: secrets.
    Secrets,
    /// `LIC`: licenses.
    License,
    /// `PKG`: packages.
    Package,
    /// `POL`: hygiene of the policy itself.
    Policy,
}

/// A rule's fixed facts.
#[derive(Debug, Serialize)]
pub struct RuleMeta {
    /// Stable ID, e.g. `IMG001`.
    pub id: &'static str,
    /// Stable kebab-case name, e.g. `runs-as-root`.
    pub name: &'static str,
    /// One-line title.
    pub title: &'static str,
    /// The family.
    pub group: Group,
    /// Severity unless the policy overrides it.
    pub severity: Severity,
    /// Whether the rule runs unless the policy says otherwise.
    pub default_enabled: bool,
    /// The version that introduced it.
    pub since: &'static str,
    /// The documentation (markdown): what it flags, why it matters, how to fix, a policy
    /// example. Lines keep rustdoc's leading space; see [`RuleMeta::explanation`].
    #[serde(skip)]
    pub doc: &'static str,
}

impl RuleMeta {
    /// The documentation with rustdoc's leading space removed from each line.
    pub fn explanation(&self) -> String {
        let mut out = String::new();
        for line in self.doc.lines() {
            out.push_str(line.strip_prefix(' ').unwrap_or(line));
            out.push('\n');
        }
        out.trim().to_owned() + "\n"
    }

    /// The first paragraph after `## What it flags`: the short help used in SARIF.
    pub fn summary(&self) -> String {
        let text = self.explanation();
        let mut lines = text
            .lines()
            .skip_while(|l| !l.starts_with("## What it flags"))
            .skip(1)
            .skip_while(|l| l.trim().is_empty());
        let mut out = Vec::new();
        for l in lines.by_ref() {
            if l.trim().is_empty() || l.starts_with('#') {
                break;
            }
            out.push(l.trim());
        }
        if out.is_empty() {
            self.title.to_owned()
        } else {
            out.join(" ")
        }
    }
}

/// A check over one image.
pub(crate) trait Rule: Sync {
    /// The rule's metadata.
    fn meta(&self) -> &'static RuleMeta;
    /// Adds the rule's findings to `out`.
    fn check(&self, cx: &AuditCtx<'_>, out: &mut Findings);
}

/// Declares a rule struct together with its [`RuleMeta`] (a module-level `META` static), the
/// struct's doc comment becoming the rule's documentation.
macro_rules! declare_rule {
    (
        $(#[doc = $doc:literal])*
        pub(crate) struct $name:ident;
        id: $id:literal,
        name: $rname:literal,
        title: $title:literal,
        group: $group:ident,
        severity: $sev:ident,
        enabled: $enabled:literal $(,)?
    ) => {
        $(#[doc = $doc])*
        pub(crate) struct $name;

        /// This rule's metadata.
        pub(crate) static META: $crate::audit::rule::RuleMeta = $crate::audit::rule::RuleMeta {
            id: $id,
            name: $rname,
            title: $title,
            group: $crate::audit::rule::Group::$group,
            severity: $crate::audit::rule::Severity::$sev,
            default_enabled: $enabled,
            since: "0.2.0",
            doc: concat!($($doc, "\n"),*),
        };
    };
}
pub(crate) use declare_rule;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn severities_order_and_parse() {
        assert!(Severity::Low < Severity::Critical);
        assert_eq!("HIGH".parse::<Severity>().unwrap(), Severity::High);
        assert!("severe".parse::<Severity>().is_err());
    }
}
