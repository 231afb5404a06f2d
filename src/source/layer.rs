//! Reading one layer blob in a single streaming pass.
//!
//! blob bytes → SHA-256 (the descriptor digest) → decompressor chosen by magic bytes (gzip,
//! zstd or none; media types are sometimes wrong) → SHA-256 (the config's diff_id) → tar walk.
//! Every entry's metadata is kept; the bytes of wanted files only ([`Wants`], capped by
//! [`Limits::max_file_bytes`]). After the tar's end-of-archive marker the rest of the stream is
//! still read and hashed, so both digests cover every byte. Nothing touches the disk and no
//! layer is ever held in memory whole.
//!
//! Layer format: <https://github.com/opencontainers/image-spec/blob/main/layer.md>.

use std::cell::Cell;
use std::collections::HashMap;
use std::io::{self, BufRead, BufReader, Read};
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use flate2::bufread::MultiGzDecoder;

use super::Limits;
use super::digest::{Algorithm, Digest, DigestReader};
use super::limits::{LimitExceeded, RATIO_FLOOR};
use super::pipe;
use crate::fs::extract::{self, FileView};
use crate::fs::path::{self, PathError};
use crate::fs::{Content, Entry, EntryKind, FileMeta, LayerTree, Wants, whiteout};
use crate::{Error, Result};

/// Longest entry path kept (Linux's PATH_MAX).
pub const MAX_PATH: usize = 4096;

/// How a layer blob is compressed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Compression {
    /// A plain tar.
    None,
    /// gzip (possibly several concatenated members).
    Gzip,
    /// Zstandard.
    Zstd,
}

/// What to capture while layers stream by, and the budget all layers of one image share.
pub struct Capture<'a> {
    /// The wanted globs.
    pub wants: &'a Wants,
    /// The limits in force.
    pub limits: &'a Limits,
    used: AtomicU64,
    /// Uncompressed bytes of all layers read so far ([`Limits::max_total_bytes`]).
    decompressed: AtomicU64,
    /// Entries of all layers read so far ([`Limits::max_entries`]).
    entries: AtomicU64,
    /// Whether a compressed layer whose blob digest is checked goes without its diff_id
    /// ([`super::Verify::Blobs`]).
    trust_diff_ids: bool,
}

impl<'a> Capture<'a> {
    /// A capture with nothing used yet.
    pub fn new(wants: &'a Wants, limits: &'a Limits) -> Self {
        Capture {
            wants,
            limits,
            used: AtomicU64::new(0),
            decompressed: AtomicU64::new(0),
            entries: AtomicU64::new(0),
            trust_diff_ids: false,
        }
    }

    /// With `trust` set, a compressed layer whose blob digest is known (and checked) is not
    /// hashed a second time after decompression: its [`LayerRead::diff_id`] is `None`
    /// ([`super::Verify::Blobs`]).
    pub fn trusting_diff_ids(mut self, trust: bool) -> Self {
        self.trust_diff_ids = trust;
        self
    }

    /// Reserves `n` bytes of the image-wide budget; false when it would be exceeded.
    pub fn reserve(&self, n: u64) -> bool {
        let limit = self.limits.max_captured_bytes;
        self.used
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |u| {
                u.checked_add(n).filter(|t| *t <= limit)
            })
            .is_ok()
    }

    /// The content of a wanted file of `size` bytes, or why it is not kept.
    pub fn admit(&self, size: u64) -> Result<(), Content> {
        if size > self.limits.max_file_bytes {
            return Err(Content::TooLarge {
                size,
                cap: self.limits.max_file_bytes,
            });
        }
        if !self.reserve(size) {
            return Err(Content::Unreadable(format!(
                "not read: the {} bytes of wanted files kept per image are used up",
                self.limits.max_captured_bytes
            )));
        }
        Ok(())
    }
}

/// What one pass over a layer produced.
#[derive(Clone, Debug)]
pub struct LayerRead {
    /// The entries, whiteouts and captured files.
    pub tree: LayerTree,
    /// Digest of the blob as stored.
    pub blob_digest: Digest,
    /// Size of the blob as stored.
    pub blob_size: u64,
    /// Digest of the uncompressed tar; `None` when it was not computed (a compressed layer
    /// read under [`Capture::trusting_diff_ids`]).
    pub diff_id: Option<Digest>,
    /// The compression found.
    pub compression: Compression,
    /// Non-fatal problems (names that are not UTF-8, unreadable hard links), for the SBOM.
    pub warnings: Vec<String>,
}

/// Detects the compression from the first bytes.
pub fn sniff(head: &[u8]) -> Result<Compression, String> {
    match head {
        [0x1f, 0x8b, ..] => Ok(Compression::Gzip),
        [0x28, 0xb5, 0x2f, 0xfd, ..] => Ok(Compression::Zstd),
        [0xfd, b'7', b'z', b'X', b'Z', 0, ..] => {
            Err("xz-compressed layers are not supported".into())
        }
        [b'B', b'Z', b'h', ..] => Err("bzip2-compressed layers are not supported".into()),
        _ => Ok(Compression::None),
    }
}

/// Reads up to `buf.len()` bytes, fewer only at the end of the stream (a pipe may return short
/// reads, so one `read` is not enough to see the magic bytes).
pub fn read_head(r: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

/// The decompressed stream of one layer, failing once a limit is passed: the layer's size
/// ([`Limits::max_layer_bytes`]), all layers' size ([`Limits::max_total_bytes`]) or, for a
/// compressed layer past [`RATIO_FLOOR`], the decompression ratio ([`Limits::max_ratio`]).
struct LimitReader<'c, R> {
    inner: R,
    produced: u64,
    /// Compressed bytes the decoder consumed (`None` for a plain tar).
    consumed: Option<Rc<Cell<u64>>>,
    /// The compression's name, for its errors (`None` for a plain tar).
    codec: Option<&'static str>,
    cap: &'c Capture<'c>,
}

impl<R: Read> Read for LimitReader<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = match (self.inner.read(buf), self.codec) {
            (Ok(n), _) => n,
            // The decoder's own errors, told apart from the tar reader's.
            (Err(e), Some(codec)) if e.kind() != io::ErrorKind::Interrupted => {
                return Err(io::Error::other(BadStream(format!(
                    "invalid {codec} data: {e}"
                ))));
            }
            (Err(e), _) => return Err(e),
        };
        let limits = self.cap.limits;
        let hit = |why: String| Err(io::Error::other(LimitHit(why)));
        self.produced += n as u64;
        if self.produced > limits.max_layer_bytes {
            return hit(format!(
                "uncompressed layer exceeds {} bytes (limit layer-bytes)",
                limits.max_layer_bytes
            ));
        }
        let total = self.cap.decompressed.fetch_add(n as u64, Ordering::Relaxed) + n as u64;
        if total > limits.max_total_bytes {
            return hit(format!(
                "the image's uncompressed layers exceed {} bytes together (limit total-bytes)",
                limits.max_total_bytes
            ));
        }
        if let Some(consumed) = &self.consumed
            && limits.max_ratio > 0
            && self.produced > RATIO_FLOOR
            && self.produced / consumed.get().max(1) > limits.max_ratio
        {
            return hit(format!(
                "decompression bomb: {} bytes inflated from {} (more than {}:1, limit ratio)",
                self.produced,
                consumed.get(),
                limits.max_ratio
            ));
        }
        Ok(n)
    }
}

/// Counts the compressed bytes a decoder consumes, for the ratio check.
struct CountingBufRead<B> {
    inner: B,
    consumed: Rc<Cell<u64>>,
}

impl<B: BufRead> Read for CountingBufRead<B> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.consumed.set(self.consumed.get() + n as u64);
        Ok(n)
    }
}

impl<B: BufRead> BufRead for CountingBufRead<B> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        self.inner.fill_buf()
    }

    fn consume(&mut self, amt: usize) {
        self.consumed.set(self.consumed.get() + amt as u64);
        self.inner.consume(amt);
    }
}

/// A decompression error, as opposed to a damaged tar inside a sound stream.
#[derive(Debug)]
struct BadStream(String);

impl std::fmt::Display for BadStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for BadStream {}

#[derive(Debug)]
struct LimitHit(String);

impl std::fmt::Display for LimitHit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for LimitHit {}

/// Turns an I/O error from the decompress/tar chain into our error, naming the blob.
fn stream_error(blob: &str, e: io::Error) -> Error {
    // A bomb in the compression around the whole archive, noticed while this blob was read.
    if let Some(reason) = super::limits::exceeded(&e) {
        return Error::Limit {
            what: blob.to_owned(),
            reason,
        };
    }
    if let Some(hit) = e.get_ref().and_then(|i| i.downcast_ref::<LimitHit>()) {
        return Error::Limit {
            what: blob.to_owned(),
            reason: hit.to_string(),
        };
    }
    Error::archive(blob, format!("corrupt layer: {e}"))
}

/// An error while reading the entry `path`: a limit hit stays one (the entry is only where
/// the stream happened to be), anything else is a corrupt layer naming the entry.
fn entry_error(blob: &str, path: &str, e: io::Error) -> Error {
    if e.get_ref()
        .is_some_and(|i| i.is::<LimitHit>() || i.is::<LimitExceeded>())
    {
        return stream_error(blob, e);
    }
    stream_error(
        blob,
        io::Error::new(e.kind(), format!("reading /{path}: {e}")),
    )
}

/// An error reading the next tar header: a truncated layer or a damaged header, said with
/// the entry it follows.
fn header_error(blob: &str, last: Option<&str>, e: io::Error) -> Error {
    if e.get_ref()
        .is_some_and(|i| i.is::<LimitHit>() || i.is::<BadStream>() || i.is::<LimitExceeded>())
    {
        return stream_error(blob, e);
    }
    let text = e.to_string();
    // The tar crate reports a short read as "unexpected EOF during skip" or "failed to read
    // entire block" (kind Other).
    let truncated = e.kind() == io::ErrorKind::UnexpectedEof
        || text.contains("unexpected EOF")
        || text.contains("failed to read entire block");
    let name = |p: &str| p.trim_start_matches('/').to_owned();
    Error::archive(
        blob,
        match (truncated, last) {
            (true, Some(p)) => format!(
                "truncated: the layer ends inside entry /{} ({text})",
                name(p)
            ),
            (true, None) => format!("truncated: the layer ends inside its first header ({text})"),
            (false, Some(p)) => format!(
                "corrupt layer: {text} (the header after entry /{})",
                name(p)
            ),
            (false, None) => format!("corrupt layer: {text} (the first header)"),
        },
    )
}

/// The blob stream after the sniffed bytes are put back in front of it.
type Input<R> = io::Chain<io::Cursor<Vec<u8>>, BufReader<DigestReader<R>>>;
/// What the tar side of a layer produces: entries, warnings, and the diff_id unless the tar
/// is the blob itself.
type Walked = Result<(LayerTree, Vec<String>, Option<Digest>)>;

/// Reads one layer blob. `blob` is the name used in messages; `expected` the descriptor's
/// digest, when known, so that a blob that fails to decompress because it was altered is
/// reported as the digest mismatch it is.
///
/// The blob digest and the decompression run on a second thread, the diff_id and the tar walk
/// on this one ([`pipe`]).
pub fn read_layer(
    raw: impl Read + Send,
    blob: &str,
    expected: Option<&Digest>,
    cap: &Capture<'_>,
) -> Result<LayerRead> {
    read_layer_via(raw, blob, expected, cap, |input, compression, walk_tar| {
        pipe::run(
            input,
            |input, fill| match decoder(input, compression, cap) {
                Ok(mut d) => fill.pump(&mut d),
                Err(e) => fill.fail(e),
            },
            |bytes| walk_tar(bytes),
        )
    })
}

/// [`read_layer`] on this thread only, for a blob that cannot be handed to another thread (a
/// member of an archive read from a stream).
pub fn read_layer_inline(
    raw: impl Read,
    blob: &str,
    expected: Option<&Digest>,
    cap: &Capture<'_>,
) -> Result<LayerRead> {
    read_layer_via(
        raw,
        blob,
        expected,
        cap,
        |mut input, compression, walk_tar| {
            let walked = match decoder(&mut input, compression, cap) {
                Ok(mut d) => walk_tar(&mut d),
                Err(e) => Err(stream_error(blob, e)),
            };
            (input, walked)
        },
    )
}

/// The decompressor for `compression` over `input`, held to the layer, image and ratio
/// limits ([`LimitReader`]).
fn decoder<'a>(
    input: impl io::BufRead + 'a,
    compression: Compression,
    cap: &'a Capture<'a>,
) -> io::Result<Box<dyn Read + 'a>> {
    let consumed = Rc::new(Cell::new(0u64));
    let counted = CountingBufRead {
        inner: input,
        consumed: consumed.clone(),
    };
    let (inner, codec): (Box<dyn Read + 'a>, _) = match compression {
        Compression::Gzip => (Box::new(MultiGzDecoder::new(counted)), Some("gzip")),
        Compression::Zstd => (Box::new(zstd::Decoder::with_buffer(counted)?), Some("zstd")),
        Compression::None => (Box::new(counted), None),
    };
    Ok(Box::new(LimitReader {
        inner,
        produced: 0,
        consumed: codec.map(|_| consumed),
        codec,
        cap,
    }))
}

/// The shared part of [`read_layer`] and [`read_layer_inline`]: `run` decompresses `input`
/// and feeds the bytes to the tar walk it is given, then hands `input` back.
fn read_layer_via<R: Read>(
    raw: R,
    blob: &str,
    expected: Option<&Digest>,
    cap: &Capture<'_>,
    run: impl FnOnce(
        Input<R>,
        Compression,
        &mut dyn FnMut(&mut dyn Read) -> Walked,
    ) -> (Input<R>, Walked),
) -> Result<LayerRead> {
    let algorithm = expected.map_or(Algorithm::Sha256, Digest::algorithm);
    let mut buffered = BufReader::with_capacity(256 << 10, DigestReader::new(raw, algorithm));
    let mut head = [0u8; 8];
    let n = read_head(&mut buffered, &mut head).map_err(|e| stream_error(blob, e))?;
    let compression = sniff(&head[..n]).map_err(|why| Error::archive(blob, why))?;
    // Put the sniffed bytes back in front of the stream.
    let input = io::Cursor::new(head[..n].to_vec()).chain(buffered);
    // An uncompressed blob is its own tar: its digest is the diff_id, hashed once.
    let same_bytes = compression == Compression::None && algorithm == Algorithm::Sha256;
    // A compressed blob whose digest is checked pins the uncompressed bytes too: the caller may
    // trust the config's diff_id instead of hashing them again.
    let trusted = cap.trust_diff_ids && expected.is_some() && compression != Compression::None;
    let mut walk_tar = |tar_bytes: &mut dyn Read| -> Walked {
        let hashing = if same_bytes || trusted {
            DigestReader::counting(tar_bytes)
        } else {
            DigestReader::new(tar_bytes, Algorithm::Sha256)
        };
        let mut archive = tar::Archive::new(TarGuard::new(hashing));
        let (tree, mut warnings) = walk(&mut archive, blob, cap)?;
        let guard = archive.into_inner();
        // Still following headers at the end: no zero block came (a damaged header would
        // have stopped the watching, and the tar crate would have refused it).
        if guard.watching {
            warnings.push(format!(
                "{blob}: the layer ends without the tar end-of-archive marker (truncated?)"
            ));
        }
        let (diff_id, _) = guard.into_inner().finish_optional().map_err(|e| {
            if e.get_ref()
                .is_some_and(|i| i.is::<LimitHit>() || i.is::<LimitExceeded>())
            {
                return stream_error(blob, e);
            }
            Error::archive(
                blob,
                format!(
                    "corrupt layer: the data after the tar archive cannot be decompressed: {e}"
                ),
            )
        })?;
        Ok((tree, warnings, diff_id))
    };
    let (input, walked) = run(input, compression, &mut walk_tar);
    let (_, buffered) = input.into_inner();
    let hashed = buffered.into_inner().finish();
    let (tree, warnings, diff_id) = match walked {
        Ok(w) => w,
        Err(e) => {
            // An altered blob often fails to decompress before its digest can be compared:
            // name the real cause.
            if let (Some(exp), Ok((actual, _))) = (expected, &hashed)
                && actual != exp
            {
                return Err(Error::DigestMismatch {
                    what: "blob",
                    path: blob.to_owned(),
                    expected: exp.clone(),
                    actual: actual.clone(),
                });
            }
            return Err(e);
        }
    };
    let (blob_digest, blob_size) =
        hashed.map_err(|e| Error::archive(blob, format!("reading blob: {e}")))?;
    // Not hashed when it is the blob itself, or when it is trusted.
    let diff_id = match (diff_id, trusted) {
        (Some(d), _) => Some(d),
        (None, true) => None,
        (None, false) => Some(blob_digest.clone()),
    };
    Ok(LayerRead {
        tree,
        blob_digest,
        blob_size,
        diff_id,
        compression,
        warnings,
    })
}

fn walk<R: Read>(
    archive: &mut tar::Archive<R>,
    blob: &str,
    cap: &Capture<'_>,
) -> Result<(LayerTree, Vec<String>)> {
    let limits = cap.limits;
    let mut tree = LayerTree::default();
    let mut warnings = Vec::new();
    // Captured bytes of this layer by path, for hard links to earlier entries.
    let mut captured: HashMap<String, Arc<[u8]>> = HashMap::new();
    // The sniffer's buffer, reused: most files it reads are not kept.
    let mut scratch = Vec::new();
    // The last entry name seen, to say where a damaged archive breaks.
    let mut last: Option<String> = None;
    for entry in archive.entries().map_err(|e| stream_error(blob, e))? {
        let mut entry = entry.map_err(|e| header_error(blob, last.as_deref(), e))?;
        // Image-wide: every entry's metadata is kept until the SBOM is written.
        if cap.entries.fetch_add(1, Ordering::Relaxed) >= limits.max_entries {
            return Err(Error::Limit {
                what: blob.to_owned(),
                reason: format!("more than {} entries (limit entries)", limits.max_entries),
            });
        }
        let raw_name = entry.path_bytes().into_owned();
        last = Some(String::from_utf8_lossy(&raw_name).into_owned());
        let normal = match path::normalize(&raw_name) {
            Ok(p) => p,
            Err(PathError::Traversal) => {
                return Err(Error::archive(
                    blob,
                    format!(
                        "entry {:?} escapes the image root (path traversal)",
                        String::from_utf8_lossy(&raw_name)
                    ),
                ));
            }
        };
        if normal.lossy {
            warnings.push(format!(
                "entry name is not valid UTF-8: {:?} (recorded as /{})",
                String::from_utf8_lossy(&raw_name),
                normal.path
            ));
        }
        if normal.path.is_empty() {
            continue;
        }
        // Linux refuses longer paths (ENAMETOOLONG), so no runtime extracts such an entry; and
        // resolving it would cost time quadratic in its length.
        if normal.path.len() > MAX_PATH {
            warnings.push(format!(
                "entry name of {} bytes exceeds PATH_MAX ({MAX_PATH}); skipped",
                normal.path.len()
            ));
            continue;
        }
        match whiteout::classify(&normal.path) {
            Some(Ok(w)) => {
                tree.whiteouts.push(w);
                continue;
            }
            Some(Err(())) => continue,
            None => {}
        }
        let header = entry.header();
        let kind = match header.entry_type() {
            tar::EntryType::Regular | tar::EntryType::Continuous | tar::EntryType::GNUSparse => {
                EntryKind::File
            }
            tar::EntryType::Directory => EntryKind::Dir,
            tar::EntryType::Symlink => EntryKind::Symlink,
            tar::EntryType::Link => EntryKind::Hardlink,
            tar::EntryType::Char => EntryKind::CharDevice,
            tar::EntryType::Block => EntryKind::BlockDevice,
            tar::EntryType::Fifo => EntryKind::Fifo,
            // PAX global headers (`git archive` writes one) carry defaults, not files.
            tar::EntryType::XGlobalHeader => continue,
            other => {
                warnings.push(format!(
                    "entry /{} has unsupported tar type {:?} (0x{:02x}); skipped",
                    normal.path,
                    char::from(other.as_byte()),
                    other.as_byte()
                ));
                continue;
            }
        };
        let link = match kind {
            EntryKind::Symlink => entry
                .link_name_bytes()
                .map(|b| String::from_utf8_lossy(&b).into_owned()),
            EntryKind::Hardlink => {
                let target = entry.link_name_bytes().unwrap_or_default().into_owned();
                match path::normalize(&target) {
                    Ok(t) => Some(t.path),
                    Err(PathError::Traversal) => {
                        return Err(Error::archive(
                            blob,
                            format!(
                                "hard link /{} points outside the image root ({:?})",
                                normal.path,
                                String::from_utf8_lossy(&target)
                            ),
                        ));
                    }
                }
            }
            _ => None,
        };
        let meta = FileMeta {
            kind,
            mode: header.mode().unwrap_or(0) & 0o7777,
            uid: header.uid().unwrap_or(0),
            gid: header.gid().unwrap_or(0),
            size: entry.size(),
            link,
        };
        let content = if cap.wants.is_wanted(&normal.path) {
            match kind {
                EntryKind::File => Some(capture(&mut entry, blob, &normal.path, meta.size, cap)?),
                EntryKind::Hardlink => {
                    let target = meta.link.as_deref().unwrap_or("");
                    Some(match captured.get(target) {
                        Some(bytes) => Content::Bytes(bytes.clone()),
                        None => Content::Unreadable(format!(
                            "hard link to /{target}, whose content was not captured"
                        )),
                    })
                }
                _ => None,
            }
        } else if kind == EntryKind::File && cap.wants.sniffs(&normal.path, meta.size) {
            sniff_entry(&mut entry, blob, &normal.path, cap, &mut scratch)?
        } else if kind == EntryKind::File && cap.wants.extracts(&normal.path, meta.size, meta.mode)
        {
            extract_entry(&mut entry, blob, &normal.path, &meta, cap, &mut scratch)?
        } else {
            None
        };
        if let Some(Content::Bytes(b)) = &content {
            captured.insert(normal.path.clone(), b.clone());
        }
        tree.entries.push(Entry {
            path: normal.path,
            meta,
            content,
        });
    }
    Ok((tree, warnings))
}

fn capture<R: Read>(
    entry: &mut tar::Entry<'_, R>,
    blob: &str,
    path: &str,
    size: u64,
    cap: &Capture<'_>,
) -> Result<Content> {
    if let Err(not_kept) = cap.admit(size) {
        return Ok(not_kept);
    }
    let mut buf = Vec::with_capacity(size as usize);
    entry
        .take(cap.limits.max_file_bytes)
        .read_to_end(&mut buf)
        .map_err(|e| entry_error(blob, path, e))?;
    Ok(Content::Bytes(Arc::from(buf)))
}

/// Reads a file the sniffer looks at ([`Wants::sniffs`]) into `scratch`; keeps a copy, out
/// of the image-wide budget, when [`Wants::keeps`] says so.
fn sniff_entry<R: Read>(
    entry: &mut tar::Entry<'_, R>,
    blob: &str,
    path: &str,
    cap: &Capture<'_>,
    scratch: &mut Vec<u8>,
) -> Result<Option<Content>> {
    scratch.clear();
    entry
        .take(cap.wants.sniff_max_bytes())
        .read_to_end(scratch)
        .map_err(|e| entry_error(blob, path, e))?;
    Ok(keep_sniffed(path, scratch, cap))
}

/// Reads the first bytes of a file some extractor looks at ([`Wants::extracts`]) and, when
/// an extractor's check passes, the parts of it the extractors need (or the rest of it) into
/// `scratch`; records what the extractors kept.
fn extract_entry<R: Read>(
    entry: &mut tar::Entry<'_, R>,
    blob: &str,
    path: &str,
    meta: &FileMeta,
    cap: &Capture<'_>,
    scratch: &mut Vec<u8>,
) -> Result<Option<Content>> {
    let kept =
        read_extracted(entry, path, meta, cap, scratch).map_err(|e| entry_error(blob, path, e));
    // Only the summary outlives this file: a large buffer is not kept for the rest of the layer.
    if scratch.capacity() > SCRATCH_KEEP {
        *scratch = Vec::new();
    }
    kept
}

/// The extractors' part of a file, from a reader at its start (a tar entry, a file on disk):
/// its first [`extract::HEAD`] bytes for their checks; then, when one passes, the first
/// [`extract::PREFIX`] bytes, from which they say which byte ranges they need
/// ([`Wants::extract_windows`]); then just those ranges as the file streams by (or the whole
/// file, for an extractor without windows). `scratch` holds the file's start and is reused.
pub(crate) fn read_extracted(
    r: &mut impl Read,
    path: &str,
    meta: &FileMeta,
    cap: &Capture<'_>,
    scratch: &mut Vec<u8>,
) -> io::Result<Option<Content>> {
    scratch.clear();
    r.by_ref().take(extract::HEAD as u64).read_to_end(scratch)?;
    let max = cap.wants.extract_magic(path, meta.mode, scratch);
    if max == 0 {
        return Ok(None);
    }
    if meta.size > max {
        // Recorded as over the cap; the head is enough to say which extractor skipped it.
        let view = FileView::sparse(meta.size, vec![(0, &scratch[..])]);
        return Ok(keep_extracted(path, meta, &view, cap));
    }
    r.by_ref()
        .take((extract::PREFIX - extract::HEAD) as u64)
        .read_to_end(scratch)?;
    let Some(windows) = cap
        .wants
        .extract_windows(path, meta.mode, scratch, meta.size)
    else {
        // Exactly the file: no doubling of a buffer that may hold a 500 MB binary.
        scratch.reserve_exact(usize::try_from(meta.size).unwrap_or(0));
        r.take(max).read_to_end(scratch)?;
        return Ok(keep_extracted(path, meta, &FileView::whole(scratch), cap));
    };
    let mut pos = scratch.len() as u64;
    let mut later: Vec<(u64, Vec<u8>)> = Vec::new();
    for w in windows {
        if w.end <= pos {
            continue;
        }
        if w.start <= pos && later.is_empty() {
            // The window holding the prefix grows the prefix, so that it stays one part.
            r.by_ref().take(w.end - pos).read_to_end(scratch)?;
            pos = scratch.len() as u64;
            continue;
        }
        // Parts start 16-aligned, as in the file, for the parsers' aligned reads.
        let start = (w.start & !15).max(pos);
        io::copy(&mut r.by_ref().take(start - pos), &mut io::sink())?;
        let mut part = Vec::with_capacity(usize::try_from(w.end - start).unwrap_or(0));
        r.by_ref().take(w.end - start).read_to_end(&mut part)?;
        pos = start + part.len() as u64;
        later.push((start, part));
    }
    let mut parts = vec![(0, &scratch[..])];
    parts.extend(later.iter().map(|(at, b)| (*at, &b[..])));
    Ok(keep_extracted(
        path,
        meta,
        &FileView::sparse(meta.size, parts),
        cap,
    ))
}

/// The largest read buffer kept between files of one layer.
const SCRATCH_KEEP: usize = 16 << 20;

/// The content to record for a file extractors looked at: their summaries, charged to the
/// image-wide budget.
pub(crate) fn keep_extracted(
    path: &str,
    meta: &FileMeta,
    view: &FileView<'_>,
    cap: &Capture<'_>,
) -> Option<Content> {
    let mut found = super::limits::with_scoped(cap.limits, || {
        cap.wants.extract(path, meta.mode, meta.size, view)
    })?;
    for (_, result) in &mut found.0 {
        if let Ok(summary) = result
            && !cap.reserve(summary.len() as u64)
        {
            *result = Err(format!(
                "not kept: the {} bytes of wanted files kept per image are used up",
                cap.limits.max_captured_bytes
            ));
        }
    }
    Some(Content::Extracted(found))
}

/// The content to record for a sniffed file: its bytes when the check keeps them and the
/// budget allows, nothing when the check does not.
pub(crate) fn keep_sniffed(path: &str, bytes: &[u8], cap: &Capture<'_>) -> Option<Content> {
    if !cap.wants.keeps(path, bytes) {
        return None;
    }
    Some(if cap.reserve(bytes.len() as u64) {
        Content::Bytes(Arc::from(bytes))
    } else {
        Content::Unreadable(format!(
            "not kept: the {} bytes of wanted files kept per image are used up",
            cap.limits.max_captured_bytes
        ))
    })
}

/// Largest tar extension record (GNU long name or link, PAX header) accepted: the `tar` crate
/// reads these whole into memory, so a 1 KB layer could otherwise ask for gigabytes.
pub const MAX_EXTENSION: u64 = 1 << 20;

/// Watches the tar stream on its way to the `tar` crate and refuses oversized extension
/// records (see [`MAX_EXTENSION`]) before the crate buffers them. It follows the header chain
/// (512-byte header, then the data rounded up to 512); a header whose checksum does not add up
/// ends the watching, so that it never misreads data as a header.
struct TarGuard<R> {
    inner: R,
    pos: u64,
    next_header: u64,
    header: [u8; 512],
    watching: bool,
}

impl<R> TarGuard<R> {
    fn new(inner: R) -> Self {
        TarGuard {
            inner,
            pos: 0,
            next_header: 0,
            header: [0; 512],
            watching: true,
        }
    }

    fn into_inner(self) -> R {
        self.inner
    }

    fn observe(&mut self, bytes: &[u8]) -> io::Result<()> {
        let mut at = self.pos;
        let end = self.pos + bytes.len() as u64;
        while self.watching && at < end {
            let header_end = self.next_header + 512;
            if at < self.next_header {
                at = self.next_header.min(end);
                continue;
            }
            let from = (at - self.pos) as usize;
            let to = (header_end.min(end) - self.pos) as usize;
            let off = (at - self.next_header) as usize;
            self.header[off..off + (to - from)].copy_from_slice(&bytes[from..to]);
            at = header_end.min(end);
            if at == header_end {
                self.check_header()?;
            }
        }
        self.pos = end;
        Ok(())
    }

    fn check_header(&mut self) -> io::Result<()> {
        let h = &self.header;
        if h.iter().all(|&b| b == 0) {
            // End of archive: what follows is padding.
            self.watching = false;
            return Ok(());
        }
        // The checksum counts its own field as spaces.
        let mut sum = byte_sum(h) + 8 * 32;
        for &b in &h[148..156] {
            sum -= u32::from(b);
        }
        let recorded = octal(&h[148..156]);
        let size = if h[124] & 0x80 != 0 {
            // base-256, big-endian in the remaining bytes
            h[125..136].iter().fold(0u64, |acc, &b| {
                acc.saturating_mul(256).saturating_add(u64::from(b))
            })
        } else {
            octal(&h[124..136]).unwrap_or(u64::MAX)
        };
        if recorded != Some(u64::from(sum)) {
            self.watching = false;
            return Ok(());
        }
        let kind = h[156];
        if matches!(kind, b'L' | b'K' | b'x' | b'g') && size > MAX_EXTENSION {
            return Err(io::Error::other(LimitHit(format!(
                "tar extension record (type {}) of {size} bytes exceeds {MAX_EXTENSION}",
                kind as char
            ))));
        }
        self.next_header = self
            .next_header
            .saturating_add(512)
            .saturating_add(size.saturating_add(511) / 512 * 512);
        Ok(())
    }
}

/// The sum of `bytes`, eight at a time: this runs once per entry and a layer may hold
/// millions, so it is kept cheap even in an unoptimised build.
fn byte_sum(bytes: &[u8]) -> u32 {
    const LOW_BYTES: u64 = 0x00ff_00ff_00ff_00ff;
    const LOW_PAIRS: u64 = 0x0000_ffff_0000_ffff;
    let mut sum = 0u64;
    let mut chunks = bytes.chunks_exact(8);
    for chunk in &mut chunks {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let x = u64::from_le_bytes(word);
        let pairs = (x & LOW_BYTES) + ((x >> 8) & LOW_BYTES);
        let quads = (pairs & LOW_PAIRS) + ((pairs >> 16) & LOW_PAIRS);
        sum += (quads & 0xffff_ffff) + (quads >> 32);
    }
    for &b in chunks.remainder() {
        sum += u64::from(b);
    }
    u32::try_from(sum).unwrap_or(u32::MAX)
}

/// Parses a NUL/space-terminated octal field.
fn octal(field: &[u8]) -> Option<u64> {
    let text: Vec<u8> = field
        .iter()
        .copied()
        .skip_while(|b| *b == b' ')
        .take_while(|b| (b'0'..=b'7').contains(b))
        .collect();
    if text.is_empty() {
        return None;
    }
    u64::from_str_radix(std::str::from_utf8(&text).ok()?, 8).ok()
}

impl<R: Read> Read for TarGuard<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        if self.watching {
            self.observe(&buf[..n])?;
        } else {
            self.pos += n as u64;
        }
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn tar_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
        let mut b = tar::Builder::new(Vec::new());
        for (name, data) in entries {
            let mut h = tar::Header::new_gnu();
            h.set_size(data.len() as u64);
            h.set_mode(0o644);
            h.set_entry_type(tar::EntryType::Regular);
            b.append_data(&mut h, name, *data).unwrap();
        }
        b.into_inner().unwrap()
    }

    fn wants() -> Wants {
        Wants::new(&[&["etc/os-release", "big", "big*"]]).unwrap()
    }

    fn read(data: &[u8], blob: &str, limits: &Limits) -> Result<LayerRead> {
        let w = wants();
        read_layer(data, blob, None, &Capture::new(&w, limits))
    }

    #[test]
    fn reads_plain_gzip_and_zstd_with_the_same_diff_id() {
        let tar = tar_of(&[("etc/os-release", b"ID=alpine\n"), ("bin/sh", b"elf")]);
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(&tar).unwrap();
        let gz = gz.finish().unwrap();
        let zst = zstd::encode_all(&tar[..], 1).unwrap();
        let plain = read(&tar[..], "p", &Limits::default()).unwrap();
        let g = read(&gz[..], "g", &Limits::default()).unwrap();
        let z = read(&zst[..], "z", &Limits::default()).unwrap();
        assert_eq!(plain.compression, Compression::None);
        assert_eq!(g.compression, Compression::Gzip);
        assert_eq!(z.compression, Compression::Zstd);
        assert_eq!(plain.diff_id, Some(Digest::sha256_of(&tar)));
        assert_eq!(g.diff_id, plain.diff_id);
        assert_eq!(z.diff_id, plain.diff_id);
        assert_eq!(g.blob_digest, Digest::sha256_of(&gz));
        assert_eq!(g.blob_size, gz.len() as u64);
        assert_eq!(plain.tree.entries.len(), 2);
        let os = &plain.tree.entries[0];
        assert_eq!(
            os.content,
            Some(Content::Bytes(Arc::from(&b"ID=alpine\n"[..])))
        );
        assert_eq!(plain.tree.entries[1].content, None);
    }

    /// Keeps the 4 bytes after `MAGIC!` of files that start with `MAGIC`.
    static TEST_EXTRACTOR: crate::fs::Extractor = crate::fs::Extractor {
        name: "test-cataloger",
        include: &["**"],
        executable_only: true,
        max_bytes: 1000,
        magic: |head| head.starts_with(b"MAGIC"),
        windows: None,
        extract: |view| {
            let bytes = view.bytes().unwrap_or_default();
            let Some(i) = bytes.windows(6).position(|w| w == b"MAGIC!") else {
                return Ok(None);
            };
            bytes
                .get(i + 6..i + 10)
                .map(|v| Some(v.to_vec()))
                .ok_or_else(|| "truncated".to_owned())
        },
    };

    #[test]
    fn extractors_keep_summaries_of_files_recognised_by_content() {
        let mut b = tar::Builder::new(Vec::new());
        let mut big = b"MAGIC".to_vec();
        big.resize(2000, 0);
        for (name, mode, data) in [
            ("usr/bin/a", 0o755, &b"MAGIC + padding MAGIC!1234 rest"[..]),
            ("usr/bin/plain", 0o755, b"MAGIC but no marker"),
            ("usr/bin/short", 0o755, b"MAGIC!12"),
            ("usr/lib/not-exec", 0o644, b"MAGIC!abcd"),
            ("usr/bin/other", 0o755, b"ELF whatever MAGIC!wxyz"),
            ("usr/bin/big", 0o755, &big[..]),
        ] {
            let mut h = tar::Header::new_gnu();
            h.set_size(data.len() as u64);
            h.set_mode(mode);
            h.set_entry_type(tar::EntryType::Regular);
            b.append_data(&mut h, name, data).unwrap();
        }
        let tar = b.into_inner().unwrap();
        let w = wants().with_extractor(0, &TEST_EXTRACTOR).unwrap();
        let r = read_layer(&tar[..], "x", None, &Capture::new(&w, &Limits::default())).unwrap();
        let got: Vec<(&str, Option<crate::fs::extract::Summary>)> = r
            .tree
            .entries
            .iter()
            .map(|e| {
                let x = match &e.content {
                    Some(Content::Extracted(x)) => x.get("test-cataloger"),
                    None => None,
                    other => panic!("{other:?}"),
                };
                (e.path.as_str(), x)
            })
            .collect();
        assert_eq!(
            got,
            [
                ("usr/bin/a", Some(Ok(Arc::from(&b"1234"[..])))),
                ("usr/bin/plain", None),
                ("usr/bin/short", Some(Err("truncated".to_owned()))),
                ("usr/lib/not-exec", None),
                ("usr/bin/other", None),
                (
                    "usr/bin/big",
                    Some(Err(
                        "not read: 2000 bytes exceeds the test-cataloger cap of 1000 bytes"
                            .to_owned()
                    ))
                ),
            ]
        );
        // The squashed view hands the summaries to the cataloger, in path order.
        let trees = [r.tree];
        let fs = crate::fs::LayeredFs::squashed(&trees);
        use crate::fs::FileResolver;
        let found: Vec<String> = fs
            .extracted("test-cataloger")
            .into_iter()
            .map(|(l, _)| l.path.to_string())
            .collect();
        assert_eq!(found, ["usr/bin/a", "usr/bin/big", "usr/bin/short"]);
        assert_eq!(
            fs.read(&crate::fs::Location::new("usr/bin/a", 0)),
            Err(crate::fs::ReadError::NotCaptured)
        );
    }

    #[test]
    fn caps_large_files() {
        let tar = tar_of(&[("big", &[0u8; 100])]);
        let limits = Limits {
            max_file_bytes: 10,
            ..Limits::default()
        };
        let r = read(&tar[..], "b", &limits).unwrap();
        assert_eq!(
            r.tree.entries[0].content,
            Some(Content::TooLarge { size: 100, cap: 10 })
        );
    }

    #[test]
    fn refuses_traversal() {
        let mut tar = tar_of(&[("xx/passwd", b"root")]);
        // Rewrite the name in the header to "../passwd" and fix the checksum.
        tar[..9].copy_from_slice(b"../passwd");
        let mut h = tar::Header::new_old();
        h.as_mut_bytes().copy_from_slice(&tar[..512]);
        h.set_cksum();
        tar[..512].copy_from_slice(h.as_bytes());
        let err = read(&tar[..], "blobs/sha256/x", &Limits::default()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "blobs/sha256/x: entry \"../passwd\" escapes the image root (path traversal)"
        );
    }

    #[test]
    fn uncompressed_limit() {
        let tar = tar_of(&[("a", &[1u8; 4096])]);
        let limits = Limits {
            max_layer_bytes: 1000,
            ..Limits::default()
        };
        let err = read(&tar[..], "l", &limits).unwrap_err();
        assert!(matches!(err, Error::Limit { .. }), "{err}");
    }

    #[test]
    fn corrupt_gzip_is_an_error_naming_the_blob() {
        let data = [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff];
        let err = read(&data[..], "blobs/sha256/bad", &Limits::default()).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("blobs/sha256/bad: corrupt layer"),
            "{err}"
        );
    }

    #[test]
    fn long_names_are_fine_but_huge_ones_are_refused() {
        let name = format!("{}/os-release", "d".repeat(300));
        let tar = tar_of(&[(&name, b"x")]);
        let r = read(&tar[..], "l", &Limits::default()).unwrap();
        assert_eq!(r.tree.entries[0].path, name);
        let huge = "a/".repeat(600 << 10);
        let tar = tar_of(&[(&huge, b"x")]);
        let err = read(&tar[..], "blobs/sha256/h", &Limits::default()).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "blobs/sha256/h: limit exceeded: tar extension record (type L) of {} bytes exceeds 1048576",
                huge.len() + 1
            )
        );
    }

    #[test]
    fn paths_longer_than_path_max_are_skipped() {
        let long = "b/".repeat(2100) + "file";
        let tar = tar_of(&[(&long, b"x"), ("big", b"kept")]);
        let r = read(&tar[..], "l", &Limits::default()).unwrap();
        assert_eq!(r.tree.entries.len(), 1);
        assert_eq!(r.tree.entries[0].path, "big");
        assert_eq!(r.warnings.len(), 1);
        assert!(
            r.warnings[0].contains("exceeds PATH_MAX"),
            "{:?}",
            r.warnings
        );
    }

    #[test]
    fn the_capture_budget_is_shared() {
        let tar = tar_of(&[("big1", &[1u8; 100]), ("big2", &[2u8; 100])]);
        let limits = Limits {
            max_captured_bytes: 150,
            ..Limits::default()
        };
        let r = read(&tar[..], "b", &limits).unwrap();
        assert!(matches!(r.tree.entries[0].content, Some(Content::Bytes(_))));
        assert!(
            matches!(&r.tree.entries[1].content, Some(Content::Unreadable(why)) if why.contains("used up")),
            "{:?}",
            r.tree.entries[1].content
        );
    }

    #[test]
    fn the_sniffer_keeps_what_its_check_keeps_within_the_budget() {
        use crate::fs::{Sniff, SniffSpec};
        let tar = tar_of(&[
            ("app/a.json", b"keep 1"),
            ("app/b.json", b"drop"),
            ("app/c.json", b"keep 2, over budget"),
            ("usr/share/d.json", b"keep 3"),
            ("app/e.bin", b"keep 4"),
        ]);
        let spec = SniffSpec {
            include: &["**/*.json"],
            exclude: &["usr/share/**"],
            max_bytes: 64,
            keep: |_, b| b.starts_with(b"keep"),
        };
        let w = Wants::new(&[&["etc/os-release"]])
            .unwrap()
            .with_sniff(Sniff::new(&spec).unwrap());
        let limits = Limits {
            max_captured_bytes: 10,
            ..Limits::default()
        };
        let r = read_layer(&tar[..], "b", None, &Capture::new(&w, &limits)).unwrap();
        let got: Vec<(&str, String)> = r
            .tree
            .entries
            .iter()
            .map(|e| {
                let c = match &e.content {
                    Some(Content::Bytes(b)) => String::from_utf8_lossy(b).into_owned(),
                    Some(Content::Unreadable(why)) => format!("unreadable: {why}"),
                    other => format!("{other:?}"),
                };
                (e.path.as_str(), c)
            })
            .collect();
        assert_eq!(
            got,
            [
                ("app/a.json", "keep 1".to_owned()),
                ("app/b.json", "None".to_owned()),
                (
                    "app/c.json",
                    "unreadable: not kept: the 10 bytes of wanted files kept per image are used up"
                        .to_owned()
                ),
                ("usr/share/d.json", "None".to_owned()),
                ("app/e.bin", "None".to_owned()),
            ]
        );
    }

    #[test]
    fn byte_sum_adds_every_byte() {
        let bytes: Vec<u8> = (0..515u32).map(|i| (i * 37 % 256) as u8).collect();
        let plain: u32 = bytes.iter().map(|&b| u32::from(b)).sum();
        assert_eq!(byte_sum(&bytes), plain);
        assert_eq!(byte_sum(&[0xff; 512]), 512 * 255);
    }

    #[test]
    fn the_empty_layer() {
        // `docker build`'s empty layer: two zero blocks, sha256:5f70bf18….
        let r = read(&[0u8; 1024], "e", &Limits::default()).unwrap();
        assert!(r.tree.entries.is_empty());
        assert_eq!(
            r.diff_id.unwrap().to_string(),
            "sha256:5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef"
        );
    }

    #[test]
    fn whiteouts_are_collected() {
        let tar = tar_of(&[("etc/.wh.passwd", b""), ("var/.wh..wh..opq", b"")]);
        let r = read(&tar[..], "w", &Limits::default()).unwrap();
        assert!(r.tree.entries.is_empty());
        assert_eq!(
            r.tree.whiteouts,
            [
                crate::fs::Whiteout::Entry("etc/passwd".into()),
                crate::fs::Whiteout::Opaque("var".into())
            ]
        );
    }
}
