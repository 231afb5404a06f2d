//! Just enough POSIX shell to read `RUN` lines: words (quotes and backslashes removed),
//! simple commands split on `;`, `&&`, `||`, `&` and newlines, and pipelines split on `|`.
//! Command substitutions and variables stay literal text; the rules only need to see which
//! programs run with which arguments, and what pipes into what.

/// A pipeline: one or more commands joined by `|`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Pipeline {
    /// The commands, each as its words (leading `VAR=value` assignments and wrappers such as
    /// `sudo` removed; see [`Pipeline::program`]).
    pub commands: Vec<Vec<String>>,
}

/// Splits a script into pipelines.
pub fn pipelines(script: &str) -> Vec<Pipeline> {
    let mut out = Vec::new();
    let mut pipeline = Pipeline::default();
    let mut cmd: Vec<String> = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut chars = script.chars().peekable();
    let end_word = |word: &mut String, in_word: &mut bool, cmd: &mut Vec<String>| {
        if *in_word {
            cmd.push(std::mem::take(word));
            *in_word = false;
        }
    };
    let end_cmd = |cmd: &mut Vec<String>, pipeline: &mut Pipeline| {
        let words = strip_wrappers(std::mem::take(cmd));
        if !words.is_empty() {
            pipeline.commands.push(words);
        }
    };
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some('\n') => {}
                Some(n) => {
                    word.push(n);
                    in_word = true;
                }
                None => {}
            },
            '\'' => {
                in_word = true;
                for n in chars.by_ref() {
                    if n == '\'' {
                        break;
                    }
                    word.push(n);
                }
            }
            '"' => {
                in_word = true;
                while let Some(n) = chars.next() {
                    match n {
                        '"' => break,
                        '\\' => {
                            if let Some(m) = chars.next() {
                                if !matches!(m, '"' | '\\' | '$' | '`') {
                                    word.push('\\');
                                }
                                word.push(m);
                            }
                        }
                        _ => word.push(n),
                    }
                }
            }
            '|' => {
                end_word(&mut word, &mut in_word, &mut cmd);
                if chars.peek() == Some(&'|') {
                    chars.next();
                    end_cmd(&mut cmd, &mut pipeline);
                    if !pipeline.commands.is_empty() {
                        out.push(std::mem::take(&mut pipeline));
                    }
                } else {
                    end_cmd(&mut cmd, &mut pipeline);
                }
            }
            ';' | '\n' | '&' | '(' | ')' => {
                end_word(&mut word, &mut in_word, &mut cmd);
                if c == '&' && chars.peek() == Some(&'>') {
                    // `&>file`: a redirection, not a separator.
                    cmd.push("&>".into());
                    chars.next();
                    continue;
                }
                if c == '&' && chars.peek() == Some(&'&') {
                    chars.next();
                }
                end_cmd(&mut cmd, &mut pipeline);
                if !pipeline.commands.is_empty() {
                    out.push(std::mem::take(&mut pipeline));
                }
            }
            '>' | '<' => {
                // Redirections become their own words so rules can find targets.
                let mut op = String::new();
                if in_word && word.chars().all(|d| d.is_ascii_digit()) {
                    op.push_str(&word);
                    word.clear();
                    in_word = false;
                }
                end_word(&mut word, &mut in_word, &mut cmd);
                op.push(c);
                while let Some(&n) = chars.peek() {
                    if n == '>' || n == '&' || n == '<' {
                        op.push(n);
                        chars.next();
                    } else {
                        break;
                    }
                }
                cmd.push(op);
            }
            c if c.is_whitespace() => end_word(&mut word, &mut in_word, &mut cmd),
            c => {
                word.push(c);
                in_word = true;
            }
        }
    }
    end_word(&mut word, &mut in_word, &mut cmd);
    end_cmd(&mut cmd, &mut pipeline);
    if !pipeline.commands.is_empty() {
        out.push(pipeline);
    }
    out
}

/// Drops leading `VAR=value` assignments and wrappers (`sudo`, `env`, `time`, `nohup`,
/// `exec`, `command`, `{`), so that the first word is the program.
fn strip_wrappers(words: Vec<String>) -> Vec<String> {
    let mut i = 0;
    while i < words.len() {
        let w = words[i].as_str();
        let assignment = w.split_once('=').is_some_and(|(k, _)| {
            !k.is_empty() && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        });
        if assignment
            || matches!(
                w,
                "sudo"
                    | "env"
                    | "time"
                    | "nohup"
                    | "exec"
                    | "command"
                    | "{"
                    | "}"
                    | "then"
                    | "do"
                    | "else"
            )
        {
            i += 1;
            // `sudo -u user`, `env -i`: skip their options too.
            while i < words.len() && words[i].starts_with('-') && matches!(w, "sudo" | "env") {
                let takes = matches!(words[i].as_str(), "-u" | "-g" | "-C");
                i += if takes { 2 } else { 1 };
            }
            continue;
        }
        break;
    }
    words[i.min(words.len())..].to_vec()
}

/// The program's base name (`/usr/bin/pip3` → `pip3`).
pub fn program(words: &[String]) -> &str {
    words
        .first()
        .map(|w| w.rsplit('/').next().unwrap_or(w))
        .unwrap_or("")
}

/// All simple commands of a script, flattened across pipelines.
pub fn commands(script: &str) -> Vec<Vec<String>> {
    pipelines(script)
        .into_iter()
        .flat_map(|p| p.commands)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn splits_commands_and_pipelines() {
        let p = pipelines(
            "set -eux; DEBIAN_FRONTEND=noninteractive apt-get install -y 'a b' \"c\\\"d\" && curl -fsSL https://x | sudo bash -s -- -y || true",
        );
        assert_eq!(p.len(), 4);
        assert_eq!(p[0].commands, vec![w(&["set", "-eux"])]);
        assert_eq!(
            p[1].commands,
            vec![w(&["apt-get", "install", "-y", "a b", "c\"d"])]
        );
        assert_eq!(
            p[2].commands,
            vec![
                w(&["curl", "-fsSL", "https://x"]),
                w(&["bash", "-s", "--", "-y"])
            ]
        );
        assert_eq!(
            commands("echo hi>/tmp/x 2>&1"),
            vec![w(&["echo", "hi", ">", "/tmp/x", "2>&", "1"])]
        );
        assert_eq!(program(&w(&["/usr/local/bin/pip3", "install"])), "pip3");
    }
}
