//! Installed gems' specifications (`<GEM_HOME>/specifications/<name>-<version>.gemspec`),
//! which RubyGems writes as Ruby code (`Gem::Specification#to_ruby`:
//! <https://github.com/rubygems/rubygems/blob/master/lib/rubygems/specification.rb>).
//!
//! The code is not run: like Syft, this reads the assignments RubyGems writes, one per line
//! (`s.name = "bundler".freeze`, `s.licenses = ["MIT".freeze]`,
//! `s.add_runtime_dependency(%q<rack>.freeze, [">= 0"])`), taking the string literals on the
//! right-hand side. Anything else is ignored; a spec without a name and version is not a
//! gem.

/// What a gemspec says about its gem.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Gemspec {
    /// `name`.
    pub name: String,
    /// `version`.
    pub version: String,
    /// `licenses` / `license`.
    pub licenses: Vec<String>,
    /// `authors` / `author`.
    pub authors: Vec<String>,
    /// `homepage`.
    pub homepage: Option<String>,
    /// `summary`.
    pub summary: Option<String>,
    /// `platform`, when not `ruby` (a precompiled gem: `x86_64-linux`).
    pub platform: Option<String>,
    /// Names of runtime dependencies (`add_runtime_dependency`, `add_dependency`).
    pub dependencies: Vec<String>,
}

/// Parses gemspec text; `Err` when it names no gem or version.
pub(crate) fn parse_gemspec(text: &str) -> Result<Gemspec, String> {
    let mut g = Gemspec::default();
    let mut stub_version = None;
    for line in text.lines() {
        let line = line.trim();
        if let Some(stub) = line.strip_prefix("# stub: ") {
            stub_version = stub.split_whitespace().nth(1).map(str::to_owned);
            continue;
        }
        let Some((_receiver, rest)) = line.split_once('.') else {
            continue;
        };
        if let Some(args) = rest
            .strip_prefix("add_runtime_dependency")
            .or_else(|| rest.strip_prefix("add_dependency"))
        {
            if let Some(dep) = string_literals(args).into_iter().next() {
                g.dependencies.push(dep);
            }
            continue;
        }
        let Some((attr, value)) = rest.split_once('=') else {
            continue;
        };
        let value = value.trim_start();
        if value.starts_with('=') || value.starts_with('~') {
            continue; // `==` or `=~`: not an assignment.
        }
        let values = || string_literals(value);
        match attr.trim() {
            "name" => g.name = values().into_iter().next().unwrap_or_default(),
            "version" => g.version = values().into_iter().next().unwrap_or_default(),
            "licenses" | "license" => g.licenses.extend(values()),
            "authors" | "author" => g.authors.extend(values()),
            "homepage" => g.homepage = values().into_iter().next(),
            "summary" => g.summary = values().into_iter().next(),
            "platform" => {
                g.platform = values().into_iter().next().filter(|p| p != "ruby");
            }
            _ => {}
        }
    }
    if g.version.is_empty() {
        g.version = stub_version.unwrap_or_default();
    }
    if g.name.is_empty() || g.version.is_empty() {
        return Err("gemspec without a name or version".to_owned());
    }
    Ok(g)
}

/// The string literals in a Ruby expression: `"…"` (with escapes), `'…'`, `%q<…>` and the
/// other `%q`/`%Q` delimiters. `Gem::Version.new("1.0")` yields `1.0`.
pub(crate) fn string_literals(expr: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut chars = expr.chars().peekable();
    while let Some(c) = chars.next() {
        let close = match c {
            '"' | '\'' => c,
            '%' if matches!(chars.peek(), Some('q' | 'Q')) => {
                chars.next();
                match chars.next() {
                    Some('<') => '>',
                    Some('{') => '}',
                    Some('(') => ')',
                    Some('[') => ']',
                    Some(d) => d,
                    None => break,
                }
            }
            '#' => break, // a comment
            _ => continue,
        };
        let mut s = String::new();
        let mut closed = false;
        while let Some(ch) = chars.next() {
            if ch == close {
                closed = true;
                break;
            }
            if ch == '\\' && close == '"' {
                match chars.next() {
                    Some('u') => {
                        let hex: String = (0..4).filter_map(|_| chars.next()).collect();
                        if let Some(u) = u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32)
                        {
                            s.push(u);
                        }
                    }
                    Some('n') => s.push('\n'),
                    Some('t') => s.push('\t'),
                    Some(other) => s.push(other),
                    None => {}
                }
            } else {
                s.push(ch);
            }
        }
        if closed {
            out.push(s);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals() {
        assert_eq!(
            string_literals(r#"["Andr\u00E9 Arko".freeze, 'x', %q<rack>.freeze] # "c""#),
            ["André Arko", "x", "rack"]
        );
        assert_eq!(string_literals(r#""unterminated"#), Vec::<String>::new());
    }

    #[test]
    fn older_and_hand_written_specs() {
        let text = r#"
Gem::Specification.new do |spec|
  spec.name = %q{rake}
  spec.version = "13.0.6"
  spec.license = 'MIT'
  spec.author = "Jim"
  spec.add_runtime_dependency(%q<rack>.freeze, [">= 0"])
  spec.add_dependency "json", "~> 2"
  spec.add_development_dependency(%q<minitest>.freeze, [">= 0"])
  spec.name == "other"
  spec.platform = "x86_64-linux".freeze
end"#;
        let g = parse_gemspec(text).unwrap();
        assert_eq!((g.name.as_str(), g.version.as_str()), ("rake", "13.0.6"));
        assert_eq!(g.licenses, ["MIT"]);
        assert_eq!(g.authors, ["Jim"]);
        assert_eq!(g.dependencies, ["rack", "json"]);
        assert_eq!(g.platform.as_deref(), Some("x86_64-linux"));
        assert!(parse_gemspec("Gem::Specification.new do |s|\nend").is_err());
        // The version from the stub line when the body has none readable.
        let g = parse_gemspec(
            "# stub: foo 1.2 ruby lib\ns.name = 'foo'\ns.version = Gem::Version.new(v)",
        )
        .unwrap();
        assert_eq!(g.version, "1.2");
    }
}
