//! The adversarial corpus: broken and hostile images, generated in code, each with the exact
//! outcome consign must give — an error naming the file or blob and the cause, or a correct
//! SBOM with the problem recorded as a warning (an unknown). Nothing here may panic, hang or
//! allocate without bound; the whole module runs in seconds in a debug build.
//!
//! This is the one place that lists the corpus (see: issue 8, hostile and broken images):
//! - [`tar`]: truncation, checksums, PAX/GNU long names, sparse files, non-UTF-8 names,
//!   absolute and `../` paths, duplicates, hard links, symlink chains/loops/escapes, devices,
//!   FIFOs, a million entries;
//! - [`compression`]: invalid gzip/zstd, concatenated members, bombs, trailing garbage, the
//!   size and ratio limits;
//! - [`manifests`]: missing or malformed manifest.json/index.json/config, wrong media types,
//!   digest/diff_id/size mismatches, missing blobs, index cycles and depth, absurd sizes,
//!   deeply nested JSON, duplicate and escaping archive members;
//! - [`databases`]: malformed dpkg, apk with binary junk, corrupt rpmdbs, a 100 MB METADATA,
//!   forged Go build info, zip-bomb and deeply nested jars;
//! - [`memory`]: files as large as the limits allow, of millions of tiny list items or JSON
//!   or TOML values, one giant field, millions of rpm records, entries spread over layers;
//! - [`cli`]: exit 2 with one line naming input, inner file and cause; `-v` for the chain;
//!   `--limit`, `--strict`; nothing written on failure, earlier files kept, inputs untouched.
//!
//! Unit tests beside the parsers cover the same ground at the byte level (`source::layer`,
//! `fs::path`, `fs::squash`, each cataloger's `hostile`/`never_panic` tests).

mod cli;
mod compression;
mod databases;
mod manifests;
mod memory;
mod tar;

use std::io::Write;

use consign::source::{Limits, LoadOptions, LoadedImage, SourceSpec};
use consign::{Sbom, ScanOptions};
use serde_json::json;

use crate::support::image::{Comp, ImageBuilder, compress, sha256, write_dir};
use crate::support::{load, tmp};

/// Appends one tar entry with a raw name, type flag, content and link name; `size` overrides
/// the size field (for truncation cases). Names and links up to 100 bytes.
pub fn raw_entry(
    out: &mut Vec<u8>,
    name: &[u8],
    kind: u8,
    data: &[u8],
    link: &[u8],
    size: Option<u64>,
) {
    let mut h = ::tar::Header::new_gnu();
    {
        let old = h.as_old_mut();
        old.name[..name.len()].copy_from_slice(name);
        old.linkname[..link.len()].copy_from_slice(link);
    }
    h.set_mode(if kind == b'2' { 0o777 } else { 0o644 });
    h.set_size(size.unwrap_or(data.len() as u64));
    h.set_entry_type(::tar::EntryType::new(kind));
    h.set_mtime(1_700_000_000);
    h.set_cksum();
    out.extend_from_slice(h.as_bytes());
    out.extend_from_slice(data);
    out.resize(out.len().div_ceil(512) * 512, 0);
}

/// One raw tar entry: name, type flag, content, link name.
pub type RawEntry<'a> = (&'a [u8], u8, &'a [u8], &'a [u8]);

/// A layer blob and the diff_id to record for it.
pub type Blob = (Vec<u8>, String);

/// Files of an image layout or archive: (path, content).
pub type Files = Vec<(String, Vec<u8>)>;

/// A tar of raw entries, with the end-of-archive marker.
pub fn raw_tar(entries: &[RawEntry<'_>]) -> Vec<u8> {
    let mut out = Vec::new();
    for (name, kind, data, link) in entries {
        raw_entry(&mut out, name, *kind, data, link, None);
    }
    out.extend_from_slice(&[0; 1024]);
    out
}

/// The files of an OCI layout holding one image whose layers are exactly `blobs` (each with
/// the diff_id to record), with truthful descriptors.
pub fn oci_raw(blobs: &[(Vec<u8>, String)]) -> Vec<(String, Vec<u8>)> {
    manifest_files(&config_for(blobs), blobs, None)
}

/// A minimal image config recording the diff_ids of `blobs`.
pub fn config_for(blobs: &[(Vec<u8>, String)]) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "architecture": "amd64", "os": "linux",
        "rootfs": {"type": "layers", "diff_ids": blobs.iter().map(|b| &b.1).collect::<Vec<_>>()},
    }))
    .unwrap()
}

/// The layout files around `config` and `blobs`; `manifest` replaces the manifest document.
pub fn manifest_files(
    config: &[u8],
    blobs: &[(Vec<u8>, String)],
    manifest: Option<serde_json::Value>,
) -> Vec<(String, Vec<u8>)> {
    let manifest = manifest.unwrap_or_else(|| {
        json!({
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": config_descriptor(config),
            "layers": blobs.iter().map(|(b, _)| json!({
                "mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
                "digest": sha256(b), "size": b.len()})).collect::<Vec<_>>(),
        })
    });
    let manifest = serde_json::to_vec(&manifest).unwrap();
    let index = json!({"schemaVersion": 2, "manifests": [{
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "digest": sha256(&manifest), "size": manifest.len()}]});
    let mut files = vec![
        (
            "oci-layout".to_owned(),
            br#"{"imageLayoutVersion":"1.0.0"}"#.to_vec(),
        ),
        ("index.json".to_owned(), serde_json::to_vec(&index).unwrap()),
        (blob_path(&sha256(&manifest)), manifest),
        (blob_path(&sha256(config)), config.to_vec()),
    ];
    for (b, _) in blobs {
        files.push((blob_path(&sha256(b)), b.clone()));
    }
    files
}

/// The descriptor of a config blob.
pub fn config_descriptor(config: &[u8]) -> serde_json::Value {
    json!({"mediaType": "application/vnd.oci.image.config.v1+json",
        "digest": sha256(config), "size": config.len()})
}

/// `blobs/sha256/<hex>` of a `sha256:<hex>` digest.
pub fn blob_path(digest: &str) -> String {
    format!("blobs/sha256/{}", &digest[7..])
}

/// One layer blob: `tar` compressed with `comp`, with its true diff_id.
pub fn layer(tar: &[u8], comp: Comp) -> (Vec<u8>, String) {
    (compress(tar, comp), sha256(tar))
}

/// Writes an OCI layout directory of `files` and loads it with `limits`, capturing every
/// file.
pub fn load_files_with(
    files: &[(String, Vec<u8>)],
    limits: Limits,
) -> consign::Result<LoadedImage> {
    let dir = tmp();
    write_dir(dir.path(), files);
    let opts = LoadOptions {
        limits,
        ..LoadOptions::default()
    };
    load(&SourceSpec::Auto(dir.path().into()), &opts)
}

/// [`load_files_with`] the default limits.
pub fn load_files(files: &[(String, Vec<u8>)]) -> consign::Result<LoadedImage> {
    load_files_with(files, Limits::default())
}

/// The error of loading `files`, as the one-line message.
pub fn load_error(files: &[(String, Vec<u8>)]) -> String {
    load_files(files).unwrap_err().to_string()
}

/// Loads an image of one gzip layer holding `tar`, expecting an error; returns the layer's
/// blob path and the message.
pub fn layer_error(tar: &[u8]) -> (String, String) {
    let l = layer(tar, Comp::Gzip);
    let blob = blob_path(&sha256(&l.0));
    (blob, load_error(&oci_raw(&[l])))
}

/// Loads an image of one gzip layer holding `tar`, expecting success.
pub fn layer_ok(tar: &[u8]) -> LoadedImage {
    load_files(&oci_raw(&[layer(tar, Comp::Gzip)])).unwrap()
}

/// The blob path of the single gzip layer [`layer_ok`] / [`layer_error`] make of `tar`.
pub fn layer_blob(tar: &[u8]) -> String {
    blob_path(&sha256(&compress(tar, Comp::Gzip)))
}

/// The warnings a load recorded.
pub fn warnings(img: &LoadedImage) -> Vec<String> {
    img.warnings.iter().map(|u| u.reason.clone()).collect()
}

/// Scans an OCI layout directory of `files` with every cataloger and `limits`.
pub fn scan_files_with(files: &[(String, Vec<u8>)], limits: Limits) -> Sbom {
    let dir = tmp();
    write_dir(dir.path(), files);
    let opts = ScanOptions {
        load: LoadOptions {
            limits,
            ..LoadOptions::default()
        },
        ..ScanOptions::default()
    };
    consign::scan(&SourceSpec::Auto(dir.path().into()), &opts).unwrap()
}

/// Scans an image of one layer holding `files` (path, content, mode).
pub fn scan_layer_with(files: &[(&str, &[u8], u32)], limits: Limits) -> Sbom {
    let img = ImageBuilder::new().layer(|mut l| {
        for (p, d, mode) in files {
            l = l.file_mode(p, d, *mode);
        }
        l
    });
    scan_files_with(&img.oci_files(), limits)
}

/// Scans an image of one layer holding `files` (path, content; mode 0644).
pub fn scan_layer(files: &[(&str, &[u8])]) -> Sbom {
    let files: Vec<(&str, &[u8], u32)> = files.iter().map(|(p, d)| (*p, *d, 0o644)).collect();
    scan_layer_with(&files, Limits::default())
}

/// The SBOM's unknowns as `source: path reason` lines.
pub fn unknowns(sbom: &Sbom) -> Vec<String> {
    sbom.unknowns
        .iter()
        .map(|u| {
            let at = u
                .location
                .as_ref()
                .map_or(String::new(), |l| format!("{} ", l.path));
            format!("{}: {at}{}", u.source, u.reason)
        })
        .collect()
}

/// The SBOM's package URLs.
pub fn purls(sbom: &Sbom) -> Vec<String> {
    sbom.packages.iter().map(|p| p.purl.to_string()).collect()
}

/// A zip file of `(name, bytes)` entries, deflated.
pub fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in entries {
        w.start_file(*name, opts).unwrap();
        w.write_all(bytes).unwrap();
    }
    w.finish().unwrap().into_inner()
}
