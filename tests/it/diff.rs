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
pub(crate) fn releases() -> (ImageBuilder, ImageBuilder) {
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

pub(crate) fn scan(path: &Path) -> Sbom {
    consign::scan(&SourceSpec::Auto(path.to_owned()), &ScanOptions::default())
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// `kind name old→new` per change.
pub(crate) fn lines(d: &SbomDiff) -> Vec<String> {
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

fn samples() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("samples")
}

fn golden_doc(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name)
}

fn decode(path: &Path) -> Sbom {
    consign::decode::decode(&std::fs::read(path).unwrap(), &path.display().to_string()).unwrap()
}

/// Every SBOM of one image: consign's scan, consign's documents, and Syft's and Trivy's in
/// every format they wrote.
fn every_sbom_of(sample: &str, archive: &str) -> Vec<(String, Sbom)> {
    let mut out = vec![(
        format!("consign scan of {archive}"),
        scan(&samples().join(archive)),
    )];
    for ext in ["cdx.json", "cdx-1.5.json", "spdx.json"] {
        let p = golden_doc(&format!("{sample}.{ext}"));
        out.push((p.display().to_string(), decode(&p)));
    }
    for e in std::fs::read_dir(fixture("sbom/peers")).unwrap() {
        let p = e.unwrap().path();
        if p.file_name()
            .unwrap()
            .to_string_lossy()
            .starts_with(&format!("{sample}."))
        {
            out.push((p.display().to_string(), decode(&p)));
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

/// Syft's, Trivy's and consign's SBOMs of the same image, in every format and every
/// pairing, show no change at all. See: issue 5.
#[test]
fn producers_agree_on_one_image() {
    for (sample, archive, count) in [
        ("alpine-3.11", "alpine-3.11.docker.tar", 11),
        (
            "distroless-debian-12",
            "distroless-debian-12.docker25.tar",
            11,
        ),
    ] {
        let sboms = every_sbom_of(sample, archive);
        assert_eq!(sboms.len(), count, "{sample}");
        for (a, old) in &sboms {
            for (b, new) in &sboms {
                let d = consign::diff::diff(old, new, &DiffOptions::default());
                assert!(d.is_empty(), "{a} vs {b}: {:?} {:?}", lines(&d), d.image);
                assert!(
                    d.not_compared.is_empty(),
                    "{a} vs {b}: {:?}",
                    d.not_compared
                );
                assert_eq!(d.total().unchanged, old.packages.len(), "{a} vs {b}");
            }
        }
    }
}

/// Syft lists `git` in the Ubuntu sample although its dpkg status is `deinstall ok
/// config-files`; consign and Trivy leave it out. The diff says exactly that, nothing else.
#[test]
fn the_one_disagreement_between_producers_is_reported() {
    let consign = scan(&samples().join("ubuntu-18.04.oci"));
    let trivy = decode(&fixture("sbom/peers/ubuntu-18.04.trivy-0.59.1.cdx.json"));
    let syft = decode(&fixture("sbom/peers/ubuntu-18.04.syft-1.18.1.cdx.json"));
    let d = consign::diff::diff(&consign, &trivy, &DiffOptions::default());
    assert!(d.is_empty(), "{:?}", lines(&d));
    let d = consign::diff::diff(&consign, &syft, &DiffOptions::default());
    assert_eq!(lines(&d), ["added git -→1:2.20.1-2+deb10u3"]);
    assert_eq!(d.total().unchanged, 90);
}

#[test]
fn cli_exit_codes_follow_fail_on() {
    let dir = tmp();
    let (a, b) = write_releases(dir.path());
    let (a, b) = (a.to_str().unwrap(), b.to_str().unwrap());
    for (flags, code, reason) in [
        (vec![], 0, ""),
        (
            vec!["--fail-on", "downgraded"],
            1,
            "consign diff: failing on 1 downgraded\n",
        ),
        (
            vec!["--fail-on", "added", "--fail-on", "removed"],
            1,
            "consign diff: failing on 1 added, 1 removed\n",
        ),
        (
            vec!["--fail-on", "license-change"],
            1,
            "consign diff: failing on 1 license change(s)\n",
        ),
        (
            vec!["--fail-on", "any"],
            1,
            "consign diff: failing on changes\n",
        ),
    ] {
        let mut args = vec!["diff", a, b, "-o", "json"];
        args.extend(flags.iter().copied());
        let o = run(&args);
        assert_eq!(o.status.code(), Some(code), "{flags:?}: {}", stderr(&o));
        assert_eq!(stderr(&o), reason, "{flags:?}");
        assert!(stdout(&o).starts_with("{\n  \"schemaVersion\": 1,"));
    }
    // The same image twice: nothing to fail on.
    let o = run(&["diff", a, a, "--fail-on", "any", "-q"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).contains("No package changes (7 unchanged)."));
    // A denied license coming in.
    let o = run(&[
        "diff",
        a,
        b,
        "-o",
        "json",
        "--deny-license",
        "GPL-3.0*",
        "--fail-on",
        "license-change",
    ]);
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["licenseChanges"][0]["denied"][0], "GPL-3.0-or-later");
}

#[test]
fn cli_writes_reports_atomically_and_explains_errors() {
    let dir = tmp();
    let old = fixture("sbom/peers/alpine-3.11.syft-1.18.1.cdx.json");
    let new = fixture("sbom/peers/alpine-3.11.trivy-0.59.1.spdx.json");
    let (md, json) = (dir.path().join("CHANGES.md"), dir.path().join("diff.json"));
    let o = run(&[
        "diff",
        old.to_str().unwrap(),
        new.to_str().unwrap(),
        "-o",
        &format!("markdown={}", md.display()),
        "-o",
        &format!("json={}", json.display()),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(o.stdout.is_empty());
    assert!(
        std::fs::read_to_string(&md)
            .unwrap()
            .contains("**No package changes (14 unchanged).**")
    );
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    assert_eq!(v["new"]["producer"], "trivy 0.59.1");
    // Errors name the file and the cause; exit 2; nothing written.
    let target = dir.path().join("out.md");
    let junk = dir.path().join("notes.txt");
    std::fs::write(&junk, "hello\n").unwrap();
    let syft_json = fixture("sbom/syft/alpine.syft.json");
    for (args, want) in [
        (
            vec!["diff", "/nonexistent.json", old.to_str().unwrap()],
            "error: cannot read /nonexistent.json: No such file or directory (os error 2)\n".to_owned(),
        ),
        (
            vec!["diff", old.to_str().unwrap(), junk.to_str().unwrap()],
            format!(
                "error: {}: neither an SBOM (CycloneDX or SPDX: JSON, XML, tag-value) nor an image archive (tar, gzip, zstd)\n",
                junk.display()
            ),
        ),
        (
            vec!["diff", syft_json.to_str().unwrap(), old.to_str().unwrap()],
            format!(
                "error: {}: Syft's own JSON format is not read; write CycloneDX or SPDX with Syft (`syft … -o cyclonedx-json`)\n",
                syft_json.display()
            ),
        ),
        (
            vec!["diff", old.to_str().unwrap(), new.to_str().unwrap(), "-o", "yaml"],
            "error: invalid -o \"yaml\": unknown format \"yaml\"; expected table, markdown or json\n".to_owned(),
        ),
        (
            vec!["diff", old.to_str().unwrap(), new.to_str().unwrap(), "-o", "table", "-o", "json"],
            "error: at most one -o output can go to stdout; give the others a file (FORMAT=FILE)\n".to_owned(),
        ),
    ] {
        let mut args = args;
        let out = format!("markdown={}", target.display());
        args.extend(["-o", &out]);
        let o = run(&args);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert_eq!(stderr(&o), want, "{args:?}");
        assert!(!target.exists(), "{args:?}");
    }
}

#[test]
fn stdin_is_an_sbom() {
    let old = fixture("sbom/peers/distroless-debian-12.trivy-0.59.1.spdx");
    let new = fixture("sbom/peers/distroless-debian-12.syft-1.18.1.spdx.json");
    let o = crate::support::cmd::bin()
        .args(["diff", "-", new.to_str().unwrap(), "--fail-on", "any"])
        .stdin(std::fs::File::open(&old).unwrap())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).starts_with("old: stdin (spdx-tag-value@2.3, trivy 0.59.1, 10 packages)\n"));
}

#[test]
fn help_texts() {
    for cmd in ["diff", "convert", "score"] {
        let o = run(&[cmd, "--help"]);
        assert!(o.status.success());
        let help = stdout(&o);
        assert!(help.contains("Examples:"), "{cmd}");
        assert!(help.contains("--output"), "{cmd}");
    }
    let help = stdout(&run(&["diff", "--help"]));
    for needle in [
        "--fail-on",
        "license-change",
        "--deny-license",
        "Exit status",
    ] {
        assert!(help.contains(needle), "{needle}");
    }
}

/// Every JSON document `diff` writes follows `docs/diff.schema.json` (the schema forbids
/// undocumented fields, so a new field cannot slip in without its documentation).
#[test]
fn json_output_follows_the_documented_schema() {
    let schema_path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("docs/diff.schema.json");
    let schema: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&schema_path).unwrap()).unwrap();
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .unwrap();
    let dir = tmp();
    let (a, b) = write_releases(dir.path());
    let consign = fixture("sbom/peers/ubuntu-18.04.trivy-0.59.1.cdx.json");
    let syft_only = fixture("sbom/peers/ubuntu-18.04.syft-1.18.1.cdx.json");
    let composer = fixture("sbom/cyclonedx-php-composer/laravel-7.12.0.cyclonedx-1.4.json");
    let cases: Vec<Vec<String>> = vec![
        vec![
            a.display().to_string(),
            b.display().to_string(),
            "--deny-license".into(),
            "GPL*".into(),
        ],
        vec![
            consign.display().to_string(),
            syft_only.display().to_string(),
        ],
        vec![a.display().to_string(), composer.display().to_string()],
        vec![b.display().to_string(), b.display().to_string()],
    ];
    for case in cases {
        let mut args = vec!["diff".to_owned()];
        args.extend(case.iter().cloned());
        args.extend(["-o".to_owned(), "json".to_owned()]);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let o = run(&args);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        let doc: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        let errors: Vec<String> = validator
            .iter_errors(&doc)
            .map(|e| format!("{}: {e}", e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{case:?}:\n{}", errors.join("\n"));
        // The schema can fail: an undocumented field is refused.
        let mut extra = doc.clone();
        extra["undocumented"] = serde_json::json!(true);
        assert!(!validator.is_valid(&extra));
    }
}
