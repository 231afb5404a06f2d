//! The audit rules on images built in code (`support::audit_image`): a clean, hardened image
//! yields no finding at all, and for every rule one change to it triggers exactly that rule,
//! at the right place.

use consign::audit::{self, AuditInput, Evidence, ValidPolicy};
use consign::source::SourceSpec;
use consign::{ScanOptions, scan_layers};
use serde_json::{Value, json};

use crate::support::audit_image::{Extra, NOW, Tweak, catalog, ids, image, run};
use crate::support::tmp;

const CLEAN_DOCKERFILE: &str = "FROM debian:12@sha256:aaaa\nRUN apt-get update && apt-get install -y --no-install-recommends curl=7.88.1-10+deb12u5 && rm -rf /var/lib/apt/lists/*\nCOPY app /app\nUSER 10001\nHEALTHCHECK CMD [\"/app/health\"]\nCMD [\"/app/run\"]\n";

#[test]
fn a_clean_hardened_image_has_no_findings() {
    let cat = catalog(false);
    for extra in [
        Extra::default(),
        Extra {
            dockerfile: Some(CLEAN_DOCKERFILE),
            catalog: Some(&cat),
            ..Extra::default()
        },
    ] {
        let r = run(&image(&Tweak::default()), &extra);
        assert_eq!(r.findings, vec![], "{}", r.to_table());
        assert_eq!(r.base.layers, Some(2));
        assert_eq!(r.base.name.as_deref(), Some("docker.io/library/debian"));
    }
}

#[test]
fn base_rules_need_the_catalog_and_say_how_the_base_was_identified() {
    let r = run(
        &image(&Tweak::default()),
        &Extra {
            catalog: Some(&catalog(true)),
            ..Extra::default()
        },
    );
    assert_eq!(ids(&r), ["BAS004", "AGE002"], "{}", r.to_table());
    let rebuild = &r.findings[0];
    assert_eq!(
        rebuild.message,
        "built on debian:12@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa3; the catalog has a newer build of the same tag: debian:12@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa4 (2024-01-12T00:00:00Z)"
    );
    let methods: Vec<&str> = rebuild
        .base
        .as_ref()
        .unwrap()
        .identified_by
        .iter()
        .map(|m| m.as_str())
        .collect();
    assert_eq!(methods, ["catalog"]);
    assert!(
        r.findings[1]
            .message
            .contains("libc6 2.36-9+deb12u4 → 2.36-9+deb12u7"),
        "{}",
        r.findings[1].message
    );
    let evidence: Vec<&str> = r.base.evidence.iter().map(|e| e.method.as_str()).collect();
    assert_eq!(evidence, ["annotation", "catalog", "history"]);
    // Without a diff_id match, a build newer than the image itself still counts, by name.
    let mut other = catalog(true);
    other
        .images
        .retain(|e| e.created.as_deref() == Some("2024-01-12T00:00:00Z"));
    let r = run(
        &image(&Tweak::default()),
        &Extra {
            catalog: Some(&other),
            ..Extra::default()
        },
    );
    assert_eq!(ids(&r), ["BAS004"]);
    let methods: Vec<&str> = r.findings[0]
        .base
        .as_ref()
        .unwrap()
        .identified_by
        .iter()
        .map(|m| m.as_str())
        .collect();
    assert_eq!(methods, ["annotation", "catalog"]);
}

#[test]
fn a_secret_deleted_in_a_later_layer_is_reported_with_its_layer_and_never_printed() {
    let tweak = Tweak {
        app: Some(vec![
            ("COPY id_rsa /root/.ssh/id_rsa # buildkit", |l| {
                l.file("root/.ssh/id_rsa", "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ\n-----END OPENSSH PRIVATE KEY-----\n")
            }),
            ("RUN /bin/sh -c rm /root/.ssh/id_rsa # buildkit", |l| {
                l.whiteout("root/.ssh/id_rsa")
            }),
        ]),
        ..Tweak::default()
    };
    let r = run(&image(&tweak), &Extra::default());
    assert_eq!(ids(&r), ["SEC003"], "{}", r.to_table());
    let f = &r.findings[0];
    assert_eq!(
        f.message,
        "/root/.ssh/id_rsa holds a secret: private key; deleted or replaced in layer 3, but still shipped in layer 2"
    );
    let Evidence::File {
        path,
        layer,
        removed_in,
        layer_digest,
    } = &f.locations[0]
    else {
        panic!()
    };
    assert_eq!(
        (path.as_str(), *layer, *removed_in),
        ("/root/.ssh/id_rsa", 2, Some(3))
    );
    assert!(layer_digest.as_deref().unwrap().starts_with("sha256:"));
    for out in [r.to_json(), r.to_table()] {
        assert!(!out.contains("b3BlbnNzaC1rZXkt"), "{out}");
    }
}

#[test]
fn secrets_in_history_are_redacted_everywhere() {
    let token = "ghp_aB3dE5gH7jK9mN1pQ3sT5vX7zA9cE1gI3kM5";
    let tweak = Tweak {
        app: Some(vec![(
            "RUN |1 GITHUB_TOKEN=ghp_aB3dE5gH7jK9mN1pQ3sT5vX7zA9cE1gI3kM5 /bin/sh -c git clone https://x:ghp_aB3dE5gH7jK9mN1pQ3sT5vX7zA9cE1gI3kM5@github.com/o/r # buildkit",
            |l| l.file("r/x", "x"),
        )]),
        ..Tweak::default()
    };
    let r = run(&image(&tweak), &Extra::default());
    assert_eq!(ids(&r), ["SEC002"], "{}", r.to_table());
    assert_eq!(
        r.findings[0].message,
        "RUN step exposes a secret: GitHub personal access token, build argument GITHUB_TOKEN, password in URL"
    );
    let Evidence::History {
        step,
        layer,
        created_by,
    } = &r.findings[0].locations[0]
    else {
        panic!()
    };
    assert_eq!((*step, *layer), (3, Some(2)));
    assert_eq!(
        created_by,
        "RUN |1 GITHUB_TOKEN=**** /bin/sh -c git clone https://x:****@github.com/o/r # buildkit"
    );
    let policy = ValidPolicy::default_policy();
    for out in [
        r.to_json(),
        r.to_table(),
        audit::sarif::to_sarif(&r, &policy, None),
    ] {
        assert!(!out.contains(token), "{out}");
    }
}

#[test]
fn dockerfile_findings_point_at_lines() {
    let df = "FROM debian:12@sha256:aaaa AS base\nFROM base\nRUN apt-get update && \\\n    apt-get install -y curl\nEXPOSE 22\nUSER root\n";
    let tweak = Tweak {
        config: Some(json!({"User": "root", "ExposedPorts": {"22/tcp": {}}})),
        ..Tweak::default()
    };
    let r = run(
        &image(&tweak),
        &Extra {
            dockerfile: Some(df),
            ..Extra::default()
        },
    );
    let lines: Vec<(&str, usize)> = r
        .findings
        .iter()
        .flat_map(|f| {
            f.locations.iter().filter_map(move |l| match l {
                Evidence::Dockerfile { line, .. } => Some((f.id, *line)),
                _ => None,
            })
        })
        .collect();
    assert_eq!(
        lines,
        [("IMG001", 6), ("IMG002", 5), ("PIN001", 3)],
        "{}",
        r.to_table()
    );
}

#[test]
fn exceptions_suppress_until_they_expire() {
    let tweak = Tweak {
        config: Some(json!({"User": ""})),
        ..Tweak::default()
    };
    let live = "[[exceptions]]\nrule = \"runs-as-root\"\nreason = \"gosu in the entrypoint\"\nexpires = \"2024-02-01\"\n";
    let r = run(
        &image(&tweak),
        &Extra {
            policy: Some(live),
            ..Extra::default()
        },
    );
    assert_eq!(ids(&r), Vec::<&str>::new());
    assert_eq!(r.suppressed.len(), 1);
    assert_eq!(
        (r.suppressed[0].reason.as_str(), r.suppressed[0].policy_line),
        ("gosu in the entrypoint", 1)
    );
    let expired = live.replace("2024-02-01", "2024-01-14");
    let r = run(
        &image(&tweak),
        &Extra {
            policy: Some(&expired),
            ..Extra::default()
        },
    );
    assert_eq!(ids(&r), ["IMG001", "POL002"]);
    let path_scoped =
        "[[exceptions]]\nrule = \"SEC003\"\npath = \"/app/**\"\nreason = \"fixture\"\n";
    let t = Tweak {
        app: Some(vec![("COPY .env /app/.env # buildkit", |l| {
            l.file("app/.env", "DB_PASSWORD=hunter2\n")
        })]),
        ..Tweak::default()
    };
    let r = run(
        &image(&t),
        &Extra {
            policy: Some(path_scoped),
            ..Extra::default()
        },
    );
    assert_eq!((ids(&r), r.suppressed.len()), (vec![], 1));
}

#[test]
fn severity_overrides_and_disabled_rules() {
    let tweak = Tweak {
        config: Some(json!({"User": "", "Healthcheck": null})),
        ..Tweak::default()
    };
    let r = run(
        &image(&tweak),
        &Extra {
            policy: Some("[rules]\nIMG001 = \"critical\"\nno-healthcheck = \"off\"\n"),
            ..Extra::default()
        },
    );
    assert_eq!(ids(&r), ["IMG001"]);
    assert_eq!(r.findings[0].severity, audit::Severity::Critical);
    assert_eq!(r.summary.critical, 1);
}

#[test]
fn registry_ids_and_names_are_unique_and_listed() {
    let rules: Vec<_> = audit::registry::rules().collect();
    let mut ids: Vec<&str> = rules.iter().map(|m| m.id).collect();
    let mut names: Vec<&str> = rules.iter().map(|m| m.name).collect();
    ids.sort();
    ids.dedup();
    names.sort();
    names.dedup();
    assert_eq!((ids.len(), names.len()), (rules.len(), rules.len()));
    let mut listing = String::new();
    for m in &rules {
        assert!(
            m.explanation().contains("## What it flags")
                && m.explanation().contains("## How to fix"),
            "{}",
            m.id
        );
        assert!(m.explanation().contains("## Policy example"), "{}", m.id);
        listing.push_str(&format!(
            "{} {} {} {}\n",
            m.id,
            m.name,
            m.severity,
            if m.default_enabled { "on" } else { "off" }
        ));
    }
    crate::support::golden::assert_golden("audit-rules.txt", listing.as_bytes());
}

#[test]
fn a_buildkit_provenance_attestation_names_the_base() {
    use crate::support::image::{sha256, write_dir};
    let img = image(&Tweak {
        annotation: Some(("org.example.note", "none")),
        ..Tweak::default()
    });
    let manifest_digest = img.build().manifest.0;
    let mut files = img.oci_files();
    let statement = serde_json::to_vec(&json!({
        "_type": "https://in-toto.io/Statement/v0.1",
        "predicateType": "https://slsa.dev/provenance/v0.2",
        "subject": [{"name": "example.com/app", "digest": {"sha256": manifest_digest.trim_start_matches("sha256:")}}],
        "predicate": {"materials": [
            {"uri": "pkg:docker/docker/dockerfile@1", "digest": {"sha256": "1".repeat(64)}},
            {"uri": "pkg:docker/debian@12?platform=linux%2Famd64", "digest": {"sha256": "2".repeat(64)}}
        ]}
    }))
    .unwrap();
    let empty = b"{}".to_vec();
    let att = serde_json::to_vec(&json!({
        "schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.empty.v1+json", "digest": sha256(&empty), "size": 2},
        "layers": [{"mediaType": "application/vnd.in-toto+json", "digest": sha256(&statement), "size": statement.len(),
                    "annotations": {"in-toto.io/predicate-type": "https://slsa.dev/provenance/v0.2"}}]
    }))
    .unwrap();
    let blob = |b: &[u8]| format!("blobs/sha256/{}", sha256(b).trim_start_matches("sha256:"));
    files.push((blob(&statement), statement.clone()));
    files.push((blob(&empty), empty.clone()));
    files.push((blob(&att), att.clone()));
    let index = files.iter_mut().find(|(n, _)| n == "index.json").unwrap();
    let mut v: Value = serde_json::from_slice(&index.1).unwrap();
    v["manifests"].as_array_mut().unwrap().push(json!({
        "mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": sha256(&att), "size": att.len(),
        "platform": {"architecture": "unknown", "os": "unknown"},
        "annotations": {"vnd.docker.reference.type": "attestation-manifest", "vnd.docker.reference.digest": manifest_digest}
    }));
    index.1 = serde_json::to_vec(&v).unwrap();
    let dir = tmp();
    write_dir(dir.path(), &files);
    let scanned = scan_layers(
        &SourceSpec::OciDir(dir.path().to_path_buf()),
        &ScanOptions::default(),
        &audit::secrets::CAPTURE,
    )
    .unwrap();
    assert_eq!(scanned.provenance.len(), 2);
    let mut cat = catalog(true);
    cat.images
        .retain(|e| e.created.as_deref() == Some("2024-01-12T00:00:00Z"));
    let r = audit::audit(
        &AuditInput {
            sbom: &scanned.sbom,
            trees: &scanned.trees,
            dockerfile: None,
            catalog: Some(&cat),
            provenance: &scanned.provenance,
            now: NOW.parse().unwrap(),
        },
        &ValidPolicy::default_policy(),
    );
    assert_eq!(r.base.name.as_deref(), Some("docker.io/library/debian"));
    assert_eq!(
        r.base.digest.as_deref(),
        Some(format!("sha256:{}", "2".repeat(64)).as_str())
    );
    assert_eq!(ids(&r), ["BAS004"]);
    let by: Vec<&str> = r.findings[0]
        .base
        .as_ref()
        .unwrap()
        .identified_by
        .iter()
        .map(|m| m.as_str())
        .collect();
    assert_eq!(by, ["provenance", "catalog"]);
}
