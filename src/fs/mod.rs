//! The layered filesystem: what each layer holds, and the views catalogers read through.
//!
//! Reading a layer ([`crate::source`]) yields a [`LayerTree`]: metadata of every entry, the
//! layer's whiteouts, and the bytes of only those files some cataloger asked for (its globs,
//! see [`Wants`]). [`squash::LayeredFs`] stacks the trees bottom-up, applying whiteouts and
//! opaque directories exactly as a container runtime does, and exposes the result through
//! [`FileResolver`], the only way catalogers see files. Catalogers never see layers: a file's
//! layer travels in its [`Location`].

pub mod extract;
pub mod location;
pub mod path;
pub mod squash;
pub mod wants;
pub mod whiteout;

use std::sync::Arc;

pub use extract::{Extracted, Extractor};
pub use location::Location;
pub use squash::LayeredFs;
pub use wants::{CaptureSpec, Sniff, SniffSpec, Wants};
pub use whiteout::Whiteout;

/// The kind of a filesystem entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum EntryKind {
    /// A regular file.
    File,
    /// A directory.
    Dir,
    /// A symbolic link; its target is in [`FileMeta::link`].
    Symlink,
    /// A hard link to the file named in [`FileMeta::link`] (root-relative).
    Hardlink,
    /// A character device.
    CharDevice,
    /// A block device.
    BlockDevice,
    /// A named pipe.
    Fifo,
}

/// Metadata kept for every entry of every layer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileMeta {
    /// What the entry is.
    pub kind: EntryKind,
    /// Permission bits including setuid/setgid/sticky (`0o7777` mask).
    pub mode: u32,
    /// Owner user id.
    pub uid: u64,
    /// Owner group id.
    pub gid: u64,
    /// Size in bytes (regular files).
    pub size: u64,
    /// Symlink target as written (may be relative or absolute), or hard-link target
    /// (normalised, root-relative).
    pub link: Option<String>,
}

impl FileMeta {
    /// A regular file of `size` bytes with permission bits `mode`, owned by root.
    pub fn regular(size: u64, mode: u32) -> Self {
        FileMeta {
            kind: EntryKind::File,
            mode,
            uid: 0,
            gid: 0,
            size,
            link: None,
        }
    }
}

/// The captured content of a wanted file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Content {
    /// The whole file.
    Bytes(Arc<[u8]>),
    /// Larger than the per-file cap: not read.
    TooLarge {
        /// The file's size.
        size: u64,
        /// The cap in force.
        cap: u64,
    },
    /// Wanted but not readable from the stream (e.g. a hard link to an entry that was not
    /// captured).
    Unreadable(String),
    /// Recognised by content: only the summaries extractors kept (see [`extract`]); the file's
    /// bytes are not kept.
    Extracted(Extracted),
}

/// One entry of a layer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// Normalised root-relative path.
    pub path: String,
    /// Its metadata.
    pub meta: FileMeta,
    /// The content, for wanted regular files (and hard links to them).
    pub content: Option<Content>,
}

/// Everything kept of one layer after its single streaming pass.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LayerTree {
    /// Non-whiteout entries, in archive order (a later duplicate overrides an earlier one).
    pub entries: Vec<Entry>,
    /// The layer's whiteouts, applied to lower layers before this layer's entries.
    pub whiteouts: Vec<Whiteout>,
}

/// Why a file's content could not be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ReadError {
    /// No such file in this view.
    #[error("no such file")]
    Missing,
    /// The file exists, but no cataloger asked for it, so its bytes were not kept.
    #[error("content not captured (no cataloger asked for this path)")]
    NotCaptured,
    /// The file is larger than the per-file cap.
    #[error("{size} bytes exceeds the per-file cap of {cap} bytes")]
    TooLarge {
        /// The file's size.
        size: u64,
        /// The cap in force.
        cap: u64,
    },
    /// The file could not be read for another reason.
    #[error("{0}")]
    Unreadable(String),
    /// Symlinks form a loop or a chain longer than the limit.
    #[error("too many levels of symbolic links")]
    SymlinkLoop,
}

/// How catalogers see the image's files. Paths are root-relative (`etc/os-release`).
pub trait FileResolver: Sync {
    /// Regular files (and hard links) whose real path matches the glob (`*` stays inside a
    /// directory, `**` spans directories), in path order. Only files some cataloger declared in
    /// its wanted globs have readable content.
    fn files_by_glob(&self, pattern: &str) -> Vec<Location>;

    /// The file at `path`, following symlinks (never outside the root). `Err(SymlinkLoop)`
    /// when the chain does not end; `Ok(None)` when nothing is there or it is not a file.
    fn file_by_path(&self, path: &str) -> Result<Option<Location>, ReadError>;

    /// The bytes of the file at `location`.
    fn read(&self, location: &Location) -> Result<Arc<[u8]>, ReadError>;

    /// Metadata of the entry at `path` (not following a final symlink).
    fn metadata(&self, path: &str) -> Option<(Location, &FileMeta)>;

    /// Every entry in the view, in path order.
    fn walk(&self, visit: &mut dyn FnMut(&Location, &FileMeta));

    /// Every file of which the extractor named `extractor` kept a summary (or recorded why it
    /// could not), in path order (see [`extract`]).
    fn extracted(&self, extractor: &str) -> Vec<(Location, extract::Summary)>;
}
