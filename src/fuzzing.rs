//! Entry points for the cargo-fuzz targets in `fuzz/`: thin wrappers that feed arbitrary bytes
//! to the real readers, the way a scan does. Not part of the public API.
//!
//! Each wrapper returns a small number derived from what was read (so the work is not
//! optimised away) and must never panic, whatever the input: a panic here is a bug in the
//! reader it wraps. The catalogers are reached through the same path a scan takes (a
//! one-layer image → [`LayeredFs`](crate::fs::LayeredFs) → the cataloger → merged SBOM), so the
//! globs, the extractors (Go build info, Java archives) and the dependency resolution are
//! exercised as well as the parsers.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use crate::catalog::{Cataloger, registry};
use crate::fs::{Content, Entry, FileMeta, LayerTree, Wants};
use crate::model::{ImageInfo, LayerInfo, Scope, SourceKind};
use crate::scan::catalog_image;
use crate::source::layer::{Capture, read_layer};
use crate::source::plan::{self, Layout, Selector};
use crate::source::store::MemStore;
use crate::source::{ImageConfig, Limits, LoadedImage, stream};

/// Limits for fuzzing: the defaults, except that a layer may not inflate past 64 MiB, so that
/// a decompression bomb costs the fuzzer milliseconds, not minutes (the defaults allow 64 GiB).
fn limits() -> Limits {
    Limits {
        max_layer_bytes: 64 << 20,
        ..Limits::default()
    }
}

/// The catalogers `selectors` select (all when empty) and the wanted-file set a scan running
/// them builds; built once per selector list, as compiling the globs costs more than most
/// inputs take to parse.
fn setup(selectors: &[&str]) -> Arc<(Vec<&'static dyn Cataloger>, Wants)> {
    type Cache = Mutex<HashMap<Vec<String>, Arc<(Vec<&'static dyn Cataloger>, Wants)>>>;
    static CACHE: OnceLock<Cache> = OnceLock::new();
    let key: Vec<String> = selectors.iter().map(|s| (*s).to_owned()).collect();
    let mut cache = CACHE
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    cache
        .entry(key)
        .or_insert_with_key(|key| {
            let catalogers = registry::select(key).expect("known cataloger selectors");
            let mut groups: Vec<&[&str]> = vec![crate::catalog::os_release::WANTS];
            groups.extend(catalogers.iter().map(|c| c.wants()));
            let mut wants = Wants::new(&groups).expect("the catalogers' globs compile");
            for (i, c) in catalogers.iter().enumerate() {
                if let Some(e) = c.extractor() {
                    wants = wants
                        .with_extractor(i + 1, e)
                        .expect("the extractors' globs compile");
                }
            }
            Arc::new((catalogers, wants))
        })
        .clone()
}

fn one_layer_image(trees: Vec<LayerTree>) -> LoadedImage {
    let layers = (0..trees.len())
        .map(|i| LayerInfo {
            index: i as u32,
            digest: None,
            diff_id: None,
            media_type: None,
            size: None,
            created_by: None,
        })
        .collect();
    LoadedImage {
        info: ImageInfo {
            supplier_override: None,
            source_kind: SourceKind::Directory,
            input: "fuzz".into(),
            name: None,
            tag: None,
            manifest_digest: None,
            config_digest: None,
            platform: None,
            created: None,
            base: None,
            annotations: Default::default(),
            config: ImageConfig::default(),
        },
        layers,
        trees,
        warnings: Vec::new(),
        provenance: Vec::new(),
    }
}

/// Catalogs an image of one file, `path` (root-relative) with permission bits `mode` and
/// content `bytes`, with the catalogers `selectors` name (as `--catalogers` takes them).
/// The file is captured exactly as the layer reader captures it: whole when a cataloger's
/// glob wants it, or as an extractor's summary. Returns packages + relationships + unknowns.
pub fn catalog_file(selectors: &[&str], path: &str, mode: u32, bytes: &[u8]) -> usize {
    let setup = setup(selectors);
    let (catalogers, wants) = (&setup.0, &setup.1);
    let size = bytes.len() as u64;
    let content = if wants.is_wanted(path) {
        Some(Content::Bytes(Arc::from(bytes)))
    } else if wants.extracts(path, size, mode) {
        let limits = limits();
        let cap = Capture::new(wants, &limits);
        let meta = FileMeta::regular(size, mode);
        crate::source::layer::read_extracted(&mut &bytes[..], path, &meta, &cap, &mut Vec::new())
            .unwrap_or_else(|e| Some(Content::Unreadable(e.to_string())))
    } else {
        None
    };
    let tree = LayerTree {
        entries: vec![Entry {
            path: path.to_owned(),
            meta: FileMeta::regular(size, mode),
            content,
        }],
        whiteouts: Vec::new(),
    };
    let Ok(scanned) = catalog_image(
        one_layer_image(vec![tree]),
        catalogers,
        wants,
        Scope::AllLayers,
        &limits(),
    ) else {
        return 0;
    };
    let sbom = scanned.sbom;
    sbom.packages.len() + sbom.relationships.len() + sbom.unknowns.len()
}

/// Reads `bytes` as one layer blob (tar, gzip or zstd) with every cataloger's wants, then
/// catalogs the result as a one-layer image. Returns the entry count, or 0 on a read error.
pub fn layer(bytes: &[u8]) -> usize {
    let setup = setup(&[]);
    let (catalogers, wants) = (&setup.0, &setup.1);
    let limits = limits();
    let cap = Capture::new(wants, &limits);
    let Ok(read) = read_layer(bytes, "fuzz-layer", None, &cap) else {
        return 0;
    };
    let entries = read.tree.entries.len() + read.tree.whiteouts.len();
    let Ok(scanned) = catalog_image(
        one_layer_image(vec![read.tree]),
        catalogers,
        wants,
        Scope::AllLayers,
        &limits,
    ) else {
        return entries;
    };
    entries + scanned.sbom.packages.len()
}

/// Reads `bytes` as a whole image archive (a docker save or OCI layout tar, uncompressed) in
/// one streaming pass, as `consign scan -` does. Returns the layer count, or 0 on an error.
pub fn image_stream(bytes: &[u8]) -> usize {
    let setup = setup(&[]);
    match stream::load(
        bytes,
        "fuzz-archive",
        Layout::Auto,
        &Selector::default(),
        &setup.1,
        &limits(),
        None,
    ) {
        Ok((plan, reads)) => plan.layers.len() + reads.len(),
        Err(_) => 0,
    }
}

/// Separates the documents of an [`image_metadata`] input.
pub const DOCUMENT_SEPARATOR: &[u8] = b"\n--8<--\n";

/// Plans an image from metadata documents, as the reader of every seekable source does.
///
/// `bytes` holds documents separated by [`DOCUMENT_SEPARATOR`]. Document 0 is stored as
/// `manifest.json` when it starts with `[` (docker save), else as `index.json` (OCI layout,
/// with an `oci-layout` file beside it). Every document `k` is also stored as
/// `blobs/sha256/<hex>`, `<hex>.json` (hex: its SHA-256) and `<k>.json`. Since a fuzzer cannot forge SHA-256, a
/// document may name a later one by placeholder: `@D<k>@` becomes `sha256:<digest of k>`,
/// `@H<k>@` the bare hex and `@S<k>@` its size in bytes (placeholders are replaced from the
/// last document to the first, so only later documents can be named). Returns the number of
/// layers planned, or 0 on an error.
pub fn image_metadata(bytes: &[u8]) -> usize {
    use sha2::{Digest as _, Sha256};
    let mut docs: Vec<Vec<u8>> = split(bytes, DOCUMENT_SEPARATOR)
        .into_iter()
        .take(16)
        .map(<[u8]>::to_vec)
        .collect();
    let mut resolved: HashMap<usize, (String, usize)> = HashMap::new();
    for k in (0..docs.len()).rev() {
        let mut doc = std::mem::take(&mut docs[k]);
        for (j, (hex, size)) in &resolved {
            doc = replace(
                &doc,
                format!("@D{j}@").as_bytes(),
                format!("sha256:{hex}").as_bytes(),
            );
            doc = replace(&doc, format!("@H{j}@").as_bytes(), hex.as_bytes());
            doc = replace(
                &doc,
                format!("@S{j}@").as_bytes(),
                size.to_string().as_bytes(),
            );
        }
        resolved.insert(k, (hex::encode(Sha256::digest(&doc)), doc.len()));
        docs[k] = doc;
    }
    let mut store = MemStore::new("fuzz-metadata");
    for (k, doc) in docs.iter().enumerate() {
        if k == 0 {
            if doc.first() == Some(&b'[') {
                store.insert("manifest.json".into(), doc.clone());
            } else {
                store.insert("index.json".into(), doc.clone());
                store.insert(
                    "oci-layout".into(),
                    br#"{"imageLayoutVersion":"1.0.0"}"#.to_vec(),
                );
            }
        }
        store.insert(format!("blobs/sha256/{}", resolved[&k].0), doc.clone());
        store.insert(format!("{}.json", resolved[&k].0), doc.clone());
        store.insert(format!("{k}.json"), doc.clone());
    }
    let limits = limits();
    match plan::plan(&store, Layout::Auto, &Selector::default(), &limits) {
        Ok(p) => {
            let _ = crate::source::check_layer_count(&p, &limits);
            p.layers.len() + p.config.layer_history().len()
        }
        Err(_) => 0,
    }
}

fn split<'a>(bytes: &'a [u8], sep: &[u8]) -> Vec<&'a [u8]> {
    let mut out = Vec::new();
    let mut rest = bytes;
    while let Some(i) = memchr::memmem::find(rest, sep) {
        out.push(&rest[..i]);
        rest = &rest[i + sep.len()..];
    }
    out.push(rest);
    out
}

fn replace(bytes: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    split(bytes, from).join(to)
}

/// Parses `bytes` as one rpm header blob (a database record) and builds its package.
/// Returns packages + unknowns.
pub fn rpm_header(bytes: &[u8]) -> usize {
    crate::catalog::rpm::read_header_blob(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalog_file_reaches_the_parsers() {
        let status =
            b"Package: a\nStatus: install ok installed\nVersion: 1.0\nArchitecture: all\n\n";
        assert!(catalog_file(&["dpkg"], "var/lib/dpkg/status", 0o644, status) >= 1);
        let apk = b"P:musl\nV:1.2.4-r2\nA:x86_64\n\n";
        assert!(catalog_file(&["apk"], "lib/apk/db/installed", 0o644, apk) >= 1);
        // A file no cataloger wants is not read at all.
        assert_eq!(catalog_file(&["apk"], "etc/passwd", 0o644, apk), 0);
    }

    /// Every committed seed gets past its parser's front door (else the fuzzer would start
    /// from nothing); see fuzz/make-seeds.py.
    #[test]
    fn seeds_reach_the_parsers() {
        let corpus = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus");
        let seeds = |target: &str| -> Vec<(String, Vec<u8>)> {
            let mut out: Vec<_> = std::fs::read_dir(corpus.join(target))
                .unwrap()
                .map(|e| {
                    let p = e.unwrap().path();
                    (p.display().to_string(), std::fs::read(&p).unwrap())
                })
                .collect();
            out.sort();
            out
        };
        for (name, bytes) in seeds("image_metadata") {
            assert!(image_metadata(&bytes) > 0, "{name}");
        }
        for (name, bytes) in seeds("layer") {
            assert!(layer(&bytes) > 0 || name.ends_with("empty.tar"), "{name}");
        }
        for (name, bytes) in seeds("rpm_header") {
            assert!(rpm_header(&bytes) > 0, "{name}");
        }
        const RPM: [&str; 4] = [
            "var/lib/rpm/rpmdb.sqlite",
            "usr/lib/sysimage/rpm/Packages.db",
            "var/lib/rpm/Packages",
            "var/lib/rpmmanifest/container-manifest-2",
        ];
        for (name, bytes) in seeds("rpmdb") {
            let path = RPM[usize::from(bytes[0]) % 4];
            assert!(
                catalog_file(&["rpm"], path, 0o644, &bytes[1..]) > 0,
                "{name}"
            );
        }
        for (name, bytes) in seeds("go_buildinfo") {
            let n = catalog_file(
                &["go-module-binary-cataloger"],
                "usr/local/bin/app",
                0o755,
                &bytes,
            );
            assert!(n > 0 || name.ends_with(".bin"), "{name}");
        }
        for (name, bytes) in seeds("java_archive") {
            assert!(
                catalog_file(&["java"], "opt/app/lib/app.jar", 0o644, &bytes) > 0,
                "{name}"
            );
        }
    }

    #[test]
    fn image_metadata_resolves_placeholders() {
        let config = br#"{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":["sha256:0000000000000000000000000000000000000000000000000000000000000000"]}}"#;
        let manifest = br#"[{"Config":"@H1@.json","RepoTags":["a:1"],"Layers":["layer.tar"]}]"#;
        let mut input = manifest.to_vec();
        input.extend_from_slice(DOCUMENT_SEPARATOR);
        input.extend_from_slice(config);
        // The config is found by its digest-named path; no panic whatever the outcome.
        let _ = image_metadata(&input);
        assert_eq!(
            split(b"a--b--c", b"--"),
            vec![&b"a"[..], &b"b"[..], &b"c"[..]]
        );
        assert_eq!(replace(b"x@D1@y", b"@D1@", b"sha256:ab"), b"xsha256:aby");
    }
}
