//! Licenses from `usr/share/doc/<package>/copyright`.
//!
//! Debian has no license field in the package database; the copyright file is the only
//! declaration. Two kinds exist:
//!
//! - **Machine-readable** (DEP-5, <https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/>),
//!   recognised by a `Format:` field in its first paragraph: the `License:` synopsis (its
//!   first line) of the header paragraph and of every `Files:` paragraph is read and mapped
//!   through [`license_names`](crate::catalog::license_names). Stand-alone license paragraphs
//!   (a `License:` without `Files:`) only hold the text of a license named elsewhere; reading
//!   them as grants would add every alternative of an `A or B` choice as a conjunct.
//! - **Free-form**: only explicit statements are used, as Syft does: lines starting with
//!   `License:` (when what follows is a license name, not the first line of a license text),
//!   and references to `/usr/share/common-licenses/<name>`. A reference names a
//!   license text, not the grant; for GNU licenses the grant (version N only, or N or later)
//!   is taken from the wording between the previous reference and this one ("any later
//!   version"), else the version alone is meant (`GPL-2` → `GPL-2.0-only`, as in DEP-5 naming).
//!
//! Licenses come out deduplicated, in order of first appearance (the `Files: *` paragraph,
//! the package's main license, usually comes first). Nothing is guessed from license prose.

use super::deb822::{Malformed, Paragraph, paragraphs};
use crate::catalog::license_names::{BareList, parse_license_field};
use crate::model::License;

const COMMON_LICENSES: &str = "/usr/share/common-licenses/";

/// The licenses a copyright file declares. See the module docs.
pub(crate) fn parse_copyright(text: &str) -> Vec<License> {
    let mut out = Vec::new();
    // A set beside the list: a forged file of a million distinct `License:` lines must not
    // cost a million squared comparisons.
    let mut seen = std::collections::HashSet::new();
    let mut add = |found: Vec<License>| {
        for l in found {
            if seen.insert(l.clone()) {
                out.push(l);
            }
        }
    };
    let parsed = paragraphs(text);
    if is_machine_readable(&parsed) {
        for (i, p) in parsed.iter().enumerate() {
            let Ok(p) = p else { continue };
            if i > 0 && p.get("Files").is_none() {
                continue;
            }
            for (name, value) in p.fields() {
                if name.eq_ignore_ascii_case("License") {
                    let synopsis = value.lines().next().unwrap_or("");
                    add(parse_license_field(synopsis, BareList::Whole));
                }
            }
        }
        return out;
    }
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("License:") {
            add(parse_license_field(rest, BareList::Whole));
        }
    }
    let mut block_start = 0;
    let mut search = 0;
    while let Some(at) = text[search..].find(COMMON_LICENSES) {
        let name_start = search + at + COMMON_LICENSES.len();
        let name_len = text[name_start..]
            .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | '+')))
            .unwrap_or(text.len() - name_start);
        // A sentence may end right after the name: "…/GPL-2." names GPL-2.
        let name = text[name_start..name_start + name_len].trim_end_matches('.');
        if !name.is_empty() {
            let block = &text[block_start..name_start];
            add(parse_license_field(&grant(name, block), BareList::Whole));
        }
        block_start = name_start + name_len;
        search = block_start;
    }
    out
}

/// `Format:` (or the draft-era `Format-Specification:`) in the first paragraph.
fn is_machine_readable(parsed: &[Result<Paragraph<'_>, Malformed>]) -> bool {
    match parsed.first() {
        Some(Ok(p)) => p.get("Format").or(p.get("Format-Specification")).is_some(),
        _ => false,
    }
}

/// A common-licenses file name as a license name: versioned GNU licenses get a `+` when the
/// text leading to the reference grants "any later version".
fn grant(name: &str, block: &str) -> String {
    let lower = name.to_ascii_lowercase();
    let gnu = ["gpl-", "lgpl-", "agpl-", "gfdl-"]
        .iter()
        .any(|p| lower.starts_with(p));
    // Wording wraps across lines: "any later\n version".
    let block = block
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_ascii_lowercase();
    let later = block.contains("any later version") || block.contains("or later");
    if gnu && later && !name.ends_with('+') {
        format!("{name}+")
    } else {
        name.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::testfs::fixture;

    fn texts(ls: &[License]) -> Vec<String> {
        ls.iter()
            .map(|l| match l {
                License::Expression(e) => format!("expr:{e}"),
                License::Name(n) => format!("name:{n}"),
            })
            .collect()
    }

    fn fixture_file(pkg: &str) -> String {
        let p = fixture("deb/copyright-files/usr/share/doc")
            .join(pkg)
            .join("copyright");
        std::fs::read_to_string(p).unwrap()
    }

    #[test]
    fn stand_alone_license_paragraphs_are_not_grants() {
        // libcap2's shape: the choice is in Files:, the license texts follow on their own.
        let text = "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n\
                    \n\
                    Files: *\n\
                    Copyright: 1997 Someone\n\
                    License: BSD-3-clause or GPL-2\n\
                    \n\
                    License: BSD-3-clause\n \n Redistribution and use ...\n\
                    \n\
                    License: GPL-2\n This program is free software ...\n";
        assert_eq!(
            texts(&parse_copyright(text)),
            ["expr:BSD-3-Clause OR GPL-2.0-only"]
        );
    }

    #[test]
    fn liblzma5_dep5() {
        assert_eq!(
            texts(&parse_copyright(&fixture_file("liblzma5"))),
            [
                "name:PD",
                "name:probably-PD",
                "expr:GPL-2.0-or-later",
                "expr:LGPL-2.1-or-later",
                "name:permissive-fsf",
                "name:Autoconf",
                "expr:GPL-2.0-only",
                "name:permissive-nowarranty",
                "name:config-h",
                "name:noderivs",
                "name:PD-debian",
            ]
        );
    }

    #[test]
    fn libaudit_common_dep5() {
        assert_eq!(
            texts(&parse_copyright(&fixture_file("libaudit-common"))),
            ["expr:GPL-2.0-only", "expr:LGPL-2.1-only"]
        );
    }

    #[test]
    fn libc6_free_form_uses_references_and_their_grant() {
        assert_eq!(
            texts(&parse_copyright(&fixture_file("libc6"))),
            ["expr:LGPL-2.1-or-later", "expr:GPL-2.0-or-later"]
        );
    }

    #[test]
    fn sqlite_dep5() {
        let p = fixture("deb/distroless-libsqlite3/usr/share/doc/libsqlite3-0/copyright");
        let text = std::fs::read_to_string(p).unwrap();
        assert_eq!(
            texts(&parse_copyright(&text)),
            ["name:public-domain", "expr:GPL-2.0-or-later"]
        );
    }

    #[test]
    fn dep5_combined_and_header_licenses() {
        let text = "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\nLicense: GPL-2+ or Artistic-1.0\n\nFiles: *\nCopyright: me\nLicense: Expat\n\nFiles: x/*\nLicense: GPL-3+ with autoconf exception\n\nLicense: Expat\n Permission is hereby granted...\n";
        assert_eq!(
            texts(&parse_copyright(text)),
            [
                "expr:GPL-2.0-or-later OR Artistic-1.0",
                "expr:MIT",
                "expr:GPL-3.0-or-later WITH Autoconf-exception-3.0",
            ]
        );
    }

    #[test]
    fn free_form_license_lines_and_bare_references() {
        let text = "Copyright 2001 someone\nLicense: BSD-3-clause\n\nSee /usr/share/common-licenses/GPL-2.\nAlso /usr/share/common-licenses/Artistic and /usr/share/common-licenses/Apache-2.0\n";
        assert_eq!(
            texts(&parse_copyright(text)),
            [
                "expr:BSD-3-Clause",
                "expr:GPL-2.0-only",
                "name:Artistic",
                "expr:Apache-2.0"
            ]
        );
    }

    #[test]
    fn free_form_license_prose_is_skipped() {
        let text = "Copyright 1991 Someone\nLicense: Redistribution and use in source and binary forms, with or without\n modification, are permitted.\nLicense: Permission is hereby granted, free of charge, to any person obtaining\nLicense: ISC\n";
        assert_eq!(texts(&parse_copyright(text)), ["expr:ISC"]);
    }

    #[test]
    fn nothing_declared_means_nothing() {
        assert!(parse_copyright("Copyright (c) 2020 Someone. All rights reserved.\n").is_empty());
        assert!(parse_copyright("").is_empty());
        assert!(
            parse_copyright("\u{0}\u{1}\u{fffd}garbage /usr/share/common-licenses/").is_empty()
        );
    }
}
