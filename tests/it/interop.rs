//! Attestations against the reference Python implementations, both ways: envelopes consign
//! writes verify with securesystemslib / in-toto (and in-toto-attestation validates the
//! statement), envelopes securesystemslib writes verify with consign, for ECDSA P-256 and
//! Ed25519, with keys made by either side. Needs the venv `tests/run.sh` prepares
//! (`CONSIGN_E2E_PYTHON`); plain `cargo test` skips this as ignored.

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
        // Keys made by Python's cryptography (OpenSSL PKCS#8 / SPKI PEM).
        check(python(d, &[dsse, "keygen", kind, kind]), "keygen");
        let (key, public) = (format!("{kind}.key"), format!("{kind}.pub"));
        // securesystemslib signs, consign verifies.
        let py_att = format!("py-{kind}.json");
        check(
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
        assert!(text(&o.stderr).starts_with(&format!(
            "verified: https://spdx.dev/Document about reg.example/app@{digest}"
        )));
        // consign signs with the Python key, securesystemslib and in-toto verify.
        let ours = format!("consign-{kind}.json");
        check(
            consign(
                d,
                None,
                &["attest", "app.cdx.json", "--key", &key, "-o", &ours],
            ),
            "consign attest",
        );
        let o = check(
            python(d, &[dsse, "verify", &ours, &public, &digest]),
            "dsse.py verify",
        );
        assert!(text(&o.stdout).starts_with("ok: https://cyclonedx.org/bom"));
        // And with a consign-generated key of the same type.
        let t = if kind == "ecdsa" {
            "ecdsa-p256"
        } else {
            "ed25519"
        };
        check(
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
        check(
            python(
                d,
                &[dsse, "verify", &att, &format!("c-{kind}.pub"), &digest],
            ),
            "dsse.py verify consign key",
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
