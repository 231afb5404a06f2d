//! The attestation and registry commands as a user runs them: `key generate`, `attest`,
//! `verify` (exit 0 / 1 / 2 and the reasons), and `sbom registry:…`, `attach`, `referrers`,
//! `sbom --from-referrers` against the in-process registry.

use std::path::Path;
use std::process::{Command, Output};

use crate::support::fake_registry::FakeRegistry;
use crate::support::image::ImageBuilder;
use crate::support::tmp;

fn run(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_consign"))
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", dir)
        .env("SOURCE_DATE_EPOCH", "1700000000")
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn ok(o: &Output) {
    assert!(
        o.status.success(),
        "exit {:?}\nstderr: {}",
        o.status.code(),
        text(&o.stderr)
    );
}

fn alpine() -> ImageBuilder {
    ImageBuilder::new().layer(|l| {
        l.fixture("etc/os-release", "apk/alpine-3.11-image/etc/os-release")
            .fixture(
                "lib/apk/db/installed",
                "apk/alpine-3.11-image/lib/apk/db/installed",
            )
    })
}

/// Writes an SBOM of `alpine()` (from its OCI layout) to `dir/app.cdx.json`.
fn sbom(dir: &Path) -> String {
    alpine().write_oci_dir(&dir.join("layout"));
    ok(&run(
        dir,
        &[
            "sbom",
            "oci-dir:layout",
            "-q",
            "-o",
            "cyclonedx-json=app.cdx.json",
            "-o",
            "spdx-json=app.spdx.json",
        ],
    ));
    alpine().build().manifest.0
}

#[test]
fn key_generate_writes_a_pair_and_never_overwrites() {
    let dir = tmp();
    let d = dir.path();
    let o = run(d, &["key", "generate", "--out", "release"]);
    ok(&o);
    let private = std::fs::read_to_string(d.join("release.key")).unwrap();
    let public = std::fs::read_to_string(d.join("release.pub")).unwrap();
    assert!(private.starts_with("-----BEGIN PRIVATE KEY-----\n"));
    assert!(public.starts_with("-----BEGIN PUBLIC KEY-----\n"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &str| std::fs::metadata(d.join(p)).unwrap().permissions().mode() & 0o777;
        assert_eq!((mode("release.key"), mode("release.pub")), (0o600, 0o644));
    }
    assert!(text(&o.stderr).contains("(ecdsa-p256, key id "));
    let o = run(
        d,
        &["key", "generate", "--out", "release", "--type", "ed25519"],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o.stderr).contains("release.key already exists; not overwriting it (use --force)")
    );
    assert_eq!(
        std::fs::read_to_string(d.join("release.key")).unwrap(),
        private
    );
    ok(&run(
        d,
        &[
            "key", "generate", "--out", "release", "--type", "ed25519", "--force",
        ],
    ));
    assert_ne!(
        std::fs::read_to_string(d.join("release.key")).unwrap(),
        private
    );
}

#[test]
fn attest_and_verify_exit_codes_and_reasons() {
    let dir = tmp();
    let d = dir.path();
    let digest = sbom(d);
    ok(&run(d, &["key", "generate", "--out", "k"]));
    ok(&run(
        d,
        &["key", "generate", "--out", "other", "--type", "ed25519"],
    ));
    let o = run(
        d,
        &[
            "attest",
            "app.cdx.json",
            "--key",
            "k.key",
            "-o",
            "app.att.json",
        ],
    );
    ok(&o);
    assert!(text(&o.stderr).contains(&format!(
        "as https://cyclonedx.org/bom for example.com/test/app@{digest}"
    )));

    // Success: exit 0, the SBOM on stdout, a summary on stderr.
    let o = run(
        d,
        &[
            "verify",
            "app.att.json",
            "--key",
            "k.pub",
            "--image-digest",
            &digest,
        ],
    );
    ok(&o);
    let printed: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let original: serde_json::Value =
        serde_json::from_slice(&std::fs::read(d.join("app.cdx.json")).unwrap()).unwrap();
    assert_eq!(printed, original);
    assert!(
        text(&o.stderr)
            .starts_with("verified: https://cyclonedx.org/bom about example.com/test/app@")
    );

    // A wrong key, a tampered payload, a wrong digest: exit 1 with the reason.
    let o = run(d, &["verify", "app.att.json", "--key", "other.pub"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(o.stdout.is_empty());
    assert!(
        text(&o.stderr)
            .starts_with("verification failed: app.att.json: not signed by this key (key id "),
        "{}",
        text(&o.stderr)
    );

    let mut env: serde_json::Value =
        serde_json::from_slice(&std::fs::read(d.join("app.att.json")).unwrap()).unwrap();
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::STANDARD;
    let payload =
        text(&b64.decode(env["payload"].as_str().unwrap()).unwrap()).replace("musl", "mus1");
    env["payload"] = b64.encode(payload).into();
    std::fs::write(d.join("tampered.json"), env.to_string()).unwrap();
    let o = run(d, &["verify", "tampered.json", "--key", "k.pub"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        text(&o.stderr).contains("bad signature: the envelope was signed by key"),
        "{}",
        text(&o.stderr)
    );
    assert!(text(&o.stderr).contains("but its payload or signature was altered since"));

    let wrong = format!("sha256:{}", "0".repeat(64));
    let o = run(
        d,
        &[
            "verify",
            "app.att.json",
            "--key",
            "k.pub",
            "--image-digest",
            &wrong,
        ],
    );
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        text(&o.stderr),
        format!(
            "verification failed: app.att.json: wrong subject: the attestation is about example.com/test/app@{digest}, not {wrong}\n"
        )
    );

    // Not an envelope at all: one prefix, the parser's reason.
    std::fs::write(d.join("not-envelope.json"), "{\"not\": 1}").unwrap();
    let o = run(d, &["verify", "not-envelope.json", "--key", "k.pub"]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        text(&o.stderr),
        "verification failed: not-envelope.json: not a DSSE envelope: missing field `payload` at line 1 column 10\n"
    );

    // Unusable inputs are tool errors: exit 2.
    let o = run(d, &["verify", "app.att.json", "--key", "missing.pub"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o.stderr).starts_with("error: cannot read key missing.pub"));
    let o = run(d, &["attest", "app.cdx.json", "--key", "k.pub"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o.stderr).contains("cannot use key k.pub: this is a public key"));
    let o = run(
        d,
        &[
            "attest",
            "app.cdx.json",
            "--key",
            "k.key",
            "--image",
            "example.com/test/app:1.0",
        ],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o.stderr).contains("name the image by digest"));

    // SPDX, Ed25519, subject named on the command line.
    let subject = format!("reg.example/team/app@{digest}");
    ok(&run(
        d,
        &[
            "attest",
            "app.spdx.json",
            "--key",
            "other.key",
            "--image",
            &subject,
            "-o",
            "spdx.att.json",
        ],
    ));
    let o = run(
        d,
        &[
            "verify",
            "spdx.att.json",
            "--key",
            "other.pub",
            "--image-digest",
            &subject,
        ],
    );
    ok(&o);
    assert!(text(&o.stderr).starts_with(&format!(
        "verified: https://spdx.dev/Document about {subject}"
    )));
}

// See: the review of issue 6. A classic `docker save` archive records no manifest digest:
// its SBOM names none, and `attest` asks for the image instead of taking the config digest.
#[test]
fn attest_asks_for_the_image_when_the_sbom_has_no_manifest_digest() {
    let dir = tmp();
    let d = dir.path();
    alpine().write_docker_archive(&d.join("classic.tar"));
    ok(&run(
        d,
        &[
            "sbom",
            "docker-archive:classic.tar",
            "-q",
            "-o",
            "cyclonedx-json=classic.cdx.json",
        ],
    ));
    let doc: serde_json::Value =
        serde_json::from_slice(&std::fs::read(d.join("classic.cdx.json")).unwrap()).unwrap();
    let c = &doc["metadata"]["component"];
    assert_eq!(c.get("purl"), None);
    assert_eq!(c.get("hashes"), None);
    ok(&run(d, &["key", "generate", "--out", "k"]));
    let o = run(d, &["attest", "classic.cdx.json", "--key", "k.key"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(o.stdout.is_empty());
    assert_eq!(
        text(&o.stderr),
        "error: cannot attest classic.cdx.json: the SBOM does not record the image's manifest \
         digest; name the image with --image NAME@sha256:…\n"
    );
    // Named by digest, with the SBOM's name kept.
    let digest = format!("sha256:{}", "a".repeat(64));
    let o = run(
        d,
        &[
            "attest",
            "classic.cdx.json",
            "--key",
            "k.key",
            "--image",
            &digest,
            "-o",
            "classic.att.json",
        ],
    );
    ok(&o);
    assert!(
        text(&o.stderr).contains(&format!(" for example.com/test/app@{digest} with key ")),
        "{}",
        text(&o.stderr)
    );
    // A bare digest for an SBOM that names no image: refused, not an empty subject name.
    std::fs::write(
        d.join("unnamed.cdx.json"),
        r#"{"bomFormat": "CycloneDX", "specVersion": "1.6", "metadata": {}}"#,
    )
    .unwrap();
    let o = run(
        d,
        &[
            "attest",
            "unnamed.cdx.json",
            "--key",
            "k.key",
            "--image",
            &digest,
        ],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(o.stdout.is_empty());
    assert_eq!(
        text(&o.stderr),
        "error: cannot attest unnamed.cdx.json: the attestation's subject has no name; name the \
         image with --image NAME@sha256:…\n"
    );
}

#[test]
fn registry_round_trip_through_the_cli() {
    let reg = FakeRegistry::start();
    reg.load_layout("test/app", "1.0", &alpine().oci_files());
    let dir = tmp();
    let d = dir.path();
    let image = format!("{}/test/app", reg.addr);
    let digest = alpine().build().manifest.0;

    // Without --insecure-registry the client speaks TLS, and says what to do.
    let o = run(d, &["sbom", &format!("registry:{image}:1.0"), "-q"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o.stderr).contains("pass --insecure-registry"),
        "{}",
        text(&o.stderr)
    );

    let reg_args = ["--insecure-registry", "-q"];
    let src = format!("registry:{image}:1.0");
    let mut args = vec!["sbom", src.as_str(), "-o", "cyclonedx-json=app.cdx.json"];
    args.extend(reg_args);
    ok(&run(d, &args));
    ok(&run(d, &["key", "generate", "--out", "k"]));
    ok(&run(
        d,
        &[
            "attest",
            "app.cdx.json",
            "--key",
            "k.key",
            "-o",
            "app.att.json",
            "-q",
        ],
    ));
    let to = format!("{image}@{digest}");
    for file in ["app.att.json", "app.cdx.json"] {
        let o = run(d, &["attach", file, "--to", &to, "--insecure-registry"]);
        ok(&o);
        assert!(text(&o.stdout).starts_with("sha256:"));
        assert!(
            text(&o.stderr).contains(&format!(
                "listed in the referrers tag sha256-{}",
                &digest[7..]
            )),
            "{}",
            text(&o.stderr)
        );
    }
    let o = run(d, &["referrers", &to, "--insecure-registry"]);
    ok(&o);
    let table = text(&o.stdout);
    let lines: Vec<&str> = table.lines().collect();
    assert_eq!(lines.len(), 3, "{table}");
    assert!(lines[0].starts_with("SOURCE         ARTIFACT-TYPE"));
    assert!(lines[1].starts_with("referrers-tag  application/vnd.dsse.envelope.v1+json  sha256:"));
    assert!(
        lines[1].ends_with("created=2023-11-14T22:13:20Z predicateType=https://cyclonedx.org/bom")
    );
    assert!(lines[2].starts_with("referrers-tag  application/vnd.cyclonedx+json"));
    let o = run(
        d,
        &["referrers", &to, "--insecure-registry", "--format", "json"],
    );
    let json: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(json.as_array().unwrap().len(), 2);
    assert_eq!(json[0]["subject"], digest);

    // The attached SBOM comes back byte for byte; an absent SPDX one is a clear error.
    let mut args = vec![
        "sbom",
        src.as_str(),
        "--from-referrers",
        "-o",
        "cyclonedx-json=back.cdx.json",
    ];
    args.extend(reg_args);
    ok(&run(d, &args));
    assert_eq!(
        std::fs::read(d.join("back.cdx.json")).unwrap(),
        std::fs::read(d.join("app.cdx.json")).unwrap()
    );
    let mut args = vec!["sbom", src.as_str(), "--from-referrers", "-o", "spdx-json"];
    args.extend(reg_args);
    let o = run(d, &args);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o.stderr).contains("no SPDX SBOM is attached to"),
        "{}",
        text(&o.stderr)
    );

    // The attestation pulled from the registry verifies.
    let o = run(
        d,
        &[
            "verify",
            "app.att.json",
            "--key",
            "k.pub",
            "--image-digest",
            &digest,
        ],
    );
    ok(&o);

    // An attestation about another image is not attached by mistake.
    let other = format!("{image}@sha256:{}", "1".repeat(64));
    let o = run(
        d,
        &[
            "attach",
            "app.att.json",
            "--to",
            &other,
            "--insecure-registry",
        ],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o.stderr).contains(&format!(
            "the attestation is about {}/test/app@{digest}",
            reg.addr
        )),
        "{}",
        text(&o.stderr)
    );
}

// See: the review of issue 6 (`--from-referrers` wrote its outputs one at a time).
#[test]
fn from_referrers_writes_all_outputs_or_none() {
    let reg = FakeRegistry::start();
    reg.load_layout("test/app", "1.0", &alpine().oci_files());
    let dir = tmp();
    let d = dir.path();
    let image = format!("{}/test/app", reg.addr);
    let src = format!("registry:{image}:1.0");
    ok(&run(
        d,
        &[
            "sbom",
            &src,
            "--insecure-registry",
            "-q",
            "-o",
            "cyclonedx-json=app.cdx.json",
            "-o",
            "spdx-json=app.spdx.json",
        ],
    ));
    let to = format!("{image}@{}", alpine().build().manifest.0);
    for file in ["app.cdx.json", "app.spdx.json"] {
        ok(&run(
            d,
            &["attach", file, "--to", &to, "--insecure-registry", "-q"],
        ));
    }
    std::fs::write(d.join("out.cdx.json"), "earlier").unwrap();
    let fetch = |spdx_to: &str| {
        run(
            d,
            &[
                "sbom",
                &src,
                "--insecure-registry",
                "-q",
                "--from-referrers",
                "-o",
                "cyclonedx-json=out.cdx.json",
                "-o",
                &format!("spdx-json={spdx_to}"),
            ],
        )
    };
    // The SPDX file cannot be written: the CycloneDX one is not written either.
    let o = fetch("missing-dir/out.spdx.json");
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o.stderr).starts_with("error: cannot write missing-dir/out.spdx.json"),
        "{}",
        text(&o.stderr)
    );
    assert!(
        std::fs::read_to_string(d.join("out.cdx.json")).unwrap() == "earlier",
        "out.cdx.json was overwritten although the run failed"
    );
    let mut names: Vec<String> = std::fs::read_dir(d)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".json") || n.ends_with(".tmp"))
        .collect();
    names.sort();
    assert_eq!(names, ["app.cdx.json", "app.spdx.json", "out.cdx.json"]);
    // Both can be written: both are, byte for byte.
    ok(&fetch("out.spdx.json"));
    for (out, original) in [
        ("out.cdx.json", "app.cdx.json"),
        ("out.spdx.json", "app.spdx.json"),
    ] {
        assert_eq!(
            std::fs::read(d.join(out)).unwrap(),
            std::fs::read(d.join(original)).unwrap()
        );
    }
}

#[test]
fn new_commands_have_help() {
    let dir = tmp();
    for (cmd, needle) in [
        (vec!["attest", "--help"], "--key <KEY>"),
        (vec!["verify", "--help"], "--image-digest <DIGEST>"),
        (vec!["key", "generate", "--help"], "--type <TYPE>"),
        (vec!["attach", "--help"], "--to <HOST/REPO@DIGEST>"),
        (vec!["referrers", "--help"], "--format <FORMAT>"),
        (vec!["sbom", "--help"], "--from-referrers"),
    ] {
        let o = run(dir.path(), &cmd);
        ok(&o);
        assert!(text(&o.stdout).contains(needle), "{cmd:?}: {needle}");
    }
}

#[cfg(unix)]
#[test]
fn credentials_from_a_docker_credential_helper() {
    use crate::support::fake_registry::Auth;
    use std::os::unix::fs::PermissionsExt;
    let reg = FakeRegistry::start();
    reg.load_layout("test/app", "1.0", &alpine().oci_files());
    reg.state().auth = Some(Auth::Bearer {
        user: "helper-user".into(),
        password: "helper-secret".into(),
    });
    let dir = tmp();
    let d = dir.path();
    // A credential helper answers `get` with the server it read on stdin.
    let bin = d.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let helper = bin.join("docker-credential-consign-test");
    std::fs::write(
        &helper,
        "#!/bin/sh\n[ \"$1\" = get ] || exit 1\nread server\n\
         echo \"{\\\"ServerURL\\\":\\\"$server\\\",\\\"Username\\\":\\\"helper-user\\\",\\\"Secret\\\":\\\"helper-secret\\\"}\"\n",
    )
    .unwrap();
    std::fs::set_permissions(&helper, std::fs::Permissions::from_mode(0o755)).unwrap();
    let docker = d.join("docker");
    std::fs::create_dir_all(&docker).unwrap();
    std::fs::write(
        docker.join("config.json"),
        serde_json::json!({"credHelpers": {reg.addr.clone(): "consign-test"}}).to_string(),
    )
    .unwrap();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let o = Command::new(env!("CARGO_BIN_EXE_consign"))
        .env_clear()
        .env("PATH", path)
        .env("DOCKER_CONFIG", &docker)
        .current_dir(d)
        .args([
            "sbom",
            &format!("registry:{}/test/app:1.0", reg.addr),
            "--insecure-registry",
            "-q",
            "-o",
            "cyclonedx-json=a.json",
        ])
        .output()
        .unwrap();
    ok(&o);
    assert_eq!(
        reg.state().token_requests,
        vec![("repository:test/app:pull".to_owned(), true)]
    );
    // Without the helper's credentials the same pull is refused.
    let o = run(
        d,
        &[
            "sbom",
            &format!("registry:{}/test/app:1.0", reg.addr),
            "--insecure-registry",
            "-q",
        ],
    );
    assert_eq!(o.status.code(), Some(2));
}
