//! `consign sbom registry:… --from-referrers`: fetch the SBOM attached to an image instead of
//! scanning it.
//!
//! Looks at what refers to the platform manifest (and, for a multi-platform image, to the
//! index): OCI referrers, cosign's `.sbom`/`.att` tags and BuildKit attestation manifests.
//! A plain SBOM artifact is preferred to one inside an attestation; an attestation's signature
//! is not checked here (that is `consign verify`'s job), and stderr says so. Every requested
//! document is fetched before anything is written, and the files are written all or none
//! ([`output::write_rendered`]).

use anyhow::{Context, bail};
use consign::attest::SbomKind;
use consign::encode::Format;
use consign::model::Platform;
use consign::registry::{self, ClientOptions, ImageRef, referrers};
use consign::source::Limits;

use super::{ExitStatus, output};

/// Fetches the attached SBOM(s) `outputs` ask for.
pub fn run(
    image: &ImageRef,
    opts: &ClientOptions,
    platform: Option<&Platform>,
    outputs: &[String],
    quiet: bool,
) -> anyhow::Result<ExitStatus> {
    let mut wanted: Vec<(Option<SbomKind>, Option<std::path::PathBuf>)> = Vec::new();
    if outputs.is_empty() {
        wanted.push((None, None));
    }
    for o in output::parse_all(outputs)?
        .into_iter()
        .filter(|_| !outputs.is_empty())
    {
        let kind = match o.format {
            Format::CycloneDxJson(_) => SbomKind::CycloneDx,
            Format::SpdxJson => SbomKind::Spdx,
            _ => bail!(
                "--from-referrers writes the attached document as it is: use -o cyclonedx-json[=FILE] or -o spdx-json[=FILE]"
            ),
        };
        wanted.push((Some(kind), o.path));
    }
    let client = registry::client_for(image, opts)?;
    let limit = Limits::default().max_json_bytes;
    let resolved = registry::resolve(&client, image, platform, limit)
        .with_context(|| format!("cannot resolve {image}"))?;
    let repo = &image.repository;
    let index = resolved.index.as_ref().map(|i| (&resolved.top.digest, i));
    let mut list = referrers::list(&client, repo, &resolved.manifest, index, limit)?;
    if resolved.top.digest != resolved.manifest {
        list.extend(referrers::list(
            &client,
            repo,
            &resolved.top.digest,
            None,
            limit,
        )?);
    }
    let mut docs = Vec::new();
    for (kind, path) in wanted {
        let what = match kind {
            Some(SbomKind::CycloneDx) => "CycloneDX SBOM",
            Some(SbomKind::Spdx) => "SPDX SBOM",
            None => "SBOM",
        };
        let found = referrers::find_sbom(&client, repo, &list, kind, limit)?.with_context(|| {
            format!(
                "no {what} is attached to {} ({} referrer(s) found; `consign referrers` lists them)",
                image.with_digest(resolved.manifest.clone()),
                list.len()
            )
        })?;
        if !quiet {
            let caveat = if found.from_attestation {
                " (the predicate of an attestation whose signature was not checked; use consign verify)"
            } else {
                ""
            };
            eprintln!(
                "fetched the {what} attached to {} from {} {}{caveat}",
                found.referrer.subject,
                found.referrer.source.as_str(),
                found.referrer.manifest.digest
            );
        }
        let mut bytes = found.bytes;
        // A file gets the attached bytes exactly; the terminal gets a final newline.
        if path.is_none() && !bytes.ends_with(b"\n") {
            bytes.push(b'\n');
        }
        docs.push((path, bytes));
    }
    // Every file is staged before any is renamed into place: all are written or none.
    output::write_rendered(docs)?;
    Ok(ExitStatus::Success)
}
