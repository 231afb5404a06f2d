//! `consign attach FILE --to HOST/REPO@DIGEST`: push an SBOM or an attestation next to an image
//! as an OCI artifact whose `subject` is the image manifest.
//!
//! | file | layer media type = artifactType | annotations |
//! | --- | --- | --- |
//! | CycloneDX JSON | `application/vnd.cyclonedx+json` | `org.opencontainers.image.created` |
//! | SPDX JSON | `application/spdx+json` | `org.opencontainers.image.created` |
//! | DSSE envelope | `application/vnd.dsse.envelope.v1+json` | `…created`, `in-toto.io/predicate-type` |
//!
//! The registry's referrers API indexes it when the registry has one; otherwise consign updates
//! the referrers tag `sha256-<hex>` (see `consign::registry::attach`).

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context, bail};
use consign::attest::{Envelope, SbomKind, Statement, sbom};
use consign::registry::manifest::{ANN_CREATED, ANN_PREDICATE_TYPE, MT_DSSE};
use consign::registry::{self, Artifact, ImageRef, Indexed};
use consign::source::Limits;

use super::registry_opts::{RegistryArgs, client_options};
use super::{ExitStatus, output};

/// Examples shown by `consign attach --help`.
pub const EXAMPLES: &str = "\
Examples:
  consign attach app.cdx.json --to localhost:5000/app@sha256:…
  consign attach app.att.json --to ghcr.io/org/app@sha256:…
  consign referrers ghcr.io/org/app@sha256:…            # what is attached";

/// Arguments of `consign attach`.
#[derive(Debug, clap::Args)]
pub struct AttachArgs {
    /// The file: an SBOM (CycloneDX or SPDX JSON) or an attestation (DSSE envelope JSON).
    file: String,

    /// The image to attach it to, HOST/REPO@sha256:… (a tag is resolved to its digest).
    #[arg(long, value_name = "HOST/REPO@DIGEST")]
    to: String,

    #[command(flatten)]
    registry: RegistryArgs,

    /// Attach even when the file says it is about another image.
    #[arg(long)]
    force: bool,

    /// No summary on stderr.
    #[arg(short, long)]
    quiet: bool,
}

/// Runs `consign attach`.
pub fn run(a: AttachArgs) -> anyhow::Result<ExitStatus> {
    let image = ImageRef::parse(&a.to).map_err(anyhow::Error::msg)?;
    let bytes = output::read_input(&a.file)?;
    let opts = client_options(&a.registry, &image)?;
    let client = registry::client_for(&image, &opts)?;
    let limit = Limits::default().max_json_bytes;
    let image = match &image.digest {
        Some(_) => image,
        None => {
            let top = client
                .manifest(&image.repository, &image.reference(), limit)
                .with_context(|| format!("cannot resolve {image}"))?;
            if !a.quiet {
                eprintln!("{image} is {}", top.digest);
            }
            image.with_digest(top.digest)
        }
    };
    let digest = image.digest.clone().context("no digest")?;
    let created = output::created_from_env()?
        .strftime("%Y-%m-%dT%H:%M:%SZ")
        .to_string();
    let mut annotations = BTreeMap::from([(ANN_CREATED.to_owned(), created)]);
    let (media_type, what) = match Envelope::from_json(&bytes) {
        Ok(env) => {
            let st = env
                .payload_bytes()
                .ok()
                .and_then(|p| Statement::parse(&p).ok())
                .with_context(|| {
                    format!(
                        "{}: the envelope does not hold an in-toto statement",
                        a.file
                    )
                })?;
            if !a.force && !st.subject.iter().any(|s| s.matches(&digest)) {
                let about: Vec<String> = st.subject.iter().map(|s| s.display()).collect();
                bail!(
                    "{}: the attestation is about {}, not {digest}; attach it to that image (or pass --force)",
                    a.file,
                    about.join(", ")
                );
            }
            annotations.insert(ANN_PREDICATE_TYPE.to_owned(), st.predicate_type.clone());
            (
                MT_DSSE.to_owned(),
                format!("attestation ({})", st.predicate_type),
            )
        }
        Err(_) => {
            let doc: serde_json::Value = serde_json::from_slice(&bytes).with_context(|| {
                format!(
                    "{}: not JSON (expected an SBOM or a DSSE attestation)",
                    a.file
                )
            })?;
            let info = sbom::inspect(&doc).map_err(|e| anyhow::anyhow!("{}: {e}", a.file))?;
            if let Some(d) = &info.manifest_digest
                && *d != digest
                && !a.force
                && !a.quiet
            {
                eprintln!(
                    "warning: {} describes image {d}; attaching it to {digest} as asked",
                    a.file
                );
            }
            let kind = match info.kind {
                SbomKind::CycloneDx => "CycloneDX SBOM",
                SbomKind::Spdx => "SPDX SBOM",
            };
            (info.kind.media_type().to_owned(), kind.to_owned())
        }
    };
    let artifact = Artifact {
        bytes,
        artifact_type: media_type.clone(),
        media_type,
        title: Path::new(&a.file)
            .file_name()
            .and_then(|n| n.to_str())
            .filter(|n| *n != "-")
            .map(str::to_owned),
        annotations,
    };
    let attached = registry::attach(&client, &image, &artifact, limit)
        .with_context(|| format!("cannot attach {} to {image}", a.file))?;
    println!("{}", attached.manifest.digest);
    if !a.quiet {
        let how = match (&attached.indexed, &attached.tag) {
            (Indexed::ByRegistry, _) => "the registry indexed it (referrers API)".to_owned(),
            (Indexed::ReferrersTag, Some(t)) => {
                format!("listed in the referrers tag {t} (the registry has no referrers API)")
            }
            (Indexed::ReferrersTag, None) => "listed in the referrers tag".to_owned(),
        };
        eprintln!(
            "attached {what} {} to {image} as {}; {how}",
            a.file, attached.manifest.digest
        );
    }
    Ok(ExitStatus::Success)
}
