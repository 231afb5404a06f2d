//! The report as SARIF 2.1.0, for GitHub code scanning.
//!
//! A hand-written subset of <https://docs.oasis-open.org/sarif/sarif/v2.1.0/sarif-v2.1.0.html>
//! (tests validate it against the vendored OASIS schema, `schemas/sarif-2.1.0.schema.json`),
//! shaped by what GitHub requires and uses
//! (<https://docs.github.com/en/code-security/code-scanning/integrating-with-code-scanning/sarif-support-for-code-scanning>):
//! every rule that ran is in `tool.driver.rules` with `shortDescription`, `fullDescription`,
//! `help` (text and markdown: the rule's documentation), `defaultConfiguration.level` and a
//! numeric `security-severity` property (GitHub maps ≥ 9.0 to critical, ≥ 7.0 high, ≥ 4.0
//! medium, else low); every result has a `ruleId`, `ruleIndex`, `level`, a message, a
//! `partialFingerprints` entry and at least one physical location. A Dockerfile finding
//! points at the Dockerfile and its line; an image finding points at the Dockerfile's first
//! line when a Dockerfile was given (so code scanning can show it), else at the image's
//! repository name (or the input's file name), line 1, with the layer, path or history step
//! as a logical location and in the message.

use serde_json::{Value, json};

use super::finding::{Evidence, Finding};
use super::registry;
use super::report::Report;
use super::rule::{RuleMeta, Severity};

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low => "note",
    }
}

fn security_severity(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "3.0",
    }
}

fn rule_json(m: &RuleMeta, severity: Severity) -> Value {
    let doc = m.explanation();
    json!({
        "id": m.id,
        "name": m.name,
        "shortDescription": {"text": m.title},
        "fullDescription": {"text": m.summary()},
        "help": {"text": doc, "markdown": doc},
        "defaultConfiguration": {"level": level(severity)},
        "properties": {
            "tags": ["security", "container", format!("{:?}", m.group).to_ascii_lowercase()],
            "security-severity": security_severity(severity),
            "precision": "high"
        }
    })
}

/// A URI reference for a path given on the command line (forward slashes, no `./`).
fn uri(path: &str) -> String {
    let p = path.replace('\\', "/");
    let p = p.trim_start_matches("./");
    p.chars()
        .map(|c| match c {
            ' ' => "%20".to_owned(),
            '#' => "%23".to_owned(),
            '?' => "%3F".to_owned(),
            c => c.to_string(),
        })
        .collect()
}

fn location(f: &Finding, fallback_uri: &str) -> Value {
    let mut logical = Vec::new();
    for l in &f.locations {
        match l {
            Evidence::Dockerfile {
                path,
                line,
                end_line,
                ..
            } => {
                return json!({"physicalLocation": {
                    "artifactLocation": {"uri": uri(path)},
                    "region": {"startLine": line, "endLine": end_line}
                }});
            }
            Evidence::File { path, layer, .. } => {
                logical.push(json!({"name": path, "fullyQualifiedName": format!("layer {layer}:{path}"), "kind": "resource"}));
            }
            Evidence::History { step, .. } => {
                logical.push(json!({"name": format!("history[{step}]"), "kind": "resource"}));
            }
            Evidence::Package { purl, .. } => {
                logical.push(json!({"name": purl, "kind": "package"}));
            }
            Evidence::Config { field, .. } => {
                logical.push(json!({"name": field, "kind": "resource"}));
            }
            Evidence::Policy { .. } => {}
        }
    }
    let (u, line) = match f.locations.iter().find_map(|l| match l {
        Evidence::Policy { path, line } => Some((path.clone(), line.unwrap_or(1))),
        _ => None,
    }) {
        Some((p, l)) => (uri(&p), l),
        None => (fallback_uri.to_owned(), 1),
    };
    let mut loc = json!({"physicalLocation": {
        "artifactLocation": {"uri": u},
        "region": {"startLine": line}
    }});
    if !logical.is_empty() {
        loc["logicalLocations"] = Value::Array(logical);
    }
    loc
}

/// One result; `suppressed` carries the exception's reason.
fn result(f: &Finding, metas: &[&RuleMeta], fallback: &str, suppressed: Option<&str>) -> Value {
    let where_: Vec<String> = f.locations.iter().map(Evidence::describe).collect();
    let mut text = f.message.clone();
    if !where_.is_empty() {
        text.push_str(&format!(" [at {}]", where_.join("; ")));
    }
    if let Some(b) = &f.base {
        let by: Vec<&str> = b.identified_by.iter().map(|m| m.as_str()).collect();
        text.push_str(&format!(
            " [base {} identified by {}]",
            b.reference,
            by.join(", ")
        ));
    }
    let mut r = json!({
        "ruleId": f.id,
        "level": level(f.severity),
        "message": {"text": text},
        "locations": [location(f, fallback)],
        "partialFingerprints": {"consignFindingHash/v1": fingerprint_hash(&f.fingerprint())},
        "properties": {"severity": f.severity.as_str()}
    });
    if let Some(i) = metas.iter().position(|m| m.id == f.id) {
        r["ruleIndex"] = json!(i);
    }
    if let Some(reason) = suppressed {
        r["suppressions"] = json!([{
            "kind": "external",
            "status": "accepted",
            "justification": reason
        }]);
    }
    r
}

/// What image findings point at when there is no Dockerfile: the image's repository name
/// (`ghcr.io/org/app`), else the input's file name; never a path on the machine that ran
/// the audit, which means nothing in the repository code scanning maps results to.
fn image_artifact(report: &Report) -> String {
    match &report.image.name {
        Some(n) => n.clone(),
        None => {
            let input = report.image.input.trim_end_matches('/');
            let base = input.rsplit(['/', '\\']).next().unwrap_or(input);
            let base = base.rsplit(':').next().unwrap_or(base);
            if base.is_empty() {
                "image".to_owned()
            } else {
                base.to_owned()
            }
        }
    }
}

/// Renders the report; `dockerfile` is the Dockerfile path as given, if any. Suppressed
/// findings are results with `suppressions` (GitHub shows them as dismissed). The run's
/// `automationDetails.id` is `consign-audit/<image>/`: a category per image, stable across
/// runs and machines (GitHub keeps one set of alerts per category).
pub fn to_sarif(report: &Report, policy: &super::ValidPolicy, dockerfile: Option<&str>) -> String {
    let metas: Vec<&'static RuleMeta> = report
        .rules_run
        .iter()
        .filter_map(|id| registry::lookup(id))
        .collect();
    let rules: Vec<Value> = metas
        .iter()
        .map(|m| rule_json(m, policy.setting(m).severity))
        .collect();
    let artifact = image_artifact(report);
    let fallback = uri(dockerfile.unwrap_or(&artifact));
    let mut results: Vec<Value> = report
        .findings
        .iter()
        .map(|f| result(f, &metas, &fallback, None))
        .collect();
    results.extend(
        report
            .suppressed
            .iter()
            .map(|s| result(&s.finding, &metas, &fallback, Some(&s.reason))),
    );
    let category: String = artifact
        .chars()
        .map(|c| {
            if matches!(c, '/' | ':' | '@' | '\\') {
                '-'
            } else {
                c
            }
        })
        .collect();
    let doc = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "consign",
                "version": env!("CARGO_PKG_VERSION"),
                "semanticVersion": env!("CARGO_PKG_VERSION"),
                "informationUri": env!("CARGO_PKG_REPOSITORY"),
                "rules": rules
            }},
            "automationDetails": {"id": format!("consign-audit/{category}/")},
            "results": results
        }]
    });
    let mut s = serde_json::to_string_pretty(&doc).unwrap_or_default();
    s.push('\n');
    s
}

fn fingerprint_hash(s: &str) -> String {
    use sha2::Digest;
    hex::encode(&sha2::Sha256::digest(s.as_bytes())[..16])
}
