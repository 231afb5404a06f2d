//! The package manifest of CBL-Mariner / Azure Linux distroless images, which carry no rpm
//! database: `var/lib/rpmmanifest/container-manifest-2`, one package per line, the output of
//!
//! ```text
//! rpm -qa --qf "%{NAME}\t%{VERSION}-%{RELEASE}\t%{INSTALLTIME}\t%{BUILDTIME}\t%{VENDOR}\t%{EPOCH}\t%{SIZE}\t%{ARCH}\t%{EPOCHNUM}\t%{SOURCERPM}\n"
//! ```
//!
//! (`(none)` where a tag is absent). It lists no files, provides or requires, so these
//! packages have no dependency edges. Format: CBL-Mariner's `toolkit/docs/how_it_works/5_misc.md`.

use super::entry::{RpmEntry, present};

/// Fields per line.
const FIELDS: usize = 10;

/// Parses the manifest; each line is a package or the reason it is not one.
pub(crate) fn parse_manifest(text: &str) -> Vec<Result<RpmEntry, String>> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| parse_line(l).map_err(|e| format!("line {}: {e}", i + 1)))
        .collect()
}

fn parse_line(line: &str) -> Result<RpmEntry, String> {
    let f: Vec<&str> = line.split('\t').collect();
    if f.len() < FIELDS {
        return Err(format!(
            "{} tab-separated fields, expected {FIELDS}",
            f.len()
        ));
    }
    let field = |i: usize| f.get(i).copied().and_then(present);
    let name = field(0).ok_or("no package name")?;
    let vr = field(1).ok_or("no version")?;
    // Neither version nor release contains '-'.
    let (version, release) = vr.rsplit_once('-').unwrap_or((vr.as_str(), ""));
    let epoch = match field(5) {
        Some(e) => Some(e.parse::<u32>().map_err(|_| format!("bad epoch {e:?}"))?),
        None => None,
    };
    Ok(RpmEntry {
        name,
        version: version.to_owned(),
        release: release.to_owned(),
        epoch,
        arch: field(7),
        source_rpm: field(9),
        size: field(6).and_then(|s| s.parse().ok()),
        vendor: field(4),
        ..RpmEntry::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_lines() {
        let text = "vim\t9.0-1.cm2\t1653816591\t1653753130\tMicrosoft Corporation\t2\t45000\tx86_64\t2\tvim-9.0-1.cm2.src.rpm\n\
                    glibc\t2.35-2.cm2\t1\t1\tMicrosoft Corporation\t(none)\t10855265\tx86_64\t0\tglibc-2.35-2.cm2.src.rpm\n\n";
        let got = parse_manifest(text);
        assert_eq!(got.len(), 2);
        let vim = got[0].as_ref().unwrap();
        assert_eq!(
            (
                vim.name.as_str(),
                vim.version.as_str(),
                vim.release.as_str()
            ),
            ("vim", "9.0", "1.cm2")
        );
        assert_eq!(vim.epoch, Some(2));
        assert_eq!(vim.size, Some(45000));
        let glibc = got[1].as_ref().unwrap();
        assert_eq!(glibc.epoch, None);
        assert_eq!(
            glibc.source_rpm.as_deref(),
            Some("glibc-2.35-2.cm2.src.rpm")
        );
    }

    #[test]
    fn bad_lines_are_reported() {
        let got = parse_manifest("just-a-name\nx\t1-1\t0\t0\tv\tnope\t0\tnoarch\t0\tx.src.rpm\n");
        assert_eq!(
            got[0],
            Err("line 1: 1 tab-separated fields, expected 10".into())
        );
        assert_eq!(got[1], Err("line 2: bad epoch \"nope\"".into()));
        let got = parse_manifest("(none)\t1-1\t0\t0\tv\t(none)\t0\tnoarch\t0\tx.src.rpm");
        assert!(got[0].is_err());
    }
}
