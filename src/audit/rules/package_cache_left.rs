//! IMG006 package-cache-left.

use std::collections::BTreeMap;

use crate::audit::AuditCtx;
use crate::audit::finding::{Finding, Findings};
use crate::audit::rule::{Rule, RuleMeta, declare_rule};
use crate::fs::EntryKind;

declare_rule! {
    /// ## What it flags
    /// Package-manager caches left in a layer the image's own build added: apt's downloaded
    /// `.deb` files and package lists (`/var/cache/apt/archives`, `/var/lib/apt/lists`), apk's
    /// `/var/cache/apk`, yum/dnf caches, pip, npm, yarn and Go build caches. A cache deleted by
    /// a later layer is still reported: its bytes still ship in the layer that wrote them.
    ///
    /// ## Why it matters
    /// Caches bloat the image (often by tens of megabytes), slow every pull, and stale package
    /// lists hide what the image was built from (hadolint DL3009, DL3019, DL3042).
    ///
    /// ## How to fix
    /// Clean up in the same `RUN` that installs: `apt-get install … && rm -rf
    /// /var/lib/apt/lists/*`, `apk add --no-cache`, `pip install --no-cache-dir`,
    /// `npm ci && npm cache clean --force`, or use cache mounts (`RUN --mount=type=cache`).
    ///
    /// ## Policy example
    /// ```toml
    /// [rules]
    /// package-cache-left = "medium"
    /// ```
    pub(crate) struct PackageCacheLeft;
    id: "IMG006",
    name: "package-cache-left",
    title: "Package manager cache left in the image",
    group: Image,
    severity: Low,
    enabled: true,
}

const CACHES: &[(&str, &str)] = &[
    ("var/cache/apt/archives/", "apt"),
    ("var/lib/apt/lists/", "apt lists"),
    ("var/cache/apk/", "apk"),
    ("var/cache/yum/", "yum"),
    ("var/cache/dnf/", "dnf"),
    ("var/cache/zypp/", "zypper"),
    ("root/.cache/pip/", "pip"),
    ("root/.npm/_cacache/", "npm"),
    ("usr/local/share/.cache/yarn/", "yarn"),
    ("root/.cache/yarn/", "yarn"),
    ("root/.cache/go-build/", "go build"),
];

fn cache_of(path: &str) -> Option<(&'static str, &'static str)> {
    if let Some(&(root, name)) = CACHES.iter().find(|(root, _)| path.starts_with(root)) {
        return Some((root, name));
    }
    for (marker, root, name) in [
        ("/.cache/pip/", ".cache/pip/", "pip"),
        ("/.npm/_cacache/", ".npm/_cacache/", "npm"),
    ] {
        if path.starts_with("home/") && path.contains(marker) {
            return Some((root, name));
        }
    }
    None
}

impl Rule for PackageCacheLeft {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &AuditCtx<'_>, out: &mut Findings) {
        let start = cx.app_layers_start() as usize;
        for (layer, tree) in cx.trees.iter().enumerate().skip(start) {
            // (cache root) → (tool, files, bytes, first path)
            let mut found: BTreeMap<&str, (&str, usize, u64, &str)> = BTreeMap::new();
            for e in &tree.entries {
                if e.meta.kind != EntryKind::File || e.meta.size == 0 {
                    continue;
                }
                let name = e.path.rsplit('/').next().unwrap_or("");
                if matches!(name, "lock" | "lock-frontend" | "CACHEDIR.TAG") {
                    continue;
                }
                if let Some((root, tool)) = cache_of(&e.path) {
                    let slot = found.entry(root).or_insert((tool, 0, 0, e.path.as_str()));
                    slot.1 += 1;
                    slot.2 += e.meta.size;
                }
            }
            for (root, (tool, files, bytes, first)) in found {
                let dir = match first.find(root) {
                    Some(i) => &first[..i + root.len() - 1],
                    None => root.trim_end_matches('/'),
                };
                out.push(
                    Finding::new(
                        &META,
                        format!("{tool} cache left in layer {layer}: {files} files, {} KiB under /{dir}", bytes.div_ceil(1024)),
                    )
                    .at(cx.file_evidence(layer as u32, dir)),
                );
            }
        }
    }
}
