//! `consign sbom SOURCE`: scan an image and write its SBOM.

use anyhow::Context;
use clap::ValueEnum;
use consign::ScanOptions;
use consign::encode::EncodeOptions;
use consign::model::Scope;
use consign::source::{LoadOptions, Progress, Selector, SourceSpec, parse_platform};

use super::registry_opts::{self, RegistryArgs};
use super::{ExitStatus, from_referrers, output, progress};

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
  consign sbom registry:ghcr.io/org/app@sha256:… --from-referrers -o cyclonedx-json=app.cdx.json";

/// Arguments of `consign sbom`.
#[derive(Debug, clap::Args)]
pub struct SbomArgs {
    /// The image: a `docker save` tarball (optionally gzip- or zstd-compressed), an OCI image
    /// layout (directory or tar), a root filesystem directory, or `-` for a tar on stdin.
    /// Force the kind with a prefix: docker-archive:, oci-archive:, oci-dir:, dir:. Pull from
    /// a registry with registry:HOST/REPO[:TAG|@DIGEST].
    source: String,

    /// Output as FORMAT[=FILE], repeatable; one scan feeds them all. FORMAT is table,
    /// cyclonedx-json (1.6; or cyclonedx-json@1.5, @1.7) or spdx-json (2.3). Without FILE (or
    /// with `-`) the document goes to stdout. Default: table on stdout.
    #[arg(short = 'o', long = "output", value_name = "FORMAT[=FILE]")]
    outputs: Vec<String>,

    /// What to catalog: the filesystem a container sees, or also what later layers deleted.
    #[arg(long, value_enum, default_value_t = ScopeArg::Squashed)]
    scope: ScopeArg,

    /// Platform to pick from a multi-platform image, as os/arch[/variant]. Default: this
    /// machine's platform if present, else the only one.
    #[arg(long, value_name = "OS/ARCH[/VARIANT]")]
    platform: Option<String>,

    /// Image to pick from an archive holding several, as NAME[:TAG] (or an image ID prefix).
    #[arg(long, value_name = "NAME[:TAG]")]
    image: Option<String>,

    /// Catalogers to run, comma-separated names or tags (os, language); prefix with - to
    /// exclude. Default: all. `consign catalogers` lists them.
    #[arg(long, value_delimiter = ',', value_name = "NAMES")]
    catalogers: Vec<String>,

    /// The image's supplier, for the SBOM (NTIA/CISA minimum element), when the image does not
    /// name one (org.opencontainers.image.vendor or .authors, a maintainer label, the config
    /// author).
    #[arg(long, value_name = "NAME", env = "CONSIGN_SUPPLIER")]
    supplier: Option<String>,

    /// No progress bar and no warnings on stderr.
    #[arg(short, long)]
    quiet: bool,

    /// With registry:…, fetch the SBOM attached to the image (OCI referrers, cosign tags,
    /// BuildKit attestations) instead of scanning it. The document is written as attached;
    /// -o chooses the format (cyclonedx-json or spdx-json) and the file.
    #[arg(long)]
    from_referrers: bool,

    #[command(flatten)]
    registry: RegistryArgs,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum ScopeArg {
    /// What a running container sees.
    Squashed,
    /// Also files and packages that later layers deleted or replaced.
    AllLayers,
}

/// Runs `consign sbom`.
pub fn run(a: SbomArgs) -> anyhow::Result<ExitStatus> {
    let spec = SourceSpec::parse(&a.source)?;
    let registry = registry_opts::for_source(&a.registry, &spec)?;
    if a.from_referrers {
        let (SourceSpec::Registry(image), Some(opts)) = (&spec, &registry) else {
            anyhow::bail!("--from-referrers needs a registry:HOST/REPO… source");
        };
        let platform = a
            .platform
            .as_deref()
            .map(parse_platform)
            .transpose()
            .map_err(anyhow::Error::msg)?;
        return from_referrers::run(image, opts, platform.as_ref(), &a.outputs, a.quiet);
    }
    let outputs = output::parse_all(&a.outputs)?;
    let created = output::created_from_env()?;
    let platform = a
        .platform
        .as_deref()
        .map(parse_platform)
        .transpose()
        .map_err(anyhow::Error::msg)?;
    let bar = progress::Bar::new(a.quiet);
    let opts = ScanOptions {
        scope: match a.scope {
            ScopeArg::Squashed => Scope::Squashed,
            ScopeArg::AllLayers => Scope::AllLayers,
        },
        catalogers: a.catalogers,
        load: LoadOptions {
            selector: Selector {
                image: a.image,
                platform,
            },
            progress: bar.as_ref().map(|b| b as &dyn Progress),
            registry: registry.as_ref(),
            ..LoadOptions::default()
        },
    };
    let mut sbom =
        consign::scan(&spec, &opts).with_context(|| format!("cannot scan {}", a.source))?;
    if a.supplier.is_some() {
        sbom.image.supplier_override = a.supplier;
    }
    output::write_all(&sbom, &outputs, &EncodeOptions { created })?;
    if !a.quiet && !sbom.unknowns.is_empty() {
        eprintln!(
            "warning: {} item(s) could not be read; they are listed as unknowns in the SBOM",
            sbom.unknowns.len()
        );
    }
    Ok(ExitStatus::Success)
}
