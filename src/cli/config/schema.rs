//! The config file's schema ([`File`]: one section per subcommand, `deny_unknown_fields`) and
//! the checks that turn its values into [`ArgDefault`]s.

use std::path::Path;

use clap::ValueEnum;
use serde::Deserialize;
use toml::Spanned;

use super::{ArgDefault, located};

/// One config file, as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(super) struct File {
    #[serde(default)]
    sbom: SbomSection,
    #[serde(default)]
    audit: AuditSection,
    #[serde(default)]
    diff: DiffSection,
    #[serde(default)]
    score: ScoreSection,
    #[serde(default)]
    attest: KeySection,
    #[serde(default)]
    verify: KeySection,
    #[serde(default)]
    registry: RegistrySection,
    /// `name = value` per resource limit, for `sbom` and `audit` (`--limit`).
    #[serde(default)]
    limits: std::collections::BTreeMap<String, Spanned<LimitValue>>,
}

/// A limit's value: a number, or a size with a unit (`"512MiB"`).
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum LimitValue {
    Number(u64),
    Text(String),
}

type Text = Option<Spanned<String>>;
type List = Option<Spanned<Vec<String>>>;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct SbomSection {
    output: List,
    scope: Text,
    verify: Text,
    platform: Text,
    catalogers: List,
    supplier: Text,
    jobs: Option<Spanned<u32>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct AuditSection {
    output: List,
    policy: Text,
    fail_on: Text,
    base_catalog: Text,
    platform: Text,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct DiffSection {
    output: List,
    fail_on: List,
    deny_license: List,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct ScoreSection {
    output: List,
    fail_under: Option<Spanned<f64>>,
    standard: Text,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct KeySection {
    key: Text,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RegistrySection {
    insecure: Option<Spanned<bool>>,
    ca: Text,
}

/// Turns a parsed file into [`ArgDefault`]s, checking each value.
pub(super) struct Builder<'a> {
    pub(super) path: &'a Path,
    pub(super) text: &'a str,
    pub(super) base: &'a Path,
    pub(super) out: Vec<ArgDefault>,
    /// The `[limits]` entries, as `NAME=VALUE`.
    pub(super) limits: Vec<(String, String)>,
}

/// What a value must be.
enum Check {
    Any,
    Path,
    Platform,
    Enum(fn(&str) -> bool, &'static str),
    Output(&'static [&'static str]),
}

impl Builder<'_> {
    pub(super) fn collect(&mut self, f: File) -> anyhow::Result<()> {
        use Check::*;
        let s = f.sbom;
        let sbom_formats = &["table", "cyclonedx-json", "spdx-json"];
        self.set(
            "sbom",
            "outputs",
            "[sbom] output",
            s.output,
            Output(sbom_formats),
        )?;
        let scope = Enum(
            is_variant::<crate::cli::sbom::ScopeArg>,
            "squashed, all-layers",
        );
        self.set("sbom", "scope", "[sbom] scope", one(s.scope), scope)?;
        let verify = Enum(is_variant::<crate::cli::sbom::VerifyArg>, "all, blobs");
        self.set("sbom", "verify", "[sbom] verify", one(s.verify), verify)?;
        self.set(
            "sbom",
            "platform",
            "[sbom] platform",
            one(s.platform),
            Platform,
        )?;
        if let Some(c) = &s.catalogers
            && let Err(e) = consign::catalog::registry::select(c.get_ref())
        {
            return Err(self.error(c.span().start, "[sbom] catalogers", &e));
        }
        self.set("sbom", "catalogers", "[sbom] catalogers", s.catalogers, Any)?;
        self.set("sbom", "supplier", "[sbom] supplier", one(s.supplier), Any)?;
        if let Some(j) = s.jobs {
            if *j.get_ref() == 0 {
                return Err(self.error(j.span().start, "[sbom] jobs", "must be at least 1"));
            }
            self.push("sbom", "jobs", vec![j.get_ref().to_string()]);
        }

        let a = f.audit;
        let audit_formats = &["table", "json", "sarif"];
        self.set(
            "audit",
            "outputs",
            "[audit] output",
            a.output,
            Output(audit_formats),
        )?;
        self.set("audit", "policy", "[audit] policy", one(a.policy), Path)?;
        let sev = Enum(
            |v| v.parse::<consign::audit::Severity>().is_ok(),
            "low, medium, high, critical",
        );
        self.set("audit", "fail_on", "[audit] fail-on", one(a.fail_on), sev)?;
        let catalog = one(a.base_catalog);
        self.set(
            "audit",
            "base_catalog",
            "[audit] base-catalog",
            catalog,
            Path,
        )?;
        self.set(
            "audit",
            "platform",
            "[audit] platform",
            one(a.platform),
            Platform,
        )?;

        let d = f.diff;
        let diff_formats = &["table", "markdown", "md", "json"];
        self.set(
            "diff",
            "outputs",
            "[diff] output",
            d.output,
            Output(diff_formats),
        )?;
        let kinds = "added, removed, upgraded, downgraded, changed, license-change, any";
        let kind = Enum(is_variant::<crate::cli::diff::FailOn>, kinds);
        self.set("diff", "fail_on", "[diff] fail-on", d.fail_on, kind)?;
        self.set(
            "diff",
            "deny_license",
            "[diff] deny-license",
            d.deny_license,
            Any,
        )?;

        let sc = f.score;
        let score_formats = Output(&["table", "json"]);
        self.set(
            "score",
            "outputs",
            "[score] output",
            sc.output,
            score_formats,
        )?;
        if let Some(p) = sc.fail_under {
            if !(0.0..=100.0).contains(p.get_ref()) {
                let e = "expected a percentage from 0 to 100";
                return Err(self.error(p.span().start, "[score] fail-under", e));
            }
            self.push("score", "fail_under", vec![p.get_ref().to_string()]);
        }
        let std = Enum(
            is_variant::<crate::cli::score::StandardArg>,
            "ntia, cisa-2025",
        );
        self.set(
            "score",
            "standard",
            "[score] standard",
            one(sc.standard),
            std,
        )?;

        self.set("attest", "key", "[attest] key", one(f.attest.key), Path)?;
        self.set("verify", "key", "[verify] key", one(f.verify.key), Path)?;

        for (name, v) in f.limits {
            let at = v.span().start;
            let value = match v.into_inner() {
                LimitValue::Number(n) => n.to_string(),
                LimitValue::Text(t) => t,
            };
            if let Err(e) = consign::source::Limits::default().set(&name, &value) {
                return Err(self.error(at, &format!("[limits] {name}"), &e));
            }
            self.limits.push((name, value));
        }

        let r = f.registry;
        for command in ["sbom", "audit", "attach", "referrers"] {
            if let Some(i) = &r.insecure {
                self.push(command, "insecure_registry", vec![i.get_ref().to_string()]);
            }
            let ca = one(r.ca.clone());
            self.set(command, "registry_ca", "[registry] ca", ca, Path)?;
        }
        Ok(())
    }

    fn push(&mut self, command: &'static str, arg: &'static str, values: Vec<String>) {
        self.out.push(ArgDefault {
            command,
            arg,
            values,
            origin: self.path.to_owned(),
        });
    }

    /// Checks `v` and records it as the default of `command`'s `arg`; `what` names the key in
    /// errors.
    fn set(
        &mut self,
        command: &'static str,
        arg: &'static str,
        what: &str,
        v: List,
        check: Check,
    ) -> anyhow::Result<()> {
        let Some(v) = v else { return Ok(()) };
        let at = v.span().start;
        let mut values = Vec::new();
        for value in v.into_inner() {
            let problem = match &check {
                Check::Any | Check::Path => None,
                Check::Platform => consign::source::parse_platform(&value).err(),
                Check::Enum(ok, expected) => (!ok(&value))
                    .then(|| format!("invalid value {value:?} (expected one of {expected})")),
                Check::Output(formats) => {
                    let (format, _) = crate::cli::output::split_spec(&value);
                    let name = format.split('@').next().unwrap_or(format);
                    (!formats.contains(&name)).then(|| {
                        format!(
                            "invalid output {value:?}: unknown format {format:?} (expected {})",
                            formats.join(", ")
                        )
                    })
                }
            };
            if let Some(p) = problem {
                return Err(self.error(at, what, &p));
            }
            if matches!(check, Check::Path) {
                values.push(self.base.join(&value).display().to_string());
            } else {
                values.push(value);
            }
        }
        self.push(command, arg, values);
        Ok(())
    }

    fn error(&self, at: usize, what: &str, message: &str) -> anyhow::Error {
        located(self.path, self.text, at, Some(what), message)
    }
}

/// A single value as a one-element list.
fn one(v: Text) -> List {
    v.map(|s| {
        let span = s.span();
        Spanned::new(span, vec![s.into_inner()])
    })
}

/// Whether `v` names a variant of the clap value enum `E`.
fn is_variant<E: ValueEnum>(v: &str) -> bool {
    E::from_str(v, false).is_ok()
}
