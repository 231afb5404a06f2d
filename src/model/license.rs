//! Declared licenses, normalised to SPDX expressions where they parse.
//!
//! Package databases hold free text: SPDX expressions (`MIT AND BSD-2-Clause`), old SPDX ids
//! (`GPL-2.0+`), distro shorthands (`GPLv2+`, `MIT BSD GPL2+`) or prose. [`License::parse`]
//! keeps the canonical SPDX expression when the text parses (lax mode, as cargo-deny does for
//! third-party strings, without guessing vague names) and the original text otherwise, so nothing is lost and nothing invalid
//! is ever emitted as an SPDX expression. See <https://spdx.github.io/spdx-spec/v2.3/SPDX-license-expressions/>.

use std::fmt;

use serde::Serialize;
use spdx::expression::{ExprNode, Operator};
use spdx::{Expression, LicenseItem, ParseMode};

/// One declared license of a package.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(tag = "kind", content = "value", rename_all = "kebab-case")]
pub enum License {
    /// A valid SPDX license expression in canonical form (`GPL-2.0-or-later OR MIT`).
    Expression(String),
    /// Text that is not an SPDX expression, kept verbatim (trimmed).
    Name(String),
}

/// Parse mode for third-party text: `/` as OR, `GPL-2.0+`, deprecated ids. Not the spdx
/// crate's "imprecise names" list: it guesses (`BSD` → `BSD-2-Clause`, `GPL` →
/// `GPL-2.0-only`), and a guessed license is worse than the text kept as a name.
const THIRD_PARTY: ParseMode = ParseMode {
    allow_slash_as_or_operator: true,
    allow_imprecise_license_names: false,
    allow_postfix_plus_on_gpl: true,
    allow_deprecated: true,
    allow_unknown: false,
};

/// Parse mode for canonical output: the SPDX syntax, deprecated ids tolerated.
const CANONICAL: ParseMode = ParseMode {
    allow_deprecated: true,
    ..ParseMode::STRICT
};

impl License {
    /// Parses declared license text. Returns `None` for empty text and for the placeholders
    /// that mean "nothing declared" (`NOASSERTION`, `NONE`, `UNKNOWN`).
    pub fn parse(text: &str) -> Option<License> {
        let text = text.trim();
        if text.is_empty() || is_placeholder(text) {
            return None;
        }
        Some(match canonical_expression(text) {
            Some(expr) => License::Expression(expr),
            None => License::Name(text.to_owned()),
        })
    }

    /// The SPDX expression, if this license is one.
    pub fn expression(&self) -> Option<&str> {
        match self {
            License::Expression(e) => Some(e),
            License::Name(_) => None,
        }
    }

    /// The text: the expression or the verbatim name.
    pub fn as_str(&self) -> &str {
        match self {
            License::Expression(s) | License::Name(s) => s,
        }
    }

    /// True when the expression is a single license id (no operator), e.g. `MIT`.
    pub fn is_single_id(&self) -> bool {
        matches!(self, License::Expression(e) if !e.contains(' '))
    }
}

impl fmt::Display for License {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

fn is_placeholder(text: &str) -> bool {
    ["NOASSERTION", "NONE", "UNKNOWN"]
        .iter()
        .any(|p| text.eq_ignore_ascii_case(p))
}

/// Canonical SPDX text for `text`, or `None` when it is not an SPDX expression.
pub fn canonical_expression(text: &str) -> Option<String> {
    let expr = Expression::parse_mode(text, THIRD_PARTY).ok()?;
    let canonical = render(&expr)?;
    // What we emit must be strictly valid (deprecated ids aside).
    Expression::parse_mode(&canonical, CANONICAL).ok()?;
    Some(canonical)
}

/// Rebuilds an expression from its postfix form with the fewest parentheses: AND binds
/// tighter than OR, so only an OR operand of an AND needs them.
fn render(expr: &Expression) -> Option<String> {
    let mut stack: Vec<(String, Option<Operator>)> = Vec::new();
    for node in expr.iter() {
        match node {
            ExprNode::Req(r) => {
                let mut s = item(&r.req.license);
                if let Some(add) = &r.req.addition {
                    s.push_str(" WITH ");
                    s.push_str(&add.to_string());
                }
                stack.push((s, None));
            }
            ExprNode::Op(op) => {
                let (rhs, rop) = stack.pop()?;
                let (lhs, lop) = stack.pop()?;
                let wrap = |s: String, o: Option<Operator>| {
                    if *op == Operator::And && o == Some(Operator::Or) {
                        format!("({s})")
                    } else {
                        s
                    }
                };
                let word = if *op == Operator::And { "AND" } else { "OR" };
                stack.push((
                    format!("{} {word} {}", wrap(lhs, lop), wrap(rhs, rop)),
                    Some(*op),
                ));
            }
        }
    }
    let (s, _) = stack.pop()?;
    stack.is_empty().then_some(s)
}

/// One license item; the deprecated bare GNU ids (`GPL-2.0`, `GPL-2.0+`) become the current
/// `-only` / `-or-later` ids.
fn item(item: &LicenseItem) -> String {
    match item {
        LicenseItem::Spdx { id, or_later } => {
            let name = id.name;
            if id.is_gnu() && id.is_deprecated() && !name.contains("-with-") {
                let base = name.trim_end_matches('+');
                let base = base
                    .strip_suffix("-only")
                    .or_else(|| base.strip_suffix("-or-later"))
                    .unwrap_or(base);
                let later = *or_later || name.ends_with('+') || name.ends_with("-or-later");
                let candidate = format!("{base}{}", if later { "-or-later" } else { "-only" });
                if spdx::license_id(&candidate).is_some() {
                    return candidate;
                }
            }
            if *or_later && !id.is_gnu() {
                format!("{name}+")
            } else if *or_later {
                // A current GNU id with a `+`: `GPL-2.0-only+` means or-later.
                let base = name.trim_end_matches("-only");
                let candidate = format!("{base}-or-later");
                if spdx::license_id(&candidate).is_some() {
                    candidate
                } else {
                    name.to_owned()
                }
            } else {
                name.to_owned()
            }
        }
        LicenseItem::Other(r) => r.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn canon(s: &str) -> Option<String> {
        canonical_expression(s)
    }

    #[test]
    fn keeps_valid_expressions() {
        assert_eq!(canon("MIT").as_deref(), Some("MIT"));
        assert_eq!(
            canon("MIT AND BSD-2-Clause").as_deref(),
            Some("MIT AND BSD-2-Clause")
        );
        assert_eq!(
            canon("(MIT OR Apache-2.0) AND Zlib").as_deref(),
            Some("(MIT OR Apache-2.0) AND Zlib")
        );
        assert_eq!(
            canon("MIT OR Apache-2.0 AND Zlib").as_deref(),
            Some("MIT OR Apache-2.0 AND Zlib")
        );
        assert_eq!(
            canon("GPL-2.0-or-later WITH Classpath-exception-2.0").as_deref(),
            Some("GPL-2.0-or-later WITH Classpath-exception-2.0")
        );
    }

    #[test]
    fn modernises_deprecated_gnu_ids() {
        assert_eq!(canon("GPL-2.0+").as_deref(), Some("GPL-2.0-or-later"));
        assert_eq!(canon("GPL-2.0").as_deref(), Some("GPL-2.0-only"));
        assert_eq!(canon("LGPL-2.1+").as_deref(), Some("LGPL-2.1-or-later"));
    }

    #[test]
    fn lax_spellings() {
        assert_eq!(
            canon("MIT/Apache-2.0").as_deref(),
            Some("MIT OR Apache-2.0")
        );
    }

    #[test]
    fn vague_names_are_not_guessed() {
        for vague in ["BSD", "GPL", "LGPL", "Apache", "gnu gpl v2"] {
            assert_eq!(
                License::parse(vague),
                Some(License::Name(vague.into())),
                "{vague}"
            );
        }
    }

    #[test]
    fn prose_is_kept_as_a_name() {
        assert_eq!(
            License::parse("see LICENSE file"),
            Some(License::Name("see LICENSE file".into()))
        );
        assert_eq!(License::parse("  "), None);
        assert_eq!(License::parse("NOASSERTION"), None);
        assert_eq!(
            License::parse("MIT"),
            Some(License::Expression("MIT".into()))
        );
    }
}
