//! `consign sbom --from-list`: many images with bounded parallelism, shards whose union is
//! exactly the unsharded run, failures that do not stop the rest. See: issue 9.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};

use crate::support::cmd::{bin, stderr};
use crate::support::image::{write_dir, write_tar};
use crate::support::tmp;

fn samples() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("samples")
}

/// Ten images in every layout consign reads, and the list naming them (with comments and a
/// blank line, which must not count).
fn images(dir: &Path) -> (PathBuf, Vec<String>) {
    use crate::samples::{alpine, amazonlinux, distroless, ubuntu};
    let img = dir.join("images");
    std::fs::create_dir_all(&img).unwrap();
    alpine().write_oci_dir(&img.join("alpine-oci"));
    write_tar(&img.join("alpine.oci.tar"), &alpine().oci_files());
    distroless().write_docker_archive(&img.join("distroless.tar"));
    write_dir(&img.join("distroless-layout"), &distroless().oci_files());
    amazonlinux().write_docker_archive(&img.join("al2023.tar"));
    ubuntu().write_docker25_archive(&img.join("ubuntu.docker25.tar"));
    let s = samples();
    let entries = vec![
        s.join("alpine-3.11.docker.tar").display().to_string(),
        format!("oci-dir:{}", s.join("ubuntu-18.04.oci").display()),
        s.join("distroless-debian-12.docker25.tar")
            .display()
            .to_string(),
        format!(
            "oci-archive:{}",
            s.join("amazonlinux-2023.oci.tar").display()
        ),
        img.join("alpine-oci").display().to_string(),
        img.join("alpine.oci.tar").display().to_string(),
        format!("docker-archive:{}", img.join("distroless.tar").display()),
        img.join("distroless-layout").display().to_string(),
        img.join("al2023.tar").display().to_string(),
        img.join("ubuntu.docker25.tar").display().to_string(),
    ];
    let mut text = String::from("# release images\n\n");
    for (i, e) in entries.iter().enumerate() {
        text.push_str(e);
        text.push('\n');
        if i == 4 {
            text.push_str("  # a comment in the middle\n\n");
        }
    }
    let list = dir.join("images.txt");
    std::fs::write(&list, text).unwrap();
    (list, entries)
}

fn batch(cwd: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut c = bin();
    c.current_dir(cwd).arg("sbom").args(args);
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().unwrap()
}

/// `-o` templates writing into `out`.
fn outputs(out: &str) -> Vec<String> {
    vec![
        "-o".into(),
        format!("cyclonedx-json={out}/{{name}}.cdx.json"),
        "-o".into(),
        format!("spdx-json={out}/{{index}}-{{name}}.spdx.json"),
    ]
}

/// Every file under `dir`: name → bytes.
fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(dir)
        .map(|rd| {
            rd.map(|e| {
                let e = e.unwrap();
                (
                    e.file_name().to_string_lossy().into_owned(),
                    std::fs::read(e.path()).unwrap(),
                )
            })
            .collect()
        })
        .unwrap_or_default()
}

#[test]
fn three_shards_give_exactly_the_unsharded_run() {
    let dir = tmp();
    let d = dir.path();
    let (list, entries) = images(d);
    let list = list.to_str().unwrap();
    let run = |out: &str, extra: &[&str], env: &[(&str, &str)]| {
        let mut args: Vec<String> = vec!["--from-list".into(), list.into()];
        args.extend(outputs(out));
        args.extend(extra.iter().map(|s| s.to_string()));
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let o = batch(d, &args, env);
        assert!(o.status.success(), "{out}: {}", stderr(&o));
        assert!(o.stdout.is_empty(), "batch output on stdout");
        (files(&d.join(out)), stderr(&o))
    };
    let (all, summary) = run("all", &["--jobs", "3"], &[]);
    assert_eq!(all.len(), 2 * entries.len(), "{:?}", all.keys());
    assert_eq!(
        summary,
        "consign sbom: 10 of 10 image(s) scanned, 0 failed\n"
    );

    let mut union = BTreeMap::new();
    for (i, jobs) in [(1, "1"), (2, "2"), (3, "4")] {
        let (shard, summary) = run(
            &format!("s{i}"),
            &["--shard", &format!("{i}/3"), "--jobs", jobs],
            &[],
        );
        let n = (0..10).filter(|x| x % 3 == i - 1).count();
        assert_eq!(
            summary,
            format!(
                "consign sbom: {n} of {n} image(s) scanned, 0 failed (shard {i}/3: {n} of 10)\n"
            )
        );
        // Round-robin: shard i has the images whose index modulo 3 is i - 1.
        let mut indices: Vec<usize> = shard
            .keys()
            .filter_map(|k| k.split_once('-').and_then(|(i, _)| i.parse().ok()))
            .collect();
        indices.sort();
        assert_eq!(
            indices,
            (0..10).filter(|x| x % 3 == i - 1).collect::<Vec<_>>()
        );
        for (name, bytes) in shard {
            assert!(
                union.insert(name.clone(), bytes).is_none(),
                "{name} in two shards"
            );
        }
    }
    assert!(
        union == all,
        "the shards' union differs from the unsharded run"
    );

    // auto/3 in the pod with JOB_COMPLETION_INDEX=1 is shard 2/3; CONSIGN_SHARD works too.
    let (auto, _) = run(
        "auto",
        &["--shard", "auto/3"],
        &[("JOB_COMPLETION_INDEX", "1")],
    );
    assert!(auto == files(&d.join("s2")));
    let (env, _) = run(
        "env",
        &[],
        &[("CONSIGN_SHARD", "3/3"), ("CONSIGN_JOBS", "2")],
    );
    assert!(env == files(&d.join("s3")));

    // Each document is the one a single `consign sbom` of that image writes.
    for (index, source) in entries.iter().enumerate().step_by(3) {
        let o = batch(d, &[source, "-o", "spdx-json"], &[]);
        assert!(o.status.success(), "{}", stderr(&o));
        let name = all
            .keys()
            .find(|k| k.starts_with(&format!("{index}-")))
            .unwrap();
        assert!(all[name] == o.stdout, "{name} differs from a single scan");
    }
}

#[test]
fn one_failure_does_not_stop_the_rest_and_fails_the_run() {
    let dir = tmp();
    let d = dir.path();
    let good = samples().join("alpine-3.11.docker.tar");
    std::fs::write(d.join("bad.tar"), b"not an image").unwrap();
    let list = format!(
        "{}\nmissing.tar\nbad.tar\n{}\n",
        good.display(),
        samples().join("ubuntu-18.04.oci").display()
    );
    let mut c = bin();
    let o = c
        .current_dir(d)
        .args([
            "sbom",
            "--from-list",
            "-",
            "-o",
            "cyclonedx-json=out/{index}.json",
            "--jobs",
            "2",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            use std::io::Write;
            child.stdin.take().unwrap().write_all(list.as_bytes())?;
            child.wait_with_output()
        })
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(o.stdout.is_empty());
    let err = stderr(&o);
    let mut lines: Vec<&str> = err.lines().collect();
    let last = lines.pop().unwrap();
    let summary = lines.pop().unwrap();
    lines.sort();
    assert_eq!(
        lines,
        [
            "error: [1] missing.tar: cannot scan missing.tar: missing.tar: No such file or directory (os error 2)",
            "error: [2] bad.tar: cannot scan bad.tar: bad.tar: not a tar archive, an OCI layout or a directory",
        ],
        "{err}"
    );
    assert_eq!(summary, "consign sbom: 2 of 4 image(s) scanned, 2 failed");
    assert_eq!(
        last,
        "error: 2 of 4 image(s) could not be scanned: [1] missing.tar, [2] bad.tar"
    );
    assert_eq!(
        files(&d.join("out")).keys().collect::<Vec<_>>(),
        ["0.json", "3.json"]
    );
}

#[test]
fn batch_mistakes_are_errors_before_any_scan() {
    let dir = tmp();
    let d = dir.path();
    let a = samples().join("alpine-3.11.docker.tar");
    std::fs::write(
        d.join("list.txt"),
        format!("{}\nother/alpine-3.11.docker.tar\n", a.display()),
    )
    .unwrap();
    std::fs::write(d.join("empty.txt"), "# nothing yet\n\n").unwrap();
    let cases: &[(&[&str], &str)] = &[
        (
            &["--from-list", "list.txt", "-o", "spdx-json=out/sbom.json"],
            "error: \"out/sbom.json\": with --from-list every output file needs {name}, {index} or {digest}, or all images would write the same file\n",
        ),
        (
            &["--from-list", "list.txt", "-o", "spdx-json"],
            "error: with --from-list every -o needs a file template, e.g. -o spdx-json=out/{name}.json\n",
        ),
        (
            &["--from-list", "list.txt", "-o", "spdx-json={name}.json"],
            &format!(
                "error: lines 1 ({}) and 2 (other/alpine-3.11.docker.tar) of the list would both write alpine-3.11.docker.json; add {{index}} to the -o path\n",
                a.display()
            ),
        ),
        (
            &["--from-list", "list.txt", "-o", "spdx-json={nme}.json"],
            "error: \"{nme}.json\": unknown placeholder {nme} (expected {name}, {index} or {digest})\n",
        ),
        (
            &["--from-list", "list.txt"],
            "error: --from-list needs at least one -o FORMAT=TEMPLATE, e.g. -o cyclonedx-json=out/{name}.cdx.json\n",
        ),
        (
            &["--from-list", "empty.txt", "-o", "spdx-json={index}.json"],
            "error: empty.txt lists no images\n",
        ),
        (
            &["--from-list", "nope.txt"],
            "error: cannot read image list nope.txt: No such file or directory (os error 2)\n",
        ),
        (
            &[
                "--from-list",
                "list.txt",
                "-o",
                "spdx-json={index}.json",
                "--shard",
                "auto/2",
            ],
            "error: --shard auto/2: JOB_COMPLETION_INDEX is not set (auto/N is for Kubernetes Indexed Jobs; elsewhere give I/N)\n",
        ),
        (
            &[
                "--from-list",
                "list.txt",
                "-o",
                "spdx-json={index}.json",
                "--shard",
                "3/2",
            ],
            "error: --shard \"3/2\": expected I/N (1 ≤ I ≤ N) or auto/N\n",
        ),
        (
            &[a.to_str().unwrap(), "--shard", "1/2"],
            "error: --shard applies to --from-list only\n",
        ),
        (
            &[a.to_str().unwrap(), "--jobs", "2"],
            "error: --jobs applies to --from-list only\n",
        ),
    ];
    for (args, want) in cases {
        let o = batch(d, args, &[]);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert_eq!(&stderr(&o), want, "{args:?}");
        assert!(!d.join("out").exists(), "{args:?} wrote something");
    }
    // CONSIGN_SHARD / CONSIGN_JOBS in the environment do not break a single scan.
    let o = batch(
        d,
        &[a.to_str().unwrap(), "-q"],
        &[("CONSIGN_SHARD", "1/2"), ("CONSIGN_JOBS", "2")],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    // SOURCE and --from-list together: a usage error from clap.
    let o = batch(d, &[a.to_str().unwrap(), "--from-list", "list.txt"], &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("cannot be used with"), "{}", stderr(&o));
}

#[test]
fn digest_placeholder_names_files_by_content() {
    let dir = tmp();
    let d = dir.path();
    let s = samples();
    let list = format!(
        "{}\n{}\n",
        s.join("alpine-3.11.docker.tar").display(),
        s.join("distroless-debian-12.docker25.tar").display()
    );
    std::fs::write(d.join("l.txt"), list).unwrap();
    let o = batch(
        d,
        &[
            "--from-list",
            "l.txt",
            "-q",
            "-o",
            "cyclonedx-json=by-digest/{digest}.json",
        ],
        &[],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let names: Vec<String> = files(&d.join("by-digest")).into_keys().collect();
    assert_eq!(names.len(), 2);
    let single = batch(
        d,
        &[
            s.join("alpine-3.11.docker.tar").to_str().unwrap(),
            "-o",
            "cyclonedx-json",
        ],
        &[],
    );
    let doc: serde_json::Value = serde_json::from_slice(&single.stdout).unwrap();
    let digest = doc["metadata"]["component"]["version"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(
        names
            .iter()
            .all(|n| n.starts_with("sha256-") && n.len() == "sha256-".len() + 64 + 5),
        "{names:?} ({digest})"
    );
    // The same image twice: the second one cannot write the first one's file.
    let twice = format!("{0}\n{0}\n", s.join("alpine-3.11.docker.tar").display());
    std::fs::write(d.join("twice.txt"), twice).unwrap();
    let o = batch(
        d,
        &[
            "--from-list",
            "twice.txt",
            "-q",
            "-o",
            "cyclonedx-json=again/{digest}.json",
            "--jobs",
            "1",
        ],
        &[],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("is written by another image of the list"),
        "{}",
        stderr(&o)
    );
}
