//! SEC002 secret-in-history.

use crate::audit::AuditCtx;
use crate::audit::finding::{Finding, Findings};
use crate::audit::rule::{Rule, RuleMeta, declare_rule};
use crate::audit::secrets;
use crate::audit::shell::{self, program};

declare_rule! {
    /// ## What it flags
    /// Secrets recorded in the image's build history (`created_by` of every step, base
    /// included), which anyone can read with `docker history --no-trunc`: build arguments
    /// with secret names (`|1 NPM_TOKEN=…`, `ARG PASSWORD=…`), secret assignments in commands
    /// (`PGPASSWORD=… psql`), passwords on command lines (`--password …`, `curl -u user:pass`,
    /// `sshpass -p`), tokens in known formats, URLs with passwords, and values echoed into
    /// credential files (`echo … > ~/.npmrc`, `> .git-credentials`, `> *secret*`). With
    /// `--dockerfile`, its `RUN`, `ARG` and `ENV` lines are checked as well. Values are
    /// redacted in every output.
    ///
    /// ## Why it matters
    /// Deleting the file later does not help: the history, like the layers, ships with the
    /// image forever.
    ///
    /// ## How to fix
    /// Use build secrets (`RUN --mount=type=secret,id=npm …` with
    /// `docker build --secret id=npm,src=…`), never `ARG`/`ENV` for credentials, and rotate
    /// the exposed secret.
    ///
    /// ## Policy example
    /// ```toml
    /// [[exceptions]]
    /// rule = "SEC002"
    /// reason = "dummy password of the test fixture database"
    /// expires = "2026-06-30"
    /// ```
    pub(crate) struct SecretInHistory;
    id: "SEC002",
    name: "secret-in-history",
    title: "Secret in the build history",
    group: Secrets,
    severity: Critical,
    enabled: true,
}

/// Names of files that hold credentials when something is written into them.
pub(crate) fn credential_file(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    matches!(
        name.as_str(),
        ".npmrc"
            | ".pypirc"
            | ".netrc"
            | "_netrc"
            | ".git-credentials"
            | "credentials"
            | ".pgpass"
            | ".htpasswd"
            | ".my.cnf"
            | ".vault-token"
            | ".env"
            | "id_rsa"
            | "id_ed25519"
            | "id_ecdsa"
            | ".dockercfg"
    ) || name.contains("secret")
        || name.contains("password")
        || name.contains("passwd") && name != "passwd"
        || name.contains("token")
        || name.ends_with(".env")
}

fn kinds_in(cx: &AuditCtx<'_>, text: &str, script: &str, env: &[(String, String)]) -> Vec<String> {
    let allowed = |k: &str| {
        let key = k
            .trim_start_matches("secret assignment (")
            .trim_end_matches(')');
        cx.policy.secret_allow_env.contains(key)
    };
    let mut kinds: Vec<String> = secrets::scan_text(text)
        .into_iter()
        .chain(secrets::inline_assignments(text))
        .chain(secrets::option_secrets(text))
        .map(|h| h.kind)
        .filter(|k| !allowed(k))
        .filter(|k| {
            // An ENV whose value the config still holds is SEC001's finding.
            !env.iter()
                .any(|(ek, _)| *k == format!("secret assignment ({ek})"))
        })
        .collect();
    for words in shell::commands(script) {
        if !matches!(program(&words), "echo" | "printf" | "cat" | "tee") {
            continue;
        }
        let target = words
            .iter()
            .position(|w| w == ">" || w == ">>")
            .and_then(|i| words.get(i + 1))
            .or_else(|| {
                (program(&words) == "tee")
                    .then(|| words.iter().skip(1).find(|w| !w.starts_with('-')))
                    .flatten()
            });
        if let Some(t) = target
            && credential_file(t)
            && words.len() > 2
        {
            kinds.push(format!("value written to {t}"));
        }
    }
    kinds.sort();
    kinds.dedup();
    kinds
}

impl Rule for SecretInHistory {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &AuditCtx<'_>, out: &mut Findings) {
        let env: Vec<(String, String)> = cx
            .sbom
            .image
            .config
            .config
            .as_ref()
            .and_then(|c| c.env.clone())
            .unwrap_or_default()
            .iter()
            .filter_map(|e| e.split_once('=').map(|(k, v)| (k.to_owned(), v.to_owned())))
            .collect();
        let mut steps: Vec<&crate::audit::step::Step> = cx.history.iter().collect();
        if let Some(d) = cx.dockerfile {
            steps.extend(
                d.steps
                    .iter()
                    .filter(|s| matches!(s.keyword.as_str(), "RUN" | "ARG" | "ENV")),
            );
        }
        for step in steps {
            let script = if step.keyword == "RUN" {
                step.args.as_str()
            } else {
                ""
            };
            let mut kinds = kinds_in(cx, &step.raw, script, &env);
            for (k, v) in &step.build_args {
                if secrets::secret_name(k)
                    && secrets::real_value(v)
                    && !cx.policy.secret_allow_env.contains(k)
                {
                    kinds.push(format!("build argument {k}"));
                }
            }
            kinds.retain(|k| {
                !(k.starts_with("secret assignment (")
                    && step
                        .build_args
                        .iter()
                        .any(|(b, _)| *k == format!("secret assignment ({b})")))
            });
            kinds.sort();
            kinds.dedup();
            if kinds.is_empty() {
                continue;
            }
            out.push(
                Finding::new(
                    &META,
                    format!(
                        "{} step exposes a secret: {}",
                        step.keyword,
                        kinds.join(", ")
                    ),
                )
                .at(cx.step_evidence(step)),
            );
        }
    }
}
