//! `consign convert IN -o FORMAT[=FILE]`: an SBOM from any producer (or an image) written as
//! CycloneDX 1.5/1.6/1.7 or SPDX 2.3, keeping purls, licenses, hashes, suppliers, authors,
//! dependencies and relationships, and naming the original producer beside consign.

use anyhow::bail;
use consign::encode::EncodeOptions;

use super::limits::LimitArgs;
use super::{ExitStatus, input, output};

/// Examples shown by `consign convert --help`.
pub const EXAMPLES: &str = "\
Examples:
  consign convert syft.cdx.json -o spdx-json=app.spdx.json     # CycloneDX to SPDX
  consign convert trivy.spdx.json -o cyclonedx-json@1.5         # SPDX to CycloneDX 1.5
  consign convert app.cdx.json -o cyclonedx-json@1.7=app.cdx17.json -o spdx-json=app.spdx.json
  cosign verify-attestation … | jq -r .payload | base64 -d > att.json && consign convert att.json -o spdx-json
  syft app:1 -o cyclonedx-json | consign convert - -o spdx-json

The document time is the original's (SOURCE_DATE_EPOCH overrides it), so converting the same
input twice gives the same bytes.";

/// Arguments of `consign convert`.
#[derive(Debug, clap::Args)]
pub struct ConvertArgs {
    /// The SBOM (CycloneDX or SPDX, JSON/XML/tag-value, bare or in an in-toto/DSSE
    /// attestation), `-` for stdin, or an image to scan.
    input: String,

    /// Output as FORMAT[=FILE], repeatable; at least one. FORMAT is cyclonedx-json (1.6; or
    /// @1.5, @1.7), spdx-json (2.3) or table. Without FILE (or with `-`) it goes to stdout.
    #[arg(short = 'o', long = "output", value_name = "FORMAT[=FILE]")]
    outputs: Vec<String>,

    /// No progress bar.
    #[arg(short, long)]
    quiet: bool,

    /// Limits for an image given as the input, as `consign sbom` has them.
    #[command(flatten)]
    pub(super) limits: LimitArgs,
}

/// Runs `consign convert`.
pub fn run(a: ConvertArgs) -> anyhow::Result<ExitStatus> {
    if a.outputs.is_empty() {
        bail!("convert needs an output: -o FORMAT[=FILE] (cyclonedx-json, spdx-json, …)");
    }
    let outputs = output::parse_all(&a.outputs)?;
    let sbom = input::load(&a.input, a.quiet, &a.limits)?;
    let original = sbom
        .document
        .as_ref()
        .and_then(|d| d.timestamp.as_deref())
        .and_then(|t| t.parse::<jiff::Timestamp>().ok());
    let created = match output::source_date_epoch()? {
        Some(t) => t,
        None => original.unwrap_or_else(jiff::Timestamp::now),
    };
    output::write_all(&sbom, &outputs, &EncodeOptions { created })?;
    Ok(ExitStatus::Success)
}
