//! What names say: variable and key names that announce a secret, values that are real
//! (not references, placeholders or switches), and files that hold credentials.

/// Name parts after which a secret-sounding name holds something else: a file, path, command
/// or variable that gives the secret (`--password-stdin`), an identifier, a setting about the secret (`TOKEN_TTL`, `PASSWORD_MIN_LENGTH`,
/// `AUTH_TOKEN_HEADER`, `TOKEN_URL`), or a stand-in (`SECRET_KEY_BASE_DUMMY`, which Rails'
/// generated Dockerfile sets to precompile assets).
const NOT_SECRET_SUFFIXES: &[&str] = &[
    "FILE",
    "PATH",
    "DIR",
    "ID",
    "NAME",
    "USER",
    "USERNAME",
    "HOST",
    "PORT",
    "TTL",
    "LENGTH",
    "LEN",
    "HEADER",
    "URL",
    "URI",
    "ENDPOINT",
    "EXPIRY",
    "EXPIRES",
    "EXPIRATION",
    "LIFETIME",
    "TIMEOUT",
    "DUMMY",
    "ENABLED",
    "DISABLED",
    "ENABLE",
    "DISABLE",
    "REQUIRED",
    "TYPE",
    "MODE",
    "ALGORITHM",
    "ALGO",
    "HASH",
    "POLICY",
    "PROVIDER",
    "SCOPE",
    "SCOPES",
    "AUDIENCE",
    "ISSUER",
    "COUNT",
    "SIZE",
    "MIN",
    "MAX",
    "PREFIX",
    "FORMAT",
    "FIELD",
    "PARAM",
    "VERSION",
    "SHA256",
    "CHARS",
    "ROTATION",
    "REGEX",
    "PATTERN",
    "STDIN",
    "PROMPT",
    "CMD",
    "COMMAND",
    "ENV",
];

/// True when a variable or key name says its value is a secret: it has a part `PASSWORD`,
/// `PASSWD`, `PASS`, `PWD`, `PASSPHRASE`, `SECRET…`, `…TOKEN`, `CREDENTIAL…`, `AUTH` (last),
/// or `API_KEY`, `ACCESS_KEY`, `PRIVATE_KEY`, … (`-`, `.` and camelCase count as
/// separators), and it does not end in a part that names something else
/// ([`NOT_SECRET_SUFFIXES`]: `_FILE`, `_TTL`, `_URL`, …).
pub fn secret_name(name: &str) -> bool {
    // Most names mention none of these: decide without allocating (files are scanned line
    // by line).
    if ![
        "pass",
        "pwd",
        "secret",
        "token",
        "key",
        "auth",
        "credential",
    ]
    .iter()
    .any(|w| contains_ignore_case(name, w))
    {
        return false;
    }
    let parts = name_parts(name);
    let Some(last) = parts.last() else {
        return false;
    };
    if NOT_SECRET_SUFFIXES.contains(&last.as_str())
        || parts.iter().any(|p| p == "PUBLIC" || p == "PUB")
        || parts == ["GPG", "KEY"]
        || parts == ["PWD"]
    {
        return false;
    }
    let joined = parts.join("_");
    let has = |p: &str| parts.iter().any(|x| x == p);
    parts.iter().any(|p| {
        matches!(
            p.as_str(),
            "PASSWORD" | "PASSWD" | "PASS" | "PWD" | "PASSPHRASE" | "PASSWORDS"
        ) || p.starts_with("SECRET")
            || (p.ends_with("TOKEN") && !p.starts_with("TOKENIZ"))
            || p.starts_with("CREDENTIAL")
            || p.ends_with("PASSWORD")
            || p == "APIKEY"
    }) || (last == "AUTH" && parts.len() > 1)
        || (has("KEY")
            && [
                "API_KEY",
                "ACCESS_KEY",
                "PRIVATE_KEY",
                "AUTH_KEY",
                "ENCRYPTION_KEY",
                "SIGNING_KEY",
                "MASTER_KEY",
                "LICENSE_KEY",
                "ACCOUNT_KEY",
            ]
            .iter()
            .any(|k| joined.contains(k)))
}

/// True when `hay` contains the lower-case ASCII `needle`, ignoring case.
fn contains_ignore_case(hay: &str, needle: &str) -> bool {
    hay.as_bytes()
        .windows(needle.len())
        .any(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
}

/// Upper-case parts of a name: split on `_`, `-`, `.`, `/`, `:` and lower→upper camelCase.
fn name_parts(name: &str) -> Vec<String> {
    let mut parts = Vec::new();
    let mut cur = String::new();
    let mut prev_lower = false;
    for c in name.chars() {
        if matches!(c, '_' | '-' | '.' | '/' | ':' | ' ') {
            if !cur.is_empty() {
                parts.push(std::mem::take(&mut cur));
            }
            prev_lower = false;
            continue;
        }
        if c.is_ascii_uppercase() && prev_lower && !cur.is_empty() {
            parts.push(std::mem::take(&mut cur));
        }
        prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        cur.push(c.to_ascii_uppercase());
    }
    if !cur.is_empty() {
        parts.push(cur);
    }
    parts
}

/// True when a name is about a password (humans choose those, and choose them short).
fn password_name(name: &str) -> bool {
    name_parts(name).iter().any(|p| {
        p.contains("PASSWORD") || matches!(p.as_str(), "PASSWD" | "PASS" | "PWD" | "PASSPHRASE")
    })
}

/// True when a value could be a secret at all: not empty, not a variable reference
/// (`$X`, `${X}`), not a placeholder (`<token>`, `****`, `xxxx`), not an absolute path, not
/// `null`/`none`/`true`/`false`. Redaction hides every such value of a secret name.
pub fn real_value(v: &str) -> bool {
    let v = v.trim().trim_matches(['"', '\'']);
    !(v.is_empty()
        || v.starts_with('$')
        || v.starts_with('<')
        || v.starts_with('/')
        || v.eq_ignore_ascii_case("null")
        || v.eq_ignore_ascii_case("none")
        || v.eq_ignore_ascii_case("false")
        || v.eq_ignore_ascii_case("true")
        || v.chars().all(|c| c == '*' || c == 'x' || c == 'X'))
}

/// True when the value of secret name `name` is worth a finding, outside credential files:
/// a [`real_value`] that is not a number or a switch (`3600`, `yes`, `on`, `0`), and at least
/// 4 characters long for a password, 8 for a token, key or other secret (those are
/// generated, and long).
pub fn plausible_value(name: &str, v: &str) -> bool {
    let v = v.trim().trim_matches(['"', '\'']);
    let numeric = v
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '.' | '-' | '+' | '_'));
    let switch = ["yes", "no", "on", "off", "enabled", "disabled", "y", "n"]
        .iter()
        .any(|s| v.eq_ignore_ascii_case(s));
    let min = if password_name(name) { 4 } else { 8 };
    real_value(v) && !numeric && !switch && v.chars().count() >= min
}

/// Known names of files that hold credentials whatever their content looks like.
const CREDENTIAL_FILES: &[&str] = &[
    ".npmrc",
    ".yarnrc",
    ".yarnrc.yml",
    ".pypirc",
    ".netrc",
    "_netrc",
    ".git-credentials",
    "credentials",
    ".pgpass",
    ".htpasswd",
    ".my.cnf",
    ".s3cfg",
    ".vault-token",
    ".env",
    ".dockercfg",
    "id_rsa",
    "id_dsa",
    "id_ecdsa",
    "id_ed25519",
];

/// Paths ending so hold credentials (configs whose generic name says nothing).
const CREDENTIAL_PATHS: &[&str] = &[".aws/config", ".kube/config", ".docker/config.json"];

/// True when the file at `path` holds credentials by its name: the known credential files
/// (`.npmrc`, `.netrc`, `.git-credentials`, `.aws/credentials`, `.env` and `*.env`,
/// `*.tfvars`, SSH private keys, …) and small text files named like a secret
/// ([`secret_named_file`]). One list for the history rule (values written into such a file)
/// and the file rule (any value in it counts).
pub fn credential_file(path: &str) -> bool {
    let name = file_name(path).to_ascii_lowercase();
    CREDENTIAL_FILES.contains(&name.as_str())
        || name.starts_with(".env.")
        || name.ends_with(".env")
        || name.ends_with(".tfvars")
        || CREDENTIAL_PATHS.iter().any(|p| path.ends_with(p))
        || secret_named_file(path)
}

/// True when a file's name says it holds a secret (`db_password.txt`, `api_token`,
/// `client_secret.json`): its stem mentions secret, password, token or credential, and its
/// extension is a plain-text one or none (`tokenize.py` is code).
pub fn secret_named_file(path: &str) -> bool {
    let name = file_name(path).to_ascii_lowercase();
    let (stem, ext) = match name.trim_start_matches('.').rsplit_once('.') {
        Some((s, e)) => (s.to_owned(), e),
        None => (name.trim_start_matches('.').to_owned(), ""),
    };
    ["secret", "password", "passwd", "credential", "token"]
        .iter()
        .any(|w| stem.contains(w))
        && stem != "passwd"
        && !stem.contains("tokeniz")
        && matches!(
            ext,
            "" | "txt" | "json" | "yaml" | "yml" | "ini" | "conf" | "cfg" | "properties" | "env"
        )
}

fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_names() {
        for n in [
            "DB_PASSWORD",
            "DB_PASS",
            "PASS",
            "SMTP_PASS",
            "MYSQL_ROOT_PASSWORD",
            "api-key",
            "apiKey",
            "NPM_TOKEN",
            "npmAuthToken",
            "_authToken",
            "GITHUB_TOKEN",
            "CLIENT_SECRET",
            "SECRET_KEY_BASE",
            "AWS_SECRET_ACCESS_KEY",
            "NPM_AUTH",
            "DB_PWD",
            "GOOGLE_CREDENTIALS",
            "ENCRYPTION_KEY",
            "aws_secret_access_key",
            "PGPASSWORD",
        ] {
            assert!(secret_name(n), "{n}");
        }
        for n in [
            "PASSWORD_FILE",
            "GPG_KEY",
            "PWD",
            "OLDPWD",
            "TOKEN_TTL",
            "PASSWORD_MIN_LENGTH",
            "AUTH_TOKEN_HEADER",
            "SECRET_KEY_BASE_DUMMY",
            "TOKEN_URL",
            "TOKEN_ENDPOINT",
            "API_TOKEN_EXPIRY",
            "SESSION_TIMEOUT",
            "PASSWORD_AUTH_ENABLED",
            "AUTH_TYPE",
            "CLIENT_ID",
            "TOKENIZERS_PARALLELISM",
            "BYPASS",
            "COMPASS",
            "PASSTHROUGH",
            "PUBLIC_KEY",
            "SSH_PUB_KEY",
            "NODE_VERSION",
            "AUTH",
            "KEYBOARD",
            "hash",
        ] {
            assert!(!secret_name(n), "{n}");
        }
    }

    #[test]
    fn plausible_values() {
        assert!(plausible_value("DB_PASSWORD", "hunter2"));
        assert!(plausible_value("MYSQL_ROOT_PASSWORD", "root"));
        assert!(!plausible_value("MYSQL_ROOT_PASSWORD", "abc"));
        assert!(plausible_value("API_TOKEN", "Zx8kQ2pL9vRt5Wq1Yb7N"));
        assert!(!plausible_value("API_TOKEN", "abc123"));
        assert!(!plausible_value("SECRET_KEY_BASE", "1"));
        assert!(!plausible_value("DB_PASSWORD", "12345678"));
        assert!(!plausible_value("DB_PASSWORD", "${DB_PASSWORD}"));
        assert!(!plausible_value("API_TOKEN", "disabled"));
    }

    #[test]
    fn credential_files() {
        for p in [
            "root/.npmrc",
            "app/.env",
            "app/.env.production",
            "app/prod.env",
            "root/.netrc",
            "root/.aws/credentials",
            "root/.aws/config",
            "app/db_password.txt",
            "run/secrets/api_token",
            "infra/prod.tfvars",
            "root/.ssh/id_ed25519",
        ] {
            assert!(credential_file(p), "{p}");
        }
        for p in [
            "etc/passwd",
            "usr/lib/python3/tokenize.py",
            "app/config.json",
            "app/.gitconfig",
            "app/passwd",
        ] {
            assert!(!credential_file(p), "{p}");
        }
    }
}
