//! `consign referrers HOST/REPO@DIGEST`: list what is attached to an image — OCI referrers
//! (referrers API or tag schema), cosign's `.att`/`.sbom`/`.sig` tags and BuildKit attestation
//! manifests.
//!
//! The table has one line per referrer: `SOURCE ARTIFACT-TYPE DIGEST SUBJECT DETAILS`;
//! `--format json` prints the same as a JSON array for scripts.

use consign::registry::{self, ImageRef, referrers};
use consign::source::{Limits, parse_platform};
use serde_json::json;

use super::ExitStatus;
use super::registry_opts::{RegistryArgs, client_options};

/// Examples shown by `consign referrers --help`.
pub const EXAMPLES: &str = "\
Examples:
  consign referrers localhost:5000/app@sha256:…
  consign referrers ghcr.io/org/app:1 --platform linux/arm64 --format json";

/// Arguments of `consign referrers`.
#[derive(Debug, clap::Args)]
pub struct ReferrersArgs {
    /// The image, HOST/REPO@DIGEST (or :TAG, resolved to its digest).
    image: String,

    /// For a multi-platform image: list what refers to this platform's manifest instead of
    /// the index.
    #[arg(long, value_name = "OS/ARCH[/VARIANT]")]
    platform: Option<String>,

    /// Output format.
    #[arg(long, default_value = "table", value_parser = ["table", "json"])]
    format: String,

    #[command(flatten)]
    registry: RegistryArgs,
}

/// Runs `consign referrers`; `quiet` leaves out the count on stderr.
pub fn run(a: ReferrersArgs, quiet: bool) -> anyhow::Result<ExitStatus> {
    let image = ImageRef::parse(&a.image).map_err(anyhow::Error::msg)?;
    let platform = a
        .platform
        .as_deref()
        .map(parse_platform)
        .transpose()
        .map_err(anyhow::Error::msg)?;
    let opts = client_options(&a.registry, &image)?;
    let client = registry::client_for(&image, &opts)?;
    let limit = Limits::default().max_json_bytes;
    let resolved = registry::resolve(&client, &image, platform.as_ref(), limit)?;
    let subject = if platform.is_some() {
        resolved.manifest.clone()
    } else {
        resolved.top.digest.clone()
    };
    let index = resolved.index.as_ref().map(|i| (&resolved.top.digest, i));
    let list = referrers::list(&client, &image.repository, &subject, index, limit)?;
    if a.format == "json" {
        let items: Vec<serde_json::Value> = list
            .iter()
            .map(|r| {
                json!({
                    "source": r.source.as_str(),
                    "subject": r.subject.to_string(),
                    "digest": r.manifest.digest,
                    "mediaType": r.manifest.media_type,
                    "artifactType": r.manifest.artifact_type,
                    "size": r.manifest.size,
                    "predicateTypes": r.predicate_types,
                    "annotations": r.manifest.annotations,
                })
            })
            .collect();
        println!("{}", serde_json::to_string_pretty(&items)?);
        return Ok(ExitStatus::Success);
    }
    if !quiet {
        eprintln!(
            "{} referrer(s) of {}",
            list.len(),
            image.with_digest(subject)
        );
    }
    if list.is_empty() {
        return Ok(ExitStatus::Success);
    }
    let rows: Vec<[String; 5]> = list
        .iter()
        .map(|r| {
            let details = referrers::summary(r)
                .into_iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join(" ");
            [
                r.source.as_str().to_owned(),
                r.kind().to_owned(),
                r.manifest.digest.clone(),
                r.subject.to_string(),
                details,
            ]
        })
        .collect();
    let header = ["SOURCE", "ARTIFACT-TYPE", "DIGEST", "SUBJECT", "DETAILS"];
    let mut widths = header.map(str::len);
    for row in &rows {
        for (w, c) in widths.iter_mut().zip(row) {
            *w = (*w).max(c.len());
        }
    }
    let line = |cells: [&str; 5]| {
        let mut s = String::new();
        for (i, (c, w)) in cells.iter().zip(widths).enumerate() {
            if i == 4 {
                s.push_str(c);
            } else {
                s.push_str(&format!("{c:<w$}  "));
            }
        }
        s.trim_end().to_owned()
    };
    println!("{}", line(header));
    for r in &rows {
        println!("{}", line([&r[0], &r[1], &r[2], &r[3], &r[4]]));
    }
    Ok(ExitStatus::Success)
}
