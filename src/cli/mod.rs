//! The command line: argument parsing (clap), one module per subcommand, exit codes. This is
//! the only place that prints, reads the environment or decides the process's exit code.
//!
//! Flags get their defaults, lowest precedence first, from the built-in values, the config
//! files ([`config`]), `CONSIGN_*` environment variables and the command line. stdout carries
//! only what a command produces; diagnostics go to stderr ([`logging`]).

mod attach;
mod attest;
mod audit;
mod base;
mod batch;
mod completions;
pub mod config;
mod convert;
mod diff;
mod from_referrers;
mod input;
mod key;
mod limits;
pub mod logging;
mod man;
mod output;
mod progress;
mod referrers;
mod registry_opts;
mod rules;
mod sbom;
mod score;
mod verify;

use std::process::ExitCode;

use clap::parser::ValueSource;
use clap::{ArgAction, CommandFactory, FromArgMatches, Parser, Subcommand};

pub use convert::ConvertArgs;
pub use diff::DiffArgs;
pub use sbom::SbomArgs;
pub use score::ScoreArgs;

/// Examples shown by `consign --help`.
const EXAMPLES: &str = "\
Examples:
  consign sbom app.tar -o cyclonedx-json=app.cdx.json -o spdx-json=app.spdx.json
  consign audit app.tar --policy audit.toml -o sarif=audit.sarif
  consign diff previous.cdx.json app.cdx.json -o markdown=CHANGES.md
  consign attest app.cdx.json --key release.key -o app.att.json
  consign attach app.att.json --to registry.example/app@sha256:…
  consign sbom --from-list images.txt --shard 2/3 -o cyclonedx-json=out/{name}.cdx.json

Defaults come from ./consign.toml, then $XDG_CONFIG_HOME/consign/config.toml; CONSIGN_*
environment variables override them and flags override both (`consign man` lists them all).
Exit status: 0 success, 1 findings or a refused verification, 2 error.";

/// consign: what is inside a container image, and whether it can be trusted.
#[derive(Debug, Parser)]
#[command(
    name = "consign",
    version,
    about,
    long_about = None,
    propagate_version = true,
    after_long_help = EXAMPLES
)]
pub struct Args {
    /// Only errors on stderr: no progress bar, warnings or summaries.
    #[arg(short, long, global = true)]
    pub quiet: bool,

    /// More detail on stderr: -v info, -vv debug, -vvv trace (CONSIGN_LOG overrides).
    #[arg(short, long, global = true, action = ArgAction::Count)]
    pub verbose: u8,

    /// The config files read and the defaults they set.
    #[arg(skip)]
    pub config: config::Config,

    #[command(subcommand)]
    command: Command,
}

/// Parses the command line over the defaults of the config files and the environment.
/// clap's own errors (and `--help`, `--version`) print and exit here, as `Args::parse` would;
/// an unreadable or invalid config file is returned as an error.
pub fn parse() -> anyhow::Result<Args> {
    let config = config::Config::load()?;
    let matches = config
        .apply(Args::command())
        .try_get_matches()
        .unwrap_or_else(|e| e.exit());
    let mut args = Args::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    args.config = config;
    // What was typed, as opposed to set by the environment or a config file: a registry flag
    // typed for a local image is a mistake, a CONSIGN_INSECURE_REGISTRY for the job is not.
    match (&mut args.command, matches.subcommand()) {
        (Command::Sbom(a), Some((_, m))) => {
            a.registry.note_typed(m);
            a.limits.layer(&args.config.limits(), m);
            a.given = m
                .ids()
                .filter(|id| m.value_source(id.as_str()) == Some(ValueSource::CommandLine))
                .map(|id| id.to_string())
                .collect();
        }
        (Command::Audit(a), Some((_, m))) => {
            a.registry.note_typed(m);
            a.limits.layer(&args.config.limits(), m);
        }
        (Command::Base(base::BaseCommand::Add(a)), Some((_, m))) => {
            if let Some((_, m)) = m.subcommand() {
                a.registry.note_typed(m);
                a.limits.layer(&args.config.limits(), m);
            }
        }
        (Command::Diff(a), Some((_, m))) => a.limits.layer(&args.config.limits(), m),
        (Command::Convert(a), Some((_, m))) => a.limits.layer(&args.config.limits(), m),
        (Command::Score(a), Some((_, m))) => a.limits.layer(&args.config.limits(), m),
        _ => {}
    }
    Ok(args)
}

/// Prints `error: …` for a failed run (the label coloured on a terminal, unless `NO_COLOR`):
/// one line naming the input, the file or blob inside it and the cause; with `-v`, also the
/// chain of errors it is made of, one per line.
pub fn report(err: &anyhow::Error, verbose: u8) {
    let label = logging::paint("error", 31, logging::color_enabled());
    eprintln!("{label}: {err:#}");
    if verbose > 0 && err.chain().count() > 1 {
        eprintln!("caused by:");
        for (i, cause) in err.chain().enumerate() {
            eprintln!("  {i}: {cause}");
        }
    }
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Inventory an image: catalog its packages and write an SBOM.
    #[command(after_long_help = sbom::EXAMPLES)]
    Sbom(SbomArgs),
    /// Compare two SBOMs (or images): added, removed, upgraded, downgraded and changed
    /// packages, license changes, base image and distribution changes.
    #[command(after_long_help = diff::EXAMPLES)]
    Diff(DiffArgs),
    /// Convert an SBOM from any producer to CycloneDX or SPDX, or between spec versions.
    #[command(after_long_help = convert::EXAMPLES)]
    Convert(ConvertArgs),
    /// Score an SBOM against the NTIA and CISA 2025 minimum elements.
    #[command(after_long_help = score::EXAMPLES)]
    Score(ScoreArgs),
    /// Judge an image against a policy: base images, unpinned versions, missing rebuilds,
    /// hardening, secrets, licenses. Exit 1 when a finding reaches --fail-on.
    #[command(after_long_help = audit::EXAMPLES)]
    Audit(audit::AuditArgs),
    /// Manage the base catalog the auditor identifies base images with.
    #[command(subcommand, after_long_help = BASE_EXAMPLES)]
    Base(base::BaseCommand),
    /// List the audit rules, or explain one.
    #[command(after_long_help = rules::EXAMPLES)]
    Rules(rules::RulesArgs),
    /// List the catalogers and the files each one reads.
    #[command(after_long_help = CATALOGERS_EXAMPLES)]
    Catalogers,
    /// Sign an SBOM as an in-toto attestation (DSSE envelope).
    #[command(after_long_help = attest::EXAMPLES)]
    Attest(attest::AttestArgs),
    /// Verify an attestation's signature and subject, and print its predicate.
    #[command(after_long_help = verify::EXAMPLES)]
    Verify(verify::VerifyArgs),
    /// Manage signing keys.
    #[command(after_long_help = key::EXAMPLES)]
    Key(key::KeyArgs),
    /// Attach an SBOM or attestation to an image in its registry (OCI referrer).
    #[command(after_long_help = attach::EXAMPLES)]
    Attach(attach::AttachArgs),
    /// List what is attached to an image in its registry.
    #[command(after_long_help = referrers::EXAMPLES)]
    Referrers(referrers::ReferrersArgs),
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish).
    #[command(after_long_help = completions::EXAMPLES)]
    Completions(completions::CompletionsArgs),
    /// Print the manual page (roff), or write one page per command to a directory.
    #[command(after_long_help = man::EXAMPLES)]
    Man(man::ManArgs),
}

/// Examples shown by `consign base --help`.
const BASE_EXAMPLES: &str = "\
Examples:
  skopeo copy docker://debian:12 oci-archive:debian-12.tar
  consign base add debian-12.tar --catalog bases.json --name debian:12
  consign audit app.tar --base-catalog bases.json";

/// Examples shown by `consign catalogers --help`.
const CATALOGERS_EXAMPLES: &str = "\
Examples:
  consign catalogers                                  # NAME<TAB>GLOBS, one per line
  consign sbom app.tar --catalogers os,-rpm           # select by name or tag";

/// How a successful run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    /// Nothing to report: exit 0.
    Success,
    /// Findings at or above the failure threshold (a `diff --fail-on` change, a score below
    /// `--fail-under`): exit 1.
    Findings,
    /// A verification refused what it checked: exit 1.
    Refused,
}

impl ExitStatus {
    /// The process exit code.
    pub fn code(self) -> ExitCode {
        match self {
            ExitStatus::Success => ExitCode::SUCCESS,
            ExitStatus::Findings | ExitStatus::Refused => ExitCode::from(1),
        }
    }
}

/// Runs the parsed command.
pub fn run(args: Args) -> anyhow::Result<ExitStatus> {
    for f in &args.config.files {
        tracing::info!("defaults from {}", f.display());
    }
    for d in args.config.defaults() {
        let values = d.values.join(" ");
        tracing::debug!("{}: {} {} = {values}", d.origin.display(), d.command, d.arg);
    }
    let quiet = args.quiet;
    match args.command {
        Command::Sbom(a) => sbom::run(a),
        Command::Diff(a) => diff::run(a),
        Command::Convert(a) => convert::run(a),
        Command::Score(a) => score::run(a),
        Command::Audit(a) => audit::run(a),
        Command::Base(c) => base::run(c),
        Command::Rules(a) => rules::run(a),
        Command::Catalogers => {
            for c in consign::catalog::registry::CATALOGERS {
                let mut read = c.wants().join(" ");
                // Files recognised by content: say which are looked at, and the cap.
                if let Some(e) = c.extractor() {
                    let which = if e.executable_only {
                        "executables"
                    } else {
                        "files"
                    };
                    let by_content = format!(
                        "by content: {which} matching {} up to {} MiB",
                        e.include.join(" "),
                        e.max_bytes >> 20
                    );
                    read = if read.is_empty() {
                        by_content
                    } else {
                        format!("{read} {by_content}")
                    };
                }
                println!("{}\t{read}", c.name());
            }
            Ok(ExitStatus::Success)
        }
        Command::Attest(a) => attest::run(a),
        Command::Verify(a) => verify::run(a),
        Command::Key(a) => key::run(a, quiet),
        Command::Attach(a) => attach::run(a),
        Command::Referrers(a) => referrers::run(a, quiet),
        Command::Completions(a) => completions::run(a, Args::command()),
        Command::Man(a) => man::run(a, Args::command()),
    }
}

/// True when the error is a closed stdout (`consign sbom … | head`), which is not a failure.
pub fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|e| {
        e.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
