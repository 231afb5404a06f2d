//! DSSE, the Dead Simple Signing Envelope: a payload, its type, and signatures over the
//! pre-authentication encoding (PAE) of both, so a signature can never be replayed for a
//! payload of another type.
//!
//! Spec: <https://github.com/secure-systems-lab/dsse/blob/master/envelope.md> and
//! <https://github.com/secure-systems-lab/dsse/blob/master/protocol.md>.
//!
//! ```text
//! PAE(type, body) = "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body
//! ```
//! where `LEN` is the byte length in ASCII decimal. Envelopes are written with standard
//! padded base64 (what securesystemslib and cosign write); both the standard and the URL-safe
//! alphabet, padded or not, are read, as the spec allows.

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
use serde::{Deserialize, Serialize};

use super::key::{KeyError, PrivateKey, PublicKey};

/// A DSSE envelope as it is stored (JSON, base64 fields).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Envelope {
    /// The payload, base64.
    pub payload: String,
    /// The payload's type, e.g. `application/vnd.in-toto+json`.
    pub payload_type: String,
    /// The signatures.
    pub signatures: Vec<Signature>,
}

/// One signature.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Signature {
    /// Which key made it: consign writes securesystemslib's default key id
    /// ([`PublicKey::key_id`]). Advisory only: verification tries the given key on every
    /// signature, whatever id it carries. Always written, because securesystemslib requires
    /// the field (and only tries keys whose id matches it).
    #[serde(default)]
    pub keyid: String,
    /// The signature over the PAE, base64.
    pub sig: String,
}

/// The pre-authentication encoding of a payload and its type.
pub fn pae(payload_type: &str, payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(payload.len() + payload_type.len() + 32);
    out.extend_from_slice(b"DSSEv1 ");
    out.extend_from_slice(payload_type.len().to_string().as_bytes());
    out.push(b' ');
    out.extend_from_slice(payload_type.as_bytes());
    out.push(b' ');
    out.extend_from_slice(payload.len().to_string().as_bytes());
    out.push(b' ');
    out.extend_from_slice(payload);
    out
}

/// Decodes base64 in any of the alphabets DSSE allows.
pub fn decode_base64(s: &str) -> Option<Vec<u8>> {
    let s = s.trim();
    [STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD]
        .iter()
        .find_map(|e| e.decode(s).ok())
}

impl Envelope {
    /// Signs `payload` of type `payload_type` with `key`.
    pub fn sign(payload_type: &str, payload: &[u8], key: &PrivateKey) -> Result<Self, KeyError> {
        let sig = key.sign(&pae(payload_type, payload))?;
        Ok(Envelope {
            payload: STANDARD.encode(payload),
            payload_type: payload_type.to_owned(),
            signatures: vec![Signature {
                keyid: key.public_key().key_id(),
                sig: STANDARD.encode(sig),
            }],
        })
    }

    /// Parses an envelope from JSON. The error is the bare reason (serde's message); callers
    /// say what was expected (`VerifyError::Malformed` prefixes "not a DSSE envelope: ").
    pub fn from_json(bytes: &[u8]) -> Result<Self, String> {
        serde_json::from_slice(bytes).map_err(|e| e.to_string())
    }

    /// The JSON text, one line.
    pub fn to_json(&self) -> String {
        // A struct of strings always serialises.
        serde_json::to_string(self).unwrap_or_default()
    }

    /// The decoded payload.
    pub fn payload_bytes(&self) -> Result<Vec<u8>, String> {
        decode_base64(&self.payload).ok_or_else(|| "the payload is not valid base64".to_owned())
    }

    /// The index of the first signature `key` verifies, or why none does.
    pub fn verify(&self, key: &PublicKey) -> Result<usize, SignatureProblem> {
        if self.signatures.is_empty() {
            return Err(SignatureProblem::Unsigned);
        }
        let payload = self.payload_bytes().map_err(SignatureProblem::Malformed)?;
        let message = pae(&self.payload_type, &payload);
        for (i, s) in self.signatures.iter().enumerate() {
            let Some(sig) = decode_base64(&s.sig) else {
                continue;
            };
            if key.verify(&message, &sig) {
                return Ok(i);
            }
        }
        if self.signatures.iter().any(|s| key.is_named_by(&s.keyid)) {
            Err(SignatureProblem::Altered)
        } else {
            Err(SignatureProblem::OtherKey {
                key_ids: self
                    .signatures
                    .iter()
                    .map(|s| s.keyid.clone())
                    .filter(|k| !k.is_empty())
                    .collect(),
            })
        }
    }
}

/// Why no signature of an envelope verifies with a key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SignatureProblem {
    /// The envelope has no signatures.
    Unsigned,
    /// A field is not valid base64.
    Malformed(String),
    /// A signature carries this key's id but does not verify: the payload, its type or the
    /// signature was changed after signing.
    Altered,
    /// No signature is by this key (the ids the envelope names, if any).
    OtherKey {
        /// The key ids of the envelope's signatures.
        key_ids: Vec<String>,
    },
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attest::key::KeyType;

    #[test]
    fn pae_matches_the_spec_example() {
        // The test vector from the DSSE protocol document.
        assert_eq!(
            pae("http://example.com/HelloWorld", b"hello world"),
            b"DSSEv1 29 http://example.com/HelloWorld 11 hello world".to_vec()
        );
        assert_eq!(pae("", b""), b"DSSEv1 0  0 ".to_vec());
    }

    #[test]
    fn sign_verify_and_refusals() {
        let (key, _) = PrivateKey::generate(KeyType::Ed25519).unwrap();
        let env = Envelope::sign("application/x", b"{\"a\":1}", &key).unwrap();
        assert_eq!(env.verify(key.public_key()), Ok(0));
        let parsed = Envelope::from_json(env.to_json().as_bytes()).unwrap();
        assert_eq!(parsed, env);

        let mut tampered = env.clone();
        tampered.payload = STANDARD.encode(b"{\"a\":2}");
        assert_eq!(
            tampered.verify(key.public_key()),
            Err(SignatureProblem::Altered)
        );
        let mut retyped = env.clone();
        retyped.payload_type = "application/y".into();
        assert_eq!(
            retyped.verify(key.public_key()),
            Err(SignatureProblem::Altered)
        );

        let (other, _) = PrivateKey::generate(KeyType::EcdsaP256).unwrap();
        assert_eq!(
            env.verify(other.public_key()),
            Err(SignatureProblem::OtherKey {
                key_ids: vec![key.public_key().key_id()]
            })
        );
        let mut unsigned = env.clone();
        unsigned.signatures.clear();
        assert_eq!(
            unsigned.verify(key.public_key()),
            Err(SignatureProblem::Unsigned)
        );
    }

    /// The keyid is a hint: a signature verifies by the key whatever id it carries (another
    /// tool's id, consign 0.1's SPKI hash, none), and an altered envelope is still told apart
    /// from another key's when the signature names the key by either of its ids.
    #[test]
    fn keyids_are_hints_not_trust_decisions() {
        let (key, _) = PrivateKey::generate(KeyType::EcdsaP256).unwrap();
        let pk = key.public_key();
        let env = Envelope::sign("application/x", b"{}", &key).unwrap();
        assert_eq!(env.signatures[0].keyid, pk.key_id());
        for keyid in ["", "some-other-tool's-id", &pk.spki_key_id()] {
            let mut e = env.clone();
            e.signatures[0].keyid = keyid.to_owned();
            assert_eq!(e.verify(pk), Ok(0), "keyid {keyid:?}");
        }
        let mut legacy = env.clone();
        legacy.signatures[0].keyid = pk.spki_key_id();
        legacy.payload = STANDARD.encode(b"{\"x\":1}");
        assert_eq!(legacy.verify(pk), Err(SignatureProblem::Altered));
        let mut foreign = legacy.clone();
        foreign.signatures[0].keyid = "some-other-tool's-id".into();
        assert_eq!(
            foreign.verify(pk),
            Err(SignatureProblem::OtherKey {
                key_ids: vec!["some-other-tool's-id".into()]
            })
        );
    }

    #[test]
    fn reads_url_safe_and_unpadded_base64() {
        let (key, _) = PrivateKey::generate(KeyType::EcdsaP256).unwrap();
        let payload = b"\xfb\xff payload needing + and /";
        let mut env = Envelope::sign("t", payload, &key).unwrap();
        env.payload = URL_SAFE_NO_PAD.encode(payload);
        let sig = decode_base64(&env.signatures[0].sig).unwrap();
        env.signatures[0].sig = URL_SAFE_NO_PAD.encode(sig);
        assert_eq!(env.payload_bytes().unwrap(), payload);
        assert_eq!(env.verify(key.public_key()), Ok(0));
    }
}
