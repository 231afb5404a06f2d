//! Stacking layers into the filesystem a container sees.
//!
//! [`LayeredFs`] applies layers bottom-up, one at a time ([`LayeredFs::apply_next`]), so the
//! scan can catalog the filesystem as it stood after any layer (that is how it finds the layer
//! that *introduced* a package, and what later layers deleted). Applying layer `k`:
//!
//! 1. its whiteouts delete from what lower layers built: `.wh.x` removes `x` and its subtree,
//!    `.wh..wh..opq` in `d` removes every child of `d` (never entries of layer `k` itself);
//! 2. its entries are added in archive order: a later duplicate wins, a non-directory replaces
//!    a directory together with its subtree, a directory over a directory keeps the children;
//!    an entry under a directory that is a symlink in the stack lands where the link points,
//!    as extraction by a runtime does.
//!
//! Lookups follow symlinks inside the root only: `..` at the root stays at the root, absolute
//! targets restart from the root, and more than [`MAX_SYMLINK_HOPS`] hops is a loop.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::ops::Bound;
use std::sync::Arc;

use super::{Content, EntryKind, FileMeta, FileResolver, LayerTree, Location, ReadError, path};

/// Symlink hops allowed in one lookup (Linux's MAXSYMLINKS).
pub const MAX_SYMLINK_HOPS: usize = 40;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct NodeRef {
    layer: u32,
    entry: u32,
}

/// The stacked filesystem after applying the first `applied()` layers.
pub struct LayeredFs<'a> {
    layers: &'a [LayerTree],
    nodes: BTreeMap<Cow<'a, str>, NodeRef>,
    captured: BTreeMap<Cow<'a, str>, NodeRef>,
    applied: usize,
    /// Per layer: captured entry path → entry index, for reading by [`Location`].
    by_path: Vec<HashMap<&'a str, u32>>,
}

impl<'a> LayeredFs<'a> {
    /// An empty stack over `layers`; nothing applied yet.
    pub fn new(layers: &'a [LayerTree]) -> Self {
        let by_path = layers
            .iter()
            .map(|l| {
                l.entries
                    .iter()
                    .enumerate()
                    .filter(|(_, e)| e.content.is_some())
                    .map(|(i, e)| (e.path.as_str(), i as u32))
                    .collect()
            })
            .collect();
        LayeredFs {
            layers,
            nodes: BTreeMap::new(),
            captured: BTreeMap::new(),
            applied: 0,
            by_path,
        }
    }

    /// All layers applied: the squashed filesystem.
    pub fn squashed(layers: &'a [LayerTree]) -> Self {
        let mut fs = LayeredFs::new(layers);
        while fs.apply_next().is_some() {}
        fs
    }

    /// How many layers are applied.
    pub fn applied(&self) -> usize {
        self.applied
    }

    /// Applies the next layer. Returns the paths of captured files that it added, replaced or
    /// removed (so the caller knows which catalogers to run again), or `None` when every layer
    /// is applied.
    pub fn apply_next(&mut self) -> Option<Vec<String>> {
        let layers = self.layers;
        let k = self.applied;
        let tree = layers.get(k)?;
        let mut changed = Vec::new();
        for w in &tree.whiteouts {
            match w {
                super::Whiteout::Entry(p) => {
                    let p = self.resolve_parent(p);
                    self.remove(&p, &mut changed);
                    self.remove_children(&p, &mut changed);
                }
                super::Whiteout::Opaque(d) => {
                    let d = self.resolve_parent(d);
                    self.remove_children(&d, &mut changed);
                }
            }
        }
        for (i, e) in tree.entries.iter().enumerate() {
            let node = NodeRef {
                layer: k as u32,
                entry: i as u32,
            };
            let key = self.resolve_parent(&e.path);
            if key.is_empty() {
                continue;
            }
            self.clear_path_for(&key, e.meta.kind == EntryKind::Dir, &mut changed);
            if e.content.is_some() {
                changed.push(key.to_string());
                self.captured.insert(key.clone(), node);
            }
            self.nodes.insert(key, node);
        }
        self.applied += 1;
        changed.sort();
        changed.dedup();
        Some(changed)
    }

    fn entry(&self, n: NodeRef) -> &'a super::Entry {
        &self.layers[n.layer as usize].entries[n.entry as usize]
    }

    fn meta(&self, n: NodeRef) -> &'a FileMeta {
        &self.entry(n).meta
    }

    /// Removes whatever is in the way of a new entry at `key`: the old node (if it is not a
    /// directory being replaced by a directory), its subtree when a non-directory replaces a
    /// directory, and any non-directory ancestor.
    fn clear_path_for(&mut self, key: &str, new_is_dir: bool, changed: &mut Vec<String>) {
        if let Some(&old) = self.nodes.get(key) {
            let old_is_dir = self.meta(old).kind == EntryKind::Dir;
            if old_is_dir && !new_is_dir {
                self.remove_children(key, changed);
            }
            if !(old_is_dir && new_is_dir) {
                self.remove(key, changed);
            }
        }
        let mut dir = path::parent(key);
        while !dir.is_empty() {
            if let Some(&n) = self.nodes.get(dir) {
                if self.meta(n).kind != EntryKind::Dir {
                    let dir = dir.to_owned();
                    self.remove(&dir, changed);
                }
                break;
            }
            dir = path::parent(dir);
        }
    }

    fn remove(&mut self, key: &str, changed: &mut Vec<String>) {
        self.nodes.remove(key);
        if self.captured.remove(key).is_some() {
            changed.push(key.to_owned());
        }
    }

    fn remove_children(&mut self, dir: &str, changed: &mut Vec<String>) {
        let keys: Vec<Cow<'a, str>> = children_range(&self.nodes, dir)
            .map(|(k, _)| k.clone())
            .collect();
        for k in keys {
            self.nodes.remove(&k);
        }
        let keys: Vec<Cow<'a, str>> = children_range(&self.captured, dir)
            .map(|(k, _)| k.clone())
            .collect();
        for k in keys {
            self.captured.remove(&k);
            changed.push(k.into_owned());
        }
    }

    /// `path` with its parent directory resolved through symlinks in the current stack.
    fn resolve_parent(&self, p: &'a str) -> Cow<'a, str> {
        let parent = path::parent(p);
        if parent.is_empty() {
            return Cow::Borrowed(p);
        }
        // Only a symlink among the ancestors moves the entry; finding the nearest ancestor that
        // exists needs no allocation, and a real directory there means no symlink above it
        // (its own parents were resolved when it was inserted).
        let mut dir = parent;
        loop {
            match self.nodes.get(dir) {
                Some(&n) if self.meta(n).kind == EntryKind::Symlink => break,
                Some(_) => return Cow::Borrowed(p),
                None if !dir.contains('/') => return Cow::Borrowed(p),
                None => dir = path::parent(dir),
            }
        }
        match self.resolve(parent, true) {
            Ok(Some((real, _))) if real != parent => {
                Cow::Owned(path::join(&real, path::file_name(p)))
            }
            _ => Cow::Borrowed(p),
        }
    }

    fn is_implicit_dir(&self, p: &str) -> bool {
        children_range(&self.nodes, p).next().is_some()
    }

    /// Resolves `p` through symlinks. Returns the real path and its node (`None` for an
    /// implicit directory that only exists because entries below it do). Linear in the path
    /// length: the resolved prefix is one string, grown and cut back in place.
    fn resolve(
        &self,
        p: &str,
        follow_last: bool,
    ) -> Result<Option<(String, Option<NodeRef>)>, ReadError> {
        let mut pending: Vec<&str> = p.rsplit('/').collect();
        let mut cur = String::with_capacity(p.len());
        // Where each component of `cur` starts, to cut it back on `..` or a symlink.
        let mut starts: Vec<usize> = Vec::new();
        let mut hops = 0;
        let mut last = None;
        while let Some(comp) = pending.pop() {
            match comp {
                "" | "." => continue,
                ".." => {
                    if let Some(at) = starts.pop() {
                        cur.truncate(at);
                    }
                    last = None;
                    continue;
                }
                _ => {}
            }
            starts.push(cur.len());
            if !cur.is_empty() {
                cur.push('/');
            }
            cur.push_str(comp);
            match self.nodes.get(cur.as_str()) {
                Some(&n) => {
                    let meta = self.meta(n);
                    if meta.kind == EntryKind::Symlink && (!pending.is_empty() || follow_last) {
                        hops += 1;
                        if hops > MAX_SYMLINK_HOPS {
                            return Err(ReadError::SymlinkLoop);
                        }
                        if let Some(at) = starts.pop() {
                            cur.truncate(at);
                        }
                        let target = meta.link.as_deref().unwrap_or("");
                        if target.starts_with('/') {
                            cur.clear();
                            starts.clear();
                        }
                        pending.extend(target.rsplit('/'));
                        last = None;
                    } else {
                        last = Some(n);
                    }
                }
                None if self.is_implicit_dir(&cur) => {
                    if pending.is_empty() {
                        return Ok(Some((cur, None)));
                    }
                    last = None;
                }
                None => return Ok(None),
            }
        }
        Ok(Some((cur, last)))
    }

    fn content_of(&self, n: NodeRef, hops: usize) -> Result<Arc<[u8]>, ReadError> {
        let e = self.entry(n);
        match &e.content {
            Some(Content::Bytes(b)) => Ok(b.clone()),
            Some(Content::TooLarge { size, cap }) => Err(ReadError::TooLarge {
                size: *size,
                cap: *cap,
            }),
            // A hard link whose target was not in its own layer: read the target in the stack.
            Some(Content::Unreadable(_)) | None
                if e.meta.kind == EntryKind::Hardlink && hops < MAX_SYMLINK_HOPS =>
            {
                let target = e.meta.link.as_deref().unwrap_or("");
                match self.nodes.get(target) {
                    Some(&t) if t != n => self.content_of(t, hops + 1),
                    _ => Err(ReadError::Unreadable(format!(
                        "hard link target /{target} is missing"
                    ))),
                }
            }
            Some(Content::Unreadable(why)) => Err(ReadError::Unreadable(why.clone())),
            Some(Content::Extracted(_)) | None => Err(ReadError::NotCaptured),
        }
    }
}

fn children_range<'m, 'a, V>(
    map: &'m BTreeMap<Cow<'a, str>, V>,
    dir: &str,
) -> impl Iterator<Item = (&'m Cow<'a, str>, &'m V)> + use<'m, 'a, V> {
    let (lo, hi) = if dir.is_empty() {
        (Bound::Unbounded, Bound::Unbounded)
    } else {
        // Every child starts with "dir/"; '0' is the character after '/'.
        (
            Bound::Included(Cow::Owned(format!("{dir}/"))),
            Bound::Excluded(Cow::Owned(format!("{dir}0"))),
        )
    };
    map.range::<Cow<'a, str>, _>((lo, hi))
}

impl FileResolver for LayeredFs<'_> {
    fn files_by_glob(&self, pattern: &str) -> Vec<Location> {
        let Ok(glob) = super::wants::compile(pattern) else {
            debug_assert!(false, "invalid glob {pattern:?}");
            return Vec::new();
        };
        let m = glob.compile_matcher();
        self.captured
            .iter()
            .filter(|(k, n)| {
                matches!(self.meta(**n).kind, EntryKind::File | EntryKind::Hardlink)
                    && m.is_match(k.as_ref())
            })
            .map(|(k, n)| Location::new(k.as_ref(), n.layer))
            .collect()
    }

    fn file_by_path(&self, p: &str) -> Result<Option<Location>, ReadError> {
        Ok(match self.resolve(p, true)? {
            Some((real, Some(n)))
                if matches!(self.meta(n).kind, EntryKind::File | EntryKind::Hardlink) =>
            {
                Some(Location::new(real, n.layer))
            }
            _ => None,
        })
    }

    fn read(&self, loc: &Location) -> Result<Arc<[u8]>, ReadError> {
        if let Some(&n) = self.captured.get(loc.path.as_str())
            && n.layer == loc.layer
        {
            return self.content_of(n, 0);
        }
        if let Some(&n) = self.nodes.get(loc.path.as_str())
            && n.layer == loc.layer
        {
            return self.content_of(n, 0);
        }
        let idx = self
            .by_path
            .get(loc.layer as usize)
            .and_then(|m| m.get(loc.path.as_str()))
            .ok_or(ReadError::Missing)?;
        self.content_of(
            NodeRef {
                layer: loc.layer,
                entry: *idx,
            },
            0,
        )
    }

    fn metadata(&self, p: &str) -> Option<(Location, &FileMeta)> {
        let (real, n) = self.resolve(p, false).ok()??;
        let n = n?;
        Some((Location::new(real, n.layer), self.meta(n)))
    }

    fn walk(&self, visit: &mut dyn FnMut(&Location, &FileMeta)) {
        for (k, &n) in &self.nodes {
            visit(&Location::new(k.as_ref(), n.layer), self.meta(n));
        }
    }

    fn extracted(&self, extractor: &str) -> Vec<(Location, super::extract::Summary)> {
        self.captured
            .iter()
            .filter_map(|(k, &n)| match &self.entry(n).content {
                Some(Content::Extracted(e)) => {
                    Some((Location::new(k.as_ref(), n.layer), e.get(extractor)?))
                }
                _ => None,
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Entry, Whiteout};
    use super::*;

    fn meta(kind: EntryKind, link: Option<&str>) -> FileMeta {
        FileMeta {
            kind,
            mode: 0o644,
            uid: 0,
            gid: 0,
            size: 0,
            link: link.map(str::to_owned),
        }
    }

    /// A tiny layer DSL: "d:path", "f:path=content", "l:path->target", "h:path->target",
    /// "w:path" (whiteout), "o:dir" (opaque).
    fn layer(spec: &[&str]) -> LayerTree {
        let mut t = LayerTree::default();
        for s in spec {
            let (kind, rest) = s.split_once(':').unwrap();
            match kind {
                "d" => t.entries.push(Entry {
                    path: rest.into(),
                    meta: meta(EntryKind::Dir, None),
                    content: None,
                }),
                "f" => {
                    let (p, c) = rest.split_once('=').unwrap_or((rest, ""));
                    t.entries.push(Entry {
                        path: p.into(),
                        meta: meta(EntryKind::File, None),
                        content: Some(Content::Bytes(Arc::from(c.as_bytes()))),
                    })
                }
                "l" | "h" => {
                    let (p, target) = rest.split_once("->").unwrap();
                    let k = if kind == "l" {
                        EntryKind::Symlink
                    } else {
                        EntryKind::Hardlink
                    };
                    t.entries.push(Entry {
                        path: p.into(),
                        meta: meta(k, Some(target)),
                        content: None,
                    })
                }
                "w" => t.whiteouts.push(Whiteout::Entry(rest.into())),
                "o" => t.whiteouts.push(Whiteout::Opaque(rest.into())),
                _ => panic!("bad spec {s}"),
            }
        }
        t
    }

    fn paths(fs: &LayeredFs<'_>) -> Vec<String> {
        let mut v = Vec::new();
        fs.walk(&mut |l, _| v.push(format!("{}@{}", l.path, l.layer)));
        v
    }

    fn text(fs: &LayeredFs<'_>, p: &str) -> Option<String> {
        let loc = fs.file_by_path(p).ok()??;
        fs.read(&loc)
            .ok()
            .map(|b| String::from_utf8(b.to_vec()).unwrap())
    }

    #[test]
    fn upper_layer_wins_and_is_remembered() {
        let layers = [
            layer(&["d:etc", "f:etc/a=1", "f:etc/b=1"]),
            layer(&["f:etc/a=2"]),
        ];
        let fs = LayeredFs::squashed(&layers);
        assert_eq!(paths(&fs), ["etc@0", "etc/a@1", "etc/b@0"]);
        assert_eq!(text(&fs, "etc/a").as_deref(), Some("2"));
    }

    #[test]
    fn whiteout_removes_file_and_subtree() {
        let layers = [
            layer(&["d:a", "d:a/b", "f:a/b/c=1", "f:a/x=1", "f:ab=1"]),
            layer(&["w:a/b"]),
        ];
        let fs = LayeredFs::squashed(&layers);
        assert_eq!(paths(&fs), ["a@0", "a/x@0", "ab@0"]);
    }

    #[test]
    fn whiteout_does_not_touch_its_own_layer() {
        let layers = [layer(&["f:a=1"]), layer(&["w:a", "f:a=2"])];
        let fs = LayeredFs::squashed(&layers);
        assert_eq!(text(&fs, "a").as_deref(), Some("2"));
    }

    #[test]
    fn opaque_dir_then_readd() {
        let layers = [
            layer(&["d:var", "d:var/cache", "f:var/cache/old=1", "f:var/keep=1"]),
            layer(&["o:var/cache", "d:var/cache", "f:var/cache/new=2"]),
        ];
        let fs = LayeredFs::squashed(&layers);
        assert_eq!(
            paths(&fs),
            ["var@0", "var/cache@1", "var/cache/new@1", "var/keep@0"]
        );
    }

    #[test]
    fn opaque_root() {
        let layers = [layer(&["f:a=1", "d:b", "f:b/c=1"]), layer(&["o:", "f:z=1"])];
        let fs = LayeredFs::squashed(&layers);
        assert_eq!(paths(&fs), ["z@1"]);
    }

    #[test]
    fn file_replaces_directory_and_directory_replaces_file() {
        let layers = [
            layer(&["d:x", "f:x/y=1", "f:f=1"]),
            layer(&["f:x=2", "d:f", "f:f/g=3"]),
        ];
        let fs = LayeredFs::squashed(&layers);
        assert_eq!(paths(&fs), ["f@1", "f/g@1", "x@1"]);
        assert_eq!(text(&fs, "x").as_deref(), Some("2"));
    }

    #[test]
    fn directory_over_directory_keeps_children() {
        let layers = [layer(&["d:d", "f:d/a=1"]), layer(&["d:d", "f:d/b=2"])];
        let fs = LayeredFs::squashed(&layers);
        assert_eq!(paths(&fs), ["d@1", "d/a@0", "d/b@1"]);
    }

    #[test]
    fn later_duplicate_in_one_layer_wins() {
        let layers = [layer(&["f:a=1", "f:a=2"])];
        let fs = LayeredFs::squashed(&layers);
        assert_eq!(text(&fs, "a").as_deref(), Some("2"));
    }

    #[test]
    fn symlinks_resolve_inside_the_root() {
        let layers = [layer(&[
            "d:usr",
            "d:usr/lib",
            "f:usr/lib/os-release=ID=debian",
            "d:etc",
            "l:etc/os-release->../usr/lib/os-release",
            "l:abs->/usr/lib/os-release",
            "l:escape->../../../../usr/lib/os-release",
            "l:lib->usr/lib",
        ])];
        let fs = LayeredFs::squashed(&layers);
        assert_eq!(text(&fs, "etc/os-release").as_deref(), Some("ID=debian"));
        assert_eq!(text(&fs, "abs").as_deref(), Some("ID=debian"));
        // `..` above the root stays at the root, as in a chroot.
        assert_eq!(text(&fs, "escape").as_deref(), Some("ID=debian"));
        assert_eq!(text(&fs, "lib/os-release").as_deref(), Some("ID=debian"));
        let (loc, m) = fs.metadata("etc/os-release").unwrap();
        assert_eq!(m.kind, EntryKind::Symlink);
        assert_eq!(loc.path, "etc/os-release");
    }

    #[test]
    fn symlink_loops_are_detected() {
        let layers = [layer(&["l:a->b", "l:b->a", "l:self->self"])];
        let fs = LayeredFs::squashed(&layers);
        assert_eq!(fs.file_by_path("a"), Err(ReadError::SymlinkLoop));
        assert_eq!(fs.file_by_path("self/x"), Err(ReadError::SymlinkLoop));
    }

    #[test]
    fn entries_under_a_symlinked_dir_land_at_the_target() {
        let layers = [
            layer(&["d:usr", "d:usr/lib", "l:lib->usr/lib"]),
            layer(&["f:lib/libc.so=elf"]),
        ];
        let fs = LayeredFs::squashed(&layers);
        assert_eq!(
            paths(&fs),
            ["lib@0", "usr@0", "usr/lib@0", "usr/lib/libc.so@1"]
        );
        assert_eq!(fs.files_by_glob("usr/lib/*").len(), 1);
    }

    #[test]
    fn hard_links_read_their_target() {
        let layers = [layer(&["f:a=data"]), layer(&["h:b->a"])];
        let fs = LayeredFs::squashed(&layers);
        let loc = Location::new("b", 1);
        assert_eq!(&*fs.read(&loc).unwrap(), b"data");
        let layers = [layer(&["h:b->missing"])];
        let fs = LayeredFs::squashed(&layers);
        assert!(matches!(
            fs.read(&Location::new("b", 0)),
            Err(ReadError::Unreadable(_))
        ));
    }

    #[test]
    fn implicit_directories_resolve() {
        let layers = [layer(&["f:var/lib/dpkg/status=x"])];
        let fs = LayeredFs::squashed(&layers);
        assert_eq!(text(&fs, "var/lib/dpkg/status").as_deref(), Some("x"));
        assert_eq!(fs.file_by_path("var/lib/dpkg/missing").unwrap(), None);
    }

    #[test]
    fn apply_reports_changed_captured_paths() {
        let layers = [
            layer(&["f:var/lib/dpkg/status=1", "d:etc"]),
            layer(&["d:tmp"]),
            layer(&["w:var/lib/dpkg"]),
        ];
        let mut fs = LayeredFs::new(&layers);
        assert_eq!(fs.apply_next().unwrap(), ["var/lib/dpkg/status"]);
        assert!(fs.apply_next().unwrap().is_empty());
        assert_eq!(fs.apply_next().unwrap(), ["var/lib/dpkg/status"]);
        assert!(fs.apply_next().is_none());
        assert!(fs.files_by_glob("**").is_empty());
    }

    #[test]
    fn glob_lists_only_captured_regular_files() {
        let layers = [layer(&[
            "d:lib",
            "f:lib/apk/db/installed=x",
            "l:lib/apk/db/link->installed",
        ])];
        let fs = LayeredFs::squashed(&layers);
        let found: Vec<_> = fs
            .files_by_glob("lib/apk/db/*")
            .into_iter()
            .map(|l| l.path)
            .collect();
        assert_eq!(found, ["lib/apk/db/installed"]);
    }
}
