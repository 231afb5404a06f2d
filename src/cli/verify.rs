//! `consign verify ATTESTATION --key PUB`: check an attestation's signature and subject, then
//! print its predicate (the SBOM).
//!
//! Exit 0 and the predicate on stdout when it verifies; exit 1 and `verification failed:
//! REASON` on stderr when it is refused (tampered, another key, wrong subject, not an in-toto
//! attestation); exit 2 when the inputs cannot be read (missing file, unusable key).

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;
use consign::attest::{self, PublicKey};
use consign::registry::ImageRef;
use consign::source::Digest;

use super::{ExitStatus, output};

/// Examples shown by `consign verify --help`.
pub const EXAMPLES: &str = "\
Examples:
  consign verify app.att.json --key release.pub > app.cdx.json
  consign verify app.att.json --key release.pub --image-digest sha256:…";

/// Arguments of `consign verify`.
#[derive(Debug, clap::Args)]
pub struct VerifyArgs {
    /// The attestation: a DSSE envelope JSON file (`-` for stdin).
    attestation: String,

    /// Public key (PEM), ECDSA P-256 or Ed25519.
    #[arg(long, value_name = "PUB", env = "CONSIGN_PUBLIC_KEY")]
    key: PathBuf,

    /// Require the attestation to be about this image manifest digest (sha256:…, or
    /// NAME@sha256:…).
    #[arg(long, value_name = "DIGEST")]
    image_digest: Option<String>,

    /// Print nothing on success (only the exit code tells).
    #[arg(short, long)]
    quiet: bool,
}

/// Runs `consign verify`.
pub fn run(a: VerifyArgs) -> anyhow::Result<ExitStatus> {
    let key_text = std::fs::read_to_string(&a.key)
        .with_context(|| format!("cannot read key {}", a.key.display()))?;
    let key = PublicKey::from_pem(&key_text)
        .with_context(|| format!("cannot use key {}", a.key.display()))?;
    let digest = a.image_digest.as_deref().map(parse_digest).transpose()?;
    let envelope = output::read_input(&a.attestation)?;
    let verified = match attest::verify(&envelope, &key, digest.as_ref()) {
        Ok(v) => v,
        Err(e) => {
            eprintln!("verification failed: {}: {e}", a.attestation);
            return Ok(ExitStatus::Refused);
        }
    };
    let st = &verified.statement;
    if !a.quiet {
        if let Some(p) = &st.predicate {
            let mut out = std::io::stdout().lock();
            out.write_all(p.get().as_bytes())?;
            out.write_all(b"\n")?;
            out.flush()?;
        }
        let subjects: Vec<String> = st.subject.iter().map(|s| s.display()).collect();
        eprintln!(
            "verified: {} about {}, signed by key {}",
            st.predicate_type,
            subjects.join(", "),
            verified.key_id
        );
    }
    Ok(ExitStatus::Success)
}

fn parse_digest(s: &str) -> anyhow::Result<Digest> {
    if let Ok(d) = s.parse::<Digest>() {
        return Ok(d);
    }
    ImageRef::parse(s)
        .ok()
        .and_then(|r| r.digest)
        .with_context(|| format!("--image-digest {s:?}: expected sha256:<64 hex> or NAME@sha256:…"))
}
