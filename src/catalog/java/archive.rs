//! Reading a Java archive (a zip file: <https://pkware.cachefly.net/webdocs/casestudies/APPNOTE.TXT>)
//! once, in memory, into the small [`ArchiveInfo`] summaries the cataloger keeps: the SHA-1
//! of the archive and of each archive nested in it (a war's `WEB-INF/lib/*.jar`, a Spring
//! Boot jar's `BOOT-INF/lib/*.jar`, an ear's modules), the manifest attributes that identify
//! it and its `META-INF/maven/*/*/pom.properties` (+ `pom.xml`).
//!
//! Hostile archives are bounded by [`Limits`]: the nesting depth, the entries looked at per
//! archive, the size of each metadata file and nested archive, and the bytes decompressed in
//! total per outer file. What a limit cuts short is listed in [`ArchiveInfo::problems`] (the
//! cataloger records it as an unknown); nothing here panics on bad input.

use std::collections::BTreeMap;
use std::io::{Cursor, Read};

use serde::{Deserialize, Serialize};

use super::manifest;
use super::pom_properties::{PomInfo, apply_pom_xml, parse_pom_properties};

/// File name extensions of Java archives (Syft's list): jar, war (web app), ear (enterprise
/// app), par, sar, nar, kar, lpkg, and Jenkins plugins (jpi, hpi).
pub(crate) const EXTENSIONS: &[&str] = &[
    "jar", "war", "ear", "par", "sar", "nar", "jpi", "hpi", "kar", "lpkg",
];

/// Bounds on the work one outer archive may cause.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Limits {
    /// Archives nested deeper than this (the outer archive is depth 0) are not opened.
    pub max_depth: u32,
    /// Entries looked at per archive; the rest are ignored.
    pub max_entries: usize,
    /// Largest manifest, `pom.properties` or `pom.xml` read, decompressed.
    pub max_meta_bytes: u64,
    /// Largest nested archive read, decompressed.
    pub max_nested_bytes: u64,
    /// Bytes decompressed in total per outer archive.
    pub max_total_bytes: u64,
}

/// The limits the cataloger uses.
pub(crate) const LIMITS: Limits = Limits {
    max_depth: 4,
    max_entries: 100_000,
    max_meta_bytes: 1 << 20,
    max_nested_bytes: 128 << 20,
    max_total_bytes: 512 << 20,
};

/// What was read of one archive (the outer file, or one nested in it).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct ArchiveInfo {
    /// Empty for the outer file; for a nested archive, the entry paths from the outer file
    /// down, joined with `:` (`WEB-INF/lib/a.jar`, `lib/b.war:WEB-INF/lib/c.jar`).
    pub path: String,
    /// Lowercase hex SHA-1 of the archive's bytes (what Maven Central indexes).
    pub sha1: String,
    /// The [`manifest::KEPT`] attributes of the manifest's main section.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub manifest: Vec<(String, String)>,
    /// One per `pom.properties`, in entry order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub poms: Vec<PomInfo>,
    /// What could not be read (limits hit, corrupt entries).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<String>,
}

/// Summarises the archive in `bytes` and those nested in it, outer first. `Err` when
/// `bytes` is not a readable zip file.
pub(crate) fn summarize(bytes: &[u8], limits: &Limits) -> Result<Vec<ArchiveInfo>, String> {
    let mut out = Vec::new();
    let mut budget = limits.max_total_bytes;
    walk(bytes, String::new(), 0, limits, &mut budget, &mut out)?;
    Ok(out)
}

/// Lowercase hex SHA-1 of `bytes`.
pub(crate) fn sha1_hex(bytes: &[u8]) -> String {
    hex::encode(ring::digest::digest(
        &ring::digest::SHA1_FOR_LEGACY_USE_ONLY,
        bytes,
    ))
}

fn is_archive_name(name: &str) -> bool {
    name.rsplit_once('.').is_some_and(|(stem, ext)| {
        !stem.ends_with('/') && EXTENSIONS.iter().any(|e| ext.eq_ignore_ascii_case(e))
    })
}

/// `META-INF/maven/<group>/<artifact>/<file>`: the directory and the file name.
fn maven_file(name: &str) -> Option<(&str, &str)> {
    let rest = name.strip_prefix("META-INF/maven/")?;
    let (dir, file) = rest.rsplit_once('/')?;
    (dir.split('/').count() == 2).then_some((dir, file))
}

fn walk(
    bytes: &[u8],
    path: String,
    depth: u32,
    limits: &Limits,
    budget: &mut u64,
    out: &mut Vec<ArchiveInfo>,
) -> Result<(), String> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| format!("not a readable zip archive: {e}"))?;
    let mut info = ArchiveInfo {
        path,
        sha1: sha1_hex(bytes),
        ..ArchiveInfo::default()
    };
    if zip.len() > limits.max_entries {
        info.problems.push(format!(
            "{} entries; only the first {} were looked at",
            zip.len(),
            limits.max_entries
        ));
    }
    let mut pom_xml: BTreeMap<String, String> = BTreeMap::new();
    let mut nested = Vec::new();
    for i in 0..zip.len().min(limits.max_entries) {
        let Some(Ok(name)) = zip.name_for_index(i) else {
            continue;
        };
        let name = name.into_owned();
        if name.eq_ignore_ascii_case("META-INF/MANIFEST.MF") {
            match read_entry(&mut zip, i, limits.max_meta_bytes, budget) {
                Ok(b) => {
                    info.manifest = manifest::parse_main_section(&String::from_utf8_lossy(&b))
                        .into_iter()
                        .filter(|(k, _)| manifest::KEPT.iter().any(|x| x.eq_ignore_ascii_case(k)))
                        .collect();
                }
                Err(why) => info.problems.push(format!("{name}: {why}")),
            }
        } else if let Some((dir, file)) = maven_file(&name) {
            if file != "pom.properties" && file != "pom.xml" {
                continue;
            }
            match read_entry(&mut zip, i, limits.max_meta_bytes, budget) {
                Ok(b) if file == "pom.xml" => {
                    pom_xml.insert(dir.to_owned(), String::from_utf8_lossy(&b).into_owned());
                }
                Ok(b) => match parse_pom_properties(&name, &String::from_utf8_lossy(&b)) {
                    Ok(p) => info.poms.push(p),
                    Err(why) => info.problems.push(why),
                },
                Err(why) => info.problems.push(format!("{name}: {why}")),
            }
        } else if is_archive_name(&name) {
            nested.push((i, name));
        }
    }
    for pom in &mut info.poms {
        let dir = maven_file(&pom.path).map(|(d, _)| d.to_owned());
        if let Some(xml) = dir.and_then(|d| pom_xml.get(&d)) {
            apply_pom_xml(pom, xml);
        }
    }
    let me = out.len();
    out.push(info);
    for (i, name) in nested {
        let child_path = if out[me].path.is_empty() {
            name.clone()
        } else {
            format!("{}:{name}", out[me].path)
        };
        if depth + 1 > limits.max_depth {
            out[me].problems.push(format!(
                "{name}: nested deeper than {} archives; not opened",
                limits.max_depth
            ));
            continue;
        }
        let child = match read_entry(&mut zip, i, limits.max_nested_bytes, budget) {
            Ok(b) => b,
            Err(why) => {
                out[me].problems.push(format!("{name}: {why}"));
                continue;
            }
        };
        if let Err(why) = walk(&child, child_path, depth + 1, limits, budget, out) {
            out[me].problems.push(format!("{name}: {why}"));
        }
    }
    Ok(())
}

/// Reads entry `i` whole, decompressed, refusing more than `cap` bytes or more than the
/// remaining `budget` (charged with what was read). The cap holds whatever the entry's
/// header claims, since a zip bomb lies about its sizes.
fn read_entry(
    zip: &mut zip::ZipArchive<Cursor<&[u8]>>,
    i: usize,
    cap: u64,
    budget: &mut u64,
) -> Result<Vec<u8>, String> {
    let mut f = zip.by_index(i).map_err(|e| e.to_string())?;
    if f.is_dir() {
        return Err("a directory".to_owned());
    }
    let limit = cap.min(*budget);
    if f.size() > limit {
        return Err(too_large(f.size(), cap, *budget));
    }
    // The header may lie; grow as bytes really arrive.
    let mut buf = Vec::with_capacity(f.size().min(1 << 20) as usize);
    let read = (&mut f).take(limit + 1).read_to_end(&mut buf);
    *budget = budget.saturating_sub(buf.len() as u64);
    read.map_err(|e| format!("cannot decompress: {e}"))?;
    if buf.len() as u64 > limit {
        return Err(too_large(buf.len() as u64, cap, *budget));
    }
    Ok(buf)
}

fn too_large(size: u64, cap: u64, budget: u64) -> String {
    if size > cap {
        format!("more than {cap} bytes decompressed; not read")
    } else {
        format!(
            "decompression budget of the outer archive exhausted ({budget} bytes left); not read"
        )
    }
}
