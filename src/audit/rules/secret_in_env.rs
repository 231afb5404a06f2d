//! SEC001 secret-in-env.

use crate::audit::AuditCtx;
use crate::audit::finding::{Evidence, Finding, Findings};
use crate::audit::rule::{Rule, RuleMeta, declare_rule};
use crate::redact;

declare_rule! {
    /// ## What it flags
    /// Environment variables baked into the image config (`ENV`) that hold a secret: a name
    /// that says so (`*PASSWORD*`, `*_PASS`, `*SECRET*`, `*TOKEN`, `*API_KEY*`,
    /// `*ACCESS_KEY*`, …; not names about the secret such as `*_FILE`, `*_PATH`, `*_TTL`,
    /// `*_LENGTH`, `*_HEADER`, `*_URL`, `*_TIMEOUT`, `*_DUMMY`, `*_ENABLED`, `*_TYPE`,
    /// `*_VERSION`, `GPG_KEY`) with a value that could be one (not a number, a switch, a
    /// `$reference` or a placeholder; at least 4 characters for a password, 8 for a token or
    /// key), a known token format (AWS, GitHub, GitLab, Slack, Stripe, npm, PyPI, Google,
    /// JSON web tokens) in any variable, or a URL with a password. The value is never
    /// printed. Names in `secrets.allow_env` are skipped.
    ///
    /// ## Why it matters
    /// Anyone who can pull the image reads its config (`docker inspect`), and every container
    /// and child process inherits the variable (CIS Docker Benchmark 4.10).
    ///
    /// ## How to fix
    /// Pass secrets at run time (orchestrator secrets, `--env-file` kept outside the image, or
    /// a mounted file with `*_FILE` variables), and rotate the exposed one.
    ///
    /// ## Policy example
    /// ```toml
    /// [secrets]
    /// allow_env = ["DEFAULT_PASSWORD_POLICY"]
    /// ```
    pub(crate) struct SecretInEnv;
    id: "SEC001",
    name: "secret-in-env",
    title: "Secret in an environment variable",
    group: Secrets,
    severity: Critical,
    enabled: true,
}

impl Rule for SecretInEnv {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &AuditCtx<'_>, out: &mut Findings) {
        let env = cx
            .sbom
            .image
            .config
            .config
            .as_ref()
            .and_then(|c| c.env.clone())
            .unwrap_or_default();
        for entry in env {
            let (k, v) = entry.split_once('=').unwrap_or((&entry, ""));
            if cx.policy.secret_allow_env.contains(k) {
                continue;
            }
            let mut kinds: Vec<String> = redact::scan_value(v)
                .into_iter()
                .filter(|h| h.reportable)
                .map(|h| h.kind)
                .collect();
            if kinds.is_empty() && redact::secret_name(k) && redact::plausible_value(k, v) {
                kinds.push("secret-named variable".into());
            }
            if kinds.is_empty() {
                continue;
            }
            kinds.dedup();
            let mut f = Finding::new(
                &META,
                format!(
                    "environment variable {k} holds a secret ({}; {} characters, redacted)",
                    kinds.join(", "),
                    v.chars().count()
                ),
            )
            .at(Evidence::Config {
                field: "config.Env".into(),
                value: Some(format!("{k}=****")),
            });
            let set_by = match cx.dockerfile {
                Some(d) => d
                    .steps
                    .iter()
                    .rev()
                    .find(|s| s.keyword == "ENV" && s.args.contains(k)),
                None => cx
                    .history
                    .iter()
                    .rev()
                    .find(|s| s.keyword == "ENV" && s.args.contains(k)),
            };
            if let Some(s) = set_by {
                f = f.at(cx.step_evidence(s));
            }
            out.push(f);
        }
    }
}
