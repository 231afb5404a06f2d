#!/usr/bin/env python3
"""DSSE / in-toto interoperability with the reference Python libraries.

securesystemslib (dsse.Envelope, CryptoSigner, SSlibKey), in-toto (in_toto.models.metadata.
Envelope) and in-toto-attestation (the Statement v1 protobuf binding and its validate()) are
the reference implementations consign's attestations must agree with, in both directions:

  dsse.py verify ENVELOPE PUBKEY.pem [DIGEST]   verify an envelope consign wrote
  dsse.py sign SBOM KEY.pem NAME DIGEST OUT      write an envelope for consign to verify
  dsse.py keygen ecdsa|ed25519 PREFIX            write PREFIX.key / PREFIX.pub with cryptography

The libraries are used the ordinary way, with nothing overridden: keys are
`SSlibKey.from_crypto(public_key)` and signers `CryptoSigner(private_key)`, so both sides use
securesystemslib's default key id (SHA-256 of the canonical JSON of keytype, scheme and
keyval) and securesystemslib only tries a key on signatures carrying that id. `verify` and
`sign` print the key id they used, for the caller to compare with consign's. Exit 0 on
success, 1 on a refusal (with the reason), 2 on misuse.
"""

import json
import sys

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from google.protobuf import json_format
from in_toto.models.metadata import Envelope as InTotoEnvelope
from in_toto_attestation.v1 import statement_pb2
from in_toto_attestation.v1.statement import Statement
from securesystemslib.dsse import Envelope
from securesystemslib.signer import CryptoSigner, SSlibKey

PAYLOAD_TYPE = "application/vnd.in-toto+json"
PREDICATES = {"CycloneDX": "https://cyclonedx.org/bom", "SPDX": "https://spdx.dev/Document"}


def verify(envelope_path, pub_path, digest=None):
    with open(pub_path, "rb") as f:
        public_key = serialization.load_pem_public_key(f.read())
    with open(envelope_path) as f:
        data = json.load(f)
    # in-toto's Envelope is securesystemslib's DSSE envelope with in-toto's payload type.
    env = InTotoEnvelope.from_dict(data)
    if env.payload_type != PAYLOAD_TYPE:
        sys.exit(f"refused: payload type {env.payload_type}")
    key = SSlibKey.from_crypto(public_key)
    try:
        env.verify([key], 1)
    except Exception as e:  # VerificationError and friends
        print(f"refused: {type(e).__name__}: {e}")
        sys.exit(1)
    pb = json_format.Parse(env.payload, statement_pb2.Statement())
    statement = Statement.copy_from_pb(pb)
    statement.validate()
    if pb.predicate_type not in PREDICATES.values():
        sys.exit(f"refused: predicate type {pb.predicate_type}")
    if digest:
        alg, hexd = digest.split(":", 1)
        if not any(s.digest.get(alg) == hexd for s in pb.subject):
            print(f"refused: no subject with {digest}")
            sys.exit(1)
    subjects = ", ".join(f"{s.name}@sha256:{s.digest['sha256']}" for s in pb.subject)
    print(f"ok: {pb.predicate_type} about {subjects}, key {key.keyid}")


def sign(sbom_path, key_path, name, digest, out_path):
    with open(key_path, "rb") as f:
        private_key = serialization.load_pem_private_key(f.read(), password=None)
    with open(sbom_path) as f:
        sbom = json.load(f)
    predicate_type = PREDICATES["CycloneDX" if sbom.get("bomFormat") == "CycloneDX" else "SPDX"]
    alg, hexd = digest.split(":", 1)
    pb = statement_pb2.Statement()
    json_format.ParseDict(
        {
            "_type": "https://in-toto.io/Statement/v1",
            "subject": [{"name": name, "digest": {alg: hexd}}],
            "predicateType": predicate_type,
            "predicate": sbom,
        },
        pb,
    )
    Statement.copy_from_pb(pb).validate()
    payload = json_format.MessageToJson(pb, indent=None).encode()
    signer = CryptoSigner(private_key)
    env = Envelope(payload, PAYLOAD_TYPE, {})
    env.sign(signer)
    with open(out_path, "w") as f:
        json.dump(env.to_dict(), f)
    print(f"signed {out_path} with key {signer.public_key.keyid}")


def keygen(kind, prefix):
    key = ec.generate_private_key(ec.SECP256R1()) if kind == "ecdsa" else ed25519.Ed25519PrivateKey.generate()
    with open(prefix + ".key", "wb") as f:
        f.write(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
    with open(prefix + ".pub", "wb") as f:
        f.write(
            key.public_key().public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            )
        )
    print(SSlibKey.from_crypto(key.public_key()).keyid)


def main(argv):
    cmd = argv[1] if len(argv) > 1 else ""
    if cmd == "verify" and len(argv) in (4, 5):
        verify(*argv[2:])
    elif cmd == "sign" and len(argv) == 7:
        sign(*argv[2:])
    elif cmd == "keygen" and len(argv) == 4 and argv[2] in ("ecdsa", "ed25519"):
        keygen(argv[2], argv[3])
    else:
        print(__doc__, file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main(sys.argv)
