//! Markdown for release notes, meant to be pasted as is (GitHub-flavoured: tables,
//! `<details>`).
//!
//! A heading naming both images; a table of the image's own changes (base image,
//! distribution, layers); a one-line summary and counts per ecosystem; license changes; then
//! one section per kind of change, downgrades first. A section longer than
//! [`COLLAPSE_OVER`] rows is folded into `<details>`. Names and versions are code spans (a
//! `~` in a Debian version would otherwise strike text through on GitHub, an `_` start
//! emphasis), with `|` escaped so tables hold.

use std::fmt::Write as _;

use super::{KIND_ORDER, heading, of_kind, shown_name, summary_line};
use crate::diff::{Change, ChangeKind, SbomDiff, Transition};

/// Sections with more rows than this are collapsed.
pub const COLLAPSE_OVER: usize = 10;

/// A code span that survives a table cell.
fn code(s: &str) -> String {
    let s = s.replace('|', "\\|");
    if s.is_empty() {
        return String::new();
    }
    if s.contains('`') {
        format!("`` {s} ``")
    } else {
        format!("`{s}`")
    }
}

/// Plain text for a table cell.
fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

/// `sha256:0123456789ab…` for a full digest inside text.
fn short(s: &str) -> String {
    s.split(' ')
        .map(|w| match w.split_once("sha256:") {
            Some((pre, hex)) if hex.len() == 64 => format!("{pre}sha256:{}…", &hex[..12]),
            _ => w.to_owned(),
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Renders `d` as Markdown.
pub fn markdown(d: &SbomDiff) -> String {
    let mut out = String::new();
    let name = |subject: &Option<String>, source: &str| code(subject.as_deref().unwrap_or(source));
    // Writing to a String cannot fail.
    let _ = writeln!(
        out,
        "## SBOM changes: {} → {}\n",
        name(&d.old.subject, &d.old.source),
        name(&d.new.subject, &d.new.source)
    );
    image_table(&mut out, d);
    let _ = writeln!(out, "**{}**\n", summary_line(d));
    counts_table(&mut out, d);
    licenses(&mut out, d);
    for kind in KIND_ORDER {
        let changes = of_kind(d, kind);
        if !changes.is_empty() {
            section(&mut out, d, kind, &changes);
        }
    }
    footer(&mut out, d);
    out
}

fn image_table(out: &mut String, d: &SbomDiff) {
    let img = &d.image;
    let mut rows: Vec<(&str, String, String)> = Vec::new();
    let mut push = |label, t: &Option<Transition>| {
        if let Some(t) = t {
            let side = |v: &Option<String>| {
                v.as_deref()
                    .map_or("(none)".to_owned(), |v| code(&short(v)))
            };
            rows.push((label, side(&t.old), side(&t.new)));
        }
    };
    push("Image", &img.subject);
    push("Base image", &img.base);
    push("Distribution", &img.distro);
    push("Image digest", &img.digest);
    if let Some(l) = img.layers.as_ref().filter(|l| !l.identical()) {
        let shared = match l.shared {
            0 => "none shared: new base".to_owned(),
            n => format!("first {n} shared"),
        };
        rows.push(("Layers", l.old.to_string(), format!("{} ({shared})", l.new)));
    }
    if rows.is_empty() {
        return;
    }
    out.push_str("| | Before | After |\n|---|---|---|\n");
    for (label, old, new) in rows {
        let _ = writeln!(out, "| {label} | {old} | {new} |");
    }
    out.push('\n');
}

fn counts_table(out: &mut String, d: &SbomDiff) {
    let rows: Vec<_> = d.counts[1..].iter().filter(|c| !c.is_empty()).collect();
    if rows.is_empty() {
        return;
    }
    out.push_str("| Ecosystem | Added | Removed | Upgraded | Downgraded | Changed |\n");
    out.push_str("|:--|--:|--:|--:|--:|--:|\n");
    let n = |v: usize| if v == 0 { String::new() } else { v.to_string() };
    for c in rows {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} |",
            cell(&c.ecosystem),
            n(c.added),
            n(c.removed),
            n(c.upgraded),
            n(c.downgraded),
            n(c.changed)
        );
    }
    out.push('\n');
}

fn licenses(out: &mut String, d: &SbomDiff) {
    if d.license_changes.is_empty() {
        return;
    }
    let mut rows = Vec::new();
    for l in &d.license_changes {
        let list = |v: &[String]| {
            if v.is_empty() {
                "(none)".to_owned()
            } else {
                v.iter().map(|x| code(x)).collect::<Vec<_>>().join(" AND ")
            }
        };
        let mut notes = Vec::new();
        if !l.denied.is_empty() {
            let ids: Vec<String> = l.denied.iter().map(|x| code(x)).collect();
            notes.push(format!("**denied by policy:** {}", ids.join(", ")));
        }
        if !l.new_to_image.is_empty() {
            let ids: Vec<String> = l.new_to_image.iter().map(|x| code(x)).collect();
            notes.push(format!("new to the image: {}", ids.join(", ")));
        }
        if l.old.is_empty() {
            notes.push("added package".to_owned());
        }
        rows.push(format!(
            "| {} | {} | {} | {} | {} |",
            code(&l.name),
            code(&l.version),
            list(&l.old),
            list(&l.new),
            notes.join("; ")
        ));
    }
    let _ = writeln!(out, "### License changes ({})\n", rows.len());
    table(
        out,
        "| Package | Version | Before | After | Note |\n|---|---|---|---|---|",
        &rows,
        "license changes",
    );
}

fn section(out: &mut String, d: &SbomDiff, kind: ChangeKind, changes: &[&Change]) {
    let _ = writeln!(out, "### {} ({})\n", heading(kind), changes.len());
    let v =
        |v: &Option<crate::diff::Version>| v.as_ref().map_or(String::new(), |v| code(&v.version));
    let pkg = |c: &Change| code(&shown_name(d, c));
    let (header, rows): (&str, Vec<String>) = match kind {
        ChangeKind::Added => (
            "| Package | Ecosystem | Version | License |\n|---|---|---|---|",
            changes
                .iter()
                .map(|c| {
                    let lic = c.new.as_ref().map_or(String::new(), |n| {
                        n.licenses
                            .iter()
                            .map(|l| code(l))
                            .collect::<Vec<_>>()
                            .join(" AND ")
                    });
                    format!(
                        "| {} | {} | {} | {lic} |",
                        pkg(c),
                        cell(&c.ecosystem),
                        v(&c.new)
                    )
                })
                .collect(),
        ),
        ChangeKind::Removed => (
            "| Package | Ecosystem | Version |\n|---|---|---|",
            changes
                .iter()
                .map(|c| format!("| {} | {} | {} |", pkg(c), cell(&c.ecosystem), v(&c.old)))
                .collect(),
        ),
        ChangeKind::Changed => (
            "| Package | Ecosystem | Version | What changed |\n|---|---|---|---|",
            changes
                .iter()
                .map(|c| {
                    format!(
                        "| {} | {} | {} | {} |",
                        pkg(c),
                        cell(&c.ecosystem),
                        v(&c.new),
                        cell(&c.details.join(", "))
                    )
                })
                .collect(),
        ),
        ChangeKind::Upgraded | ChangeKind::Downgraded => (
            "| Package | Ecosystem | From | To |\n|---|---|---|---|",
            changes
                .iter()
                .map(|c| {
                    format!(
                        "| {} | {} | {} | {} |",
                        pkg(c),
                        cell(&c.ecosystem),
                        v(&c.old),
                        v(&c.new)
                    )
                })
                .collect(),
        ),
    };
    let what = format!("{} packages", heading(kind).to_lowercase());
    table(out, header, &rows, &what);
}

/// Writes a table, folded into `<details>` when it has more than [`COLLAPSE_OVER`] rows.
fn table(out: &mut String, header: &str, rows: &[String], what: &str) {
    let fold = rows.len() > COLLAPSE_OVER;
    if fold {
        // GitHub renders Markdown inside `<details>` only after a blank line.
        let _ = writeln!(out, "<details>\n<summary>{} {what}</summary>\n", rows.len());
    }
    let _ = writeln!(out, "{header}");
    for r in rows {
        let _ = writeln!(out, "{r}");
    }
    if fold {
        out.push_str("\n</details>\n");
    }
    out.push('\n');
}

fn footer(out: &mut String, d: &SbomDiff) {
    for n in &d.not_compared {
        let _ = writeln!(
            out,
            "> Not compared: {} {} package(s) only the {} SBOM lists ({}).\n",
            n.packages, n.ecosystem, n.side, n.reason
        );
    }
    for note in &d.notes {
        let _ = writeln!(out, "> {note}\n");
    }
    let _ = writeln!(
        out,
        "<sub>Compared {} ({}) with {} ({}) by consign {}.</sub>",
        code(&d.old.source),
        cell(&d.old.producer),
        code(&d.new.source),
        cell(&d.new.producer),
        env!("CARGO_PKG_VERSION")
    );
}
