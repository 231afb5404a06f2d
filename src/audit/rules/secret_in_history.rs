//! SEC002 secret-in-history.

use crate::audit::AuditCtx;
use crate::audit::finding::{Finding, Findings};
use crate::audit::rule::{Rule, RuleMeta, declare_rule};
use crate::audit::step::Step;
use crate::redact;

declare_rule! {
    /// ## What it flags
    /// Secrets recorded in the image's build history (`created_by` of every step, base
    /// included), which anyone can read with `docker history --no-trunc`: build arguments
    /// with secret names (`|1 NPM_TOKEN=…`, `ARG PASSWORD=…`), secret assignments in commands
    /// (`PGPASSWORD=… psql`), passwords on command lines (`--password …`, `mysql -p…`,
    /// `curl -u user:pass`, `sshpass -p`), credential HTTP headers (`Authorization: Bearer …`,
    /// `X-Api-Key: …`), tokens in known formats (JSON web tokens included), URLs with
    /// passwords, values echoed into credential files (`echo … > ~/.npmrc`,
    /// `> .git-credentials`, `> ~/.netrc`, `> *secret*`, `| tee …`, heredocs) and values
    /// piped into `docker login --password-stdin` or `chpasswd`. An `ENV` secret that a later
    /// `ENV` cleared is still reported: the history keeps it. With `--dockerfile`, its `RUN`,
    /// `ARG` and `ENV` lines are checked as well. Values are redacted in every output,
    /// SBOMs included.
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

/// The kinds of secret one step exposes. `env` is the config's environment: an `ENV`
/// assignment whose value the config still holds is SEC001's finding, but one the config no
/// longer holds (cleared or changed by a later `ENV`) is only in the history.
fn kinds_in(cx: &AuditCtx<'_>, step: &Step, env: &[(String, String)]) -> Vec<String> {
    let text = step.raw.as_str();
    let allowed = |name: &str| cx.policy.secret_allow_env.contains(name);
    let mut kinds: Vec<String> = redact::find(text)
        .into_iter()
        .filter(|h| h.reportable)
        .filter(|h| match &h.name {
            Some(n) => {
                let value = &text[h.span.clone()];
                !allowed(n)
                    && !env.iter().any(|(k, v)| k == n && v == value)
                    && !step.build_args.iter().any(|(b, _)| b == n)
            }
            None => true,
        })
        .map(|h| h.kind)
        .collect();
    for (k, v) in &step.build_args {
        if redact::secret_name(k) && redact::plausible_value(k, v) && !allowed(k) {
            kinds.push(format!("build argument {k}"));
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
        let mut steps: Vec<&Step> = cx.history.iter().collect();
        if let Some(d) = cx.dockerfile {
            steps.extend(
                d.steps
                    .iter()
                    .filter(|s| matches!(s.keyword.as_str(), "RUN" | "ARG" | "ENV")),
            );
        }
        for step in steps {
            let kinds = kinds_in(cx, step, &env);
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
