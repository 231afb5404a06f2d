//! Secrets in files: which files the auditor captures from every layer ([`CAPTURE`]), and
//! what kind of secret a captured file holds ([`classify`]). The text detectors live in
//! [`crate::redact`], shared with every output that must not repeat a secret.
//!
//! Two nets, both cast in the single streaming pass over each layer:
//! - [`WANTS`]: files that are credentials by name (`.npmrc`, `.aws/credentials`, keys,
//!   keystores), kept whatever their size (up to the per-file cap);
//! - [`SNIFF`]: every other small text-like file (≤ 64 KiB: configs, scripts, sources,
//!   dotfiles, files named like a secret) outside OS and language package trees is read as
//!   it streams by and kept only when [`classify`] finds a secret in it. Memory grows with
//!   the files kept, not with the files looked at, and the classifier runs once per file, in
//!   the parallel layer readers.

use crate::fs::{CaptureSpec, SniffSpec};
use crate::redact;

/// What the auditor captures: [`WANTS`] by name, [`SNIFF`] by content.
pub const CAPTURE: CaptureSpec<'static> = CaptureSpec {
    globs: WANTS,
    sniff: Some(SNIFF),
};

/// The content sniffer: small config-like files outside package trees, kept when they hold a
/// secret.
pub const SNIFF: SniffSpec<'static> = SniffSpec {
    include: SNIFF_INCLUDE,
    exclude: SNIFF_EXCLUDE,
    max_bytes: 64 * 1024,
    keep: holds_secret,
};

/// Files the sniffer looks at: config, environment, script and source files, text, dotfiles,
/// and names that mention a key, secret, token, password or credential.
const SNIFF_INCLUDE: &[&str] = &[
    "**/.*",
    "**/*.env",
    "**/*.env.*",
    "**/*.json",
    "**/*.yml",
    "**/*.yaml",
    "**/*.toml",
    "**/*.ini",
    "**/*.cfg",
    "**/*.conf",
    "**/*.cnf",
    "**/*.properties",
    "**/*.xml",
    "**/*.txt",
    "**/*.sh",
    "**/*.py",
    "**/*.js",
    "**/*.mjs",
    "**/*.cjs",
    "**/*.ts",
    "**/*.rb",
    "**/*.php",
    "**/*.go",
    "**/*.tf",
    "**/*key*",
    "**/*Key*",
    "**/*KEY*",
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
];

/// Where the sniffer never looks: what OS and language package managers installed (their own
/// test keys and examples are not the image's secrets), caches, logs and kernel trees.
const SNIFF_EXCLUDE: &[&str] = &[
    "usr/share/**",
    "usr/lib/**",
    "usr/lib32/**",
    "usr/lib64/**",
    "usr/libexec/**",
    "usr/include/**",
    "usr/src/**",
    "usr/local/lib/**",
    "usr/local/share/**",
    "usr/local/include/**",
    "usr/local/go/**",
    "lib/**",
    "lib32/**",
    "lib64/**",
    "var/lib/dpkg/**",
    "var/lib/apt/**",
    "var/lib/rpm/**",
    "var/lib/dnf/**",
    "var/lib/yum/**",
    "var/cache/**",
    "var/log/**",
    "proc/**",
    "sys/**",
    "dev/**",
    "**/node_modules/**",
    "**/site-packages/**",
    "**/dist-packages/**",
    "**/__pycache__/**",
    "**/.git/objects/**",
    "**/.cache/**",
    "**/gems/**",
    "**/vendor/bundle/**",
    "**/.cargo/registry/**",
    "**/go/pkg/mod/**",
    "**/.m2/repository/**",
    "opt/conda/pkgs/**",
];

/// The sniffer's check: the file holds a secret [`classify`] recognises.
fn holds_secret(path: &str, bytes: &[u8]) -> bool {
    !skipped(path) && !classify(path, bytes).is_empty()
}

/// Files whose bytes the auditor reads from every layer because their names say they hold
/// credentials.
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
    "etc/passwd",
];

/// Paths never judged: test fixtures, documentation, Debian's generated snakeoil key and
/// `/etc/passwd`.
pub fn skipped(path: &str) -> bool {
    path.split('/').any(|c| {
        matches!(
            c,
            "test" | "tests" | "testdata" | "test_data" | "fixtures" | "testing"
        )
    }) || path.starts_with("usr/share/doc/")
        || path.starts_with("usr/share/man/")
        || path.ends_with("ssl-cert-snakeoil.key")
        || path == "etc/passwd"
}

/// How far a file's `key = value` lines are trusted: any value in a credential file, a
/// random-looking literal in a config file, only a quoted one in source code.
fn assignment_mode(path: &str) -> redact::Mode {
    let ext = path.rsplit_once('.').map_or("", |(_, e)| e);
    if redact::credential_file(path) {
        redact::Mode::Credential
    } else if matches!(
        ext,
        "py" | "pyi"
            | "js"
            | "mjs"
            | "cjs"
            | "jsx"
            | "ts"
            | "tsx"
            | "rb"
            | "php"
            | "go"
            | "java"
            | "kt"
            | "scala"
            | "cs"
            | "c"
            | "h"
            | "cc"
            | "cpp"
            | "rs"
            | "swift"
            | "pl"
            | "pm"
            | "lua"
    ) {
        redact::Mode::Code
    } else {
        redact::Mode::Config
    }
}

/// The kinds of secret in the file at `path` (relative to the image root) holding `bytes`;
/// empty when it holds none.
pub fn classify(path: &str, bytes: &[u8]) -> Vec<String> {
    let name = path.rsplit('/').next().unwrap_or(path);
    let lower = name.to_ascii_lowercase();
    if [".p12", ".pfx", ".jks", ".keystore"]
        .iter()
        .any(|e| lower.ends_with(e))
    {
        return if bytes.is_empty() {
            vec![]
        } else {
            vec!["keystore".into()]
        };
    }
    let Ok(text) = std::str::from_utf8(bytes) else {
        return vec![];
    };
    let mut kinds: Vec<String> = redact::tokens(text)
        .into_iter()
        .chain(redact::url_passwords(text))
        .chain(redact::assignments(text, assignment_mode(path)))
        .filter(|h| h.reportable)
        .map(|h| h.kind)
        .collect();
    let non_empty = text
        .lines()
        .any(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'));
    match lower.as_str() {
        ".npmrc" | ".yarnrc" | ".yarnrc.yml"
            if text.lines().any(|l| {
                let l = l.trim();
                (l.contains("_authToken")
                    || l.contains("_auth")
                    || l.contains("_password")
                    || l.contains("npmAuthToken"))
                    && l.split_once(['=', ':'])
                        .is_some_and(|(_, v)| redact::real_value(v))
            }) =>
        {
            kinds.push("npm registry token".into());
        }
        ".netrc" | "_netrc" if text.contains("password") => kinds.push("netrc password".into()),
        ".pgpass" | ".htpasswd" | ".vault-token" | ".git-credentials" if non_empty => {
            kinds.push(format!("{lower} credentials"))
        }
        "config.json" | ".dockercfg"
            if text.contains("\"auth\"") && !text.contains("\"auth\": \"\"") =>
        {
            kinds.push("registry credentials (auth)".into())
        }
        _ => {}
    }
    if path.ends_with(".kube/config")
        && ["token:", "client-key-data:", "password:"]
            .iter()
            .any(|k| text.contains(k))
    {
        kinds.push("Kubernetes credentials".into());
    }
    if text.contains("\"private_key\"") && text.contains("\"client_email\"") {
        kinds.push("Google service account key".into());
    }
    // A small text file named like a secret holds one.
    let stem = lower.split('.').next().unwrap_or("");
    let ext = lower.rsplit_once('.').map_or("", |(_, e)| e);
    let secret_named = ["secret", "password", "passwd", "credential"]
        .iter()
        .any(|w| stem.contains(w))
        && stem != "passwd";
    if kinds.is_empty()
        && secret_named
        && matches!(
            ext,
            "" | "txt" | "json" | "yaml" | "yml" | "ini" | "conf" | "cfg" | "properties" | "env"
        )
        && ![
            "usr/",
            "lib/",
            "etc/",
            "var/lib/",
            "var/cache/",
            "var/log/",
            "var/backups/",
        ]
        .iter()
        .any(|p| path.starts_with(p))
        && non_empty
        && bytes.len() <= 4096
    {
        kinds.push("file named like a secret".into());
    }
    kinds.sort();
    kinds.dedup();
    kinds
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_credential_files() {
        assert_eq!(
            classify("root/.npmrc", b"//registry.npmjs.org/:_authToken=abc123\n"),
            [
                "npm registry token",
                "secret assignment (//registry.npmjs.org/:_authToken)"
            ]
            .map(String::from)
            .to_vec()
            .into_iter()
            .filter(|k| k != "secret assignment (//registry.npmjs.org/:_authToken)")
            .collect::<Vec<_>>()
        );
        assert_eq!(
            classify("app/.env", b"DB_PASSWORD=hunter2\nDEBUG=1\n"),
            ["secret assignment (DB_PASSWORD)"]
        );
        assert!(classify("app/.env", b"DEBUG=1\n").is_empty());
        assert_eq!(
            classify("run/db_password.txt", b"hunter2\n"),
            ["file named like a secret"]
        );
        assert!(classify("usr/lib/python3/tokenize.py", b"def tokenize(): pass\n").is_empty());
        // Debian's PAM state file (debootstrapped rootfs): a name, not a secret.
        assert!(classify("var/lib/pam/password", b"Name: unix\nDefault: yes\n").is_empty());
        assert_eq!(
            classify(
                "root/.aws/credentials",
                b"[default]\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n"
            ),
            ["secret assignment (aws_secret_access_key)"]
        );
    }

    /// Source code names passwords and tokens all the time; only a literal that looks like a
    /// generated secret counts there, and documentation placeholders never do.
    #[test]
    fn source_code_is_not_a_config_file() {
        let code = b"class Auth:\n    def __init__(self, password=None, key_password=None):\n        self.password = password_handler(password)\n        token = tokens.next_token()\n# usage: https://user:password@host/ or scheme://[user:passwd@]proxy:port\n    print(f\"password: {x}\")\n";
        assert_eq!(classify("app/src/auth.py", code), Vec::<String>::new());
        assert_eq!(
            classify(
                "app/settings.py",
                b"DEBUG = False\nDB_PASSWORD = \"S3cr3t-Passw0rd!x\"\n"
            ),
            ["secret assignment (DB_PASSWORD)"]
        );
        assert_eq!(
            classify(
                "app/config.yml",
                b"db:\n  password: S3cr3t-Passw0rd!x\n  pool: 5\n"
            ),
            ["secret assignment (password)"]
        );
        assert_eq!(
            classify("app/run.sh", b"export API_TOKEN=Zx8kQ2pL9vRt5Wq1Yb7N\n"),
            ["secret assignment (API_TOKEN)"]
        );
    }
}
