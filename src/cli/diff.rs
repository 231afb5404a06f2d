//! `consign diff OLD NEW`: what changed between two SBOMs (or images), for release notes and
//! CI gates.

use anyhow::bail;
use clap::ValueEnum;
use consign::diff::{self, DiffOptions, SbomDiff, render};

use super::limits::LimitArgs;
use super::output;
use super::{ExitStatus, input};

/// Examples shown by `consign diff --help`.
pub const EXAMPLES: &str = "\
Examples:
  consign diff old.cdx.json new.spdx.json                  # any two SBOMs, any producers
  consign diff app-1.0.tar app-1.1.tar                     # two images, scanned first
  consign diff old.json new.json -o markdown=CHANGES.md    # release notes
  consign diff old.json new.json -o json=diff.json -o table
  consign diff old.json new.json --fail-on downgraded --fail-on license-change --deny-license 'GPL-3.0*'

Exit status: 0 when no --fail-on kind of change is present, 1 when one is, 2 on an error.";

/// Arguments of `consign diff`.
#[derive(Debug, clap::Args)]
pub struct DiffArgs {
    /// The old SBOM (CycloneDX or SPDX, JSON/XML/tag-value, bare or in an in-toto/DSSE
    /// attestation) or image (a path, or docker-archive:, oci-archive:, oci-dir:, dir:).
    old: String,

    /// The new SBOM or image.
    new: String,

    /// Output as FORMAT[=FILE], repeatable: table (default), markdown (release notes), json
    /// (schema in docs/diff-json.md). Without FILE (or with `-`) it goes to stdout.
    #[arg(short = 'o', long = "output", value_name = "FORMAT[=FILE]")]
    outputs: Vec<String>,

    /// Exit with status 1 when a change of this kind is present; repeatable (or
    /// comma-separated).
    #[arg(
        long,
        value_enum,
        value_name = "KIND",
        value_delimiter = ',',
        env = "CONSIGN_DIFF_FAIL_ON"
    )]
    fail_on: Vec<FailOn>,

    /// A license the policy denies (SPDX id; a trailing * matches any suffix, e.g.
    /// 'GPL-3.0*'); a package bringing one in is a license change. Repeatable (or
    /// comma-separated).
    #[arg(
        long,
        value_name = "ID",
        value_delimiter = ',',
        env = "CONSIGN_DENY_LICENSE"
    )]
    deny_license: Vec<String>,

    /// No progress bar and no explanation on stderr.
    #[arg(short, long)]
    quiet: bool,

    /// Limits for an image given as OLD or NEW, as `consign sbom` has them.
    #[command(flatten)]
    pub(super) limits: LimitArgs,
}

/// Kinds of change `--fail-on` can act on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(super) enum FailOn {
    /// A package only in the new SBOM.
    Added,
    /// A package only in the old SBOM.
    Removed,
    /// A newer version.
    Upgraded,
    /// An older version.
    Downgraded,
    /// The same version with another hash, license or supplier.
    Changed,
    /// A license changed, a license new to the image, or a denied license came in.
    LicenseChange,
    /// Any change at all, the image's own included.
    Any,
}

#[derive(Debug, Clone, Copy)]
enum Report {
    Table,
    Markdown,
    Json,
}

fn parse_outputs(values: &[String]) -> anyhow::Result<Vec<(Report, Option<std::path::PathBuf>)>> {
    if values.is_empty() {
        return Ok(vec![(Report::Table, None)]);
    }
    let mut out = Vec::new();
    for v in values {
        let (fmt, path) = output::split_spec(v);
        let report = match fmt {
            "table" => Report::Table,
            "markdown" | "md" => Report::Markdown,
            "json" => Report::Json,
            _ => {
                bail!("invalid -o {v:?}: unknown format {fmt:?}; expected table, markdown or json")
            }
        };
        out.push((report, path));
    }
    output::one_stdout(out.iter().map(|(_, p)| p))?;
    Ok(out)
}

/// The `--fail-on` kinds present in `d`, as `2 downgraded`-style phrases.
fn triggered(d: &SbomDiff, fail_on: &[FailOn]) -> Vec<String> {
    let t = d.total();
    let mut hits = Vec::new();
    for f in fail_on {
        let (n, what) = match f {
            FailOn::Added => (t.added, "added"),
            FailOn::Removed => (t.removed, "removed"),
            FailOn::Upgraded => (t.upgraded, "upgraded"),
            FailOn::Downgraded => (t.downgraded, "downgraded"),
            FailOn::Changed => (t.changed, "changed"),
            FailOn::LicenseChange => (d.license_changes.len(), "license change(s)"),
            FailOn::Any => (usize::from(!d.is_empty()), "changes"),
        };
        let hit = if *f == FailOn::Any {
            "changes".to_owned()
        } else {
            format!("{n} {what}")
        };
        if n > 0 && !hits.contains(&hit) {
            hits.push(hit);
        }
    }
    hits
}

/// Runs `consign diff`.
pub fn run(a: DiffArgs) -> anyhow::Result<ExitStatus> {
    let outputs = parse_outputs(&a.outputs)?;
    let old = input::load(&a.old, a.quiet, &a.limits)?;
    let new = input::load(&a.new, a.quiet, &a.limits)?;
    let opts = DiffOptions {
        deny_licenses: a.deny_license,
    };
    let d = diff::diff(&old, &new, &opts);
    let docs = outputs
        .into_iter()
        .map(|(report, path)| {
            let bytes = match report {
                Report::Table => render::table(&d),
                Report::Markdown => render::markdown(&d),
                Report::Json => render::json(&d),
            }
            .into_bytes();
            (path, bytes)
        })
        .collect();
    output::write_rendered(docs)?;
    let hits = triggered(&d, &a.fail_on);
    if hits.is_empty() {
        return Ok(ExitStatus::Success);
    }
    if !a.quiet {
        eprintln!("consign diff: failing on {}", hits.join(", "));
    }
    Ok(ExitStatus::Findings)
}
