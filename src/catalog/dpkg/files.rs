//! The files a package owns, from `var/lib/dpkg/info/<pkg>[:<arch>].list` (a full dpkg
//! database) or `var/lib/dpkg/status.d/<pkg>.md5sums` (distroless, which has no `info/`).
//!
//! A `.list` holds every path the package unpacked, directories included (`/.`, `/usr`,
//! `/usr/bin`, …). Directories are shared by many packages and owning `/usr` says nothing, so
//! they are dropped: a path is a directory when another listed path lies below it, or when the
//! image has a directory there (an empty directory the package ships). Symlinks are files
//! here (`/bin/sh` belongs to dash), which is what file-based dependency resolution needs.
//! `md5sums` lists regular files only, already root-relative. Paths keep dpkg's order.

use std::collections::HashSet;

use crate::fs::{EntryKind, FileResolver};

/// Root-relative file paths from a `.list` file. See the module docs.
pub(crate) fn parse_list(text: &str, fs: &dyn FileResolver) -> Vec<String> {
    let paths: Vec<&str> = text
        .lines()
        .map(|l| l.trim_end_matches('\r').trim_start_matches('/'))
        .filter(|p| !p.is_empty() && *p != ".")
        .collect();
    let mut parents: HashSet<&str> = HashSet::new();
    for p in &paths {
        let mut rest = *p;
        while let Some((dir, _)) = rest.rsplit_once('/') {
            if !parents.insert(dir) {
                break;
            }
            rest = dir;
        }
    }
    let mut seen = HashSet::new();
    paths
        .into_iter()
        .filter(|p| !parents.contains(p))
        .filter(|p| !matches!(fs.metadata(p), Some((_, m)) if m.kind == EntryKind::Dir))
        .filter(|p| seen.insert(*p))
        .map(str::to_owned)
        .collect()
}

/// Root-relative file paths from an md5sums file (`<md5>  <path>` per line).
pub(crate) fn parse_md5sums(text: &str) -> Vec<String> {
    text.lines()
        .filter_map(|l| {
            let (sum, path) = l.trim_end_matches('\r').split_once(char::is_whitespace)?;
            let path = path.trim().trim_start_matches('/');
            (sum.len() == 32 && sum.bytes().all(|b| b.is_ascii_hexdigit()) && !path.is_empty())
                .then(|| path.to_owned())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::testfs::TestLayer;
    use crate::fs::LayeredFs;

    #[test]
    fn list_drops_dot_and_directories() {
        let layers = [TestLayer::new(&[])
            .dir("var")
            .dir("var/lib")
            .dir("var/lib/empty")
            .build()];
        let fs = LayeredFs::squashed(&layers);
        let list = "/.\n/bin\n/bin/dash\n/usr\n/usr/share\n/usr/share/doc\n/usr/share/doc/dash\n/usr/share/doc/dash/copyright\n/var/lib/empty\n/bin/sh\n/bin/sh\n";
        assert_eq!(
            parse_list(list, &fs),
            ["bin/dash", "usr/share/doc/dash/copyright", "bin/sh"]
        );
        assert!(parse_list("", &fs).is_empty());
    }

    #[test]
    fn md5sums_paths() {
        let text = "e11d70c96979a1328ae4e7e50542782b  usr/lib/aarch64-linux-gnu/libsqlite3.so.0.8.6\n9d8facc2fa9d2df52f1c7cb4e5fa4741  usr/share/doc/with space\nnot a line\nzz  x\n";
        assert_eq!(
            parse_md5sums(text),
            [
                "usr/lib/aarch64-linux-gnu/libsqlite3.so.0.8.6",
                "usr/share/doc/with space"
            ]
        );
    }
}
