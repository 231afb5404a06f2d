//! `consign key generate`: a signing key pair for `consign attest` / `consign verify`.
//!
//! Writes `PREFIX.key` (unencrypted PKCS#8 PEM, mode 0600) and `PREFIX.pub` (SubjectPublicKeyInfo
//! PEM, mode 0644); both are standard files OpenSSL, cosign (`cosign verify --key PREFIX.pub`)
//! and securesystemslib read. Existing files are never overwritten without `--force`.

use std::path::PathBuf;

use anyhow::Context;
use consign::attest::{KeyType, PrivateKey};

use super::{ExitStatus, output};

/// Examples shown by `consign key --help`.
pub const EXAMPLES: &str = "\
Examples:
  consign key generate --out release                  # release.key + release.pub (ECDSA P-256)
  consign key generate --type ed25519 --out ci
  consign attest app.cdx.json --key release.key -o app.att.json";

/// Arguments of `consign key`.
#[derive(Debug, clap::Args)]
pub struct KeyArgs {
    #[command(subcommand)]
    command: KeyCommand,
}

#[derive(Debug, clap::Subcommand)]
enum KeyCommand {
    /// Generate a key pair: PREFIX.key (private, PKCS#8 PEM) and PREFIX.pub (public, PEM).
    #[command(after_long_help = EXAMPLES)]
    Generate(GenerateArgs),
}

#[derive(Debug, clap::Args)]
struct GenerateArgs {
    /// Key type.
    #[arg(long = "type", value_name = "TYPE", default_value = "ecdsa-p256", value_parser = ["ecdsa-p256", "ed25519"])]
    kind: String,

    /// Where to write: PREFIX.key and PREFIX.pub.
    #[arg(long, value_name = "PREFIX", default_value = "consign")]
    out: PathBuf,

    /// Overwrite existing files.
    #[arg(long)]
    force: bool,
}

/// Runs `consign key`; `quiet` leaves out the summary on stderr.
pub fn run(a: KeyArgs, quiet: bool) -> anyhow::Result<ExitStatus> {
    match a.command {
        KeyCommand::Generate(g) => generate(g, quiet),
    }
}

fn generate(g: GenerateArgs, quiet: bool) -> anyhow::Result<ExitStatus> {
    let kind: KeyType = g.kind.parse().map_err(anyhow::Error::msg)?;
    let with_ext = |ext: &str| {
        let mut p = g.out.clone().into_os_string();
        p.push(ext);
        PathBuf::from(p)
    };
    let (private, public) = (with_ext(".key"), with_ext(".pub"));
    if !g.force {
        for p in [&private, &public] {
            anyhow::ensure!(
                !p.exists(),
                "{} already exists; not overwriting it (use --force)",
                p.display()
            );
        }
    }
    let (key, pem) = PrivateKey::generate(kind).context("cannot generate a key")?;
    output::write_file(&private, pem.as_bytes(), 0o600, g.force)?;
    output::write_file(
        &public,
        key.public_key().to_pem().as_bytes(),
        0o644,
        g.force,
    )?;
    if !quiet {
        eprintln!(
            "wrote {} (private: keep it secret) and {} ({kind}, key id {})",
            private.display(),
            public.display(),
            key.public_key().key_id()
        );
    }
    Ok(ExitStatus::Success)
}
