//! `consign diff` end to end: two releases of an image built in code, every producer's SBOM
//! of one image, the CLI's outputs, exit codes and errors.

use std::path::{Path, PathBuf};

use consign::diff::{ChangeKind, DiffOptions, SbomDiff};
use consign::source::SourceSpec;
use consign::{Sbom, ScanOptions};

use crate::samples::DEBIAN_12_OS_RELEASE;
use crate::support::cmd::{run, stderr, stdout};
use crate::support::golden::assert_golden;
use crate::support::image::ImageBuilder;
use crate::support::{fixture, tmp};

/// A dpkg status file: `(name, version, arch)` per package.
fn status(pkgs: &[(&str, &str, &str)]) -> String {
    pkgs.iter()
        .map(|(name, version, arch)| {
            format!(
                "Package: {name}\nStatus: install ok installed\nPriority: optional\n\
                 Maintainer: Debian Maintainers <debian@example.org>\nArchitecture: {arch}\n\
                 Version: {version}\nDescription: {name}\n\n"
            )
        })
        .collect()
}

/// A DEP-5 copyright file declaring `licenses`.
fn copyright(licenses: &[&str]) -> String {
    let mut s = "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n\
                 Upstream-Name: expat\n"
        .to_owned();
    for (i, l) in licenses.iter().enumerate() {
        s.push_str(&format!(
            "\nFiles: part{i}/*\nCopyright: 2000 Someone\nLicense: {l}\n"
        ));
    }
    s
}

/// One release of the web application: a Debian base layer, then an application layer
/// that installs packages with apt.
fn release(
    tag: &str,
    base: (&str, &str, &str),
    base_pkgs: &[(&str, &str, &str)],
    app_pkgs: &[(&str, &str, &str)],
    expat_licenses: &[&str],
) -> ImageBuilder {
    let (base_name, base_digest, debian_version) = base;
    let all: Vec<(&str, &str, &str)> = base_pkgs.iter().chain(app_pkgs).copied().collect();
    let base_status = status(base_pkgs);
    let app_status = status(&all);
    let expat = copyright(expat_licenses);
    ImageBuilder::new()
        .tag(Some(tag))
        .annotation("org.opencontainers.image.base.name", base_name)
        .annotation("org.opencontainers.image.base.digest", base_digest)
        .layer(|l| {
            l.file("etc/os-release", DEBIAN_12_OS_RELEASE)
                .file("etc/debian_version", debian_version)
                .file("var/lib/dpkg/status", &base_status)
                .created_by("# debian.sh --arch 'amd64' out/ 'bookworm'")
        })
        .layer(|l| {
            l.file("var/lib/dpkg/status", &app_status)
                .file("usr/share/doc/libexpat1/copyright", &expat)
                .created_by("RUN /bin/sh -c apt-get update && apt-get install -y ca-certificates curl libexpat1 # buildkit")
        })
}

const DIGEST_12_4: &str = "sha256:1111111111111111111111111111111111111111111111111111111111111111";
const DIGEST_12_5: &str = "sha256:2222222222222222222222222222222222222222222222222222222222222222";

/// Release 1.0 on Debian 12.4, release 1.1 on Debian 12.5: libc6 and base-files upgraded
/// with the base, libssl3 downgraded (pinned to an older build), wget removed, curl added,
/// libexpat1 the same version with another license.
fn releases() -> (ImageBuilder, ImageBuilder) {
    let old = release(
        "ghcr.io/acme/web:1.0",
        ("docker.io/library/debian:12.4", DIGEST_12_4, "12.4\n"),
        &[
            ("base-files", "12.4+deb12u4", "amd64"),
            ("libc6", "2.36-9+deb12u3", "amd64"),
            ("libssl3", "3.0.11-1~deb12u2", "amd64"),
            ("tzdata", "2024a-0+deb12u1", "all"),
            ("wget", "1.21.3-1+b2", "amd64"),
        ],
        &[
            ("ca-certificates", "20230311", "all"),
            ("libexpat1", "2.5.0-1", "amd64"),
        ],
        &["MIT"],
    );
    let new = release(
        "ghcr.io/acme/web:1.1",
        ("docker.io/library/debian:12.5", DIGEST_12_5, "12.5\n"),
        &[
            ("base-files", "12.5", "amd64"),
            ("libc6", "2.36-9+deb12u4", "amd64"),
            ("libssl3", "3.0.11-1~deb12u1", "amd64"),
            ("tzdata", "2024a-0+deb12u1", "all"),
        ],
        &[
            ("ca-certificates", "20230311", "all"),
            ("curl", "7.88.1-10+deb12u5", "amd64"),
            ("libexpat1", "2.5.0-1", "amd64"),
        ],
        &["MIT", "GPL-3.0-or-later"],
    );
    (old, new)
}

fn write_releases(dir: &Path) -> (PathBuf, PathBuf) {
    let (old, new) = releases();
    let (a, b) = (dir.join("web-1.0.tar"), dir.join("web-1.1.tar"));
    old.write_oci_tar(&a);
    new.write_oci_tar(&b);
    (a, b)
}

fn scan(path: &Path) -> Sbom {
    consign::scan(&SourceSpec::Auto(path.to_owned()), &ScanOptions::default())
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// `kind name old→new` per change.
fn lines(d: &SbomDiff) -> Vec<String> {
    d.changes
        .iter()
        .map(|c| {
            let v = |v: &Option<consign::diff::Version>| {
                v.as_ref().map_or("-".to_owned(), |v| v.version.clone())
            };
            let mut s = format!("{} {} {}→{}", c.kind.as_str(), c.name, v(&c.old), v(&c.new));
            if !c.details.is_empty() {
                s.push_str(&format!(" [{}]", c.details.join(",")));
            }
            s
        })
        .collect()
}

/// See: issue 5 (two releases: one package upgraded, one removed, one added, one
/// downgraded, the base changed).
#[test]
fn two_releases_built_in_code() {
    let dir = tmp();
    let (a, b) = write_releases(dir.path());
    let d = consign::diff::diff(&scan(&a), &scan(&b), &DiffOptions::default());
    assert_eq!(
        lines(&d),
        [
            "upgraded base-files 12.4+deb12u4→12.5",
            "added curl -→7.88.1-10+deb12u5",
            "upgraded libc6 2.36-9+deb12u3→2.36-9+deb12u4",
            "changed libexpat1 2.5.0-1→2.5.0-1 [license]",
            "downgraded libssl3 3.0.11-1~deb12u2→3.0.11-1~deb12u1",
            "removed wget 1.21.3-1+b2→-",
        ]
    );
    assert!(d.changes.iter().all(|c| c.ecosystem == "deb"));
    let base = d.image.base.as_ref().expect("base change");
    assert_eq!(
        base.old.as_deref(),
        Some(&*format!("docker.io/library/debian:12.4@{DIGEST_12_4}"))
    );
    assert_eq!(
        d.image.subject.as_ref().and_then(|s| s.new.as_deref()),
        Some("ghcr.io/acme/web:1.1")
    );
    let layers = d.image.layers.as_ref().unwrap();
    assert_eq!((layers.old, layers.new, layers.shared), (2, 2, 0));
    // os-release says 12 in both: the point release shows in the base image, not here.
    assert_eq!(d.image.distro, None);
    assert_eq!(d.total().unchanged, 2);
    assert_eq!(d.license_changes.len(), 1);
    let l = &d.license_changes[0];
    assert_eq!(l.name, "libexpat1");
    assert_eq!(l.old, ["MIT"]);
    assert_eq!(l.new, ["GPL-3.0-or-later", "MIT"]);
    assert_eq!(l.new_to_image, ["GPL-3.0-or-later"]);
    assert!(d.notes.is_empty() && d.not_compared.is_empty());
    for k in [
        ChangeKind::Added,
        ChangeKind::Removed,
        ChangeKind::Upgraded,
        ChangeKind::Downgraded,
        ChangeKind::Changed,
    ] {
        assert!(d.has(k), "{k:?}");
    }
}

/// The three outputs of the same diff, byte for byte (the image paths replaced, as they
/// live in a temporary directory).
#[test]
fn outputs_match_their_goldens() {
    let dir = tmp();
    let (a, b) = write_releases(dir.path());
    let (a, b) = (a.to_str().unwrap(), b.to_str().unwrap());
    let d = dir.path().display().to_string();
    for (format, golden) in [
        ("table", "diff-releases.table.txt"),
        ("markdown", "diff-releases.md"),
        ("json", "diff-releases.json"),
    ] {
        let o = run(&["diff", a, b, "-o", format]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        let out = stdout(&o).replace(&d, "[TMP]");
        assert_golden(golden, out.as_bytes());
    }
}
