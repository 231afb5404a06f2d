//! Regressions from the review of `consign audit` (issue 4), secrets aside
//! (`audit_secrets.rs`): each test rebuilds in code the reviewer's reproduction image
//! (`/tmp/review2/*.py`) and asserts the exact outcome.

use consign::audit::Evidence;
use serde_json::{Value, json};

use crate::support::audit_image::{
    DEBIAN_12, Extra, Tweak, findings_of, ids, image, review_image, run,
};
use crate::support::image::ImageBuilder;
use crate::support::{cmd, tmp};

/// A base built reproducibly (distroless, ko, apko: `created` is the Unix epoch) has no age.
// See: issue 4 review, finding 5 (`zero.py`).
#[test]
fn issue4_zeroed_base_time_is_not_judged() {
    let r = run(
        &image(&Tweak {
            base_created: Some("1970-01-01T00:00:00Z"),
            ..Tweak::default()
        }),
        &Extra::default(),
    );
    assert_eq!(r.base.created.as_deref(), Some("1970-01-01T00:00:00Z"));
    assert_eq!(ids(&r), Vec::<&str>::new(), "{}", r.to_table());
}

/// `consign audit registry:…` and `consign base add registry:…` take the registry options
/// `consign sbom` takes.
// See: issue 4 review, finding 9.
#[test]
fn issue4_audit_and_base_add_read_from_a_registry() {
    use crate::support::audit_image::NOW;
    use crate::support::fake_registry::FakeRegistry;
    let reg = FakeRegistry::start();
    reg.load_layout("test/app", "1.0", &image(&Tweak::default()).oci_files());
    let src = format!("registry:{}/test/app:1.0", reg.addr);
    let o = cmd::run(&["audit", &src, "--insecure-registry", "--now", NOW, "-q"]);
    assert_eq!(o.status.code(), Some(0), "{}", cmd::stderr(&o));
    assert!(
        cmd::stdout(&o).contains("\n0 findings"),
        "{}",
        cmd::stdout(&o)
    );
    let dir = tmp();
    let catalog = dir.path().join("bases.json");
    let o = cmd::run(&[
        "base",
        "add",
        &src,
        "--catalog",
        catalog.to_str().unwrap(),
        "--name",
        "app:1.0",
        "--insecure-registry",
        "-q",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", cmd::stderr(&o));
    let c: Value = serde_json::from_slice(&std::fs::read(&catalog).unwrap()).unwrap();
    assert_eq!(c["images"][0]["tag"], "1.0", "{c}");
    // Registry options with a local source are a usage error, as for `sbom`.
    let o = cmd::run(&["audit", "x.tar", "--insecure-registry"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        cmd::stderr(&o).contains("apply to registry:… sources only"),
        "{}",
        cmd::stderr(&o)
    );
}

/// An expired exception listed before a live one for the same finding neither un-suppresses
/// the finding nor makes the live one look unmatched.
// See: issue 4 review, finding 10.
#[test]
fn issue4_a_live_exception_wins_over_an_expired_one() {
    let policy = "[[exceptions]]\nrule = \"IMG001\"\nreason = \"old waiver\"\nexpires = \"2024-01-01\"\n\n[[exceptions]]\nrule = \"runs-as-root\"\nreason = \"gosu in the entrypoint\"\nexpires = \"2024-02-01\"\n";
    let r = run(
        &image(&Tweak {
            config: Some(json!({"User": ""})),
            ..Tweak::default()
        }),
        &Extra {
            policy: Some(policy),
            ..Extra::default()
        },
    );
    assert_eq!(ids(&r), ["POL002"], "{}", r.to_table());
    assert!(
        r.findings[0]
            .message
            .starts_with("exception for IMG001 expired on 2024-01-01")
    );
    assert_eq!(r.suppressed.len(), 1);
    assert_eq!(
        (
            r.suppressed[0].finding.id,
            r.suppressed[0].reason.as_str(),
            r.suppressed[0].policy_line
        ),
        ("IMG001", "gosu in the entrypoint", 6)
    );
}

/// End-of-life releases the built-in table missed, and releases older than any it lists.
// See: issue 4 review, finding 11.
#[test]
fn issue4_old_distribution_releases_are_end_of_life() {
    for (os_release, message) in [
        (
            "ID=alpine\nVERSION_ID=3.8.5\nPRETTY_NAME=\"Alpine Linux v3.8\"\n",
            "Alpine Linux v3.8 reached end of life on 2020-05-01 (alpine:3.8)",
        ),
        (
            "ID=fedora\nVERSION_ID=35\n",
            "fedora 35 reached end of life on 2022-12-13 (fedora:35)",
        ),
        (
            "ID=ubuntu\nVERSION_ID=\"19.10\"\n",
            "ubuntu 19.10 reached end of life on 2020-07-06 (ubuntu:19.10)",
        ),
        (
            "ID=debian\nVERSION_ID=\"6.0\"\n",
            "debian 6.0 reached end of life on 2016-02-29 (debian:6)",
        ),
        (
            "ID=debian\nVERSION_ID=\"3.1\"\n",
            "debian 3.1 reached end of life on or before 2010-02-15 (debian:3.1: older than debian:4, the oldest release in the built-in table)",
        ),
    ] {
        let r = run(
            &image(&Tweak {
                os_release: Some(os_release),
                ..Tweak::default()
            }),
            &Extra::default(),
        );
        let eol: Vec<&str> = findings_of(&r, "BAS005")
            .iter()
            .map(|f| f.message.as_str())
            .collect();
        assert_eq!(eol, [message], "{}", r.to_table());
    }
}

/// AGE002 orders versions: a newest base build that ships an *older* version (a rebuild that
/// rolled a package back) is no reason to rebuild.
// See: issue 4 review, nice-to-have (AGE002 compared versions with `!=`).
#[test]
fn issue4_os_packages_outdated_orders_versions() {
    use crate::support::audit_image::catalog;
    let mut cat = catalog(true);
    for e in &mut cat.images {
        if e.created.as_deref() == Some("2024-01-12T00:00:00Z") {
            e.packages
                .insert("pkg:deb/debian/libc6".into(), "2.36-9+deb12u3".into());
        }
    }
    let r = run(
        &image(&Tweak::default()),
        &Extra {
            catalog: Some(&cat),
            ..Extra::default()
        },
    );
    assert_eq!(ids(&r), ["BAS004"], "{}", r.to_table());
}

/// SARIF for an image without a Dockerfile names the image, not a path on the machine that
/// ran the audit; its category is stable; suppressed findings are results with
/// `suppressions`, so code scanning shows them as dismissed rather than fixed.
// See: issue 4 review, nice-to-have (SARIF).
#[test]
fn issue4_sarif_locations_category_and_suppressions() {
    let dir = tmp();
    let archive = dir.path().join("app.tar");
    image(&Tweak {
        config: Some(json!({"User": ""})),
        ..Tweak::default()
    })
    .write_docker_archive(&archive);
    let policy = dir.path().join("p.toml");
    std::fs::write(
        &policy,
        "[[exceptions]]\nrule = \"IMG001\"\nreason = \"gosu drops privileges\"\n",
    )
    .unwrap();
    let sarif = dir.path().join("a.sarif");
    let o = cmd::run(&[
        "audit",
        archive.to_str().unwrap(),
        "--now",
        crate::support::audit_image::NOW,
        "-q",
        "--policy",
        policy.to_str().unwrap(),
        "-o",
        &format!("sarif={}", sarif.display()),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", cmd::stderr(&o));
    let text = std::fs::read_to_string(&sarif).unwrap();
    assert!(!text.contains(dir.path().to_str().unwrap()), "{text}");
    let doc: Value = serde_json::from_str(&text).unwrap();
    crate::audit_cli::assert_valid_sarif(&doc);
    let run0 = &doc["runs"][0];
    assert_eq!(
        run0["automationDetails"]["id"],
        "consign-audit/example.com-app/"
    );
    let results = run0["results"].as_array().unwrap();
    assert_eq!(results.len(), 1, "{results:#?}");
    let r = &results[0];
    assert_eq!(r["ruleId"], "IMG001");
    assert_eq!(
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "example.com/app"
    );
    assert_eq!(
        r["suppressions"],
        json!([{"kind": "external", "status": "accepted", "justification": "gosu drops privileges"}])
    );
}

/// Official Debian images record one history entry (`# debian.sh … # debuerreotype`) and
/// no `CMD` step: that entry is where the base ends.
// See: issue 4 review, nice-to-have (debuerreotype base boundary).
#[test]
fn issue4_debuerreotype_history_marks_the_base() {
    let img = ImageBuilder::new()
        .tag(Some("review:1"))
        .created("2024-01-10T00:00:00Z")
        .layer(|l| l.file("etc/os-release", DEBIAN_12))
        .layer(|l| l.file("usr/bin/curl", "elf"))
        .history(json!([
            {"created": "2024-01-01T00:00:00Z", "created_by": "# debian.sh --arch 'amd64' out/ 'bookworm' '@1704067200'", "comment": "debuerreotype 0.15"},
            {"created": "2024-01-10T00:00:00Z", "created_by": "RUN /bin/sh -c apt-get install -y curl # buildkit", "comment": "buildkit.dockerfile.v0"},
            {"created": "2024-01-10T00:00:00Z", "created_by": "USER 1000", "comment": "buildkit.dockerfile.v0", "empty_layer": true}
        ]))
        .run_config(json!({"User": "1000"}));
    let r = run(&img, &Extra::default());
    assert_eq!(
        (r.base.layers, r.base.created.as_deref()),
        (Some(1), Some("2024-01-01T00:00:00Z")),
        "{}",
        r.to_table()
    );
    let pin: Vec<&Evidence> = findings_of(&r, "PIN001")
        .iter()
        .map(|f| &f.locations[0])
        .collect();
    assert!(
        matches!(pin[..], [Evidence::History { step: 1, .. }]),
        "{pin:?}"
    );
}

/// A base-name label the base image itself set is inherited by every image built on it and
/// names the base's base; only a label set after the base counts.
// See: issue 4 review, nice-to-have (inherited org.opencontainers.image.base.name label).
#[test]
fn issue4_an_inherited_base_name_label_is_not_the_base() {
    const LABEL: &str = "org.opencontainers.image.base.name";
    let inherited = image(&Tweak {
        annotation: Some(("org.example.note", "none")),
        ..Tweak::default()
    })
    .label(LABEL, "docker.io/library/alpine:3.19");
    let r = run(&inherited, &Extra::default());
    assert_eq!(r.base.name, None, "{}", r.to_table());
    let own = image(&Tweak {
        annotation: Some(("org.example.note", "none")),
        app: Some(vec![(
            "LABEL org.opencontainers.image.base.name=docker.io/library/debian:12",
            |l| l.file("app/x", "x"),
        )]),
        ..Tweak::default()
    })
    .label(LABEL, "docker.io/library/debian:12");
    let r = run(&own, &Extra::default());
    assert_eq!(
        r.base.name.as_deref(),
        Some("docker.io/library/debian"),
        "{}",
        r.to_table()
    );
}

/// Exec-form `RUN ["apt-get", "install", …]` is read like the shell form, in a Dockerfile and
/// in the history.
// See: issue 4 review, nice-to-have (exec-form RUN).
#[test]
fn issue4_exec_form_run_is_checked_for_pinning() {
    let df = "FROM debian:12@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\nRUN [\"pip\", \"install\", \"flask\"]\nRUN [\"/bin/sh\", \"-c\", \"apt-get install -y curl\"]\nUSER 10001\n";
    let r = run(
        &image(&Tweak::default()),
        &Extra {
            dockerfile: Some(df),
            ..Extra::default()
        },
    );
    let lines: Vec<(&str, usize)> = r
        .findings
        .iter()
        .filter_map(|f| match &f.locations[0] {
            Evidence::Dockerfile { line, .. } => Some((f.id, *line)),
            _ => None,
        })
        .collect();
    assert_eq!(lines, [("PIN001", 3), ("PIN003", 2)], "{}", r.to_table());
    let r = run(
        &image(&Tweak {
            app: Some(vec![(
                "RUN [\"apt-get\", \"install\", \"-y\", \"curl\"] # buildkit",
                |l| l.file("usr/bin/curl", "elf"),
            )]),
            ..Tweak::default()
        }),
        &Extra::default(),
    );
    assert_eq!(ids(&r), ["PIN001"], "{}", r.to_table());
}

/// Hostile input from the image (a build-argument count of 2^64 - 1) and from the policy (an
/// age that overflows) end in an answer, never a hang or a panic.
// See: issue 4 review, findings 3 and 4 (`hostile.py`).
#[test]
fn issue4_hostile_history_and_policy_values() {
    let img = review_image(
        &[(
            "RUN |18446744073709551615 A=1 /bin/sh -c echo hi # buildkit",
            true,
        )],
        json!({"User": "1000"}),
    );
    let r = run(&img, &Extra::default());
    assert!(!ids(&r).contains(&"SEC002"), "{}", r.to_table());
    let dir = tmp();
    let archive = dir.path().join("h.tar");
    img.write_docker_archive(&archive);
    let policy = dir.path().join("p.toml");
    std::fs::write(
        &policy,
        "[thresholds]\nmax_image_age = 9223372036854775807\n",
    )
    .unwrap();
    let o = cmd::run(&[
        "audit",
        archive.to_str().unwrap(),
        "--policy",
        policy.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", cmd::stderr(&o));
    assert_eq!(
        cmd::stderr(&o).lines().next().unwrap(),
        format!(
            "error: policy {}: line 2: thresholds.max_image_age: 9223372036854775807 is too large a duration",
            policy.display()
        )
    );
}
