//! PIN008 curl-pipe-shell.

use crate::audit::AuditCtx;
use crate::audit::finding::{Finding, Findings};
use crate::audit::rule::{Rule, RuleMeta, declare_rule};
use crate::audit::shell::{self, program};

declare_rule! {
    /// ## What it flags
    /// A script downloaded and run without a checksum check: `curl … | sh` (or `wget -O- … |
    /// bash`, or piping into `python`, `perl`, …), and a `RUN` that downloads a file and then
    /// executes it with no `sha256sum -c`, `sha512sum`, `shasum`, `gpg --verify`,
    /// `cosign verify` or `minisign` in the same `RUN`.
    ///
    /// ## Why it matters
    /// Whatever the server (or anyone in between) returns runs as root in your build, and a
    /// different script can arrive on every build.
    ///
    /// ## How to fix
    /// Download to a file, verify it against a pinned checksum, then run it:
    /// `curl -fsSLo install.sh URL && echo "<sha256>  install.sh" | sha256sum -c - && sh install.sh`.
    ///
    /// ## Policy example
    /// ```toml
    /// [rules]
    /// curl-pipe-shell = "critical"
    /// ```
    pub(crate) struct CurlPipeShell;
    id: "PIN008",
    name: "curl-pipe-shell",
    title: "Downloaded script run without a checksum check",
    group: Pinning,
    severity: High,
    enabled: true,
}

const INTERPRETERS: &[&str] = &[
    "sh", "bash", "zsh", "dash", "ash", "ksh", "python", "python3", "perl", "ruby", "node", "php",
];
const VERIFIERS: &[&str] = &[
    "sha256sum",
    "sha512sum",
    "sha1sum",
    "shasum",
    "md5sum",
    "gpg",
    "gpgv",
    "cosign",
    "minisign",
    "openssl",
];

fn downloader(p: &str) -> bool {
    matches!(p, "curl" | "wget" | "fetch")
}

impl Rule for CurlPipeShell {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &AuditCtx<'_>, out: &mut Findings) {
        for step in cx.instructions() {
            if step.keyword != "RUN" {
                continue;
            }
            let pipelines = shell::pipelines(&step.args);
            let piped = pipelines.iter().find_map(|p| {
                let d = p.commands.iter().position(|c| downloader(program(c)))?;
                let sh = p.commands[d + 1..].iter().find(|c| {
                    INTERPRETERS.contains(
                        &program(c).trim_end_matches(|c: char| c.is_ascii_digit() || c == '.'),
                    )
                })?;
                Some(format!(
                    "{} output piped into {}",
                    program(&p.commands[d]),
                    program(sh)
                ))
            });
            let msg = match piped {
                Some(m) => Some(m),
                None => {
                    let cmds: Vec<&Vec<String>> =
                        pipelines.iter().flat_map(|p| &p.commands).collect();
                    let verified = cmds.iter().any(|c| VERIFIERS.contains(&program(c)));
                    let saved: Vec<String> = cmds
                        .iter()
                        .filter(|c| downloader(program(c)))
                        .filter_map(|c| {
                            c.iter()
                                .position(|w| {
                                    w == "-o"
                                        || w == "-O"
                                        || w == "--output"
                                        || w == "--output-document"
                                })
                                .and_then(|i| c.get(i + 1))
                                .filter(|f| *f != "-")
                                .cloned()
                        })
                        .collect();
                    let runs = cmds.iter().find_map(|c| {
                        let p = program(c);
                        let target = if INTERPRETERS.contains(&p) {
                            c.get(1)
                        } else {
                            c.first()
                        };
                        target
                            .filter(|t| {
                                saved
                                    .iter()
                                    .any(|s| s.rsplit('/').next() == t.rsplit('/').next())
                            })
                            .cloned()
                    });
                    match runs {
                        Some(f) if !verified => Some(format!(
                            "downloaded {f} is executed without a checksum or signature check"
                        )),
                        _ => None,
                    }
                }
            };
            if let Some(m) = msg {
                out.push(Finding::new(&META, m).at(cx.step_evidence(step)));
            }
        }
    }
}
