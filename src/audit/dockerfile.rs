//! A Dockerfile parser that keeps line numbers, for findings that point at a line.
//!
//! Handles what the rules need (<https://docs.docker.com/reference/dockerfile/>): the
//! `# escape=` parser directive, comments, line continuations (comment lines inside a
//! continuation are dropped, as BuildKit does), heredocs (`RUN <<EOF … EOF`, `<<-`, quoted
//! delimiters; the body is appended to the instruction), leading `--flags`, stages
//! (`FROM … AS name`) and `ARG` substitution in `FROM` (`${VAR}`, `$VAR`, `${VAR:-default}`).
//! Anything else is kept verbatim; the parser never fails on content.

use std::collections::BTreeMap;

use super::step::{Origin, Step, exec_form_script, split_flags};

/// A parsed Dockerfile.
#[derive(Clone, Debug, Default)]
pub struct Dockerfile {
    /// The path as given (used in findings).
    pub path: String,
    /// Every instruction, in order.
    pub steps: Vec<Step>,
    /// One entry per `FROM`, in order.
    pub stages: Vec<Stage>,
}

/// A build stage.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stage {
    /// The image reference after ARG substitution (`debian:12`, `builder`, `scratch`).
    pub image: String,
    /// `AS name`.
    pub name: Option<String>,
    /// Line of the `FROM`.
    pub line: usize,
    /// Index of the `FROM` in [`Dockerfile::steps`].
    pub step: usize,
}

impl Dockerfile {
    /// Parses Dockerfile text.
    pub fn parse(text: &str, path: &str) -> Dockerfile {
        let lines: Vec<&str> = text.lines().collect();
        let mut escape = '\\';
        let mut i = 0;
        // Parser directives: only at the very top, before any other line.
        while i < lines.len() {
            let l = lines[i].trim();
            let Some(d) = l.strip_prefix('#') else { break };
            let Some((k, v)) = d.split_once('=') else {
                break;
            };
            if k.trim().eq_ignore_ascii_case("escape") {
                escape = v.trim().chars().next().unwrap_or('\\');
            } else if !k.trim().eq_ignore_ascii_case("syntax")
                && !k.trim().eq_ignore_ascii_case("check")
            {
                break;
            }
            i += 1;
        }
        let mut raw_steps: Vec<(usize, usize, String)> = Vec::new();
        while i < lines.len() {
            let start = i;
            let first = lines[i].trim();
            i += 1;
            if first.is_empty() || first.starts_with('#') {
                continue;
            }
            let mut text = String::new();
            let mut cur = lines[start].trim_end().to_owned();
            loop {
                match cur.strip_suffix(escape) {
                    Some(body) => {
                        text.push_str(body);
                        text.push(' ');
                        // Skip comment and empty lines inside the continuation.
                        while i < lines.len() && {
                            let t = lines[i].trim();
                            t.starts_with('#') || t.is_empty()
                        } {
                            i += 1;
                        }
                        if i >= lines.len() {
                            break;
                        }
                        cur = lines[i].trim_end().to_owned();
                        i += 1;
                    }
                    None => {
                        text.push_str(&cur);
                        break;
                    }
                }
            }
            for delim in heredoc_delimiters(&text) {
                let (strip_tabs, word) = delim;
                while i < lines.len() {
                    let l = lines[i];
                    i += 1;
                    let cmp = if strip_tabs {
                        l.trim_start_matches('\t')
                    } else {
                        l
                    };
                    if cmp == word {
                        break;
                    }
                    text.push('\n');
                    text.push_str(l);
                }
            }
            raw_steps.push((start + 1, i, text));
        }
        let mut steps = Vec::new();
        let mut stages: Vec<Stage> = Vec::new();
        let mut global_args: BTreeMap<String, String> = BTreeMap::new();
        for (line, end_line, text) in raw_steps {
            let t = text.trim_start();
            let (kw, rest) = t.split_at(t.find(char::is_whitespace).unwrap_or(t.len()));
            let keyword = kw.to_ascii_uppercase();
            let (flags, mut args) = match keyword.as_str() {
                "RUN" | "COPY" | "ADD" | "FROM" | "HEALTHCHECK" => split_flags(rest),
                _ => (Vec::new(), rest.trim().to_owned()),
            };
            if keyword == "RUN"
                && let Some(script) = exec_form_script(&args)
            {
                args = script;
            }
            if keyword == "ARG" && stages.is_empty() {
                for a in args.split_whitespace() {
                    let (k, v) = a.split_once('=').unwrap_or((a, ""));
                    global_args.insert(k.to_owned(), v.trim_matches('"').to_owned());
                }
            }
            if keyword == "FROM" {
                let mut words = args.split_whitespace();
                let image = substitute(words.next().unwrap_or(""), &global_args);
                let name = match (words.next(), words.next()) {
                    (Some(a), Some(n)) if a.eq_ignore_ascii_case("as") => Some(n.to_owned()),
                    _ => None,
                };
                stages.push(Stage {
                    image,
                    name,
                    line,
                    step: steps.len(),
                });
            }
            steps.push(Step {
                keyword,
                flags,
                args,
                build_args: Vec::new(),
                raw: text.clone(),
                origin: Origin::Dockerfile { line, end_line },
                in_base: false,
                stage: stages.len().saturating_sub(1),
                final_stage: false,
            });
        }
        let last = stages.len().saturating_sub(1);
        for s in &mut steps {
            s.final_stage = s.stage == last;
        }
        Dockerfile {
            path: path.to_owned(),
            steps,
            stages,
        }
    }

    /// The stage chain of the final image: its `FROM`, then the `FROM` of any earlier stage
    /// it names, until an external image (or `scratch`). Returns the external stage.
    pub fn final_base(&self) -> Option<&Stage> {
        let mut stage = self.stages.last()?;
        for _ in 0..self.stages.len() {
            let target = stage.image.to_ascii_lowercase();
            match self.stages.iter().find(|s| {
                s.line < stage.line
                    && s.name.as_deref().map(str::to_ascii_lowercase) == Some(target.clone())
            }) {
                Some(prev) => stage = prev,
                None => break,
            }
        }
        (!stage.image.eq_ignore_ascii_case("scratch")).then_some(stage)
    }
}

/// Heredoc delimiters opened on an instruction line: `<<EOF`, `<<-EOF`, `<<"EOF"`.
fn heredoc_delimiters(text: &str) -> Vec<(bool, String)> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(p) = rest.find("<<") {
        let after = &rest[p + 2..];
        let (strip, after) = match after.strip_prefix('-') {
            Some(a) => (true, a),
            None => (false, after),
        };
        let word: String = after
            .trim_start_matches(['"', '\''])
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        if !word.is_empty() && word.chars().next().is_some_and(|c| c.is_ascii_alphabetic()) {
            out.push((strip, word));
        }
        rest = &rest[p + 2..];
    }
    out
}

/// Replaces `$VAR`, `${VAR}` and `${VAR:-default}` with the ARG defaults.
fn substitute(s: &str, args: &BTreeMap<String, String>) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(p) = rest.find('$') {
        out.push_str(&rest[..p]);
        let after = &rest[p + 1..];
        if let Some(inner) = after.strip_prefix('{') {
            let Some(end) = inner.find('}') else {
                out.push_str(&rest[p..]);
                return out;
            };
            let expr = &inner[..end];
            let (name, default) = match expr.split_once(":-") {
                Some((n, d)) => (n, Some(d)),
                None => (expr, None),
            };
            let v = args
                .get(name)
                .filter(|v| !v.is_empty())
                .map(String::as_str)
                .or(default)
                .unwrap_or("");
            out.push_str(v);
            rest = &inner[end + 1..];
        } else {
            let end = after
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(after.len());
            out.push_str(args.get(&after[..end]).map(String::as_str).unwrap_or(""));
            rest = &after[end..];
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const DF: &str = "# syntax=docker/dockerfile:1\nARG BASE=debian\nARG TAG=12\nFROM ${BASE}:${TAG} AS build\nRUN apt-get update && \\\n    # a comment\n    apt-get install -y curl\n\nFROM build\nCOPY --chown=1:1 app /app\nRUN <<EOF\npip install flask\nEOF\nUSER app\n";

    #[test]
    fn parses_lines_continuations_heredocs_and_stages() {
        let d = Dockerfile::parse(DF, "Dockerfile");
        let kws: Vec<(&str, usize)> = d
            .steps
            .iter()
            .map(|s| {
                let Origin::Dockerfile { line, .. } = s.origin else {
                    unreachable!()
                };
                (s.keyword.as_str(), line)
            })
            .collect();
        assert_eq!(
            kws,
            [
                ("ARG", 2),
                ("ARG", 3),
                ("FROM", 4),
                ("RUN", 5),
                ("FROM", 9),
                ("COPY", 10),
                ("RUN", 11),
                ("USER", 14)
            ]
        );
        assert_eq!(
            d.steps[3].args,
            "apt-get update &&      apt-get install -y curl"
        );
        assert_eq!(
            d.steps[3].origin,
            Origin::Dockerfile {
                line: 5,
                end_line: 7
            }
        );
        assert_eq!(d.steps[5].flag("chown"), Some(Some("1:1")));
        assert!(d.steps[6].args.contains("\npip install flask"));
        assert_eq!(d.stages[0].image, "debian:12");
        let base = d.final_base().unwrap();
        assert_eq!((base.image.as_str(), base.line), ("debian:12", 4));
        assert!(d.steps[6].final_stage && !d.steps[3].final_stage);
    }

    #[test]
    fn escape_directive_and_scratch() {
        let d = Dockerfile::parse("# escape=`\nFROM scratch\nRUN a `\n  b\n", "D");
        assert_eq!(d.steps[1].args, "a    b");
        assert!(d.final_base().is_none());
        assert_eq!(substitute("${X:-d}/$Y", &BTreeMap::new()), "d/");
    }
}
