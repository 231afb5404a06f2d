//! Secrets in files: which files the auditor captures from every layer ([`WANTS`]), and what
//! kind of secret a captured file holds ([`classify`]). The text detectors live in
//! [`crate::redact`], shared with every output that must not repeat a secret.

use crate::redact;

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
    let mut kinds: Vec<String> = redact::tokens(text).into_iter().map(|h| h.kind).collect();
    kinds.extend(redact::url_passwords(text).into_iter().map(|h| h.kind));
    // In a credential file any value of a secret-named key counts; elsewhere it must look
    // like a generated secret.
    let strict = redact::credential_file(path);
    kinds.extend(
        redact::assignments(text, strict)
            .into_iter()
            .map(|h| h.kind),
    );
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
}
