//! `--limit NAME=VALUE` and `--strict`, shared by the commands that read images: `sbom`,
//! `audit`, `diff` (for an image given instead of an SBOM) and `base add`.
//!
//! Limits are merged key by key, lowest precedence first: the built-in defaults
//! ([`consign::source::Limits`]), the config files' `[limits]` sections, `CONSIGN_LIMITS`
//! (comma-separated `NAME=VALUE`s), then `--limit` flags. Unlike other list flags, a `--limit`
//! on the command line overrides only the limit it names: raising one limit for one run
//! should not silently restore the defaults of the others a CI job configured.

use clap::parser::ValueSource;
use consign::Sbom;
use consign::source::Limits;

/// The environment variable with comma-separated `NAME=VALUE` limits.
pub const LIMITS_ENV: &str = "CONSIGN_LIMITS";

/// The flags.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct LimitArgs {
    /// Change a resource limit that guards against hostile images, as NAME=VALUE
    /// (repeatable; sizes take KiB, MiB, GiB). `--help` lists the limits and defaults.
    #[arg(
        long = "limit",
        value_name = "NAME=VALUE",
        env = LIMITS_ENV,
        value_delimiter = ',',
        value_parser = check_pair,
        long_help = long_help(),
    )]
    limits: Vec<String>,

    /// Treat warnings as errors: an unreadable package database, a file over a size cap, a
    /// skipped nested archive or any other unknown recorded in the SBOM makes the run fail
    /// (exit 2) naming the first one, and no output is written. For CI.
    #[arg(long, env = "CONSIGN_STRICT")]
    pub strict: bool,

    /// Every `NAME=VALUE`, lowest precedence first (config, environment, command line); set
    /// by [`LimitArgs::layer`].
    #[arg(skip)]
    layered: Vec<String>,
}

fn long_help() -> String {
    format!(
        "Change a resource limit that guards against hostile images, as NAME=VALUE \
         (repeatable, or comma-separated; sizes take KiB, MiB, GiB, TiB). A limit hit is an \
         error naming the blob and the limit, or, for a single file or nested archive, an \
         unknown recorded in the SBOM. Each --limit overrides only the limit it names; the \
         others keep the values of CONSIGN_LIMITS, the config file's [limits] section or the \
         defaults.\n\nLimits (name, default, what it bounds):\n{}",
        Limits::help()
    )
}

fn check_pair(v: &str) -> Result<String, String> {
    Limits::default().set_pair(v)?;
    Ok(v.trim().to_owned())
}

impl LimitArgs {
    /// Records the layers of limit settings: `config` (from the config files), then
    /// `CONSIGN_LIMITS`, then the command line (from `m`, the subcommand's matches).
    pub fn layer(&mut self, config: &[String], m: &clap::ArgMatches) {
        let mut all = config.to_vec();
        if m.value_source("limits") == Some(ValueSource::CommandLine) {
            // clap dropped the environment's values in favour of the flags': keep both.
            if let Ok(env) = std::env::var(LIMITS_ENV) {
                all.extend(
                    env.split(',')
                        .map(str::trim)
                        .filter(|s| !s.is_empty())
                        .map(str::to_owned),
                );
            }
        }
        all.extend(self.limits.iter().cloned());
        self.layered = all;
    }

    /// The limits in force.
    pub fn resolve(&self) -> anyhow::Result<Limits> {
        let mut limits = Limits::default();
        let given = if self.layered.is_empty() {
            &self.limits
        } else {
            &self.layered
        };
        for pair in given {
            limits.set_pair(pair).map_err(anyhow::Error::msg)?;
        }
        Ok(limits)
    }

    /// With `--strict`, fails naming the first unknown (the SBOM's unknowns are sorted, so the
    /// first is stable).
    pub fn check_strict(&self, source: &str, sbom: &Sbom) -> anyhow::Result<()> {
        if !self.strict {
            return Ok(());
        }
        let Some(first) = sbom.unknowns.first() else {
            return Ok(());
        };
        let at = first
            .location
            .as_ref()
            .map(|l| format!("/{}: ", l.path))
            .unwrap_or_default();
        let more = match sbom.unknowns.len() {
            1 => String::new(),
            n => format!(" (and {} more)", n - 1),
        };
        anyhow::bail!(
            "{source}: --strict: {at}{} ({}){more}",
            first.reason,
            first.source
        )
    }
}
