//! Finding secrets without ever repeating them.
//!
//! Three detectors, each returning the byte spans of the secret values so that callers can
//! report *where* and *what kind* and [`redact`] can blank the values out of any text shown:
//! - known token formats, by prefix, charset and length (AWS access key ids, GitHub, GitLab,
//!   Slack, Stripe, npm, PyPI, Google API keys, private-key PEM blocks);
//! - assignments whose name says secret (`PASSWORD=…`, `api_key: …`, `"token": "…"`) with a
//!   value that is not empty, not a variable reference and, outside credential files,
//!   random-looking (Shannon entropy);
//! - URLs with a password (`https://user:pass@host`).
//!
//! [`WANTS`] lists the file globs the auditor asks the layer reader to capture, so files a
//! later layer deleted are still seen.

/// Files whose bytes the auditor reads from every layer.
pub const WANTS: &[&str] = &[
    "**/.env",
    "**/.env.*",
    "**/*.env",
    "**/.npmrc",
    "**/.yarnrc",
    "**/.yarnrc.yml",
    "**/.pypirc",
    "**/.netrc",
    "**/_netrc",
    "**/.git-credentials",
    "**/.gitconfig",
    "**/.git/config",
    "**/.aws/credentials",
    "**/.aws/config",
    "**/.docker/config.json",
    "**/.dockercfg",
    "**/.kube/config",
    "**/.config/gcloud/*.json",
    "**/.config/gcloud/**/*.json",
    "**/.ssh/id_*",
    "**/id_rsa",
    "**/id_dsa",
    "**/id_ecdsa",
    "**/id_ed25519",
    "**/*.pem",
    "**/*.key",
    "**/*.p12",
    "**/*.pfx",
    "**/*.jks",
    "**/*.keystore",
    "**/.htpasswd",
    "**/.pgpass",
    "**/.my.cnf",
    "**/.s3cfg",
    "**/.vault-token",
    "**/*.tfvars",
    "**/*secret*",
    "**/*Secret*",
    "**/*SECRET*",
    "**/*password*",
    "**/*Password*",
    "**/*PASSWORD*",
    "**/*credential*",
    "**/*Credential*",
    "**/*token*",
    "**/*Token*",
    "**/*TOKEN*",
    "etc/passwd",
];

/// One detected secret.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hit {
    /// What it is: `AWS access key id`, `private key`, `password assignment (DB_PASSWORD)`.
    pub kind: String,
    /// Byte range of the secret value in the scanned text.
    pub span: std::ops::Range<usize>,
}

/// A known token format: (prefix, kind, charset of the body, minimum body length, maximum).
type TokenFormat = (&'static str, &'static str, fn(u8) -> bool, usize, usize);

/// Known token formats.
const TOKENS: &[TokenFormat] = &[
    ("AKIA", "AWS access key id", upper_digit, 16, 16),
    ("ASIA", "AWS temporary access key id", upper_digit, 16, 16),
    ("ghp_", "GitHub personal access token", alnum, 36, 40),
    ("gho_", "GitHub OAuth token", alnum, 36, 40),
    ("ghu_", "GitHub user token", alnum, 36, 40),
    ("ghs_", "GitHub server token", alnum, 36, 40),
    ("ghr_", "GitHub refresh token", alnum, 36, 80),
    ("github_pat_", "GitHub fine-grained token", word, 60, 100),
    ("glpat-", "GitLab personal access token", token_char, 20, 40),
    ("xoxb-", "Slack bot token", token_char, 20, 200),
    ("xoxp-", "Slack user token", token_char, 20, 200),
    ("xoxa-", "Slack app token", token_char, 20, 200),
    ("sk_live_", "Stripe secret key", alnum, 20, 120),
    ("rk_live_", "Stripe restricted key", alnum, 20, 120),
    ("npm_", "npm access token", alnum, 36, 36),
    (
        "pypi-AgEIcHlwaS5vcmc",
        "PyPI API token",
        token_char,
        50,
        300,
    ),
    ("AIza", "Google API key", token_char, 35, 35),
    ("hf_", "Hugging Face token", alnum, 34, 40),
    ("SG.", "SendGrid API key", token_char, 60, 70),
];

fn upper_digit(c: u8) -> bool {
    c.is_ascii_uppercase() || c.is_ascii_digit()
}
fn alnum(c: u8) -> bool {
    c.is_ascii_alphanumeric()
}
fn word(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_'
}
fn token_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c == b'-' || c == b'.'
}

/// Known-format tokens and private keys in `text`.
pub fn tokens(text: &str) -> Vec<Hit> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    for &(prefix, kind, charset, min, max) in TOKENS {
        let mut from = 0;
        while let Some(p) = text[from..].find(prefix) {
            let start = from + p;
            from = start + prefix.len();
            // A token starts at a word boundary.
            if start > 0 && (b[start - 1].is_ascii_alphanumeric() || b[start - 1] == b'_') {
                continue;
            }
            let mut end = from;
            while end < b.len() && charset(b[end]) {
                end += 1;
            }
            let n = end - from;
            if n >= min && n <= max && (end == b.len() || !b[end].is_ascii_alphanumeric()) {
                let body = &text[from..end];
                // Reject placeholders such as AKIAXXXXXXXXXXXXXXXX.
                if entropy(body) >= 2.5 {
                    out.push(Hit {
                        kind: kind.to_owned(),
                        span: start..end,
                    });
                }
                from = end;
            }
        }
    }
    let mut from = 0;
    while let Some(p) = text[from..].find("-----BEGIN ") {
        let start = from + p;
        let line_end = text[start..].find('\n').map_or(text.len(), |e| start + e);
        let header = &text[start..line_end];
        from = line_end;
        if header.contains("PRIVATE KEY-----") {
            let end = text[start..]
                .find("-----END ")
                .and_then(|e| text[start + e..].find('\n').map(|n| start + e + n))
                .unwrap_or(text.len());
            out.push(Hit {
                kind: "private key".into(),
                span: start..end,
            });
            from = end;
        }
    }
    out
}

/// Shannon entropy of `s`, in bits per character.
pub fn entropy(s: &str) -> f64 {
    if s.is_empty() {
        return 0.0;
    }
    let mut counts = [0u32; 256];
    for &c in s.as_bytes() {
        counts[c as usize] += 1;
    }
    let n = s.len() as f64;
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = c as f64 / n;
            -p * p.log2()
        })
        .sum()
}

/// True when a variable or key name says its value is a secret.
pub fn secret_name(name: &str) -> bool {
    let n = name.to_ascii_uppercase().replace(['-', '.'], "_");
    // Names of files, paths and public identifiers are not the secret itself.
    if [
        "_FILE",
        "_PATH",
        "_DIR",
        "_URL_FILE",
        "_ID",
        "_NAME",
        "_USER",
        "_USERNAME",
        "_HOST",
    ]
    .iter()
    .any(|s| n.ends_with(s))
        || n.contains("PUBLIC")
        || n == "GPG_KEY"
        || n.ends_with("_SHA256")
        || n.ends_with("_VERSION")
    {
        return false;
    }
    [
        "PASSWORD",
        "PASSWD",
        "PASSPHRASE",
        "SECRET",
        "TOKEN",
        "API_KEY",
        "APIKEY",
        "ACCESS_KEY",
        "PRIVATE_KEY",
        "AUTH_KEY",
        "CREDENTIAL",
        "_AUTH",
        "PWD",
    ]
    .iter()
    .any(|k| {
        n.contains(k) && !(*k == "PWD" && n == "PWD") && (*k != "_AUTH" || n.ends_with("_AUTH"))
    })
}

/// True when a value is plausibly a real secret rather than a reference or placeholder.
pub fn real_value(v: &str) -> bool {
    let v = v.trim().trim_matches(['"', '\'']);
    !(v.is_empty()
        || v.starts_with('$')
        || v.starts_with("<")
        || v.starts_with('/')
        || v.eq_ignore_ascii_case("null")
        || v.eq_ignore_ascii_case("none")
        || v.eq_ignore_ascii_case("false")
        || v.eq_ignore_ascii_case("true")
        || v.chars().all(|c| c == '*' || c == 'x' || c == 'X'))
}

/// `NAME=value`, `NAME: value`, `"name": "value"` lines whose name says secret. With
/// `strict`, any real value counts (credential files); otherwise the value must look random
/// (entropy ≥ 3.0 bits per character and at least 8 characters).
pub fn assignments(text: &str, strict: bool) -> Vec<Hit> {
    let mut out = Vec::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let l = line.trim_end_matches(['\n', '\r']);
        let trimmed = l.trim_start();
        if !trimmed.starts_with('#') && !trimmed.starts_with(';') {
            let sep = l.find(['=', ':']);
            if let Some(i) = sep {
                let key = l[..i]
                    .trim()
                    .trim_start_matches("export ")
                    .trim_matches(['"', '\'', ' ']);
                let raw_val = &l[i + 1..];
                let lead = raw_val.len() - raw_val.trim_start().len();
                let val = raw_val.trim().trim_end_matches(',');
                let inner = val.trim_matches(['"', '\'']);
                let quote = (val.len() - inner.len()) / 2;
                if !key.is_empty()
                    && !key.contains(char::is_whitespace)
                    && secret_name(key)
                    && real_value(inner)
                    && (strict || (inner.len() >= 8 && entropy(inner) >= 3.0))
                {
                    let start = offset + i + 1 + lead + quote;
                    out.push(Hit {
                        kind: format!("secret assignment ({key})"),
                        span: start..start + inner.len(),
                    });
                }
            }
        }
        offset += line.len();
    }
    out
}

/// Passwords inside URLs: `scheme://user:password@host`.
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
            if real_value(pw) {
                out.push(Hit {
                    kind: "password in URL".into(),
                    span: start + colon + 1..start + at,
                });
            }
        }
    }
    out
}

/// Every detector over free text (history commands, env values).
pub fn scan_text(text: &str) -> Vec<Hit> {
    let mut hits = tokens(text);
    hits.extend(url_passwords(text));
    hits
}

/// `text` with every detected secret replaced by `****`: tokens, URL passwords, secret
/// assignments (strictly: a history line's `PASSWORD=x` is hidden whatever its entropy),
/// build-arg values and command-line secrets (`--password x`).
pub fn redact(text: &str) -> String {
    let mut spans: Vec<std::ops::Range<usize>> =
        scan_text(text).into_iter().map(|h| h.span).collect();
    spans.extend(inline_assignments(text).into_iter().map(|h| h.span));
    spans.extend(option_secrets(text).into_iter().map(|h| h.span));
    spans.sort_by_key(|s| (s.start, std::cmp::Reverse(s.end)));
    let mut out = String::new();
    let mut pos = 0;
    for s in spans {
        if s.start < pos || s.end > text.len() || s.start >= s.end {
            continue;
        }
        out.push_str(&text[pos..s.start]);
        out.push_str("****");
        pos = s.end;
    }
    out.push_str(&text[pos..]);
    out
}

/// `NAME=value` words anywhere in a line (`|1 TOKEN=abc`, `ENV PASSWORD=x`,
/// `PGPASSWORD=x psql`) whose name says secret.
pub fn inline_assignments(text: &str) -> Vec<Hit> {
    let mut out = Vec::new();
    let b = text.as_bytes();
    let mut i = 0;
    while let Some(p) = text[i..].find('=') {
        let eq = i + p;
        i = eq + 1;
        let mut k = eq;
        while k > 0 && (b[k - 1].is_ascii_alphanumeric() || b[k - 1] == b'_') {
            k -= 1;
        }
        let key = &text[k..eq];
        if key.is_empty() || !secret_name(key) {
            continue;
        }
        let (start, end) = value_span(text, eq + 1);
        if real_value(&text[start..end]) {
            out.push(Hit {
                kind: format!("secret assignment ({key})"),
                span: start..end,
            });
        }
        i = end.max(i);
    }
    // `ENV PASSWORD value` (the legacy space form).
    for (kw_pos, _) in text.match_indices("ENV ") {
        let rest = &text[kw_pos + 4..];
        let mut words = rest.split_whitespace();
        if let (Some(k), Some(v)) = (words.next(), words.next())
            && !k.contains('=')
            && secret_name(k)
            && real_value(v)
            && let Some(vp) = rest.find(v)
        {
            let start = kw_pos + 4 + vp;
            out.push(Hit {
                kind: format!("secret assignment ({k})"),
                span: start..start + v.len(),
            });
        }
    }
    out
}

fn value_span(text: &str, start: usize) -> (usize, usize) {
    let b = text.as_bytes();
    match b.get(start) {
        Some(&q @ (b'"' | b'\'')) => {
            let end = text[start + 1..]
                .find(q as char)
                .map_or(text.len(), |e| start + 1 + e);
            (start + 1, end)
        }
        _ => {
            let end = text[start..]
                .find(|c: char| c.is_whitespace() || c == ';' || c == '&' || c == '|')
                .map_or(text.len(), |e| start + e);
            (start, end)
        }
    }
}

/// Secrets passed as command-line options: `--password x`, `--password=x`, `--token x`,
/// `-p<password>` after `mysql`, `sshpass -p x`, `curl -u user:pass`, `docker login -p x`.
pub fn option_secrets(text: &str) -> Vec<Hit> {
    let mut out = Vec::new();
    for opt in [
        "--password",
        "--passwd",
        "--token",
        "--api-key",
        "--apikey",
        "--secret",
        "--client-secret",
        "--auth-token",
    ] {
        for (p, _) in text.match_indices(opt) {
            let after = p + opt.len();
            let rest = &text[after..];
            if rest.starts_with("-stdin") || rest.starts_with("-file") || rest.starts_with('-') {
                continue;
            }
            let vstart = match rest.chars().next() {
                Some('=') => after + 1,
                Some(c) if c.is_whitespace() => after + rest.len() - rest.trim_start().len(),
                _ => continue,
            };
            let (s, e) = value_span(text, vstart);
            if real_value(&text[s..e]) && !text[s..e].starts_with('-') {
                out.push(Hit {
                    kind: format!("secret on the command line ({opt})"),
                    span: s..e,
                });
            }
        }
    }
    for (prog, opt) in [
        ("sshpass", " -p "),
        ("curl", " -u "),
        ("curl", " --user "),
        ("docker login", " -p "),
        ("wget", " --http-password="),
    ] {
        if let Some(pp) = text.find(prog)
            && let Some(op) = text[pp..].find(opt)
        {
            let vstart = pp + op + opt.len();
            let (s, e) = value_span(text, vstart);
            let v = &text[s..e];
            let (s, v) = match (prog, v.split_once(':')) {
                ("curl", Some((_, pw))) => (s + v.len() - pw.len(), pw),
                ("curl", None) => continue,
                _ => (s, v),
            };
            if real_value(v) {
                out.push(Hit {
                    kind: format!(
                        "secret on the command line ({prog}{})",
                        opt.trim_end_matches('=')
                    ),
                    span: s..s + v.len(),
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const GH: &str = "ghp_aB3dE5gH7jK9mN1pQ3sT5vX7zA9cE1gI3kM5";

    #[test]
    fn known_tokens_and_placeholders() {
        let t = format!("token: {GH}\nkey=AKIAIOSFODNN7EXAMPLE x AKIAXXXXXXXXXXXXXXXX");
        let hits = tokens(&t);
        let kinds: Vec<&str> = hits.iter().map(|h| h.kind.as_str()).collect();
        assert_eq!(kinds, ["AWS access key id", "GitHub personal access token"]);
        assert_eq!(&t[hits[1].span.clone()], GH);
        let pem =
            "x\n-----BEGIN OPENSSH PRIVATE KEY-----\nabc\n-----END OPENSSH PRIVATE KEY-----\n";
        assert_eq!(tokens(pem)[0].kind, "private key");
        assert!(tokens("-----BEGIN CERTIFICATE-----\n").is_empty());
    }

    #[test]
    fn assignments_and_names() {
        assert!(secret_name("DB_PASSWORD") && secret_name("api-key") && secret_name("NPM_TOKEN"));
        assert!(!secret_name("PASSWORD_FILE") && !secret_name("GPG_KEY") && !secret_name("PWD"));
        let h = assignments("DB_PASSWORD=hunter2\n# SECRET=x\nNAME=bob\n", true);
        assert_eq!(h.len(), 1);
        assert!(assignments("DB_PASSWORD=hunter2\n", false).is_empty());
        assert_eq!(
            assignments("\"api_key\": \"Zx8#kQ2!pL9v\",", false).len(),
            1
        );
    }

    #[test]
    fn redaction_never_keeps_the_value() {
        let cmd = format!(
            "|2 NPM_TOKEN=s3cr3tv4lue V=1 /bin/sh -c echo {GH} > /root/.npmrc && curl -u bob:pw123 https://u:p4ss@h/x && mysql --password=abc"
        );
        let r = redact(&cmd);
        for secret in ["s3cr3tv4lue", GH, "pw123", "p4ss", "abc"] {
            assert!(!r.contains(secret), "{secret} in {r}");
        }
        assert!(r.contains("V=1") && r.contains("https://u:****@h/x"), "{r}");
        assert_eq!(redact("ENV DB_PASSWORD hunter2"), "ENV DB_PASSWORD ****");
    }

    #[test]
    fn url_passwords_found() {
        assert_eq!(
            url_passwords("git clone https://x:tok@github.com/a").len(),
            1
        );
        assert!(url_passwords("https://github.com/a").is_empty());
        assert!(entropy("aaaa") < 0.1);
    }
}
