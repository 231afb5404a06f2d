//! The human-readable table: a header line naming the image, one row per package, and a
//! footer naming every file that could not be read.
//!
//! Columns are stable (`NAME VERSION TYPE LAYER`, plus `STATUS` for the all-layers scope or
//! when a package is listed but not installed) so
//! that scripts and diffs of the output keep working; rows are grouped by ecosystem (OS
//! packages first, then each language ecosystem), then sorted by name and version, and a
//! line after the table counts the packages per ecosystem. Columns are separated by two spaces and padded to the widest cell; the last column
//! is never padded, so no line has trailing spaces. No colours: the output is the same on a
//! terminal and in a file.

use std::fmt::Write as _;

use crate::Sbom;
use crate::encode::common::{describe_unknown, scope_name};
use crate::model::{Package, Scope};

/// Renders `sbom` as the table.
pub(crate) fn render(sbom: &Sbom) -> String {
    let mut out = String::new();
    let img = &sbom.image;
    // The manifest digest names the image (`NAME@DIGEST`); the config digest is only its ID.
    let digest = match (&img.manifest_digest, &img.config_digest) {
        (Some(d), _) => format!("digest: {d}"),
        (None, Some(id)) => format!("image id: {id}"),
        (None, None) => "digest: unknown".to_owned(),
    };
    let distro = sbom.distro.as_ref().map_or_else(
        || "unknown".to_owned(),
        |d| format!("{} {}", d.id, d.version_or_codename()),
    );
    // Writing to a String cannot fail.
    let _ = writeln!(
        out,
        "image: {}  {digest}  distro: {distro}  scope: {}",
        img.display_name(),
        scope_name(sbom.scope)
    );
    out.push('\n');

    let all_layers = sbom.scope == Scope::AllLayers;
    let mut packages: Vec<&Package> = sbom.packages.iter().collect();
    packages.sort_by(|a, b| {
        (a.ecosystem, a.purl.ty(), &a.name, &a.version).cmp(&(
            b.ecosystem,
            b.purl.ty(),
            &b.name,
            &b.version,
        ))
    });
    if packages.is_empty() {
        out.push_str("No packages found.\n");
    } else {
        // A STATUS column when some row needs one: all-layers scope, or a package the
        // database lists although it is not installed.
        let with_status = all_layers || packages.iter().any(|p| p.not_installed().is_some());
        let mut header = vec!["NAME", "VERSION", "TYPE", "LAYER"];
        if with_status {
            header.push("STATUS");
        }
        let rows: Vec<Vec<String>> = packages
            .iter()
            .map(|p| {
                let mut row = vec![
                    p.name.clone(),
                    p.version.clone(),
                    p.purl.ty().to_owned(),
                    p.introduced_in
                        .map_or_else(|| "-".to_owned(), |i| i.to_string()),
                ];
                if with_status {
                    row.push(match (p.removed_in, p.not_installed()) {
                        (Some(i), _) => format!("removed in layer {i}"),
                        (None, Some(_)) => "config files only".to_owned(),
                        (None, None) => "present".to_owned(),
                    });
                }
                row
            })
            .collect();
        let header: Vec<String> = header.into_iter().map(str::to_owned).collect();
        write_rows(&mut out, &header, &rows);
        let _ = writeln!(out, "\n{}", counts(&packages));
    }

    if !sbom.unknowns.is_empty() {
        let n = sbom.unknowns.len();
        let _ = writeln!(
            out,
            "\n{n} {} could not be read:",
            if n == 1 { "file" } else { "files" }
        );
        for u in &sbom.unknowns {
            let _ = writeln!(out, "  {}", describe_unknown(sbom, u));
        }
    }
    out
}

/// `N packages: 92 deb, 14 pypi`, in table order.
fn counts(sorted: &[&Package]) -> String {
    let mut per: Vec<(&str, usize)> = Vec::new();
    for p in sorted {
        match per.last_mut() {
            Some((ty, n)) if *ty == p.purl.ty() => *n += 1,
            _ => per.push((p.purl.ty(), 1)),
        }
    }
    let list: Vec<String> = per.iter().map(|(ty, n)| format!("{n} {ty}")).collect();
    let total = sorted.len();
    format!(
        "{total} {}: {}",
        if total == 1 { "package" } else { "packages" },
        list.join(", ")
    )
}

/// Writes the header and rows with every column but the last padded to its widest cell.
fn write_rows(out: &mut String, header: &[String], rows: &[Vec<String>]) {
    let width = |i: usize| {
        std::iter::once(header)
            .chain(rows.iter().map(Vec::as_slice))
            .map(|r| r[i].chars().count())
            .max()
            .unwrap_or(0)
    };
    let widths: Vec<usize> = (0..header.len()).map(width).collect();
    for row in std::iter::once(header).chain(rows.iter().map(Vec::as_slice)) {
        let last = row.len() - 1;
        for (i, cell) in row.iter().enumerate() {
            if i == last {
                out.push_str(cell);
            } else {
                out.push_str(cell);
                let pad = widths[i] - cell.chars().count() + 2;
                out.extend(std::iter::repeat_n(' ', pad));
            }
        }
        out.push('\n');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pads_all_but_the_last_column() {
        let mut out = String::new();
        let header = vec!["A".to_owned(), "BB".to_owned()];
        let rows = vec![vec!["long".to_owned(), "x".to_owned()]];
        write_rows(&mut out, &header, &rows);
        assert_eq!(out, "A     BB\nlong  x\n");
    }
}
