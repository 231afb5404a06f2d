//! Secrets recognisable by their shape alone: known token formats (prefix, charset, length),
//! JSON web tokens and PEM private-key blocks.

use super::Hit;

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
fn base64url(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c == b'-'
}

/// True when the byte before `start` ends a word (a token starts at a word boundary).
fn at_boundary(b: &[u8], start: usize) -> bool {
    start == 0 || !(b[start - 1].is_ascii_alphanumeric() || b[start - 1] == b'_')
}

/// Known-format tokens, JSON web tokens and private keys in `text`.
pub fn tokens(text: &str) -> Vec<Hit> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    for &(prefix, kind, charset, min, max) in TOKENS {
        let mut from = 0;
        while let Some(p) = text[from..].find(prefix) {
            let start = from + p;
            from = start + prefix.len();
            if !at_boundary(b, start) {
                continue;
            }
            let mut end = from;
            while end < b.len() && charset(b[end]) {
                end += 1;
            }
            let n = end - from;
            if n >= min && n <= max && (end == b.len() || !b[end].is_ascii_alphanumeric()) {
                // Reject placeholders such as AKIAXXXXXXXXXXXXXXXX.
                if entropy(&text[from..end]) >= 2.5 {
                    out.push(Hit::new(kind, start..end));
                }
                from = end;
            }
        }
    }
    out.extend(jwts(text));
    out.extend(private_keys(text));
    out
}

/// JSON web tokens: `eyJ<header>.eyJ<payload>.<signature>` (base64url of `{"…`), the
/// signature possibly empty (`alg: none`).
fn jwts(text: &str) -> Vec<Hit> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(p) = text[from..].find("eyJ") {
        let start = from + p;
        from = start + 3;
        if !at_boundary(b, start) {
            continue;
        }
        let part = |i: usize| {
            let mut e = i;
            while e < b.len() && base64url(b[e]) {
                e += 1;
            }
            e
        };
        let h_end = part(start);
        if h_end - start < 10
            || b.get(h_end) != Some(&b'.')
            || !text[h_end + 1..].starts_with("eyJ")
        {
            continue;
        }
        let p_end = part(h_end + 1);
        if p_end - h_end < 10 || b.get(p_end) != Some(&b'.') {
            continue;
        }
        let end = part(p_end + 1);
        out.push(Hit::new("JSON web token", start..end));
        from = end;
    }
    out
}

/// PEM private-key blocks, from `-----BEGIN … PRIVATE KEY-----` to the end of the matching
/// `-----END` line (or of the text).
fn private_keys(text: &str) -> Vec<Hit> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(p) = text[from..].find("-----BEGIN ") {
        let start = from + p;
        let line_end = text[start..].find('\n').map_or(text.len(), |e| start + e);
        from = line_end;
        // Up to the first `-----` after BEGIN, so that escaped newlines (`\n` in JSON) do
        // not hide the header's end.
        let header_end = text[start + 11..]
            .find("-----")
            .map_or(line_end, |e| start + 11 + e + 5);
        if text[start..header_end].ends_with("PRIVATE KEY-----") {
            let end = text[start..]
                .find("-----END ")
                .map(|e| {
                    let after = start + e + 9;
                    text[after..]
                        .find("-----")
                        .map_or(text.len(), |d| after + d + 5)
                })
                .unwrap_or(text.len());
            // A key has a body; a lone header is a constant in code that handles keys.
            let mut h = Hit::new("private key", start..end);
            h.reportable = key_body(&text[header_end.min(end)..end]) >= 20;
            out.push(h);
            from = end;
        }
    }
    out
}

/// How many base64 characters open a PEM body (whitespace and escaped newlines skipped).
fn key_body(body: &str) -> usize {
    let body = body.replace("\\n", "\n").replace("\\r", "\r");
    body.trim_start()
        .bytes()
        .take_while(|c| {
            c.is_ascii_alphanumeric() || matches!(c, b'+' | b'/' | b'=' | b'\n' | b'\r')
        })
        .filter(|c| !c.is_ascii_whitespace())
        .count()
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

#[cfg(test)]
mod tests {
    use super::*;

    const GH: &str = "ghp_aB3dE5gH7jK9mN1pQ3sT5vX7zA9cE1gI3kM5";

    fn kinds(text: &str) -> Vec<String> {
        tokens(text).into_iter().map(|h| h.kind).collect()
    }

    #[test]
    fn known_tokens_and_placeholders() {
        let t = format!("token: {GH}\nkey=AKIAIOSFODNN7EXAMPLE x AKIAXXXXXXXXXXXXXXXX");
        let hits = tokens(&t);
        assert_eq!(
            kinds(&t),
            ["AWS access key id", "GitHub personal access token"]
        );
        assert_eq!(&t[hits[1].span.clone()], GH);
        assert!(tokens(&format!("x{GH}")).is_empty());
    }

    #[test]
    fn json_web_tokens() {
        let jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U";
        let t = format!("Authorization: Bearer {jwt}'");
        let h = tokens(&t);
        assert_eq!(kinds(&t), ["JSON web token"]);
        assert_eq!(&t[h[0].span.clone()], jwt);
        let unsigned = "eyJhbGciOiJub25lIn0.eyJzdWIiOiJhYmMifQ.";
        assert_eq!(kinds(unsigned), ["JSON web token"]);
        assert!(tokens("eyJhbGciOiJub25lIn0 and eyJ alone").is_empty());
    }

    #[test]
    fn private_keys_plain_and_json_escaped() {
        let pem =
            "x\n-----BEGIN OPENSSH PRIVATE KEY-----\nabc\n-----END OPENSSH PRIVATE KEY-----\ny";
        let h = tokens(pem);
        assert_eq!(h[0].kind, "private key");
        assert_eq!(&pem[h[0].span.clone()], &pem[2..pem.len() - 2]);
        let json = r#"{"private_key":"-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n","x":1}"#;
        let h = tokens(json);
        assert_eq!(
            &json[h[0].span.clone()],
            r"-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----"
        );
        assert!(tokens("-----BEGIN CERTIFICATE-----\n").is_empty());
        assert!(entropy("aaaa") < 0.1);
    }
}
