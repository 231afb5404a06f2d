//! Hostile input through the real binary: exit 2 with one line naming the input, the file or
//! blob inside it and the cause; `-v` for the chain; `--limit` and `--strict`; no output file
//! left behind, an earlier one kept, and the inputs never modified.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Output;

use crate::support::cmd::{bin, stderr, stdout};
use crate::support::image::{ImageBuilder, Tamper, sha256};
use crate::support::tmp;

/// Every file under `dir` (or `dir` itself when it is a file) with its SHA-256 and mode.
fn snapshot(path: &Path) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut stack = vec![path.to_path_buf()];
    while let Some(p) = stack.pop() {
        let md = std::fs::symlink_metadata(&p).unwrap();
        let key = p.display().to_string();
        if md.is_dir() {
            for e in std::fs::read_dir(&p).unwrap() {
                stack.push(e.unwrap().path());
            }
            out.insert(key, "dir".into());
        } else if md.file_type().is_symlink() {
            out.insert(
                key,
                format!("-> {}", std::fs::read_link(&p).unwrap().display()),
            );
        } else {
            use std::os::unix::fs::{MetadataExt, PermissionsExt};
            let data = std::fs::read(&p).unwrap();
            out.insert(
                key,
                format!(
                    "{} {:o} {}",
                    sha256(&data),
                    md.permissions().mode(),
                    md.mtime()
                ),
            );
        }
    }
    out
}

/// The names in `dir`.
fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// Runs consign in `cwd` with no config file.
fn run_in(cwd: &Path, args: &[&str]) -> Output {
    bin()
        .current_dir(cwd)
        .env("CONSIGN_CONFIG", "")
        .args(args)
        .output()
        .unwrap()
}

/// A one-layer OCI tar whose layer blob was altered after its digest was recorded; the
/// message the scan must give (after `cannot scan SOURCE: `).
fn tampered(path: &Path) -> String {
    let img = ImageBuilder::new()
        .layer(|l| l.file("etc/os-release", "ID=alpine\n"))
        .tamper(Tamper::LayerBlob(0));
    img.write_oci_tar(path);
    let w = img.build();
    let (digest, blob, _) = &w.layers[0];
    format!(
        "layer 0: blob blobs/sha256/{}: digest mismatch: expected {digest}, got {}",
        &digest[7..],
        sha256(blob)
    )
}

#[test]
fn a_tampered_image_exits_2_with_one_line_and_writes_nothing() {
    let dir = tmp();
    let input = dir.path().join("bad.tar");
    let cause = tampered(&input);
    let before = snapshot(&input);
    std::fs::write(dir.path().join("kept.cdx.json"), "earlier file").unwrap();
    let names = listing(dir.path());
    let o = run_in(
        dir.path(),
        &[
            "sbom",
            "bad.tar",
            "-o",
            "cyclonedx-json=kept.cdx.json",
            "-o",
            "spdx-json=new.spdx.json",
        ],
    );
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(stdout(&o), "");
    assert_eq!(stderr(&o), format!("error: cannot scan bad.tar: {cause}\n"));
    // No new file (not even a temporary one), the earlier one intact, the input untouched.
    assert_eq!(listing(dir.path()), names);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("kept.cdx.json")).unwrap(),
        "earlier file"
    );
    assert_eq!(snapshot(&input), before);
}

#[test]
fn verbose_shows_the_chain() {
    let dir = tmp();
    let input = dir.path().join("bad.tar");
    let cause = tampered(&input);
    let o = run_in(
        dir.path(),
        &["sbom", "bad.tar", "-v", "-o", "table=out.txt"],
    );
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    let tail: Vec<&str> = err.lines().rev().take(4).collect();
    assert_eq!(
        tail,
        [
            format!("  1: {cause}").as_str(),
            "  0: cannot scan bad.tar",
            "caused by:",
            format!("error: cannot scan bad.tar: {cause}").as_str(),
        ],
        "{err}"
    );
}

#[test]
fn a_failure_while_writing_keeps_every_earlier_file() {
    let dir = tmp();
    let input = dir.path().join("good.tar");
    ImageBuilder::new()
        .layer(|l| l.file("etc/os-release", "ID=alpine\nVERSION_ID=3.19.0\n"))
        .write_oci_tar(&input);
    let before = snapshot(&input);
    std::fs::write(dir.path().join("a.cdx.json"), "earlier a").unwrap();
    let names = listing(dir.path());
    // The second output cannot be created: the first, though rendered, is not renamed into
    // place either.
    let o = run_in(
        dir.path(),
        &[
            "sbom",
            "good.tar",
            "-o",
            "cyclonedx-json=a.cdx.json",
            "-o",
            "spdx-json=missing-dir/b.spdx.json",
        ],
    );
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        stderr(&o),
        "error: cannot write missing-dir/b.spdx.json: cannot create a file in missing-dir: No such file or directory (os error 2)\n"
    );
    assert_eq!(listing(dir.path()), names);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("a.cdx.json")).unwrap(),
        "earlier a"
    );
    assert_eq!(snapshot(&input), before);
}

#[test]
fn inputs_are_never_modified() {
    let dir = tmp();
    let img = ImageBuilder::new()
        .layer(|l| {
            l.file("etc/os-release", "ID=alpine\nVERSION_ID=3.19.0\n")
                .file("lib/apk/db/installed", "P:musl\nV:1.2.4-r2\nA:x86_64\n\n")
                .symlink("bin/sh", "/bin/busybox")
        })
        .layer(|l| l.whiteout("etc/os-release"));
    let oci_dir = dir.path().join("layout");
    img.write_oci_dir(&oci_dir);
    let oci_tar = dir.path().join("image.tar");
    img.write_docker_archive(&oci_tar);
    let rootfs = dir.path().join("rootfs");
    std::fs::create_dir_all(rootfs.join("etc")).unwrap();
    std::fs::write(rootfs.join("etc/os-release"), "ID=debian\n").unwrap();
    std::os::unix::fs::symlink("../../../outside", rootfs.join("escape")).unwrap();
    let out = tmp();
    for input in [&oci_dir, &oci_tar, &rootfs] {
        let before = snapshot(input);
        let src = input.display().to_string();
        let target = format!("cyclonedx-json={}", out.path().join("x.json").display());
        for args in [
            vec!["sbom", src.as_str(), "-o", target.as_str()],
            vec!["sbom", src.as_str(), "--scope", "all-layers", "-q"],
            vec!["audit", src.as_str(), "-q"],
            vec!["sbom", src.as_str(), "--limit", "entries=1", "-q"],
        ] {
            let o = run_in(out.path(), &args);
            assert_ne!(o.status.code(), None, "{args:?}");
            assert_eq!(snapshot(input), before, "{args:?} modified {src}");
        }
    }
}

#[test]
fn limits_from_the_command_line_the_environment_and_the_config_file() {
    let dir = tmp();
    let input = dir.path().join("img.tar");
    ImageBuilder::new()
        .layer(|l| l.file("a", "1").file("b", "2").file("c", "3"))
        .write_oci_tar(&input);
    let src = input.display().to_string();
    let too_many = |o: &Output| {
        assert_eq!(o.status.code(), Some(2), "{}", stderr(o));
        let err = stderr(o);
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(
            err.starts_with(&format!("error: cannot scan {src}: layer 0: blobs/sha256/"))
                && err.ends_with(": limit exceeded: more than 2 entries (limit entries)\n"),
            "{err}"
        );
    };
    let ok = |o: &Output| assert_eq!(o.status.code(), Some(0), "{}", stderr(o));
    too_many(&run_in(dir.path(), &["sbom", &src, "--limit", "entries=2"]));
    ok(&run_in(dir.path(), &["sbom", &src, "--limit", "entries=3"]));
    too_many(
        &bin()
            .current_dir(dir.path())
            .env("CONSIGN_CONFIG", "")
            .env("CONSIGN_LIMITS", "entries=2,layers=5")
            .args(["sbom", &src])
            .output()
            .unwrap(),
    );
    // A config file's [limits]: a flag for another limit keeps it, a flag for the same one
    // overrides it.
    std::fs::write(
        dir.path().join("consign.toml"),
        "[limits]\nentries = 2\nlayer-bytes = \"1GiB\"\n",
    )
    .unwrap();
    let with_config = |args: &[&str]| bin().current_dir(dir.path()).args(args).output().unwrap();
    too_many(&with_config(&["sbom", &src]));
    too_many(&with_config(&["sbom", &src, "--limit", "ratio=100"]));
    ok(&with_config(&["sbom", &src, "--limit", "entries=10"]));
    too_many(&with_config(&["audit", &src]));
    // (exit 1: the default policy's findings on this bare image)
    let o = with_config(&["audit", &src, "--limit", "entries=10", "-q"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    // Bad names and values are usage errors naming the key.
    std::fs::write(dir.path().join("consign.toml"), "[limits]\nentrys = 2\n").unwrap();
    let o = with_config(&["sbom", &src]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o)
            .starts_with("error: consign.toml:2:10: [limits] entrys: unknown limit \"entrys\""),
        "{}",
        stderr(&o)
    );
    let o = run_in(dir.path(), &["sbom", &src, "--limit", "layer-bytes=lots"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).starts_with(
            "error: invalid value 'layer-bytes=lots' for '--limit <NAME=VALUE>': limit layer-bytes: invalid size \"lots\""
        ),
        "{}",
        stderr(&o)
    );
}

#[test]
fn help_lists_every_limit_with_its_default() {
    for cmd in [&["sbom"][..], &["audit"], &["diff"], &["base", "add"]] {
        let o = bin().args(cmd).arg("--help").output().unwrap();
        let help = stdout(&o);
        for line in [
            "file-bytes     256MiB",
            "layer-bytes    64GiB",
            "total-bytes    256GiB",
            "ratio          500",
            "entries        2000000",
            "items          2000000",
            "toml-bytes     32MiB",
            "json-depth     64",
            "nested-depth   4",
            "nested-bytes   128MiB",
            "--strict",
            "[env: CONSIGN_LIMITS=]",
        ] {
            assert!(
                help.contains(line),
                "{cmd:?} --help lacks {line:?}:\n{help}"
            );
        }
    }
}

#[test]
fn strict_turns_the_first_unknown_into_an_error() {
    let dir = tmp();
    let input = dir.path().join("img.tar");
    ImageBuilder::new()
        .layer(|l| {
            l.file("etc/os-release", "ID=debian\nVERSION_ID=12\n")
                .file("var/lib/dpkg/status", "Package: foo\nVersion 1.0\n\nPackage: ok\nStatus: install ok installed\nVersion: 1.0\n")
        })
        .write_oci_tar(&input);
    let src = input.display().to_string();
    let o = run_in(dir.path(), &["sbom", &src, "-o", "cyclonedx-json=out.json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        stderr(&o),
        "warning: 1 item(s) could not be read; they are listed as unknowns in the SBOM\n"
    );
    std::fs::remove_file(dir.path().join("out.json")).unwrap();
    let expected = format!(
        "error: {src}: --strict: /var/lib/dpkg/status: stanza at line 1: line 2: expected `Field: value` (dpkg-db-cataloger)\n"
    );
    let o = run_in(
        dir.path(),
        &["sbom", &src, "--strict", "-o", "cyclonedx-json=out.json"],
    );
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(stderr(&o), expected);
    assert!(!dir.path().join("out.json").exists());
    let o = run_in(dir.path(), &["audit", &src, "--strict", "-q"]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(stderr(&o), expected);
    let o = bin()
        .current_dir(dir.path())
        .env("CONSIGN_CONFIG", "")
        .env("CONSIGN_STRICT", "true")
        .args(["sbom", &src])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(stderr(&o), expected);
}

/// `diff` (given images) and `base add` read images under the same limits as `sbom`: from
/// `--limit`, `CONSIGN_LIMITS` and the config file's `[limits]`, with `--strict`.
#[test]
fn diff_base_add_convert_and_score_take_limits_like_sbom() {
    let dir = tmp();
    let input = dir.path().join("img.tar");
    ImageBuilder::new()
        .layer(|l| l.file("a", "1").file("b", "2").file("c", "3"))
        .write_oci_tar(&input);
    let src = input.display().to_string();
    let too_many = |o: &Output| {
        assert_eq!(o.status.code(), Some(2), "{}", stderr(o));
        let err = stderr(o);
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(
            err.starts_with(&format!("error: cannot scan {src}: layer 0: blobs/sha256/"))
                && err.ends_with(": limit exceeded: more than 2 entries (limit entries)\n"),
            "{err}"
        );
    };
    let ok = |o: &Output| assert_eq!(o.status.code(), Some(0), "{}", stderr(o));
    let diff = |extra: &[&str]| {
        let mut args = vec!["diff", src.as_str(), src.as_str(), "-q"];
        args.extend(extra);
        args.iter().map(|s| s.to_string()).collect::<Vec<_>>()
    };
    let base = |extra: &[&str]| {
        let mut args = vec!["base", "add", src.as_str(), "--catalog", "bases.json", "-q"];
        args.extend(extra);
        args.iter().map(|s| s.to_string()).collect::<Vec<_>>()
    };
    let run = |args: &[String]| {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        run_in(dir.path(), &args)
    };
    too_many(&run(&diff(&["--limit", "entries=2"])));
    ok(&run(&diff(&["--limit", "entries=3"])));
    too_many(&run(&base(&["--limit", "entries=2"])));
    assert!(!dir.path().join("bases.json").exists());
    ok(&run(&base(&["--limit", "entries=3"])));
    assert!(dir.path().join("bases.json").exists());
    std::fs::remove_file(dir.path().join("bases.json")).unwrap();
    for cmd in [
        ["convert", src.as_str(), "-q", "-o", "cyclonedx-json"].as_slice(),
        ["score", src.as_str(), "-q"].as_slice(),
    ] {
        let with = |limit: &str| {
            let mut args: Vec<String> = cmd.iter().map(|s| s.to_string()).collect();
            args.extend(["--limit".to_owned(), limit.to_owned()]);
            args
        };
        too_many(&run(&with("entries=2")));
        ok(&run(&with("entries=3")));
        too_many(
            &bin()
                .current_dir(dir.path())
                .env("CONSIGN_CONFIG", "")
                .env("CONSIGN_LIMITS", "entries=2")
                .args(cmd)
                .output()
                .unwrap(),
        );
    }
    for args in [diff(&[]), base(&[])] {
        too_many(
            &bin()
                .current_dir(dir.path())
                .env("CONSIGN_CONFIG", "")
                .env("CONSIGN_LIMITS", "entries=2")
                .args(&args)
                .output()
                .unwrap(),
        );
        std::fs::write(dir.path().join("consign.toml"), "[limits]\nentries = 2\n").unwrap();
        let with_config = |extra: &[&str]| {
            bin()
                .current_dir(dir.path())
                .args(&args)
                .args(extra)
                .output()
                .unwrap()
        };
        too_many(&with_config(&[]));
        too_many(&with_config(&["--limit", "ratio=100"]));
        ok(&with_config(&["--limit", "entries=10"]));
        std::fs::remove_file(dir.path().join("consign.toml")).unwrap();
    }
    std::fs::remove_file(dir.path().join("bases.json")).unwrap();
    // --strict: an unknown in a scanned image fails the run, naming it.
    let bad = dir.path().join("bad.tar");
    ImageBuilder::new()
        .layer(|l| l.file("var/lib/dpkg/status", "Package: foo\nVersion 1.0\n"))
        .write_oci_tar(&bad);
    let bad = bad.display().to_string();
    let expected = format!(
        "error: {bad}: --strict: /var/lib/dpkg/status: stanza at line 1: line 2: expected `Field: value` (dpkg-db-cataloger)\n"
    );
    for args in [
        vec!["diff", bad.as_str(), src.as_str(), "-q", "--strict"],
        vec![
            "base",
            "add",
            bad.as_str(),
            "--catalog",
            "bases.json",
            "-q",
            "--strict",
        ],
    ] {
        let o = run_in(dir.path(), &args);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert_eq!(stderr(&o), expected, "{args:?}");
    }
    assert!(!dir.path().join("bases.json").exists());
}
