//! `yarn.lock`, both formats.
//!
//! - Yarn 1 ("classic", <https://classic.yarnpkg.com/lang/en/docs/yarn-lock/>) writes its own
//!   YAML-like syntax, read here by hand: an unindented header listing the descriptors an
//!   entry satisfies (`"@babel/x@^7.0.0", "@babel/x@^7.4.4":`), two-space fields
//!   (`version "7.4.4"`, `resolved`, `integrity`) and four-space `dependencies:` lines
//!   (`lodash "^4.17.11"`). A dependency resolves to the entry whose header lists
//!   `name@range`.
//! - Yarn 2+ ("Berry", <https://yarnpkg.com/configuration/yarnrc>) writes YAML with a
//!   `__metadata` entry; descriptors carry a protocol (`ms@npm:^2.1.1`; a range without one
//!   means `npm:`). Workspace entries (`@workspace:`, the project itself and its local
//!   packages) are not dependencies. `checksum` hashes Yarn's cache archive, not the npm
//!   tarball, so it is a property, not a package checksum.
//!
//! Neither format records which packages are dev dependencies.

use std::collections::{BTreeMap, HashMap};

use serde::Deserialize;

use super::pnpm::Scalar;
use super::{LOCK_NAME, apply_source, meta, new_package, split_name};
use crate::catalog::{CatalogOutput, parse_failure};
use crate::fs::Location;
use crate::model::{Evidence, RelationshipKind};

/// Parses either format of `yarn.lock`.
pub(super) fn parse_yarn_lock(bytes: &[u8], loc: &Location) -> Result<CatalogOutput, String> {
    let text = std::str::from_utf8(bytes).map_err(|e| format!("not UTF-8: {e}"))?;
    // A dependency is a line, and two strings once parsed.
    crate::source::limits::check_items(bytes, crate::source::limits::Items::Separators(b"\n"))?;
    if text.lines().any(|l| l.starts_with("__metadata:")) {
        parse_berry(text, loc)
    } else {
        Ok(parse_classic(text, loc))
    }
}

/// One entry of either format.
#[derive(Default)]
struct Entry {
    descriptors: Vec<String>,
    name: String,
    version: String,
    resolved: Option<String>,
    integrity: Option<String>,
    checksum: Option<String>,
    /// Berry's `resolution` (`ms@npm:2.1.1`).
    resolution: Option<String>,
    /// `(name, range)` of each dependency, as written.
    deps: Vec<(String, String)>,
    line: usize,
}

fn unquote(s: &str) -> &str {
    let s = s.trim();
    s.strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .unwrap_or(s)
}

/// The package a descriptor names: `foo@npm:bar@^1` installs `bar`.
fn descriptor_name(d: &str) -> Option<&str> {
    let (name, range) = split_name(d)?;
    match range.strip_prefix("npm:").and_then(split_name) {
        Some((real, _)) => Some(real),
        None => Some(name),
    }
}

fn parse_classic(text: &str, loc: &Location) -> CatalogOutput {
    let mut entries: Vec<Entry> = Vec::new();
    let mut section: Option<String> = None;
    for (n, line) in text.lines().enumerate() {
        let trimmed = line.trim_end();
        if trimmed.is_empty() || trimmed.trim_start().starts_with('#') {
            continue;
        }
        let indent = trimmed.len() - trimmed.trim_start().len();
        let body = trimmed.trim_start();
        if indent == 0 {
            let header = body.strip_suffix(':').unwrap_or(body);
            let descriptors: Vec<String> = header
                .split(", ")
                .map(|d| unquote(d).to_owned())
                .filter(|d| !d.is_empty())
                .collect();
            let name = descriptors
                .first()
                .and_then(|d| descriptor_name(d))
                .unwrap_or("")
                .to_owned();
            entries.push(Entry {
                descriptors,
                name,
                line: n + 1,
                ..Entry::default()
            });
            section = None;
            continue;
        }
        let Some(e) = entries.last_mut() else {
            continue;
        };
        if indent <= 2 {
            section = None;
            if let Some(key) = body.strip_suffix(':') {
                section = Some(unquote(key).to_owned());
                continue;
            }
            let (key, value) = split_field(body);
            match key {
                "version" => e.version = value.to_owned(),
                "resolved" => e.resolved = Some(value.to_owned()),
                "integrity" => e.integrity = Some(value.to_owned()),
                _ => {}
            }
        } else if matches!(
            section.as_deref(),
            Some("dependencies" | "optionalDependencies")
        ) {
            let (name, range) = split_field(body);
            e.deps.push((name.to_owned(), range.to_owned()));
        }
    }
    build(entries, loc, |name, range| format!("{name}@{range}"))
}

/// `key value` or `"key" "value"`.
fn split_field(body: &str) -> (&str, &str) {
    let (k, v) = if let Some(rest) = body.strip_prefix('"') {
        match rest.find('"') {
            Some(i) => (&rest[..i], &rest[i + 1..]),
            None => (rest, ""),
        }
    } else {
        body.split_once(' ').unwrap_or((body, ""))
    };
    (k, unquote(v))
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct BerryEntry {
    version: Option<Scalar>,
    resolution: Option<String>,
    checksum: Option<Scalar>,
    link_type: Option<String>,
    dependencies: BTreeMap<String, Scalar>,
    optional_dependencies: BTreeMap<String, Scalar>,
}

fn parse_berry(text: &str, loc: &Location) -> Result<CatalogOutput, String> {
    let doc: BTreeMap<String, BerryEntry> =
        serde_saphyr::from_str(text).map_err(|e| e.to_string())?;
    let mut entries = Vec::new();
    for (key, e) in doc {
        if key == "__metadata" {
            continue;
        }
        let resolution = e.resolution.unwrap_or_default();
        if resolution.contains("@workspace:") || e.link_type.as_deref() == Some("soft") {
            continue;
        }
        let name = split_name(&resolution)
            .map(|(n, _)| n)
            .or_else(|| key.split(", ").next().and_then(descriptor_name))
            .unwrap_or("")
            .to_owned();
        entries.push(Entry {
            descriptors: key.split(", ").map(|d| unquote(d).to_owned()).collect(),
            name,
            version: e.version.map(|v| v.0).unwrap_or_default(),
            resolution: (!resolution.is_empty()).then_some(resolution),
            checksum: e.checksum.map(|c| c.0),
            deps: e
                .dependencies
                .into_iter()
                .chain(e.optional_dependencies)
                .map(|(k, v)| (k, v.0))
                .collect(),
            ..Entry::default()
        });
    }
    Ok(build(entries, loc, |name, range| {
        if range.contains(':') {
            format!("{name}@{range}")
        } else {
            format!("{name}@npm:{range}")
        }
    }))
}

/// Packages and edges from entries; `descriptor` spells a dependency as entry headers do.
fn build(
    entries: Vec<Entry>,
    loc: &Location,
    descriptor: impl Fn(&str, &str) -> String,
) -> CatalogOutput {
    let mut out = CatalogOutput::default();
    let mut by_descriptor: HashMap<&str, usize> = HashMap::new();
    let mut kept: Vec<(usize, &Entry)> = Vec::new();
    for e in &entries {
        let mut p = match new_package(&e.name, &e.version, Evidence::Declared, LOCK_NAME, loc) {
            Ok(p) => p,
            Err(why) => {
                let at = if e.line > 0 {
                    format!("entry at line {}: {why}", e.line)
                } else {
                    format!("{}: {why}", e.descriptors.join(", "))
                };
                out.unknowns.push(parse_failure(LOCK_NAME, loc, at));
                continue;
            }
        };
        apply_source(&mut p, e.resolved.as_deref(), e.integrity.as_deref());
        if let Some(r) = &e.resolution {
            meta(&mut p).property("resolution", r.as_str());
        }
        if let Some(c) = &e.checksum {
            meta(&mut p).property("checksum", c.as_str());
        }
        let i = out.packages.len();
        for d in &e.descriptors {
            by_descriptor.insert(d.as_str(), i);
        }
        kept.push((i, e));
        out.packages.push(p);
    }
    for (i, e) in kept {
        for (name, range) in &e.deps {
            if let Some(&j) = by_descriptor.get(descriptor(name, range).as_str())
                && j != i
            {
                out.relationships.push((i, j, RelationshipKind::DependsOn));
            }
        }
    }
    out
}
