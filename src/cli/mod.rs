//! The command line: argument parsing (clap), one module per subcommand, exit codes. This is
//! the only place that prints, reads the environment or decides the process's exit code.

mod convert;
mod diff;
mod input;
mod output;
mod progress;
mod sbom;
mod score;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

pub use convert::ConvertArgs;
pub use diff::DiffArgs;
pub use sbom::SbomArgs;
pub use score::ScoreArgs;

/// consign: what is inside a container image, and whether it can be trusted.
#[derive(Debug, Parser)]
#[command(name = "consign", version, about, long_about = None, propagate_version = true)]
pub struct Args {
    #[command(subcommand)]
    command: Command,
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
    /// List the catalogers and the files each one reads.
    Catalogers,
}

/// How a successful run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    /// Nothing to report: exit 0.
    Success,
    /// Findings at or above the failure threshold (a `diff --fail-on` change, a score below
    /// `--fail-under`): exit 1.
    Findings,
}

impl ExitStatus {
    /// The process exit code.
    pub fn code(self) -> ExitCode {
        match self {
            ExitStatus::Success => ExitCode::SUCCESS,
            ExitStatus::Findings => ExitCode::from(1),
        }
    }
}

/// Runs the parsed command.
pub fn run(args: Args) -> anyhow::Result<ExitStatus> {
    match args.command {
        Command::Sbom(a) => sbom::run(a),
        Command::Diff(a) => diff::run(a),
        Command::Convert(a) => convert::run(a),
        Command::Score(a) => score::run(a),
        Command::Catalogers => {
            for c in consign::catalog::registry::CATALOGERS {
                println!("{}\t{}", c.name(), c.wants().join(" "));
            }
            Ok(ExitStatus::Success)
        }
    }
}

/// True when the error is a closed stdout (`consign sbom … | head`), which is not a failure.
pub fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|e| {
        e.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
