//! The real binary, run as a user runs it: exit codes, stdout/stderr, files written atomically,
//! byte-identical output with SOURCE_DATE_EPOCH, stdin, goldens for the samples. Failures on
//! hostile input (exit 2, nothing written, inputs untouched) are in `hostile::cli`.

use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

use crate::support::{self, tmp};

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_consign"));
    c.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("SOURCE_DATE_EPOCH", "1700000000");
    c
}

fn run(args: &[&str]) -> Output {
    bin().args(args).output().unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn samples() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("samples")
}

fn golden_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden")
}

/// Compares `actual` with the golden file, rewriting it when UPDATE_GOLDEN is set.
fn golden(name: &str, actual: &[u8]) {
    let path = golden_dir().join(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::create_dir_all(golden_dir()).unwrap();
        std::fs::write(&path, actual).unwrap();
    }
    let expected = std::fs::read(&path)
        .unwrap_or_else(|_| panic!("missing golden {name}: run with UPDATE_GOLDEN=1"));
    assert!(
        expected == actual,
        "{name} differs from its golden (UPDATE_GOLDEN=1 to accept):\n{}",
        String::from_utf8_lossy(actual)
    );
}

#[test]
fn samples_match_their_goldens_and_the_schemas() {
    for (name, _) in crate::samples::all() {
        let dir = tmp();
        let src = samples().join(name);
        let out = |f: &str| dir.path().join(f).display().to_string();
        let o = run(&[
            "sbom",
            src.to_str().unwrap(),
            "-o",
            &format!("cyclonedx-json={}", out("a.cdx.json")),
            "-o",
            &format!("cyclonedx-json@1.5={}", out("a.cdx15.json")),
            "-o",
            &format!("cyclonedx-json@1.7={}", out("a.cdx17.json")),
            "-o",
            &format!("spdx-json={}", out("a.spdx.json")),
            "-o",
            "table",
        ]);
        assert!(o.status.success(), "{name}: {}", stderr(&o));
        let stem = name
            .trim_end_matches(".tar")
            .trim_end_matches(".docker25")
            .trim_end_matches(".docker")
            .trim_end_matches(".oci");
        golden(&format!("{stem}.table.txt"), &o.stdout);
        for (file, ext) in [
            ("a.cdx.json", "cdx.json"),
            ("a.cdx15.json", "cdx-1.5.json"),
            ("a.cdx17.json", "cdx-1.7.json"),
            ("a.spdx.json", "spdx.json"),
        ] {
            let bytes = std::fs::read(dir.path().join(file)).unwrap();
            support::schema::assert_valid(&format!("{name} {file}"), &bytes);
            golden(&format!("{stem}.{ext}"), &bytes);
        }
    }
}

#[test]
fn verify_blobs_gives_the_same_sbom_for_a_sound_image() {
    for name in ["ubuntu-18.04.oci", "amazonlinux-2023.oci.tar"] {
        let src = samples().join(name);
        let src = src.to_str().unwrap();
        let all = run(&["sbom", src, "-o", "cyclonedx-json"]);
        assert!(all.status.success(), "{name}: {}", stderr(&all));
        let blobs = run(&["sbom", src, "--verify", "blobs", "-o", "cyclonedx-json"]);
        assert!(blobs.status.success(), "{name}: {}", stderr(&blobs));
        assert_eq!(all.stdout, blobs.stdout, "{name}");
        let env = bin()
            .env("CONSIGN_VERIFY", "blobs")
            .args(["sbom", src, "-o", "cyclonedx-json"])
            .output()
            .unwrap();
        assert_eq!(all.stdout, env.stdout, "{name}");
    }
    let o = run(&["sbom", "x", "--verify", "some"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("possible values: all, blobs"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn same_image_same_bytes() {
    let src = samples().join("alpine-3.11.docker.tar");
    let a = run(&["sbom", src.to_str().unwrap(), "-o", "cyclonedx-json"]);
    let b = run(&["sbom", src.to_str().unwrap(), "-o", "cyclonedx-json"]);
    assert!(a.status.success());
    assert_eq!(a.stdout, b.stdout);
    let a = run(&["sbom", src.to_str().unwrap(), "-o", "spdx-json"]);
    let b = run(&["sbom", src.to_str().unwrap(), "-o", "spdx-json"]);
    assert_eq!(a.stdout, b.stdout);
}

#[test]
fn stdin_gives_the_same_sbom_as_the_file() {
    let dir = tmp();
    let tar = dir.path().join("d25.tar");
    crate::samples::alpine().write_docker25_archive(&tar);
    let from_file = run(&["sbom", tar.to_str().unwrap(), "-o", "cyclonedx-json"]);
    assert!(from_file.status.success(), "{}", stderr(&from_file));
    let from_stdin = bin()
        .args(["sbom", "-", "-o", "cyclonedx-json"])
        .stdin(std::fs::File::open(&tar).unwrap())
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    assert!(from_stdin.status.success(), "{}", stderr(&from_stdin));
    let strip = |o: &Output| {
        // The input path differs ("-" vs the file); everything the image determines must not.
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        (v["components"].clone(), v["dependencies"].clone())
    };
    assert_eq!(strip(&from_file), strip(&from_stdin));
}

#[test]
fn bad_arguments_are_clear_errors() {
    let o = run(&["sbom", "/nonexistent/image.tar"]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        stderr(&o),
        "error: cannot scan /nonexistent/image.tar: /nonexistent/image.tar: No such file or directory (os error 2)\n"
    );
    let s = samples().join("alpine-3.11.docker.tar");
    let o = run(&["sbom", s.to_str().unwrap(), "-o", "yaml"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).starts_with("error: invalid -o \"yaml\""),
        "{}",
        stderr(&o)
    );
    let o = run(&[
        "sbom",
        s.to_str().unwrap(),
        "-o",
        "table",
        "-o",
        "spdx-json",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("at most one -o output can go to stdout"));
    let o = run(&["sbom", s.to_str().unwrap(), "--platform", "linux"]);
    assert_eq!(o.status.code(), Some(2));
    let o = bin()
        .args(["sbom", s.to_str().unwrap()])
        .env("SOURCE_DATE_EPOCH", "yesterday")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("SOURCE_DATE_EPOCH"), "{}", stderr(&o));
}

#[test]
fn help_and_version() {
    let o = run(&["--version"]);
    assert!(o.status.success());
    assert_eq!(
        String::from_utf8_lossy(&o.stdout),
        format!("consign {}\n", env!("CARGO_PKG_VERSION"))
    );
    let o = run(&["sbom", "--help"]);
    assert!(o.status.success());
    let help = String::from_utf8_lossy(&o.stdout);
    for needle in ["--output", "--scope", "--platform", "--image", "Examples:"] {
        assert!(help.contains(needle), "{needle} missing from sbom --help");
    }
    let o = run(&["catalogers"]);
    assert!(o.status.success());
    let list = String::from_utf8_lossy(&o.stdout);
    for c in consign::catalog::registry::CATALOGERS {
        assert!(list.contains(c.name()), "{list}");
    }
    assert!(
        list.lines()
            .any(|l| l.starts_with("go-module-binary-cataloger\tby content: executables")),
        "{list}"
    );
}

#[test]
fn output_files_get_normal_permissions() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tmp();
    let target = dir.path().join("x.spdx.json");
    let s = samples().join("alpine-3.11.docker.tar");
    let o = run(&[
        "sbom",
        s.to_str().unwrap(),
        "-o",
        &format!("spdx-json={}", target.display()),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let mode = std::fs::metadata(&target).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o644);
    assert!(o.stdout.is_empty());
}
