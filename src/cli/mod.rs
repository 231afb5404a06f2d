//! The command line: argument parsing (clap), one module per subcommand, exit codes. This is
//! the only place that prints, reads the environment or decides the process's exit code.

mod attach;
mod attest;
mod audit;
mod base;
mod convert;
mod diff;
mod from_referrers;
mod input;
mod key;
mod output;
mod progress;
mod referrers;
mod registry_opts;
mod rules;
mod sbom;
mod score;
mod verify;

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
    /// Judge an image against a policy: base images, unpinned versions, missing rebuilds,
    /// hardening, secrets, licenses. Exit 1 when a finding reaches --fail-on.
    #[command(after_long_help = audit::EXAMPLES)]
    Audit(audit::AuditArgs),
    /// Manage the base catalog the auditor identifies base images with.
    #[command(subcommand)]
    Base(base::BaseCommand),
    /// List the audit rules, or explain one.
    Rules(rules::RulesArgs),
    /// List the catalogers and the files each one reads.
    Catalogers,
    /// Sign an SBOM as an in-toto attestation (DSSE envelope).
    #[command(after_long_help = attest::EXAMPLES)]
    Attest(attest::AttestArgs),
    /// Verify an attestation's signature and subject, and print its predicate.
    #[command(after_long_help = verify::EXAMPLES)]
    Verify(verify::VerifyArgs),
    /// Manage signing keys.
    Key(key::KeyArgs),
    /// Attach an SBOM or attestation to an image in its registry (OCI referrer).
    #[command(after_long_help = attach::EXAMPLES)]
    Attach(attach::AttachArgs),
    /// List what is attached to an image in its registry.
    #[command(after_long_help = referrers::EXAMPLES)]
    Referrers(referrers::ReferrersArgs),
}

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
                println!("{}\t{}", c.name(), c.wants().join(" "));
            }
            Ok(ExitStatus::Success)
        }
        Command::Attest(a) => attest::run(a),
        Command::Verify(a) => verify::run(a),
        Command::Key(a) => key::run(a),
        Command::Attach(a) => attach::run(a),
        Command::Referrers(a) => referrers::run(a),
    }
}

/// True when the error is a closed stdout (`consign sbom … | head`), which is not a failure.
pub fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|e| {
        e.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
