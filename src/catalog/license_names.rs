//! License fields of OS package databases, turned into [`License`]s without guessing.
//!
//! Distributions write licenses in their own dialects: Debian's machine-readable copyright
//! files use short names (`GPL-2+`, `Expat`, `BSD-3-clause`, `GPL-3+ with autoconf exception`)
//! combined with `and`/`or` and a comma that lowers precedence
//! (<https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/#license-specification>);
//! Alpine's `L:` holds SPDX expressions in new packages and space-separated names (`MIT BSD
//! GPL2+`) in old ones. This module maps each name to an SPDX id only when the mapping is
//! unambiguous: `GPL-2` is version 2 only (Debian writes `+` for "or later"), `GPL2+` is
//! `GPL-2.0-or-later`, but a bare `BSD`, `GPL` or `Apache` names a family, not a license, and
//! stays a [`License::Name`]. (The `spdx` crate's lax mode would turn `BSD` into
//! `BSD-2-Clause` and `GPL` into `GPL-2.0-only`; that is why names are mapped here one by one
//! before anything is handed to [`License::parse`].) When any part of a combined expression
//! cannot be mapped, the whole text is kept verbatim as one name: a half-translated expression
//! would claim more than the package says.

use crate::model::License;

/// What a license field without operators but with several words means.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum BareList {
    /// A space-separated list of license names (old Alpine `L:`).
    Split,
    /// One name that happens to contain spaces (`public domain`).
    Whole,
}

/// Parses a license field into licenses, deduplicated in order of appearance.
pub(crate) fn parse_license_field(text: &str, bare: BareList) -> Vec<License> {
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.is_empty() {
        return Vec::new();
    }
    let tokens = tokenize(&text);
    let has_operators = tokens.iter().any(|t| {
        matches!(*t, "(" | ")" | ",") || ["and", "or", "with"].contains(&&*t.to_ascii_lowercase())
    });
    let mut out: Vec<License> = Vec::new();
    let mut push = |l: Option<License>| {
        if let Some(l) = l
            && !out.contains(&l)
        {
            out.push(l);
        }
    };
    // Placeholders such as `none` parse to nothing; everything else unmapped stays verbatim.
    let verbatim = |t: &str| License::parse(t).map(|_| License::Name(t.to_owned()));
    if has_operators || tokens.len() == 1 {
        let expr = expression(&tokens).and_then(|e| match License::parse(&e) {
            Some(l @ License::Expression(_)) => Some(l),
            _ => None,
        });
        match expr {
            Some(e) => push(Some(e)),
            None if bare == BareList::Split || looks_like_names(&tokens) => push(verbatim(&text)),
            None => {}
        }
    } else if bare == BareList::Whole {
        if looks_like_names(&tokens) {
            push(verbatim(&text));
        }
    } else {
        for t in tokens {
            match spdx_id(t) {
                Some(id) => push(License::parse(&id)),
                None => push(verbatim(t)),
            }
        }
    }
    out
}

/// Whether unmapped text still has the shape of license names joined by operators (DEP-5
/// syntax) rather than prose: some copyright files put the first line of a license text where
/// the short name belongs ("License: Redistribution and use in source and binary forms, with
/// or without"). Names are short (at most three words between operators) and a comma is
/// followed by `and`, `or` or another license, never by an ordinary word.
fn looks_like_names(tokens: &[&str]) -> bool {
    let mut run = 0;
    for (i, t) in tokens.iter().enumerate() {
        let lower = t.to_ascii_lowercase();
        match lower.as_str() {
            "," => {
                // `A, and B` is DEP-5; `GPL-2+, LGPL-2+` is sloppy but still names.
                let next = tokens.get(i + 1).copied().unwrap_or("");
                let op = matches!(next.to_ascii_lowercase().as_str(), "and" | "or");
                if !op && spdx_id(next).is_none() {
                    return false;
                }
                run = 0;
            }
            "and" | "or" | "and/or" | "with" | "exception" | "(" | ")" => run = 0,
            _ => {
                run += 1;
                if run > 3 {
                    return false;
                }
            }
        }
    }
    true
}

fn tokenize(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    for word in text.split(' ') {
        let mut rest = word;
        while !rest.is_empty() {
            let cut = rest.find(['(', ')', ',']).unwrap_or(rest.len());
            if cut > 0 {
                out.push(&rest[..cut]);
            }
            if cut < rest.len() {
                out.push(&rest[cut..cut + 1]);
                rest = &rest[cut + 1..];
            } else {
                rest = "";
            }
        }
    }
    out
}

/// Translates tokens into SPDX expression text; `None` when some name or exception does not
/// map. A DEP-5 comma closes everything before it: `A or B, and C` is `(A OR B) AND C`.
fn expression(tokens: &[&str]) -> Option<String> {
    let mut acc = String::new();
    let mut segment: Vec<String> = Vec::new();
    let mut depth = 0usize;
    let mut i = 0;
    let mut last_id = String::new();
    while i < tokens.len() {
        let t = tokens[i];
        let lower = t.to_ascii_lowercase();
        match lower.as_str() {
            "(" => {
                depth += 1;
                segment.push("(".into());
            }
            ")" => {
                depth = depth.checked_sub(1)?;
                segment.push(")".into());
            }
            "," if depth == 0 => {
                // The operator that follows the comma joins the closed group to the rest.
                let op = tokens.get(i + 1)?.to_ascii_lowercase();
                if op != "and" && op != "or" {
                    return None;
                }
                acc = close_group(&acc, &segment, &op)?;
                segment.clear();
                i += 1;
            }
            "and" | "or" => segment.push(lower.to_ascii_uppercase()),
            "with" => {
                // DEP-5 `with <words> exception`, or SPDX `WITH <exception-id>`.
                let mut words = Vec::new();
                while let Some(w) = tokens.get(i + 1) {
                    let wl = w.to_ascii_lowercase();
                    if matches!(wl.as_str(), "and" | "or" | "(" | ")" | ",") {
                        break;
                    }
                    i += 1;
                    if wl == "exception" {
                        break;
                    }
                    words.push(*w);
                }
                segment.push(format!(
                    "WITH {}",
                    exception_id(&words.join(" "), &last_id)?
                ));
            }
            _ => {
                last_id = spdx_id(t)?;
                segment.push(last_id.clone());
            }
        }
        i += 1;
    }
    if depth != 0 {
        return None;
    }
    if acc.is_empty() {
        Some(segment.join(" "))
    } else {
        Some(format!("{acc} {}", group(&segment)?))
    }
}

fn group(segment: &[String]) -> Option<String> {
    (!segment.is_empty()).then(|| format!("({})", segment.join(" ")))
}

fn close_group(acc: &str, segment: &[String], op: &str) -> Option<String> {
    let g = group(segment)?;
    let op = op.to_ascii_uppercase();
    Some(if acc.is_empty() {
        format!("{g} {op}")
    } else {
        format!("({acc} {g}) {op}")
    })
}

/// The SPDX id for one license name (`GPL-2+` → `GPL-2.0-or-later`, `Expat` → `MIT`,
/// `bsd-3-clause` → `BSD-3-Clause`, `MPL-1.1+` → `MPL-1.1+`), or `None` when the name is not
/// one license (`BSD`, `GPL`, `public-domain`).
pub(crate) fn spdx_id(name: &str) -> Option<String> {
    if name.starts_with("LicenseRef-") && name.len() > "LicenseRef-".len() {
        return Some(name.to_owned());
    }
    let (base, plus) = match name.strip_suffix('+') {
        Some(b) => (b, true),
        None => (name, false),
    };
    if base.is_empty() || base.contains('+') {
        return None;
    }
    if let Some(id) = gnu_id(base, plus) {
        return Some(id);
    }
    let lower = base.to_ascii_lowercase();
    let alias = match lower.as_str() {
        "expat" => Some("MIT"),
        "cc0" => Some("CC0-1.0"),
        "apache-2" => Some("Apache-2.0"),
        "artistic-1" => Some("Artistic-1.0"),
        "artistic-2" => Some("Artistic-2.0"),
        "mpl-2" => Some("MPL-2.0"),
        "boost-1.0" => Some("BSL-1.0"),
        _ => None,
    };
    let id = match alias {
        Some(a) => a,
        None => {
            spdx::identifiers::LICENSES
                .iter()
                .find(|l| l.name.eq_ignore_ascii_case(base))?
                .name
        }
    };
    let lic = spdx::license_id(id)?;
    if lic.is_gnu() {
        // A deprecated bare GNU id that slipped past `gnu_id` (e.g. `GPL-2.0-with-…`).
        return (!plus).then(|| id.to_owned());
    }
    Some(if plus {
        format!("{id}+")
    } else {
        id.to_owned()
    })
}

/// GNU licenses in every spelling the distros use: `GPL-2`, `GPL2`, `GPLv2`, `GPL-2.0`,
/// `LGPL-2.1`, `AGPL-3`, `GFDL-1.3`, `GFDL-NIV-1.3`; without `+` they mean that version only.
fn gnu_id(base: &str, plus: bool) -> Option<String> {
    let lower = base.to_ascii_lowercase();
    let (family, rest) = ["gfdl-niv", "agpl", "lgpl", "gfdl", "gpl"]
        .iter()
        .find_map(|f| lower.strip_prefix(f).map(|r| (*f, r)))?;
    let rest = rest.strip_prefix('-').unwrap_or(rest);
    let rest = rest.strip_prefix('v').unwrap_or(rest);
    let (major, minor) = match rest.split_once('.') {
        Some((a, b)) => (a, Some(b)),
        None => (rest, None),
    };
    let one_digit = |s: &str| s.len() == 1 && s.bytes().all(|b| b.is_ascii_digit());
    if !one_digit(major) || !minor.is_none_or(one_digit) {
        return None;
    }
    let version = format!("{major}.{}", minor.unwrap_or("0"));
    let tail = if plus { "or-later" } else { "only" };
    let candidate = match family {
        "gfdl-niv" => format!("GFDL-{version}-no-invariants-{tail}"),
        f => format!("{}-{version}-{tail}", f.to_ascii_uppercase()),
    };
    spdx::license_id(&candidate).map(|_| candidate)
}

/// The SPDX exception for a DEP-5 exception name (`autoconf`, `GCC`, `Classpath`) or an SPDX
/// exception id, given the license it modifies (some exceptions exist per GPL version).
fn exception_id(words: &str, license: &str) -> Option<String> {
    if let Some(e) = spdx::identifiers::EXCEPTIONS
        .iter()
        .find(|e| e.name.eq_ignore_ascii_case(words))
    {
        return Some(e.name.to_owned());
    }
    let gpl3 = license.starts_with("GPL-3");
    let gpl2 = license.starts_with("GPL-2");
    let id = match words.to_ascii_lowercase().as_str() {
        "autoconf" if gpl3 => "Autoconf-exception-3.0",
        "autoconf" if gpl2 => "Autoconf-exception-2.0",
        // Bison's GPL-3 releases carry exception 2.2; GPL-2 ones had 1.24 or 2.2.
        "bison" if gpl3 => "Bison-exception-2.2",
        "bison-2.2" => "Bison-exception-2.2",
        "classpath" => "Classpath-exception-2.0",
        "font" => "Font-exception-2.0",
        "gcc" | "gcc runtime library" if gpl3 => "GCC-exception-3.1",
        "gcc-runtime-3.1" => "GCC-exception-3.1",
        "gcc" if gpl2 => "GCC-exception-2.0",
        "libtool" => "Libtool-exception",
        "llvm" => "LLVM-exception",
        "texinfo" => "Texinfo-exception",
        _ => return None,
    };
    Some(id.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(text: &str) -> Vec<String> {
        parse_license_field(text, BareList::Whole)
            .iter()
            .map(|l| match l {
                License::Expression(e) => format!("expr:{e}"),
                License::Name(n) => format!("name:{n}"),
            })
            .collect()
    }

    fn split(text: &str) -> Vec<String> {
        parse_license_field(text, BareList::Split)
            .iter()
            .map(|l| match l {
                License::Expression(e) => format!("expr:{e}"),
                License::Name(n) => format!("name:{n}"),
            })
            .collect()
    }

    #[test]
    fn debian_short_names() {
        for (name, id) in [
            ("GPL-2+", "GPL-2.0-or-later"),
            ("GPL-2", "GPL-2.0-only"),
            ("GPL-3.0+", "GPL-3.0-or-later"),
            ("LGPL-2.1+", "LGPL-2.1-or-later"),
            ("LGPL-2", "LGPL-2.0-only"),
            ("AGPL-3+", "AGPL-3.0-or-later"),
            ("GFDL-1.3", "GFDL-1.3-only"),
            ("GFDL-NIV-1.3+", "GFDL-1.3-no-invariants-or-later"),
            ("Expat", "MIT"),
            ("BSD-3-clause", "BSD-3-Clause"),
            ("bsd-2-clause", "BSD-2-Clause"),
            ("Apache-2.0", "Apache-2.0"),
            ("zlib", "Zlib"),
            ("CC0", "CC0-1.0"),
            ("MPL-1.1+", "MPL-1.1+"),
            ("GPL2+", "GPL-2.0-or-later"),
            ("GPLv3", "GPL-3.0-only"),
            ("GPL-2.0-or-later", "GPL-2.0-or-later"),
            ("LicenseRef-foo", "LicenseRef-foo"),
        ] {
            assert_eq!(spdx_id(name).as_deref(), Some(id), "{name}");
        }
        for name in [
            "BSD",
            "GPL",
            "LGPL",
            "Apache",
            "Artistic",
            "public-domain",
            "PD",
            "GPL-9",
            "GPL-22",
            "GPL++",
            "+",
            "",
        ] {
            assert_eq!(spdx_id(name), None, "{name}");
        }
    }

    #[test]
    fn combined_dep5_expressions() {
        assert_eq!(
            one("GPL-2+ or Artistic-1.0"),
            ["expr:GPL-2.0-or-later OR Artistic-1.0"]
        );
        assert_eq!(
            one("GPL-2+ or Artistic-2.0, and BSD-3-clause"),
            ["expr:(GPL-2.0-or-later OR Artistic-2.0) AND BSD-3-Clause"]
        );
        assert_eq!(
            one("GPL-3+ with autoconf exception"),
            ["expr:GPL-3.0-or-later WITH Autoconf-exception-3.0"]
        );
        assert_eq!(
            one("Apache-2.0 with LLVM exception"),
            ["expr:Apache-2.0 WITH LLVM-exception"]
        );
        assert_eq!(one("Boost-1.0"), ["expr:BSL-1.0"]);
        assert_eq!(
            one("GPL-3+ with Bison-2.2 exception"),
            ["expr:GPL-3.0-or-later WITH Bison-exception-2.2"]
        );
        assert_eq!(
            one("GPL-2+ with bison exception"),
            ["name:GPL-2+ with bison exception"]
        );
        assert_eq!(
            one("GPL-2.0+ with Texinfo exception"),
            ["expr:GPL-2.0-or-later WITH Texinfo-exception"]
        );
        assert_eq!(
            one("GPL-2+ with Classpath-exception-2.0"),
            ["expr:GPL-2.0-or-later WITH Classpath-exception-2.0"]
        );
        assert_eq!(
            one("LGPL-2.1+ and (MIT or BSD-2-clause)"),
            ["expr:LGPL-2.1-or-later AND (MIT OR BSD-2-Clause)"]
        );
    }

    #[test]
    fn unmappable_parts_keep_the_whole_text() {
        assert_eq!(one("public-domain"), ["name:public-domain"]);
        assert_eq!(
            one("GPL-2+ or public-domain"),
            ["name:GPL-2+ or public-domain"]
        );
        assert_eq!(
            one("GPL-2+ with OpenSSL exception"),
            ["name:GPL-2+ with OpenSSL exception"]
        );
        assert_eq!(one("public  domain"), ["name:public domain"]);
        assert_eq!(one("GPL-2+, LGPL-2+"), ["name:GPL-2+, LGPL-2+"]);
        assert_eq!(one("(MIT"), ["name:(MIT"]);
        assert_eq!(one("none"), Vec::<String>::new());
        assert_eq!(
            one("Apache-2.0 and/or Expat"),
            ["name:Apache-2.0 and/or Expat"]
        );
        assert_eq!(
            one("BSD-3-clause-Cambridge with BINARY LIBRARY-LIKE PACKAGES exception"),
            ["name:BSD-3-clause-Cambridge with BINARY LIBRARY-LIKE PACKAGES exception"]
        );
    }

    #[test]
    fn prose_is_not_a_license_name() {
        for prose in [
            "Redistribution and use in source and binary forms, with or without",
            "By obtaining, using, and/or copying this software and/or its",
            "* Permission to use this software in any way is granted without",
            "This software is provided 'as-is', without any express or implied",
        ] {
            assert_eq!(one(prose), Vec::<String>::new(), "{prose}");
        }
        // Split lists (Alpine) are names by construction.
        assert_eq!(split("custom:multiple"), ["name:custom:multiple"]);
        assert_eq!(one("  "), Vec::<String>::new());
    }

    #[test]
    fn old_alpine_lists_split() {
        assert_eq!(
            split("MIT BSD GPL2+"),
            ["expr:MIT", "name:BSD", "expr:GPL-2.0-or-later"]
        );
        assert_eq!(
            split("MPL-2.0 GPL-2.0-or-later"),
            ["expr:MPL-2.0", "expr:GPL-2.0-or-later"]
        );
        assert_eq!(split("GPL-2.0"), ["expr:GPL-2.0-only"]);
        assert_eq!(split("MPL-2.0 AND MIT"), ["expr:MPL-2.0 AND MIT"]);
        assert_eq!(split("MIT MIT"), ["expr:MIT"]);
    }
}
