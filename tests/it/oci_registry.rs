//! The registry client against an in-process registry (`support::fake_registry`): pulling
//! and scanning, authentication, retries, error messages, integrity, and attaching and finding
//! referrers in every place tools put them. The same flows against the real CNCF distribution
//! server run in `real_tools.rs`.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use consign::attest::{self, KeyType, PrivateKey, SbomKind, Subject};
use consign::registry::referrers::{self, Source};
use consign::registry::{
    self, Artifact, Client, ClientOptions, DockerConfig, ImageRef, Indexed, RetryPolicy,
};
use consign::source::{Digest, LoadOptions, SourceSpec};
use consign::{Sbom, ScanOptions};
use serde_json::json;

use crate::support::fake_registry::{Auth, FakeRegistry};
use crate::support::image::{ImageBuilder, Tamper, oci_multi_platform, sha256};

const LIMIT: u64 = 16 << 20;

fn alpine() -> ImageBuilder {
    ImageBuilder::new().layer(|l| {
        l.fixture("etc/os-release", "apk/alpine-3.11-image/etc/os-release")
            .fixture(
                "lib/apk/db/installed",
                "apk/alpine-3.11-image/lib/apk/db/installed",
            )
    })
}

fn opts() -> ClientOptions {
    ClientOptions {
        insecure: true,
        retry: RetryPolicy {
            attempts: 3,
            base_delay: Duration::from_millis(1),
            max_delay: Duration::from_millis(5),
        },
        ..ClientOptions::default()
    }
}

fn with_login(user: &str, password: &str, reg: &FakeRegistry) -> ClientOptions {
    let auth = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
    let cfg = DockerConfig::parse(
        json!({"auths": {reg.addr.clone(): {"auth": auth}}})
            .to_string()
            .as_bytes(),
    )
    .unwrap();
    ClientOptions {
        docker_config: Some(Arc::new(cfg)),
        ..opts()
    }
}

/// A registry holding `alpine()` as `test/app:1.0`; returns it with the manifest digest.
fn registry_with_alpine() -> (FakeRegistry, String) {
    let reg = FakeRegistry::start();
    let files = alpine().oci_files();
    reg.load_layout("test/app", "1.0", &files);
    let digest = alpine().build().manifest.0;
    (reg, digest)
}

fn scan(reg: &FakeRegistry, reference: &str, o: &ClientOptions) -> consign::Result<Sbom> {
    let spec = SourceSpec::parse(&format!("registry:{}/{reference}", reg.addr))?;
    consign::scan(
        &spec,
        &ScanOptions {
            load: LoadOptions {
                registry: Some(o),
                ..LoadOptions::default()
            },
            ..ScanOptions::default()
        },
    )
}

fn image(reg: &FakeRegistry, reference: &str) -> ImageRef {
    ImageRef::parse(&format!("{}/{reference}", reg.addr)).unwrap()
}

fn client(reg: &FakeRegistry, o: &ClientOptions) -> Client {
    registry::client_for(&image(reg, "test/app"), o).unwrap()
}

#[test]
fn scanning_from_a_registry_equals_scanning_the_layout() {
    let (reg, digest) = registry_with_alpine();
    let dir = crate::support::tmp();
    alpine().write_oci_dir(dir.path());
    let local = consign::scan(
        &SourceSpec::OciDir(dir.path().into()),
        &ScanOptions::default(),
    )
    .unwrap();
    for reference in ["test/app:1.0".to_owned(), format!("test/app@{digest}")] {
        let remote = scan(&reg, &reference, &opts()).unwrap();
        assert_eq!(remote.packages, local.packages, "{reference}");
        assert_eq!(remote.relationships, local.relationships);
        assert_eq!(remote.packages.len(), 14);
        assert_eq!(
            remote.image.source_kind,
            consign::model::SourceKind::Registry
        );
        assert_eq!(
            remote.image.manifest_digest.as_ref().map(Digest::to_string),
            Some(digest.clone())
        );
        assert_eq!(
            remote.image.name.as_deref(),
            Some(format!("{}/test/app", reg.addr).as_str())
        );
        assert_eq!(
            remote.image.input,
            format!("registry:{}/{reference}", reg.addr)
        );
    }
    assert_eq!(
        scan(&reg, "test/app:1.0", &opts())
            .unwrap()
            .image
            .tag
            .as_deref(),
        Some("1.0")
    );
}

#[test]
fn picks_the_platform_from_an_index() {
    let reg = FakeRegistry::start();
    let amd = alpine();
    let arm = ImageBuilder::new().arch("arm64", Some("v8")).layer(|l| {
        l.fixture(
            "lib/apk/db/installed",
            "apk/alpine-3.10-image/lib/apk/db/installed",
        )
    });
    reg.load_layout("test/multi", "2", &oci_multi_platform(&[&amd, &arm], "2"));
    let spec = SourceSpec::parse(&format!("registry:{}/test/multi:2", reg.addr)).unwrap();
    for (platform, digest) in [
        ("linux/arm64", arm.build().manifest.0),
        ("linux/amd64", amd.build().manifest.0),
    ] {
        let o = opts();
        let sbom = consign::scan(
            &spec,
            &ScanOptions {
                load: LoadOptions {
                    registry: Some(&o),
                    selector: consign::source::Selector {
                        platform: Some(consign::source::parse_platform(platform).unwrap()),
                        image: None,
                    },
                    ..LoadOptions::default()
                },
                ..ScanOptions::default()
            },
        )
        .unwrap();
        assert_eq!(sbom.image.manifest_digest.unwrap().to_string(), digest);
    }
    // Only the chosen platform's blobs were fetched: one manifest, one config, one layer.
    let arm_layer = &arm.build().layers[0].0;
    assert_eq!(
        reg.count(&format!("GET /v2/test/multi/blobs/{arm_layer}")),
        1
    );
}

#[test]
fn bearer_tokens_with_credentials_from_the_docker_config() {
    let (reg, _) = registry_with_alpine();
    reg.state().auth = Some(Auth::Bearer {
        user: "u".into(),
        password: "p".into(),
    });
    let sbom = scan(&reg, "test/app:1.0", &with_login("u", "p", &reg)).unwrap();
    assert_eq!(sbom.packages.len(), 14);
    let st = reg.state();
    // One token for the pull scope, asked for with the credentials and reused after.
    assert_eq!(
        st.token_requests,
        vec![("repository:test/app:pull".to_owned(), true)]
    );
}

/// The child half of `docker_hub_credential_helpers_are_asked_for_dockers_key`: asks the
/// Docker config it is given for Hub credentials, under each of Hub's names. It runs in a
/// process of its own because the fake helper is found through `PATH`, which a test must not
/// change in the shared test process.
#[test]
#[ignore = "run by docker_hub_credential_helpers_are_asked_for_dockers_key"]
fn docker_hub_credential_helper_child() {
    let Ok(config) = std::env::var("CONSIGN_TEST_DOCKER_CONFIG") else {
        return;
    };
    let cfg = DockerConfig::parse(config.as_bytes()).unwrap();
    for name in ["docker.io", "registry-1.docker.io", "index.docker.io"] {
        println!("{name} => {:?}", cfg.credential_for(name));
    }
}

// See: the review of issue 6 (`docker-credential-<store> get` was sent `docker.io`).
#[cfg(unix)]
#[test]
fn docker_hub_credential_helpers_are_asked_for_dockers_key() {
    use std::os::unix::fs::PermissionsExt;
    let dir = crate::support::tmp();
    let bin = dir.path().join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let asked = dir.path().join("asked");
    // Like docker-credential-pass/secretservice after `docker login`: Hub credentials exist
    // under https://index.docker.io/v1/ only; any other server is "not found".
    let helper = bin.join("docker-credential-consign-hub");
    std::fs::write(
        &helper,
        format!(
            "#!/bin/sh\n[ \"$1\" = get ] || exit 2\nread server\necho \"$server\" >> '{}'\n\
             if [ \"$server\" = https://index.docker.io/v1/ ]; then\n\
             echo '{{\"ServerURL\":\"https://index.docker.io/v1/\",\"Username\":\"hub-user\",\"Secret\":\"s\"}}'\n\
             else echo 'credentials not found in native keychain'; exit 1; fi\n",
            asked.display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&helper, std::fs::Permissions::from_mode(0o755)).unwrap();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    for config in [
        json!({"credsStore": "consign-hub"}),
        json!({"credHelpers": {"docker.io": "consign-hub"}}),
        json!({"credHelpers": {"https://index.docker.io/v1/": "consign-hub"}}),
    ] {
        let _ = std::fs::remove_file(&asked);
        let o = std::process::Command::new(std::env::current_exe().unwrap())
            .args([
                "oci_registry::docker_hub_credential_helper_child",
                "--exact",
                "--include-ignored",
                "--nocapture",
                "--test-threads=1",
                "--quiet",
            ])
            .env("PATH", &path)
            .env("CONSIGN_TEST_DOCKER_CONFIG", config.to_string())
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&o.stdout);
        assert!(o.status.success(), "{config}: {stdout}");
        for name in ["docker.io", "registry-1.docker.io", "index.docker.io"] {
            assert!(
                stdout.contains(&format!("{name} => Ok(Some(Basic(hub-user, ***)))\n")),
                "{config}: {stdout}"
            );
        }
        assert_eq!(
            std::fs::read_to_string(&asked).unwrap(),
            "https://index.docker.io/v1/\n".repeat(3),
            "{config}"
        );
    }
}

#[test]
fn authentication_failures_say_what_to_do() {
    let (reg, _) = registry_with_alpine();
    reg.state().auth = Some(Auth::Bearer {
        user: "u".into(),
        password: "p".into(),
    });
    let e = scan(&reg, "test/app:1.0", &opts()).unwrap_err().to_string();
    assert_eq!(
        e,
        format!(
            "{0}/test/app: manifest 1.0: authentication required (HTTP 401; UNAUTHORIZED: authentication required): \
             log in with `docker login {0}` or add credentials for it to the Docker config.json ($DOCKER_CONFIG or ~/.docker)",
            reg.addr
        )
    );
    let e = scan(&reg, "test/app:1.0", &with_login("u", "wrong", &reg))
        .unwrap_err()
        .to_string();
    assert!(e.contains("rejected the credentials"), "{e}");
    assert!(e.contains(&format!("docker login {}", reg.addr)), "{e}");

    reg.state().auth = Some(Auth::Basic {
        user: "u".into(),
        password: "p".into(),
    });
    assert_eq!(
        scan(&reg, "test/app:1.0", &with_login("u", "p", &reg))
            .unwrap()
            .packages
            .len(),
        14
    );
    let e = scan(&reg, "test/app:1.0", &opts()).unwrap_err().to_string();
    assert!(e.contains("authentication required (HTTP 401)"), "{e}");
    let e = scan(&reg, "test/app:1.0", &with_login("u", "bad", &reg))
        .unwrap_err()
        .to_string();
    assert!(e.contains("the credentials for"), "{e}");
    assert!(
        e.contains("were rejected (HTTP 401; UNAUTHORIZED: authentication required)"),
        "{e}"
    );
}

#[test]
fn retries_429_and_5xx_then_gives_up() {
    let (reg, _) = registry_with_alpine();
    let c = client(&reg, &opts());
    reg.state().faults.extend([503, 429]);
    assert!(c.manifest("test/app", "1.0", LIMIT).is_ok());
    assert_eq!(reg.count("GET /v2/test/app/manifests/1.0"), 3);
    reg.state().faults.extend([502, 503, 504]);
    let e = c
        .manifest("test/app", "1.0", LIMIT)
        .unwrap_err()
        .to_string();
    assert_eq!(
        e,
        format!(
            "{0}/test/app: server error (HTTP 504) on GET http://{0}/v2/test/app/manifests/1.0, 3 attempts; UNAVAILABLE: injected fault",
            reg.addr
        )
    );
}

#[test]
fn not_found_and_denied_are_named() {
    let (reg, digest) = registry_with_alpine();
    let e = scan(&reg, "test/app:nope", &opts())
        .unwrap_err()
        .to_string();
    assert_eq!(
        e,
        format!(
            "{}/test/app: manifest nope not found (HTTP 404; MANIFEST_UNKNOWN: manifest unknown)",
            reg.addr
        )
    );
    reg.state().deny_push = true;
    let subject = image(&reg, &format!("test/app@{digest}"));
    let e = registry::attach(
        &client(&reg, &opts()),
        &subject,
        &sbom_artifact(b"{}"),
        LIMIT,
    )
    .unwrap_err()
    .to_string();
    assert!(
        e.contains("access denied (HTTP 403; DENIED: requested access to the resource is denied): the credentials in use may not push to test/app"),
        "{e}"
    );
}

#[test]
fn tampered_blobs_and_manifests_are_refused() {
    let (reg, _) = registry_with_alpine();
    let w = alpine().build();
    let mut bad = w.layers[0].1.clone();
    let n = bad.len();
    bad[n - 1] ^= 0xff;
    reg.state().corrupt_blob = Some((w.layers[0].0.clone(), bad));
    let e = scan(&reg, "test/app:1.0", &opts()).unwrap_err().to_string();
    assert!(e.contains("digest mismatch"), "{e}");
    assert!(e.contains(&w.layers[0].0), "{e}");

    let (reg, _) = registry_with_alpine();
    reg.state().lie_about_digest = Some(format!("sha256:{}", "0".repeat(64)));
    let e = scan(&reg, "test/app:1.0", &opts()).unwrap_err().to_string();
    assert!(e.contains("announced digest sha256:0000"), "{e}");

    // A layout whose config promises another diff_id: caught after the pull, as on disk.
    let reg = FakeRegistry::start();
    reg.load_layout(
        "test/app",
        "1.0",
        &alpine().tamper(Tamper::DiffId(0)).oci_files(),
    );
    let e = scan(&reg, "test/app:1.0", &opts()).unwrap_err().to_string();
    assert!(
        e.contains("layer (uncompressed)") && e.contains("digest mismatch"),
        "{e}"
    );
}

#[test]
fn plain_http_only_for_loopback() {
    let e = Client::new(
        "example.com",
        "example.com",
        ClientOptions {
            insecure: true,
            ..ClientOptions::default()
        },
    )
    .unwrap_err()
    .to_string();
    assert_eq!(
        e,
        "example.com: --insecure-registry (plain HTTP) is only allowed for registries on this machine (localhost, 127.0.0.1, [::1])"
    );
}

fn sbom_bytes(digest: &str) -> Vec<u8> {
    json!({"bomFormat": "CycloneDX", "specVersion": "1.6", "metadata": {"component": {"name": "test/app",
        "properties": [{"name": "consign:image:manifestDigest", "value": digest}]}}})
    .to_string()
    .into_bytes()
}

fn sbom_artifact(bytes: &[u8]) -> Artifact {
    Artifact {
        bytes: bytes.to_vec(),
        media_type: SbomKind::CycloneDx.media_type().into(),
        artifact_type: SbomKind::CycloneDx.media_type().into(),
        title: Some("app.cdx.json".into()),
        annotations: BTreeMap::from([(
            "org.opencontainers.image.created".into(),
            "2024-01-01T00:00:00Z".into(),
        )]),
    }
}

fn attestation_artifact(digest: &str) -> (Artifact, PrivateKey) {
    let (key, _) = PrivateKey::generate(KeyType::EcdsaP256).unwrap();
    let att = attest::attest_sbom(&sbom_bytes(digest), &key, None).unwrap();
    let artifact = Artifact {
        bytes: att.envelope.to_json().into_bytes(),
        media_type: "application/vnd.dsse.envelope.v1+json".into(),
        artifact_type: "application/vnd.dsse.envelope.v1+json".into(),
        title: None,
        annotations: BTreeMap::from([(
            "in-toto.io/predicate-type".into(),
            att.predicate_type.into(),
        )]),
    };
    (artifact, key)
}

#[test]
fn attach_uses_the_referrers_api_when_the_registry_has_one() {
    let (reg, digest) = registry_with_alpine();
    reg.state().referrers_api = true;
    let c = client(&reg, &opts());
    let subject = image(&reg, &format!("test/app@{digest}"));
    let sbom = sbom_bytes(&digest);
    let attached = registry::attach(&c, &subject, &sbom_artifact(&sbom), LIMIT).unwrap();
    assert_eq!(attached.indexed, Indexed::ByRegistry);
    assert_eq!(attached.tag, None);
    let tag = format!("sha256-{}", &digest[7..]);
    assert!(
        !reg.state()
            .manifests
            .contains_key(&("test/app".into(), tag))
    );
    // The artifact manifest, byte for byte as the spec's artifact guidance shapes it.
    let (mt, bytes) =
        reg.state().manifests[&("test/app".to_owned(), attached.manifest.digest.clone())].clone();
    assert_eq!(mt, "application/vnd.oci.image.manifest.v1+json");
    let m: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(
        m,
        json!({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "artifactType": "application/vnd.cyclonedx+json",
            "config": {"mediaType": "application/vnd.oci.empty.v1+json",
                "digest": "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a", "size": 2},
            "layers": [{"mediaType": "application/vnd.cyclonedx+json", "digest": sha256(&sbom), "size": sbom.len(),
                "annotations": {"org.opencontainers.image.title": "app.cdx.json"}}],
            "subject": {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": digest,
                "size": alpine().build().manifest.1.len()},
            "annotations": {"org.opencontainers.image.created": "2024-01-01T00:00:00Z"}})
    );
    let d: Digest = digest.parse().unwrap();
    let list = referrers::list(&c, "test/app", &d, None, LIMIT).unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].source, Source::ReferrersApi);
    assert_eq!(list[0].kind(), "application/vnd.cyclonedx+json");
    let found = referrers::find_sbom(&c, "test/app", &list, None, LIMIT)
        .unwrap()
        .unwrap();
    assert_eq!(found.bytes, sbom);
    assert!(!found.from_attestation);
}

#[test]
fn attach_falls_back_to_the_referrers_tag() {
    let (reg, digest) = registry_with_alpine();
    let c = client(&reg, &opts());
    let subject = image(&reg, &format!("test/app@{digest}"));
    let sbom = sbom_bytes(&digest);
    let (att, key) = attestation_artifact(&digest);
    let first = registry::attach(&c, &subject, &att, LIMIT).unwrap();
    let second = registry::attach(&c, &subject, &sbom_artifact(&sbom), LIMIT).unwrap();
    let again = registry::attach(&c, &subject, &sbom_artifact(&sbom), LIMIT).unwrap();
    assert_eq!(second, again);
    let tag = format!("sha256-{}", &digest[7..]);
    assert_eq!(first.tag.as_deref(), Some(tag.as_str()));
    assert_eq!(first.indexed, Indexed::ReferrersTag);
    let (mt, index) = reg.state().manifests[&("test/app".to_owned(), tag.clone())].clone();
    assert_eq!(mt, "application/vnd.oci.image.index.v1+json");
    let index: serde_json::Value = serde_json::from_slice(&index).unwrap();
    let types: Vec<&str> = index["manifests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["artifactType"].as_str().unwrap())
        .collect();
    assert_eq!(
        types,
        [
            "application/vnd.dsse.envelope.v1+json",
            "application/vnd.cyclonedx+json"
        ]
    );
    assert_eq!(
        index["manifests"][0]["annotations"]["in-toto.io/predicate-type"],
        "https://cyclonedx.org/bom"
    );

    let d: Digest = digest.parse().unwrap();
    let list = referrers::list(&c, "test/app", &d, None, LIMIT).unwrap();
    assert_eq!(
        list.iter().map(|r| r.source).collect::<Vec<_>>(),
        [Source::ReferrersTag, Source::ReferrersTag]
    );
    assert_eq!(list[0].predicate_types, ["https://cyclonedx.org/bom"]);
    // A plain SBOM is preferred to the one inside the attestation.
    let found = referrers::find_sbom(&c, "test/app", &list, None, LIMIT)
        .unwrap()
        .unwrap();
    assert_eq!((found.bytes, found.from_attestation), (sbom.clone(), false));
    assert!(
        referrers::find_sbom(&c, "test/app", &list, Some(SbomKind::Spdx), LIMIT)
            .unwrap()
            .is_none()
    );
    // The attestation, pulled back, still verifies for the image.
    let m = c
        .manifest("test/app", &first.manifest.digest, LIMIT)
        .unwrap();
    let layer: Digest = consign::registry::manifest::Document::parse(&m.bytes)
        .unwrap()
        .layers
        .unwrap()[0]
        .digest
        .parse()
        .unwrap();
    let envelope = c.blob_bytes("test/app", &layer, LIMIT).unwrap();
    let v = attest::verify(&envelope, key.public_key(), Some(&d)).unwrap();
    assert_eq!(v.statement.subject, [Subject::image("test/app", &d)]);
}

#[test]
fn finds_cosign_tags_and_takes_the_sbom_out_of_the_attestation() {
    let (reg, digest) = registry_with_alpine();
    let c = client(&reg, &opts());
    let hex = &digest[7..];
    let (key, _) = PrivateKey::generate(KeyType::Ed25519).unwrap();
    let sbom = sbom_bytes(&digest);
    // cosign writes Statement v0.1; the envelope is one layer of the `.att` image.
    let statement = json!({"_type": "https://in-toto.io/Statement/v0.1", "predicateType": "https://cyclonedx.org/bom",
        "subject": [{"name": "test/app", "digest": {"sha256": hex}}],
        "predicate": serde_json::from_slice::<serde_json::Value>(&sbom).unwrap()});
    let env = attest::Envelope::sign(
        "application/vnd.in-toto+json",
        statement.to_string().as_bytes(),
        &key,
    )
    .unwrap();
    let (layer, size) = reg.put_blob(env.to_json().as_bytes());
    let (config, csize) = reg.put_blob(b"{}");
    let att = json!({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": config, "size": csize},
        "layers": [{"mediaType": "application/vnd.dsse.envelope.v1+json", "digest": layer, "size": size,
            "annotations": {"predicateType": "https://cyclonedx.org/bom"}}]});
    reg.put_manifest("test/app", Some(&format!("sha256-{hex}.att")), &att);
    let sig = json!({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": config, "size": csize},
        "layers": [{"mediaType": "application/vnd.dev.cosign.simplesigning.v1+json", "digest": config, "size": csize}]});
    reg.put_manifest("test/app", Some(&format!("sha256-{hex}.sig")), &sig);

    let d: Digest = digest.parse().unwrap();
    let list = referrers::list(&c, "test/app", &d, None, LIMIT).unwrap();
    assert_eq!(
        list.iter().map(|r| r.source).collect::<Vec<_>>(),
        [Source::CosignAttestation, Source::CosignSignature]
    );
    assert_eq!(list[0].predicate_types, ["https://cyclonedx.org/bom"]);
    assert_eq!(list[0].kind(), "application/vnd.dsse.envelope.v1+json");
    let found = referrers::find_sbom(&c, "test/app", &list, Some(SbomKind::CycloneDx), LIMIT)
        .unwrap()
        .unwrap();
    assert!(found.from_attestation);
    assert_eq!(
        found.bytes,
        serde_json::to_vec(&serde_json::from_slice::<serde_json::Value>(&sbom).unwrap()).unwrap()
    );
    // A v0.1 statement from cosign verifies like a v1 one.
    let v = attest::verify(env.to_json().as_bytes(), key.public_key(), Some(&d)).unwrap();
    assert_eq!(v.statement.type_, "https://in-toto.io/Statement/v0.1");
}

#[test]
fn finds_buildkit_attestation_manifests_in_the_index() {
    let reg = FakeRegistry::start();
    let amd = alpine();
    let w = amd.build();
    reg.load_layout("test/bk", "1", &amd.oci_files());
    let spdx = json!({"spdxVersion": "SPDX-2.3", "SPDXID": "SPDXRef-DOCUMENT", "name": "bk"});
    let statement = json!({"_type": "https://in-toto.io/Statement/v0.1", "predicateType": "https://spdx.dev/Document",
        "subject": [{"name": "pkg:docker/test/bk@1", "digest": {"sha256": &w.manifest.0[7..]}}], "predicate": spdx});
    let (layer, size) = reg.put_blob(statement.to_string().as_bytes());
    let (config, csize) = reg.put_blob(b"{\"architecture\":\"unknown\",\"os\":\"unknown\"}");
    let att = json!({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": config, "size": csize},
        "layers": [{"mediaType": "application/vnd.in-toto+json", "digest": layer, "size": size,
            "annotations": {"in-toto.io/predicate-type": "https://spdx.dev/Document"}}]});
    let att_digest = reg.put_manifest("test/bk", None, &att);
    let att_size = serde_json::to_vec(&att).unwrap().len();
    let index = json!({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json", "manifests": [
        {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": w.manifest.0, "size": w.manifest.1.len(),
         "platform": {"architecture": "amd64", "os": "linux"}},
        {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": att_digest, "size": att_size,
         "platform": {"architecture": "unknown", "os": "unknown"},
         "annotations": {"vnd.docker.reference.type": "attestation-manifest", "vnd.docker.reference.digest": w.manifest.0}}]});
    let index_digest = reg.put_manifest("test/bk", Some("2"), &index);

    let c = client(&reg, &opts());
    let platform = consign::source::parse_platform("linux/amd64").unwrap();
    let resolved =
        registry::resolve(&c, &image(&reg, "test/bk:2"), Some(&platform), LIMIT).unwrap();
    assert_eq!(resolved.top.digest.to_string(), index_digest);
    assert_eq!(resolved.manifest.to_string(), w.manifest.0);
    let index_doc = resolved.index.as_ref().unwrap();
    let list = referrers::list(
        &c,
        "test/bk",
        &resolved.manifest,
        Some((&resolved.top.digest, index_doc)),
        LIMIT,
    )
    .unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].source, Source::BuildKit);
    assert_eq!(list[0].predicate_types, ["https://spdx.dev/Document"]);
    assert_eq!(list[0].manifest.digest, att_digest);
    let found = referrers::find_sbom(&c, "test/bk", &list, None, LIMIT)
        .unwrap()
        .unwrap();
    assert_eq!(found.kind, SbomKind::Spdx);
    assert_eq!(found.bytes, spdx.to_string().into_bytes());
    let s390x = consign::source::parse_platform("linux/s390x").unwrap();
    let e = registry::resolve(&c, &image(&reg, "test/bk:2"), Some(&s390x), LIMIT)
        .unwrap_err()
        .to_string();
    assert_eq!(
        e,
        format!(
            "{0}/test/bk: {0}/test/bk:2 has no manifest for platform linux/s390x; available: linux/amd64",
            reg.addr
        )
    );
    // Listing the index itself shows its attestation manifests too.
    let all = referrers::list(
        &c,
        "test/bk",
        &resolved.top.digest,
        Some((&resolved.top.digest, index_doc)),
        LIMIT,
    )
    .unwrap();
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].subject.to_string(), w.manifest.0);
}
