//! Shared test helpers.

#![allow(dead_code)]

pub mod image;

use std::path::PathBuf;

use consign::fs::{FileResolver, LayeredFs, Wants};
use consign::source::{self, LoadOptions, LoadedImage, SourceSpec};

/// Path of a file under `tests/fixtures/`.
pub fn fixture(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(rel)
}

/// A fresh temporary directory.
pub fn tmp() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}

/// Loads an image capturing every file (tests look at contents freely).
pub fn load(spec: &SourceSpec, opts: &LoadOptions<'_>) -> consign::Result<LoadedImage> {
    let wants = Wants::new(&[&["**"]]).unwrap();
    source::load(spec, &wants, opts)
}

/// The squashed filesystem as `path@layer` lines, plus content for files.
pub fn squashed_listing(img: &LoadedImage) -> Vec<String> {
    let fs = LayeredFs::squashed(&img.trees);
    let mut out = Vec::new();
    fs.walk(&mut |loc, meta| {
        let mut line = format!("{}@{} {:?} {:o}", loc.path, loc.layer, meta.kind, meta.mode);
        if let Some(l) = &meta.link {
            line.push_str(&format!(" -> {l}"));
        }
        if let Ok(bytes) = fs.read(loc) {
            line.push_str(&format!(" = {:?}", String::from_utf8_lossy(&bytes)));
        }
        out.push(line);
    });
    out
}
