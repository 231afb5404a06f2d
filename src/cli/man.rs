//! `consign man`: manual pages in roff, generated from the command definition (clap_mangen).
//!
//! Without `--out-dir` the page of `consign` itself goes to stdout (`consign man | man -l -`).
//! With it, one page per command is written: `consign.1`, `consign-sbom.1`,
//! `consign-base-add.1`, … Each page has the usual NAME, SYNOPSIS, DESCRIPTION, OPTIONS and
//! SUBCOMMANDS sections and the command's examples under EXAMPLES; `consign.1` also has
//! ENVIRONMENT (every `CONSIGN_*` variable, from the flags that read one, and the other
//! variables consign reads), FILES (the config files) and EXIT STATUS.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;
use clap_mangen::Man;
use clap_mangen::roff::{Roff, roman};

use super::{ExitStatus, output};

/// Examples shown by `consign man --help`.
pub const EXAMPLES: &str = "\
Examples:
  consign man | man -l -                                  # read it now
  consign man --out-dir /usr/local/share/man/man1         # install every page";

/// Environment variables consign reads that are not the default of a flag.
pub const OTHER_ENV: &[(&str, &str)] = &[
    (
        "CONSIGN_CONFIG",
        "Read only this config file instead of ./consign.toml and the user's; empty: none.",
    ),
    (
        "CONSIGN_LOG",
        "A tracing filter for stderr (consign=debug, info,consign::scan=trace), overriding -q/-v.",
    ),
    (
        "NO_COLOR",
        "When set and not empty, no colours on stderr or in --help.",
    ),
    (
        "CLICOLOR_FORCE",
        "When set and not 0, colours even when stderr is not a terminal.",
    ),
    (
        "SOURCE_DATE_EPOCH",
        "Seconds since the epoch: the SBOM and attachment time, for reproducible bytes.",
    ),
    (
        "JOB_COMPLETION_INDEX",
        "With sbom --shard auto/N: the shard (0-based), as a Kubernetes Indexed Job sets it.",
    ),
    (
        "XDG_CONFIG_HOME",
        "Where the user's config file is: $XDG_CONFIG_HOME/consign/config.toml.",
    ),
    (
        "DOCKER_CONFIG",
        "Directory of the Docker config.json with registry credentials (default ~/.docker).",
    ),
    (
        "HTTPS_PROXY, HTTP_PROXY, ALL_PROXY, NO_PROXY",
        "Proxy for registry requests.",
    ),
    (
        "SSL_CERT_FILE",
        "PEM bundle of the CAs to trust for registries, instead of the built-in Mozilla roots.",
    ),
];

/// Arguments of `consign man`.
#[derive(Debug, clap::Args)]
pub struct ManArgs {
    /// Write every page (consign.1, consign-sbom.1, …) to this directory instead of printing
    /// consign.1.
    #[arg(long, value_name = "DIR")]
    out_dir: Option<PathBuf>,
}

/// Every flag that reads an environment variable: (variable, `consign SUB --flag`).
pub fn flag_env(cmd: &clap::Command) -> Vec<(String, String)> {
    fn walk(cmd: &clap::Command, path: &str, out: &mut Vec<(String, String)>) {
        for a in cmd.get_arguments() {
            if let (Some(env), Some(long)) = (a.get_env(), a.get_long()) {
                out.push((
                    env.to_string_lossy().into_owned(),
                    format!("{path} --{long}"),
                ));
            }
        }
        for sc in cmd.get_subcommands() {
            walk(sc, &format!("{path} {}", sc.get_name()), out);
        }
    }
    let mut out = Vec::new();
    walk(cmd, "consign", &mut out);
    out.sort();
    out
}

/// Runs `consign man`.
pub fn run(a: ManArgs, mut cmd: clap::Command) -> anyhow::Result<ExitStatus> {
    cmd.build();
    let Some(dir) = a.out_dir else {
        output::write_rendered(vec![(None, page(&cmd, true)?)])?;
        return Ok(ExitStatus::Success);
    };
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let mut pages = Vec::new();
    collect(&cmd, true, &mut pages)?;
    let n = pages.len();
    let docs = pages
        .into_iter()
        .map(|(name, bytes)| (Some(dir.join(name)), bytes))
        .collect();
    output::write_rendered(docs)?;
    tracing::info!("wrote {n} manual pages to {}", dir.display());
    Ok(ExitStatus::Success)
}

/// Every page under `cmd`: (file name, roff).
fn collect(cmd: &clap::Command, top: bool, out: &mut Vec<(String, Vec<u8>)>) -> anyhow::Result<()> {
    let name = Man::new(cmd.clone()).get_filename();
    out.push((name, page(cmd, top)?));
    for sc in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        if sc.get_name() != "help" {
            collect(sc, false, out)?;
        }
    }
    Ok(())
}

/// One page: clap_mangen's sections, the examples, and for `consign` itself the environment,
/// files and exit status.
fn page(cmd: &clap::Command, top: bool) -> anyhow::Result<Vec<u8>> {
    let examples = cmd.get_after_long_help().map(|h| h.to_string());
    let man = Man::new(cmd.clone().after_long_help(None::<&str>)).manual("consign manual");
    let mut w = Vec::new();
    man.render_title(&mut w)?;
    man.render_name_section(&mut w)?;
    man.render_synopsis_section(&mut w)?;
    man.render_description_section(&mut w)?;
    if cmd.get_arguments().any(|a| !a.is_hide_set()) {
        man.render_options_section(&mut w)?;
    }
    if cmd.has_subcommands() {
        man.render_subcommands_section(&mut w)?;
    }
    let mut roff = Roff::default();
    if let Some(text) = examples {
        let text = text.strip_prefix("Examples:\n").unwrap_or(&text);
        roff.control("SH", ["EXAMPLES"]);
        roff.control("nf", [] as [&str; 0]);
        roff.text([roman(text.trim_end())]);
        roff.control("fi", [] as [&str; 0]);
    }
    if top {
        roff.control("SH", ["ENVIRONMENT"]);
        let mut by_env: std::collections::BTreeMap<String, Vec<String>> = Default::default();
        for (env, flag) in flag_env(cmd) {
            by_env.entry(env).or_default().push(flag);
        }
        let rows = by_env
            .iter()
            .map(|(env, flags)| (env.as_str(), format!("Default of {}.", flags.join(", "))))
            .chain(OTHER_ENV.iter().map(|(e, d)| (*e, (*d).to_owned())));
        for (env, what) in rows {
            roff.control("TP", [] as [&str; 0]);
            roff.text([roman(env)]);
            roff.text([roman(what)]);
        }
        roff.control("SH", ["FILES"]);
        for (f, what) in [
            (
                "./consign.toml",
                "Defaults for flags, in sections named after the subcommands.",
            ),
            (
                "$XDG_CONFIG_HOME/consign/config.toml",
                "The user's defaults (~/.config/consign/config.toml), below ./consign.toml.",
            ),
        ] {
            roff.control("TP", [] as [&str; 0]);
            roff.text([roman(f)]);
            roff.text([roman(what)]);
        }
        roff.control("SH", ["EXIT STATUS"]);
        roff.text([roman(
            "0 success; 1 findings at or above the threshold, or a refused verification; \
             2 an error (bad arguments or config, unreadable or tampered input, a failed \
             image in a batch).",
        )]);
    }
    roff.to_writer(&mut w)?;
    man.render_version_section(&mut w)?;
    w.flush()?;
    Ok(w)
}
