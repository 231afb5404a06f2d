//! The inputs of `diff`, `convert` and `score`: an SBOM document from any producer, or an
//! image, scanned first.
//!
//! An argument with a source prefix (`docker-archive:`, `oci-archive:`, `oci-dir:`, `oci:`,
//! `dir:`) or naming a directory is an image. A file is read as an SBOM when its first bytes
//! say so (JSON, XML, SPDX tag-value) and scanned as an image when they are an archive (tar,
//! gzip, zstd); anything else is refused with the reason. `-` reads an SBOM from stdin.

use std::io::Read;
use std::path::Path;

use anyhow::{Context, bail};
use consign::decode::{self, Sniffed};
use consign::source::{LoadOptions, Progress, SourceSpec};
use consign::{Sbom, ScanOptions};

use super::limits::LimitArgs;
use super::progress;

/// Prefixes that force a source kind.
const IMAGE_PREFIXES: &[&str] = &[
    "docker-archive:",
    "oci-archive:",
    "oci-dir:",
    "oci:",
    "dir:",
];

/// Reads `arg` as an SBOM, or scans it as an image under `limits` (with `--strict`, an
/// image's first unknown is an error); see the module docs.
pub fn load(arg: &str, quiet: bool, limits: &LimitArgs) -> anyhow::Result<Sbom> {
    if arg == "-" {
        let mut bytes = Vec::new();
        std::io::stdin()
            .lock()
            .read_to_end(&mut bytes)
            .context("cannot read stdin")?;
        if decode::sniff(&bytes[..bytes.len().min(64 * 1024)]) == Sniffed::Other {
            bail!("stdin: not an SBOM (JSON, XML or SPDX tag-value); give an image as a file");
        }
        return Ok(decode::decode(&bytes, "stdin")?);
    }
    if IMAGE_PREFIXES.iter().any(|p| arg.starts_with(p)) {
        return scan(arg, quiet, limits);
    }
    let path = Path::new(arg);
    let md = std::fs::metadata(path).with_context(|| format!("cannot read {arg}"))?;
    if md.is_dir() {
        return scan(arg, quiet, limits);
    }
    let head = read_head(path).with_context(|| format!("cannot read {arg}"))?;
    match decode::sniff(&head) {
        Sniffed::Other if is_archive(&head) => scan(arg, quiet, limits),
        Sniffed::Other => bail!(
            "{arg}: neither an SBOM (CycloneDX or SPDX: JSON, XML, tag-value) nor an image \
             archive (tar, gzip, zstd)"
        ),
        _ => {
            let bytes = std::fs::read(path).with_context(|| format!("cannot read {arg}"))?;
            Ok(decode::decode(&bytes, arg)?)
        }
    }
}

fn read_head(path: &Path) -> std::io::Result<Vec<u8>> {
    let mut head = Vec::with_capacity(64 * 1024);
    std::fs::File::open(path)?
        .take(64 * 1024)
        .read_to_end(&mut head)?;
    Ok(head)
}

/// gzip, zstd, or a tar header (`ustar` at offset 257).
fn is_archive(head: &[u8]) -> bool {
    head.starts_with(&[0x1f, 0x8b])
        || head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd])
        || head.get(257..262) == Some(b"ustar")
}

fn scan(arg: &str, quiet: bool, limits: &LimitArgs) -> anyhow::Result<Sbom> {
    let spec = SourceSpec::parse(arg)?;
    let bar = progress::Bar::new(quiet);
    let opts = ScanOptions {
        load: LoadOptions {
            progress: bar.as_ref().map(|b| b as &dyn Progress),
            limits: limits.resolve()?,
            ..LoadOptions::default()
        },
        ..ScanOptions::default()
    };
    let sbom = consign::scan(&spec, &opts).with_context(|| format!("cannot scan {arg}"))?;
    limits.check_strict(arg, &sbom)?;
    Ok(sbom)
}
