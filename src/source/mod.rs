//! Image sources: `docker save` archives (classic and Docker 25+), OCI image layouts (directory
//! or tar), root filesystem directories, and archives streamed on stdin — each read layer by
//! layer in one streaming pass, layers in parallel where the input can be seeked.
//!
//! [`load`] turns a [`SourceSpec`] into a [`LoadedImage`]: the verified image metadata and one
//! [`LayerTree`] per layer holding every entry's metadata and the bytes of the files the
//! catalogers want. Integrity is not optional: every metadata blob is checked against its
//! descriptor, every layer blob against its descriptor digest (when the archive records one)
//! and against the config's diff_id; a mismatch is an error naming the blob.

pub mod config;
pub mod digest;
pub mod directory;
pub mod layer;
pub mod limits;
pub mod oci;
pub mod pipe;
pub mod plan;
pub mod provenance;
pub mod reference;
pub mod store;
pub mod stream;

use std::collections::HashMap;
use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use rayon::prelude::*;

pub use config::ImageConfig;
pub use digest::Digest;
pub use layer::LayerRead;
pub use limits::Limits;
pub use plan::{ImagePlan, LayerPlan, Layout, Selector, parse_platform};

use crate::fs::{LayerTree, Wants};
use crate::model::{ImageInfo, LayerInfo, SourceKind, Unknown};
use crate::{Error, Result};

type MakeSpec = fn(PathBuf) -> SourceSpec;

/// What to scan, as given on the command line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SourceSpec {
    /// A path whose kind is detected from its content.
    Auto(PathBuf),
    /// `docker-archive:PATH`: a `docker save` tarball.
    DockerArchive(PathBuf),
    /// `oci-archive:PATH`: an OCI image layout in a tar.
    OciArchive(PathBuf),
    /// `oci-dir:PATH`: an OCI image layout directory.
    OciDir(PathBuf),
    /// `dir:PATH`: a root filesystem directory.
    Dir(PathBuf),
    /// `-`: a docker-save or OCI tar (optionally gzip/zstd-compressed) on stdin.
    Stdin,
    /// `registry:HOST/REPO[:TAG][@DIGEST]`: an image pulled from a registry.
    Registry(crate::registry::ImageRef),
}

impl SourceSpec {
    /// Parses `[docker-archive:|oci-archive:|oci-dir:|dir:]PATH`, `registry:REFERENCE` or `-`.
    pub fn parse(s: &str) -> Result<SourceSpec> {
        if s == "-" {
            return Ok(SourceSpec::Stdin);
        }
        let prefixed: [(&str, MakeSpec); 5] = [
            ("docker-archive:", SourceSpec::DockerArchive),
            ("oci-archive:", SourceSpec::OciArchive),
            ("oci-dir:", SourceSpec::OciDir),
            ("oci:", SourceSpec::OciDir),
            ("dir:", SourceSpec::Dir),
        ];
        for (prefix, make) in prefixed {
            if let Some(rest) = s.strip_prefix(prefix) {
                if rest.is_empty() {
                    return Err(Error::Source(format!("{s}: missing path after {prefix}")));
                }
                return Ok(make(PathBuf::from(rest)));
            }
        }
        if let Some(rest) = s.strip_prefix("registry:") {
            return crate::registry::ImageRef::parse(rest)
                .map(SourceSpec::Registry)
                .map_err(Error::Source);
        }
        if s.is_empty() {
            return Err(Error::Source("empty source".into()));
        }
        Ok(SourceSpec::Auto(PathBuf::from(s)))
    }
}

/// Receives progress while layers are read (the CLI draws a bar; the library prints nothing).
pub trait Progress: Sync {
    /// Reading starts: `layers` layers, `bytes` compressed bytes in all when known.
    fn begin(&self, layers: usize, bytes: Option<u64>);
    /// `n` more compressed bytes were read.
    fn advance(&self, n: u64);
    /// One more layer is done.
    fn layer_done(&self);
    /// Reading is over.
    fn end(&self);
}

/// Counts bytes read for a [`Progress`].
pub struct ProgressReader<'p, R> {
    inner: R,
    progress: Option<&'p dyn Progress>,
}

impl<'p, R> ProgressReader<'p, R> {
    /// Wraps `inner`.
    pub fn new(inner: R, progress: Option<&'p dyn Progress>) -> Self {
        ProgressReader { inner, progress }
    }
}

impl<R: Read> Read for ProgressReader<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        if let Some(p) = self.progress {
            p.advance(n as u64);
        }
        Ok(n)
    }
}

/// How much of what an image's metadata promises is checked while it is read.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Verify {
    /// Every blob's digest and size, and every layer's diff_id (the digest of its uncompressed
    /// tar), as `docker load` checks them.
    #[default]
    All,
    /// Every blob's digest and size; a compressed layer's diff_id is taken from the config as
    /// stated, not recomputed. The blob digest pins the bytes, so the layer read is the one
    /// the manifest names; what goes unchecked is that the config's diff_ids describe those
    /// layers, which base-image matching relies on. Saves hashing every uncompressed byte
    /// (about a fifth of the CPU time on gzip layers).
    Blobs,
}

/// Options for [`load`].
#[derive(Default)]
pub struct LoadOptions<'a> {
    /// Which image, when the source holds several.
    pub selector: Selector,
    /// Resource limits.
    pub limits: Limits,
    /// Progress sink.
    pub progress: Option<&'a dyn Progress>,
    /// How to reach registries (for `registry:` sources); `None` means anonymous HTTPS.
    pub registry: Option<&'a crate::registry::ClientOptions>,
    /// What is checked while reading ([`Verify::All`] by default).
    pub verify: Verify,
}

/// An image read from a source: metadata plus one tree per layer.
#[derive(Debug)]
pub struct LoadedImage {
    /// The image.
    pub info: ImageInfo,
    /// Its layers, bottom first.
    pub layers: Vec<LayerInfo>,
    /// What each layer holds.
    pub trees: Vec<LayerTree>,
    /// Non-fatal problems found while reading.
    pub warnings: Vec<Unknown>,
    /// Materials of the BuildKit provenance attestations stored beside the image.
    pub provenance: Vec<provenance::Material>,
}

/// Reads the image `spec` names, capturing the files `wants` selects.
pub fn load(spec: &SourceSpec, wants: &Wants, opts: &LoadOptions<'_>) -> Result<LoadedImage> {
    match spec {
        SourceSpec::Dir(p) => load_dir(p, wants, opts),
        SourceSpec::OciDir(p) => load_store(
            &store::DirStore::new(p),
            Layout::Oci,
            SourceKind::OciDir,
            p,
            wants,
            opts,
        ),
        SourceSpec::DockerArchive(p) => load_archive(p, Layout::Docker, wants, opts),
        SourceSpec::OciArchive(p) => load_archive(p, Layout::Oci, wants, opts),
        SourceSpec::Auto(p) => {
            let md = std::fs::metadata(p).map_err(|e| Error::io(p, e))?;
            if md.is_dir() {
                if p.join("oci-layout").is_file() || p.join("index.json").is_file() {
                    load_store(
                        &store::DirStore::new(p),
                        Layout::Oci,
                        SourceKind::OciDir,
                        p,
                        wants,
                        opts,
                    )
                } else {
                    load_dir(p, wants, opts)
                }
            } else {
                load_archive(p, Layout::Auto, wants, opts)
            }
        }
        SourceSpec::Registry(r) => crate::registry::load(r, wants, opts),
        SourceSpec::Stdin => {
            let stdin = io::stdin().lock();
            load_stream(stdin, "<stdin>", Layout::Auto, Path::new("-"), wants, opts)
        }
    }
}

fn load_dir(p: &Path, wants: &Wants, opts: &LoadOptions<'_>) -> Result<LoadedImage> {
    let (tree, warnings) = directory::load(p, &layer::Capture::new(wants, &opts.limits))?;
    let info = ImageInfo {
        supplier_override: None,
        source_kind: SourceKind::Directory,
        input: p.display().to_string(),
        name: None,
        tag: None,
        manifest_digest: None,
        config_digest: None,
        platform: None,
        created: None,
        base: None,
        annotations: Default::default(),
        config: ImageConfig::default(),
    };
    Ok(LoadedImage {
        info,
        layers: vec![LayerInfo {
            index: 0,
            digest: None,
            diff_id: None,
            media_type: None,
            size: None,
            created_by: None,
        }],
        trees: vec![tree],
        warnings: to_unknowns(0, warnings),
        provenance: Vec::new(),
    })
}

fn load_archive(
    p: &Path,
    layout: Layout,
    wants: &Wants,
    opts: &LoadOptions<'_>,
) -> Result<LoadedImage> {
    let mut f = File::open(p).map_err(|e| Error::io(p, e))?;
    let mut head = [0u8; 512];
    let n = layer::read_head(&mut f, &mut head).map_err(|e| Error::io(p, e))?;
    let name = p.display().to_string();
    match layer::sniff(&head[..n]) {
        Ok(layer::Compression::Gzip | layer::Compression::Zstd) => {
            // A compressed archive cannot be seeked: read it in one pass.
            let f = File::open(p).map_err(|e| Error::io(p, e))?;
            let reader = decompressing(io::BufReader::new(f), &name, &opts.limits)?;
            load_stream(reader, &name, layout, p, wants, opts)
        }
        Ok(layer::Compression::None) if n >= 262 && &head[257..262] == b"ustar" => {
            let store = store::TarStore::index(p)?;
            load_store(&store, layout, SourceKind::OciArchive, p, wants, opts)
        }
        Err(why) => Err(Error::Source(format!("{name}: {why}"))),
        _ => Err(Error::Source(format!(
            "{name}: not a tar archive, an OCI layout or a directory"
        ))),
    }
}

fn decompressing<'r>(
    mut r: io::BufReader<File>,
    name: &str,
    limits: &Limits,
) -> Result<Box<dyn Read + 'r>> {
    use io::BufRead;
    let head = r.fill_buf().map_err(|e| Error::archive(name, e))?;
    // The archive's members are read as they come out, as plain data: a bomb in the outer
    // compression is stopped here, as one in a layer's is by the layer reader.
    Ok(match layer::sniff(head) {
        Ok(layer::Compression::Gzip) => Box::new(
            limits::ratio_guarded(r, |c| Ok(flate2::bufread::MultiGzDecoder::new(c)), limits)
                .map_err(|e| Error::archive(name, e))?,
        ),
        Ok(layer::Compression::Zstd) => Box::new(
            limits::ratio_guarded(r, zstd::Decoder::with_buffer, limits)
                .map_err(|e| Error::archive(name, e))?,
        ),
        _ => Box::new(r),
    })
}

fn load_stream(
    reader: impl Read,
    name: &str,
    layout: Layout,
    input: &Path,
    wants: &Wants,
    opts: &LoadOptions<'_>,
) -> Result<LoadedImage> {
    let mut buffered = io::BufReader::with_capacity(1 << 20, reader);
    let mut head = [0u8; 4];
    let n = {
        use io::BufRead;
        let b = buffered.fill_buf().map_err(|e| Error::archive(name, e))?;
        let n = b.len().min(4);
        head[..n].copy_from_slice(&b[..n]);
        n
    };
    if let Some(p) = opts.progress {
        p.begin(0, None);
    }
    let result = match layer::sniff(&head[..n]) {
        Ok(layer::Compression::Gzip) => stream::load(
            limits::ratio_guarded(
                buffered,
                |c| Ok(flate2::bufread::MultiGzDecoder::new(c)),
                &opts.limits,
            )
            .map_err(|e| Error::archive(name, e))?,
            name,
            layout,
            &opts.selector,
            wants,
            &opts.limits,
            opts.progress,
        ),
        Ok(layer::Compression::Zstd) => stream::load(
            limits::ratio_guarded(buffered, zstd::Decoder::with_buffer, &opts.limits)
                .map_err(|e| Error::archive(name, e))?,
            name,
            layout,
            &opts.selector,
            wants,
            &opts.limits,
            opts.progress,
        ),
        _ => stream::load(
            buffered,
            name,
            layout,
            &opts.selector,
            wants,
            &opts.limits,
            opts.progress,
        ),
    };
    if let Some(p) = opts.progress {
        p.end();
    }
    let (mut plan, reads) = result?;
    if plan.kind == SourceKind::OciDir {
        plan.kind = SourceKind::OciArchive;
    }
    Ok(assemble(plan, reads, input))
}

/// Plans and reads the image in `store` (an OCI layout, an archive, a registry repository).
pub(crate) fn load_store(
    store: &dyn store::BlobStore,
    layout: Layout,
    oci_kind: SourceKind,
    input: &Path,
    wants: &Wants,
    opts: &LoadOptions<'_>,
) -> Result<LoadedImage> {
    let mut plan = plan::plan(store, layout, &opts.selector, &opts.limits)?;
    if plan.kind == SourceKind::OciDir {
        plan.kind = oci_kind;
    }
    check_layer_count(&plan, &opts.limits)?;
    // A blob used by several layers (the common empty layer, or a hostile manifest naming one
    // blob a thousand times) is read once.
    let mut first_use: HashMap<&str, usize> = HashMap::new();
    let mut distinct: Vec<usize> = (0..plan.layers.len())
        .filter(|&i| first_use.insert(plan.layers[i].path.as_str(), i).is_none())
        .collect();
    // Largest first, each to the next free worker: the image is done when its largest layer
    // is, not when a large one happens to start last. Unknown sizes count as large.
    distinct.sort_by_key(|&i| std::cmp::Reverse(plan.layers[i].size.unwrap_or(u64::MAX)));
    let total: Option<u64> = distinct.iter().map(|&i| plan.layers[i].size).sum();
    if let Some(p) = opts.progress {
        p.begin(distinct.len(), total);
    }
    let capture =
        layer::Capture::new(wants, &opts.limits).trusting_diff_ids(opts.verify == Verify::Blobs);
    let reads: Vec<(usize, Result<LayerRead>)> = distinct
        .iter()
        .par_bridge()
        .map(|&i| {
            let lp = &plan.layers[i];
            let read = || -> Result<LayerRead> {
                // Never read more than the descriptor promised (plus one byte, to notice).
                let bound = lp.size.map_or(u64::MAX, |s| s.saturating_add(1));
                let raw = ProgressReader::new(store.open(&lp.path)?.take(bound), opts.progress);
                layer::read_layer(raw, &lp.path, lp.digest.as_ref(), &capture)
            };
            let r = read();
            if let Some(p) = opts.progress {
                p.layer_done();
            }
            (i, r)
        })
        .collect();
    if let Some(p) = opts.progress {
        p.end();
    }
    let mut by_path: HashMap<&str, Result<LayerRead>> = reads
        .into_iter()
        .map(|(i, r)| (plan.layers[i].path.as_str(), r))
        .collect();
    let mut out = Vec::with_capacity(plan.layers.len());
    for (i, lp) in plan.layers.iter().enumerate() {
        let wrap = |e: Error| Error::Layer {
            index: i,
            blob: lp.path.clone(),
            error: Box::new(e),
        };
        let read = match by_path.get(lp.path.as_str()) {
            Some(Ok(r)) => r.clone(),
            _ => match by_path.remove(lp.path.as_str()) {
                Some(Err(e)) => return Err(wrap(e)),
                _ => return Err(wrap(Error::manifest(&lp.path, "was not read"))),
            },
        };
        verify_layer(lp, &read).map_err(wrap)?;
        out.push(read);
    }
    Ok(assemble(plan, out, input))
}

/// Refuses images with more layers than the limit allows.
pub fn check_layer_count(plan: &ImagePlan, limits: &Limits) -> Result<()> {
    if plan.layers.len() > limits.max_layers {
        return Err(Error::Limit {
            what: "manifest".into(),
            reason: format!(
                "{} layers; at most {} are read",
                plan.layers.len(),
                limits.max_layers
            ),
        });
    }
    Ok(())
}

/// Checks a layer's digests and size against what the metadata promised.
pub fn verify_layer(lp: &LayerPlan, read: &LayerRead) -> Result<()> {
    if let Some(d) = &lp.digest
        && *d != read.blob_digest
    {
        return Err(Error::DigestMismatch {
            what: "blob",
            path: lp.path.clone(),
            expected: d.clone(),
            actual: read.blob_digest.clone(),
        });
    }
    if let Some(size) = lp.size
        && size != read.blob_size
    {
        return Err(Error::SizeMismatch {
            path: lp.path.clone(),
            expected: size,
            actual: read.blob_size,
        });
    }
    if let Some(actual) = &read.diff_id
        && lp.diff_id != *actual
    {
        return Err(Error::DigestMismatch {
            what: "layer (uncompressed)",
            path: lp.path.clone(),
            expected: lp.diff_id.clone(),
            actual: actual.clone(),
        });
    }
    Ok(())
}

fn assemble(plan: ImagePlan, reads: Vec<LayerRead>, input: &Path) -> LoadedImage {
    let history = plan.config.layer_history();
    let mut layers = Vec::with_capacity(reads.len());
    let mut trees = Vec::with_capacity(reads.len());
    let mut warnings = Vec::new();
    for (i, (lp, read)) in plan.layers.iter().zip(reads).enumerate() {
        layers.push(LayerInfo {
            index: i as u32,
            digest: Some(read.blob_digest),
            diff_id: Some(read.diff_id.unwrap_or_else(|| lp.diff_id.clone())),
            media_type: lp.media_type.clone(),
            size: Some(read.blob_size),
            created_by: history.get(i).cloned().flatten(),
        });
        warnings.extend(to_unknowns(i, read.warnings));
        trees.push(read.tree);
    }
    let info = ImageInfo {
        supplier_override: None,
        source_kind: plan.kind,
        input: input.display().to_string(),
        name: plan.name,
        tag: plan.tag,
        manifest_digest: plan.manifest_digest,
        config_digest: plan.config_digest,
        platform: plan.platform,
        created: plan.config.created.clone(),
        base: plan.base,
        annotations: plan.annotations,
        config: plan.config,
    };
    LoadedImage {
        info,
        layers,
        trees,
        warnings,
        provenance: plan.provenance,
    }
}

fn to_unknowns(layer: usize, warnings: Vec<String>) -> Vec<Unknown> {
    warnings
        .into_iter()
        .map(|w| Unknown {
            source: "layer-reader".into(),
            location: None,
            reason: format!("layer {layer}: {w}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_specs() {
        assert_eq!(SourceSpec::parse("-").unwrap(), SourceSpec::Stdin);
        assert_eq!(
            SourceSpec::parse("docker-archive:a.tar").unwrap(),
            SourceSpec::DockerArchive("a.tar".into())
        );
        assert_eq!(
            SourceSpec::parse("oci-dir:x").unwrap(),
            SourceSpec::OciDir("x".into())
        );
        assert_eq!(
            SourceSpec::parse("dir:/").unwrap(),
            SourceSpec::Dir("/".into())
        );
        assert_eq!(
            SourceSpec::parse("img.tar").unwrap(),
            SourceSpec::Auto("img.tar".into())
        );
        assert!(SourceSpec::parse("dir:").is_err());
        assert_eq!(
            SourceSpec::parse("registry:localhost:5000/app:1").unwrap(),
            SourceSpec::Registry(crate::registry::ImageRef::parse("localhost:5000/app:1").unwrap())
        );
        assert!(SourceSpec::parse("registry:Bad/Name").is_err());
    }
}
