//! SBOMs inside attestations: a DSSE envelope (<https://github.com/secure-systems-lab/dsse>)
//! whose base64 payload is an in-toto Statement (<https://github.com/in-toto/attestation>,
//! v0.1 and v1) whose predicate is the SBOM, as `cosign attest` and `trivy --format
//! cosign-vuln`/`--format cyclonedx` with attestation write them; a bare Statement; and a
//! `.jsonl` file holding several of either.
//!
//! Signatures are not verified here (that is attestation verification's job); the SBOM's
//! [`DocumentInfo::envelope`](crate::model::DocumentInfo::envelope) says what wrapped it and
//! that its signatures were not checked. The Statement's subject names the image when the
//! SBOM does not.

use base64::Engine as _;
use serde_json::Value;

use crate::model::Sbom;
use crate::source::Digest;
use crate::{Error, Result};

/// True when `v` is a DSSE envelope.
pub(crate) fn is_envelope(v: &Value) -> bool {
    v.get("payloadType").is_some() && v.get("payload").is_some_and(Value::is_string)
}

/// True when `v` is an in-toto Statement.
pub(crate) fn is_statement(v: &Value) -> bool {
    v.get("_type")
        .and_then(Value::as_str)
        .is_some_and(|t| t.starts_with("https://in-toto.io/Statement/"))
}

/// Unwraps an envelope or a Statement and reads the SBOM inside.
pub(crate) fn decode(v: Value, origin: &str) -> Result<Sbom> {
    if is_envelope(&v) {
        let signatures = v
            .get("signatures")
            .and_then(Value::as_array)
            .map_or(0, Vec::len);
        let payload = v.get("payload").and_then(Value::as_str).unwrap_or_default();
        let bytes = base64_decode(payload)
            .ok_or_else(|| Error::decode(origin, "DSSE envelope: payload is not base64"))?;
        let mut sbom = super::decode_inner(&bytes, origin)?;
        let note = format!(
            "DSSE envelope ({signatures} signature{}, not verified)",
            if signatures == 1 { "" } else { "s" }
        );
        if let Some(d) = &mut sbom.document {
            d.envelope = Some(match d.envelope.take() {
                Some(inner) => format!("{inner} in a {note}"),
                None => note,
            });
        }
        return Ok(sbom);
    }
    statement(v, origin)
}

fn statement(mut v: Value, origin: &str) -> Result<Sbom> {
    let kind = v
        .get("_type")
        .and_then(Value::as_str)
        .unwrap_or("in-toto Statement")
        .rsplit('/')
        .next()
        .unwrap_or("")
        .to_owned();
    let predicate_type = v
        .get("predicateType")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_owned();
    let predicate = v
        .get_mut("predicate")
        .map(Value::take)
        .unwrap_or(Value::Null);
    // cosign's generic predicate wraps the document as text in `Data`.
    let bytes = match predicate.get("Data") {
        Some(Value::String(s)) => s.clone().into_bytes(),
        Some(inner) => serde_json::to_vec(inner).unwrap_or_default(),
        None => serde_json::to_vec(&predicate).unwrap_or_default(),
    };
    if predicate.is_null() {
        return Err(Error::decode(
            origin,
            format!("in-toto Statement (predicate {predicate_type}) has no predicate"),
        ));
    }
    let mut sbom = super::decode_inner(&bytes, origin).map_err(|e| {
        Error::decode(
            origin,
            format!("in-toto Statement with predicate type {predicate_type:?} holds no SBOM consign reads ({e})"),
        )
    })?;
    if let Some(subject) = v
        .get("subject")
        .and_then(Value::as_array)
        .and_then(|s| s.first())
    {
        let name = subject.get("name").and_then(Value::as_str);
        let digest = subject
            .get("digest")
            .and_then(|d| d.get("sha256"))
            .and_then(Value::as_str)
            .and_then(|h| format!("sha256:{h}").parse::<Digest>().ok());
        let img = &mut sbom.image;
        if img.name.is_none() {
            img.name = name.map(str::to_owned);
        }
        if img.manifest_digest.is_none() && img.config_digest.is_none() {
            img.manifest_digest = digest;
        }
    }
    if let Some(d) = &mut sbom.document {
        d.envelope = Some(format!(
            "in-toto Statement {kind} (predicate {predicate_type})"
        ));
    }
    Ok(sbom)
}

/// Standard or URL-safe base64, padded or not (DSSE says standard; producers vary).
fn base64_decode(text: &str) -> Option<Vec<u8>> {
    use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
    let text: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    [STANDARD, URL_SAFE, STANDARD_NO_PAD, URL_SAFE_NO_PAD]
        .iter()
        .find_map(|e| e.decode(&text).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_in_every_spelling() {
        for s in ["aGk/", "aGk_", "aGk", "a G k /"] {
            assert!(base64_decode(s).is_some(), "{s}");
        }
        assert_eq!(base64_decode("aGk=").unwrap(), b"hi");
        assert_eq!(base64_decode("!!"), None);
    }
}
