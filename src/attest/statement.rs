//! in-toto Statements: what an attestation says (a predicate of some type) about which
//! artifacts (subjects named by digest).
//!
//! Spec: <https://github.com/in-toto/attestation/blob/main/spec/v1/statement.md>. consign writes
//! `_type` `https://in-toto.io/Statement/v1`; it reads v1 and `https://in-toto.io/Statement/v0.1`
//! (what cosign and older BuildKit write — the fields are the same). The predicate is kept as
//! raw JSON text, so an SBOM comes back out exactly as it went in (minus insignificant
//! whitespace) and key order is never disturbed.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use crate::source::Digest;

/// `payloadType` of a DSSE envelope holding an in-toto statement.
pub const PAYLOAD_TYPE: &str = "application/vnd.in-toto+json";
/// Statement `_type`, version 1 (written).
pub const STATEMENT_V1: &str = "https://in-toto.io/Statement/v1";
/// Statement `_type`, version 0.1 (read: cosign, BuildKit).
pub const STATEMENT_V0_1: &str = "https://in-toto.io/Statement/v0.1";
/// Predicate type of a CycloneDX SBOM, as cosign (`--type cyclonedx`) and the in-toto
/// predicate registry name it.
pub const PREDICATE_CYCLONEDX: &str = "https://cyclonedx.org/bom";
/// Predicate type of an SPDX SBOM, as cosign (`--type spdxjson`) and BuildKit name it.
pub const PREDICATE_SPDX: &str = "https://spdx.dev/Document";

/// An in-toto statement.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Statement {
    /// The statement version URI.
    #[serde(rename = "_type")]
    pub type_: String,
    /// What the statement is about.
    pub subject: Vec<Subject>,
    /// The predicate's type URI.
    pub predicate_type: String,
    /// The predicate, verbatim.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub predicate: Option<Box<RawValue>>,
}

/// A statement subject: a name and its digests by algorithm (`{"sha256": "<hex>"}`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Subject {
    /// The artifact's name (for an image: its repository, `registry/repo`).
    #[serde(default)]
    pub name: String,
    /// Digests, algorithm → lowercase hex.
    pub digest: BTreeMap<String, String>,
}

impl Subject {
    /// A subject for an image manifest.
    pub fn image(name: &str, digest: &Digest) -> Subject {
        let text = digest.to_string();
        let (alg, hex) = text.split_once(':').unwrap_or(("sha256", &text));
        Subject {
            name: name.to_owned(),
            digest: BTreeMap::from([(alg.to_owned(), hex.to_owned())]),
        }
    }

    /// True when one of the subject's digests is `digest`.
    pub fn matches(&self, digest: &Digest) -> bool {
        let text = digest.to_string();
        let Some((alg, hex)) = text.split_once(':') else {
            return false;
        };
        self.digest
            .get(alg)
            .is_some_and(|h| h.eq_ignore_ascii_case(hex))
    }

    /// `name@alg:hex` of the first digest, for messages.
    pub fn display(&self) -> String {
        match self.digest.iter().next() {
            Some((alg, hex)) => format!("{}@{alg}:{hex}", self.name),
            None => format!("{} (no digest)", self.name),
        }
    }
}

impl Statement {
    /// A v1 statement about `subject` with `predicate` (JSON text) of `predicate_type`.
    pub fn new(subject: Subject, predicate_type: &str, predicate: Box<RawValue>) -> Statement {
        Statement {
            type_: STATEMENT_V1.to_owned(),
            subject: vec![subject],
            predicate_type: predicate_type.to_owned(),
            predicate: Some(predicate),
        }
    }

    /// Parses a statement and checks what every consumer relies on: a known `_type`, at least
    /// one subject, and every subject with a digest.
    pub fn parse(bytes: &[u8]) -> Result<Statement, String> {
        let st: Statement = serde_json::from_slice(bytes)
            .map_err(|e| format!("the payload is not an in-toto statement: {e}"))?;
        if st.type_ != STATEMENT_V1 && st.type_ != STATEMENT_V0_1 {
            return Err(format!(
                "unknown statement _type {:?} (expected {STATEMENT_V1} or {STATEMENT_V0_1})",
                st.type_
            ));
        }
        if st.subject.is_empty() {
            return Err("the statement has no subject".to_owned());
        }
        if let Some(s) = st.subject.iter().find(|s| s.digest.is_empty()) {
            return Err(format!("subject {:?} has no digest", s.name));
        }
        Ok(st)
    }

    /// The JSON bytes (the DSSE payload).
    pub fn to_json(&self) -> Vec<u8> {
        // Strings, maps of strings and raw JSON always serialise.
        serde_json::to_vec(self).unwrap_or_default()
    }
}

/// True for the predicate types of SBOMs (CycloneDX, SPDX, with or without a version suffix).
pub fn is_sbom_predicate(predicate_type: &str) -> bool {
    [PREDICATE_CYCLONEDX, PREDICATE_SPDX]
        .iter()
        .any(|p| predicate_type == *p || predicate_type.starts_with(&format!("{p}/")))
}

/// Removes insignificant whitespace from valid JSON text, keeping everything else (key order,
/// number spelling, escapes) exactly as written.
pub fn compact_json(valid: &str) -> String {
    let mut out = String::with_capacity(valid.len());
    let (mut in_string, mut escaped) = (false, false);
    for c in valid.chars() {
        if in_string {
            out.push(c);
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_string = false,
                _ => {}
            }
        } else if !matches!(c, ' ' | '\t' | '\n' | '\r') {
            in_string = c == '"';
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compacts_outside_strings_only() {
        let text = "{\n  \"b\": [1, 2.50],\n  \"a\": \"x \\\" y\\\\\",\n \"c\" : \"\\n \"\n}";
        assert_eq!(
            compact_json(text),
            "{\"b\":[1,2.50],\"a\":\"x \\\" y\\\\\",\"c\":\"\\n \"}"
        );
    }

    #[test]
    fn statement_round_trip_keeps_the_predicate_verbatim() {
        let d: Digest = format!("sha256:{}", "ab".repeat(32)).parse().unwrap();
        let predicate = RawValue::from_string("{\"z\":1,\"a\":2}".into()).unwrap();
        let st = Statement::new(Subject::image("r/app", &d), PREDICATE_CYCLONEDX, predicate);
        let json = String::from_utf8(st.to_json()).unwrap();
        assert_eq!(
            json,
            format!(
                "{{\"_type\":\"https://in-toto.io/Statement/v1\",\"subject\":[{{\"name\":\"r/app\",\
                 \"digest\":{{\"sha256\":\"{}\"}}}}],\"predicateType\":\"https://cyclonedx.org/bom\",\
                 \"predicate\":{{\"z\":1,\"a\":2}}}}",
                "ab".repeat(32)
            )
        );
        let back = Statement::parse(json.as_bytes()).unwrap();
        assert_eq!(back.predicate.unwrap().get(), "{\"z\":1,\"a\":2}");
        assert!(back.subject[0].matches(&d));
        assert_eq!(back.subject[0].display(), format!("r/app@{d}"));
    }

    #[test]
    fn refuses_what_is_not_a_statement() {
        let bad = |s: &str| Statement::parse(s.as_bytes()).unwrap_err();
        assert!(bad("[]").contains("not an in-toto statement"));
        assert!(
            bad(r#"{"_type":"x","subject":[],"predicateType":"p"}"#).contains("unknown statement")
        );
        assert!(
            bad(
                r#"{"_type":"https://in-toto.io/Statement/v0.1","subject":[],"predicateType":"p"}"#
            )
            .contains("no subject")
        );
        assert!(
            bad(r#"{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"a","digest":{}}],"predicateType":"p"}"#)
                .contains("no digest")
        );
    }

    #[test]
    fn sbom_predicates() {
        assert!(is_sbom_predicate("https://spdx.dev/Document"));
        assert!(is_sbom_predicate("https://spdx.dev/Document/v2.3"));
        assert!(is_sbom_predicate("https://cyclonedx.org/bom/v1.6"));
        assert!(!is_sbom_predicate("https://slsa.dev/provenance/v1"));
        assert!(!is_sbom_predicate("https://cyclonedx.org/bomb"));
    }
}
