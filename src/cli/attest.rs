//! `consign attest SBOM --key KEY`: sign an SBOM as an in-toto attestation (DSSE envelope).

use std::path::PathBuf;

use anyhow::Context;
use consign::attest::{self, PrivateKey, Subject};
use consign::registry::ImageRef;
use consign::source::Digest;

use super::{ExitStatus, output};

/// Examples shown by `consign attest --help`.
pub const EXAMPLES: &str = "\
Examples:
  consign key generate --out release                  # release.key + release.pub
  consign sbom registry:localhost:5000/app:1 -o cyclonedx-json=app.cdx.json
  consign attest app.cdx.json --key release.key -o app.att.json
  consign attest app.spdx.json --key release.key --image ghcr.io/org/app@sha256:… -o app.att.json";

/// Arguments of `consign attest`.
#[derive(Debug, clap::Args)]
pub struct AttestArgs {
    /// The SBOM: a CycloneDX or SPDX JSON file (`-` for stdin).
    sbom: String,

    /// Private key: unencrypted PKCS#8 PEM, ECDSA P-256 or Ed25519 (`consign key generate`).
    #[arg(long, value_name = "KEY", env = "CONSIGN_KEY")]
    key: PathBuf,

    /// The image the attestation is about, as NAME@sha256:… (or just sha256:… to keep the
    /// SBOM's name). Default: the image name and manifest digest the SBOM records.
    #[arg(long, value_name = "NAME@DIGEST")]
    image: Option<String>,

    /// Where to write the attestation (DSSE envelope JSON). Default: stdout.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    output: Option<PathBuf>,

    /// No summary on stderr.
    #[arg(short, long)]
    quiet: bool,
}

/// Runs `consign attest`.
pub fn run(a: AttestArgs) -> anyhow::Result<ExitStatus> {
    let sbom = output::read_input(&a.sbom)?;
    let key_text = std::fs::read_to_string(&a.key)
        .with_context(|| format!("cannot read key {}", a.key.display()))?;
    let key = PrivateKey::from_pem(&key_text)
        .with_context(|| format!("cannot use key {}", a.key.display()))?;
    let subject = a
        .image
        .as_deref()
        .map(|i| subject_of(i, &sbom))
        .transpose()?;
    let att = attest::attest_sbom(&sbom, &key, subject)
        .with_context(|| format!("cannot attest {}", a.sbom))?;
    let mut json = att.envelope.to_json();
    json.push('\n');
    match &a.output {
        Some(path) => output::write_file(path, json.as_bytes(), 0o644, true)?,
        None => {
            use std::io::Write;
            let mut out = std::io::stdout().lock();
            out.write_all(json.as_bytes())?;
            out.flush()?;
        }
    }
    if !a.quiet {
        eprintln!(
            "attested {} as {} for {} with key {}",
            a.sbom,
            att.predicate_type,
            att.subject.display(),
            key.public_key().key_id()
        );
    }
    Ok(ExitStatus::Success)
}

/// The subject `--image` names: `NAME@DIGEST`, or a bare digest with the SBOM's image name.
fn subject_of(image: &str, sbom: &[u8]) -> anyhow::Result<Subject> {
    if let Ok(d) = image.parse::<Digest>() {
        let name = serde_json::from_slice(sbom)
            .ok()
            .and_then(|doc| attest::sbom::inspect(&doc).ok())
            .and_then(|i| i.image_name)
            .unwrap_or_default();
        return Ok(Subject::image(&name, &d));
    }
    let r = ImageRef::parse(image).map_err(anyhow::Error::msg)?;
    let d = r.digest.as_ref().with_context(|| {
        format!("--image {image}: name the image by digest (NAME@sha256:…); a tag can move")
    })?;
    Ok(Subject::image(&r.name(), d))
}
