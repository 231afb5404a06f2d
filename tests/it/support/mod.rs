//! Helpers shared by the integration tests.

#![allow(dead_code)]

pub mod audit_image;
pub mod cmd;
pub mod dockerfile;
pub mod fake_registry;
pub mod golden;
pub mod image;
pub mod peers;
pub mod sbom;
pub mod schema;

use std::path::{Path, PathBuf};

use consign::Sbom;
use consign::encode::{self, CdxVersion, EncodeOptions, Format};
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

/// The squashed filesystem as `path@layer kind mode [-> link] [= content]` lines.
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

/// Encodes `sbom` in every JSON format with a fixed timestamp, checks each document against
/// the official schema, and writes them to `dir` as `<name>.{cdx,cdx-1.5,cdx-1.7,spdx}.json`.
pub fn write_documents(dir: &Path, name: &str, sbom: &Sbom) {
    let opts = EncodeOptions {
        created: jiff::Timestamp::from_second(1_700_000_000).unwrap(),
    };
    for (format, ext) in [
        (Format::CycloneDxJson(CdxVersion::V1_6), "cdx.json"),
        (Format::CycloneDxJson(CdxVersion::V1_5), "cdx-1.5.json"),
        (Format::CycloneDxJson(CdxVersion::V1_7), "cdx-1.7.json"),
        (Format::SpdxJson, "spdx.json"),
    ] {
        let mut bytes = Vec::new();
        encode::encode(sbom, &format, &opts, &mut bytes).unwrap();
        schema::assert_valid(&format!("{name}.{ext}"), &bytes);
        std::fs::write(dir.join(format!("{name}.{ext}")), bytes).unwrap();
    }
}
