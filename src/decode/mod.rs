//! Readers: SBOM documents from any producer into the [`Sbom`] model, so that `diff`,
//! `convert` and `score` work on what Syft, Trivy, cdxgen, BuildKit, Microsoft sbom-tool or
//! consign wrote alike.
//!
//! | input | read by |
//! | --- | --- |
//! | CycloneDX JSON 1.2–1.7 | [`cyclonedx`] (<https://cyclonedx.org/docs/1.7/json/>) |
//! | CycloneDX XML 1.0–1.7 | [`cyclonedx::xml`], mapped to the JSON form first |
//! | SPDX 2.2 / 2.3 JSON | [`spdx`] (<https://spdx.github.io/spdx-spec/v2.3/>) |
//! | SPDX 2.2 / 2.3 tag-value | [`spdx::tag_value`] |
//! | in-toto Statement, DSSE envelope, `.jsonl` of them | [`envelope`] |
//!
//! Lenient on content, strict on kind: missing optional fields, unknown fields, components
//! without a purl, scalars of the wrong type are all read; a file that is not one of the
//! formats above is an [`Error::Decode`] naming the file and saying what it looks like
//! instead. SPDX 3 (JSON-LD) and SPDX RDF are recognised and refused with that reason.
//!
//! Readers live beside the encoders rather than inside them (the house style sketches a
//! `Decoder` next to each encoder) because the two sides share no types: encoders write
//! strict, `'static` structs that are valid by construction; readers take every field as
//! optional text and must survive any producer's quirks. Keeping them apart keeps each side
//! simple and the encoders' invariants untouched.
//!
//! The resulting [`Sbom`] has `image.source_kind` [`SourceKind::Document`] (unless consign's
//! own properties restore the original), no layers unless the document names them, and a
//! [`DocumentInfo`](crate::model::DocumentInfo) in [`Sbom::document`]. The subject's supplier
//! (CycloneDX `metadata.component.supplier`, SPDX the described package's `supplier`) becomes
//! the image's `supplier_override` when nothing else in the document names it.

mod builder;
pub mod cyclonedx;
mod envelope;
pub(crate) mod identity;
mod lenient;
pub mod spdx;

use serde::Deserialize;
use serde::de::IgnoredAny;
use serde_json::Value;

pub use identity::purl_type_of_hint;

use crate::model::Sbom;
#[cfg(doc)]
use crate::model::SourceKind;
use crate::{Error, Result};

/// What a file's first bytes say it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sniffed {
    /// Starts like JSON (`{` or `[`).
    Json,
    /// Starts like XML (`<`).
    Xml,
    /// Has an `SPDXVersion:` line.
    TagValue,
    /// None of those: not a document consign reads (perhaps an image archive).
    Other,
}

/// Classifies `head`, the first bytes (a few KiB suffice) of a file.
pub fn sniff(head: &[u8]) -> Sniffed {
    let text = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    let start = text.iter().position(|b| !b.is_ascii_whitespace());
    match start.map(|i| text[i]) {
        Some(b'{' | b'[') => Sniffed::Json,
        Some(b'<') => Sniffed::Xml,
        Some(_) if spdx::tag_value::looks_like(&String::from_utf8_lossy(text)) => Sniffed::TagValue,
        _ => Sniffed::Other,
    }
}

/// Reads an SBOM document; `origin` names it in errors and in the result.
///
/// # Errors
///
/// [`Error::Decode`] when `bytes` is not a document of a format consign reads.
pub fn decode(bytes: &[u8], origin: &str) -> Result<Sbom> {
    decode_inner(bytes, origin)
}

/// The top-level keys that tell the formats apart.
#[derive(Deserialize)]
struct Probe {
    #[serde(rename = "bomFormat")]
    bom_format: Option<IgnoredAny>,
    #[serde(rename = "spdxVersion")]
    spdx_version: Option<IgnoredAny>,
    #[serde(rename = "payloadType")]
    payload_type: Option<IgnoredAny>,
    #[serde(rename = "_type")]
    statement_type: Option<IgnoredAny>,
    #[serde(rename = "@context")]
    context: Option<IgnoredAny>,
    #[serde(rename = "$schema")]
    schema: Option<String>,
    /// Syft's own format (`syft -o syft-json`).
    artifacts: Option<IgnoredAny>,
}

fn decode_inner(bytes: &[u8], origin: &str) -> Result<Sbom> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match sniff(&bytes[..bytes.len().min(64 * 1024)]) {
        Sniffed::Json => json(bytes, origin),
        Sniffed::Xml => cyclonedx::xml::decode(bytes, origin),
        Sniffed::TagValue => {
            let text = std::str::from_utf8(bytes)
                .map_err(|e| Error::decode(origin, format!("SPDX tag-value is not UTF-8: {e}")))?;
            let doc = spdx::tag_value::parse(text);
            let version = spdx::spdx_version(doc.spdx_version.as_deref(), origin)?;
            Ok(spdx::from_document(
                doc,
                crate::model::DocumentFormat::SpdxTagValue(version),
                origin,
            ))
        }
        Sniffed::Other => Err(Error::decode(
            origin,
            "not an SBOM: neither JSON, XML nor SPDX tag-value (give an image with a source \
             prefix such as docker-archive: to scan it)",
        )),
    }
}

fn json(bytes: &[u8], origin: &str) -> Result<Sbom> {
    let probe: Probe = match serde_json::from_slice(bytes) {
        Ok(p) => p,
        Err(e) if e.is_syntax() || e.is_eof() => return json_lines(bytes, origin, e),
        Err(_) => {
            return Err(Error::decode(
                origin,
                "not an SBOM: JSON, but not an object (CycloneDX, SPDX, in-toto or DSSE)",
            ));
        }
    };
    if probe.bom_format.is_some()
        || probe
            .schema
            .as_deref()
            .is_some_and(|s| s.contains("cyclonedx.org"))
    {
        return cyclonedx::decode_json(bytes, origin);
    }
    if probe.spdx_version.is_some() {
        return spdx::decode_json(bytes, origin);
    }
    if probe.payload_type.is_some() || probe.statement_type.is_some() {
        let v: Value = serde_json::from_slice(bytes)
            .map_err(|e| Error::decode(origin, format!("invalid JSON: {e}")))?;
        return envelope::decode(v, origin);
    }
    if probe.artifacts.is_some() {
        return Err(Error::decode(
            origin,
            "Syft's own JSON format is not read; write CycloneDX or SPDX with Syft \
             (`syft … -o cyclonedx-json`)",
        ));
    }
    if probe.context.is_some() {
        return Err(Error::decode(
            origin,
            "SPDX 3 (JSON-LD) is not supported; SPDX 2.2 and 2.3 are",
        ));
    }
    Err(Error::decode(
        origin,
        "not an SBOM: a JSON object without bomFormat (CycloneDX), spdxVersion (SPDX), \
         payloadType (DSSE) or _type (in-toto)",
    ))
}

/// Several JSON values in a row (`.jsonl` of attestations): exactly one must hold an SBOM.
fn json_lines(bytes: &[u8], origin: &str, first_error: serde_json::Error) -> Result<Sbom> {
    let values: Vec<Value> = serde_json::Deserializer::from_slice(bytes)
        .into_iter::<Value>()
        .collect::<std::result::Result<_, _>>()
        .map_err(|_| Error::decode(origin, format!("invalid JSON: {first_error}")))?;
    let mut found = Vec::new();
    let mut errors = Vec::new();
    for v in values {
        if envelope::is_envelope(&v) || envelope::is_statement(&v) {
            match envelope::decode(v, origin) {
                Ok(s) => found.push(s),
                Err(e) => errors.push(e.to_string()),
            }
        }
    }
    match found.len() {
        1 => Ok(found.remove(0)),
        0 if !errors.is_empty() => Err(Error::decode(
            origin,
            format!("no attestation in it holds an SBOM: {}", errors.join("; ")),
        )),
        0 => Err(Error::decode(
            origin,
            format!("invalid JSON: {first_error}"),
        )),
        n => Err(Error::decode(
            origin,
            format!("{n} attestations in it hold SBOMs; save the one to use in a file of its own"),
        )),
    }
}

#[cfg(test)]
mod tests;
