//! The Java archive cataloger: Maven artifacts in `.jar`, `.war`, `.ear`, `.jpi`, `.hpi` (and
//! the other Java archive kinds Syft knows) anywhere in the image, including archives nested
//! in them (a war's `WEB-INF/lib`, a Spring Boot jar's `BOOT-INF/lib`), up to
//! [`archive::LIMITS`] (the depth and nested size from [`crate::source::Limits`]).
//!
//! Archives are recognised by name and zip magic (`PK\x03\x04`, or a `#!` launch script
//! before the zip, as Spring Boot's executable jars have) as the layer streams by and
//! read once through the [`Extractor`] hook (see [`crate::fs::extract`]); only a small JSON
//! summary per archive is kept ([`archive::ArchiveInfo`]). Exploded archives (a web app
//! unpacked under `webapps/`) are read from their `META-INF/maven/*/*/pom.properties`.
//!
//! ## Identity (Syft's, with the differences noted)
//!
//! - One package per `META-INF/maven/<g>/<a>/pom.properties`:
//!   `pkg:maven/<groupId>/<artifactId>@<version>`, so a shaded jar lists each artifact in it.
//!   The archive's own artifact is the one whose `artifactId` is the file's name (version
//!   stripped, `_` read as `-`), or names the manifest's bundle, or whose POM name is the
//!   manifest's title, or the only one when the manifest's version agrees (Debian's
//!   `maven3-core.jar` holds `maven-core`, which Syft reports twice); it alone gets the archive's SHA-1 as its checksum (the others' artifact
//!   files are not there to hash) and `Contains` edges to the artifacts shaded into it and the
//!   archives nested in it.
//! - An archive without an own `pom.properties` is named from its file name
//!   (`name-1.2.3.jar` → `name`) or else the manifest's `Implementation-Title` or
//!   `Bundle-SymbolicName`; its version is the manifest's `Implementation-Version`,
//!   `Bundle-Version` or `Specification-Version`, and only then the file name's. Syft takes
//!   the file name's version first; a file name is whatever the image's author chose
//!   (Debian ships `commons-lang3.jar`), the manifest is what the build wrote. The group is
//!   guessed from the manifest (reverse-domain bundle or module name), else the name is
//!   used as group, as Syft does (`pkg:maven/name/name@1.2.3`). A jar in a Maven repository
//!   or Gradle cache layout (`~/.m2/repository/<group path>/<a>/<v>/<a>-<v>.jar`) takes all
//!   three coordinates from its path instead (Gradle-built jars have no `pom.properties`).
//!   An archive with no version anywhere is an unknown, not a package.
//! - Every package carries the property `virtualPath`: the archive's path, and for nested
//!   ones the entry path after a `:` (`/app.war:WEB-INF/lib/x.jar`). Its location is the
//!   outer file.
//! - Maven's `-sources.jar` and `-javadoc.jar` attachments are skipped: the coordinates of
//!   the jar beside them, but no code that runs (and another SHA-1).
//! - Licenses are the POM's `<licenses>` names (common Maven spellings mapped to SPDX ids),
//!   else the manifest's `Bundle-License`.

mod archive;
mod manifest;
mod pom_properties;
#[cfg(test)]
mod tests;

use std::collections::HashMap;

use super::{CatalogOutput, Cataloger, Environment, Tag, parse_failure, read_file};
use crate::Result;
use crate::fs::extract::{ExtractResult, FileView};
use crate::fs::{Extractor, FileResolver, Location};
use crate::model::{
    Checksum, Ecosystem, Evidence, HashAlgorithm, LanguageMetadata, License, Package,
    PackageMetadata, Purl, RelationshipKind,
};
use archive::ArchiveInfo;
use pom_properties::PomInfo;

const NAME: &str = "java-archive-cataloger";

/// `pom.properties` of exploded archives.
const EXPLODED: &str = "**/META-INF/maven/*/*/pom.properties";

/// Archives, by name; the magic check then looks at their content.
static EXTRACTOR: Extractor = Extractor {
    name: NAME,
    include: &[
        "**/*.jar",
        "**/*.war",
        "**/*.ear",
        "**/*.par",
        "**/*.sar",
        "**/*.nar",
        "**/*.jpi",
        "**/*.hpi",
        "**/*.kar",
        "**/*.lpkg",
    ],
    executable_only: false,
    max_bytes: 256 << 20,
    // Spring Boot's "fully executable" jars start with a launch script before the zip.
    magic: |head| head.starts_with(b"PK\x03\x04") || head.starts_with(b"#!"),
    windows: None,
    extract: extract_archive,
};

fn extract_archive(view: &FileView<'_>) -> ExtractResult {
    // No windows: the view is always the whole file.
    let Some(bytes) = view.bytes() else {
        return Err("the archive was not read whole".to_owned());
    };
    // The zip reader is third-party code fed hostile bytes (no panic found by the tests'
    // corruptions): should it panic, that costs this file, not the scan.
    // The nesting depth and nested-archive size are the user's (`--limit nested-depth=…`).
    let scoped = crate::source::limits::scoped();
    let limits = archive::Limits {
        max_depth: scoped.nested_depth,
        max_nested_bytes: scoped.nested_bytes,
        ..archive::LIMITS
    };
    let summarized = std::panic::catch_unwind(|| archive::summarize(bytes, &limits))
        .unwrap_or_else(|_| Err("the zip reader failed on this archive".to_owned()));
    let infos = match summarized {
        Ok(infos) => infos,
        // A script named `.jar` that is not a launcher: not an archive at all.
        Err(_) if bytes.starts_with(b"#!") => return Ok(None),
        Err(why) => return Err(why),
    };
    serde_json::to_vec(&infos)
        .map(Some)
        .map_err(|e| e.to_string())
}

/// Reads Java archives and exploded `pom.properties`. See the module docs.
pub struct JavaArchiveCataloger;

impl Cataloger for JavaArchiveCataloger {
    fn name(&self) -> &'static str {
        NAME
    }

    fn tags(&self) -> &'static [Tag] {
        &[Tag::Language, Tag::Installed]
    }

    fn wants(&self) -> &'static [&'static str] {
        &[EXPLODED]
    }

    fn extractor(&self) -> Option<&'static Extractor> {
        Some(&EXTRACTOR)
    }

    fn catalog(&self, fs: &dyn FileResolver, _env: &Environment) -> Result<CatalogOutput> {
        let mut out = CatalogOutput::default();
        for (loc, summary) in fs.extracted(NAME) {
            // Maven's source and javadoc attachments (`a-1.0-sources.jar` beside `a-1.0.jar`)
            // carry the same coordinates but no code that runs, and another SHA-1.
            if loc.path.ends_with("-sources.jar") || loc.path.ends_with("-javadoc.jar") {
                continue;
            }
            let infos = summary.and_then(|b| {
                serde_json::from_slice::<Vec<ArchiveInfo>>(&b).map_err(|e| e.to_string())
            });
            match infos {
                Ok(infos) => catalog_archive(&loc, &infos, &mut out),
                Err(why) => out.unknowns.push(parse_failure(NAME, &loc, why)),
            }
        }
        for loc in fs.files_by_glob(EXPLODED) {
            let parsed = read_file(fs, &loc, NAME).and_then(|b| {
                pom_properties::parse_pom_properties(&loc.path, &String::from_utf8_lossy(&b))
                    .and_then(|pom| pom_package(&pom, &loc, &loc.absolute(), None))
                    .map_err(|why| parse_failure(NAME, &loc, why))
            });
            match parsed {
                Ok(p) => out.packages.push(p),
                Err(u) => out.unknowns.push(u),
            }
        }
        Ok(out)
    }
}

/// Adds the packages of one archive file (and those nested in it) to `out`.
fn catalog_archive(loc: &Location, infos: &[ArchiveInfo], out: &mut CatalogOutput) {
    let mut main_of: HashMap<&str, usize> = HashMap::new();
    for info in infos {
        let vpath = if info.path.is_empty() {
            loc.absolute()
        } else {
            format!("{}:{}", loc.absolute(), info.path)
        };
        for p in &info.problems {
            out.unknowns
                .push(parse_failure(NAME, loc, format!("{vpath}: {p}")));
        }
        let entry = info.path.rsplit(':').next().unwrap_or_default();
        let file = if info.path.is_empty() {
            loc.path.as_str()
        } else {
            entry
        };
        let file = file.rsplit('/').next().unwrap_or(file);
        let (file_name, file_version) = manifest::split_file_name(file);
        let own = own_pom(info, file, &file_name);
        let start = out.packages.len();
        let mut main = None;
        for (k, pom) in info.poms.iter().enumerate() {
            let sha1 = (own == Some(k)).then_some(info.sha1.as_str());
            match pom_package(pom, loc, &vpath, sha1) {
                Ok(p) => {
                    if sha1.is_some() {
                        main = Some(out.packages.len());
                    }
                    out.packages.push(p);
                }
                Err(why) => out.unknowns.push(parse_failure(NAME, loc, why)),
            }
        }
        if own.is_none() {
            let coords = info
                .path
                .is_empty()
                .then(|| manifest::repository_coordinates(&loc.path))
                .flatten();
            match manifest_package(info, loc, &vpath, (file_name, file_version), coords) {
                Ok(p) => {
                    main = Some(out.packages.len());
                    out.packages.push(p);
                }
                // Shaded artifacts were found: the archive itself is just their container.
                Err(_) if !info.poms.is_empty() => {}
                Err(why) => out
                    .unknowns
                    .push(parse_failure(NAME, loc, format!("{vpath}: {why}"))),
            }
        }
        let Some(m) = main else { continue };
        for j in (start..out.packages.len()).filter(|&j| j != m) {
            out.relationships.push((m, j, RelationshipKind::Contains));
        }
        if !info.path.is_empty() {
            let parent = info.path.rsplit_once(':').map_or("", |(p, _)| p);
            if let Some(&pm) = main_of.get(parent) {
                out.relationships.push((pm, m, RelationshipKind::Contains));
            }
        }
        main_of.insert(info.path.as_str(), m);
    }
}

/// Which of the archive's `pom.properties` describes the archive itself. See the module docs.
fn own_pom(info: &ArchiveInfo, file: &str, file_name: &str) -> Option<usize> {
    let norm = |s: &str| s.to_ascii_lowercase().replace('_', "-");
    let stem = norm(file.rsplit_once('.').map_or(file, |(stem, _)| stem));
    let exact = info.poms.iter().position(|p| p.artifact_id == file_name);
    // `geronimo-interceptor_3.0_spec` in `geronimo-interceptor-3.0-spec.jar`.
    let prefix = || {
        info.poms.iter().position(|p| {
            let a = norm(&p.artifact_id);
            stem == a || stem.starts_with(&format!("{a}-"))
        })
    };
    let bundle = manifest::symbolic_name(&info.manifest);
    let by_manifest = || {
        info.poms.iter().position(|p| {
            bundle
                .is_some_and(|b| b == p.artifact_id || b.ends_with(&format!(".{}", p.artifact_id)))
        })
    };
    // Debian renames jars (`maven3-core.jar` holds `maven-core`): a single artifact is the
    // archive's own unless the manifest gives another version (`guice.jar` shades only cglib).
    let version = ["Implementation-Version", "Bundle-Version"]
        .iter()
        .find_map(|k| manifest::get(&info.manifest, k));
    let only =
        || (info.poms.len() == 1 && version.is_none_or(|v| v == info.poms[0].version)).then_some(0);
    // The POM's `<name>` (or artifactId) is what the jar plugin writes as `Implementation-Title`.
    let title = manifest::get(&info.manifest, "Implementation-Title");
    let by_title = || {
        info.poms
            .iter()
            .position(|p| title.is_some_and(|t| p.name.as_deref() == Some(t) || t == p.artifact_id))
    };
    exact
        .or_else(prefix)
        .or_else(by_manifest)
        .or_else(by_title)
        .or_else(only)
}

fn metadata(vpath: &str, pom: Option<&PomInfo>) -> PackageMetadata {
    let mut m = LanguageMetadata::new(Evidence::Installed);
    m.description = pom.and_then(|p| p.description.clone());
    m.homepage = pom.and_then(|p| p.url.clone());
    m.property("virtualPath", vpath);
    PackageMetadata::Language(m)
}

fn pom_package(
    pom: &PomInfo,
    loc: &Location,
    vpath: &str,
    sha1: Option<&str>,
) -> std::result::Result<Package, String> {
    let purl = Purl::builder("maven", pom.artifact_id.as_str())
        .namespace(pom.group_id.as_str())
        .version(pom.version.as_str())
        .build()
        .map_err(|e| format!("{}: {e}", pom.path))?;
    let mut pkg = Package::new(Ecosystem::Maven, &pom.artifact_id, &pom.version, purl, NAME);
    pkg.locations.insert(loc.clone());
    pkg.licenses = pom
        .licenses
        .iter()
        .filter_map(|l| maven_license(l))
        .collect();
    pkg.checksums = sha1.into_iter().map(sha1_checksum).collect();
    pkg.metadata = metadata(vpath, Some(pom));
    Ok(pkg)
}

fn manifest_package(
    info: &ArchiveInfo,
    loc: &Location,
    vpath: &str,
    (file_name, file_version): (String, Option<String>),
    coords: Option<(String, String, String)>,
) -> std::result::Result<Package, String> {
    let attrs = &info.manifest;
    let (group, name, version) = match coords {
        Some(c) => c,
        None => {
            let name = Some(file_name)
                .filter(|n| !n.is_empty())
                .or_else(|| manifest::get(attrs, "Implementation-Title").map(str::to_owned))
                .or_else(|| manifest::symbolic_name(attrs).map(str::to_owned))
                .ok_or("no pom.properties, manifest title or file name to name it by")?;
            let version = [
                "Implementation-Version",
                "Bundle-Version",
                "Specification-Version",
            ]
            .iter()
            .find_map(|k| manifest::get(attrs, k).map(str::to_owned))
            .or(file_version)
            .ok_or_else(|| {
                format!("no version for {name} in pom.properties, manifest or file name")
            })?;
            let group = manifest::group_id(attrs, &name).unwrap_or_else(|| name.clone());
            (group, name, version)
        }
    };
    let purl = Purl::builder("maven", name.as_str())
        .namespace(group)
        .version(version.as_str())
        .build()?;
    let mut pkg = Package::new(Ecosystem::Maven, name, version, purl, NAME);
    pkg.locations.insert(loc.clone());
    pkg.licenses = manifest::get(attrs, "Bundle-License")
        .and_then(maven_license)
        .into_iter()
        .collect();
    pkg.checksums = vec![sha1_checksum(&info.sha1)];
    pkg.metadata = metadata(vpath, None);
    Ok(pkg)
}

fn sha1_checksum(hex: &str) -> Checksum {
    Checksum {
        algorithm: HashAlgorithm::Sha1,
        value: hex.to_owned(),
    }
}

/// A POM license name as SPDX where it is one of the common Maven spellings.
fn maven_license(name: &str) -> Option<License> {
    let key: String = name
        .to_ascii_lowercase()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '.')
        .collect();
    let id = match key.as_str() {
        "theapachesoftwarelicenseversion2.0"
        | "apachelicenseversion2.0"
        | "apache2.0"
        | "apachelicense2.0"
        | "theapachelicenseversion2.0"
        | "apache2" => "Apache-2.0",
        "mitlicense" | "themitlicense" | "mit" => "MIT",
        "eclipsepubliclicense1.0" | "eclipsepubliclicensev1.0" => "EPL-1.0",
        "eclipsepubliclicense2.0" | "eclipsepubliclicensev2.0" | "epl2.0" => "EPL-2.0",
        "bsd3clause" | "newbsdlicense" | "revisedbsd" | "bsd3clauselicense" => "BSD-3-Clause",
        _ if key.starts_with("httpwww.apache.orglicenseslicense2.0")
            || key.starts_with("httpswww.apache.orglicenseslicense2.0") =>
        {
            "Apache-2.0"
        }
        _ => return License::parse(name),
    };
    License::parse(id)
}
