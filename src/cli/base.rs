//! `consign base add SOURCE --catalog FILE`: record a base image in a base catalog.

use std::path::PathBuf;

use anyhow::Context;
use consign::ScanOptions;
use consign::audit::BaseCatalog;
use consign::audit::catalog::CatalogImage;
use consign::source::{LoadOptions, Progress, Selector, SourceSpec, parse_platform};

use super::limits::LimitArgs;
use super::registry_opts::{self, RegistryArgs};
use super::{ExitStatus, output, progress};

/// `consign base …`.
#[derive(Debug, clap::Subcommand)]
pub enum BaseCommand {
    /// Scan a base image and add it to a catalog (created if missing): its name, tag,
    /// digests, build time, layer diff_ids and OS package versions. Adding the same image
    /// again replaces its entry.
    #[command(
        after_long_help = "Examples:\n  skopeo copy docker://debian:12 oci-archive:debian-12.tar\n  consign base add debian-12.tar --catalog bases.json --name debian:12\n  consign base add registry:docker.io/library/debian:12 --catalog bases.json\n  consign audit app.tar --base-catalog bases.json"
    )]
    Add(AddArgs),
}

/// Arguments of `consign base add`.
#[derive(Debug, clap::Args)]
pub struct AddArgs {
    /// The base image, in any form `consign sbom` reads (registry:HOST/REPO:TAG included).
    source: String,

    /// The catalog file (JSON).
    #[arg(long, value_name = "FILE")]
    catalog: PathBuf,

    /// The name and tag to record (default: what the image records, e.g. its RepoTags).
    #[arg(long, value_name = "NAME[:TAG]")]
    name: Option<String>,

    /// Platform to pick from a multi-platform image, as os/arch[/variant].
    #[arg(long, value_name = "OS/ARCH[/VARIANT]")]
    platform: Option<String>,

    /// Image to pick from an archive holding several, as NAME[:TAG].
    #[arg(long, value_name = "NAME[:TAG]")]
    image: Option<String>,

    /// No progress bar.
    #[arg(short, long)]
    quiet: bool,

    #[command(flatten)]
    pub(super) registry: RegistryArgs,

    /// Limits for reading the image, as `consign sbom` has them.
    #[command(flatten)]
    pub(super) limits: LimitArgs,
}

/// Runs `consign base …`.
pub fn run(c: BaseCommand) -> anyhow::Result<ExitStatus> {
    let BaseCommand::Add(a) = c;
    let spec = SourceSpec::parse(&a.source)?;
    let platform = a
        .platform
        .as_deref()
        .map(parse_platform)
        .transpose()
        .map_err(anyhow::Error::msg)?;
    let mut catalog = if a.catalog.exists() {
        BaseCatalog::load(&a.catalog)?
    } else {
        BaseCatalog::new()
    };
    let registry = registry_opts::for_source(&a.registry, &spec)?;
    let bar = progress::Bar::new(a.quiet);
    let opts = ScanOptions {
        catalogers: vec!["os".into()],
        load: LoadOptions {
            selector: Selector {
                image: a.image.clone(),
                platform,
            },
            progress: bar.as_ref().map(|b| b as &dyn Progress),
            registry: registry.as_ref(),
            limits: a.limits.resolve()?,
            ..LoadOptions::default()
        },
        ..ScanOptions::default()
    };
    let sbom = consign::scan(&spec, &opts).with_context(|| format!("cannot scan {}", a.source))?;
    a.limits.check_strict(&a.source, &sbom)?;
    let entry = CatalogImage::from_sbom(&sbom, a.name.as_deref())?;
    let summary = format!(
        "{} ({} layers, {} packages, created {})",
        entry.reference(),
        entry.diff_ids.len(),
        entry.packages.len(),
        entry.created.as_deref().unwrap_or("unknown")
    );
    let replaced = catalog.add(entry);
    output::write_rendered(vec![(
        Some(a.catalog.clone()),
        catalog.to_json().into_bytes(),
    )])?;
    if !a.quiet {
        eprintln!(
            "{} {summary} in {}",
            if replaced { "replaced" } else { "added" },
            a.catalog.display()
        );
    }
    Ok(ExitStatus::Success)
}
