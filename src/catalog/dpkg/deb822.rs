//! The deb822 paragraph format shared by dpkg's status database and Debian copyright files:
//! `Field: value` lines, continuation lines starting with a space or tab, paragraphs separated
//! by blank lines (<https://www.debian.org/doc/debian-policy/ch-controlfields.html#syntax-of-control-files>).
//!
//! The parser never fails as a whole: a paragraph with a line that is neither a field nor a
//! continuation (binary junk, a stray word) is returned as [`Malformed`] and parsing resumes at
//! the next blank line, so one damaged stanza does not hide the packages around it.

/// One well-formed paragraph.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Paragraph<'a> {
    /// The 1-based line the paragraph starts on, for messages.
    pub(crate) line: usize,
    /// Fields in file order: name as written, value with continuation lines joined by `\n`
    /// (each without its leading space; the first line trimmed).
    fields: Vec<(&'a str, String)>,
}

/// A paragraph that could not be parsed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Malformed {
    /// The 1-based line the paragraph starts on.
    pub(crate) line: usize,
    /// What is wrong, naming the offending line.
    pub(crate) reason: String,
}

impl<'a> Paragraph<'a> {
    /// The value of `name` (field names are case-insensitive); the first one if repeated.
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The value of `name` with surrounding whitespace removed, `None` when absent or empty.
    pub(crate) fn get_nonempty(&self, name: &str) -> Option<&str> {
        self.get(name).map(str::trim).filter(|v| !v.is_empty())
    }

    /// Every field, in file order.
    pub(crate) fn fields(&self) -> impl Iterator<Item = (&'a str, &str)> {
        self.fields.iter().map(|(n, v)| (*n, v.as_str()))
    }
}

/// Splits `text` into paragraphs. See the module docs.
pub(crate) fn paragraphs(text: &str) -> Vec<Result<Paragraph<'_>, Malformed>> {
    let mut out = Vec::new();
    let mut current: Option<Paragraph<'_>> = None;
    // Set when the current paragraph is damaged: skip to the next blank line.
    let mut broken: Option<Malformed> = None;
    for (idx, raw) in text.split('\n').enumerate() {
        let lineno = idx + 1;
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        if line.trim().is_empty() {
            if let Some(m) = broken.take() {
                out.push(Err(m));
            } else if let Some(p) = current.take() {
                out.push(Ok(p));
            }
            current = None;
            continue;
        }
        if broken.is_some() {
            continue;
        }
        let start = current.as_ref().map_or(lineno, |p| p.line);
        let fail = |why: &str| Malformed {
            line: start,
            reason: format!("line {lineno}: {why}"),
        };
        if line.chars().any(|c| c.is_control() && c != '\t') {
            broken = Some(fail("control characters (binary data?)"));
            current = None;
            continue;
        }
        if line.starts_with([' ', '\t']) {
            match current.as_mut().and_then(|p| p.fields.last_mut()) {
                Some((_, value)) => {
                    value.push('\n');
                    value.push_str(&line[1..]);
                }
                None => broken = Some(fail("continuation line before any field")),
            }
            continue;
        }
        let Some((name, value)) = line.split_once(':') else {
            broken = Some(fail("expected `Field: value`"));
            current = None;
            continue;
        };
        if name.is_empty() || name.contains(char::is_whitespace) || name.starts_with(['#', '-']) {
            broken = Some(fail("invalid field name"));
            current = None;
            continue;
        }
        current
            .get_or_insert_with(|| Paragraph {
                line: lineno,
                fields: Vec::new(),
            })
            .fields
            .push((name, value.trim().to_owned()));
    }
    if let Some(m) = broken {
        out.push(Err(m));
    } else if let Some(p) = current {
        out.push(Ok(p));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_continuations_and_separators() {
        let text = "Package: a\nDescription: short\n long line\n .\n more\n\n\n  \nPackage: b\r\nVersion: 1\r\n";
        let ps = paragraphs(text);
        assert_eq!(ps.len(), 2);
        let a = ps[0].as_ref().unwrap();
        assert_eq!(a.line, 1);
        assert_eq!(a.get("package"), Some("a"));
        assert_eq!(a.get("Description"), Some("short\nlong line\n.\nmore"));
        let b = ps[1].as_ref().unwrap();
        assert_eq!(b.line, 9);
        assert_eq!(b.get("Version"), Some("1"));
        assert_eq!(b.get_nonempty("Missing"), None);
    }

    #[test]
    fn value_may_be_empty_and_hold_colons() {
        let ps = paragraphs("Conffiles:\n /etc/a 123\nDepends: libc6:any (>= 2:1)\n");
        let p = ps[0].as_ref().unwrap();
        assert_eq!(p.get("Conffiles"), Some("\n/etc/a 123"));
        assert_eq!(p.get("Depends"), Some("libc6:any (>= 2:1)"));
        assert_eq!(p.fields().count(), 2);
    }

    #[test]
    fn a_damaged_paragraph_does_not_hide_its_neighbours() {
        let text = "Package: a\nVersion: 1\n\nPackage: b\n\u{1}\u{2}junk\nVersion: 2\n\n just a continuation\n\nno colon here\n\nPackage: c\nVersion: 3";
        let ps = paragraphs(text);
        assert_eq!(ps.len(), 5);
        assert!(ps[0].is_ok());
        let m = ps[1].as_ref().unwrap_err();
        assert_eq!(m.line, 4);
        assert!(m.reason.contains("line 5"), "{}", m.reason);
        assert!(ps[2].as_ref().unwrap_err().reason.contains("continuation"));
        assert!(ps[3].as_ref().unwrap_err().reason.contains("Field: value"));
        assert_eq!(ps[4].as_ref().unwrap().get("Version"), Some("3"));
    }

    #[test]
    fn empty_and_blank_input() {
        assert!(paragraphs("").is_empty());
        assert!(paragraphs("\n \n\t\n").is_empty());
    }

    #[test]
    fn huge_continuations_stay_linear() {
        let mut text = String::from("Package: big\nDescription: x\n");
        for _ in 0..20_000 {
            text.push(' ');
            text.push_str(&"y".repeat(100));
            text.push('\n');
        }
        text.push_str("Version: 1\n");
        let ps = paragraphs(&text);
        let p = ps[0].as_ref().unwrap();
        assert_eq!(p.get("Version"), Some("1"));
        assert!(p.get("Description").unwrap().len() > 2_000_000);
    }
}
