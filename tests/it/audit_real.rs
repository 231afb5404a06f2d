//! `consign audit` on images made by real tools: a debootstrapped Debian root filesystem as
//! the base (umoci layers, classic-builder history), application layers whose history is
//! written the way BuildKit writes it, a secret added in one layer and deleted in the next
//! (umoci writes the whiteout), converted by skopeo to a docker-save archive; a base catalog
//! built by `consign base add` from the real base. Run by `tests/run.sh`.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use crate::support::tmp;

fn rootfs() -> PathBuf {
    PathBuf::from(
        std::env::var("CONSIGN_E2E_ROOTFS").expect("CONSIGN_E2E_ROOTFS: run tests/run.sh"),
    )
}

fn sh(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn umoci(args: &[&str]) {
    sh(Command::new("umoci").args(args));
}

/// Unpacks `from`, lets `edit` change the root filesystem, repacks as `to` with `created_by`.
fn layer(layout: &Path, from: &str, to: &str, created_by: &str, edit: impl FnOnce(&Path)) {
    let bundle = layout.with_file_name(format!("bundle-{to}"));
    let l = layout.display();
    umoci(&[
        "unpack",
        "--image",
        &format!("{l}:{from}"),
        bundle.to_str().unwrap(),
    ]);
    edit(&bundle.join("rootfs"));
    umoci(&[
        "repack",
        "--image",
        &format!("{l}:{to}"),
        "--history.created_by",
        created_by,
        "--history.created",
        "2024-01-10T00:00:00Z",
        bundle.to_str().unwrap(),
    ]);
}

fn config(layout: &Path, tag: &str, args: &[&str]) {
    let mut a = vec!["config", "--image"];
    let img = format!("{}:{tag}", layout.display());
    a.push(&img);
    a.extend_from_slice(args);
    umoci(&a);
}

fn consign(args: &[&str]) -> (i32, String, String) {
    let o = Command::new(env!("CARGO_BIN_EXE_consign"))
        .args(args)
        .output()
        .unwrap();
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

/// The base: the debootstrapped tree as one layer, classic history, `CMD ["bash"]`.
fn base(layout: &Path, tag: &str, created: &str, marker: &str) {
    let l = layout.display().to_string();
    umoci(&["new", "--image", &format!("{l}:{tag}-empty")]);
    let bundle = layout.with_file_name(format!("bundle-{tag}"));
    umoci(&[
        "unpack",
        "--image",
        &format!("{l}:{tag}-empty"),
        bundle.to_str().unwrap(),
    ]);
    sh(Command::new("cp")
        .arg("-a")
        .arg(format!("{}/.", rootfs().display()))
        .arg(bundle.join("rootfs")));
    std::fs::write(bundle.join("rootfs/etc/build-marker"), marker).unwrap();
    umoci(&[
        "repack",
        "--image",
        &format!("{l}:{tag}"),
        "--history.created_by",
        "/bin/sh -c #(nop) ADD file:2f3e in / ",
        "--history.created",
        created,
        bundle.to_str().unwrap(),
    ]);
    config(
        layout,
        tag,
        &[
            "--config.cmd",
            "bash",
            "--created",
            created,
            "--history.created_by",
            "/bin/sh -c #(nop)  CMD [\"bash\"]",
            "--history.created",
            created,
        ],
    );
}

#[test]
#[ignore = "needs debootstrap output, umoci and skopeo; run tests/run.sh"]
fn seeded_problems_are_found_and_a_hardened_image_is_clean() {
    let dir = tmp();
    let layout = dir.path().join("layout");
    umoci(&["init", "--layout", layout.to_str().unwrap()]);
    base(&layout, "base-old", "2023-12-01T00:00:00Z", "old");
    base(&layout, "base-new", "2024-01-12T00:00:00Z", "new");
    let catalog = dir.path().join("bases.json");
    for tag in ["base-old", "base-new"] {
        let (code, _, err) = consign(&[
            "base",
            "add",
            &format!("oci-dir:{}", layout.display()),
            "--image",
            tag,
            "--name",
            "debian:12",
            "--catalog",
            catalog.to_str().unwrap(),
            "-q",
        ]);
        assert_eq!(code, 0, "{err}");
    }
    // The seeded image, on the old base build.
    layer(
        &layout,
        "base-old",
        "bad-1",
        "RUN /bin/sh -c apt-get update && apt-get install -y curl && pip install flask && npm install -g express # buildkit",
        |r| {
            std::fs::create_dir_all(r.join("root/.aws")).unwrap();
            std::fs::write(r.join("root/.aws/credentials"), "[default]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n").unwrap();
            std::fs::write(r.join("usr/bin/curl"), "elf").unwrap();
        },
    );
    layer(
        &layout,
        "bad-1",
        "bad",
        "RUN /bin/sh -c rm -rf /root/.aws # buildkit",
        |r| {
            std::fs::remove_dir_all(r.join("root/.aws")).unwrap();
        },
    );
    config(
        &layout,
        "bad",
        &[
            "--config.exposedports",
            "22/tcp",
            "--created",
            "2023-12-05T00:00:00Z",
            "--history.created_by",
            "EXPOSE map[22/tcp:{}]",
        ],
    );
    let bad = dir.path().join("bad.tar");
    sh(Command::new("skopeo")
        .args(["copy", "--quiet"])
        .arg(format!("oci:{}:bad", layout.display()))
        .arg(format!("docker-archive:{}:example/bad:1", bad.display())));
    let policy = dir.path().join("policy.toml");
    // Debian 12 is supported until 2028: pretend otherwise to see the EOL rule on a real image.
    std::fs::write(&policy, "[eol]\n\"debian:12\" = \"2024-01-01\"\n").unwrap();
    let sarif = dir.path().join("bad.sarif");
    let (code, out, err) = consign(&[
        "audit",
        bad.to_str().unwrap(),
        "--now",
        "2024-01-15T00:00:00Z",
        "--policy",
        policy.to_str().unwrap(),
        "--base-catalog",
        catalog.to_str().unwrap(),
        "-q",
        "-o",
        "json",
        "-o",
        &format!("sarif={}", sarif.display()),
    ]);
    assert_eq!(code, 1, "{err}");
    let r: Value = serde_json::from_str(&out).unwrap();
    let found = |id: &str| -> Vec<&Value> {
        r["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["id"] == id)
            .collect()
    };
    for id in [
        "IMG001", "IMG002", "SEC003", "PIN001", "PIN003", "PIN004", "BAS004", "AGE001", "BAS005",
    ] {
        assert_eq!(
            found(id).len(),
            1,
            "{id}: {}",
            serde_json::to_string_pretty(&r["findings"]).unwrap()
        );
    }
    let secret = &found("SEC003")[0]["locations"][0];
    assert_eq!(
        (
            secret["path"].as_str(),
            secret["layer"].as_u64(),
            secret["removed_in"].as_u64()
        ),
        (Some("/root/.aws/credentials"), Some(1), Some(2))
    );
    assert!(!out.contains("wJalrXUtnFEMI"));
    let history = &found("PIN003")[0]["locations"][0];
    assert_eq!(
        (history["kind"].as_str(), history["layer"].as_u64()),
        (Some("history"), Some(1))
    );
    assert_eq!(
        found("BAS004")[0]["base"]["identified_by"],
        serde_json::json!(["catalog"])
    );
    assert_eq!(found("IMG002")[0]["locations"][0]["value"], "22/tcp");
    let doc: Value = serde_json::from_slice(&std::fs::read(&sarif).unwrap()).unwrap();
    crate::audit_cli::assert_valid_sarif(&doc);

    // A hardened image on the new base build: pinned install, non-root user, labels.
    layer(
        &layout,
        "base-new",
        "good",
        "RUN /bin/sh -c apt-get install -y --no-install-recommends curl=7.88.1-10+deb12u5 # buildkit",
        |r| {
            std::fs::write(r.join("usr/bin/curl"), "elf").unwrap();
        },
    );
    config(
        &layout,
        "good",
        &[
            "--config.user",
            "65534",
            "--created",
            "2024-01-14T00:00:00Z",
            "--config.label",
            "org.opencontainers.image.source=https://example.com/app",
            "--config.label",
            "org.opencontainers.image.revision=0123abcd",
            "--config.label",
            "org.opencontainers.image.version=1.0",
            "--history.created_by",
            "USER 65534",
        ],
    );
    let good = dir.path().join("good.tar");
    sh(Command::new("skopeo")
        .args(["copy", "--quiet"])
        .arg(format!("oci:{}:good", layout.display()))
        .arg(format!("docker-archive:{}:example/good:1", good.display())));
    // OCI configs cannot carry a HEALTHCHECK (umoci writes OCI configs), so that rule is off.
    std::fs::write(&policy, "[rules]\nno-healthcheck = \"off\"\n").unwrap();
    let (code, out, err) = consign(&[
        "audit",
        good.to_str().unwrap(),
        "--now",
        "2024-01-15T00:00:00Z",
        "--policy",
        policy.to_str().unwrap(),
        "--base-catalog",
        catalog.to_str().unwrap(),
        "-q",
        "-o",
        "json",
    ]);
    let r: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(r["findings"], serde_json::json!([]), "{err}");
    assert_eq!(code, 0);
    assert_eq!(r["base"]["layers"], 1);
}

/// The Dockerfile both linters read: pinned and unpinned installs of every kind hadolint
/// checks, with continuations and several stages.
const LINT_DOCKERFILE: &str = "FROM debian:12\nRUN apt-get update && \\\n    apt-get install -y curl wget=1.21.3-1+b2\nRUN apt-get install -y --no-install-recommends ca-certificates=20230311\nFROM python:3.12-alpine AS py\nRUN apk add --no-cache curl\nRUN apk add --no-cache bash=5.2.21-r0\nRUN pip install flask requests==2.31.0\nRUN pip install --no-cache-dir django==5.0\nFROM node:20\nRUN npm install -g express typescript@5.4.5\nRUN npm install -g left-pad@1.3.0\nRUN gem install rails\nRUN gem install bundler -v 2.5.10\n";

#[test]
#[ignore = "needs hadolint (CONSIGN_HADOLINT); run tests/run.sh"]
fn unpinned_install_lines_agree_with_hadolint() {
    let hadolint = std::env::var("CONSIGN_HADOLINT").expect("CONSIGN_HADOLINT: run tests/run.sh");
    let dir = tmp();
    let df = dir.path().join("Dockerfile");
    std::fs::write(&df, LINT_DOCKERFILE).unwrap();
    let out = Command::new(&hadolint)
        .args(["-f", "json"])
        .arg(&df)
        .output()
        .unwrap();
    let theirs: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    let map = [
        ("DL3008", "PIN001"),
        ("DL3018", "PIN002"),
        ("DL3013", "PIN003"),
        ("DL3016", "PIN004"),
        ("DL3028", "PIN005"),
    ];
    let mut expected: Vec<(&str, u64)> = theirs
        .iter()
        .filter_map(|f| {
            map.iter()
                .find(|(h, _)| f["code"] == *h)
                .map(|(_, c)| (*c, f["line"].as_u64().unwrap()))
        })
        .collect();
    expected.sort();
    let r = crate::support::audit_image::run(
        &crate::support::audit_image::image(&crate::support::audit_image::Tweak::default()),
        &crate::support::audit_image::Extra {
            dockerfile: Some(LINT_DOCKERFILE),
            ..Default::default()
        },
    );
    let mut ours: Vec<(&str, u64)> = r
        .findings
        .iter()
        .filter(|f| f.id.starts_with("PIN"))
        .flat_map(|f| {
            f.locations.iter().filter_map(move |l| match l {
                consign::audit::Evidence::Dockerfile { line, .. } => Some((f.id, *line as u64)),
                _ => None,
            })
        })
        .collect();
    ours.sort();
    assert_eq!(ours, expected);
    assert_eq!(expected.len(), 5, "hadolint found {theirs:?}");
}
