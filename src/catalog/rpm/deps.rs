//! What an rpm package provides and requires, as a [`DependencySpec`] for `model::resolve`.
//!
//! The graph consign draws is the *runtime* graph, with rpm's own classification of what a
//! requirement is for (`rpmds.h`, `isInstallPreReq` / `isErasePreReq`):
//!
//! - `rpmlib(…)` requirements are features of rpm itself, which no package provides: dropped.
//! - Requirements that only scriptlets run at install or erase time need (`Requires(pre)`,
//!   `(post)`, `(pretrans)`, `(posttrans)`, `(preun)`, `(postun)`, `(preuntrans)`,
//!   `(postuntrans)`) are dropped: rpm lets them be removed once the package is installed, so
//!   they are not what the package needs to run. The same name required with plain flags too
//!   (`/bin/sh` both as a `%post` interpreter and for a shipped script) is kept.
//! - Trigger interpreters (`RPMSENSE_INTERP` alone), `Requires(meta)` and
//!   `Requires(missingok)` are kept, as rpm keeps them.
//! - Requirements the package satisfies itself (its name, its provides, its own files) are
//!   dropped.
//! - Rich (boolean) dependencies (`(a or b)`, `(a if b)`; rpm ≥ 4.13) are flattened: `or`
//!   becomes one group of alternatives, `and`/`with` several groups, and the conditions of
//!   `if`/`unless` are evaluated against the packages of the same database (by name only,
//!   version ranges ignored), since the resolver cannot express a condition.
//!
//! Provides are the `PROVIDENAME` names (versions live in a separate tag), minus the package's
//! own name. See <https://rpm-software-management.github.io/rpm/manual/dependencies.html> and
//! <https://rpm-software-management.github.io/rpm/manual/boolean_dependencies.html>.

use std::collections::HashSet;

use super::entry::RpmEntry;
use crate::model::DependencySpec;

/// `RPMSENSE_*` bits (`rpmds.h`).
mod sense {
    pub const POSTTRANS: u32 = 1 << 5;
    pub const PRETRANS: u32 = 1 << 7;
    pub const SCRIPT_PRE: u32 = 1 << 9;
    pub const SCRIPT_POST: u32 = 1 << 10;
    pub const SCRIPT_PREUN: u32 = 1 << 11;
    pub const SCRIPT_POSTUN: u32 = 1 << 12;
    pub const PREUNTRANS: u32 = 1 << 20;
    pub const POSTUNTRANS: u32 = 1 << 21;
    pub const RPMLIB: u32 = 1 << 24;
    pub const KEYRING: u32 = 1 << 26;
}

/// rpm's `_INSTALL_ONLY_MASK | _ERASE_ONLY_MASK`: requirements needed only while installing or
/// erasing the package.
const SCRIPTLET_ONLY: u32 = sense::SCRIPT_PRE
    | sense::SCRIPT_POST
    | sense::PRETRANS
    | sense::POSTTRANS
    | sense::KEYRING
    | sense::SCRIPT_PREUN
    | sense::SCRIPT_POSTUN
    | sense::PREUNTRANS
    | sense::POSTUNTRANS;

/// Deeper nesting than this is not a dependency anyone wrote; it is refused.
const MAX_DEPTH: usize = 16;

/// Everything the packages of one database provide: names, provides and owned paths
/// (absolute, as requirements spell them), for evaluating rich-dependency conditions.
pub(crate) struct Installed<'a> {
    names: HashSet<&'a str>,
    paths: HashSet<&'a str>,
}

impl<'a> Installed<'a> {
    /// Collects what `entries` provide.
    pub(crate) fn new(entries: &'a [RpmEntry]) -> Self {
        let mut names = HashSet::new();
        let mut paths = HashSet::new();
        for e in entries {
            names.insert(e.name.as_str());
            names.extend(e.provides.iter().map(String::as_str));
            paths.extend(e.files.iter().map(String::as_str));
        }
        Installed { names, paths }
    }

    fn satisfies(&self, name: &str) -> bool {
        match name.strip_prefix('/') {
            Some(path) => self.paths.contains(path) || self.names.contains(name),
            None => self.names.contains(name),
        }
    }
}

/// The provides/requires of `e`, filtered as the module docs say.
pub(crate) fn dependency_spec(e: &RpmEntry, installed: &Installed<'_>) -> DependencySpec {
    let mut provides: Vec<String> = Vec::new();
    let mut seen: HashSet<&str> = HashSet::new();
    for p in &e.provides {
        if p != &e.name && seen.insert(p) {
            provides.push(p.clone());
        }
    }
    let own_files: HashSet<&str> = e.files.iter().map(String::as_str).collect();
    let is_own = |n: &str| {
        n == e.name
            || seen.contains(n)
            || n.strip_prefix('/').is_some_and(|p| own_files.contains(p))
    };

    let mut requires: Vec<Vec<String>> = Vec::new();
    let mut groups_seen: HashSet<Vec<String>> = HashSet::new();
    for r in &e.requires {
        if r.flags & (sense::RPMLIB | SCRIPTLET_ONLY) != 0 || r.name.starts_with("rpmlib(") {
            continue;
        }
        let groups = if r.name.starts_with('(') {
            match parse_rich(&r.name) {
                Some(rich) => groups(&rich, installed),
                // An expression rpm itself would reject cannot be resolved either.
                None => continue,
            }
        } else {
            vec![vec![r.name.clone()]]
        };
        for g in groups {
            if g.is_empty() || g.iter().any(|n| is_own(n)) {
                continue;
            }
            if groups_seen.insert(g.clone()) {
                requires.push(g);
            }
        }
    }
    DependencySpec { provides, requires }
}

/// A rich dependency expression.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Rich {
    Name(String),
    And(Vec<Rich>),
    Or(Vec<Rich>),
    With(Vec<Rich>),
    Without(Box<Rich>, Box<Rich>),
    If(Box<Rich>, Box<Rich>, Option<Box<Rich>>),
    Unless(Box<Rich>, Box<Rich>, Option<Box<Rich>>),
}

/// Requirement groups of `r`: each inner list is a set of alternatives.
fn groups(r: &Rich, installed: &Installed<'_>) -> Vec<Vec<String>> {
    match r {
        Rich::Name(n) => vec![vec![n.clone()]],
        Rich::And(xs) | Rich::With(xs) => xs.iter().flat_map(|x| groups(x, installed)).collect(),
        Rich::Without(a, _) => groups(a, installed),
        Rich::Or(xs) => {
            let mut alts: Vec<String> = Vec::new();
            for n in xs.iter().flat_map(|x| groups(x, installed)).flatten() {
                if !alts.contains(&n) {
                    alts.push(n);
                }
            }
            vec![alts]
        }
        Rich::If(then, cond, otherwise) | Rich::Unless(then, cond, otherwise) => {
            let want = holds(cond, installed) == matches!(r, Rich::If(..));
            match (want, otherwise) {
                (true, _) => groups(then, installed),
                (false, Some(o)) => groups(o, installed),
                (false, None) => Vec::new(),
            }
        }
    }
}

/// Whether the installed packages satisfy `r`.
fn holds(r: &Rich, installed: &Installed<'_>) -> bool {
    match r {
        Rich::Name(n) => installed.satisfies(n),
        Rich::And(xs) | Rich::With(xs) => xs.iter().all(|x| holds(x, installed)),
        Rich::Or(xs) => xs.iter().any(|x| holds(x, installed)),
        Rich::Without(a, b) => holds(a, installed) && !holds(b, installed),
        Rich::If(then, cond, otherwise) => {
            if holds(cond, installed) {
                holds(then, installed)
            } else {
                otherwise.as_ref().is_none_or(|o| holds(o, installed))
            }
        }
        Rich::Unless(then, cond, otherwise) => {
            if holds(cond, installed) {
                otherwise.as_ref().is_none_or(|o| holds(o, installed))
            } else {
                holds(then, installed)
            }
        }
    }
}

/// Parses a rich dependency, `None` when it is malformed.
fn parse_rich(text: &str) -> Option<Rich> {
    let tokens = tokenize(text)?;
    let mut p = Parser { tokens, pos: 0 };
    let r = p.group(0)?;
    (p.pos == p.tokens.len()).then_some(r)
}

/// Splits into `(`, `)` and words. A `(` inside a word (`foo(x86-64)`) belongs to the word.
fn tokenize(text: &str) -> Option<Vec<&str>> {
    let mut out = Vec::new();
    let mut rest = text.trim_start();
    while let Some(c) = rest.chars().next() {
        let len = if c == '(' || c == ')' {
            1
        } else {
            let mut depth = 0usize;
            let mut end = rest.len();
            for (i, ch) in rest.char_indices() {
                match ch {
                    '(' => depth += 1,
                    ')' if depth == 0 => {
                        end = i;
                        break;
                    }
                    ')' => depth -= 1,
                    c if c.is_whitespace() && depth == 0 => {
                        end = i;
                        break;
                    }
                    _ => {}
                }
            }
            end
        };
        let (tok, tail) = rest.split_at(len);
        out.push(tok);
        rest = tail.trim_start();
    }
    Some(out)
}

struct Parser<'t> {
    tokens: Vec<&'t str>,
    pos: usize,
}

impl<'t> Parser<'t> {
    fn peek(&self) -> Option<&'t str> {
        self.tokens.get(self.pos).copied()
    }

    fn next(&mut self) -> Option<&'t str> {
        let t = self.tokens.get(self.pos).copied();
        self.pos += 1;
        t
    }

    /// `( operand [op operand …] )`
    fn group(&mut self, depth: usize) -> Option<Rich> {
        if depth > MAX_DEPTH || self.next()? != "(" {
            return None;
        }
        let first = self.operand(depth)?;
        let r = match self.next()? {
            ")" => return Some(first),
            op @ ("and" | "or" | "with") => {
                let op = op.to_owned();
                let mut xs = vec![first, self.operand(depth)?];
                // rpm requires parentheses to mix operators, so only `op` may repeat.
                while self.peek() == Some(op.as_str()) {
                    self.pos += 1;
                    xs.push(self.operand(depth)?);
                }
                match op.as_str() {
                    "and" => Rich::And(xs),
                    "or" => Rich::Or(xs),
                    _ => Rich::With(xs),
                }
            }
            "without" => Rich::Without(Box::new(first), Box::new(self.operand(depth)?)),
            op @ ("if" | "unless") => {
                let is_if = op == "if";
                let cond = Box::new(self.operand(depth)?);
                let otherwise = if self.peek() == Some("else") {
                    self.pos += 1;
                    Some(Box::new(self.operand(depth)?))
                } else {
                    None
                };
                if is_if {
                    Rich::If(Box::new(first), cond, otherwise)
                } else {
                    Rich::Unless(Box::new(first), cond, otherwise)
                }
            }
            _ => return None,
        };
        (self.next()? == ")").then_some(r)
    }

    /// A nested group, or a name with an optional version comparison (ignored).
    fn operand(&mut self, depth: usize) -> Option<Rich> {
        if self.peek()? == "(" {
            return self.group(depth + 1);
        }
        let name = self.next()?;
        if matches!(
            name,
            ")" | "and" | "or" | "with" | "without" | "if" | "unless" | "else"
        ) {
            return None;
        }
        if matches!(
            self.peek(),
            Some("<" | ">" | "=" | "<=" | ">=" | "==" | "<>")
        ) {
            self.pos += 1;
            self.next().filter(|v| *v != ")")?;
        }
        Some(Rich::Name(name.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::super::entry::Requirement;
    use super::*;

    fn entry(name: &str, provides: &[&str], files: &[&str], requires: &[(&str, u32)]) -> RpmEntry {
        RpmEntry {
            name: name.into(),
            provides: provides.iter().map(|s| s.to_string()).collect(),
            files: files.iter().map(|s| s.to_string()).collect(),
            requires: requires
                .iter()
                .map(|(n, f)| Requirement {
                    name: n.to_string(),
                    flags: *f,
                })
                .collect(),
            ..RpmEntry::default()
        }
    }

    #[test]
    fn filters_rpmlib_scriptlets_and_self() {
        let e = entry(
            "ca-certificates",
            &["ca-certificates", "config(ca-certificates)"],
            &["usr/bin/ca-legacy"],
            &[
                ("rpmlib(PayloadIsZstd)", (1 << 24) | 8),
                ("/bin/sh", 1280),      // post,interp
                ("p11-kit", 1024 | 12), // post, versioned
                ("/bin/sh", 256),       // trigger interpreter: kept
                ("bash", 0),
                ("bash", 1 << 14), // auto, duplicate of the above
                ("config(ca-certificates)", (1 << 28) | 8),
                ("/usr/bin/ca-legacy", 0),
                ("coreutils", 1 << 9),          // pre
                ("grep", 1 << 12),              // postun
                ("sed", (1 << 19) | (1 << 29)), // missingok, meta: kept
            ],
        );
        let spec = dependency_spec(&e, &Installed::new(&[]));
        assert_eq!(spec.provides, ["config(ca-certificates)"]);
        assert_eq!(
            spec.requires,
            [
                vec!["/bin/sh".to_string()],
                vec!["bash".into()],
                vec!["sed".into()]
            ]
        );
    }

    #[test]
    fn rich_dependencies() {
        let installed_entries = [
            entry("redhat-rpm-config", &[], &[], &[]),
            entry("bash", &["/bin/sh"], &["usr/bin/bash"], &[]),
        ];
        let installed = Installed::new(&installed_entries);
        let g = |text: &str| groups(&parse_rich(text).unwrap(), &installed);
        assert_eq!(
            g("(glibc-gconv-extra(x86-64) = 2.34-52.amzn2023.0.3 if redhat-rpm-config)"),
            [vec!["glibc-gconv-extra(x86-64)".to_string()]]
        );
        assert!(g("(foo if absent)").is_empty());
        assert_eq!(g("(foo if absent else bar)"), [vec!["bar".to_string()]]);
        assert_eq!(g("(foo unless /usr/bin/bash)"), Vec::<Vec<String>>::new());
        assert_eq!(g("(foo unless nothing)"), [vec!["foo".to_string()]]);
        assert_eq!(
            g("(a >= 1 or b or (c and d))"),
            [vec!["a".to_string(), "b".into(), "c".into(), "d".into()]]
        );
        assert_eq!(
            g("(a and (b or c) and d)"),
            [
                vec!["a".to_string()],
                vec!["b".into(), "c".into()],
                vec!["d".into()]
            ]
        );
        assert_eq!(g("(a with b)").len(), 2);
        assert_eq!(g("(a without b)"), [vec!["a".to_string()]]);
        assert_eq!(
            g("((a if /bin/sh) or z)"),
            [vec!["a".to_string(), "z".into()]]
        );
    }

    #[test]
    fn malformed_rich_dependencies_are_dropped() {
        for bad in [
            "(",
            "()",
            "(a or)",
            "(a or b and c)",
            "(a or b",
            "(a or b))",
            "(a >=)",
            "(and b)",
            "(a xor b)",
        ] {
            assert_eq!(parse_rich(bad), None, "{bad}");
        }
        let deep = format!("{}a{}", "(".repeat(100), ")".repeat(100));
        assert_eq!(parse_rich(&deep), None);
        let e = entry("x", &[], &[], &[("(a or", 0), ("real", 0)]);
        let spec = dependency_spec(&e, &Installed::new(&[]));
        assert_eq!(spec.requires, [vec!["real".to_string()]]);
    }
}
