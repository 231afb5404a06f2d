//! SEC003 secret-in-file.

use crate::audit::AuditCtx;
use crate::audit::finding::{Finding, Findings};
use crate::audit::rule::{Rule, RuleMeta, declare_rule};
use crate::audit::secrets;
use crate::fs::{Content, EntryKind};

declare_rule! {
    /// ## What it flags
    /// Secrets in files of ANY layer, including files a later layer deleted or overwrote
    /// (their bytes still ship in the layer that added them): private keys (PEM and OpenSSH),
    /// keystores (`.p12`, `.pfx`, `.jks`), cloud and registry credentials (`.aws/credentials`,
    /// `.docker/config.json`, `.kube/config`, gcloud JSON keys), package-registry tokens
    /// (`.npmrc`, `.pypirc`), `.git-credentials`, `.netrc`, `.pgpass`, `.env` files with
    /// secret assignments, tokens in known formats (AWS, GitHub, GitLab, Slack, Stripe, npm,
    /// PyPI, Google) and small files named like secrets (`db_password.txt`). The report names
    /// the layer and path and the kind of secret, never the secret. Test fixtures
    /// (`…/test/…`, `…/tests/…`, `…/testdata/…`), documentation, Debian's generated
    /// `ssl-cert-snakeoil.key` and paths in `secrets.allow_paths` are skipped.
    ///
    /// ## Why it matters
    /// Every layer is downloadable on its own (`docker save`, a registry API call): a key
    /// added in one layer and deleted in the next is exactly as leaked as one that stays.
    ///
    /// ## How to fix
    /// Rotate the secret. Then keep it out of the build context (`.dockerignore`) and use
    /// build secrets (`RUN --mount=type=secret`) or multi-stage builds so it never lands in a
    /// layer of the final image.
    ///
    /// ## Policy example
    /// ```toml
    /// [secrets]
    /// allow_paths = ["/usr/share/app/fixtures/**"]
    /// ```
    pub(crate) struct SecretInFile;
    id: "SEC003",
    name: "secret-in-file",
    title: "Secret in a file of a layer",
    group: Secrets,
    severity: Critical,
    enabled: true,
}

fn skipped(path: &str) -> bool {
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

/// The kinds of secret in one file.
fn classify(path: &str, bytes: &[u8]) -> Vec<String> {
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
    let mut kinds: Vec<String> = secrets::tokens(text).into_iter().map(|h| h.kind).collect();
    kinds.extend(secrets::url_passwords(text).into_iter().map(|h| h.kind));
    let strict_file = lower == ".env"
        || lower.starts_with(".env.")
        || lower.ends_with(".env")
        || lower.ends_with(".tfvars")
        || matches!(
            lower.as_str(),
            ".pypirc"
                | ".my.cnf"
                | ".s3cfg"
                | "credentials"
                | "config"
                | ".npmrc"
                | ".yarnrc"
                | ".yarnrc.yml"
        );
    kinds.extend(
        secrets::assignments(text, strict_file)
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
                        .is_some_and(|(_, v)| secrets::real_value(v))
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

impl Rule for SecretInFile {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &AuditCtx<'_>, out: &mut Findings) {
        for (layer, tree) in cx.trees.iter().enumerate() {
            for e in &tree.entries {
                let Some(Content::Bytes(bytes)) = &e.content else {
                    continue;
                };
                if e.meta.kind != EntryKind::File && e.meta.kind != EntryKind::Hardlink {
                    continue;
                }
                if skipped(&e.path) || cx.policy.secret_path_allowed(&format!("/{}", e.path)) {
                    continue;
                }
                let kinds = classify(&e.path, bytes);
                if kinds.is_empty() {
                    continue;
                }
                let ev = cx.file_evidence(layer as u32, &e.path);
                let removed = match &ev {
                    crate::audit::Evidence::File {
                        removed_in: Some(r),
                        ..
                    } => {
                        format!(
                            "; deleted or replaced in layer {r}, but still shipped in layer {layer}"
                        )
                    }
                    _ => String::new(),
                };
                out.push(
                    Finding::new(
                        &META,
                        format!("/{} holds a secret: {}{removed}", e.path, kinds.join(", ")),
                    )
                    .at(ev),
                );
            }
        }
    }
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
