//! Test support: one-layer filesystems for cataloger tests, built in memory or from a fixture
//! directory, capturing only the files a cataloger's [`wants`](super::Cataloger::wants) globs
//! ask for, exactly as the layer reader does. A cataloger whose globs miss a file it reads
//! therefore fails its tests instead of failing silently on real images.

use std::path::Path;
use std::sync::Arc;

use crate::fs::{Content, Entry, EntryKind, Extractor, FileMeta, LayerTree, Wants};

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

    /// Also runs `extractor` on the files added after this call, as the layer reader does
    /// (see [`crate::fs::extract`]).
    pub(crate) fn extractor(mut self, extractor: &'static Extractor) -> Self {
        self.wants = self
            .wants
            .with_extractor(0, extractor)
            .expect("valid extractor globs");
        self
    }

    /// Adds a regular file (its parent directories are implicit), mode 0644.
    pub(crate) fn file(self, path: &str, bytes: impl AsRef<[u8]>) -> Self {
        self.file_with_mode(path, bytes.as_ref(), 0o644)
    }

    /// Adds an executable regular file, mode 0755.
    pub(crate) fn executable(self, path: &str, bytes: impl AsRef<[u8]>) -> Self {
        self.file_with_mode(path, bytes.as_ref(), 0o755)
    }

    fn file_with_mode(mut self, path: &str, bytes: &[u8], mode: u32) -> Self {
        let mut m = meta(EntryKind::File, bytes.len() as u64, None);
        m.mode = mode;
        let content = if self.wants.is_wanted(path) {
            Some(Content::Bytes(Arc::from(bytes)))
        } else if self.wants.extracts(path, m.size, mode) {
            // As the layer reader does it, windows included.
            let limits = crate::source::Limits::default();
            let cap = crate::source::layer::Capture::new(&self.wants, &limits);
            crate::source::layer::read_extracted(&mut &bytes[..], path, &m, &cap, &mut Vec::new())
                .unwrap_or_else(|e| Some(Content::Unreadable(e.to_string())))
        } else {
            None
        };
        self.tree.entries.push(Entry {
            path: path.to_owned(),
            meta: m,
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

/// What `extractor` keeps of `bytes` (an executable at `usr/bin/x`) when the layer reader reads
/// it, and how many of the file's bytes it holds in memory to do so (the windows).
#[cfg(test)]
pub(crate) fn extract_like_a_layer(
    extractor: &'static crate::fs::Extractor,
    bytes: &[u8],
) -> (Option<Content>, u64) {
    let wants = Wants::new(&[&[]])
        .unwrap()
        .with_extractor(1, extractor)
        .unwrap();
    let limits = crate::source::Limits::default();
    let cap = crate::source::layer::Capture::new(&wants, &limits);
    let mut m = meta(EntryKind::File, bytes.len() as u64, None);
    m.mode = 0o755;
    let prefix = &bytes[..bytes.len().min(crate::fs::extract::PREFIX)];
    let held = wants
        .extract_windows("usr/bin/x", m.mode, prefix, m.size)
        .map_or(m.size, |w| w.iter().map(|r| r.end - r.start).sum());
    let kept = crate::source::layer::read_extracted(
        &mut &bytes[..],
        "usr/bin/x",
        &m,
        &cap,
        &mut Vec::new(),
    )
    .unwrap();
    (kept, held)
}

/// The path of a vendored fixture directory.
pub(crate) fn fixture(rel: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(rel)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fs::{FileResolver, LayeredFs};

    static KEEP_ALL: Extractor = Extractor {
        name: "keep-all-cataloger",
        include: &["usr/bin/*"],
        executable_only: true,
        max_bytes: 100,
        magic: |head| head.starts_with(b"\x7fELF"),
        windows: None,
        extract: |view| Ok(view.bytes().map(<[u8]>::to_vec)),
    };

    #[test]
    fn test_layers_extract_like_the_layer_reader() {
        let tree = TestLayer::new(&["etc/os-release"])
            .extractor(&KEEP_ALL)
            .executable("usr/bin/go-app", b"\x7fELF go")
            .file("usr/bin/not-exec", b"\x7fELF x")
            .executable("usr/bin/script", b"#!/bin/sh")
            .build();
        let trees = [tree];
        let fs = LayeredFs::squashed(&trees);
        let got = fs.extracted("keep-all-cataloger");
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].0.path.as_str(), "usr/bin/go-app");
        assert_eq!(got[0].1.as_deref().unwrap(), b"\x7fELF go");
    }
}
