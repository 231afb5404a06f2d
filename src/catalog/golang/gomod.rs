//! `go.mod` (with the `go.sum` beside it): the modules a Go project declares.
//!
//! Format: <https://go.dev/ref/mod#go-mod-file>. Read: `require` (single lines and blocks,
//! `// indirect` marking an indirect requirement) and `replace` (`old [v] => new [v]`, which
//! applies to every version of `old` when `old` has none). `exclude`, `retract`, `go`,
//! `toolchain` and `godebug` change no requirement and are skipped. The main module itself
//! (`module`) has no version in its own `go.mod` and is not reported.
//!
//! Each requirement becomes a package with evidence `declared`, under its replacement when
//! there is one (as Syft does; a replacement by a local directory keeps the required path and
//! version and records the directory, as for binaries), property `indirect` for indirect ones,
//! and property `h1Digest` from `go.sum` (<https://go.dev/ref/mod#go-sum-files>; the `/go.mod`
//! lines hash only the `go.mod` file and are not used).

use std::collections::HashMap;

use super::{is_directory_path, module_package};
use crate::Result;
use crate::catalog::{CatalogOutput, Cataloger, Environment, Tag, parse_failure, read_file};
use crate::fs::{FileResolver, Location};
use crate::model::{Evidence, LanguageMetadata};

const NAME: &str = "go-module-file-cataloger";

/// Reads `go.mod` files. See the module docs.
pub struct GoModFileCataloger;

impl Cataloger for GoModFileCataloger {
    fn name(&self) -> &'static str {
        NAME
    }

    fn tags(&self) -> &'static [Tag] {
        &[Tag::Language, Tag::Declared]
    }

    fn wants(&self) -> &'static [&'static str] {
        &["**/go.mod", "**/go.sum"]
    }

    fn catalog(&self, fs: &dyn FileResolver, _env: &Environment) -> Result<CatalogOutput> {
        let mut out = CatalogOutput::default();
        for loc in fs.files_by_glob("**/go.mod") {
            if loc.path.contains("pkg/mod/") {
                continue;
            }
            let bytes = match read_file(fs, &loc, NAME) {
                Ok(b) => b,
                Err(u) => {
                    out.unknowns.push(u);
                    continue;
                }
            };
            if let Some(u) = crate::catalog::too_many_records(NAME, &loc, &bytes, b"\n") {
                out.unknowns.push(u);
                continue;
            }
            let sums = go_sum(fs, &loc, &mut out);
            catalog_go_mod(&loc, &String::from_utf8_lossy(&bytes), &sums, &mut out);
        }
        Ok(out)
    }
}

/// The `h1:` hashes of the `go.sum` beside `go_mod`, by `(path, version)`.
fn go_sum(
    fs: &dyn FileResolver,
    go_mod: &Location,
    out: &mut CatalogOutput,
) -> HashMap<(String, String), String> {
    let path = match go_mod.path.strip_suffix("go.mod") {
        Some(dir) => format!("{dir}go.sum"),
        None => return HashMap::new(),
    };
    let Ok(Some(loc)) = fs.file_by_path(&path) else {
        return HashMap::new();
    };
    match read_file(fs, &loc, NAME) {
        Ok(bytes) => match crate::catalog::too_many_records(NAME, &loc, &bytes, b"\n") {
            Some(u) => {
                out.unknowns.push(u);
                HashMap::new()
            }
            None => parse_go_sum(&String::from_utf8_lossy(&bytes)),
        },
        Err(u) => {
            out.unknowns.push(u);
            HashMap::new()
        }
    }
}

pub(super) fn parse_go_sum(text: &str) -> HashMap<(String, String), String> {
    let mut sums = HashMap::new();
    for line in text.lines() {
        let mut f = line.split_whitespace();
        if let (Some(path), Some(version), Some(hash)) = (f.next(), f.next(), f.next())
            && !version.ends_with("/go.mod")
        {
            sums.insert((path.to_owned(), version.to_owned()), hash.to_owned());
        }
    }
    sums
}

fn catalog_go_mod(
    loc: &Location,
    text: &str,
    sums: &HashMap<(String, String), String>,
    out: &mut CatalogOutput,
) {
    let gomod = parse_go_mod(text);
    for (line, why) in &gomod.errors {
        out.unknowns
            .push(parse_failure(NAME, loc, format!("line {line}: {why}")));
    }
    for req in &gomod.requires {
        let mut meta = LanguageMetadata::new(Evidence::Declared);
        let replacement = gomod.replaces.iter().find(|r| {
            r.old_path == req.path && (r.old_version.is_empty() || r.old_version == req.version)
        });
        let (path, version) = match replacement {
            Some(r) if is_directory_path(&r.new_path) => {
                meta.property("replacementPath", &r.new_path);
                (req.path.as_str(), req.version.as_str())
            }
            Some(r) => {
                meta.property("replacedModule", &req.path);
                meta.property("replacedVersion", &req.version);
                (r.new_path.as_str(), r.new_version.as_str())
            }
            None => (req.path.as_str(), req.version.as_str()),
        };
        if req.indirect {
            meta.property("indirect", "true");
        }
        if let Some(h) = sums.get(&(path.to_owned(), version.to_owned())) {
            meta.property("h1Digest", h);
        }
        match module_package(path, version, loc, meta, NAME) {
            Ok(p) => out.packages.push(p),
            Err(why) => out.unknowns.push(parse_failure(NAME, loc, why)),
        }
    }
}

/// A `require` line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Require {
    pub path: String,
    pub version: String,
    pub indirect: bool,
}

/// A `replace` line; `old_version` and `new_version` may be empty.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Replace {
    pub old_path: String,
    pub old_version: String,
    pub new_path: String,
    pub new_version: String,
}

/// What [`parse_go_mod`] reads.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(super) struct GoMod {
    pub module: Option<String>,
    pub requires: Vec<Require>,
    pub replaces: Vec<Replace>,
    /// `(line number, why)` for lines that could not be read.
    pub errors: Vec<(usize, String)>,
}

/// Parses the directives of a `go.mod` file that name modules.
pub(super) fn parse_go_mod(text: &str) -> GoMod {
    let mut out = GoMod::default();
    let mut block: Option<String> = None;
    for (i, raw) in text.lines().enumerate() {
        let n = i + 1;
        let (code, comment) = match raw.find("//") {
            Some(at) => (&raw[..at], raw[at + 2..].trim()),
            None => (raw, ""),
        };
        let words: Vec<String> = tokens(code);
        if words.is_empty() {
            continue;
        }
        let (verb, args): (String, &[String]) = match &block {
            Some(_) if words[0] == ")" => {
                block = None;
                continue;
            }
            Some(verb) => (verb.clone(), &words[..]),
            None if words.len() == 2 && words[1] == "(" => {
                block = Some(words[0].clone());
                continue;
            }
            None => (words[0].clone(), &words[1..]),
        };
        let indirect = comment.split(';').any(|c| c.trim() == "indirect");
        let result = match verb.as_str() {
            "module" => match args {
                [path] => {
                    out.module = Some(path.clone());
                    Ok(())
                }
                _ => Err("module takes one path".to_owned()),
            },
            "require" => match args {
                [path, version] => {
                    out.requires.push(Require {
                        path: path.clone(),
                        version: version.clone(),
                        indirect,
                    });
                    Ok(())
                }
                _ => Err("require takes a path and a version".to_owned()),
            },
            "replace" => parse_replace(args).map(|r| out.replaces.push(r)),
            _ => Ok(()),
        };
        if let Err(why) = result {
            out.errors.push((n, why));
        }
    }
    out
}

fn parse_replace(args: &[String]) -> std::result::Result<Replace, String> {
    let arrow = args
        .iter()
        .position(|a| a == "=>")
        .ok_or("replace without =>")?;
    let (old, new) = (&args[..arrow], &args[arrow + 1..]);
    let get = |s: &[String], i: usize| s.get(i).cloned().unwrap_or_default();
    if !(1..=2).contains(&old.len()) || !(1..=2).contains(&new.len()) {
        return Err("replace takes `path [version] => path [version]`".to_owned());
    }
    Ok(Replace {
        old_path: get(old, 0),
        old_version: get(old, 1),
        new_path: get(new, 0),
        new_version: get(new, 1),
    })
}

/// Splits a line into words; `"…"` and `` `…` `` quoted words are unquoted (module paths may
/// be quoted).
fn tokens(code: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = code.trim();
    while !rest.is_empty() {
        let (word, tail) = if let Some(q) = rest.strip_prefix(['"', '`']) {
            let close = rest.as_bytes()[0] as char;
            match q.find(close) {
                Some(end) => (q[..end].to_owned(), &q[end + 1..]),
                None => (q.to_owned(), ""),
            }
        } else {
            let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
            (rest[..end].to_owned(), &rest[end..])
        };
        out.push(word);
        rest = tail.trim_start();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::testfs::{TestLayer, fixture};
    use crate::fs::LayeredFs;

    #[test]
    fn parses_requires_blocks_comments_and_replaces() {
        let m = parse_go_mod(
            "module example.com/app // the app\n\ngo 1.22\n\
             require example.com/a v1.0.0\n\
             require (\n\texample.com/b v1.2.0 // indirect\n\t\"example.com/c\" v0.1.0\n)\n\
             replace example.com/a => example.com/fork v1.0.1\n\
             replace (\n\texample.com/b v1.2.0 => ../b\n)\n\
             exclude example.com/d v0.0.1\nrequire broken\n",
        );
        assert_eq!(m.module.as_deref(), Some("example.com/app"));
        let reqs: Vec<(&str, &str, bool)> = m
            .requires
            .iter()
            .map(|r| (r.path.as_str(), r.version.as_str(), r.indirect))
            .collect();
        assert_eq!(
            reqs,
            [
                ("example.com/a", "v1.0.0", false),
                ("example.com/b", "v1.2.0", true),
                ("example.com/c", "v0.1.0", false),
            ]
        );
        assert_eq!(m.replaces.len(), 2);
        assert_eq!(m.replaces[1].new_path, "../b");
        assert_eq!(m.replaces[1].old_version, "v1.2.0");
        assert_eq!(m.errors.len(), 1);
        assert_eq!(m.errors[0].0, 14);
    }

    #[test]
    fn trivy_normal_fixture_with_go_sum() {
        let tree = TestLayer::new(GoModFileCataloger.wants())
            .dir_tree(&fixture("go/mod-normal"))
            .build();
        let trees = [tree];
        let fs = LayeredFs::squashed(&trees);
        let out = GoModFileCataloger
            .catalog(&fs, &Environment::default())
            .unwrap();
        assert!(out.unknowns.is_empty(), "{:?}", out.unknowns);
        type Row = (String, String, Vec<(String, String)>);
        let got: Vec<Row> = out
            .packages
            .iter()
            .map(|p| {
                let crate::model::PackageMetadata::Language(m) = &p.metadata else {
                    panic!("language metadata")
                };
                (p.name.clone(), p.version.clone(), m.properties.clone())
            })
            .collect();
        let prop = |k: &str, v: &str| (k.to_owned(), v.to_owned());
        assert_eq!(got.len(), 5);
        assert_eq!(
            got[0],
            (
                "github.com/aquasecurity/go-version".to_owned(),
                "v0.0.0-20240603093900-cf8a8d29271d".to_owned(),
                vec![prop(
                    "h1Digest",
                    "h1:4zour5Sh9chOg+IqIinIcJ3qtr3cIf8FdFY6aArlXBw="
                )]
            )
        );
        assert_eq!(got[4].0, "golang.org/x/xerrors");
        assert_eq!(got[4].2[0], prop("indirect", "true"));
        assert_eq!(
            out.packages[0].purl.as_str(),
            "pkg:golang/github.com/aquasecurity/go-version@v0.0.0-20240603093900-cf8a8d29271d"
        );
        // yaml.v3 is only in go.sum (a module whose go.mod was consulted): not a requirement.
        assert!(!got.iter().any(|g| g.0 == "gopkg.in/yaml.v3"));
    }

    #[test]
    fn module_cache_copies_are_skipped() {
        let gomod = std::fs::read(fixture("go/mod-normal/go.mod")).unwrap();
        let trees = [TestLayer::new(GoModFileCataloger.wants())
            .file("src/app/go.mod", &gomod)
            .file("root/go/pkg/mod/github.com/org/repo@v1.0.0/go.mod", &gomod)
            .build()];
        let fs = LayeredFs::squashed(&trees);
        let out = GoModFileCataloger
            .catalog(&fs, &Environment::default())
            .unwrap();
        assert_eq!(out.packages.len(), 5);
        // No go.sum beside it: no h1 digests, and no unknown either.
        assert!(out.unknowns.is_empty());
    }

    #[test]
    fn replacements_apply_by_version() {
        let text = "module m\nrequire (\n\ta.io/x v1.0.0\n\tb.io/y v2.0.0\n\tc.io/z v0.1.0\n)\n\
                    replace a.io/x => a.io/fork v1.0.5\nreplace b.io/y v1.0.0 => b.io/other v1.0.0\n\
                    replace c.io/z => ./z\n";
        let sums = parse_go_sum("a.io/fork v1.0.5 h1:abc=\na.io/fork v1.0.5/go.mod h1:def=\n");
        let mut out = CatalogOutput::default();
        let loc = Location::new("src/go.mod", 0);
        catalog_go_mod(&loc, text, &sums, &mut out);
        let names: Vec<(&str, &str)> = out
            .packages
            .iter()
            .map(|p| (p.name.as_str(), p.version.as_str()))
            .collect();
        assert_eq!(
            names,
            [
                ("a.io/fork", "v1.0.5"),
                ("b.io/y", "v2.0.0"),
                ("c.io/z", "v0.1.0")
            ]
        );
        let crate::model::PackageMetadata::Language(m) = &out.packages[0].metadata else {
            panic!()
        };
        assert!(
            m.properties
                .contains(&("h1Digest".into(), "h1:abc=".into()))
        );
        assert!(
            m.properties
                .contains(&("replacedModule".into(), "a.io/x".into()))
        );
    }
}
