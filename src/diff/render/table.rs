//! The terminal table: a header naming both sides, the image's changes, counts per
//! ecosystem, one row per package change (grouped by kind), license changes, and what was
//! not compared. Plain text, no colours; columns padded with two spaces, no trailing spaces.

use std::fmt::Write as _;

use super::{KIND_ORDER, arrow, details_text, layers_text, of_kind, shown_name, summary_line};
use crate::diff::{Counts, SbomDiff, Side};

/// Renders `d` as the table.
pub fn table(d: &SbomDiff) -> String {
    let mut out = String::new();
    let side = |s: &Side| {
        format!(
            "{} ({}, {}, {} packages)",
            s.source, s.format, s.producer, s.packages
        )
    };
    // Writing to a String cannot fail.
    let _ = writeln!(out, "old: {}", side(&d.old));
    let _ = writeln!(out, "new: {}", side(&d.new));
    let mut image: Vec<(&str, String)> = Vec::new();
    let img = &d.image;
    for (label, t) in [
        ("image", &img.subject),
        ("digest", &img.digest),
        ("base image", &img.base),
        ("distribution", &img.distro),
    ] {
        if let Some(t) = t {
            image.push((label, arrow(t)));
        }
    }
    if let Some(l) = layers_text(d) {
        image.push(("layers", l));
    }
    if !image.is_empty() {
        out.push('\n');
        let width = image.iter().map(|(l, _)| l.len()).max().unwrap_or(0);
        for (label, value) in image {
            let _ = writeln!(out, "{label:width$}  {value}");
        }
    }
    let _ = writeln!(out, "\n{}", summary_line(d));
    if d.counts.len() > 1 {
        out.push('\n');
        let mut rows = vec![cells(&[
            "ECOSYSTEM",
            "ADDED",
            "REMOVED",
            "UPGRADED",
            "DOWNGRADED",
            "CHANGED",
            "UNCHANGED",
        ])];
        rows.extend(d.counts[1..].iter().chain(&d.counts[..1]).map(count_row));
        write_rows(&mut out, &rows);
    }
    if !d.changes.is_empty() {
        out.push('\n');
        let mut rows = vec![cells(&[
            "CHANGE",
            "ECOSYSTEM",
            "NAME",
            "OLD",
            "NEW",
            "NOTE",
        ])];
        for kind in KIND_ORDER {
            for c in of_kind(d, kind) {
                let v = |v: &Option<crate::diff::Version>| {
                    v.as_ref().map_or("-".to_owned(), |v| v.version.clone())
                };
                let name = shown_name(d, c);
                rows.push(vec![
                    kind.as_str().to_owned(),
                    c.ecosystem.clone(),
                    name,
                    v(&c.old),
                    v(&c.new),
                    details_text(c),
                ]);
            }
        }
        write_rows(&mut out, &rows);
    }
    if !d.license_changes.is_empty() {
        let _ = writeln!(out, "\nLicense changes:");
        for l in &d.license_changes {
            let list = |v: &[String]| {
                if v.is_empty() {
                    "(none)".to_owned()
                } else {
                    v.join(" AND ")
                }
            };
            let mut notes = Vec::new();
            if !l.new_to_image.is_empty() {
                notes.push(format!("new to the image: {}", l.new_to_image.join(", ")));
            }
            if !l.denied.is_empty() {
                notes.push(format!("denied: {}", l.denied.join(", ")));
            }
            let notes = if notes.is_empty() {
                String::new()
            } else {
                format!("  [{}]", notes.join("; "))
            };
            let _ = writeln!(
                out,
                "  {} {} {}: {} → {}{notes}",
                l.ecosystem,
                l.name,
                l.version,
                list(&l.old),
                list(&l.new)
            );
        }
    }
    if !d.not_compared.is_empty() {
        let _ = writeln!(out, "\nNot compared:");
        for n in &d.not_compared {
            let _ = writeln!(
                out,
                "  {} ({} packages, {} SBOM only): {}",
                n.ecosystem, n.packages, n.side, n.reason
            );
        }
    }
    for note in &d.notes {
        let _ = writeln!(out, "\nNote: {note}");
    }
    out
}

fn cells(s: &[&str]) -> Vec<String> {
    s.iter().map(|c| (*c).to_owned()).collect()
}

fn count_row(c: &Counts) -> Vec<String> {
    let n = |v: usize| v.to_string();
    vec![
        c.ecosystem.clone(),
        n(c.added),
        n(c.removed),
        n(c.upgraded),
        n(c.downgraded),
        n(c.changed),
        n(c.unchanged),
    ]
}

/// Writes rows with every column but the last padded to its widest cell; trailing spaces
/// (an empty last column) trimmed.
fn write_rows(out: &mut String, rows: &[Vec<String>]) {
    let cols = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..cols)
        .map(|i| {
            rows.iter()
                .filter_map(|r| r.get(i))
                .map(|c| c.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    for row in rows {
        let mut line = String::new();
        for (i, cell) in row.iter().enumerate() {
            line.push_str(cell);
            if i + 1 < row.len() {
                let pad = widths[i] - cell.chars().count() + 2;
                line.extend(std::iter::repeat_n(' ', pad));
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
}
