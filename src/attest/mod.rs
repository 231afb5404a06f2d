//! Signed SBOM attestations: an SBOM wrapped as the predicate of an in-toto Statement v1,
//! serialised into a DSSE envelope and signed with an ECDSA P-256 or Ed25519 key.
//!
//! ```text
//! { "payloadType": "application/vnd.in-toto+json",
//!   "payload": base64({ "_type": "https://in-toto.io/Statement/v1",
//!                       "subject": [{"name": "registry/repo", "digest": {"sha256": "…"}}],
//!                       "predicateType": "https://cyclonedx.org/bom" | "https://spdx.dev/Document",
//!                       "predicate": <the SBOM> }),
//!   "signatures": [{"keyid": "<securesystemslib default key id>",
//!                   "sig": base64(sign(PAE(type, payload)))}] }
//! ```
//!
//! This is the shape cosign (`cosign attest --type cyclonedx|spdxjson`), BuildKit and the
//! reference Python libraries (securesystemslib `dsse.Envelope`, in-toto) write and read.
//! Specs: in-toto Statement <https://github.com/in-toto/attestation/blob/main/spec/v1/statement.md>,
//! DSSE <https://github.com/secure-systems-lab/dsse/blob/master/envelope.md>.
//!
//! [`verify`] refuses, each with its own [`VerifyError`]: a document that is not an envelope,
//! another payload type, an unsigned envelope, a signature that does not verify (told apart
//! as "altered" when a signature carries the key's id and "another key" otherwise — the key id
//! only shapes that message, it never decides whether a signature is accepted), a payload
//! that is not an in-toto statement, and — when a digest is expected — a subject that does not
//! name it.

pub mod dsse;
pub mod key;
pub mod pem;
pub mod sbom;
pub mod statement;

use serde_json::value::RawValue;

pub use dsse::Envelope;
pub use key::{KeyError, KeyType, PrivateKey, PublicKey};
pub use sbom::{SbomInfo, SbomKind};
pub use statement::{PAYLOAD_TYPE, Statement, Subject};

use crate::source::Digest;

/// Why an SBOM cannot be attested.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AttestError {
    /// The input is not a CycloneDX or SPDX JSON document.
    #[error("{0}")]
    NotAnSbom(String),
    /// No subject was given and the SBOM does not record the image's manifest digest.
    #[error(
        "the SBOM does not record the image's manifest digest; name the image with --image NAME@sha256:…"
    )]
    NoSubject,
    /// The subject has no name (an `--image sha256:…` for an SBOM that records no image
    /// name, or an SBOM that records a digest but no name).
    #[error("the attestation's subject has no name; name the image with --image NAME@sha256:…")]
    NoSubjectName,
    /// Signing failed.
    #[error(transparent)]
    Key(#[from] KeyError),
}

/// A signed attestation and what it says.
#[derive(Debug)]
pub struct Attestation {
    /// The envelope to write.
    pub envelope: Envelope,
    /// The statement's subject.
    pub subject: Subject,
    /// The predicate type.
    pub predicate_type: &'static str,
}

/// Wraps the SBOM `sbom_json` in a statement about `subject` (or, when `None`, the image the
/// SBOM names by its manifest digest, see [`sbom`]) and signs it with `key`. Refused: a
/// document that is not an SBOM, an SBOM that records no manifest digest when no subject is
/// given ([`AttestError::NoSubject`]: the config digest is never a subject), and a subject
/// without a name ([`AttestError::NoSubjectName`]).
pub fn attest_sbom(
    sbom_json: &[u8],
    key: &PrivateKey,
    subject: Option<Subject>,
) -> Result<Attestation, AttestError> {
    let text = std::str::from_utf8(sbom_json)
        .map_err(|_| AttestError::NotAnSbom("not UTF-8 text".into()))?;
    let doc: serde_json::Value =
        serde_json::from_str(text).map_err(|e| AttestError::NotAnSbom(format!("not JSON: {e}")))?;
    let info = sbom::inspect(&doc).map_err(AttestError::NotAnSbom)?;
    let subject = match subject {
        Some(s) => s,
        None => {
            let digest = info
                .manifest_digest
                .as_ref()
                .ok_or(AttestError::NoSubject)?;
            Subject::image(info.image_name.as_deref().unwrap_or_default(), digest)
        }
    };
    if subject.name.trim().is_empty() {
        return Err(AttestError::NoSubjectName);
    }
    let predicate = RawValue::from_string(statement::compact_json(text))
        .map_err(|e| AttestError::NotAnSbom(format!("not JSON: {e}")))?;
    let predicate_type = info.kind.predicate_type();
    let st = Statement::new(subject.clone(), predicate_type, predicate);
    let envelope = Envelope::sign(PAYLOAD_TYPE, &st.to_json(), key)?;
    Ok(Attestation {
        envelope,
        subject,
        predicate_type,
    })
}

/// Why an attestation is refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum VerifyError {
    /// Not a DSSE envelope (or its payload is not base64).
    #[error("not a DSSE envelope: {0}")]
    Malformed(String),
    /// The envelope holds something other than an in-toto statement.
    #[error("payload type is {0:?}, not {PAYLOAD_TYPE}")]
    PayloadType(String),
    /// No signatures at all.
    #[error("the envelope has no signatures")]
    Unsigned,
    /// A signature by this key is there but does not verify.
    #[error(
        "bad signature: the envelope was signed by key {key_id} but its payload or signature was altered since"
    )]
    Altered {
        /// The key's id.
        key_id: String,
    },
    /// No signature is by this key.
    #[error("not signed by this key (key id {key_id}); the envelope's signatures are by {found}")]
    WrongKey {
        /// The given key's id.
        key_id: String,
        /// The key ids the envelope names, for the message.
        found: String,
    },
    /// The signed payload is not a valid in-toto statement.
    #[error("{0}")]
    Statement(String),
    /// The statement is about another artifact.
    #[error("wrong subject: the attestation is about {found}, not {expected}")]
    Subject {
        /// The digest asked for.
        expected: String,
        /// The statement's subjects.
        found: String,
    },
}

/// A verified attestation.
#[derive(Debug)]
pub struct Verified {
    /// The signed statement.
    pub statement: Statement,
    /// The id of the key that signed it.
    pub key_id: String,
}

/// Verifies an attestation (envelope JSON) with `key`, and, when `digest` is given, that it is
/// about the artifact with that digest. Every refusal is a [`VerifyError`].
pub fn verify(
    envelope_json: &[u8],
    key: &PublicKey,
    digest: Option<&Digest>,
) -> Result<Verified, VerifyError> {
    let env = Envelope::from_json(envelope_json).map_err(VerifyError::Malformed)?;
    if env.payload_type != PAYLOAD_TYPE {
        return Err(VerifyError::PayloadType(env.payload_type));
    }
    let key_id = key.key_id();
    env.verify(key).map_err(|p| match p {
        dsse::SignatureProblem::Unsigned => VerifyError::Unsigned,
        dsse::SignatureProblem::Malformed(m) => VerifyError::Malformed(m),
        dsse::SignatureProblem::Altered => VerifyError::Altered {
            key_id: key_id.clone(),
        },
        dsse::SignatureProblem::OtherKey { key_ids } => VerifyError::WrongKey {
            key_id: key_id.clone(),
            found: if key_ids.is_empty() {
                "keys it does not name".to_owned()
            } else {
                key_ids.join(", ")
            },
        },
    })?;
    let payload = env.payload_bytes().map_err(VerifyError::Malformed)?;
    let statement = Statement::parse(&payload).map_err(VerifyError::Statement)?;
    if let Some(d) = digest
        && !statement.subject.iter().any(|s| s.matches(d))
    {
        return Err(VerifyError::Subject {
            expected: d.to_string(),
            found: statement
                .subject
                .iter()
                .map(Subject::display)
                .collect::<Vec<_>>()
                .join(", "),
        });
    }
    Ok(Verified { statement, key_id })
}

#[cfg(test)]
mod tests;
