//! Rust crates: those a `Cargo.lock` declares (`rust-cargo-lock-cataloger`, evidence
//! `declared`, see `cargo_lock.rs`) and those compiled into binaries built with
//! cargo-auditable (`rust-cargo-auditable-cataloger`, evidence `binary`, see `auditable.rs`).
//!
//! Both give every crate the purl `pkg:cargo/<name>@<version>`
//! (<https://github.com/package-url/purl-spec/blob/main/types-doc/cargo-definition.md>; the
//! registry is not part of it, as Syft and Trivy write it) with the source (`registry+…`,
//! `git+…`, `crates.io`, `local`) as the property `source`, and the dependency edges the file
//! records. Executables are recognised by content, through an [`Extractor`] that keeps only
//! the `.dep-v0` section: an executable without one costs a section-table lookup.

mod auditable;
mod cargo_lock;

pub use cargo_lock::CargoLockCataloger;

use super::binary;
use super::{CatalogOutput, Cataloger, Environment, Tag, parse_failure};
use crate::Result;
use crate::fs::{Extractor, FileResolver, Location};
use crate::model::{Ecosystem, LanguageMetadata, Package, PackageMetadata, Purl};

/// The largest executable read for its `.dep-v0` section (only its headers and a few windows
/// are kept, see [`binary::elf_windows`]).
const MAX_BINARY: u64 = 512 << 20;

static EXTRACTOR: Extractor = Extractor {
    name: auditable::NAME,
    include: &["**"],
    executable_only: true,
    max_bytes: MAX_BINARY,
    magic: binary::is_exe,
    windows: Some(auditable::windows),
    extract: auditable::extract_view,
};

/// Reads the dependency data cargo-auditable embeds in executables. See the module docs.
pub struct CargoAuditableCataloger;

impl Cataloger for CargoAuditableCataloger {
    fn name(&self) -> &'static str {
        auditable::NAME
    }

    fn tags(&self) -> &'static [Tag] {
        &[Tag::Language, Tag::Installed]
    }

    fn wants(&self) -> &'static [&'static str] {
        &[]
    }

    fn extractor(&self) -> Option<&'static Extractor> {
        Some(&EXTRACTOR)
    }

    fn catalog(&self, fs: &dyn FileResolver, _env: &Environment) -> Result<CatalogOutput> {
        let mut out = CatalogOutput::default();
        for (loc, summary) in fs.extracted(auditable::NAME) {
            match summary {
                Ok(bytes) => auditable::catalog_section(&loc, &bytes, &mut out),
                Err(why) => out.unknowns.push(parse_failure(auditable::NAME, &loc, why)),
            }
        }
        Ok(out)
    }
}

/// A crate: `pkg:cargo/<name>@<version>`.
fn crate_package(
    name: &str,
    version: &str,
    loc: &Location,
    meta: LanguageMetadata,
    found_by: &'static str,
) -> std::result::Result<Package, String> {
    if name.is_empty() || version.is_empty() {
        return Err(format!(
            "crate without a name or version: {name:?} {version:?}"
        ));
    }
    let purl = Purl::builder("cargo", name).version(version).build()?;
    let mut p = Package::new(Ecosystem::Cargo, name, version, purl, found_by);
    p.locations.insert(loc.clone());
    p.metadata = PackageMetadata::Language(meta);
    Ok(p)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::testfs::{TestLayer, fixture};
    use crate::fs::LayeredFs;
    use crate::model::RelationshipKind;

    #[test]
    fn hostile_binaries_never_panic() {
        let bin = std::fs::read(fixture("cargo/auditable-binary/uses_serde_json")).unwrap();
        assert!(matches!(auditable::extract(&bin), Ok(Some(_))));
        // Truncated anywhere (the section table sits at the end of the file).
        for cut in [
            0,
            3,
            16,
            63,
            64,
            0x6b0c1,
            0x6b0c1 + 10,
            bin.len() - 100,
            bin.len() - 1,
        ] {
            let _ = auditable::extract(&bin[..cut]);
        }
        // The ELF header's section-table fields set to extremes.
        for at in 0x28..0x40 {
            for v in [0u8, 0x7f, 0xff] {
                let mut b = bin.clone();
                b[at] = v;
                let _ = auditable::extract(&b);
            }
        }
        // The section's bytes corrupted: kept as extracted, an unknown when inflated.
        let mut b = bin.clone();
        b[0x6b0c1..0x6b0c1 + 8].fill(0xff);
        let mut out = CatalogOutput::default();
        let summary = auditable::extract(&b).unwrap().unwrap();
        auditable::catalog_section(&Location::new("x", 0), &summary, &mut out);
        assert!(out.packages.is_empty());
        assert_eq!(out.unknowns.len(), 1);
    }

    /// osv-scalibr's expectation for this binary: ten crates.io crates and the root crate.
    #[test]
    fn real_auditable_binary_with_its_tree() {
        let bin = std::fs::read(fixture("cargo/auditable-binary/uses_serde_json")).unwrap();
        let go = std::fs::read(fixture(
            "go/binary-go1.22-replace/binary_with_module_replacement-linux-amd64",
        ))
        .unwrap();
        let trees = [TestLayer::new(&[])
            .extractor(&EXTRACTOR)
            .executable("usr/bin/uses_json", &bin)
            .executable("usr/bin/go-app", &go)
            .executable("usr/bin/script", b"#!/bin/sh\n")
            .build()];
        let fs = LayeredFs::squashed(&trees);
        let out = CargoAuditableCataloger
            .catalog(&fs, &Environment::default())
            .unwrap();
        assert!(out.unknowns.is_empty(), "{:?}", out.unknowns);
        let got: Vec<String> = out
            .packages
            .iter()
            .map(|p| format!("{}@{}", p.name, p.version))
            .collect();
        assert_eq!(
            got,
            [
                "itoa@1.0.14",
                "memchr@2.7.4",
                "proc-macro2@1.0.92",
                "quote@1.0.38",
                "ryu@1.0.18",
                "serde@1.0.217",
                "serde_derive@1.0.217",
                "serde_json@1.0.135",
                "syn@2.0.95",
                "unicode-ident@1.0.14",
                "uses_json@0.1.0",
            ]
        );
        assert_eq!(
            out.packages[7].purl.as_str(),
            "pkg:cargo/serde_json@1.0.135"
        );
        let name = |i: usize| out.packages[i].name.as_str();
        let mut edges: Vec<(&str, &str)> = out
            .relationships
            .iter()
            .map(|&(a, b, k)| {
                assert_eq!(k, RelationshipKind::DependsOn);
                (name(a), name(b))
            })
            .collect();
        edges.sort();
        assert_eq!(
            edges,
            [
                ("proc-macro2", "unicode-ident"),
                ("quote", "proc-macro2"),
                ("serde", "serde_derive"),
                ("serde_derive", "proc-macro2"),
                ("serde_derive", "quote"),
                ("serde_derive", "syn"),
                ("serde_json", "itoa"),
                ("serde_json", "memchr"),
                ("serde_json", "ryu"),
                ("serde_json", "serde"),
                ("syn", "proc-macro2"),
                ("syn", "quote"),
                ("syn", "unicode-ident"),
                ("uses_json", "serde"),
                ("uses_json", "serde_json"),
            ]
        );
    }

    #[test]
    fn the_layer_reader_reads_only_windows_and_finds_the_same() {
        use crate::fs::Content;
        let bin = std::fs::read(crate::catalog::testfs::fixture(
            "cargo/auditable-binary/uses_serde_json",
        ))
        .unwrap();
        let (kept, held) = crate::catalog::testfs::extract_like_a_layer(&EXTRACTOR, &bin);
        let Some(Content::Extracted(found)) = kept else {
            panic!("nothing extracted: {kept:?}")
        };
        let section = found.get(auditable::NAME).unwrap().unwrap();
        assert_eq!(
            section.as_ref(),
            auditable::extract(&bin).unwrap().unwrap().as_slice()
        );
        // Headers and the part after the loaded segments: not the code.
        assert!(held < bin.len() as u64 / 2, "{held} of {}", bin.len());
    }
}
