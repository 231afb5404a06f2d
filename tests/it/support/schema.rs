//! Validates SBOM documents against the official JSON schemas vendored in `schemas/`, offline.
//!
//! CycloneDX 1.5/1.6/1.7 by their declared `specVersion`, SPDX by `spdxVersion: SPDX-2.3`. The
//! CycloneDX schemas reference `spdx.schema.json`, `jsf-0.82.schema.json` and (1.7)
//! `cryptography-defs.schema.json` by their `http://cyclonedx.org/schema/…` URIs; those are
//! registered from the vendored copies and retrieval is disabled, so nothing is ever fetched.
//! Formats (`date-time`, `iri-reference`, …) are checked too.
//!
//! This file has no dependency on the crate under test (only `jsonschema`, `serde_json` and
//! `std`), so unit tests can include it with `#[path]` as well as the integration tests.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use jsonschema::{Registry, Validator};
use serde_json::Value;

/// The sub-schemas the CycloneDX schemas refer to, by URI.
const CYCLONEDX_REFS: &[&str] = &[
    "spdx.schema.json",
    "jsf-0.82.schema.json",
    "cryptography-defs.schema.json",
];

fn schema_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas")
}

fn load(file: &str) -> Value {
    let path = schema_dir().join(file);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn compile(file: &str) -> Validator {
    let mut builder = Registry::new();
    for name in CYCLONEDX_REFS {
        builder = builder
            .add(format!("http://cyclonedx.org/schema/{name}"), load(name))
            .expect("register sub-schema");
    }
    let registry = builder.prepare().expect("prepare schema registry");
    jsonschema::options()
        .offline()
        .should_validate_formats(true)
        .with_registry(&registry)
        .build(&load(file))
        .unwrap_or_else(|e| panic!("compile {file}: {e}"))
}

/// The validator for a document, chosen by its declared format and version.
fn validator_for(doc: &Value) -> Result<&'static Validator, String> {
    static CDX_1_5: OnceLock<Validator> = OnceLock::new();
    static CDX_1_6: OnceLock<Validator> = OnceLock::new();
    static CDX_1_7: OnceLock<Validator> = OnceLock::new();
    static SPDX_2_3: OnceLock<Validator> = OnceLock::new();
    if doc["bomFormat"] == "CycloneDX" {
        let (cell, file) = match doc["specVersion"].as_str() {
            Some("1.5") => (&CDX_1_5, "bom-1.5.schema.json"),
            Some("1.6") => (&CDX_1_6, "bom-1.6.schema.json"),
            Some("1.7") => (&CDX_1_7, "bom-1.7.schema.json"),
            other => return Err(format!("unsupported CycloneDX specVersion {other:?}")),
        };
        return Ok(cell.get_or_init(|| compile(file)));
    }
    match doc["spdxVersion"].as_str() {
        Some("SPDX-2.3") => Ok(SPDX_2_3.get_or_init(|| compile("spdx-2.3.schema.json"))),
        other => Err(format!(
            "not a CycloneDX or SPDX 2.3 document (spdxVersion {other:?})"
        )),
    }
}

/// Checks `doc` against its schema; the error lists every violation with its JSON path.
pub fn validate(doc: &Value) -> Result<(), String> {
    let validator = validator_for(doc)?;
    let errors: Vec<String> = validator
        .iter_errors(doc)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors.join("\n"))
    }
}

/// Parses `bytes` as JSON and panics, naming `what`, unless it is schema-valid.
pub fn assert_valid(what: &str, bytes: &[u8]) -> Value {
    let doc: Value =
        serde_json::from_slice(bytes).unwrap_or_else(|e| panic!("{what}: not JSON: {e}"));
    if let Err(errors) = validate(&doc) {
        panic!("{what}: schema violations:\n{errors}");
    }
    doc
}
