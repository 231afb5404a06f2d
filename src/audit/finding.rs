//! Findings: the product of an audit (never an error), and where each one points.
//!
//! Every finding names its rule, a severity (after policy overrides), a one-line message and
//! its evidence: a file in a layer (with the layer that later deleted it, if any), a history
//! step, a Dockerfile line, a config field or a package. Text copied from the image (history
//! commands, env values) is redacted by [`crate::redact`] before it lands here, and again
//! when the report is assembled ([`Finding::redacted`]), so a report never repeats a secret.

use serde::Serialize;

use super::base::BaseMethod;
use super::rule::{RuleMeta, Severity};
use crate::redact;

/// Where a finding points.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Evidence {
    /// A file (or directory) in a layer.
    File {
        /// Absolute path in the image (`/app/.env`).
        path: String,
        /// The layer holding this copy (bottom = 0).
        layer: u32,
        /// That layer's diff_id, when known.
        #[serde(skip_serializing_if = "Option::is_none")]
        layer_digest: Option<String>,
        /// The layer that deleted or replaced it later, if any: the bytes still ship in
        /// `layer`.
        #[serde(skip_serializing_if = "Option::is_none")]
        removed_in: Option<u32>,
    },
    /// A step of the image's history (config `history[step]`).
    History {
        /// Index in the config's history array (all entries, empty layers included).
        step: usize,
        /// The layer the step made, if it made one.
        #[serde(skip_serializing_if = "Option::is_none")]
        layer: Option<u32>,
        /// The step's command, redacted and shortened.
        created_by: String,
    },
    /// A Dockerfile instruction.
    Dockerfile {
        /// The Dockerfile as given on the command line.
        path: String,
        /// First line of the instruction (1-based).
        line: usize,
        /// Last line (continuations, heredocs).
        end_line: usize,
        /// The instruction, redacted and shortened.
        instruction: String,
    },
    /// A field of the image config or manifest.
    Config {
        /// e.g. `config.User`, `config.Env`, `created`, `annotations`.
        field: String,
        /// The relevant value, redacted.
        #[serde(skip_serializing_if = "Option::is_none")]
        value: Option<String>,
    },
    /// A package.
    Package {
        /// Its purl.
        purl: String,
        /// The layer that introduced it.
        #[serde(skip_serializing_if = "Option::is_none")]
        layer: Option<u32>,
    },
    /// A place in the policy file.
    Policy {
        /// The policy file.
        path: String,
        /// Line (1-based), when known.
        #[serde(skip_serializing_if = "Option::is_none")]
        line: Option<usize>,
    },
}

impl Evidence {
    /// A short human description: `/app/.env (layer 2, deleted in layer 3)`.
    pub fn describe(&self) -> String {
        match self {
            Evidence::File {
                path,
                layer,
                removed_in,
                ..
            } => match removed_in {
                Some(r) => format!("{path} (layer {layer}, deleted in layer {r})"),
                None => format!("{path} (layer {layer})"),
            },
            Evidence::History {
                step,
                layer,
                created_by,
            } => match layer {
                Some(l) => format!("history step {step} (layer {l}): {created_by}"),
                None => format!("history step {step}: {created_by}"),
            },
            Evidence::Dockerfile {
                path,
                line,
                instruction,
                ..
            } => format!("{path}:{line}: {instruction}"),
            Evidence::Config { field, value } => match value {
                Some(v) => format!("{field} = {v}"),
                None => field.clone(),
            },
            Evidence::Package { purl, layer } => match layer {
                Some(l) => format!("{purl} (layer {l})"),
                None => purl.clone(),
            },
            Evidence::Policy { path, line } => match line {
                Some(l) => format!("{path}:{l}"),
                None => path.clone(),
            },
        }
    }
}

/// How the base image a finding depends on was identified.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct BaseRef {
    /// The base, as `name:tag@digest` with whatever parts are known.
    pub reference: String,
    /// Every method that identified it.
    pub identified_by: Vec<BaseMethod>,
}

/// One finding.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// Rule ID (`IMG001`).
    pub id: &'static str,
    /// Rule name (`runs-as-root`).
    pub name: &'static str,
    /// Rule title.
    pub title: &'static str,
    /// Severity, after policy overrides.
    pub severity: Severity,
    /// What was found, in one line.
    pub message: String,
    /// Where; the first entry is the primary location.
    pub locations: Vec<Evidence>,
    /// The package concerned, as a purl.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub package: Option<String>,
    /// For findings that depend on the base image: which base, identified how.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub base: Option<BaseRef>,
}

impl Finding {
    /// A finding of `meta` with its default severity.
    pub fn new(meta: &'static RuleMeta, message: impl Into<String>) -> Self {
        Finding {
            id: meta.id,
            name: meta.name,
            title: meta.title,
            severity: meta.severity,
            message: message.into(),
            locations: Vec::new(),
            package: None,
            base: None,
        }
    }

    /// Adds a location.
    pub fn at(mut self, e: Evidence) -> Self {
        self.locations.push(e);
        self
    }

    /// Sets the package.
    pub fn package(mut self, purl: impl Into<String>) -> Self {
        self.package = Some(purl.into());
        self
    }

    /// Sets the base the finding depends on.
    pub fn base(mut self, b: Option<BaseRef>) -> Self {
        self.base = b;
        self
    }

    /// The finding with every text copied from the image passed through [`redact::redact`]:
    /// the message and the evidence's commands and values. Rules redact what they quote; this
    /// is the last line of defence for text they quote without knowing it can hold a secret
    /// (an `ADD https://user:pw@host/x` URL in a message).
    pub fn redacted(mut self) -> Self {
        self.message = redact::redact(&self.message);
        for l in &mut self.locations {
            match l {
                Evidence::History { created_by: t, .. }
                | Evidence::Dockerfile { instruction: t, .. }
                | Evidence::Config { value: Some(t), .. } => *t = redact::redact(t),
                _ => {}
            }
        }
        self
    }

    /// The path of the primary file location, if the finding has one (for exceptions).
    pub fn path(&self) -> Option<&str> {
        self.locations.iter().find_map(|l| match l {
            Evidence::File { path, .. } => Some(path.as_str()),
            _ => None,
        })
    }

    /// A stable identity for the finding (SARIF `partialFingerprints`): rule and primary
    /// location, independent of message wording.
    pub fn fingerprint(&self) -> String {
        let loc = self.locations.first().map(|l| match l {
            Evidence::File { path, layer, .. } => format!("file:{path}@{layer}"),
            Evidence::History { step, .. } => format!("history:{step}"),
            Evidence::Dockerfile { path, line, .. } => format!("dockerfile:{path}:{line}"),
            Evidence::Config { field, .. } => format!("config:{field}"),
            Evidence::Package { purl, .. } => format!("package:{purl}"),
            Evidence::Policy { path, line } => format!("policy:{path}:{line:?}"),
        });
        let mut s = format!("{}|{}", self.id, loc.unwrap_or_default());
        if let Some(p) = &self.package {
            s.push('|');
            s.push_str(p);
        }
        s
    }
}

/// Where rules put their findings.
#[derive(Debug, Default)]
pub struct Findings {
    pub(crate) items: Vec<Finding>,
}

impl Findings {
    /// Adds one finding.
    pub fn push(&mut self, f: Finding) {
        self.items.push(f);
    }
}
