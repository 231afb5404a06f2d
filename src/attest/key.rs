//! Signing keys: ECDSA P-256 (signatures ASN.1 DER, SHA-256) and Ed25519, read from PKCS#8
//! PEM private keys and SubjectPublicKeyInfo PEM public keys — the files `openssl genpkey`,
//! Python's `cryptography`, securesystemslib's `CryptoSigner` and `consign key generate` write.
//!
//! All cryptography is `ring`'s. What is done here is only the fixed DER framing of the two key
//! types: DER is canonical, so a P-256 SubjectPublicKeyInfo is always the same 26-byte header
//! followed by the 65-byte uncompressed point, and an Ed25519 one a 12-byte header followed by
//! the 32-byte key (RFC 5480 §2, RFC 8410 §4). Anything else is refused with a message saying
//! what was found.
//!
//! A key's id is securesystemslib's default key id (see [`PublicKey::key_id`]): derived from the
//! public key alone, the same for the private and public halves, and the id the reference
//! Python libraries look for. It only helps find a key; it is never what makes a signature valid.

use std::fmt;
use std::str::FromStr;

use ring::rand::{SecureRandom, SystemRandom};
use ring::signature::{self, EcdsaKeyPair, Ed25519KeyPair, KeyPair};

use super::pem;

/// SubjectPublicKeyInfo header of an uncompressed P-256 point (id-ecPublicKey, prime256v1).
const P256_SPKI_PREFIX: &[u8] = &[
    0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a,
    0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00,
];
/// SubjectPublicKeyInfo header of an Ed25519 key (id-Ed25519).
const ED25519_SPKI_PREFIX: &[u8] = &[
    0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00,
];
/// PKCS#8 v1 header of an Ed25519 private key, as OpenSSL writes it (RFC 8410 §7).
const ED25519_PKCS8_PREFIX: &[u8] = &[
    0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
];
/// OIDs (DER contents) used only to name what an unsupported key is.
const OID_RSA: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];
const OID_EC: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];
const OID_ED448: &[u8] = &[0x2b, 0x65, 0x71];

/// The key types consign signs and verifies with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum KeyType {
    /// ECDSA on NIST P-256 with SHA-256 (cosign's default, securesystemslib
    /// `ecdsa-sha2-nistp256`).
    EcdsaP256,
    /// Ed25519 (securesystemslib `ed25519`).
    Ed25519,
}

impl KeyType {
    /// The CLI name: `ecdsa-p256` or `ed25519`.
    pub fn as_str(self) -> &'static str {
        match self {
            KeyType::EcdsaP256 => "ecdsa-p256",
            KeyType::Ed25519 => "ed25519",
        }
    }

    /// The signing scheme's name in securesystemslib / in-toto key metadata.
    pub fn scheme(self) -> &'static str {
        match self {
            KeyType::EcdsaP256 => "ecdsa-sha2-nistp256",
            KeyType::Ed25519 => "ed25519",
        }
    }
}

impl fmt::Display for KeyType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for KeyType {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "ecdsa-p256" | "ecdsa" | "p256" => Ok(KeyType::EcdsaP256),
            "ed25519" => Ok(KeyType::Ed25519),
            _ => Err(format!(
                "unknown key type {s:?}; expected ecdsa-p256 or ed25519"
            )),
        }
    }
}

/// Why a key file cannot be used.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct KeyError(pub String);

fn err(s: impl Into<String>) -> KeyError {
    KeyError(s.into())
}

/// A public key, for verifying.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PublicKey {
    kind: KeyType,
    /// The raw key: the uncompressed P-256 point, or the 32 Ed25519 bytes.
    raw: Vec<u8>,
}

impl PublicKey {
    /// Reads a `PUBLIC KEY` PEM block; a PKCS#8 `PRIVATE KEY` is accepted too (its public
    /// half is used), so one file can serve both ends in a test.
    pub fn from_pem(text: &str) -> Result<PublicKey, KeyError> {
        let block = first_key_block(text)?
            .ok_or_else(|| err("no PEM block found (expected -----BEGIN PUBLIC KEY-----)"))?;
        match block.label.as_str() {
            "PUBLIC KEY" => PublicKey::from_spki_der(&block.der),
            "PRIVATE KEY" => Ok(PrivateKey::from_pkcs8_der(&block.der)?.public),
            other => Err(unsupported_label(other)),
        }
    }

    /// Parses a DER SubjectPublicKeyInfo.
    pub fn from_spki_der(der: &[u8]) -> Result<PublicKey, KeyError> {
        if let Some(point) = der.strip_prefix(P256_SPKI_PREFIX)
            && point.len() == 65
            && point[0] == 0x04
        {
            return Ok(PublicKey {
                kind: KeyType::EcdsaP256,
                raw: point.to_vec(),
            });
        }
        if let Some(raw) = der.strip_prefix(ED25519_SPKI_PREFIX)
            && raw.len() == 32
        {
            return Ok(PublicKey {
                kind: KeyType::Ed25519,
                raw: raw.to_vec(),
            });
        }
        Err(err(format!(
            "unsupported public key ({}); consign verifies ECDSA P-256 and Ed25519 keys",
            describe_algorithm(der)
        )))
    }

    /// The key type.
    pub fn kind(&self) -> KeyType {
        self.kind
    }

    /// The DER SubjectPublicKeyInfo.
    pub fn spki_der(&self) -> Vec<u8> {
        let prefix = match self.kind {
            KeyType::EcdsaP256 => P256_SPKI_PREFIX,
            KeyType::Ed25519 => ED25519_SPKI_PREFIX,
        };
        [prefix, &self.raw].concat()
    }

    /// The `PUBLIC KEY` PEM text.
    pub fn to_pem(&self) -> String {
        pem::encode("PUBLIC KEY", &self.spki_der())
    }

    /// The key id written into signatures: securesystemslib's default key id, the lowercase
    /// hex SHA-256 of [`PublicKey::securesystemslib_json`] — what `SSlibKey.from_crypto(key)`
    /// and `CryptoSigner` compute, so an envelope consign signs verifies with securesystemslib
    /// and in-toto used the ordinary way. The id is a hint for finding the key, never a trust
    /// decision: consign's verification tries the given key on every signature whatever its id.
    pub fn key_id(&self) -> String {
        sha256_hex(self.securesystemslib_json().as_bytes())
    }

    /// The key id consign 0.1 wrote (hex SHA-256 of the SubjectPublicKeyInfo DER), still
    /// recognised in envelopes so a bad signature on one of them is reported as altered.
    pub fn spki_key_id(&self) -> String {
        sha256_hex(&self.spki_der())
    }

    /// True when `keyid` (from a signature) names this key by either id.
    pub fn is_named_by(&self, keyid: &str) -> bool {
        !keyid.is_empty()
            && (keyid.eq_ignore_ascii_case(&self.key_id())
                || keyid.eq_ignore_ascii_case(&self.spki_key_id()))
    }

    /// The key as securesystemslib describes it, in its canonical JSON (keys sorted, no
    /// whitespace, only `"` and `\` escaped): `{"keytype":…,"keyval":{"public":…},"scheme":…}`.
    /// `keyval.public` is the hex of the raw key for Ed25519 and the SubjectPublicKeyInfo PEM
    /// (64-column lines, final newline, as `cryptography` writes it) for ECDSA.
    pub fn securesystemslib_json(&self) -> String {
        let (keytype, public) = match self.kind {
            KeyType::EcdsaP256 => ("ecdsa", self.to_pem()),
            KeyType::Ed25519 => ("ed25519", hex::encode(&self.raw)),
        };
        format!(
            "{{\"keytype\":{},\"keyval\":{{\"public\":{}}},\"scheme\":{}}}",
            canonical_string(keytype),
            canonical_string(&public),
            canonical_string(self.kind.scheme())
        )
    }

    /// True when `sig` is this key's signature over `msg`. ECDSA signatures are ASN.1 DER
    /// (what cosign and securesystemslib write); a 64-byte fixed-width `r‖s` is accepted too.
    pub fn verify(&self, msg: &[u8], sig: &[u8]) -> bool {
        match self.kind {
            KeyType::EcdsaP256 => {
                let der = signature::UnparsedPublicKey::new(
                    &signature::ECDSA_P256_SHA256_ASN1,
                    &self.raw,
                );
                if der.verify(msg, sig).is_ok() {
                    return true;
                }
                sig.len() == 64
                    && signature::UnparsedPublicKey::new(
                        &signature::ECDSA_P256_SHA256_FIXED,
                        &self.raw,
                    )
                    .verify(msg, sig)
                    .is_ok()
            }
            KeyType::Ed25519 => signature::UnparsedPublicKey::new(&signature::ED25519, &self.raw)
                .verify(msg, sig)
                .is_ok(),
        }
    }
}

enum Pair {
    Ecdsa(EcdsaKeyPair),
    Ed25519(Ed25519KeyPair),
}

/// A private key, for signing.
pub struct PrivateKey {
    pair: Pair,
    public: PublicKey,
}

impl fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never print key material.
        f.debug_struct("PrivateKey")
            .field("kind", &self.public.kind)
            .field("key_id", &self.public.key_id())
            .finish()
    }
}

impl PrivateKey {
    /// Generates a key; returns it with its unencrypted PKCS#8 PEM text.
    pub fn generate(kind: KeyType) -> Result<(PrivateKey, String), KeyError> {
        let rng = SystemRandom::new();
        let der = match kind {
            KeyType::EcdsaP256 => {
                EcdsaKeyPair::generate_pkcs8(&signature::ECDSA_P256_SHA256_ASN1_SIGNING, &rng)
                    .map_err(|_| err("cannot generate an ECDSA P-256 key"))?
                    .as_ref()
                    .to_vec()
            }
            KeyType::Ed25519 => {
                // PKCS#8 v1 (seed only) is what OpenSSL and Python read everywhere; ring's own
                // generator writes v2.
                let mut seed = [0u8; 32];
                rng.fill(&mut seed)
                    .map_err(|_| err("cannot generate an Ed25519 key"))?;
                [ED25519_PKCS8_PREFIX, &seed].concat()
            }
        };
        let key = PrivateKey::from_pkcs8_der(&der)?;
        Ok((key, pem::encode("PRIVATE KEY", &der)))
    }

    /// Reads an unencrypted PKCS#8 `PRIVATE KEY` PEM block.
    pub fn from_pem(text: &str) -> Result<PrivateKey, KeyError> {
        let block = first_key_block(text)?
            .ok_or_else(|| err("no PEM block found (expected -----BEGIN PRIVATE KEY-----)"))?;
        match block.label.as_str() {
            "PRIVATE KEY" => PrivateKey::from_pkcs8_der(&block.der),
            "PUBLIC KEY" => Err(err(
                "this is a public key; signing needs the private key (PKCS#8 PEM)",
            )),
            other => Err(unsupported_label(other)),
        }
    }

    /// Parses a PKCS#8 DER private key (v1 or v2).
    pub fn from_pkcs8_der(der: &[u8]) -> Result<PrivateKey, KeyError> {
        let rng = SystemRandom::new();
        if let Ok(pair) =
            EcdsaKeyPair::from_pkcs8(&signature::ECDSA_P256_SHA256_ASN1_SIGNING, der, &rng)
        {
            let public = PublicKey {
                kind: KeyType::EcdsaP256,
                raw: pair.public_key().as_ref().to_vec(),
            };
            return Ok(PrivateKey {
                pair: Pair::Ecdsa(pair),
                public,
            });
        }
        if let Ok(pair) = Ed25519KeyPair::from_pkcs8_maybe_unchecked(der) {
            let public = PublicKey {
                kind: KeyType::Ed25519,
                raw: pair.public_key().as_ref().to_vec(),
            };
            return Ok(PrivateKey {
                pair: Pair::Ed25519(pair),
                public,
            });
        }
        Err(err(format!(
            "unsupported or malformed private key ({}); consign signs with ECDSA P-256 and \
             Ed25519 keys in unencrypted PKCS#8",
            describe_algorithm(der)
        )))
    }

    /// The key type.
    pub fn kind(&self) -> KeyType {
        self.public.kind
    }

    /// The public half.
    pub fn public_key(&self) -> &PublicKey {
        &self.public
    }

    /// Signs `msg` (ECDSA: SHA-256, ASN.1 DER signature with a random nonce; Ed25519: pure).
    pub fn sign(&self, msg: &[u8]) -> Result<Vec<u8>, KeyError> {
        match &self.pair {
            Pair::Ecdsa(p) => p
                .sign(&SystemRandom::new(), msg)
                .map(|s| s.as_ref().to_vec())
                .map_err(|_| err("ECDSA signing failed")),
            Pair::Ed25519(p) => Ok(p.sign(msg).as_ref().to_vec()),
        }
    }
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(ring::digest::digest(&ring::digest::SHA256, bytes))
}

/// A string in securesystemslib's canonical JSON: quoted, with only `\` and `"` escaped (every
/// other character, newlines included, is written as is).
fn canonical_string(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

/// The first PEM block that holds a key (`openssl ecparam -genkey` puts an `EC PARAMETERS`
/// block first).
fn first_key_block(text: &str) -> Result<Option<pem::Block>, KeyError> {
    Ok(pem::decode_all(text)
        .map_err(err)?
        .into_iter()
        .find(|b| b.label != "EC PARAMETERS"))
}

fn unsupported_label(label: &str) -> KeyError {
    err(match label {
        "ENCRYPTED PRIVATE KEY" => "the private key is encrypted; consign reads unencrypted \
             PKCS#8 (decrypt it with `openssl pkcs8 -in KEY -out KEY.plain`)"
            .to_owned(),
        "EC PRIVATE KEY" => "this is a SEC1 EC key; convert it to PKCS#8 with \
             `openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY.pk8`"
            .to_owned(),
        "RSA PRIVATE KEY" | "RSA PUBLIC KEY" => {
            "RSA keys are not supported; use ECDSA P-256 or Ed25519".to_owned()
        }
        l if l.contains("SIGSTORE") || l.contains("COSIGN") => format!(
            "{l} is cosign's password-encrypted format; export the key as PKCS#8 PEM or \
             create one with `consign key generate`"
        ),
        l => format!("unexpected PEM block {l:?}"),
    })
}

/// Names the algorithm of a DER key by the OIDs it contains, for error messages.
fn describe_algorithm(der: &[u8]) -> &'static str {
    let has = |oid: &[u8]| der.windows(oid.len()).any(|w| w == oid);
    if has(OID_RSA) {
        "RSA"
    } else if has(OID_EC) {
        "an elliptic curve other than P-256, or a compressed point"
    } else if has(OID_ED448) {
        "Ed448"
    } else {
        "unrecognised algorithm"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Written by `openssl genpkey` (OpenSSL 3) and `openssl pkey -pubout`.
    const OPENSSL_ED25519: &str = "-----BEGIN PRIVATE KEY-----
MC4CAQAwBQYDK2VwBCIEIIVRRGt55iL/lKefTyRTw7tdTajsOCBGvoglBk+E6G7p
-----END PRIVATE KEY-----
";
    const OPENSSL_ED25519_PUB: &str = "-----BEGIN PUBLIC KEY-----
MCowBQYDK2VwAyEAwehyOrXc8zJwVPw2gZV+RBKXwYbAD1YNCT6ciZSSscE=
-----END PUBLIC KEY-----
";
    const OPENSSL_P256: &str = "-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgnbgXKBrAgVpIxmVJ
9CsnQkNeIEm7GRhNN7uKsE0kFPihRANCAASpw4URRPhp/faZSEr/8IGugJDvEXFZ
7SGgSTxu0uvDYFTCHjfOLWM7ku1tQILJ6YAozp7WpFpB6hHJWSOIWMFy
-----END PRIVATE KEY-----
";
    const OPENSSL_P256_PUB: &str = "-----BEGIN PUBLIC KEY-----
MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEqcOFEUT4af32mUhK//CBroCQ7xFx
We0hoEk8btLrw2BUwh43zi1jO5LtbUCCyemAKM6e1qRaQeoRyVkjiFjBcg==
-----END PUBLIC KEY-----
";

    #[test]
    fn generated_keys_sign_and_verify_and_round_trip() {
        for kind in [KeyType::EcdsaP256, KeyType::Ed25519] {
            let (key, pem_text) = PrivateKey::generate(kind).unwrap();
            assert_eq!(key.kind(), kind);
            let again = PrivateKey::from_pem(&pem_text).unwrap();
            assert_eq!(again.public_key(), key.public_key());
            let public = PublicKey::from_pem(&key.public_key().to_pem()).unwrap();
            assert_eq!(&public, key.public_key());
            assert_eq!(public.key_id().len(), 64);
            let sig = key.sign(b"message").unwrap();
            assert!(public.verify(b"message", &sig));
            assert!(!public.verify(b"messagE", &sig));
            let (other, _) = PrivateKey::generate(kind).unwrap();
            assert!(!other.public_key().verify(b"message", &sig));
        }
    }

    #[test]
    fn reads_openssl_keys() {
        for (private, public, kind) in [
            (OPENSSL_ED25519, OPENSSL_ED25519_PUB, KeyType::Ed25519),
            (OPENSSL_P256, OPENSSL_P256_PUB, KeyType::EcdsaP256),
        ] {
            let key = PrivateKey::from_pem(private).unwrap();
            assert_eq!(key.kind(), kind);
            let public = PublicKey::from_pem(public).unwrap();
            assert_eq!(&public, key.public_key());
            // Our PEM of the public key is byte-identical to OpenSSL's.
            assert_eq!(
                public.to_pem(),
                PublicKey::from_pem(private).unwrap().to_pem()
            );
            assert_eq!(
                public.to_pem(),
                if kind == KeyType::Ed25519 {
                    OPENSSL_ED25519_PUB
                } else {
                    OPENSSL_P256_PUB
                }
            );
            let sig = key.sign(b"m").unwrap();
            assert!(public.verify(b"m", &sig));
        }
    }

    /// The key ids securesystemslib 1.x gives these keys by default
    /// (`SSlibKey.from_crypto(load_pem_public_key(PUB)).keyid`, securesystemslib 1.6.0).
    #[test]
    fn key_ids_are_securesystemslib_default_key_ids() {
        let ed = PublicKey::from_pem(OPENSSL_ED25519_PUB).unwrap();
        assert_eq!(
            ed.key_id(),
            "b99a40f675c7113a68e086e9369af094bc99b1c76a97191086d7ceda136a8dcf"
        );
        let p256 = PublicKey::from_pem(OPENSSL_P256_PUB).unwrap();
        assert_eq!(
            p256.key_id(),
            "a3a3adbf588ce4e389a4edb90e9efaaf8dfc9fdce5ac514899312b3faf4003d3"
        );
        // The same id from the private key.
        assert_eq!(
            PrivateKey::from_pem(OPENSSL_P256)
                .unwrap()
                .public_key()
                .key_id(),
            p256.key_id()
        );
        // What is hashed: securesystemslib's canonical JSON of the key metadata (keys sorted, no
        // whitespace, only `"` and `\` escaped, so the PEM's newlines stay raw bytes).
        assert_eq!(
            ed.securesystemslib_json(),
            "{\"keytype\":\"ed25519\",\"keyval\":{\"public\":\"c1e8723ab5dcf3327054fc3681957e441297c186c00f560d093e9c899492b1c1\"},\"scheme\":\"ed25519\"}"
        );
        assert_eq!(
            p256.securesystemslib_json(),
            format!(
                "{{\"keytype\":\"ecdsa\",\"keyval\":{{\"public\":\"{OPENSSL_P256_PUB}\"}},\"scheme\":\"ecdsa-sha2-nistp256\"}}"
            )
        );
    }

    #[test]
    fn canonical_strings_escape_only_quote_and_backslash() {
        assert_eq!(canonical_string("a\"b\\c\nd"), "\"a\\\"b\\\\c\nd\"");
    }

    #[test]
    fn both_key_ids_name_the_key() {
        let p256 = PublicKey::from_pem(OPENSSL_P256_PUB).unwrap();
        // consign 0.1's id of this key: SHA-256 of the SPKI DER (`openssl pkey -pubin
        // -outform DER | sha256sum`).
        assert_eq!(
            p256.spki_key_id(),
            "8fbe17c06a7272f98493d2222a528c37e44669d1553c8d62bd938d523305b0b8"
        );
        assert!(p256.is_named_by(&p256.key_id()));
        assert!(p256.is_named_by(&p256.spki_key_id().to_uppercase()));
        assert!(!p256.is_named_by(""));
        assert!(!p256.is_named_by(&"0".repeat(64)));
    }

    #[test]
    fn ecdsa_signatures_are_der() {
        let (key, _) = PrivateKey::generate(KeyType::EcdsaP256).unwrap();
        let sig = key.sign(b"x").unwrap();
        assert_eq!(sig[0], 0x30, "ASN.1 SEQUENCE");
        assert_eq!(sig[1] as usize, sig.len() - 2);
    }

    #[test]
    fn explains_unsupported_keys() {
        let e = PrivateKey::from_pem(
            "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n",
        )
        .unwrap_err();
        assert!(e.0.contains("encrypted"), "{e}");
        let e = PrivateKey::from_pem(
            "-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----\n",
        )
        .unwrap_err();
        assert!(e.0.contains("openssl pkcs8 -topk8"), "{e}");
        let e = PublicKey::from_pem("nothing").unwrap_err();
        assert!(e.0.contains("no PEM block"), "{e}");
        let rsa_spki = [&[0x30u8, 0x0d, 0x06, 0x09][..], OID_RSA].concat();
        let e = PublicKey::from_spki_der(&rsa_spki).unwrap_err();
        assert!(e.0.contains("RSA"), "{e}");
        let (key, _) = PrivateKey::generate(KeyType::Ed25519).unwrap();
        let e = PrivateKey::from_pem(&key.public_key().to_pem()).unwrap_err();
        assert!(e.0.contains("public key"), "{e}");
    }
}
