//! `consign score SBOM`: how complete an SBOM is against the NTIA and CISA 2025 minimum
//! elements, field by field, with the components missing each.

use anyhow::{Context, bail};
use clap::ValueEnum;
use consign::encode::{self, CdxVersion, EncodeOptions, Format};
use consign::score::{self, Standard};

use super::limits::LimitArgs;
use super::output;
use super::{ExitStatus, input};

/// Examples shown by `consign score --help`.
pub const EXAMPLES: &str = "\
Examples:
  consign score app.cdx.json                          # table: coverage per field
  consign score app.spdx.json --fail-under 90         # CI gate on the CISA 2025 score
  consign score app.spdx.json --standard ntia --fail-under 100
  consign score app.tar -o json=score.json            # an image: scores the CycloneDX consign writes

Exit status: 0, or 1 when the score is below --fail-under, 2 on an error.";

/// Arguments of `consign score`.
#[derive(Debug, clap::Args)]
pub struct ScoreArgs {
    /// The SBOM (CycloneDX or SPDX, JSON/XML/tag-value, bare or in an attestation), `-` for
    /// stdin, or an image (scored as the CycloneDX 1.6 document consign writes for it).
    input: String,

    /// Output as FORMAT[=FILE], repeatable: table (default) or json (every missing component
    /// listed).
    #[arg(short = 'o', long = "output", value_name = "FORMAT[=FILE]")]
    outputs: Vec<String>,

    /// Exit with status 1 when the score is below PERCENT.
    #[arg(long, value_name = "PERCENT", env = "CONSIGN_FAIL_UNDER")]
    fail_under: Option<f64>,

    /// The standard --fail-under applies to.
    #[arg(long, value_enum, default_value_t = StandardArg::Cisa2025, env = "CONSIGN_STANDARD")]
    standard: StandardArg,

    /// How many missing components the table names per field.
    #[arg(long, value_name = "N", default_value_t = 3)]
    list_missing: usize,

    /// No progress bar and no explanation on stderr.
    #[arg(short, long)]
    quiet: bool,

    /// Limits for an image given as the input, as `consign sbom` has them.
    #[command(flatten)]
    pub(super) limits: LimitArgs,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub(super) enum StandardArg {
    /// NTIA minimum elements (2021).
    Ntia,
    /// CISA 2025 minimum elements.
    #[value(name = "cisa-2025")]
    Cisa2025,
}

/// Runs `consign score`.
pub fn run(a: ScoreArgs) -> anyhow::Result<ExitStatus> {
    if let Some(p) = a.fail_under
        && !(0.0..=100.0).contains(&p)
    {
        bail!("--fail-under {p}: expected a percentage from 0 to 100");
    }
    let mut outputs = Vec::new();
    for v in &a.outputs {
        let (fmt, path) = output::split_spec(v);
        let json = match fmt {
            "table" => false,
            "json" => true,
            _ => bail!("invalid -o {v:?}: unknown format {fmt:?}; expected table or json"),
        };
        outputs.push((json, path));
    }
    if outputs.is_empty() {
        outputs.push((false, None));
    }
    output::one_stdout(outputs.iter().map(|(_, p)| p))?;
    let mut sbom = input::load(&a.input, a.quiet, &a.limits)?;
    if sbom.document.is_none() {
        // A scan: measure the document consign writes, not the model.
        let format = Format::CycloneDxJson(CdxVersion::default());
        let opts = EncodeOptions {
            created: output::created_from_env()?,
        };
        let mut bytes = Vec::new();
        encode::encode(&sbom, &format, &opts, &mut bytes)?;
        let input = sbom.image.input.clone();
        sbom = consign::decode::decode(&bytes, &input).context("reading back the scan's SBOM")?;
    }
    let s = score::score(&sbom);
    let docs = outputs
        .into_iter()
        .map(|(json, path)| {
            let bytes = if json {
                score::json(&s)
            } else {
                score::table(&s, a.list_missing)
            }
            .into_bytes();
            (path, bytes)
        })
        .collect();
    output::write_rendered(docs)?;
    let standard = match a.standard {
        StandardArg::Ntia => Standard::Ntia,
        StandardArg::Cisa2025 => Standard::Cisa2025,
    };
    match a.fail_under {
        Some(min) if s.of(standard) < min => {
            if !a.quiet {
                eprintln!(
                    "consign score: {} score {}% is below {min}%",
                    standard.as_str(),
                    s.of(standard)
                );
            }
            Ok(ExitStatus::Findings)
        }
        _ => Ok(ExitStatus::Success),
    }
}
