//! SEC003 secret-in-file.

use crate::audit::AuditCtx;
use crate::audit::finding::{Finding, Findings};
use crate::audit::rule::{Rule, RuleMeta, declare_rule};
use crate::audit::secrets::{classify, skipped};
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
