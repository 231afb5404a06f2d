//! The .NET cataloger: NuGet packages an application was built against, from its
//! `<app>.deps.json` (written by the .NET SDK next to the application's assemblies; format:
//! <https://github.com/dotnet/sdk/blob/main/documentation/specs/runtime-configuration-file.md>).
//!
//! - Each `libraries` entry of `type: package` is a package `pkg:nuget/<Name>@<Version>` (name
//!   as written, since NuGet ids are case-insensitive but the purl keeps the case, as Syft
//!   does). Its `sha512` (`sha512-<base64>`, the hash of the `.nupkg`) becomes a checksum.
//! - `project` entries (the application itself, project references) and `reference` ones
//!   are not NuGet packages and are not reported (Syft reports the root project too).
//! - Dependency edges come from `targets`: every target framework/runtime lists, per
//!   library, the libraries it depends on; edges between packages of the same file are kept.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use base64::Engine;
use serde::Deserialize;

use super::{CatalogOutput, Cataloger, Environment, Tag, parse_failure, read_file};
use crate::Result;
use crate::fs::{FileResolver, Location};
use crate::model::{
    Checksum, Ecosystem, Evidence, HashAlgorithm, LanguageMetadata, Package, PackageMetadata, Purl,
    RelationshipKind,
};

const NAME: &str = "dotnet-deps-cataloger";

/// Reads `*.deps.json` files. See the module docs.
pub struct DotnetDepsCataloger;

#[derive(Deserialize)]
struct DepsJson {
    #[serde(default)]
    targets: BTreeMap<String, BTreeMap<String, Target>>,
    #[serde(default)]
    libraries: BTreeMap<String, Library>,
}

#[derive(Deserialize, Default)]
struct Target {
    #[serde(default)]
    dependencies: BTreeMap<String, String>,
}

#[derive(Deserialize)]
struct Library {
    #[serde(rename = "type", default)]
    kind: String,
    #[serde(default)]
    sha512: String,
    #[serde(default)]
    path: Option<String>,
}

impl Cataloger for DotnetDepsCataloger {
    fn name(&self) -> &'static str {
        NAME
    }

    fn tags(&self) -> &'static [Tag] {
        &[Tag::Language, Tag::Installed]
    }

    fn wants(&self) -> &'static [&'static str] {
        &["**/*.deps.json"]
    }

    fn catalog(&self, fs: &dyn FileResolver, _env: &Environment) -> Result<CatalogOutput> {
        let mut out = CatalogOutput::default();
        for loc in fs.files_by_glob(self.wants()[0]) {
            match read_file(fs, &loc, NAME) {
                // Every library entry has a type.
                Ok(bytes) => {
                    match crate::catalog::too_many_records(NAME, &loc, &bytes, b"\"type\"") {
                        Some(u) => out.unknowns.push(u),
                        None => parse_deps_json(&bytes, &loc, &mut out),
                    }
                }
                Err(u) => out.unknowns.push(u),
            }
        }
        Ok(out)
    }
}

/// Adds the packages and edges of one `deps.json` to `out`.
fn parse_deps_json(bytes: &[u8], loc: &Location, out: &mut CatalogOutput) {
    if let Err(why) = crate::source::limits::check_items(bytes, crate::source::limits::Items::Json)
    {
        return out.unknowns.push(parse_failure(NAME, loc, why));
    }
    let deps: DepsJson = match serde_json::from_slice(bytes) {
        Ok(d) => d,
        Err(e) => return out.unknowns.push(parse_failure(NAME, loc, e)),
    };
    let mut index: HashMap<String, usize> = HashMap::new();
    for (key, lib) in &deps.libraries {
        if lib.kind != "package" {
            continue;
        }
        let Some((name, version)) = key
            .split_once('/')
            .filter(|(n, v)| !n.is_empty() && !v.is_empty())
        else {
            out.unknowns.push(parse_failure(
                NAME,
                loc,
                format!("library {key:?} is not Name/Version"),
            ));
            continue;
        };
        let purl = match Purl::builder("nuget", name).version(version).build() {
            Ok(p) => p,
            Err(e) => {
                out.unknowns
                    .push(parse_failure(NAME, loc, format!("{key}: {e}")));
                continue;
            }
        };
        let mut pkg = Package::new(Ecosystem::Nuget, name, version, purl, NAME);
        pkg.locations.insert(loc.clone());
        pkg.checksums = sha512(&lib.sha512).into_iter().collect();
        let mut meta = LanguageMetadata::new(Evidence::Installed);
        meta.property("path", lib.path.clone().unwrap_or_default());
        pkg.metadata = PackageMetadata::Language(meta);
        index.insert(key.to_ascii_lowercase(), out.packages.len());
        out.packages.push(pkg);
    }
    let mut edges = BTreeSet::new();
    for libs in deps.targets.values() {
        for (key, target) in libs {
            let Some(&from) = index.get(&key.to_ascii_lowercase()) else {
                continue;
            };
            for (name, version) in &target.dependencies {
                if let Some(&to) = index.get(&format!("{name}/{version}").to_ascii_lowercase()) {
                    edges.insert((from, to));
                }
            }
        }
    }
    out.relationships.extend(
        edges
            .into_iter()
            .map(|(a, b)| (a, b, RelationshipKind::DependsOn)),
    );
}

/// `sha512-<base64>` as a hex checksum; `None` when empty or malformed.
fn sha512(text: &str) -> Option<Checksum> {
    let b64 = text.strip_prefix("sha512-")?;
    let raw = base64::engine::general_purpose::STANDARD.decode(b64).ok()?;
    (raw.len() == 64).then(|| Checksum {
        algorithm: HashAlgorithm::Sha512,
        value: hex::encode(raw),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::testfs::{TestLayer, fixture};
    use crate::fs::LayeredFs;

    fn scan(layer: TestLayer) -> CatalogOutput {
        let trees = [layer.build()];
        let fs = LayeredFs::squashed(&trees);
        DotnetDepsCataloger
            .catalog(&fs, &Environment::default())
            .unwrap()
    }

    #[test]
    fn syft_fixture_packages_checksums_and_edges() {
        let out = scan(
            TestLayer::new(DotnetDepsCataloger.wants())
                .dir_tree(&fixture("dotnet/deps-json"))
                .dir("app"),
        );
        assert!(out.unknowns.is_empty(), "{:?}", out.unknowns);
        let names: Vec<String> = out
            .packages
            .iter()
            .map(|p| p.purl.as_str().to_owned())
            .collect();
        assert_eq!(names.len(), 12, "{names:?}");
        assert!(names.contains(&"pkg:nuget/Newtonsoft.Json@13.0.1".to_owned()));
        assert!(
            !names
                .iter()
                .any(|n| n.contains("TestLibrary") || n.contains("TestCommon"))
        );
        let json = out
            .packages
            .iter()
            .find(|p| p.name == "Newtonsoft.Json")
            .unwrap();
        assert_eq!(json.checksums[0].algorithm, HashAlgorithm::Sha512);
        assert!(
            json.checksums[0]
                .value
                .starts_with("a693c5a4172fc5db1f5289cd72f2132aa2e5ddbab1")
        );
        let edge = |a: &str, b: &str| {
            let i = out.packages.iter().position(|p| p.name == a).unwrap();
            let j = out.packages.iter().position(|p| p.name == b).unwrap();
            out.relationships
                .contains(&(i, j, RelationshipKind::DependsOn))
        };
        assert!(edge("Serilog.Sinks.Console", "Serilog"));
        assert!(edge(
            "Microsoft.Extensions.Logging",
            "Microsoft.Extensions.Options"
        ));
        assert_eq!(out.relationships.len(), 12);
    }

    #[test]
    fn malformed_files_are_unknowns() {
        let out = scan(
            TestLayer::new(DotnetDepsCataloger.wants())
                .file("a/bad.deps.json", "{ not json")
                .file("b/odd.deps.json", r#"{"libraries": {"NoSlash": {"type": "package"}, "X/1.0": {"type": "package", "sha512": "sha512-???"}}}"#),
        );
        assert_eq!(out.unknowns.len(), 2, "{:?}", out.unknowns);
        assert_eq!(out.packages.len(), 1);
        assert!(out.packages[0].checksums.is_empty());
    }
}
