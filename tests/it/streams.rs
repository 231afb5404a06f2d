//! stdout carries only what a command produces; stderr the rest, as `-q`, `-v` and
//! `CONSIGN_LOG` decide, coloured only on a terminal and never with `NO_COLOR`; special files
//! (`/dev/stdout`, FIFOs) are written in place. See: issue 9.

use std::path::Path;
use std::process::{Command, Output};

use crate::support::cmd::{bin, stderr};
use crate::support::image::ImageBuilder;
use crate::support::tmp;

/// An image with one unreadable dpkg database entry: the scan warns about one unknown.
fn image_with_unknown(dir: &Path) -> String {
    let path = dir.join("img.tar");
    ImageBuilder::new()
        .layer(|l| {
            l.file("etc/os-release", "ID=debian\nVERSION_ID=12\n")
                .file("var/lib/dpkg/status.d/broken", "Version: 1\n")
        })
        .write_docker_archive(&path);
    path.display().to_string()
}

fn run_in(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut c = bin();
    c.current_dir(dir).args(args);
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().unwrap()
}

#[test]
fn stdout_is_only_the_document_and_stderr_follows_q_and_v() {
    let dir = tmp();
    let img = image_with_unknown(dir.path());
    let o = run_in(dir.path(), &["sbom", &img, "-o", "cyclonedx-json"], &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    serde_json::from_slice::<serde_json::Value>(&o.stdout).expect("stdout is one JSON document");
    assert_eq!(
        stderr(&o),
        "warning: 1 item(s) could not be read; they are listed as unknowns in the SBOM\n"
    );
    let quiet = run_in(
        dir.path(),
        &["-q", "sbom", &img, "-o", "cyclonedx-json"],
        &[],
    );
    assert_eq!(quiet.stdout, o.stdout);
    assert_eq!(stderr(&quiet), "");
    let quiet = run_in(
        dir.path(),
        &["sbom", &img, "-o", "cyclonedx-json", "--quiet"],
        &[],
    );
    assert_eq!(stderr(&quiet), "");
    let verbose = run_in(
        dir.path(),
        &["sbom", &img, "-vv", "-o", "cyclonedx-json"],
        &[],
    );
    assert_eq!(verbose.stdout, o.stdout);
    let err = stderr(&verbose);
    assert!(
        err.contains(&format!("debug: consign::cli::sbom: scanning {img}\n")),
        "{err}"
    );
    assert!(err.contains("debug: consign::scan: cataloged "), "{err}");
    assert!(!err.contains("trace:"), "{err}");
    let filtered = run_in(
        dir.path(),
        &["sbom", &img, "-o", "cyclonedx-json"],
        &[("CONSIGN_LOG", "consign::scan=trace")],
    );
    let err = stderr(&filtered);
    assert!(
        err.contains("trace: consign::scan: layer 0: dpkg-db-cataloger found 0 package(s)"),
        "{err}"
    );
    assert!(!err.contains("consign::cli::sbom"), "{err}");
    let bad = run_in(
        dir.path(),
        &["sbom", &img],
        &[("CONSIGN_LOG", "consign=loud")],
    );
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        stderr(&bad).starts_with("error: CONSIGN_LOG=\"consign=loud\": "),
        "{}",
        stderr(&bad)
    );
}

/// Runs `consign ARGS` on a pseudo-terminal (util-linux `script`), returning what it shows.
fn on_tty(args: &str, no_color: bool) -> String {
    let mut c = Command::new("script");
    c.args([
        "-qec",
        &format!("{} {args}", env!("CARGO_BIN_EXE_consign")),
        "/dev/null",
    ])
    .env_remove("NO_COLOR")
    .env_remove("CLICOLOR_FORCE")
    .env_remove("CLICOLOR")
    .env("TERM", "xterm");
    if no_color {
        c.env("NO_COLOR", "1");
    }
    String::from_utf8_lossy(&c.output().expect("script (util-linux)").stdout).into_owned()
}

#[test]
fn no_color_turns_colours_off_on_a_terminal() {
    let coloured = on_tty("sbom /nonexistent.tar", false);
    assert!(
        coloured.contains("\x1b[1;31merror\x1b[0m: cannot scan /nonexistent.tar"),
        "{coloured:?}"
    );
    let plain = on_tty("sbom /nonexistent.tar", true);
    assert!(
        plain.starts_with("error: cannot scan /nonexistent.tar"),
        "{plain:?}"
    );
    assert!(!plain.contains('\x1b'), "{plain:?}");
    assert!(
        on_tty("sbom --help", false).contains('\x1b'),
        "clap colours help on a terminal"
    );
    assert!(
        !on_tty("sbom --help", true).contains('\x1b'),
        "NO_COLOR reaches clap too"
    );
    // Not a terminal: never colours.
    let o = bin().args(["sbom", "/nonexistent.tar"]).output().unwrap();
    assert!(!stderr(&o).contains('\x1b'));
}

/// `-o FORMAT=/dev/stdout` and other special files are written in place: renaming a file
/// over them would replace the device (root turning /dev/null into a regular file).
#[test]
fn a_fifo_destination_is_written_in_place() {
    use std::os::unix::fs::FileTypeExt;
    let dir = tmp();
    let fifo = dir.path().join("pipe");
    assert!(
        Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let reader = std::thread::spawn({
        let f = fifo.clone();
        move || std::fs::read(f).unwrap()
    });
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/alpine-3.11.docker.tar");
    let o = bin()
        .arg("sbom")
        .arg(&sample)
        .arg("-o")
        .arg(format!("cyclonedx-json={}", fifo.display()))
        .output()
        .unwrap();
    if !o.status.success() {
        // Unblock the reader before failing.
        let _ = std::fs::write(&fifo, b"");
    }
    let got = reader.join().unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(std::fs::metadata(&fifo).unwrap().file_type().is_fifo());
    let direct = bin()
        .arg("sbom")
        .arg(&sample)
        .args(["-o", "cyclonedx-json"])
        .output()
        .unwrap();
    assert!(got == direct.stdout);
    let leftovers = std::fs::read_dir(dir.path()).unwrap().count();
    assert_eq!(leftovers, 1, "only the FIFO is there");
}
