//! Parsing apk's installed database (`lib/apk/db/installed`) into [`Record`]s.
//!
//! Format (<https://wiki.alpinelinux.org/wiki/Apk_spec#Installed_Database_V2>): one record per
//! package, records separated by blank lines, each line `<letter>:<value>`. File ownership is
//! a sequence of `F:<dir>` lines, each followed by `R:<file>` lines for that directory (with
//! `a:`/`Z:` after each `R:` for its ACL and checksum, `M:` after `F:` for the directory's).
//! Unknown letters are ignored, as apk itself does with fields newer than it. A record with a
//! line that is not `<letter>:<value>` (binary junk, a truncated write), two `P:` lines, or
//! no valid `P:`/`V:` is rejected as a whole and parsing resumes after the next blank line.

/// One package record.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Record {
    /// 1-based line the record starts on, for messages.
    pub(crate) line: usize,
    /// `P:` name.
    pub(crate) name: String,
    /// `V:` version.
    pub(crate) version: String,
    /// `A:` architecture.
    pub(crate) arch: Option<String>,
    /// `L:` license, verbatim.
    pub(crate) license: Option<String>,
    /// `o:` origin (the source package, `APKBUILD` pkgname).
    pub(crate) origin: Option<String>,
    /// `c:` aports commit.
    pub(crate) commit: Option<String>,
    /// `m:` maintainer.
    pub(crate) maintainer: Option<String>,
    /// `t:` build time, Unix seconds.
    pub(crate) build_time: Option<i64>,
    /// `S:` package size in bytes.
    pub(crate) size: Option<u64>,
    /// `I:` installed size in bytes.
    pub(crate) installed_size: Option<u64>,
    /// `U:` upstream URL.
    pub(crate) url: Option<String>,
    /// `T:` description.
    pub(crate) description: Option<String>,
    /// `C:` control checksum.
    pub(crate) checksum: Option<String>,
    /// `D:` dependencies as written (space-separated in the file).
    pub(crate) depends: Vec<String>,
    /// `p:` provides as written.
    pub(crate) provides: Vec<String>,
    /// `r:` replaces.
    pub(crate) replaces: Vec<String>,
    /// `i:` install-if.
    pub(crate) install_if: Vec<String>,
    /// Owned files, root-relative, from the `F:`/`R:` pairs.
    pub(crate) files: Vec<String>,
}

/// Every record of `text`, or why a record was rejected (`record at line N: …`).
pub(crate) fn parse_installed(text: &str) -> Vec<Result<Record, String>> {
    let mut out = Vec::new();
    let mut current: Option<Builder> = None;
    for (idx, raw) in text.split('\n').enumerate() {
        let lineno = idx + 1;
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        if line.trim().is_empty() {
            if let Some(b) = current.take() {
                out.push(b.finish());
            }
            continue;
        }
        let b = current.get_or_insert_with(|| Builder::new(lineno));
        if b.error.is_none() {
            b.line(line, lineno);
        }
    }
    if let Some(b) = current {
        out.push(b.finish());
    }
    out
}

struct Builder {
    record: Record,
    dir: Option<String>,
    error: Option<String>,
}

impl Builder {
    fn new(line: usize) -> Self {
        Builder {
            record: Record {
                line,
                ..Record::default()
            },
            dir: None,
            error: None,
        }
    }

    fn line(&mut self, line: &str, lineno: usize) {
        let bytes = line.as_bytes();
        if bytes.len() < 2 || bytes[1] != b':' || !bytes[0].is_ascii_alphanumeric() {
            self.error = Some(format!("line {lineno}: expected `<letter>:<value>`"));
            return;
        }
        if line.chars().any(|c| c.is_control() && c != '\t') {
            self.error = Some(format!("line {lineno}: control characters (binary data?)"));
            return;
        }
        let value = line[2..].trim();
        let text = || (!value.is_empty()).then(|| value.to_owned());
        let list = || value.split_whitespace().map(str::to_owned);
        let r = &mut self.record;
        match bytes[0] {
            b'P' if !r.name.is_empty() => {
                self.error = Some(format!(
                    "line {lineno}: a second P: in one record (missing blank line?)"
                ));
            }
            b'P' => r.name = value.to_owned(),
            b'V' => r.version = value.to_owned(),
            b'A' => r.arch = text(),
            b'L' => r.license = text(),
            b'o' => r.origin = text(),
            b'c' => r.commit = text(),
            b'm' => r.maintainer = text(),
            b't' => r.build_time = value.parse().ok(),
            b'S' => r.size = value.parse().ok(),
            b'I' => r.installed_size = value.parse().ok(),
            b'U' => r.url = text(),
            b'T' => r.description = text(),
            b'C' => r.checksum = text(),
            b'D' => r.depends.extend(list()),
            b'p' => r.provides.extend(list()),
            b'r' => r.replaces.extend(list()),
            b'i' => r.install_if.extend(list()),
            b'F' => self.dir = Some(value.trim_matches('/').to_owned()),
            b'R' if !value.is_empty() => {
                let file = value.trim_start_matches('/');
                r.files.push(match self.dir.as_deref() {
                    Some(d) if !d.is_empty() => format!("{d}/{file}"),
                    _ => file.to_owned(),
                });
            }
            _ => {}
        }
    }

    fn finish(self) -> Result<Record, String> {
        let at = self.record.line;
        if let Some(e) = self.error {
            return Err(format!("record at line {at}: {e}"));
        }
        let r = self.record;
        if r.name.is_empty() {
            return Err(format!("record at line {at}: no P: (package name)"));
        }
        if !valid_name(&r.name) {
            return Err(format!(
                "record at line {at}: invalid package name {:?}",
                r.name
            ));
        }
        if r.version.is_empty() {
            return Err(format!(
                "record at line {at}: package {}: no V: (version)",
                r.name
            ));
        }
        if !r.version.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(format!(
                "record at line {at}: package {}: invalid version {:?}",
                r.name, r.version
            ));
        }
        Ok(r)
    }
}

/// apk package names: ASCII letters, digits and `+ - . _` (abuild's rule), no path separators.
fn valid_name(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_alphanumeric())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.' | '_'))
}

/// `D:` items → requirement names: conflicts (`!name`) dropped, version constraints
/// (`musl>=1.2.3_git20230424`, `busybox=1.36.0-r9`, `foo~1.2`, `bar<2`) stripped. Each
/// requirement is its own group: apk has no alternatives.
pub(crate) fn requirement_names(depends: &[String]) -> Vec<Vec<String>> {
    depends
        .iter()
        .filter(|d| !d.starts_with('!'))
        .map(|d| strip_constraint(d))
        .filter(|n| !n.is_empty())
        .map(|n| vec![n.to_owned()])
        .collect()
}

/// `p:` items → provided names (`so:libcrypto.so.3=3` → `so:libcrypto.so.3`).
pub(crate) fn provided_names(provides: &[String]) -> Vec<String> {
    provides
        .iter()
        .map(|p| strip_constraint(p))
        .filter(|n| !n.is_empty())
        .map(str::to_owned)
        .collect()
}

fn strip_constraint(item: &str) -> &str {
    let end = item.find(['<', '>', '=', '~']).unwrap_or(item.len());
    &item[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    const MUSL: &str = "C:Q1yyMWoYnr7lKCxKm9mHlMwkd6dMY=\nP:musl\nV:1.1.24-r2\nA:x86_64\nS:377123\nI:614400\nT:the musl c library (libc) implementation\nU:https://musl.libc.org/\nL:MIT\no:musl\nm:Timo Teräs <timo.teras@iki.fi>\nt:1584790550\nc:4024cc3b29ad4c65544ad068b8f59172b5494306\np:so:libc.musl-x86_64.so.1=1\nF:lib\nR:libc.musl-x86_64.so.1\na:0:0:777\nZ:Q17yJ3JFNypA4mxhJJr0ou6CzsJVI=\nR:ld-musl-x86_64.so.1\na:0:0:755\nZ:Q19mQZaYKY6yTQWQm0hkvsrh39O7Y=\n";

    #[test]
    fn reads_a_full_record() {
        let rs = parse_installed(MUSL);
        assert_eq!(rs.len(), 1);
        let r = rs[0].as_ref().unwrap();
        assert_eq!(r.name, "musl");
        assert_eq!(r.version, "1.1.24-r2");
        assert_eq!(r.arch.as_deref(), Some("x86_64"));
        assert_eq!(r.size, Some(377123));
        assert_eq!(r.installed_size, Some(614400));
        assert_eq!(r.build_time, Some(1584790550));
        assert_eq!(
            r.maintainer.as_deref(),
            Some("Timo Teräs <timo.teras@iki.fi>")
        );
        assert_eq!(
            r.checksum.as_deref(),
            Some("Q1yyMWoYnr7lKCxKm9mHlMwkd6dMY=")
        );
        assert_eq!(r.provides, ["so:libc.musl-x86_64.so.1=1"]);
        assert_eq!(
            r.files,
            ["lib/libc.musl-x86_64.so.1", "lib/ld-musl-x86_64.so.1"]
        );
    }

    #[test]
    fn files_at_the_root_and_empty_dirs() {
        let text = "P:x1\nV:1\nR:top\nF:etc\nF:etc/empty\nF:/usr/bin/\nR:tool\n";
        let r = parse_installed(text).remove(0).unwrap();
        assert_eq!(r.files, ["top", "usr/bin/tool"]);
    }

    #[test]
    fn records_are_split_on_blank_lines_and_bad_ones_rejected() {
        let text = format!(
            "{MUSL}\n\nP:nover\nA:x86_64\n\nV:1\n\nP:junk\nV:1\n\u{1}\u{2}\u{3}\n\nP:a\nV:1\nP:b\nV:2\n\nP:bad/name\nV:1\n\nP:ok2\nV:1 2\n\r\nP:last\r\nV:9-r0\r\n"
        );
        let rs = parse_installed(&text);
        let summary: Vec<String> = rs
            .iter()
            .map(|r| match r {
                Ok(r) => format!("ok {}", r.name),
                Err(e) => e.clone(),
            })
            .collect();
        assert_eq!(
            summary,
            [
                "ok musl",
                "record at line 24: package nover: no V: (version)",
                "record at line 27: no P: (package name)",
                "record at line 29: line 31: expected `<letter>:<value>`",
                "record at line 33: line 35: a second P: in one record (missing blank line?)",
                "record at line 38: invalid package name \"bad/name\"",
                "record at line 41: package ok2: invalid version \"1 2\"",
                "ok last",
            ]
        );
    }

    #[test]
    fn dependency_names() {
        let d: Vec<String> = [
            "so:libc.musl-x86_64.so.1",
            "/bin/sh",
            "musl>=1.2.3_git20230424",
            "busybox=1.36.0-r9",
            "foo~1.2",
            "!conflicting",
            "pc:zlib",
            "cmd:sh",
        ]
        .map(String::from)
        .to_vec();
        assert_eq!(
            requirement_names(&d),
            [
                vec!["so:libc.musl-x86_64.so.1"],
                vec!["/bin/sh"],
                vec!["musl"],
                vec!["busybox"],
                vec!["foo"],
                vec!["pc:zlib"],
                vec!["cmd:sh"],
            ]
        );
        let p: Vec<String> = ["so:libcrypto.so.3=3", "cmd:apk=2.14.0-r0", "/bin/sh"]
            .map(String::from)
            .to_vec();
        assert_eq!(
            provided_names(&p),
            ["so:libcrypto.so.3", "cmd:apk", "/bin/sh"]
        );
    }
}
