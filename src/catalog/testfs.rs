//! Test support: one-layer filesystems for cataloger tests, built in memory or from a fixture
//! directory, capturing only the files a cataloger's [`wants`](super::Cataloger::wants) globs
//! ask for, exactly as the layer reader does. A cataloger whose globs miss a file it reads
//! therefore fails its tests instead of failing silently on real images.

use std::path::Path;
use std::sync::Arc;

use crate::fs::{Content, Entry, EntryKind, FileMeta, LayerTree, Wants};

/// A single layer under construction.
pub(crate) struct TestLayer {
    tree: LayerTree,
    wants: Wants,
}

fn meta(kind: EntryKind, size: u64, link: Option<String>) -> FileMeta {
    FileMeta {
        kind,
        mode: 0o644,
        uid: 0,
        gid: 0,
        size,
        link,
    }
}

impl TestLayer {
    /// An empty layer that captures the files matching `wants`.
    pub(crate) fn new(wants: &[&str]) -> Self {
        TestLayer {
            tree: LayerTree::default(),
            wants: Wants::new(&[wants]).expect("valid test globs"),
        }
    }

    /// Adds a regular file (its parent directories are implicit).
    pub(crate) fn file(mut self, path: &str, bytes: impl AsRef<[u8]>) -> Self {
        let bytes = bytes.as_ref();
        let content = self
            .wants
            .is_wanted(path)
            .then(|| Content::Bytes(Arc::from(bytes)));
        self.tree.entries.push(Entry {
            path: path.to_owned(),
            meta: meta(EntryKind::File, bytes.len() as u64, None),
            content,
        });
        self
    }

    /// Adds a directory.
    pub(crate) fn dir(mut self, path: &str) -> Self {
        self.tree.entries.push(Entry {
            path: path.to_owned(),
            meta: meta(EntryKind::Dir, 0, None),
            content: None,
        });
        self
    }

    /// Adds a symbolic link.
    pub(crate) fn symlink(mut self, path: &str, target: &str) -> Self {
        self.tree.entries.push(Entry {
            path: path.to_owned(),
            meta: meta(EntryKind::Symlink, 0, Some(target.to_owned())),
            content: None,
        });
        self
    }

    /// Adds every file, directory and symlink under `root` (a fixture directory).
    pub(crate) fn dir_tree(mut self, root: &Path) -> Self {
        let mut stack = vec![root.to_path_buf()];
        let mut found = Vec::new();
        while let Some(dir) = stack.pop() {
            for e in std::fs::read_dir(&dir).expect("readable fixture dir") {
                let e = e.expect("readable fixture entry");
                let rel = e
                    .path()
                    .strip_prefix(root)
                    .expect("under root")
                    .to_string_lossy()
                    .replace('\\', "/");
                let ft = e.file_type().expect("file type");
                if ft.is_symlink() {
                    let target = std::fs::read_link(e.path()).expect("link target");
                    found.push((rel, None, Some(target.to_string_lossy().into_owned())));
                } else if ft.is_dir() {
                    stack.push(e.path());
                    found.push((rel, None, None));
                } else {
                    let bytes = std::fs::read(e.path()).expect("readable fixture file");
                    found.push((rel, Some(bytes), None));
                }
            }
        }
        // Archive order: parents before children, deterministic.
        found.sort_by(|a, b| a.0.cmp(&b.0));
        for (rel, bytes, link) in found {
            self = match (bytes, link) {
                (Some(b), _) => self.file(&rel, b),
                (None, Some(t)) => self.symlink(&rel, &t),
                (None, None) => self.dir(&rel),
            };
        }
        self
    }

    /// The finished layer.
    pub(crate) fn build(self) -> LayerTree {
        self.tree
    }
}

/// The path of a vendored fixture directory.
pub(crate) fn fixture(rel: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(rel)
}
