//! PEP 508 environment markers (`python_version < "3.8" and extra == 'socks'`), evaluated
//! against what the image tells about the interpreter.
//!
//! Spec: <https://packaging.python.org/en/latest/specifications/dependency-specifiers/>.
//!
//! Evaluation is three-valued: a marker whose variables are not known for the environment
//! (`platform_machine` when no RECORD names the architecture, `python_version` for a
//! `--target` directory) is [`None`], and the caller decides (an installed package that might
//! be required is taken as required). Extras not requested make `extra == "x"` false, as pip
//! decides. Version comparisons use PEP 440 (`pep440_rs`) when both sides are versions,
//! string comparison otherwise, as the spec says.

use std::str::FromStr;

use pep440_rs::{Version, VersionSpecifier};

use super::requirement::normalize;

/// What is known of the interpreter an environment belongs to. `None` fields are unknown.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct MarkerEnv {
    /// `python_version`, `3.11`.
    pub python_version: Option<String>,
    /// `platform_machine`, `x86_64`.
    pub platform_machine: Option<String>,
    /// `implementation_name` (`cpython`, `pypy`).
    pub implementation: Option<String>,
}

/// Evaluates `marker` with `extras` requested; `None` when the answer depends on something
/// unknown, or the marker does not parse.
pub(crate) fn evaluate(marker: &str, env: &MarkerEnv, extras: &[String]) -> Option<bool> {
    let tokens = tokenize(marker)?;
    let mut p = Parser {
        tokens: &tokens,
        pos: 0,
        env,
        extras,
    };
    let v = p.or()?;
    (p.pos == tokens.len()).then_some(v)?
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Tok {
    Ident(String),
    Str(String),
    Op(String),
    Open,
    Close,
}

fn tokenize(s: &str) -> Option<Vec<Tok>> {
    let mut out = Vec::new();
    let mut chars = s.char_indices().peekable();
    while let Some(&(i, c)) = chars.peek() {
        match c {
            c if c.is_whitespace() => {
                chars.next();
            }
            '(' | ')' => {
                chars.next();
                out.push(if c == '(' { Tok::Open } else { Tok::Close });
            }
            '"' | '\'' => {
                chars.next();
                let start = i + 1;
                let end = s[start..].find(c)? + start;
                out.push(Tok::Str(s[start..end].to_owned()));
                while chars.peek().is_some_and(|&(j, _)| j <= end) {
                    chars.next();
                }
            }
            '<' | '>' | '=' | '!' | '~' => {
                let mut op = String::new();
                while let Some(&(_, c)) = chars.peek().filter(|(_, c)| "<>=!~".contains(*c)) {
                    op.push(c);
                    chars.next();
                }
                out.push(Tok::Op(op));
            }
            c if c.is_ascii_alphanumeric() || c == '_' || c == '.' => {
                let mut id = String::new();
                while let Some(&(_, c)) = chars
                    .peek()
                    .filter(|(_, c)| c.is_ascii_alphanumeric() || matches!(c, '_' | '.'))
                {
                    id.push(c);
                    chars.next();
                }
                out.push(Tok::Ident(id));
            }
            _ => return None,
        }
    }
    Some(out)
}

struct Parser<'a> {
    tokens: &'a [Tok],
    pos: usize,
    env: &'a MarkerEnv,
    extras: &'a [String],
}

/// A parse result: outer `None` is a syntax error, inner `None` an unknown value.
type Eval = Option<Option<bool>>;

impl Parser<'_> {
    fn peek_ident(&self, word: &str) -> bool {
        matches!(self.tokens.get(self.pos), Some(Tok::Ident(w)) if w == word)
    }

    fn or(&mut self) -> Eval {
        let mut acc = self.and()?;
        while self.peek_ident("or") {
            self.pos += 1;
            let rhs = self.and()?;
            acc = match (acc, rhs) {
                (Some(true), _) | (_, Some(true)) => Some(true),
                (Some(false), Some(false)) => Some(false),
                _ => None,
            };
        }
        Some(acc)
    }

    fn and(&mut self) -> Eval {
        let mut acc = self.atom()?;
        while self.peek_ident("and") {
            self.pos += 1;
            let rhs = self.atom()?;
            acc = match (acc, rhs) {
                (Some(false), _) | (_, Some(false)) => Some(false),
                (Some(true), Some(true)) => Some(true),
                _ => None,
            };
        }
        Some(acc)
    }

    fn atom(&mut self) -> Eval {
        if self.tokens.get(self.pos) == Some(&Tok::Open) {
            self.pos += 1;
            let v = self.or()?;
            (self.tokens.get(self.pos) == Some(&Tok::Close)).then_some(())?;
            self.pos += 1;
            return Some(v);
        }
        let lhs = self.value()?;
        let op = match self.tokens.get(self.pos)? {
            Tok::Op(op) => op.clone(),
            Tok::Ident(w) if w == "in" => "in".to_owned(),
            Tok::Ident(w) if w == "not" => {
                self.pos += 1;
                self.peek_ident("in").then_some(())?;
                "not in".to_owned()
            }
            _ => return None,
        };
        self.pos += 1;
        let rhs = self.value()?;
        Some(self.compare(lhs, &op, rhs))
    }

    /// A variable (resolved, `Err(name)` when unknown) or a string literal.
    fn value(&mut self) -> Option<Value> {
        let v = match self.tokens.get(self.pos)? {
            Tok::Str(s) => Value::Literal(s.clone()),
            Tok::Ident(name) => Value::Var(name.clone(), self.variable(name)?),
            _ => return None,
        };
        self.pos += 1;
        Some(v)
    }

    /// The value of a marker variable: `Some(None)` when unknown, `None` when not a variable.
    fn variable(&self, name: &str) -> Option<Option<String>> {
        let env = self.env;
        let implementation = env.implementation.clone();
        Some(match name {
            "python_version" => env.python_version.clone(),
            "python_full_version" => None,
            "sys_platform" => Some("linux".into()),
            "platform_system" => Some("Linux".into()),
            "os_name" | "os.name" => Some("posix".into()),
            "platform_machine" | "platform.machine" => env.platform_machine.clone(),
            "implementation_name" => implementation,
            "platform_python_implementation" | "platform.python_implementation" => implementation
                .map(|i| match i.as_str() {
                    "cpython" => "CPython".to_owned(),
                    "pypy" => "PyPy".to_owned(),
                    _ => i,
                }),
            "implementation_version" | "platform_release" | "platform_version" => None,
            "extra" => Some(String::new()),
            _ => return None,
        })
    }

    fn compare(&self, lhs: Value, op: &str, rhs: Value) -> Option<bool> {
        // `extra == "name"`: true only for a requested extra, whichever side the name is on.
        if let (Value::Var(v, _), Value::Literal(e)) | (Value::Literal(e), Value::Var(v, _)) =
            (&lhs, &rhs)
            && v == "extra"
        {
            let hit = self.extras.contains(&normalize(e));
            return match op {
                "==" | "===" => Some(hit),
                "!=" => Some(!hit),
                _ => None,
            };
        }
        // `python_full_version` is X.Y.something when only X.Y is known: decided when the
        // lowest and a high patch level agree (`< '3.11'` is false for every 3.11.z), unknown
        // otherwise (`> '3.11.2'`), and never for an exact (in)equality with a patch level.
        let full = |v: &Value| matches!(v, Value::Var(n, _) if n == "python_full_version");
        if full(&lhs) || full(&rhs) {
            let minor = self.env.python_version.as_deref()?;
            let exact = matches!(op, "==" | "!=" | "===");
            let literal = if full(&lhs) { &rhs } else { &lhs };
            if exact && !matches!(literal, Value::Literal(l) if l.ends_with(".*")) {
                return None;
            }
            let at = |patch: &str| {
                let v = format!("{minor}.{patch}");
                let side = |x: &Value| if full(x) { Some(v.clone()) } else { x.text() };
                compare_values(&side(&lhs)?, op, &side(&rhs)?)
            };
            let (low, high) = (at("0"), at("999"));
            return (low == high).then_some(low).flatten();
        }
        compare_values(&lhs.text()?, op, &rhs.text()?)
    }
}

/// PEP 508 comparison of two known values: PEP 440 when the left side is a version and the
/// right a valid specifier, string comparison otherwise.
fn compare_values(l: &str, op: &str, r: &str) -> Option<bool> {
    match op {
        "in" => return Some(r.contains(l)),
        "not in" => return Some(!r.contains(l)),
        _ => {}
    }
    if let Ok(lv) = Version::from_str(l)
        && let Ok(spec) = VersionSpecifier::from_str(&format!("{op}{r}"))
    {
        return Some(spec.contains(&lv));
    }
    match op {
        "==" | "===" => Some(l == r),
        "!=" => Some(l != r),
        "<" => Some(l < r),
        "<=" => Some(l <= r),
        ">" => Some(l > r),
        ">=" => Some(l >= r),
        _ => None,
    }
}

enum Value {
    Literal(String),
    Var(String, Option<String>),
}

impl Value {
    fn text(&self) -> Option<String> {
        match self {
            Value::Literal(s) => Some(s.clone()),
            Value::Var(_, v) => v.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(py: &str) -> MarkerEnv {
        MarkerEnv {
            python_version: Some(py.into()),
            platform_machine: None,
            implementation: Some("cpython".into()),
        }
    }

    #[test]
    fn evaluates_python_version_and_platform() {
        let e = env("3.11");
        assert_eq!(evaluate("python_version < \"3.8\"", &e, &[]), Some(false));
        assert_eq!(evaluate("python_version >= '3.10'", &e, &[]), Some(true));
        assert_eq!(evaluate("'3.9' < python_version", &e, &[]), Some(true));
        assert_eq!(evaluate("python_version == '3.*'", &e, &[]), Some(true));
        assert_eq!(evaluate("sys_platform == 'win32'", &e, &[]), Some(false));
        assert_eq!(
            evaluate(
                "sys_platform != 'win32' and (os_name == 'nt' or python_version > '3')",
                &e,
                &[]
            ),
            Some(true)
        );
        assert_eq!(
            evaluate("platform_python_implementation == 'PyPy'", &e, &[]),
            Some(false)
        );
        assert_eq!(evaluate("'linux' in sys_platform", &e, &[]), Some(true));
        assert_eq!(evaluate("'win' not in sys_platform", &e, &[]), Some(true));
    }

    #[test]
    fn unknowns_and_extras() {
        let e = MarkerEnv::default();
        assert_eq!(evaluate("python_version < '3.8'", &e, &[]), None);
        assert_eq!(
            evaluate(
                "python_version < '3.8' and sys_platform == 'win32'",
                &e,
                &[]
            ),
            Some(false)
        );
        assert_eq!(
            evaluate("python_version < '3.8' or sys_platform == 'linux'", &e, &[]),
            Some(true)
        );
        assert_eq!(evaluate("platform_machine == 'x86_64'", &e, &[]), None);
        assert_eq!(evaluate("python_full_version < '3.11'", &e, &[]), None);
        let e = env("3.11");
        assert_eq!(
            evaluate("python_full_version < '3.11'", &e, &[]),
            Some(false)
        );
        assert_eq!(
            evaluate("python_full_version >= '3.8.1'", &e, &[]),
            Some(true)
        );
        assert_eq!(
            evaluate("'3.12' > python_full_version", &e, &[]),
            Some(true)
        );
        assert_eq!(evaluate("python_full_version > '3.11.2'", &e, &[]), None);
        assert_eq!(
            evaluate("python_full_version == '3.11.*'", &e, &[]),
            Some(true)
        );
        assert_eq!(evaluate("python_full_version != '3.11.4'", &e, &[]), None);
        assert_eq!(evaluate("extra == 'socks'", &e, &[]), Some(false));
        assert_eq!(
            evaluate("extra == \"Socks\"", &e, &["socks".into()]),
            Some(true)
        );
        assert_eq!(evaluate("python_version <", &e, &[]), None);
        assert_eq!(evaluate("bogus_var == '1'", &e, &[]), None);
        assert_eq!(evaluate("(python_version > '3'", &e, &[]), None);
    }
}
