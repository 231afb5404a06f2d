//! A root filesystem directory as a one-layer image (`dir:`): what `debootstrap` or
//! `umoci unpack` leaves on disk. Entries are read with `lstat` semantics: symlinks are
//! recorded, never followed, so nothing outside the directory is ever read. There are no
//! whiteouts in a directory; a `.wh.` file is just a file.

use std::fs;
use std::io::Read;
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::Path;
use std::sync::Arc;

use super::layer::Capture;
use crate::fs::{Content, Entry, EntryKind, FileMeta, LayerTree};
use crate::{Error, Result};

/// Reads the directory tree under `root` into one layer tree, plus warnings.
pub fn load(root: &Path, cap: &Capture<'_>) -> Result<(LayerTree, Vec<String>)> {
    let meta = fs::metadata(root).map_err(|e| Error::io(root, e))?;
    if !meta.is_dir() {
        return Err(Error::Source(format!(
            "{}: not a directory",
            root.display()
        )));
    }
    let mut tree = LayerTree::default();
    let mut warnings = Vec::new();
    let mut stack = vec![(root.to_owned(), String::new())];
    while let Some((dir, rel)) = stack.pop() {
        let mut children: Vec<fs::DirEntry> = match fs::read_dir(&dir) {
            Ok(rd) => rd.filter_map(|e| e.ok()).collect(),
            Err(e) => {
                warnings.push(format!("cannot list /{rel}: {e}"));
                continue;
            }
        };
        children.sort_by_key(|e| e.file_name());
        let mut subdirs = Vec::new();
        for child in children {
            let name = child.file_name();
            let name_str = name.to_string_lossy();
            if let std::borrow::Cow::Owned(_) = name_str {
                warnings.push(format!(
                    "file name in /{rel} is not valid UTF-8 (recorded as {name_str:?})"
                ));
            }
            let path = if rel.is_empty() {
                name_str.into_owned()
            } else {
                format!("{rel}/{name_str}")
            };
            let full = child.path();
            let md = match fs::symlink_metadata(&full) {
                Ok(m) => m,
                Err(e) => {
                    warnings.push(format!("cannot stat /{path}: {e}"));
                    continue;
                }
            };
            let ft = md.file_type();
            let kind = if ft.is_dir() {
                EntryKind::Dir
            } else if ft.is_symlink() {
                EntryKind::Symlink
            } else if ft.is_file() {
                EntryKind::File
            } else if ft.is_char_device() {
                EntryKind::CharDevice
            } else if ft.is_block_device() {
                EntryKind::BlockDevice
            } else if ft.is_fifo() {
                EntryKind::Fifo
            } else {
                continue; // sockets
            };
            let link = if kind == EntryKind::Symlink {
                fs::read_link(&full)
                    .ok()
                    .map(|t| t.to_string_lossy().into_owned())
            } else {
                None
            };
            let content = if kind != EntryKind::File {
                None
            } else if cap.wants.is_wanted(&path) {
                Some(capture(&full, md.len(), cap))
            } else if cap.wants.sniffs(&path, md.len()) {
                sniff(&full, &path, cap)
            } else if cap.wants.extracts(&path, md.len(), md.mode() & 0o7777) {
                extract(&full, &path, md.len(), md.mode() & 0o7777, cap)
            } else {
                None
            };
            if kind == EntryKind::Dir {
                subdirs.push((full, path.clone()));
            }
            tree.entries.push(Entry {
                path,
                meta: FileMeta {
                    kind,
                    mode: md.mode() & 0o7777,
                    uid: u64::from(md.uid()),
                    gid: u64::from(md.gid()),
                    size: md.len(),
                    link,
                },
                content,
            });
        }
        // Depth-first, children in name order: pushed reversed so the first pops first.
        stack.extend(subdirs.into_iter().rev());
    }
    Ok((tree, warnings))
}

/// A file the sniffer looks at: read, checked, kept when the check says so.
fn sniff(full: &Path, path: &str, cap: &Capture<'_>) -> Option<Content> {
    let mut buf = Vec::new();
    match fs::File::open(full)
        .and_then(|f| f.take(cap.wants.sniff_max_bytes()).read_to_end(&mut buf))
    {
        Ok(_) => super::layer::keep_sniffed(path, &buf, cap),
        Err(e) => Some(Content::Unreadable(format!("cannot read: {e}"))),
    }
}

/// A file some extractor looks at: its first bytes checked, then the parts the extractors need
/// read ([`super::layer::read_extracted`]).
fn extract(full: &Path, path: &str, size: u64, mode: u32, cap: &Capture<'_>) -> Option<Content> {
    let meta = FileMeta::regular(size, mode);
    let read = || -> std::io::Result<Option<Content>> {
        let mut f = std::io::BufReader::new(fs::File::open(full)?);
        super::layer::read_extracted(&mut f, path, &meta, cap, &mut Vec::new())
    };
    read().unwrap_or_else(|e| Some(Content::Unreadable(format!("cannot read: {e}"))))
}

fn capture(path: &Path, size: u64, cap: &Capture<'_>) -> Content {
    if let Err(not_kept) = cap.admit(size) {
        return not_kept;
    }
    let mut buf = Vec::with_capacity(size as usize);
    match fs::File::open(path).and_then(|f| f.take(cap.limits.max_file_bytes).read_to_end(&mut buf))
    {
        Ok(_) => Content::Bytes(Arc::from(buf)),
        Err(e) => Content::Unreadable(format!("cannot read: {e}")),
    }
}
