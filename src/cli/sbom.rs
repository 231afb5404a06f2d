//! `consign sbom SOURCE`: scan an image and write its SBOM.

use std::collections::BTreeSet;
use std::num::NonZeroUsize;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use clap::ValueEnum;
use consign::encode::EncodeOptions;
use consign::model::{Platform, Scope};
use consign::source::{
    Limits, LoadOptions, Progress, Selector, SourceSpec, Verify, parse_platform,
};
use consign::{Sbom, ScanOptions};

use super::limits::LimitArgs;
use super::output::OutputSpec;
use super::registry_opts::{self, RegistryArgs, client_options};
use super::{ExitStatus, batch, from_referrers, output, progress};

/// Examples shown by `consign sbom --help`.
pub const EXAMPLES: &str = "\
Examples:
  consign sbom app.tar                                   # docker save output, table on stdout
  consign sbom oci-dir:./layout -o cyclonedx-json=app.cdx.json -o spdx-json=app.spdx.json
  docker save app:1 | consign sbom - -o cyclonedx-json@1.5
  consign sbom multi.tar --image app:1 --platform linux/arm64
  consign sbom dir:/srv/rootfs --scope all-layers
  SOURCE_DATE_EPOCH=0 consign sbom app.tar -o spdx-json=app.spdx.json   # reproducible bytes
  consign sbom registry:ghcr.io/org/app:1 --platform linux/arm64
  consign sbom registry:localhost:5000/app:1 --insecure-registry -o spdx-json=app.spdx.json
  consign sbom registry:ghcr.io/org/app@sha256:… --from-referrers -o cyclonedx-json=app.cdx.json
  consign sbom --from-list images.txt -o cyclonedx-json=out/{name}.cdx.json --jobs 4
  consign sbom --from-list images.txt --shard 2/3 -o spdx-json=out/{index}-{name}.spdx.json
  JOB_COMPLETION_INDEX=0 consign sbom --from-list images.txt --shard auto/3 -o cyclonedx-json=out/{name}.json

Exit status: 0 success; 2 on an error, or when any image of a --from-list batch failed.";

/// Arguments of `consign sbom`.
#[derive(Debug, clap::Args)]
pub struct SbomArgs {
    /// The image: a `docker save` tarball (optionally gzip- or zstd-compressed), an OCI image
    /// layout (directory or tar), a root filesystem directory, or `-` for a tar on stdin.
    /// Force the kind with a prefix: docker-archive:, oci-archive:, oci-dir:, dir:. Pull from
    /// a registry with registry:HOST/REPO[:TAG|@DIGEST].
    #[arg(required_unless_present = "from_list", conflicts_with = "from_list")]
    source: Option<String>,

    /// Output as FORMAT[=FILE], repeatable; one scan feeds them all. FORMAT is table,
    /// cyclonedx-json (1.6; or cyclonedx-json@1.5, @1.7) or spdx-json (2.3). Without FILE (or
    /// with `-`) the document goes to stdout. Default: table on stdout. With --from-list,
    /// FILE is a template: {name}, {index}, {digest}.
    #[arg(short = 'o', long = "output", value_name = "FORMAT[=FILE]")]
    outputs: Vec<String>,

    /// What to catalog: the filesystem a container sees, or also what later layers deleted.
    #[arg(long, value_enum, default_value_t = ScopeArg::Squashed, env = "CONSIGN_SCOPE")]
    scope: ScopeArg,

    /// Platform to pick from a multi-platform image, as os/arch[/variant]. Default: this
    /// machine's platform if present, else the only one.
    #[arg(long, value_name = "OS/ARCH[/VARIANT]", env = "CONSIGN_PLATFORM")]
    platform: Option<String>,

    /// Image to pick from an archive holding several, as NAME[:TAG] (or an image ID prefix).
    #[arg(long, value_name = "NAME[:TAG]")]
    image: Option<String>,

    /// Catalogers to run, comma-separated names or tags (os, language); prefix with - to
    /// exclude. Default: all. `consign catalogers` lists them.
    #[arg(
        long,
        value_delimiter = ',',
        value_name = "NAMES",
        env = "CONSIGN_CATALOGERS"
    )]
    catalogers: Vec<String>,

    /// The image's supplier, for the SBOM (NTIA/CISA minimum element), when the image does not
    /// name one (org.opencontainers.image.vendor or .authors, a maintainer label, the config
    /// author).
    #[arg(long, value_name = "NAME", env = "CONSIGN_SUPPLIER")]
    supplier: Option<String>,

    /// What to check while reading: `all` checks every blob digest and every layer's diff_id
    /// (the digest of the uncompressed layer), as `docker load` does; `blobs` checks the blob
    /// digests and takes a compressed layer's diff_id from the config as stated, which saves
    /// hashing every uncompressed byte (~20% less CPU on gzip layers). The layers read are
    /// still exactly those the manifest names; unchecked is only that the config's diff_ids
    /// (used to recognise base images) describe them.
    #[arg(long, value_enum, default_value_t = VerifyArg::All, env = "CONSIGN_VERIFY")]
    verify: VerifyArg,

    /// No progress bar and no warnings on stderr.
    #[arg(short, long)]
    quiet: bool,

    /// With registry:…, fetch the SBOM attached to the image (OCI referrers, cosign tags,
    /// BuildKit attestations) instead of scanning it. The document is written as attached;
    /// -o chooses the format (cyclonedx-json or spdx-json) and the file.
    #[arg(long, conflicts_with = "from_list")]
    from_referrers: bool,

    #[command(flatten)]
    pub(super) registry: RegistryArgs,

    #[command(flatten)]
    pub(super) limits: LimitArgs,

    /// Scan every image listed in FILE (one per line, # comments; `-` for stdin), each
    /// written to the -o templates, e.g. -o cyclonedx-json=out/{name}.cdx.json. One image
    /// failing does not stop the others; the run then exits 2.
    #[arg(long, value_name = "FILE", help_heading = "Batch")]
    from_list: Option<PathBuf>,

    /// With --from-list: how many images to scan at once. Default: the number of CPUs.
    #[arg(long, value_name = "N", env = "CONSIGN_JOBS", help_heading = "Batch")]
    jobs: Option<NonZeroUsize>,

    /// With --from-list: scan only shard I of N (1-based; image index modulo N = I-1), for a
    /// CI matrix; auto/N takes I-1 from JOB_COMPLETION_INDEX (Kubernetes Indexed Jobs).
    #[arg(
        long,
        value_name = "I/N",
        env = "CONSIGN_SHARD",
        help_heading = "Batch"
    )]
    shard: Option<String>,

    /// The flags given on the command line (not by the environment or a config file).
    #[arg(skip)]
    pub(super) given: BTreeSet<String>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub(super) enum ScopeArg {
    /// What a running container sees.
    Squashed,
    /// Also files and packages that later layers deleted or replaced.
    AllLayers,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub(super) enum VerifyArg {
    /// Blob digests and diff_ids.
    All,
    /// Blob digests; diff_ids of compressed layers as the config states them.
    Blobs,
}

/// What every scan of one run shares.
struct Common<'a> {
    scope: Scope,
    verify: Verify,
    catalogers: &'a [String],
    image: Option<&'a str>,
    platform: Option<Platform>,
    supplier: Option<&'a str>,
    registry: &'a RegistryArgs,
    limits: Limits,
    strictness: &'a LimitArgs,
}

impl Common<'_> {
    /// Scans `source`, with a progress bar when `bar` is given.
    fn scan(&self, source: &str, bar: Option<&progress::Bar>) -> anyhow::Result<Sbom> {
        let spec = SourceSpec::parse(source)?;
        let registry = match &spec {
            SourceSpec::Registry(r) => Some(client_options(self.registry, r)?),
            _ => None,
        };
        let opts = ScanOptions {
            scope: self.scope,
            catalogers: self.catalogers.to_vec(),
            load: LoadOptions {
                selector: Selector {
                    image: self.image.map(str::to_owned),
                    platform: self.platform.clone(),
                },
                progress: bar.map(|b| b as &dyn Progress),
                registry: registry.as_ref(),
                limits: self.limits.clone(),
                verify: self.verify,
            },
        };
        tracing::debug!("scanning {source}");
        let mut sbom =
            consign::scan(&spec, &opts).with_context(|| format!("cannot scan {source}"))?;
        self.strictness.check_strict(source, &sbom)?;
        if let Some(s) = self.supplier {
            sbom.image.supplier_override = Some(s.to_owned());
        }
        Ok(sbom)
    }
}

/// Runs `consign sbom`.
pub fn run(a: SbomArgs) -> anyhow::Result<ExitStatus> {
    let platform = a
        .platform
        .as_deref()
        .map(parse_platform)
        .transpose()
        .map_err(anyhow::Error::msg)?;
    let common = Common {
        scope: match a.scope {
            ScopeArg::Squashed => Scope::Squashed,
            ScopeArg::AllLayers => Scope::AllLayers,
        },
        verify: match a.verify {
            VerifyArg::All => Verify::All,
            VerifyArg::Blobs => Verify::Blobs,
        },
        catalogers: &a.catalogers,
        image: a.image.as_deref(),
        platform: platform.clone(),
        supplier: a.supplier.as_deref(),
        registry: &a.registry,
        limits: a.limits.resolve()?,
        strictness: &a.limits,
    };
    if let Some(list) = &a.from_list {
        return from_list(&a, list, &common);
    }
    for flag in ["jobs", "shard"] {
        if a.given.contains(flag) {
            bail!("--{flag} applies to --from-list only");
        }
    }
    let Some(source) = a.source.as_deref() else {
        bail!("missing SOURCE (or --from-list FILE)");
    };
    let spec = SourceSpec::parse(source)?;
    let registry = registry_opts::for_source(&a.registry, &spec)?;
    if a.from_referrers {
        let (SourceSpec::Registry(image), Some(opts)) = (&spec, &registry) else {
            bail!("--from-referrers needs a registry:HOST/REPO… source");
        };
        return from_referrers::run(image, opts, platform.as_ref(), &a.outputs, a.quiet);
    }
    let outputs = output::parse_all(&a.outputs)?;
    let created = output::created_from_env()?;
    let bar = progress::Bar::new(a.quiet);
    let sbom = common.scan(source, bar.as_ref())?;
    output::write_all(&sbom, &outputs, &EncodeOptions { created })?;
    if !sbom.unknowns.is_empty() {
        tracing::warn!(
            "{} item(s) could not be read; they are listed as unknowns in the SBOM",
            sbom.unknowns.len()
        );
    }
    Ok(ExitStatus::Success)
}

/// `--from-list`: every listed image (of this shard), `--jobs` at a time.
fn from_list(a: &SbomArgs, list: &Path, common: &Common<'_>) -> anyhow::Result<ExitStatus> {
    let entries = batch::read_list(list)?;
    if entries.is_empty() {
        bail!("{} lists no images", list.display());
    }
    if a.outputs.is_empty() {
        bail!(
            "--from-list needs at least one -o FORMAT=TEMPLATE, e.g. -o cyclonedx-json=out/{{name}}.cdx.json"
        );
    }
    let mut templates = Vec::new();
    for (o, raw) in output::parse_all(&a.outputs)?.into_iter().zip(&a.outputs) {
        let Some(path) = &o.path else {
            bail!(
                "with --from-list every -o needs a file template, e.g. -o {}=out/{{name}}.json",
                output::split_spec(raw).0
            );
        };
        let t = batch::Template::parse(&path.to_string_lossy()).map_err(anyhow::Error::msg)?;
        templates.push((o.format, t));
    }
    let just_templates: Vec<_> = templates.iter().map(|(_, t)| t.clone()).collect();
    batch::check_collisions(&entries, &just_templates)?;
    let shard = match &a.shard {
        Some(s) => {
            let job = std::env::var("JOB_COMPLETION_INDEX").ok();
            Some(batch::Shard::parse(s, job.as_deref()).map_err(anyhow::Error::msg)?)
        }
        None => None,
    };
    let total = entries.len();
    let mine: Vec<batch::Entry> = entries
        .into_iter()
        .filter(|e| shard.is_none_or(|s| s.contains(e.index)))
        .collect();
    let jobs = a.jobs.map_or_else(
        || std::thread::available_parallelism().map_or(1, NonZeroUsize::get),
        NonZeroUsize::get,
    );
    let created = output::created_from_env()?;
    let claims = batch::Claims::default();
    let shard_note = shard.map_or(String::new(), |s| {
        format!(
            " (shard {}/{}: {} of {total})",
            s.index,
            s.count,
            mine.len()
        )
    });
    tracing::info!(
        "{} image(s) from {}{shard_note}, {jobs} at a time",
        mine.len(),
        list.display()
    );
    let outcomes = batch::run_all(
        &mine,
        jobs,
        |e| {
            let sbom = common.scan(&e.source, None)?;
            let digest = sbom
                .image
                .digest()
                .map(|d| d.to_string().replacen(':', "-", 1));
            let mut outputs = Vec::new();
            for (format, t) in &templates {
                let path = t.render(e, digest.as_deref()).map_err(anyhow::Error::msg)?;
                if t.needs_digest() {
                    claims.claim(&path)?;
                }
                if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                    std::fs::create_dir_all(dir)
                        .with_context(|| format!("cannot create {}", dir.display()))?;
                }
                outputs.push(OutputSpec {
                    format: *format,
                    path: Some(path),
                });
            }
            output::write_all(&sbom, &outputs, &EncodeOptions { created })?;
            Ok((sbom.packages.len(), sbom.unknowns.len()))
        },
        |e, outcome| match outcome {
            Ok((packages, unknowns)) => tracing::info!(
                "[{}] {}: {packages} packages, {unknowns} unknowns",
                e.index,
                e.source
            ),
            Err(err) => tracing::error!("[{}] {}: {err:#}", e.index, e.source),
        },
    );
    let failed: Vec<&batch::Entry> = mine
        .iter()
        .zip(&outcomes)
        .filter(|(_, o)| o.is_err())
        .map(|(e, _)| e)
        .collect();
    if !a.quiet {
        eprintln!(
            "consign sbom: {} of {} image(s) scanned, {} failed{shard_note}",
            mine.len() - failed.len(),
            mine.len(),
            failed.len()
        );
    }
    if !failed.is_empty() {
        let which: Vec<String> = failed
            .iter()
            .map(|e| format!("[{}] {}", e.index, e.source))
            .collect();
        bail!(
            "{} of {} image(s) could not be scanned: {}",
            failed.len(),
            mine.len(),
            which.join(", ")
        );
    }
    Ok(ExitStatus::Success)
}
