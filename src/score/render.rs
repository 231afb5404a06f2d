//! The score as a table (one row per field, the first components missing each) or as JSON
//! (every missing component listed).

use std::fmt::Write as _;

use super::{Scope, Score, Standard};

/// The score as pretty-printed JSON with a trailing newline.
pub fn json(s: &Score) -> String {
    // Serialising plain owned data cannot fail.
    let mut out = serde_json::to_string_pretty(s).unwrap_or_default();
    out.push('\n');
    out
}

/// The score as a table; each field lists at most `listed` missing components
/// (`usize::MAX` for all).
pub fn table(s: &Score, listed: usize) -> String {
    let mut out = String::new();
    // Writing to a String cannot fail.
    let _ = writeln!(
        out,
        "{} ({}, {}): {} components\n",
        s.source, s.format, s.producer, s.components
    );
    let mut rows = vec![[
        "FIELD".to_owned(),
        "REQUIRED BY".to_owned(),
        "COVERAGE".to_owned(),
        "MISSING".to_owned(),
    ]];
    for f in &s.fields {
        let standards: Vec<&str> = f
            .standards
            .iter()
            .map(|s| match s {
                Standard::Ntia => "NTIA",
                Standard::Cisa2025 => "CISA 2025",
            })
            .collect();
        let coverage = match f.percent {
            Some(p) => format!("{p}% ({}/{})", f.covered, f.total),
            None => "n/a".to_owned(),
        };
        let missing = match (f.scope, f.covered == f.total) {
            (_, true) => String::new(),
            (Scope::Document, false) => "not in the document".to_owned(),
            (Scope::Component, false) => {
                let shown: Vec<&str> = f.missing.iter().take(listed).map(String::as_str).collect();
                let rest = f.missing.len() - shown.len();
                let mut m = shown.join(", ");
                if rest > 0 {
                    let _ = write!(m, " … and {rest} more");
                }
                m
            }
        };
        rows.push([f.id.to_owned(), standards.join(", "), coverage, missing]);
    }
    let width = |i: usize| rows.iter().map(|r| r[i].chars().count()).max().unwrap_or(0);
    let widths = [width(0), width(1), width(2)];
    for r in &rows {
        let mut line = String::new();
        for (i, w) in widths.iter().enumerate() {
            line.push_str(&r[i]);
            line.extend(std::iter::repeat_n(' ', w - r[i].chars().count() + 2));
        }
        line.push_str(&r[3]);
        out.push_str(line.trim_end());
        out.push('\n');
    }
    let _ = writeln!(
        out,
        "\nNTIA minimum elements: {}%\nCISA 2025 minimum elements: {}%",
        s.ntia, s.cisa2025
    );
    out
}
