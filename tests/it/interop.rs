//! Attestations against the reference Python implementations, both ways: envelopes consign
//! writes verify with securesystemslib / in-toto (and in-toto-attestation validates the
//! statement), envelopes securesystemslib writes verify with consign, for ECDSA P-256 and
//! Ed25519, with keys made by either side. The Python side uses the libraries the ordinary
//! way (`SSlibKey.from_crypto`, `CryptoSigner`, no key id forced), and both sides must name
//! each key by the same id. Needs the venv `tests/run.sh` prepares (`CONSIGN_E2E_PYTHON`);
//! plain `cargo test` skips this as ignored.

use crate::support::peers::{alpine, check, consign, interop, python, text};
use crate::support::tmp;

#[test]
#[ignore = "needs the reference Python in-toto libraries: tests/run.sh"]
fn attestations_interoperate_with_securesystemslib_both_ways() {
    let dir = tmp();
    let d = dir.path();
    alpine().write_oci_dir(&d.join("layout"));
    check(
        consign(
            d,
            None,
            &[
                "sbom",
                "oci-dir:layout",
                "-q",
                "-o",
                "cyclonedx-json=app.cdx.json",
                "-o",
                "spdx-json=app.spdx.json",
            ],
        ),
        "sbom",
    );
    let digest = alpine().build().manifest.0;
    let dsse = interop("dsse.py");
    let dsse = dsse.to_str().unwrap();
    for kind in ["ecdsa", "ed25519"] {
        // Keys made by Python's cryptography (OpenSSL PKCS#8 / SPKI PEM); keygen prints
        // securesystemslib's default key id.
        let o = check(python(d, &[dsse, "keygen", kind, kind]), "keygen");
        let py_id = text(&o.stdout).trim().to_owned();
        assert_eq!(py_id.len(), 64, "{py_id}");
        let (key, public) = (format!("{kind}.key"), format!("{kind}.pub"));
        // securesystemslib signs, consign verifies.
        let py_att = format!("py-{kind}.json");
        let o = check(
            python(
                d,
                &[
                    dsse,
                    "sign",
                    "app.spdx.json",
                    &key,
                    "reg.example/app",
                    &digest,
                    &py_att,
                ],
            ),
            "dsse.py sign",
        );
        assert_eq!(
            text(&o.stdout),
            format!("signed {py_att} with key {py_id}\n")
        );
        let o = check(
            consign(
                d,
                None,
                &[
                    "verify",
                    &py_att,
                    "--key",
                    &public,
                    "--image-digest",
                    &digest,
                ],
            ),
            "consign verify",
        );
        assert_eq!(
            text(&o.stderr),
            format!(
                "verified: https://spdx.dev/Document about reg.example/app@{digest}, signed by key {py_id}\n"
            )
        );
        // consign signs with the Python key, securesystemslib and in-toto verify.
        let ours = format!("consign-{kind}.json");
        let o = check(
            consign(
                d,
                None,
                &["attest", "app.cdx.json", "--key", &key, "-o", &ours],
            ),
            "consign attest",
        );
        assert!(
            text(&o.stderr).ends_with(&format!(" with key {py_id}\n")),
            "{}",
            text(&o.stderr)
        );
        let written: serde_json::Value =
            serde_json::from_slice(&std::fs::read(d.join(&ours)).unwrap()).unwrap();
        assert_eq!(written["signatures"][0]["keyid"], py_id.as_str());
        let o = check(
            python(d, &[dsse, "verify", &ours, &public, &digest]),
            "dsse.py verify",
        );
        assert_eq!(
            text(&o.stdout),
            format!(
                "ok: https://cyclonedx.org/bom about example.com/test/app@{digest}, key {py_id}\n"
            )
        );
        // And with a consign-generated key of the same type.
        let t = if kind == "ecdsa" {
            "ecdsa-p256"
        } else {
            "ed25519"
        };
        let o = check(
            consign(
                d,
                None,
                &[
                    "key",
                    "generate",
                    "--type",
                    t,
                    "--out",
                    &format!("c-{kind}"),
                ],
            ),
            "key generate",
        );
        let c_id = text(&o.stderr)
            .rsplit_once("key id ")
            .map(|(_, id)| id.trim_end_matches([')', '\n']).to_owned())
            .unwrap();
        let att = format!("c-{kind}.json");
        check(
            consign(
                d,
                None,
                &[
                    "attest",
                    "app.spdx.json",
                    "--key",
                    &format!("c-{kind}.key"),
                    "-o",
                    &att,
                ],
            ),
            "attest",
        );
        let o = check(
            python(
                d,
                &[dsse, "verify", &att, &format!("c-{kind}.pub"), &digest],
            ),
            "dsse.py verify consign key",
        );
        assert!(
            text(&o.stdout).ends_with(&format!(", key {c_id}\n")),
            "{}",
            text(&o.stdout)
        );
        // Each side refuses the other's envelope under the wrong key.
        let o = consign(
            d,
            None,
            &["verify", &py_att, "--key", &format!("c-{kind}.pub")],
        );
        assert_eq!(o.status.code(), Some(1));
        let o = python(d, &[dsse, "verify", &att, &public]);
        assert_eq!(o.status.code(), Some(1));
    }
}
