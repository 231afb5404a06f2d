//! `consign audit SOURCE`: judge an image against a policy; exit 1 when a finding is at or
//! above `--fail-on`.

use std::path::PathBuf;

use anyhow::{Context, bail};
use consign::ScanOptions;
use consign::audit::{self, AuditInput, BaseCatalog, Dockerfile, Severity, ValidPolicy};
use consign::source::{LoadOptions, Progress, Selector, SourceSpec, parse_platform};

use super::limits::LimitArgs;
use super::registry_opts::{self, RegistryArgs};
use super::{ExitStatus, output, progress};

/// Examples shown by `consign audit --help`.
pub const EXAMPLES: &str = "\
Examples:
  consign audit app.tar                                  # built-in policy, table on stdout
  consign audit app.tar --dockerfile Dockerfile --policy audit.toml
  consign audit oci-dir:./layout --base-catalog bases.json -o json=audit.json -o sarif=audit.sarif
  consign audit app.tar --fail-on critical               # exit 1 only for critical findings
  consign audit registry:ghcr.io/org/app:1 --platform linux/arm64
  consign audit --print-default-policy > audit.toml      # start a policy from the default

Exit status: 0 when no finding is at or above --fail-on, 1 when one is, 2 on an error.";

/// Arguments of `consign audit`.
#[derive(Debug, clap::Args)]
pub struct AuditArgs {
    /// The image, as for `consign sbom`: a docker-save tarball, an OCI layout (directory or
    /// tar), a root filesystem directory, `-` for stdin, or registry:HOST/REPO[:TAG|@DIGEST].
    #[arg(required_unless_present = "print_default_policy")]
    source: Option<String>,

    /// The policy (TOML). Default: the built-in policy (`--print-default-policy`).
    #[arg(long, value_name = "FILE", env = "CONSIGN_POLICY")]
    policy: Option<PathBuf>,

    /// The Dockerfile the image was built from: findings then point at its lines.
    #[arg(long, value_name = "FILE")]
    dockerfile: Option<PathBuf>,

    /// A base catalog (`consign base add`), to identify the base by its layers and notice
    /// newer builds of it.
    #[arg(long, value_name = "FILE", env = "CONSIGN_BASE_CATALOG")]
    base_catalog: Option<PathBuf>,

    /// Output as FORMAT[=FILE], repeatable: table (default), json, sarif. Without FILE (or
    /// with `-`) the output goes to stdout.
    #[arg(short = 'o', long = "output", value_name = "FORMAT[=FILE]")]
    outputs: Vec<String>,

    /// Exit with status 1 when a finding has this severity or a higher one.
    #[arg(long, value_name = "SEVERITY", default_value = "high", value_parser = parse_severity, env = "CONSIGN_FAIL_ON")]
    fail_on: Severity,

    /// Print the built-in policy and exit.
    #[arg(long)]
    print_default_policy: bool,

    /// Evaluate the policy at this time (RFC 3339 or YYYY-MM-DD) instead of now: for
    /// reproducible audits. `SOURCE_DATE_EPOCH` is deliberately not used for this.
    #[arg(long, value_name = "TIME")]
    now: Option<String>,

    /// Platform to pick from a multi-platform image, as os/arch[/variant].
    #[arg(long, value_name = "OS/ARCH[/VARIANT]", env = "CONSIGN_PLATFORM")]
    platform: Option<String>,

    /// Image to pick from an archive holding several, as NAME[:TAG].
    #[arg(long, value_name = "NAME[:TAG]")]
    image: Option<String>,

    /// No progress bar and no summary on stderr.
    #[arg(short, long)]
    quiet: bool,

    #[command(flatten)]
    pub(super) registry: RegistryArgs,

    #[command(flatten)]
    pub(super) limits: LimitArgs,
}

fn parse_severity(s: &str) -> Result<Severity, String> {
    s.parse()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Table,
    Json,
    Sarif,
}

/// Parses every `-o` value (`FORMAT[=FILE]`, as `sbom` takes them, with the audit's formats);
/// the default is a table on stdout.
fn parse_outputs(values: &[String]) -> anyhow::Result<Vec<(Format, Option<PathBuf>)>> {
    if values.is_empty() {
        return Ok(vec![(Format::Table, None)]);
    }
    let mut out = Vec::new();
    for v in values {
        let (f, path) = output::split_spec(v);
        let format = match f {
            "table" => Format::Table,
            "json" => Format::Json,
            "sarif" => Format::Sarif,
            _ => bail!("invalid -o {v:?}: unknown format {f:?} (expected table, json or sarif)"),
        };
        out.push((format, path));
    }
    output::one_stdout(out.iter().map(|(_, p)| p))?;
    Ok(out)
}

/// Parses `--now`.
pub fn parse_now(s: Option<&str>) -> anyhow::Result<jiff::Timestamp> {
    match s {
        None => Ok(jiff::Timestamp::now()),
        Some(t) => {
            if let Ok(ts) = t.parse::<jiff::Timestamp>() {
                return Ok(ts);
            }
            let d: jiff::civil::Date = t
                .parse()
                .with_context(|| format!("--now {t:?}: expected RFC 3339 or YYYY-MM-DD"))?;
            Ok(format!("{d}T00:00:00Z").parse()?)
        }
    }
}

/// Runs `consign audit`.
pub fn run(a: AuditArgs) -> anyhow::Result<ExitStatus> {
    if a.print_default_policy {
        print!("{}", audit::DEFAULT_POLICY);
        return Ok(ExitStatus::Success);
    }
    let Some(source) = a.source.as_deref() else {
        bail!("missing SOURCE");
    };
    let outputs = parse_outputs(&a.outputs)?;
    let now = parse_now(a.now.as_deref())?;
    let policy = match &a.policy {
        Some(p) => {
            let text = std::fs::read_to_string(p)
                .with_context(|| format!("cannot read policy {}", p.display()))?;
            ValidPolicy::from_toml(&text, &p.display().to_string())?
        }
        None => ValidPolicy::default_policy(),
    };
    let dockerfile = match &a.dockerfile {
        Some(p) => {
            let text = std::fs::read_to_string(p)
                .with_context(|| format!("cannot read Dockerfile {}", p.display()))?;
            Some(Dockerfile::parse(&text, &p.display().to_string()))
        }
        None => None,
    };
    let catalog = match &a.base_catalog {
        Some(p) => Some(BaseCatalog::load(p)?),
        None => None,
    };
    let spec = SourceSpec::parse(source)?;
    let platform = a
        .platform
        .as_deref()
        .map(parse_platform)
        .transpose()
        .map_err(anyhow::Error::msg)?;
    let registry = registry_opts::for_source(&a.registry, &spec)?;
    let limits = a.limits.resolve()?;
    let bar = progress::Bar::new(a.quiet);
    let opts = ScanOptions {
        load: LoadOptions {
            selector: Selector {
                image: a.image.clone(),
                platform,
            },
            progress: bar.as_ref().map(|b| b as &dyn Progress),
            registry: registry.as_ref(),
            limits,
            ..LoadOptions::default()
        },
        ..ScanOptions::default()
    };
    let scanned = consign::scan_layers(&spec, &opts, &audit::secrets::CAPTURE)
        .with_context(|| format!("cannot scan {source}"))?;
    a.limits.check_strict(source, &scanned.sbom)?;
    let input = AuditInput {
        sbom: &scanned.sbom,
        trees: &scanned.trees,
        dockerfile: dockerfile.as_ref(),
        catalog: catalog.as_ref(),
        provenance: &scanned.provenance,
        now,
    };
    let report = audit::audit(&input, &policy);
    let df_path = a.dockerfile.as_ref().map(|p| p.display().to_string());
    let docs = outputs
        .into_iter()
        .map(|(f, path)| {
            let bytes = match f {
                Format::Table => report.to_table(),
                Format::Json => report.to_json(),
                Format::Sarif => audit::sarif::to_sarif(&report, &policy, df_path.as_deref()),
            };
            (path, bytes.into_bytes())
        })
        .collect();
    output::write_rendered(docs)?;
    let failing = report.count_at_or_above(a.fail_on);
    if !a.quiet {
        eprintln!(
            "consign audit: {} findings, {failing} at or above {}",
            report.findings.len(),
            a.fail_on
        );
    }
    Ok(if failing > 0 {
        ExitStatus::Findings
    } else {
        ExitStatus::Success
    })
}
