//! One scan: source → layers → stacked filesystem → catalogers → [`Sbom`].
//!
//! Layers are applied one at a time; after each, the catalogers whose wanted files changed in
//! that layer run again on the filesystem as it stands (catalogers whose files did not change
//! would return what they returned before, so they are not re-run). The last run of each
//! cataloger is what a container sees (`--scope squashed`). Comparing the runs tells, for
//! every package, the layer that **introduced** it at its version: the first layer from which
//! on every run lists it — not merely the last layer that rewrote the database file. With
//! `--scope all-layers`, packages that an earlier run listed and a later run no longer does
//! are kept too, marked with the layer that removed them.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use rayon::prelude::*;

use crate::catalog::{self, CatalogOutput, Cataloger, Environment, registry};
use crate::fs::{CaptureSpec, LayerTree, LayeredFs, Sniff, Wants};
use crate::model::{
    Package, PackageId, PackageMetadata, Relationship, Sbom, Scope, Tool, Unknown, ownership,
    resolve,
};
use crate::source::{self, LoadOptions, LoadedImage, SourceSpec};
use crate::{Error, Result};

/// Options for [`scan`].
#[derive(Default)]
pub struct ScanOptions<'a> {
    /// Which files the catalogers see.
    pub scope: Scope,
    /// Cataloger selectors (`dpkg`, `-rpm`, `os`); empty means all.
    pub catalogers: Vec<String>,
    /// Source options: image/platform selection, limits, progress.
    pub load: LoadOptions<'a>,
}

/// Scans the image `spec` names.
pub fn scan(spec: &SourceSpec, opts: &ScanOptions<'_>) -> Result<Sbom> {
    scan_layers(spec, opts, &CaptureSpec::default()).map(|s| s.sbom)
}

/// A scan's SBOM together with the image's layers, for consumers that need more than the
/// SBOM (the auditor reads the metadata of every file in every layer, including files later
/// layers deleted).
#[derive(Debug)]
pub struct Scanned {
    /// The SBOM.
    pub sbom: Sbom,
    /// Every layer's entries, whiteouts and captured files, bottom first.
    pub trees: Vec<LayerTree>,
    /// Materials of the BuildKit provenance attestations stored beside the image.
    pub provenance: Vec<crate::source::provenance::Material>,
}

/// Like [`scan`], also capturing the files `extra` selects (globs, as catalogers declare
/// them, and a content sniffer) and returning the layers.
pub fn scan_layers(
    spec: &SourceSpec,
    opts: &ScanOptions<'_>,
    extra: &CaptureSpec<'_>,
) -> Result<Scanned> {
    let catalogers = registry::select(&opts.catalogers).map_err(Error::Source)?;
    let wants = wants_of(&catalogers, extra)?;
    let image = source::load(spec, &wants, &opts.load)?;
    tracing::debug!(
        "read {}: {} layer(s), digest {}",
        image.info.input,
        image.trees.len(),
        image
            .info
            .digest()
            .map_or_else(|| "none".to_owned(), ToString::to_string)
    );
    let scanned = catalog_image(image, &catalogers, &wants, opts.scope, &opts.load.limits)?;
    tracing::debug!(
        "cataloged {}: {} package(s), {} relationship(s), {} unknown(s)",
        scanned.sbom.image.input,
        scanned.sbom.packages.len(),
        scanned.sbom.relationships.len(),
        scanned.sbom.unknowns.len()
    );
    Ok(scanned)
}

/// The wanted-file set: owner 0 is distro detection, owner `i + 1` is `catalogers[i]`, the
/// last owner the caller's extra globs; the caller's sniffer, if any.
fn wants_of(catalogers: &[&dyn Cataloger], extra: &CaptureSpec<'_>) -> Result<Wants> {
    let invalid = |e: globset::Error| Error::Source(format!("invalid glob: {e}"));
    let mut groups: Vec<&[&str]> = vec![catalog::os_release::WANTS];
    groups.extend(catalogers.iter().map(|c| c.wants()));
    groups.push(extra.globs);
    let mut wants = Wants::new(&groups).map_err(invalid)?;
    for (i, c) in catalogers.iter().enumerate() {
        if let Some(e) = c.extractor() {
            wants = wants.with_extractor(i + 1, e).map_err(invalid)?;
        }
    }
    Ok(match &extra.sniff {
        Some(s) => wants.with_sniff(Sniff::new(s).map_err(invalid)?),
        None => wants,
    })
}

/// One run of one cataloger: after which layer, which packages it saw, and (while it may
/// still be needed) what it found.
struct Run {
    layer: u32,
    keys: HashSet<String>,
    output: Option<CatalogOutput>,
}

/// What makes two records of different layers the same package: the purl without the
/// qualifiers that describe the environment rather than the package. An upgrade layer that
/// bumps os-release changes every purl's `distro=`, but introduces no package by itself.
fn layer_key(p: &Package) -> String {
    p.purl.without_qualifier("distro")
}

/// Catalogs a loaded image. See the module docs.
pub fn catalog_image(
    image: LoadedImage,
    catalogers: &[&dyn Cataloger],
    wants: &Wants,
    scope: Scope,
    limits: &crate::source::Limits,
) -> Result<Scanned> {
    // In squashed scope the catalogers that can list identities alone do so layer by layer,
    // and their full output comes from the final file system, computed alongside.
    let identifying: Vec<usize> = match scope {
        Scope::Squashed => (0..catalogers.len())
            .filter(|&i| catalogers[i].can_identify())
            .collect(),
        Scope::AllLayers => Vec::new(),
    };
    let (walked, finals) = rayon::join(
        || walk_layers(&image.trees, catalogers, wants, scope, limits, &identifying),
        || final_outputs(&image.trees, catalogers, limits, &identifying),
    );
    let (mut runs, env) = walked?;
    for (i, output) in finals {
        // A cataloger that never ran (none of its files in any layer) lists nothing.
        if let Some(run) = runs[i].last_mut() {
            run.keys = output.packages.iter().map(layer_key).collect();
            run.output = Some(output);
        }
    }
    let mut merged: BTreeMap<PackageId, Package> = BTreeMap::new();
    let mut explicit: BTreeSet<Relationship> = BTreeSet::new();
    let mut unknowns: BTreeSet<Unknown> = image.warnings.into_iter().collect();
    unknowns.extend(env.unknowns.iter().cloned());
    for cataloger_runs in &runs {
        let Some(Run {
            output: Some(last), ..
        }) = cataloger_runs.last()
        else {
            continue;
        };
        // The first run from which on every run lists the package.
        let introduced = |run: usize, key: &str| {
            let mut j = run;
            while j > 0 && cataloger_runs[j - 1].keys.contains(key) {
                j -= 1;
            }
            cataloger_runs[j].layer
        };
        let final_run = cataloger_runs.len() - 1;
        for p in &last.packages {
            let mut p = p.clone();
            p.introduced_in = Some(introduced(final_run, &layer_key(&p)));
            merge(&mut merged, p);
        }
        for &(from, to, kind) in &last.relationships {
            if let (Some(a), Some(b)) = (last.packages.get(from), last.packages.get(to)) {
                explicit.insert(Relationship {
                    from: a.id(),
                    to: b.id(),
                    kind,
                });
            }
        }
        unknowns.extend(last.unknowns.iter().cloned());
        if scope == Scope::AllLayers {
            for j in 0..final_run {
                let Some(out) = &cataloger_runs[j].output else {
                    continue;
                };
                for p in &out.packages {
                    let key = layer_key(p);
                    if cataloger_runs[j + 1].keys.contains(&key)
                        || cataloger_runs[final_run].keys.contains(&key)
                    {
                        continue;
                    }
                    let mut p = p.clone();
                    p.introduced_in = Some(introduced(j, &key));
                    p.removed_in = Some(cataloger_runs[j + 1].layer);
                    merge(&mut merged, p);
                }
                unknowns.extend(out.unknowns.iter().cloned());
            }
        }
    }
    let packages: Vec<Package> = merged.into_values().collect();
    // Dependencies hold between packages installed in the final image only: a removed
    // package (or one whose database entry outlived its files) satisfies no requirement.
    let present: Vec<Package> = packages
        .iter()
        .filter(|p| p.removed_in.is_none() && p.not_installed().is_none())
        .cloned()
        .collect();
    let ids: HashSet<PackageId> = present.iter().map(Package::id).collect();
    let mut relationships: BTreeSet<Relationship> =
        resolve::resolve(&present).into_iter().collect();
    relationships.extend(explicit);
    relationships.extend(ownership::owners(&present));
    relationships.retain(|r| ids.contains(&r.from) && ids.contains(&r.to) && r.from != r.to);
    let sbom = Sbom {
        tool: Tool::default(),
        image: image.info,
        layers: image.layers,
        distro: env.distro,
        scope,
        catalogers: catalogers.iter().map(|c| c.name().to_owned()).collect(),
        packages,
        relationships: relationships.into_iter().collect(),
        unknowns: unknowns.into_iter().map(tidy).collect(),
        document: None,
    };
    Ok(Scanned {
        sbom,
        trees: image.trees,
        provenance: image.provenance,
    })
}

/// Applies the layers one by one, running each cataloger whose files (or the distro) a layer
/// changed: the runs of each cataloger, and the environment of the last layer. Catalogers in
/// `identifying` list identities only ([`Cataloger::identify`]).
fn walk_layers(
    trees: &[LayerTree],
    catalogers: &[&dyn Cataloger],
    wants: &Wants,
    scope: Scope,
    limits: &crate::source::Limits,
    identifying: &[usize],
) -> Result<(Vec<Vec<Run>>, Environment)> {
    let mut runs: Vec<Vec<Run>> = catalogers.iter().map(|_| Vec::new()).collect();
    let mut fs = LayeredFs::new(trees);
    let mut env = Environment::default();
    let mut touched = vec![false; wants.owner_count()];
    // Packages each cataloger's latest run found.
    let mut found = vec![0u64; catalogers.len()];
    while let Some(changed) = fs.apply_next() {
        let layer = (fs.applied() - 1) as u32;
        touched.fill(false);
        for p in &changed {
            wants.mark_owners(p, &mut touched);
        }
        if touched[0] {
            let now = Environment::detect(&fs);
            if now != env {
                env = now;
                // The distro feeds every purl: everyone runs again.
                touched.fill(true);
            }
        }
        let outputs: Vec<(usize, CatalogOutput)> = catalogers
            .par_iter()
            .enumerate()
            .filter(|(i, _)| touched[i + 1])
            .map(|(i, c)| {
                let out = crate::source::limits::with_scoped(limits, || {
                    if identifying.contains(&i) {
                        c.identify(&fs, &env)
                    } else {
                        c.catalog(&fs, &env)
                    }
                });
                (i, or_unknown(*c, out))
            })
            .collect();
        for (i, o) in &outputs {
            tracing::trace!(
                "layer {layer}: {} found {} package(s)",
                catalogers[*i].name(),
                o.packages.len()
            );
            found[*i] = o.packages.len() as u64;
        }
        // Each package costs a few KiB from here on (graph, documents): an image whose
        // catalogers list more than the limit together is refused before that cost is paid.
        let total: u64 = found.iter().sum();
        if total > limits.max_packages {
            let mut by: Vec<String> = catalogers
                .iter()
                .zip(&found)
                .filter(|(_, n)| **n > 0)
                .map(|(c, n)| format!("{} {n}", c.name()))
                .collect();
            by.sort();
            return Err(Error::Limit {
                what: format!("layer {layer}"),
                reason: format!(
                    "{total} packages found ({}); at most {} (limit packages)",
                    by.join(", "),
                    limits.max_packages
                ),
            });
        }
        for (i, output) in outputs {
            // Squashed scope needs only the last output; earlier runs keep their keys.
            if scope == Scope::Squashed
                && let Some(prev) = runs[i].last_mut()
            {
                prev.output = None;
            }
            runs[i].push(Run {
                layer,
                keys: output.packages.iter().map(layer_key).collect(),
                output: Some(output),
            });
        }
    }
    Ok((runs, env))
}

/// The full output, on the final file system, of the catalogers in `identifying`.
fn final_outputs(
    trees: &[LayerTree],
    catalogers: &[&dyn Cataloger],
    limits: &crate::source::Limits,
    identifying: &[usize],
) -> Vec<(usize, CatalogOutput)> {
    if identifying.is_empty() {
        return Vec::new();
    }
    let fs = LayeredFs::squashed(trees);
    let env = Environment::detect(&fs);
    identifying
        .par_iter()
        .map(|&i| {
            let c = catalogers[i];
            let out = crate::source::limits::with_scoped(limits, || c.catalog(&fs, &env));
            (i, or_unknown(c, out))
        })
        .collect()
}

/// Longest unknown reason kept, in bytes.
const MAX_REASON: usize = 500;

/// An unknown's reason as the SBOM carries it: its first line, at most [`MAX_REASON`] bytes,
/// `…` marking a cut. Parser messages quote the input they choke on (a YAML snippet with
/// context lines, a whole 100 MB TOML line); the SBOM names the file, which says where to look.
fn tidy(mut u: Unknown) -> Unknown {
    let first = u.reason.lines().next().unwrap_or("");
    if first.len() == u.reason.len() && first.len() <= MAX_REASON {
        return u;
    }
    let mut end = first.len().min(MAX_REASON);
    while !first.is_char_boundary(end) {
        end -= 1;
    }
    let mut reason = first[..end].trim_end().to_owned();
    reason.push('…');
    u.reason = reason;
    u
}

/// A cataloger's output (descriptions cut), or an unknown saying it failed.
fn or_unknown(c: &dyn Cataloger, result: Result<CatalogOutput>) -> CatalogOutput {
    let mut out = result.unwrap_or_else(|e| CatalogOutput {
        unknowns: vec![Unknown {
            source: c.name().to_owned(),
            location: None,
            reason: format!("cataloger failed: {e}"),
        }],
        ..CatalogOutput::default()
    });
    out.packages.iter_mut().for_each(cut_description);
    out
}

/// Longest package description or summary kept, in bytes.
const MAX_DESCRIPTION: usize = 4096;

/// Cuts a package's description (or rpm summary) to [`MAX_DESCRIPTION`] bytes, `…` marking
/// the cut: real ones are a line or a paragraph, and a forged 200 MB one would otherwise be
/// copied with every clone of the package and written whole into every SBOM.
fn cut_description(p: &mut Package) {
    let text = match &mut p.metadata {
        PackageMetadata::Dpkg(m) => &mut m.description,
        PackageMetadata::Apk(m) => &mut m.description,
        PackageMetadata::Rpm(m) => &mut m.summary,
        PackageMetadata::Language(m) => &mut m.description,
        PackageMetadata::None => return,
    };
    let Some(d) = text.as_mut().filter(|d| d.len() > MAX_DESCRIPTION) else {
        return;
    };
    let mut end = MAX_DESCRIPTION;
    while !d.is_char_boundary(end) {
        end -= 1;
    }
    d.truncate(end);
    d.push('…');
    d.shrink_to_fit();
}

/// Adds `p`, merging it into an existing package of the same identity: locations and owned
/// files are united, missing facts filled in, the earliest introducing layer kept, and the
/// package counts as present if either record is.
fn merge(into: &mut BTreeMap<PackageId, Package>, p: Package) {
    let id = p.id();
    let Some(have) = into.get_mut(&id) else {
        into.insert(id, p);
        return;
    };
    have.locations.extend(p.locations);
    if have.files.is_empty() {
        have.files = p.files;
    } else if !p.files.is_empty() {
        let mut all: BTreeSet<String> = have.files.drain(..).collect();
        all.extend(p.files);
        have.files = all.into_iter().collect();
    }
    if have.licenses.is_empty() {
        have.licenses = p.licenses;
    }
    if have.supplier.is_none() {
        have.supplier = p.supplier;
    }
    if have.author.is_none() {
        have.author = p.author;
    }
    if have.source.is_none() {
        have.source = p.source;
    }
    if have.checksums.is_empty() {
        have.checksums = p.checksums;
    }
    // A lockfile's record and the installed package are one package: installed evidence
    // wins, and it is a development dependency only if every record says so.
    if let (PackageMetadata::Language(a), PackageMetadata::Language(b)) =
        (&mut have.metadata, &p.metadata)
    {
        a.evidence = a.evidence.min(b.evidence);
        a.dev &= b.dev;
        for kv in &b.properties {
            if !a.properties.iter().any(|(k, _)| *k == kv.0) {
                a.properties.push(kv.clone());
            }
        }
    }
    have.introduced_in = match (have.introduced_in, p.introduced_in) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    };
    have.removed_in = match (have.removed_in, p.removed_in) {
        (Some(a), Some(b)) => Some(a.max(b)),
        _ => None,
    };
}
