//! Helpers for the tests that talk to real peers started by `tests/run.sh`
//! (`tests/registries.sh`): the consign binary with a clean environment, the venv's Python
//! with the interop scripts, skopeo, and where to keep SBOMs for the validators.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use super::image::ImageBuilder;

pub fn env(name: &str) -> String {
    std::env::var(name)
        .unwrap_or_else(|_| panic!("{name}: run the real-registry tests through tests/run.sh"))
}

pub fn interop(script: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/interop")
        .join(script)
}

pub fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

pub fn check(o: Output, what: &str) -> Output {
    assert!(
        o.status.success(),
        "{what}: exit {:?}\nstdout: {}\nstderr: {}",
        o.status.code(),
        text(&o.stdout),
        text(&o.stderr)
    );
    o
}

/// The consign binary in `dir`, with only PATH, HOME=`dir` and a Docker config dir if given.
pub fn consign(dir: &Path, docker_config: Option<&Path>, args: &[&str]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_consign"));
    c.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", dir)
        .current_dir(dir)
        .args(args);
    if let Some(d) = docker_config {
        c.env("DOCKER_CONFIG", d);
    }
    c.output().unwrap()
}

pub fn python(dir: &Path, args: &[&str]) -> Output {
    Command::new(env("CONSIGN_E2E_PYTHON"))
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap()
}

pub fn skopeo(args: &[&str]) -> Output {
    check(
        Command::new("skopeo").args(args).output().unwrap(),
        &format!("skopeo {args:?}"),
    )
}

pub fn alpine() -> ImageBuilder {
    ImageBuilder::new().layer(|l| {
        l.fixture("etc/os-release", "apk/alpine-3.11-image/etc/os-release")
            .fixture(
                "lib/apk/db/installed",
                "apk/alpine-3.11-image/lib/apk/db/installed",
            )
    })
}

/// Keeps an SBOM where tests/run.sh validates every document.
pub fn keep(dir: &Path, file: &str, name: &str) {
    if let Ok(out) = std::env::var("CONSIGN_E2E_OUT") {
        std::fs::copy(dir.join(file), Path::new(&out).join(name)).unwrap();
    }
}
