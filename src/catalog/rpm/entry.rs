//! One installed package as an rpm database records it: the fields the cataloger uses, read
//! from a [`Header`] (or from a manifest line), independent of the database format.

use super::header::{Header, HeaderError};
use super::signature::{self, Signature};
use super::tag;

/// A requirement as the header stores it: a name (or a rich `(…)` expression) and its
/// `RPMSENSE_*` flags.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Requirement {
    /// `REQUIRENAME`.
    pub name: String,
    /// `REQUIREFLAGS`.
    pub flags: u32,
}

/// What the cataloger reads of one package; `None` where the header lacks the tag.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct RpmEntry {
    /// `NAME`.
    pub name: String,
    /// `VERSION`.
    pub version: String,
    /// `RELEASE` (empty when absent).
    pub release: String,
    /// `EPOCH`.
    pub epoch: Option<u32>,
    /// `ARCH`.
    pub arch: Option<String>,
    /// `SOURCERPM`, the source package's file name.
    pub source_rpm: Option<String>,
    /// Installed size in bytes (`LONGSIZE`, else `SIZE`).
    pub size: Option<u64>,
    /// `LICENSE`, verbatim.
    pub license: Option<String>,
    /// `VENDOR`.
    pub vendor: Option<String>,
    /// `SUMMARY` in the `C` locale.
    pub summary: Option<String>,
    /// `URL`.
    pub url: Option<String>,
    /// `SIGMD5`, lowercase hex.
    pub sigmd5: Option<String>,
    /// `MODULARITYLABEL`.
    pub modularity_label: Option<String>,
    /// The package signature (from `RSAHEADER`, `DSAHEADER`, `SIGPGP` or `SIGGPG`).
    pub signature: Option<Signature>,
    /// Owned paths, root-relative (no leading `/`), in header order.
    pub files: Vec<String>,
    /// `PROVIDENAME`, in header order.
    pub provides: Vec<String>,
    /// `REQUIRENAME` with `REQUIREFLAGS`, in header order.
    pub requires: Vec<Requirement>,
}

/// rpm prints `(none)` for absent tags, and some tools wrote it into headers and manifests.
pub(crate) fn present(s: &str) -> Option<String> {
    let s = s.trim();
    (!s.is_empty() && s != "(none)").then(|| s.to_owned())
}

impl RpmEntry {
    /// Reads the cataloger's fields from a parsed header.
    pub(crate) fn from_header(h: &Header<'_>) -> Result<RpmEntry, HeaderError> {
        let text = |t| -> Result<Option<String>, HeaderError> {
            Ok(h.string(t)?.as_deref().and_then(present))
        };
        let name = text(tag::NAME)?.ok_or(HeaderError::BadEntry {
            tag: tag::NAME,
            reason: "missing package name",
        })?;
        let size = match h.int(tag::LONGSIZE)? {
            Some(n) => Some(n),
            None => h.int(tag::SIZE)?,
        };
        // EPOCH is an INT32; anything wider is not an epoch rpm would compare.
        let epoch = h.int(tag::EPOCH)?.and_then(|e| u32::try_from(e).ok());
        let flags = h.ints(tag::REQUIREFLAGS)?;
        let requires = h
            .strings(tag::REQUIRENAME)?
            .into_iter()
            .enumerate()
            .map(|(i, n)| Requirement {
                name: n.into_owned(),
                // A missing flag is a plain runtime requirement.
                flags: flags
                    .get(i)
                    .and_then(|&f| u32::try_from(f).ok())
                    .unwrap_or(0),
            })
            .collect();
        Ok(RpmEntry {
            name,
            version: text(tag::VERSION)?.unwrap_or_default(),
            release: text(tag::RELEASE)?.unwrap_or_default(),
            epoch,
            arch: text(tag::ARCH)?,
            source_rpm: text(tag::SOURCERPM)?,
            size,
            license: text(tag::LICENSE)?,
            vendor: text(tag::VENDOR)?,
            summary: text(tag::SUMMARY)?,
            url: text(tag::URL)?,
            sigmd5: h.bin(tag::SIGMD5)?.map(hex::encode),
            modularity_label: text(tag::MODULARITYLABEL)?,
            // A signature of an unexpected type is no signature, not a broken header.
            signature: signature::from_tags(|t| h.bin(t).ok().flatten()),
            files: files(h)?,
            provides: h
                .strings(tag::PROVIDENAME)?
                .into_iter()
                .map(|s| s.into_owned())
                .collect(),
            requires,
        })
    }

    /// `version-release`, or the version alone when there is no release.
    pub(crate) fn version_release(&self) -> String {
        if self.release.is_empty() {
            self.version.clone()
        } else {
            format!("{}-{}", self.version, self.release)
        }
    }
}

/// Owned paths: `DIRNAMES[DIRINDEXES[i]] + BASENAMES[i]`, or `OLDFILENAMES` in pre-4.0
/// headers; root-relative.
fn files(h: &Header<'_>) -> Result<Vec<String>, HeaderError> {
    let rel = |p: &str| p.trim_start_matches('/').to_owned();
    if !h.has(tag::BASENAMES) {
        return Ok(h
            .strings(tag::OLDFILENAMES)?
            .iter()
            .map(|p| rel(p))
            .collect());
    }
    let base = h.strings(tag::BASENAMES)?;
    let dirs = h.strings(tag::DIRNAMES)?;
    let idx = h.ints(tag::DIRINDEXES)?;
    if idx.len() != base.len() {
        return Err(HeaderError::BadEntry {
            tag: tag::DIRINDEXES,
            reason: "count differs from BASENAMES",
        });
    }
    base.iter()
        .zip(&idx)
        .map(|(b, &i)| {
            let dir =
                usize::try_from(i)
                    .ok()
                    .and_then(|i| dirs.get(i))
                    .ok_or(HeaderError::BadEntry {
                        tag: tag::DIRINDEXES,
                        reason: "index past DIRNAMES",
                    })?;
            Ok(rel(&format!("{dir}{b}")))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::header_build::{V, blob};
    use super::*;

    #[test]
    fn reads_fields_and_files() {
        let b = blob(&[
            (tag::NAME, V::S("bash")),
            (tag::VERSION, V::S("5.2.15")),
            (tag::RELEASE, V::S("3.fc38")),
            (tag::EPOCH, V::I32(&[1])),
            (tag::ARCH, V::S("x86_64")),
            (tag::VENDOR, V::S("(none)")),
            (tag::SIZE, V::I32(&[42])),
            (tag::SIGMD5, V::Bin(&[0x0f; 16])),
            (tag::PROVIDENAME, V::A(&["/bin/sh", "bash"])),
            (tag::REQUIREFLAGS, V::I32(&[0, 1 << 24])),
            (tag::REQUIRENAME, V::A(&["libc.so.6()(64bit)", "rpmlib(X)"])),
            (tag::DIRINDEXES, V::I32(&[0, 1, 1])),
            (tag::BASENAMES, V::A(&["bashrc", "bash", "sh"])),
            (tag::DIRNAMES, V::A(&["/etc/", "/usr/bin/"])),
        ]);
        let e = RpmEntry::from_header(&Header::parse(&b).unwrap()).unwrap();
        assert_eq!(e.version_release(), "5.2.15-3.fc38");
        assert_eq!(e.epoch, Some(1));
        assert_eq!(e.vendor, None);
        assert_eq!(e.size, Some(42));
        assert_eq!(
            e.sigmd5.as_deref(),
            Some("0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f")
        );
        assert_eq!(e.files, ["etc/bashrc", "usr/bin/bash", "usr/bin/sh"]);
        assert_eq!(e.requires[1].flags, 1 << 24);
    }

    #[test]
    fn old_file_lists_and_bad_dir_indexes() {
        let b = blob(&[
            (tag::NAME, V::S("old")),
            (tag::OLDFILENAMES, V::A(&["/etc/old.conf"])),
        ]);
        let e = RpmEntry::from_header(&Header::parse(&b).unwrap()).unwrap();
        assert_eq!(e.files, ["etc/old.conf"]);

        let b = blob(&[
            (tag::NAME, V::S("bad")),
            (tag::DIRINDEXES, V::I32(&[7])),
            (tag::BASENAMES, V::A(&["x"])),
            (tag::DIRNAMES, V::A(&["/"])),
        ]);
        assert!(RpmEntry::from_header(&Header::parse(&b).unwrap()).is_err());
        let b = blob(&[(tag::VERSION, V::S("1"))]);
        assert!(RpmEntry::from_header(&Header::parse(&b).unwrap()).is_err());
    }
}
