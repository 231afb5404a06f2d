//! The registry and attestation commands against real peers: the CNCF distribution server
//! (Debian's `docker-registry`: no referrers API, so the referrers tag schema is exercised),
//! plain HTTP and TLS + htpasswd basic auth, images pushed by `skopeo`, referrers read back by
//! `skopeo inspect` and the PyPI `oras` client, and attestations checked both ways with the
//! reference in-toto / securesystemslib libraries (`tests/interop/*.py`; the registry-free
//! interop tests are in `interop.rs`).
//!
//! `tests/run.sh` starts the registries on loopback and sets `CONSIGN_E2E_REGISTRY` (plain),
//! `CONSIGN_E2E_REGISTRY_TLS`, `…_CA`, `…_USER`, `…_PASSWORD` and `CONSIGN_E2E_PYTHON` (a
//! venv with the Python packages); plain `cargo test` skips these as ignored.

use std::path::Path;

use base64::Engine as _;

use crate::support::image::{ImageBuilder, oci_multi_platform, write_dir};
use crate::support::peers::{alpine, check, consign, env, interop, keep, python, skopeo, text};
use crate::support::tmp;

/// Pushes `alpine()` with skopeo as `REPO:1`; returns its manifest digest.
fn push_alpine(dir: &Path, dest: &str, extra: &[&str]) -> String {
    alpine().write_oci_dir(&dir.join("layout"));
    let src = format!(
        "oci:{}:example.com/test/app:1.0",
        dir.join("layout").display()
    );
    let mut args = vec!["copy", "-q", "--preserve-digests"];
    args.extend(extra);
    args.extend([src.as_str(), dest]);
    skopeo(&args);
    alpine().build().manifest.0
}

#[test]
#[ignore = "needs a registry and skopeo: tests/run.sh"]
fn real_registry_scan_attest_attach_and_read_back() {
    let host = env("CONSIGN_E2E_REGISTRY");
    let dir = tmp();
    let d = dir.path();
    let image = format!("{host}/e2e/alpine");
    let digest = push_alpine(
        d,
        &format!("docker://{image}:1"),
        &["--dest-tls-verify=false"],
    );
    let run = |args: &[&str]| consign(d, None, args);

    // Scan from the registry: the same inventory as the layout skopeo pushed.
    check(
        run(&[
            "sbom",
            &format!("registry:{image}:1"),
            "--insecure-registry",
            "-q",
            "-o",
            "cyclonedx-json=app.cdx.json",
            "-o",
            "spdx-json=app.spdx.json",
        ]),
        "sbom registry",
    );
    check(
        run(&[
            "sbom",
            "oci-dir:layout",
            "-q",
            "-o",
            "cyclonedx-json=local.cdx.json",
        ]),
        "sbom layout",
    );
    let components = |f: &str| {
        let v: serde_json::Value =
            serde_json::from_slice(&std::fs::read(d.join(f)).unwrap()).unwrap();
        v["components"].clone()
    };
    assert_eq!(components("app.cdx.json"), components("local.cdx.json"));
    assert_eq!(components("app.cdx.json").as_array().unwrap().len(), 15);
    keep(d, "app.cdx.json", "registry-alpine.cdx.json");
    keep(d, "app.spdx.json", "registry-alpine.spdx.json");

    // Sign, attach both, list.
    check(
        run(&["key", "generate", "--out", "release"]),
        "key generate",
    );
    check(
        run(&[
            "attest",
            "app.cdx.json",
            "--key",
            "release.key",
            "-o",
            "app.att.json",
        ]),
        "attest",
    );
    let to = format!("{image}@{digest}");
    for f in ["app.att.json", "app.cdx.json", "app.spdx.json"] {
        let o = check(
            run(&["attach", f, "--to", &to, "--insecure-registry"]),
            "attach",
        );
        assert!(
            text(&o.stderr).contains("listed in the referrers tag"),
            "{}",
            text(&o.stderr)
        );
    }
    let o = check(
        run(&["referrers", &to, "--insecure-registry", "--format", "json"]),
        "referrers",
    );
    let list: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let types: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["artifactType"].as_str().unwrap())
        .collect();
    assert_eq!(
        types,
        [
            "application/vnd.dsse.envelope.v1+json",
            "application/vnd.cyclonedx+json",
            "application/spdx+json"
        ]
    );

    // Independent client 1: skopeo sees the referrers index under the tag schema.
    let tag = format!("sha256-{}", &digest[7..]);
    let raw = skopeo(&[
        "inspect",
        "--raw",
        "--tls-verify=false",
        &format!("docker://{image}:{tag}"),
    ]);
    let index: serde_json::Value = serde_json::from_slice(&raw.stdout).unwrap();
    assert_eq!(
        index["mediaType"],
        "application/vnd.oci.image.index.v1+json"
    );
    assert_eq!(index["manifests"].as_array().unwrap().len(), 3);
    // Independent client 2: oras pulls each artifact and finds the exact bytes, subject and type.
    let o = python(
        d,
        &[
            interop("oras_check.py").to_str().unwrap(),
            "--insecure",
            &to,
            "app.att.json",
            "app.cdx.json",
            "app.spdx.json",
        ],
    );
    check(o, "oras_check.py");

    // The SBOM comes back from the registry byte for byte.
    check(
        run(&[
            "sbom",
            &format!("registry:{image}:1"),
            "--insecure-registry",
            "-q",
            "--from-referrers",
            "-o",
            "spdx-json=back.spdx.json",
        ]),
        "from-referrers",
    );
    assert_eq!(
        std::fs::read(d.join("back.spdx.json")).unwrap(),
        std::fs::read(d.join("app.spdx.json")).unwrap()
    );

    // The attestation verifies with consign and with the reference in-toto library; a wrong
    // key, a tampered payload and a wrong digest are refused by both.
    check(
        run(&[
            "verify",
            "app.att.json",
            "--key",
            "release.pub",
            "--image-digest",
            &digest,
        ]),
        "verify",
    );
    check(
        python(
            d,
            &[
                interop("dsse.py").to_str().unwrap(),
                "verify",
                "app.att.json",
                "release.pub",
                &digest,
            ],
        ),
        "dsse.py verify",
    );
    check(run(&["key", "generate", "--out", "other"]), "key generate");
    let mut env: serde_json::Value =
        serde_json::from_slice(&std::fs::read(d.join("app.att.json")).unwrap()).unwrap();
    let b64 = base64::engine::general_purpose::STANDARD;
    let payload =
        text(&b64.decode(env["payload"].as_str().unwrap()).unwrap()).replace("musl", "mus1");
    env["payload"] = b64.encode(payload).into();
    std::fs::write(d.join("tampered.json"), env.to_string()).unwrap();
    let wrong = format!("sha256:{}", "0".repeat(64));
    for (file, key, digest) in [
        ("app.att.json", "other.pub", &digest),
        ("tampered.json", "release.pub", &digest),
        ("app.att.json", "release.pub", &wrong),
    ] {
        let o = run(&["verify", file, "--key", key, "--image-digest", digest]);
        assert_eq!(
            o.status.code(),
            Some(1),
            "consign verify {file} {key} {digest}"
        );
        let o = python(
            d,
            &[
                interop("dsse.py").to_str().unwrap(),
                "verify",
                file,
                key,
                digest,
            ],
        );
        assert_eq!(
            o.status.code(),
            Some(1),
            "dsse.py verify {file} {key} {digest}: {}",
            text(&o.stdout)
        );
    }
}

#[test]
#[ignore = "needs a TLS registry with basic auth: tests/run.sh"]
fn real_registry_with_tls_and_basic_auth() {
    let host = env("CONSIGN_E2E_REGISTRY_TLS");
    let ca = env("CONSIGN_E2E_REGISTRY_CA");
    let (user, password) = (
        env("CONSIGN_E2E_REGISTRY_USER"),
        env("CONSIGN_E2E_REGISTRY_PASSWORD"),
    );
    let dir = tmp();
    let d = dir.path();
    // skopeo reads the CA from a certs dir.
    let certs = d.join("certs");
    std::fs::create_dir_all(&certs).unwrap();
    std::fs::copy(&ca, certs.join("ca.crt")).unwrap();
    let image = format!("{host}/e2e/alpine");
    let creds = format!("{user}:{password}");
    let cert_dir = format!("--dest-cert-dir={}", certs.display());
    let digest = push_alpine(
        d,
        &format!("docker://{image}:1"),
        &["--dest-creds", &creds, &cert_dir],
    );

    let docker = d.join("docker");
    std::fs::create_dir_all(&docker).unwrap();
    let login = |password: &str| {
        let auth = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
        std::fs::write(
            docker.join("config.json"),
            serde_json::json!({"auths": {host.clone(): {"auth": auth}}}).to_string(),
        )
        .unwrap();
    };
    let src = format!("registry:{image}:1");
    let scan = |cfg: Option<&Path>| {
        consign(
            d,
            cfg,
            &[
                "sbom",
                &src,
                "--registry-ca",
                &ca,
                "-q",
                "-o",
                "cyclonedx-json=app.cdx.json",
            ],
        )
    };

    let o = scan(None);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o.stderr).contains("authentication required (HTTP 401"),
        "{}",
        text(&o.stderr)
    );
    assert!(
        text(&o.stderr).contains(&format!("docker login {host}")),
        "{}",
        text(&o.stderr)
    );
    login("wrong");
    let o = scan(Some(&docker));
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o.stderr).contains("were rejected (HTTP 401"),
        "{}",
        text(&o.stderr)
    );
    login(&password);
    check(scan(Some(&docker)), "sbom with credentials");
    keep(d, "app.cdx.json", "registry-tls-alpine.cdx.json");
    // Without the CA the certificate is not trusted, and the message says how to fix it.
    let o = consign(d, Some(&docker), &["sbom", &src, "-q"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o.stderr).contains("--registry-ca"),
        "{}",
        text(&o.stderr)
    );

    // Push through TLS and auth (a push-scoped request), then list and read back.
    let to = format!("{image}@{digest}");
    check(
        consign(
            d,
            Some(&docker),
            &["attach", "app.cdx.json", "--to", &to, "--registry-ca", &ca],
        ),
        "attach",
    );
    let o = check(
        consign(d, Some(&docker), &["referrers", &to, "--registry-ca", &ca]),
        "referrers",
    );
    assert!(
        text(&o.stdout).contains("referrers-tag  application/vnd.cyclonedx+json"),
        "{}",
        text(&o.stdout)
    );
    let o = python(
        d,
        &[
            interop("oras_check.py").to_str().unwrap(),
            "--ca",
            &ca,
            "--user",
            &user,
            "--password",
            &password,
            &to,
            "app.cdx.json",
        ],
    );
    check(o, "oras_check.py over TLS with auth");
}

#[test]
#[ignore = "needs a registry and skopeo: tests/run.sh"]
fn real_registry_multi_platform_index() {
    let host = env("CONSIGN_E2E_REGISTRY");
    let dir = tmp();
    let d = dir.path();
    let amd = alpine();
    let arm = ImageBuilder::new().arch("arm64", Some("v8")).layer(|l| {
        l.fixture(
            "lib/apk/db/installed",
            "apk/alpine-3.10-image/lib/apk/db/installed",
        )
    });
    write_dir(
        &d.join("multi"),
        &without_attestation_entry(oci_multi_platform(&[&amd, &arm], "2")),
    );
    let image = format!("{host}/e2e/multi");
    skopeo(&[
        "copy",
        "-q",
        "--all",
        "--preserve-digests",
        "--dest-tls-verify=false",
        &format!("oci:{}:2", d.join("multi").display()),
        &format!("docker://{image}:2"),
    ]);
    for (platform, digest) in [
        ("linux/arm64", arm.build().manifest.0),
        ("linux/amd64", amd.build().manifest.0),
    ] {
        check(
            consign(
                d,
                None,
                &[
                    "sbom",
                    &format!("registry:{image}:2"),
                    "--platform",
                    platform,
                    "--insecure-registry",
                    "-q",
                    "-o",
                    "cyclonedx-json=p.cdx.json",
                ],
            ),
            "sbom --platform",
        );
        let v: serde_json::Value =
            serde_json::from_slice(&std::fs::read(d.join("p.cdx.json")).unwrap()).unwrap();
        let props = v["metadata"]["component"]["properties"].as_array().unwrap();
        let manifest = props
            .iter()
            .find(|p| p["name"] == "consign:image:manifestDigest")
            .unwrap();
        assert_eq!(manifest["value"], digest.as_str(), "{platform}");
    }
}

/// `oci_multi_platform` adds a BuildKit-style attestation entry whose blobs do not exist (the
/// reader must skip it); skopeo copies every entry, so drop it.
fn without_attestation_entry(mut files: Vec<(String, Vec<u8>)>) -> Vec<(String, Vec<u8>)> {
    use crate::support::image::sha256;
    let index_at = files.iter().position(|(p, _)| p == "index.json").unwrap();
    let mut index: serde_json::Value = serde_json::from_slice(&files[index_at].1).unwrap();
    let nested_digest = index["manifests"][0]["digest"].as_str().unwrap().to_owned();
    let nested_path = format!("blobs/sha256/{}", &nested_digest[7..]);
    let nested_at = files.iter().position(|(p, _)| *p == nested_path).unwrap();
    let mut nested: serde_json::Value = serde_json::from_slice(&files[nested_at].1).unwrap();
    nested["manifests"]
        .as_array_mut()
        .unwrap()
        .retain(|m| m["annotations"]["vnd.docker.reference.type"].is_null());
    let bytes = serde_json::to_vec(&nested).unwrap();
    let digest = sha256(&bytes);
    index["manifests"][0]["digest"] = digest.clone().into();
    index["manifests"][0]["size"] = bytes.len().into();
    files[nested_at] = (format!("blobs/sha256/{}", &digest[7..]), bytes);
    files[index_at].1 = serde_json::to_vec(&index).unwrap();
    files
}
