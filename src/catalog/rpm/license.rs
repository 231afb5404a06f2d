//! rpm `LICENSE` text to a [`License`].
//!
//! Headers hold either an SPDX expression (Fedora since 2022, SUSE, newer Amazon Linux) or
//! the legacy Fedora short names (`GPLv2+`, `LGPLv2+ and MIT`, `ASL 2.0`). SPDX text is kept
//! as an expression. Legacy text is translated term by term through the table below, which
//! holds only the names with a single SPDX reading; if any term has none (`BSD`, `LGPLv2`,
//! `Public Domain`, `GPLv2+ with exceptions`), the text is kept verbatim as a name. Legacy
//! text is never handed to the SPDX crate's lax mode, whose prefix synonyms misread it
//! (`LGPLv2+` would become `LGPL-2.0-only`, `BSD` would become `BSD-2-Clause`).
//!
//! Sources: <https://docs.fedoraproject.org/en-US/legal/license-field/> and the legacy
//! abbreviations in <https://gitlab.com/fedora/legal/fedora-license-data>.

use spdx::{Expression, ParseMode};

use crate::model::License;

/// Legacy Fedora short names with exactly one SPDX meaning (compared case-insensitively).
const LEGACY: &[(&str, &str)] = &[
    ("GPL+", "GPL-1.0-or-later"),
    ("GPLv1", "GPL-1.0-only"),
    ("GPLv2", "GPL-2.0-only"),
    ("GPLv2+", "GPL-2.0-or-later"),
    ("GPLv3", "GPL-3.0-only"),
    ("GPLv3+", "GPL-3.0-or-later"),
    // "version 2 or later" includes 2.1; `LGPLv2` alone meant 2.0 or 2.1 and stays text.
    ("LGPLv2+", "LGPL-2.0-or-later"),
    ("LGPLv2.1", "LGPL-2.1-only"),
    ("LGPLv2.1+", "LGPL-2.1-or-later"),
    ("LGPLv3", "LGPL-3.0-only"),
    ("LGPLv3+", "LGPL-3.0-or-later"),
    ("AGPLv3", "AGPL-3.0-only"),
    ("AGPLv3+", "AGPL-3.0-or-later"),
    ("ASL 1.0", "Apache-1.0"),
    ("ASL 1.1", "Apache-1.1"),
    ("ASL 2.0", "Apache-2.0"),
    ("MPLv1.0", "MPL-1.0"),
    ("MPLv1.1", "MPL-1.1"),
    ("MPLv2.0", "MPL-2.0"),
    ("Artistic 2.0", "Artistic-2.0"),
    ("Artistic clarified", "ClArtistic"),
    ("Boost", "BSL-1.0"),
    ("CC0", "CC0-1.0"),
    ("zlib", "Zlib"),
];

/// The SPDX syntax with the deprecated GNU ids (`GPL-2.0`, `GPL-2.0+`) tolerated, as real
/// headers carry them.
const SPDX_TEXT: ParseMode = ParseMode {
    allow_deprecated: true,
    allow_postfix_plus_on_gpl: true,
    ..ParseMode::STRICT
};

/// The license of an rpm header's `LICENSE` text; `None` when it is empty.
pub(crate) fn rpm_license(text: &str) -> Option<License> {
    // Handles empty text and the "nothing declared" placeholders.
    let parsed = License::parse(text)?;
    let text = text.trim();
    if is_spdx(text) {
        return Some(parsed);
    }
    if let Some(expr) = translate(text).filter(|e| is_spdx(e))
        && let Some(l @ License::Expression(_)) = License::parse(&expr)
    {
        return Some(l);
    }
    Some(License::Name(text.to_owned()))
}

fn is_spdx(text: &str) -> bool {
    Expression::parse_mode(text, SPDX_TEXT).is_ok()
}

/// Translates legacy text to SPDX syntax, or `None` when a term has no single SPDX reading.
fn translate(text: &str) -> Option<String> {
    let mut out: Vec<String> = Vec::new();
    let mut term: Vec<&str> = Vec::new();
    let flush = |term: &mut Vec<&str>, out: &mut Vec<String>| -> Option<()> {
        if !term.is_empty() {
            out.push(map_term(&term.join(" "))?);
            term.clear();
        }
        Some(())
    };
    for word in words(text) {
        match word {
            "(" | ")" => {
                flush(&mut term, &mut out)?;
                out.push(word.to_owned());
            }
            w if w.eq_ignore_ascii_case("and") || w.eq_ignore_ascii_case("or") => {
                flush(&mut term, &mut out)?;
                out.push(w.to_ascii_uppercase());
            }
            w => term.push(w),
        }
    }
    flush(&mut term, &mut out)?;
    Some(out.join(" "))
}

/// Whitespace-separated words, with parentheses as words of their own.
fn words(text: &str) -> impl Iterator<Item = &str> {
    text.split_whitespace().flat_map(|w| {
        let mut parts = Vec::new();
        let mut rest = w;
        while let Some(i) = rest.find(['(', ')']) {
            let (head, tail) = rest.split_at(i);
            if !head.is_empty() {
                parts.push(head);
            }
            let (paren, tail) = tail.split_at(1);
            parts.push(paren);
            rest = tail;
        }
        if !rest.is_empty() {
            parts.push(rest);
        }
        parts
    })
}

/// One license term: a legacy name, an SPDX id as written, or either `with` an SPDX exception.
fn map_term(term: &str) -> Option<String> {
    let lower = term.to_ascii_lowercase();
    if let Some(i) = lower.find(" with ") {
        let (lhs, rhs) = (term.get(..i)?, term.get(i + 6..)?);
        let exception = spdx::exception_id(rhs.trim())?;
        return Some(format!("{} WITH {}", map_term(lhs)?, exception.name));
    }
    if let Some((_, id)) = LEGACY.iter().find(|(k, _)| k.eq_ignore_ascii_case(term)) {
        return Some((*id).to_owned());
    }
    if term.starts_with("LicenseRef-") && is_spdx(term) {
        return Some(term.to_owned());
    }
    // An SPDX id spelled exactly (with an optional `+`).
    spdx::license_id(term)
        .filter(|id| id.name == term.trim_end_matches('+'))
        .map(|_| term.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn expr(text: &str) -> Option<String> {
        rpm_license(text).and_then(|l| l.expression().map(str::to_owned))
    }

    #[test]
    fn spdx_text_is_kept() {
        assert_eq!(expr("MIT").as_deref(), Some("MIT"));
        assert_eq!(
            expr("LGPL-2.1-or-later AND LGPL-2.1-or-later WITH GCC-exception-2.0 AND GPL-2.0-or-later")
                .as_deref(),
            Some("LGPL-2.1-or-later AND LGPL-2.1-or-later WITH GCC-exception-2.0 AND GPL-2.0-or-later")
        );
        assert_eq!(
            expr("GPL-2.0+ and LGPL-2.1+").as_deref(),
            Some("GPL-2.0-or-later AND LGPL-2.1-or-later")
        );
        assert_eq!(
            expr("BSD-3-Clause or GPL-2.0").as_deref(),
            Some("BSD-3-Clause OR GPL-2.0-only")
        );
    }

    #[test]
    fn legacy_fedora_names_are_translated() {
        assert_eq!(expr("GPLv2+").as_deref(), Some("GPL-2.0-or-later"));
        assert_eq!(expr("LGPLv2+").as_deref(), Some("LGPL-2.0-or-later"));
        assert_eq!(
            expr("GPLV2+ or LGPLv3+").as_deref(),
            Some("GPL-2.0-or-later OR LGPL-3.0-or-later")
        );
        assert_eq!(
            expr("(GPLv2+ or LGPLv3+) and GPLv3+").as_deref(),
            Some("(GPL-2.0-or-later OR LGPL-3.0-or-later) AND GPL-3.0-or-later")
        );
        assert_eq!(expr("zlib and Boost").as_deref(), Some("Zlib AND BSL-1.0"));
        assert_eq!(expr("ASL 2.0").as_deref(), Some("Apache-2.0"));
        assert_eq!(
            expr("GPLv3+ with GCC-exception-3.1").as_deref(),
            Some("GPL-3.0-or-later WITH GCC-exception-3.1")
        );
    }

    #[test]
    fn ambiguous_text_stays_a_name() {
        for text in [
            "BSD",
            "LGPLv2",
            "Public Domain",
            "BSD or GPLv2",
            "GPLv2+ and LGPLv2+ with exceptions",
            "MIT and (BSD or ASL 2.0)",
            "SUSE-Public-Domain",
            "GNU GPL v2",
        ] {
            assert_eq!(
                rpm_license(text),
                Some(License::Name(text.to_owned())),
                "{text}"
            );
        }
        assert_eq!(rpm_license(""), None);
        assert_eq!(rpm_license("NONE"), None);
    }
}
