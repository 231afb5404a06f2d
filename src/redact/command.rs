//! Secrets in command lines: options that take a password (`--password x`, `mysql -pX`,
//! `sshpass -p x`, `curl -u user:pw`, `openssl … pass:x`), values written into credential
//! files (`echo … > ~/.netrc`, `printf … | tee .npmrc`, heredocs) or piped into a password
//! reader (`echo … | docker login --password-stdin`, `chpasswd`), HTTP headers that carry a
//! credential (`-H 'Authorization: Bearer …'`), netrc `password x`, and URLs with a password
//! (`https://user:pw@host`).

use super::Hit;
use super::lex::{self, Command, Word};
use super::name::{credential_file, real_value, secret_name};

/// The MySQL and MariaDB clients, whose `-p<password>` takes the value glued on.
const MYSQL: &[&str] = &[
    "mysql",
    "mysqldump",
    "mysqladmin",
    "mysqlimport",
    "mysqlsh",
    "mysqlcheck",
    "mariadb",
    "mariadb-dump",
    "mariadb-admin",
];

/// Every command-line secret in `text`.
pub fn command_secrets(text: &str) -> Vec<Hit> {
    let cmds = lex::commands(text);
    let mut out = Vec::new();
    for (i, c) in cmds.iter().enumerate() {
        options(text, c, &mut out);
        writes(
            text,
            c,
            cmds.get(i.wrapping_sub(1)).filter(|p| p.pipes_into_next),
            &mut out,
        );
        if c.pipes_into_next
            && let Some(next) = cmds.get(i + 1)
            && let Some(reader) = password_reader(next)
        {
            echoed(c, format!("value piped to {reader}"), &mut out);
        }
    }
    out.extend(headers(text));
    out.extend(netrc(text));
    out.extend(url_passwords(text));
    out
}

/// The span of a word's value after `skip` bytes of its raw text (`-p` of `-pX`, `--x=` of
/// `--x=v`).
fn after(text: &str, w: &Word, prefix: &str) -> Option<std::ops::Range<usize>> {
    let raw = &text[w.span.clone()];
    let p = raw.find(prefix)? + prefix.len();
    (w.span.start + p < w.span.end).then(|| w.span.start + p..w.span.end)
}

fn push_value(out: &mut Vec<Hit>, kind: String, span: std::ops::Range<usize>, value: &str) {
    if real_value(value) {
        out.push(Hit::new(kind, span));
    }
}

/// Options that take a secret.
fn options(text: &str, c: &Command, out: &mut Vec<Hit>) {
    let w = &c.words;
    for (k, word) in w.iter().enumerate() {
        let t = word.text.as_str();
        // `--password x`, `--db-password=x`, `--token x`: any long option named like a secret.
        if let Some(opt) = t.strip_prefix("--") {
            let (name, inline) = match opt.split_once('=') {
                Some((n, v)) => (n, Some(v)),
                None => (opt, None),
            };
            if !name.is_empty() && secret_name(name) {
                let kind = format!("secret on the command line (--{name})");
                match inline {
                    Some(v) => {
                        if let Some(s) = after(text, word, "=") {
                            push_value(out, kind, s, v);
                        }
                    }
                    None => {
                        if let Some(next) = w.get(k + 1).filter(|n| !n.text.starts_with('-')) {
                            push_value(out, kind, next.span.clone(), &next.text);
                        }
                    }
                }
            }
        }
        // `openssl … -passin pass:x`, `-k pass:x`.
        if let Some(v) = t.strip_prefix("pass:")
            && let Some(s) = after(text, word, "pass:")
        {
            push_value(out, "secret on the command line (pass:)".into(), s, v);
        }
    }
    if let Some(p) = c.find(MYSQL) {
        for word in &w[p + 1..] {
            if let Some(v) = word.text.strip_prefix("-p")
                && !word.text.starts_with("--")
                && let Some(s) = after(text, word, "-p")
            {
                push_value(out, "secret on the command line (mysql -p)".into(), s, v);
            }
        }
    }
    let value_of = |p: usize, opts: &[&str]| -> Option<&Word> {
        let i = w[p + 1..]
            .iter()
            .position(|x| opts.contains(&x.text.as_str()))?;
        w.get(p + 1 + i + 1)
    };
    if let Some(p) = c.find(&["sshpass"])
        && let Some(v) = value_of(p, &["-p"])
    {
        push_value(
            out,
            "secret on the command line (sshpass -p)".into(),
            v.span.clone(),
            &v.text,
        );
    }
    if let Some(p) = c.find(&["docker", "podman", "buildah", "skopeo", "nerdctl", "helm"])
        && w[p + 1..].iter().any(|x| x.text == "login")
        && let Some(v) = value_of(p, &["-p"])
    {
        let kind = format!(
            "secret on the command line ({} login -p)",
            w[p].text.rsplit('/').next().unwrap_or("")
        );
        push_value(out, kind, v.span.clone(), &v.text);
    }
    if let Some(p) = c.find(&["curl"])
        && let Some(v) = value_of(p, &["-u", "--user", "--proxy-user", "-U"])
        && let Some((_, pw)) = v.text.split_once(':')
        && let Some(s) = after(text, v, ":")
    {
        push_value(out, "secret on the command line (curl -u)".into(), s, pw);
    }
    // `npm config set //registry/:_authToken VALUE` (the `KEY=VALUE` form is an assignment).
    if let Some(p) = c.find(&["npm", "yarn", "pnpm"])
        && let Some(set) = w[p + 1..].iter().position(|x| x.text == "set")
        && let (Some(key), Some(v)) = (w.get(p + set + 2), w.get(p + set + 3))
        && !key.text.contains('=')
        && secret_name(&key.text)
    {
        push_value(
            out,
            format!("secret on the command line ({} config set)", w[p].text),
            v.span.clone(),
            &v.text,
        );
    }
}

/// The words `echo`/`printf` print, as one span, when at least one of them is a literal.
fn echoed(c: &Command, kind: String, out: &mut Vec<Hit>) {
    let Some(p) = c.find(&["echo", "printf"]) else {
        return;
    };
    let args = &c.words[p + 1..];
    let (Some(first), Some(last)) = (args.first(), args.last()) else {
        return;
    };
    let literal = args.iter().any(|a| {
        let t = a.text.trim();
        // A masked value (`****`) is one already redacted.
        !t.is_empty()
            && !t.starts_with(['-', '%'])
            && !variable(t)
            && !t.trim_matches('*').is_empty()
    });
    let mut h = Hit::new(kind, first.span.start..last.span.end);
    h.reportable = literal;
    out.push(h);
}

/// True for a lone variable reference (`$T`, `${T}`), which keeps the secret out of the
/// command.
fn variable(t: &str) -> bool {
    let name = match t.strip_prefix("${") {
        Some(r) => r.strip_suffix('}'),
        None => t.strip_prefix('$'),
    };
    name.is_some_and(|n| !n.is_empty() && n.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'_'))
}

/// Values written into credential files: `echo … > f`, `printf … >> f`, `cat > f <<EOF`,
/// `echo … | tee f`.
fn writes(text: &str, c: &Command, piped_from: Option<&Command>, out: &mut Vec<Hit>) {
    let mut targets: Vec<&Word> = c.outputs().collect();
    let tee = c.find(&["tee"]);
    if let Some(t) = tee {
        targets.extend(c.words[t + 1..].iter().filter(|w| !w.text.starts_with('-')));
    }
    let Some(target) = targets.into_iter().find(|t| credential_file(&t.text)) else {
        return;
    };
    let kind = format!("value written to {}", target.text);
    if let Some(body) = &c.heredoc {
        if !text[body.clone()].trim().is_empty() {
            out.push(Hit::new(kind, body.clone()));
        }
        return;
    }
    if tee.is_some() {
        if let Some(src) = piped_from {
            echoed(src, kind, out);
        }
        return;
    }
    echoed(c, kind, out);
}

/// `docker login --password-stdin`, `chpasswd`, `passwd --stdin`: commands that read a
/// password from their input, named for the finding.
fn password_reader(c: &Command) -> Option<String> {
    if let Some(i) = c.words.iter().position(|w| w.text == "--password-stdin") {
        let prog = c.words[..i]
            .iter()
            .find(|w| !w.text.contains('=') && !matches!(w.text.as_str(), "sudo" | "env"))
            .map_or("", |w| w.text.rsplit('/').next().unwrap_or(""));
        return Some(format!("{prog} --password-stdin"));
    }
    if c.find(&["chpasswd"]).is_some() {
        return Some("chpasswd".into());
    }
    if let Some(p) = c.find(&["passwd"])
        && c.words[p + 1..].iter().any(|w| w.text == "--stdin")
    {
        return Some("passwd --stdin".into());
    }
    None
}

/// HTTP headers that carry a credential: `Authorization: Bearer x`, `Proxy-Authorization:`,
/// `X-Api-Key: x`, `Private-Token: x` (a hyphenated header named like a secret).
pub fn headers(text: &str) -> Vec<Hit> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    for (colon, _) in text.match_indices(':') {
        let mut s = colon;
        while s > 0 && (b[s - 1].is_ascii_alphanumeric() || b[s - 1] == b'-') {
            s -= 1;
        }
        if s > 0 && !matches!(b[s - 1], b'\'' | b'"' | b' ' | b'\t' | b'\n' | b'=') {
            continue;
        }
        let name = &text[s..colon];
        let auth = name.eq_ignore_ascii_case("authorization")
            || name.eq_ignore_ascii_case("proxy-authorization");
        if !(auth || (name.contains('-') && secret_name(name))) {
            continue;
        }
        let mut v = colon + 1;
        while v < b.len() && b[v] == b' ' {
            v += 1;
        }
        let word_end = |from: usize| {
            text[from..]
                .find(|c: char| c.is_whitespace() || c == '\'' || c == '"')
                .map_or(text.len(), |e| from + e)
        };
        let mut end = word_end(v);
        // A scheme (`Bearer`, `Basic`, `token`) comes before the credential.
        if auth
            && end < b.len()
            && b[end] == b' '
            && text[v..end].bytes().all(|c| c.is_ascii_alphabetic())
        {
            v = end + 1;
            end = word_end(v);
        }
        if v < end && real_value(&text[v..end]) {
            out.push(Hit::new(
                format!("secret in an HTTP header ({name})"),
                v..end,
            ));
        }
    }
    out
}

/// netrc's `password x` (in `echo 'machine h login u password x' > ~/.netrc`), when the
/// line before it reads like netrc (`machine`, `login` or `default`).
fn netrc(text: &str) -> Vec<Hit> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    for (p, _) in text.match_indices("password ") {
        let line = &text[text[..p].rfind('\n').map_or(0, |n| n + 1)..p];
        if p > 0 && !matches!(b[p - 1], b' ' | b'\t' | b'\n' | b'\'' | b'"')
            || !["machine ", "login ", "default "]
                .iter()
                .any(|k| line.contains(k))
        {
            continue;
        }
        let mut v = p + 9;
        while v < b.len() && b[v] == b' ' {
            v += 1;
        }
        let end = text[v..]
            .find(|c: char| c.is_whitespace() || c == '\'' || c == '"')
            .map_or(text.len(), |e| v + e);
        if v < end && real_value(&text[v..end]) && !text[v..end].starts_with(['=', ':']) {
            out.push(Hit::new("netrc password", v..end));
        }
    }
    out
}

/// True for a documentation placeholder (`https://user:password@host`,
/// `scheme://[user:passwd@]proxy`, `https://u:{pw}@h`) rather than a password.
fn placeholder(pw: &str) -> bool {
    ["password", "passwd", "pass", "pwd", "pw", "secret", "token"]
        .iter()
        .any(|p| pw.eq_ignore_ascii_case(p))
        || pw.contains(['{', '}', '[', ']', '<', '>', '%', '*'])
}

/// Passwords inside URLs: `scheme://user:password@host`, documentation placeholders aside.
pub fn url_passwords(text: &str) -> Vec<Hit> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(p) = text[from..].find("://") {
        let start = from + p + 3;
        from = start;
        let end = text[start..]
            .find(|c: char| c.is_whitespace() || c == '/' || c == '"' || c == '\'')
            .map_or(text.len(), |e| start + e);
        let auth = &text[start..end];
        if let Some(at) = auth.rfind('@')
            && let Some(colon) = auth[..at].find(':')
        {
            let pw = &auth[colon + 1..at];
            if real_value(pw) && !placeholder(pw) {
                out.push(Hit::new("password in URL", start + colon + 1..start + at));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (kind, secret text, reportable) of every hit.
    fn hits(t: &str) -> Vec<(String, &str, bool)> {
        let mut v: Vec<_> = command_secrets(t)
            .into_iter()
            .map(|h| (h.kind, &t[h.span], h.reportable))
            .collect();
        v.sort();
        v
    }

    #[test]
    fn options() {
        let t = "mysql -uroot -pS3cr3t -P3306 && mkdir -p /x && sshpass -p pw1 ssh h && curl -u bob:pw2 h && docker login -u u -p pw3 r && x --db-password=pw4 --token pw5 --password-stdin && openssl rsa -passin pass:pw6";
        let got: Vec<(String, &str)> = hits(t).into_iter().map(|(k, s, _)| (k, s)).collect();
        assert_eq!(
            got,
            [
                ("secret on the command line (--db-password)".into(), "pw4"),
                ("secret on the command line (--token)".into(), "pw5"),
                ("secret on the command line (curl -u)".into(), "pw2"),
                ("secret on the command line (docker login -p)".into(), "pw3"),
                ("secret on the command line (mysql -p)".into(), "S3cr3t"),
                ("secret on the command line (pass:)".into(), "pw6"),
                ("secret on the command line (sshpass -p)".into(), "pw1"),
            ]
        );
        assert!(hits("docker login -u bob --password-stdin r && mysql -p db").is_empty());
    }

    #[test]
    fn writes_and_pipes() {
        assert_eq!(
            hits("RUN /bin/sh -c echo Tr0ub4dor > /app/db_password.txt # buildkit"),
            [(
                "value written to /app/db_password.txt".into(),
                "Tr0ub4dor",
                true
            )]
        );
        assert_eq!(
            hits("printf '%s' \"$T\" | tee -a /root/.npmrc >/dev/null"),
            [("value written to /root/.npmrc".into(), "'%s' \"$T\"", false)]
        );
        assert_eq!(
            hits("cat > ~/.pypirc <<EOF\n[pypi]\npassword = x\nEOF\n"),
            [(
                "value written to ~/.pypirc".into(),
                "[pypi]\npassword = x\n",
                true
            )]
        );
        assert_eq!(
            hits("echo 'hunter2' | sudo docker login -u bob --password-stdin r"),
            [(
                "value piped to docker --password-stdin".into(),
                "'hunter2'",
                true
            )]
        );
        assert_eq!(
            hits("echo 'root:pw' | chpasswd"),
            [("value piped to chpasswd".into(), "'root:pw'", true)]
        );
        assert!(hits("echo 'app:x:1000' >> /etc/passwd && echo hi > /tmp/log").is_empty());
        assert_eq!(
            hits("echo \"//r/:_authToken=${T}\" > .npmrc && echo ${T} > .npmrc"),
            [
                (
                    "value written to .npmrc".into(),
                    "\"//r/:_authToken=${T}\"",
                    true
                ),
                ("value written to .npmrc".into(), "${T}", false),
            ]
        );
    }

    #[test]
    fn headers_netrc_and_urls() {
        assert_eq!(
            hits(
                "curl -H 'Authorization: Bearer abc.def' -H \"X-Api-Key: k123\" -H 'Accept: x' https://u:p4ss@h/"
            ),
            [
                ("password in URL".into(), "p4ss", true),
                (
                    "secret in an HTTP header (Authorization)".into(),
                    "abc.def",
                    true
                ),
                ("secret in an HTTP header (X-Api-Key)".into(), "k123", true),
            ]
        );
        assert!(hits("curl -H 'Authorization: Bearer $TOKEN' https://github.com/a").is_empty());
        assert!(hits("password in URL; set a password here").is_empty());
        assert_eq!(
            hits("echo 'machine h login bob password Pa55' > ~/.netrc"),
            [
                ("netrc password".into(), "Pa55", true),
                (
                    "value written to ~/.netrc".into(),
                    "'machine h login bob password Pa55'",
                    true
                ),
            ]
        );
    }
}
