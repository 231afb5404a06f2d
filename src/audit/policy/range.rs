//! Version ranges for the policy's denied packages (PKG001): a comma-separated conjunction
//! of comparisons (`">= 1.0, < 2.0"`, `"= 1.2.3"`, `"*"`); a package's `versions` list is a
//! disjunction of ranges. Versions are ordered by their ecosystem's rules
//! ([`crate::version`], chosen from the purl type).

use std::cmp::Ordering;

use crate::version::{Scheme, compare};

/// One comparison.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Op {
    Lt,
    Le,
    Eq,
    Ge,
    Gt,
    Ne,
}

/// A conjunction of comparisons.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VersionRange {
    text: String,
    parts: Vec<(Op, String)>,
}

impl VersionRange {
    /// Parses `">= 1.0, < 2.0"`, `"< 3"`, `"= 1.2"`, `"1.2"` (equal) or `"*"`.
    pub fn parse(s: &str) -> Result<VersionRange, String> {
        let mut parts = Vec::new();
        for c in s.split(',').map(str::trim) {
            if c == "*" {
                continue;
            }
            let (op, rest) = [
                ("<=", Op::Le),
                (">=", Op::Ge),
                ("!=", Op::Ne),
                ("==", Op::Eq),
                ("<", Op::Lt),
                (">", Op::Gt),
                ("=", Op::Eq),
            ]
            .iter()
            .find_map(|(p, op)| c.strip_prefix(p).map(|r| (*op, r)))
            .unwrap_or((Op::Eq, c));
            let v = rest.trim();
            if v.is_empty() || v.contains(char::is_whitespace) {
                return Err(format!(
                    "{s:?}: expected comparisons like \">= 1.0, < 2.0\" or \"*\""
                ));
            }
            parts.push((op, v.to_owned()));
        }
        Ok(VersionRange {
            text: s.trim().to_owned(),
            parts,
        })
    }

    /// True when `version` (of a package of purl type `ty`) lies in the range.
    pub fn contains(&self, ty: &str, version: &str) -> bool {
        self.parts.iter().all(|(op, v)| {
            let o = compare(Scheme::for_purl_type(ty), version, v);
            match op {
                Op::Lt => o == Ordering::Less,
                Op::Le => o != Ordering::Greater,
                Op::Eq => o == Ordering::Equal,
                Op::Ge => o != Ordering::Less,
                Op::Gt => o == Ordering::Greater,
                Op::Ne => o != Ordering::Equal,
            }
        })
    }

    /// The range as written.
    pub fn as_str(&self) -> &str {
        &self.text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges() {
        let r = VersionRange::parse(">= 1.0, < 2.0").unwrap();
        assert!(r.contains("npm", "1.5.0"));
        assert!(!r.contains("npm", "2.0.0"));
        assert!(
            VersionRange::parse("*")
                .unwrap()
                .contains("deb", "anything")
        );
        assert!(VersionRange::parse("1.2").unwrap().contains("pypi", "1.2"));
        assert!(VersionRange::parse(">= 1 2").is_err());
    }
}
