//! The audit policy: a TOML file (`serde`, `deny_unknown_fields`) validated into a
//! [`ValidPolicy`] before any rule runs, so a typo is an error naming the line and field
//! instead of a silently ignored setting (cargo-deny's approach).
//!
//! The built-in default ([`DEFAULT_POLICY`], printed by `consign audit
//! --print-default-policy`) documents every key; a user policy is read on top of it, so a key
//! left out keeps its default. Format: <https://toml.io/en/v1.0.0>.

use std::collections::{BTreeMap, BTreeSet};

use globset::{GlobSet, GlobSetBuilder};
use jiff::Timestamp;
use serde::Deserialize;
use toml::Spanned;

use super::registry;
use super::rule::{RuleMeta, Severity};
use crate::{Error, Result};

mod range;
mod units;

pub use range::VersionRange;
pub use units::{parse_duration, parse_expiry};

/// The built-in policy, verbatim.
pub const DEFAULT_POLICY: &str = include_str!("../default-policy.toml");

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct PolicyFile {
    thresholds: Option<Thresholds>,
    rules: Option<BTreeMap<String, Spanned<String>>>,
    hardening: Option<Hardening>,
    secrets: Option<Secrets>,
    licenses: Option<Licenses>,
    packages: Option<Packages>,
    eol: Option<BTreeMap<String, Spanned<String>>>,
    exceptions: Option<Vec<Spanned<ExceptionFile>>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Thresholds {
    max_image_age: Option<Spanned<toml::Value>>,
    max_base_age: Option<Spanned<toml::Value>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Hardening {
    sensitive_ports: Option<Vec<u16>>,
    required_labels: Option<Vec<String>>,
    setuid_allow: Option<Vec<String>>,
    world_writable_allow: Option<Vec<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Secrets {
    allow_paths: Option<Vec<String>>,
    allow_env: Option<Vec<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Licenses {
    deny: Option<Vec<Spanned<String>>>,
    allow: Option<Vec<Spanned<String>>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Packages {
    deny: Option<Vec<Spanned<DenyPackageFile>>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DenyPackageFile {
    purl: String,
    #[serde(default)]
    versions: Vec<String>,
    reason: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ExceptionFile {
    rule: String,
    path: Option<String>,
    package: Option<String>,
    reason: String,
    expires: Option<String>,
}

/// A rule's effective setting.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RuleSetting {
    /// Whether it runs.
    pub enabled: bool,
    /// Its severity.
    pub severity: Severity,
}

/// A package the policy denies.
#[derive(Clone, Debug)]
pub struct DeniedPackage {
    /// `pkg:type/namespace/name`, no version.
    pub purl: String,
    /// Version ranges (any matches); empty means every version.
    pub versions: Vec<VersionRange>,
    /// Why.
    pub reason: Option<String>,
}

/// An exception: suppresses the findings it matches until it expires.
#[derive(Clone, Debug)]
pub struct Exception {
    /// The rule's ID.
    pub rule: &'static str,
    /// Glob on the finding's file path.
    pub path: Option<String>,
    pub(crate) path_glob: Option<globset::GlobMatcher>,
    /// Purl prefix.
    pub package: Option<String>,
    /// Why (required).
    pub reason: String,
    /// When it stops suppressing (exclusive).
    pub expires: Option<Timestamp>,
    /// The text given for `expires`.
    pub expires_text: Option<String>,
    /// Its line in the policy file.
    pub line: usize,
}

/// A policy whose every name, date, glob and range has been checked.
#[derive(Clone, Debug)]
pub struct ValidPolicy {
    /// Where it came from: a path, or `<built-in>`.
    pub source: String,
    /// AGE001 threshold, in seconds.
    pub max_image_age: i64,
    /// BAS003 threshold, in seconds.
    pub max_base_age: i64,
    rules: BTreeMap<&'static str, RuleSetting>,
    /// IMG002 ports.
    pub sensitive_ports: BTreeSet<u16>,
    /// IMG009 labels.
    pub required_labels: Vec<String>,
    pub(crate) setuid_allow: GlobSet,
    pub(crate) world_writable_allow: GlobSet,
    pub(crate) secret_allow_paths: GlobSet,
    /// Env names never treated as secrets.
    pub secret_allow_env: BTreeSet<String>,
    /// LIC001 denied licenses.
    pub licenses_deny: Vec<String>,
    /// LIC001 allowed licenses (empty: all but denied).
    pub licenses_allow: Vec<String>,
    /// PKG001 denied packages.
    pub denied_packages: Vec<DeniedPackage>,
    /// EOL overrides: `id:version` → end of life.
    pub eol: BTreeMap<String, Timestamp>,
    /// Exceptions, in file order.
    pub exceptions: Vec<Exception>,
}

impl ValidPolicy {
    /// The built-in default policy.
    pub fn default_policy() -> ValidPolicy {
        // The built-in text is tested to parse; a failure here is a bug, not bad input.
        parse(DEFAULT_POLICY, "<built-in>").expect("the built-in policy is valid")
    }

    /// Parses a user policy, on top of the defaults.
    pub fn from_toml(text: &str, source: &str) -> Result<ValidPolicy> {
        parse(text, source)
    }

    /// The effective setting of a rule.
    pub fn setting(&self, meta: &RuleMeta) -> RuleSetting {
        self.rules.get(meta.id).copied().unwrap_or(RuleSetting {
            enabled: meta.default_enabled,
            severity: meta.severity,
        })
    }

    /// True when `path` (absolute) may be setuid/setgid.
    pub fn setuid_allowed(&self, path: &str) -> bool {
        self.setuid_allow.is_match(path)
    }

    /// True when `path` (absolute) may be world-writable.
    pub fn world_writable_allowed(&self, path: &str) -> bool {
        self.world_writable_allow.is_match(path)
    }

    /// True when `path` (absolute) is exempt from secret scanning.
    pub fn secret_path_allowed(&self, path: &str) -> bool {
        self.secret_allow_paths.is_match(path)
    }
}

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

fn parse(text: &str, source: &str) -> Result<ValidPolicy> {
    let err = |reason: String| Error::Policy {
        path: source.to_owned(),
        reason,
    };
    let at = |span: std::ops::Range<usize>, what: String| {
        err(format!("line {}: {what}", line_of(text, span.start)))
    };
    let file: PolicyFile = toml::from_str(text).map_err(|e| {
        let msg = e.message().trim().to_owned();
        match e.span() {
            Some(s) => err(format!("line {}: {msg}", line_of(text, s.start))),
            None => err(msg),
        }
    })?;
    let defaults: Option<PolicyFile> = if source == "<built-in>" {
        None
    } else {
        Some(toml::from_str(DEFAULT_POLICY).map_err(|e| err(format!("built-in policy: {e}")))?)
    };
    let d = defaults.unwrap_or_default();
    let pick = |u: Option<Vec<String>>, d: Option<Vec<String>>| u.or(d).unwrap_or_default();
    let th = file.thresholds.unwrap_or_default();
    let dth = d.thresholds.unwrap_or_default();
    let duration = |v: Option<Spanned<toml::Value>>, name: &str, fallback: i64| -> Result<i64> {
        match v {
            None => Ok(fallback),
            Some(s) => parse_duration(s.get_ref())
                .map_err(|why| at(s.span(), format!("thresholds.{name}: {why}"))),
        }
    };
    let max_image_age = duration(
        th.max_image_age.or(dth.max_image_age),
        "max_image_age",
        30 * 86_400,
    )?;
    let max_base_age = duration(
        th.max_base_age.or(dth.max_base_age),
        "max_base_age",
        90 * 86_400,
    )?;
    let mut rules = BTreeMap::new();
    for (key, value) in file.rules.unwrap_or_default() {
        let Some(meta) = registry::lookup(&key) else {
            return Err(at(
                value.span(),
                format!("rules.{key}: no rule has this ID or name (`consign rules` lists them)"),
            ));
        };
        let v = value.get_ref().to_ascii_lowercase();
        let setting = match v.as_str() {
            "off" => RuleSetting {
                enabled: false,
                severity: meta.severity,
            },
            "on" => RuleSetting {
                enabled: true,
                severity: meta.severity,
            },
            other => RuleSetting {
                enabled: true,
                severity: other.parse().map_err(|_| {
                    at(
                        value.span(),
                        format!(
                            "rules.{key}: {other:?} is not one of on, off, low, medium, high, critical"
                        ),
                    )
                })?,
            },
        };
        rules.insert(meta.id, setting);
    }
    let h = file.hardening.unwrap_or_default();
    let dh = d.hardening.unwrap_or_default();
    let s = file.secrets.unwrap_or_default();
    let ds = d.secrets.unwrap_or_default();
    let globs = |list: Vec<String>, key: &str| -> Result<GlobSet> {
        let mut b = GlobSetBuilder::new();
        for g in list {
            b.add(
                crate::fs::wants::compile(&g)
                    .map_err(|e| err(format!("{key}: invalid glob {g:?}: {e}")))?,
            );
        }
        b.build().map_err(|e| err(format!("{key}: {e}")))
    };
    let lic = file.licenses.unwrap_or_default();
    let license_list = |list: Option<Vec<Spanned<String>>>, key: &str| -> Result<Vec<String>> {
        let mut out = Vec::new();
        for l in list.unwrap_or_default() {
            if spdx::Licensee::parse(l.get_ref()).is_err()
                && spdx::license_id(l.get_ref()).is_none()
            {
                return Err(at(
                    l.span(),
                    format!(
                        "licenses.{key}: {:?} is not an SPDX license id",
                        l.get_ref()
                    ),
                ));
            }
            out.push(l.into_inner());
        }
        Ok(out)
    };
    let mut denied_packages = Vec::new();
    for p in file.packages.and_then(|p| p.deny).unwrap_or_default() {
        let span = p.span();
        let p = p.into_inner();
        if !p.purl.starts_with("pkg:") || p.purl.contains('@') {
            return Err(at(
                span,
                format!(
                    "packages.deny: purl {:?} must be pkg:TYPE/[NAMESPACE/]NAME without a version (use `versions`)",
                    p.purl
                ),
            ));
        }
        let mut versions = Vec::new();
        for v in &p.versions {
            versions.push(
                VersionRange::parse(v)
                    .map_err(|why| at(span.clone(), format!("packages.deny versions: {why}")))?,
            );
        }
        denied_packages.push(DeniedPackage {
            purl: p.purl,
            versions,
            reason: p.reason,
        });
    }
    let mut eol = BTreeMap::new();
    for (k, v) in file.eol.unwrap_or_default() {
        if !k.contains(':') {
            return Err(at(
                v.span(),
                format!("eol.{k}: keys are ID:VERSION, e.g. \"debian:11\""),
            ));
        }
        let t = parse_expiry(v.get_ref()).map_err(|why| at(v.span(), format!("eol.{k}: {why}")))?;
        eol.insert(k, t);
    }
    let mut exceptions = Vec::new();
    for e in file.exceptions.unwrap_or_default() {
        let line = line_of(text, e.span().start);
        let ex = e.into_inner();
        let bad = |what: String| err(format!("line {line}: exceptions: {what}"));
        let Some(meta) = registry::lookup(&ex.rule) else {
            return Err(bad(format!(
                "rule {:?}: no rule has this ID or name",
                ex.rule
            )));
        };
        if ex.reason.trim().is_empty() {
            return Err(bad("reason must not be empty".into()));
        }
        let path_glob = match &ex.path {
            Some(g) => Some(
                crate::fs::wants::compile(g)
                    .map_err(|e| bad(format!("path: invalid glob {g:?}: {e}")))?
                    .compile_matcher(),
            ),
            None => None,
        };
        let expires = match &ex.expires {
            Some(t) => Some(parse_expiry(t).map_err(|why| bad(format!("expires: {why}")))?),
            None => None,
        };
        exceptions.push(Exception {
            rule: meta.id,
            path: ex.path,
            path_glob,
            package: ex.package,
            reason: ex.reason,
            expires,
            expires_text: ex.expires,
            line,
        });
    }
    Ok(ValidPolicy {
        source: source.to_owned(),
        max_image_age,
        max_base_age,
        rules,
        sensitive_ports: h
            .sensitive_ports
            .or(dh.sensitive_ports)
            .unwrap_or_default()
            .into_iter()
            .collect(),
        required_labels: pick(h.required_labels, dh.required_labels),
        setuid_allow: globs(
            pick(h.setuid_allow, dh.setuid_allow),
            "hardening.setuid_allow",
        )?,
        world_writable_allow: globs(
            pick(h.world_writable_allow, dh.world_writable_allow),
            "hardening.world_writable_allow",
        )?,
        secret_allow_paths: globs(pick(s.allow_paths, ds.allow_paths), "secrets.allow_paths")?,
        secret_allow_env: pick(s.allow_env, ds.allow_env).into_iter().collect(),
        licenses_deny: license_list(lic.deny, "deny")?,
        licenses_allow: license_list(lic.allow, "allow")?,
        denied_packages,
        eol,
        exceptions,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_policy_parses() {
        let p = ValidPolicy::default_policy();
        assert_eq!(p.max_image_age, 30 * 86_400);
        assert!(p.sensitive_ports.contains(&22));
        assert!(p.setuid_allowed("/usr/bin/passwd"));
        assert!(!p.setuid_allowed("/usr/bin/sudo"));
        assert!(p.world_writable_allowed("/tmp/x/y"));
    }

    #[test]
    fn unknown_fields_name_the_line() {
        let e = ValidPolicy::from_toml("[thresholds]\nmax_age = \"3d\"\n", "p.toml")
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("policy p.toml: line 2: unknown field `max_age`"),
            "{e}"
        );
        let e = ValidPolicy::from_toml("[rules]\nIMG999 = \"off\"\n", "p.toml")
            .unwrap_err()
            .to_string();
        assert!(e.contains("line 2: rules.IMG999: no rule"), "{e}");
        let e = ValidPolicy::from_toml("[rules]\nIMG001 = \"loud\"\n", "p.toml")
            .unwrap_err()
            .to_string();
        assert!(e.contains("line 2"), "{e}");
        let e = ValidPolicy::from_toml(
            "[[exceptions]]\nrule = \"IMG001\"\nreason = \"x\"\nexpires = \"soon\"\n",
            "p.toml",
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("line 1: exceptions: expires"), "{e}");
    }

    #[test]
    fn user_values_override_defaults_and_rules_resolve_by_name() {
        let p = ValidPolicy::from_toml(
            "[thresholds]\nmax_image_age = 7\n[rules]\nruns-as-root = \"critical\"\nIMG004 = \"off\"\n",
            "p.toml",
        )
        .unwrap();
        assert_eq!(p.max_image_age, 7 * 86_400);
        assert_eq!(p.max_base_age, 90 * 86_400);
        assert!(p.sensitive_ports.contains(&22));
        let root = registry::lookup("IMG001").unwrap();
        assert_eq!(p.setting(root).severity, Severity::Critical);
        assert!(
            !p.setting(registry::lookup("no-healthcheck").unwrap())
                .enabled
        );
    }

    // See: the audit review, finding 4.
    #[test]
    fn an_overflowing_age_names_the_line_and_field() {
        let e = ValidPolicy::from_toml(
            "[thresholds]\nmax_image_age = 9223372036854775807\n",
            "p.toml",
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.starts_with(
                "policy p.toml: line 2: thresholds.max_image_age: 9223372036854775807 is"
            ),
            "{e}"
        );
        let p = ValidPolicy::from_toml("[eol]\n\"x:y\" = \"9999-12-31\"\n", "p.toml").unwrap();
        assert_eq!(p.eol["x:y"], Timestamp::MAX);
    }
}
