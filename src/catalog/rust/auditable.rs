//! Binaries built with cargo-auditable: the dependency tree it embeds.
//!
//! Format (<https://github.com/rust-secure-code/cargo-auditable/blob/master/PARSING.md>): a
//! linker section `.dep-v0` (ELF, PE; `__DATA,.dep-v0` in Mach-O) holding zlib-compressed
//! JSON `{"packages": [{"name", "version", "source", "kind"?, "dependencies"?: [index…],
//! "root"?: bool}]}`. `source` is `crates.io`, `git`, `local`, `registry` or another string;
//! `kind` is `runtime` (the default) or `build`; `dependencies` index into `packages`.
//!
//! The extractor keeps the section's bytes, still compressed (a few hundred bytes to a few
//! KiB). The cataloger inflates them with a cap, so a zlib bomb costs [`MAX_JSON`] at most.

use std::io::Read;
use std::ops::Range;

use serde::Deserialize;

use super::crate_package;
use crate::catalog::binary::{Exe, Want, elf_windows};
use crate::catalog::{CatalogOutput, parse_failure};
use crate::fs::Location;
use crate::fs::extract::{ExtractResult, FileView};
use crate::model::{Evidence, LanguageMetadata, RelationshipKind};

/// The cataloger's name.
pub(super) const NAME: &str = "rust-cargo-auditable-cataloger";
/// The largest inflated JSON read; real ones are a few KiB to ~100 KiB.
const MAX_JSON: u64 = 16 << 20;
/// The most packages one binary may list.
const MAX_PACKAGES: usize = 100_000;

/// The parts of an executable [`extract_view`] reads (see [`elf_windows`]).
pub(super) fn windows(prefix: &[u8], size: u64) -> Option<Vec<Range<u64>>> {
    elf_windows(prefix, size, Want::Sections)
}

/// [`extract_view`] on a whole file.
#[cfg(test)]
pub(super) fn extract(data: &[u8]) -> ExtractResult {
    extract_view(&FileView::whole(data))
}

/// The raw `.dep-v0` section of an executable, if it has one.
pub(super) fn extract_view(view: &FileView<'_>) -> ExtractResult {
    let Ok(exe) = Exe::parse(view) else {
        return Ok(None);
    };
    match exe.section(".dep-v0")? {
        Some([]) => Err("empty .dep-v0 section".to_owned()),
        Some(bytes) => Ok(Some(bytes.to_vec())),
        None => Ok(None),
    }
}

#[derive(Deserialize)]
struct VersionInfo {
    packages: Vec<AuditPackage>,
}

#[derive(Deserialize)]
struct AuditPackage {
    name: String,
    version: String,
    #[serde(default)]
    source: serde_json::Value,
    #[serde(default)]
    kind: Option<String>,
    #[serde(default)]
    dependencies: Vec<usize>,
    #[serde(default)]
    root: bool,
}

/// Catalogs one binary's `.dep-v0` section into `out`.
pub(super) fn catalog_section(loc: &Location, compressed: &[u8], out: &mut CatalogOutput) {
    let info = match inflate(compressed).and_then(|json| {
        serde_json::from_slice::<VersionInfo>(&json).map_err(|e| format!("invalid JSON: {e}"))
    }) {
        Ok(i) => i,
        Err(why) => {
            return out.unknowns.push(parse_failure(
                NAME,
                loc,
                format!("cargo-auditable data: {why}"),
            ));
        }
    };
    if info.packages.len() > MAX_PACKAGES {
        return out.unknowns.push(parse_failure(
            NAME,
            loc,
            format!(
                "cargo-auditable data lists {} packages",
                info.packages.len()
            ),
        ));
    }
    let mut index = Vec::with_capacity(info.packages.len());
    for p in &info.packages {
        let mut meta = LanguageMetadata::new(Evidence::Binary);
        meta.property("source", p.source.as_str().unwrap_or_default());
        if p.kind.as_deref() == Some("build") {
            meta.property("dependencyKind", "build");
        }
        if p.root {
            meta.property("root", "true");
        }
        match crate_package(&p.name, &p.version, loc, meta, NAME) {
            Ok(pkg) => {
                index.push(Some(out.packages.len()));
                out.packages.push(pkg);
            }
            Err(why) => {
                index.push(None);
                out.unknowns.push(parse_failure(NAME, loc, why));
            }
        }
    }
    let mut dangling = 0usize;
    for (i, p) in info.packages.iter().enumerate() {
        let Some(from) = index[i] else { continue };
        for &j in &p.dependencies {
            match index.get(j) {
                Some(Some(to)) if *to != from => {
                    out.relationships
                        .push((from, *to, RelationshipKind::DependsOn));
                }
                Some(_) => {}
                None => dangling += 1,
            }
        }
    }
    if dangling > 0 {
        out.unknowns.push(parse_failure(
            NAME,
            loc,
            format!("cargo-auditable data: {dangling} dependency index(es) out of range"),
        ));
    }
}

/// Inflates zlib data, refusing output larger than [`MAX_JSON`].
fn inflate(compressed: &[u8]) -> Result<Vec<u8>, String> {
    let mut json = Vec::new();
    flate2::read::ZlibDecoder::new(compressed)
        .take(MAX_JSON + 1)
        .read_to_end(&mut json)
        .map_err(|e| format!("not zlib data: {e}"))?;
    if json.len() as u64 > MAX_JSON {
        return Err(format!("inflates past {MAX_JSON} bytes"));
    }
    Ok(json)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn zlib(json: &str) -> Vec<u8> {
        let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(json.as_bytes()).unwrap();
        e.finish().unwrap()
    }

    fn run(json: &str) -> CatalogOutput {
        let mut out = CatalogOutput::default();
        catalog_section(&Location::new("bin/x", 0), &zlib(json), &mut out);
        out
    }

    #[test]
    fn kinds_roots_and_edges() {
        let out = run(r#"{"packages":[
            {"name":"cc","version":"1.0.0","source":"crates.io","kind":"build"},
            {"name":"app","version":"0.1.0","source":"local","dependencies":[0,2,0],"root":true},
            {"name":"fork","version":"2.0.0","source":"git"}]}"#);
        assert!(out.unknowns.is_empty(), "{:?}", out.unknowns);
        assert_eq!(out.packages.len(), 3);
        assert_eq!(
            out.relationships,
            [
                (1, 0, RelationshipKind::DependsOn),
                (1, 2, RelationshipKind::DependsOn),
                (1, 0, RelationshipKind::DependsOn)
            ]
        );
        let crate::model::PackageMetadata::Language(m) = &out.packages[0].metadata else {
            panic!()
        };
        assert!(
            m.properties
                .contains(&("dependencyKind".into(), "build".into()))
        );
    }

    #[test]
    fn hostile_sections_are_unknowns() {
        let mut out = CatalogOutput::default();
        catalog_section(&Location::new("x", 0), b"not zlib", &mut out);
        assert_eq!(out.unknowns.len(), 1);
        // A bomb: 32 MiB of spaces inflate past the cap.
        let bomb = zlib(&" ".repeat(32 << 20));
        let mut out = CatalogOutput::default();
        catalog_section(&Location::new("x", 0), &bomb, &mut out);
        assert!(out.unknowns[0].reason.contains("inflates past"));
        let out = run(r#"{"packages":[{"name":"a","version":"1","dependencies":[7, 0]}]}"#);
        assert_eq!(out.packages.len(), 1);
        assert!(out.relationships.is_empty());
        assert_eq!(out.unknowns.len(), 1);
        let out = run(r#"{"packages":[{"name":"","version":"1"}]}"#);
        assert!(out.packages.is_empty());
        assert_eq!(out.unknowns.len(), 1);
        assert_eq!(run("[1, 2]").unknowns.len(), 1);
    }
}
