//! Where an image's files live: a directory (OCI layout on disk), a seekable tar archive
//! (docker save, OCI archive) or memory (the metadata files of a streamed archive).
//!
//! A store hands out independent readers by path (`manifest.json`, `blobs/sha256/<hex>`), so
//! layers can be read in parallel, each from its own file handle. Paths are normalised
//! archive paths; a store never opens anything outside its root.

use std::collections::HashMap;
use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use crate::fs::path as fspath;
use crate::{Error, Result};

/// A read-only set of named files.
pub trait BlobStore: Sync {
    /// The store, for messages (the archive or directory path).
    fn describe(&self) -> String;

    /// True when `path` exists.
    fn contains(&self, path: &str) -> bool;

    /// An independent reader over the file at `path`.
    fn open(&self, path: &str) -> Result<Box<dyn Read + Send + '_>>;

    /// Reads a whole metadata file, refusing files over `limit` bytes.
    fn read_small(&self, path: &str, limit: u64) -> Result<Vec<u8>> {
        let mut buf = Vec::new();
        self.open(path)?
            .take(limit + 1)
            .read_to_end(&mut buf)
            .map_err(|e| Error::manifest(path, format!("cannot read: {e}")))?;
        if buf.len() as u64 > limit {
            return Err(Error::Limit {
                what: path.to_owned(),
                reason: format!("metadata file larger than {limit} bytes"),
            });
        }
        Ok(buf)
    }
}

/// Files under a directory (an OCI image layout on disk).
pub struct DirStore {
    root: PathBuf,
}

impl DirStore {
    /// A store rooted at `root`.
    pub fn new(root: &Path) -> Self {
        DirStore {
            root: root.to_owned(),
        }
    }

    /// The file for `path`, refusing anything but a regular file reached without following a
    /// symlink: a layout whose blob is a link to `/dev/zero` or to a host file must not make
    /// us read outside it.
    fn resolve(&self, path: &str) -> Result<PathBuf> {
        let norm = fspath::normalize(path.as_bytes())
            .map_err(|_| Error::manifest(path, "path escapes the image layout"))?;
        let mut full = self.root.clone();
        let parts: Vec<&str> = norm.path.split('/').collect();
        for (i, part) in parts.iter().enumerate() {
            full.push(part);
            match std::fs::symlink_metadata(&full) {
                Ok(md) if md.file_type().is_symlink() => {
                    return Err(Error::manifest(
                        path,
                        "is a symbolic link; blobs in an image layout must be regular files",
                    ));
                }
                Ok(md) if i + 1 == parts.len() && !md.is_file() => {
                    return Err(Error::manifest(path, "is not a regular file"));
                }
                // Missing: `open` reports it with the layout's name.
                _ => {}
            }
        }
        Ok(full)
    }
}

impl BlobStore for DirStore {
    fn describe(&self) -> String {
        self.root.display().to_string()
    }

    fn contains(&self, path: &str) -> bool {
        self.resolve(path).is_ok_and(|p| p.exists())
    }

    fn open(&self, path: &str) -> Result<Box<dyn Read + Send + '_>> {
        let full = self.resolve(path)?;
        let f = File::open(&full).map_err(|e| {
            if e.kind() == io::ErrorKind::NotFound {
                Error::manifest(path, format!("missing from {}", self.root.display()))
            } else {
                Error::io(full, e)
            }
        })?;
        Ok(Box::new(f))
    }
}

/// Where a member of an outer tar archive is.
#[derive(Clone, Debug)]
enum Member {
    File { offset: u64, size: u64 },
    Link(String),
}

/// The members of a seekable tar archive, indexed once; each `open` seeks a fresh handle.
pub struct TarStore {
    file: PathBuf,
    members: HashMap<String, Member>,
}

/// Whether a second copy of `member` makes the archive ambiguous: tools disagree on which copy
/// counts (the first, or the last as extraction leaves it), so an archive holding two
/// `manifest.json` can show each tool another image. Only the top-level documents matter:
/// everything else is reached through a digest and verified against it whichever copy is read
/// (and `docker save` writes identical copies of a layer used twice).
pub(crate) fn is_ambiguous_twice(member: &str) -> bool {
    matches!(
        member,
        "manifest.json" | "index.json" | "oci-layout" | "repositories"
    )
}

/// The error for a top-level document that appears twice ([`is_ambiguous_twice`]).
pub(crate) fn duplicate(archive: &str, member: &str) -> Error {
    Error::archive(
        archive,
        format!("member {member} appears twice; refusing an ambiguous archive"),
    )
}

impl TarStore {
    /// Indexes the archive at `file` (reads headers only, seeking over contents).
    pub fn index(file: &Path) -> Result<Self> {
        let f = File::open(file).map_err(|e| Error::io(file, e))?;
        let len = f.metadata().map_err(|e| Error::io(file, e))?.len();
        let name = file.display().to_string();
        let mut archive = tar::Archive::new(f);
        let mut members = HashMap::new();
        // Where the last member's data ends (rounded to a block), and its name.
        let mut end = 0u64;
        let mut last = String::new();
        let entries = archive
            .entries_with_seek()
            .map_err(|e| Error::archive(&name, format!("not a tar archive: {e}")))?;
        for entry in entries {
            let entry = entry.map_err(|e| Error::archive(&name, format!("corrupt tar: {e}")))?;
            let raw = entry.path_bytes();
            let Ok(norm) = fspath::normalize(&raw) else {
                return Err(Error::archive(
                    &name,
                    format!(
                        "member {:?} escapes the archive root (path traversal)",
                        String::from_utf8_lossy(&raw)
                    ),
                ));
            };
            let member = match entry.header().entry_type() {
                tar::EntryType::Regular | tar::EntryType::Continuous => {
                    let (offset, size) = (entry.raw_file_position(), entry.size());
                    // Seeking does not notice a file cut short; reading it later would.
                    if offset.saturating_add(size) > len {
                        return Err(Error::archive(
                            &name,
                            format!(
                                "truncated: member {} needs {} bytes past offset {offset} but the file has {len}",
                                norm.path, size
                            ),
                        ));
                    }
                    end = offset + size.div_ceil(512) * 512;
                    last.clone_from(&norm.path);
                    Member::File { offset, size }
                }
                // docker save writes a symlink for a layer shared by several images.
                tar::EntryType::Symlink => {
                    let target = entry.link_name_bytes().unwrap_or_default();
                    let joined = format!(
                        "{}/{}",
                        fspath::parent(&norm.path),
                        String::from_utf8_lossy(&target)
                    );
                    match fspath::normalize(joined.as_bytes()) {
                        Ok(t) => Member::Link(t.path),
                        Err(_) => continue,
                    }
                }
                tar::EntryType::Link => {
                    let target = entry.link_name_bytes().unwrap_or_default();
                    match fspath::normalize(&target) {
                        Ok(t) => Member::Link(t.path),
                        Err(_) => continue,
                    }
                }
                _ => continue,
            };
            if members.insert(norm.path.clone(), member).is_some() && is_ambiguous_twice(&norm.path)
            {
                return Err(duplicate(&name, &norm.path));
            }
        }
        // POSIX ends an archive with two zero blocks; without them the file was cut short
        // (the `tar` crate takes a clean end of file for the end of the archive).
        if len < end + 1024 {
            return Err(Error::archive(
                &name,
                format!(
                    "truncated: the archive ends without its end-of-archive marker (last member {last})"
                ),
            ));
        }
        Ok(TarStore {
            file: file.to_owned(),
            members,
        })
    }

    fn locate(&self, path: &str) -> Option<(u64, u64)> {
        let mut p = path.to_owned();
        for _ in 0..8 {
            match self.members.get(&p)? {
                Member::File { offset, size } => return Some((*offset, *size)),
                Member::Link(t) => p = t.clone(),
            }
        }
        None
    }
}

impl BlobStore for TarStore {
    fn describe(&self) -> String {
        self.file.display().to_string()
    }

    fn contains(&self, path: &str) -> bool {
        self.locate(path).is_some()
    }

    fn open(&self, path: &str) -> Result<Box<dyn Read + Send + '_>> {
        let (offset, size) = self.locate(path).ok_or_else(|| {
            Error::manifest(path, format!("missing from {}", self.file.display()))
        })?;
        let mut f = File::open(&self.file).map_err(|e| Error::io(&self.file, e))?;
        f.seek(SeekFrom::Start(offset))
            .map_err(|e| Error::io(&self.file, e))?;
        Ok(Box::new(f.take(size)))
    }
}

/// Small files held in memory (the metadata of a streamed archive).
#[derive(Default)]
pub struct MemStore {
    name: String,
    files: HashMap<String, Vec<u8>>,
    links: HashMap<String, String>,
}

impl MemStore {
    /// An empty store called `name` in messages.
    pub fn new(name: &str) -> Self {
        MemStore {
            name: name.to_owned(),
            ..MemStore::default()
        }
    }

    /// Adds a file.
    pub fn insert(&mut self, path: String, bytes: Vec<u8>) {
        self.files.insert(path, bytes);
    }

    /// Adds a link (a member that names another member).
    pub fn link(&mut self, path: String, target: String) {
        self.links.insert(path, target);
    }

    /// Follows links to the member a path finally names.
    pub fn canonical(&self, path: &str) -> String {
        let mut p = path.to_owned();
        for _ in 0..8 {
            match self.links.get(&p) {
                Some(t) => p = t.clone(),
                None => break,
            }
        }
        p
    }
}

impl BlobStore for MemStore {
    fn describe(&self) -> String {
        self.name.clone()
    }

    fn contains(&self, path: &str) -> bool {
        self.files.contains_key(&self.canonical(path))
    }

    fn open(&self, path: &str) -> Result<Box<dyn Read + Send + '_>> {
        let bytes = self
            .files
            .get(&self.canonical(path))
            .ok_or_else(|| Error::manifest(path, format!("missing from {}", self.name)))?;
        Ok(Box::new(&bytes[..]))
    }
}
