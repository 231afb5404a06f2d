//! A shell lexer that remembers where each word came from, so that a secret found in a word
//! can be cut out of the original text: words (quotes and escapes removed, spans kept),
//! simple commands split on `;`, `&&`, `||`, `&`, `|`, parentheses and newlines, redirections
//! with their targets, heredoc bodies and `#` comments. Anything it does not understand is
//! just more words; it never fails.

use std::ops::Range;

/// One word: its text as the shell would see it, and its bytes in the input (quotes
/// included).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Word {
    /// The word without quotes and escapes.
    pub text: String,
    /// Where it is in the input.
    pub span: Range<usize>,
}

/// One simple command.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Command {
    /// Its words, redirections left out.
    pub words: Vec<Word>,
    /// Redirections: the operator (`>`, `>>`, `2>&`, `<<`) and its target.
    pub redirects: Vec<(String, Word)>,
    /// The body of a heredoc (`<<EOF … EOF`), when there is one.
    pub heredoc: Option<Range<usize>>,
    /// True when a `|` sends its output to the next command.
    pub pipes_into_next: bool,
}

impl Command {
    /// The index of the first word whose base name is one of `names` (`/usr/bin/mysql` is
    /// `mysql`). Searching every word, not only the first, finds the program behind
    /// prefixes such as `RUN /bin/sh -c`, `sudo` or `VAR=x`.
    pub fn find(&self, names: &[&str]) -> Option<usize> {
        self.words
            .iter()
            .position(|w| names.contains(&w.text.rsplit('/').next().unwrap_or(&w.text)))
    }

    /// The targets of output redirections (`>`, `>>`, `&>`, not `>&` duplications).
    pub fn outputs(&self) -> impl Iterator<Item = &Word> {
        self.redirects
            .iter()
            .filter(|(op, _)| op.contains('>') && !op.ends_with('&'))
            .map(|(_, w)| w)
    }
}

/// Splits `text` into simple commands.
pub fn commands(text: &str) -> Vec<Command> {
    Lexer {
        text,
        b: text.as_bytes(),
        out: vec![Command::default()],
        word: Vec::new(),
        start: None,
        redirect: None,
        heredocs: Vec::new(),
    }
    .run()
}

struct Lexer<'t> {
    text: &'t str,
    b: &'t [u8],
    out: Vec<Command>,
    word: Vec<u8>,
    start: Option<usize>,
    redirect: Option<String>,
    /// Heredocs waiting for the end of the line: (command index, delimiter).
    heredocs: Vec<(usize, String)>,
}

impl Lexer<'_> {
    fn run(mut self) -> Vec<Command> {
        let n = self.b.len();
        let mut i = 0;
        while i < n {
            let c = self.b[i];
            match c {
                b'\\' => {
                    match self.b.get(i + 1) {
                        Some(b'\n') => {}
                        Some(&e) => {
                            self.begin(i);
                            self.word.push(e);
                        }
                        None => {}
                    }
                    i += 2;
                }
                b'\'' => {
                    self.begin(i);
                    let close = self.text[i + 1..].find('\'').map_or(n, |e| i + 1 + e);
                    self.word.extend_from_slice(&self.b[i + 1..close]);
                    i = close + 1;
                }
                b'"' => {
                    self.begin(i);
                    let mut j = i + 1;
                    while j < n && self.b[j] != b'"' {
                        if self.b[j] == b'\\'
                            && matches!(self.b.get(j + 1), Some(b'"' | b'\\' | b'$' | b'`'))
                        {
                            j += 1;
                        }
                        self.word.push(self.b[j]);
                        j += 1;
                    }
                    i = j + 1;
                }
                b'#' if self.start.is_none() => {
                    i = self.text[i..].find('\n').map_or(n, |e| i + e);
                }
                b'\n' => {
                    self.end_word(i);
                    self.end_command(false);
                    i = self.heredoc_bodies(i + 1);
                }
                b';' | b'&' | b'|' | b'(' | b')' => {
                    self.end_word(i);
                    let next = self.b.get(i + 1).copied();
                    if c == b'&' && next == Some(b'>') {
                        self.redirect = Some("&>".into());
                        i += 2;
                        continue;
                    }
                    let double = (c == b'&' || c == b'|') && next == Some(c);
                    self.end_command(c == b'|' && !double);
                    i += if double { 2 } else { 1 };
                }
                b'>' | b'<' => {
                    let mut op = String::new();
                    if !self.word.is_empty() && self.word.iter().all(u8::is_ascii_digit) {
                        op.push_str(&String::from_utf8_lossy(&self.word));
                        self.word.clear();
                        self.start = None;
                    } else {
                        self.end_word(i);
                    }
                    op.push(c as char);
                    i += 1;
                    while i < n && matches!(self.b[i], b'>' | b'<' | b'&') {
                        op.push(self.b[i] as char);
                        i += 1;
                    }
                    if op.ends_with("<<") && self.b.get(i) == Some(&b'-') {
                        op.push('-');
                        i += 1;
                    }
                    self.redirect = Some(op);
                }
                b' ' | b'\t' | b'\r' => {
                    self.end_word(i);
                    i += 1;
                }
                _ => {
                    self.begin(i);
                    self.word.push(c);
                    i += 1;
                }
            }
        }
        self.end_word(n);
        self.out
            .retain(|c| !c.words.is_empty() || !c.redirects.is_empty());
        self.out
    }

    fn begin(&mut self, i: usize) {
        if self.start.is_none() {
            self.start = Some(i);
        }
    }

    fn end_word(&mut self, end: usize) {
        let Some(start) = self.start.take() else {
            return;
        };
        let word = Word {
            text: String::from_utf8_lossy(&std::mem::take(&mut self.word)).into_owned(),
            span: start..end.min(self.b.len()),
        };
        let cmd = self.out.len() - 1;
        match self.redirect.take() {
            Some(op) => {
                if op.starts_with("<<") && !op.starts_with("<<<") {
                    self.heredocs.push((cmd, word.text.clone()));
                }
                self.out[cmd].redirects.push((op, word));
            }
            None => self.out[cmd].words.push(word),
        }
    }

    fn end_command(&mut self, pipe: bool) {
        self.redirect = None;
        let last = self.out.len() - 1;
        let cur = &mut self.out[last];
        if cur.words.is_empty() && cur.redirects.is_empty() {
            return;
        }
        cur.pipes_into_next = pipe;
        self.out.push(Command::default());
    }

    /// Reads the bodies of the heredocs opened on the line that just ended, from `from`;
    /// returns where lexing goes on.
    fn heredoc_bodies(&mut self, from: usize) -> usize {
        let mut pos = from;
        for (cmd, delim) in std::mem::take(&mut self.heredocs) {
            let body = pos;
            loop {
                let end = self.text[pos..]
                    .find('\n')
                    .map_or(self.text.len(), |e| pos + e);
                if self.text[pos..end].trim() == delim {
                    self.out[cmd].heredoc = Some(body..pos);
                    pos = (end + 1).min(self.text.len());
                    break;
                }
                if end >= self.text.len() {
                    self.out[cmd].heredoc = Some(body..self.text.len());
                    return self.text.len();
                }
                pos = end + 1;
            }
        }
        pos
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(c: &Command) -> Vec<&str> {
        c.words.iter().map(|w| w.text.as_str()).collect()
    }

    #[test]
    fn words_commands_and_redirects() {
        let t = "RUN |1 A=b /bin/sh -c echo 'x y' \"a\\\"b\" > ~/.netrc 2>&1 && curl -u u:p h | sh # buildkit";
        let c = commands(t);
        assert_eq!(c.len(), 4);
        assert_eq!(words(&c[0]), ["RUN"]);
        assert!(c[0].pipes_into_next);
        assert_eq!(
            words(&c[1]),
            ["1", "A=b", "/bin/sh", "-c", "echo", "x y", "a\"b"]
        );
        assert_eq!(&t[c[1].words[5].span.clone()], "'x y'");
        let outs: Vec<&str> = c[1].outputs().map(|w| w.text.as_str()).collect();
        assert_eq!(outs, ["~/.netrc"]);
        assert_eq!(c[1].find(&["echo"]), Some(4));
        assert_eq!(words(&c[2]), ["curl", "-u", "u:p", "h"]);
        assert!(c[2].pipes_into_next);
        assert_eq!(words(&c[3]), ["sh"]);
    }

    #[test]
    fn heredocs() {
        let t = "cat > /root/.npmrc <<'EOF'\n//r/:_authToken=abc\nEOF\necho done";
        let c = commands(t);
        assert_eq!(c.len(), 2);
        assert_eq!(&t[c[0].heredoc.clone().unwrap()], "//r/:_authToken=abc\n");
        assert_eq!(words(&c[1]), ["echo", "done"]);
        let open = commands("cat <<EOF > x\nnever ends");
        assert_eq!(open[0].heredoc, Some(14..24));
        assert!(commands("").is_empty() && commands("\\").is_empty() && commands("'").len() == 1);
    }
}
