//! End-to-end tests of attest → verify, one per refusal.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use super::*;

fn digest(c: char) -> Digest {
    format!("sha256:{}", c.to_string().repeat(64))
        .parse()
        .unwrap()
}

fn sbom() -> String {
    format!(
        "{{\n  \"bomFormat\": \"CycloneDX\",\n  \"specVersion\": \"1.6\",\n  \"metadata\": {{\"component\": \
         {{\"name\": \"localhost:5000/app\", \"properties\": [{{\"name\": \"consign:image:manifestDigest\", \
         \"value\": \"{}\"}}]}}}}\n}}\n",
        digest('a')
    )
}

#[test]
fn attest_then_verify() {
    for kind in [KeyType::EcdsaP256, KeyType::Ed25519] {
        let (key, _) = PrivateKey::generate(kind).unwrap();
        let att = attest_sbom(sbom().as_bytes(), &key, None).unwrap();
        assert_eq!(
            att.subject,
            Subject::image("localhost:5000/app", &digest('a'))
        );
        assert_eq!(att.predicate_type, "https://cyclonedx.org/bom");
        let json = att.envelope.to_json();
        let v = verify(json.as_bytes(), key.public_key(), Some(&digest('a'))).unwrap();
        assert_eq!(v.key_id, key.public_key().key_id());
        assert_eq!(v.statement.type_, statement::STATEMENT_V1);
        assert_eq!(
            v.statement.predicate.unwrap().get(),
            statement::compact_json(&sbom())
        );
        assert!(verify(json.as_bytes(), key.public_key(), None).is_ok());
    }
}

#[test]
fn explicit_subject_wins() {
    let (key, _) = PrivateKey::generate(KeyType::Ed25519).unwrap();
    let s = Subject::image("reg/other", &digest('b'));
    let att = attest_sbom(sbom().as_bytes(), &key, Some(s.clone())).unwrap();
    assert_eq!(att.subject, s);
}

#[test]
fn refusals() {
    let (key, _) = PrivateKey::generate(KeyType::EcdsaP256).unwrap();
    let (other, _) = PrivateKey::generate(KeyType::EcdsaP256).unwrap();
    let env = attest_sbom(sbom().as_bytes(), &key, None).unwrap().envelope;
    let pk = key.public_key();
    let check = |e: &Envelope, k: &PublicKey, d: Option<&Digest>| {
        verify(e.to_json().as_bytes(), k, d).unwrap_err()
    };

    let mut tampered = env.clone();
    let payload = String::from_utf8(env.payload_bytes().unwrap()).unwrap();
    tampered.payload =
        STANDARD.encode(payload.replace("localhost:5000/app", "localhost:5000/evil"));
    assert_eq!(
        check(&tampered, pk, None),
        VerifyError::Altered {
            key_id: pk.key_id()
        }
    );
    assert_eq!(
        check(&env, other.public_key(), None),
        VerifyError::WrongKey {
            key_id: other.public_key().key_id(),
            found: pk.key_id()
        }
    );
    let e = check(&env, pk, Some(&digest('c')));
    assert_eq!(
        e.to_string(),
        format!(
            "wrong subject: the attestation is about localhost:5000/app@{}, not {}",
            digest('a'),
            digest('c')
        )
    );
    let mut retyped = env.clone();
    retyped.payload_type = "application/json".into();
    assert_eq!(
        check(&retyped, pk, None),
        VerifyError::PayloadType("application/json".into())
    );
    let mut unsigned = env.clone();
    unsigned.signatures.clear();
    assert_eq!(check(&unsigned, pk, None), VerifyError::Unsigned);
    // See: the review of issue 6 ("not a DSSE envelope: not a DSSE envelope: missing field…").
    assert_eq!(
        verify(b"{\"not\":1}", pk, None).unwrap_err().to_string(),
        "not a DSSE envelope: missing field `payload` at line 1 column 9"
    );
    let mut not_base64 = env.clone();
    not_base64.payload = "!!".into();
    assert_eq!(
        check(&not_base64, pk, None).to_string(),
        "not a DSSE envelope: the payload is not valid base64"
    );

    // A correctly signed payload that is not a statement.
    let not_statement = Envelope::sign(PAYLOAD_TYPE, b"{\"x\":1}", &key).unwrap();
    assert!(matches!(
        check(&not_statement, pk, None),
        VerifyError::Statement(_)
    ));
}

#[test]
fn attest_refuses_non_sboms_and_missing_subjects() {
    let (key, _) = PrivateKey::generate(KeyType::Ed25519).unwrap();
    assert!(matches!(
        attest_sbom(b"{\"a\":1}", &key, None),
        Err(AttestError::NotAnSbom(_))
    ));
    assert!(matches!(
        attest_sbom(b"not json", &key, None),
        Err(AttestError::NotAnSbom(_))
    ));
    assert!(matches!(
        attest_sbom(b"{\"bomFormat\":\"CycloneDX\"}", &key, None),
        Err(AttestError::NoSubject)
    ));
}

// See: the review of issue 6. An SBOM that records only the config digest (a classic
// `docker save` image) is refused, not attested about its config digest.
#[test]
fn attest_refuses_an_sbom_without_a_manifest_digest() {
    let (key, _) = PrivateKey::generate(KeyType::Ed25519).unwrap();
    let config = digest('c');
    let sbom = format!(
        "{{\"bomFormat\":\"CycloneDX\",\"metadata\":{{\"component\":{{\"name\":\"bad\",\
         \"purl\":\"pkg:oci/bad@{config}?tag=1\",\"properties\":[{{\"name\":\
         \"consign:image:configDigest\",\"value\":\"{config}\"}}]}}}}}}"
    );
    let e = attest_sbom(sbom.as_bytes(), &key, None).unwrap_err();
    assert_eq!(
        e.to_string(),
        "the SBOM does not record the image's manifest digest; name the image with --image NAME@sha256:…"
    );
    // Named explicitly, it is attested as named.
    let s = Subject::image("docker.io/library/bad", &digest('a'));
    assert_eq!(
        attest_sbom(sbom.as_bytes(), &key, Some(s.clone()))
            .unwrap()
            .subject,
        s
    );
}

// See: the review of issue 6 (`--image sha256:…` wrote an empty subject name).
#[test]
fn attest_refuses_a_subject_without_a_name() {
    let (key, _) = PrivateKey::generate(KeyType::Ed25519).unwrap();
    let e = attest_sbom(
        sbom().as_bytes(),
        &key,
        Some(Subject::image(" ", &digest('a'))),
    )
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        "the attestation's subject has no name; name the image with --image NAME@sha256:…"
    );
    let unnamed = format!(
        "{{\"bomFormat\":\"CycloneDX\",\"metadata\":{{\"component\":{{\"properties\":\
         [{{\"name\":\"consign:image:manifestDigest\",\"value\":\"{}\"}}]}}}}}}",
        digest('a')
    );
    assert!(matches!(
        attest_sbom(unnamed.as_bytes(), &key, None),
        Err(AttestError::NoSubjectName)
    ));
}
