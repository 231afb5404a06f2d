//! npm packages in images built in code: node_modules across layers (one package deleted by a
//! later layer), a lockfile superseded by the installed tree beside it, a lockfile with
//! nothing installed; and, with real npm, a real install checked against `npm ls --all`
//! (`real.rs`).

use std::collections::BTreeSet;
use std::path::Path;

use consign::model::{PackageMetadata, Scope};
use consign::source::SourceSpec;
use consign::{Sbom, ScanOptions};

use crate::support::image::ImageBuilder;
use crate::support::{fixture, tmp, write_documents};

mod real;

fn manifest(name: &str, version: &str, deps: &[&str]) -> String {
    let deps: Vec<String> = deps.iter().map(|d| format!("\"{d}\": \"*\"")).collect();
    format!(
        r#"{{"name":"{name}","version":"{version}","license":"MIT","dependencies":{{{}}}}}"#,
        deps.join(",")
    )
}

const NM: &str = "app/node_modules";

/// Layer 0: the app and its tree (nested ms, a scoped dev package per the hidden lockfile,
/// a stale lockfile listing a package that is not installed). Layer 1: more packages, a
/// global npm, and a project with only a yarn.lock. Layer 2: `npm rm left-pad`.
fn image() -> ImageBuilder {
    let lock = r#"{"lockfileVersion":3,"packages":{"":{"name":"app"},
        "node_modules/only-in-lock":{"version":"1.0.0"}}}"#;
    let hidden = r#"{"lockfileVersion":3,"packages":{
        "node_modules/@types/node":{"version":"20.1.0","dev":true}}}"#;
    ImageBuilder::new()
        .layer(|l| {
            l.file("app/package.json", manifest("app", "1.0.0", &["express"]))
                .file("app/package-lock.json", lock)
                .file(&format!("{NM}/.package-lock.json"), hidden)
                .file(
                    &format!("{NM}/express/package.json"),
                    manifest("express", "4.19.2", &["debug", "ms"]),
                )
                .file(
                    &format!("{NM}/express/node_modules/ms/package.json"),
                    manifest("ms", "2.0.0", &[]),
                )
                .file(
                    &format!("{NM}/express/lib/package.json"),
                    r#"{"type":"commonjs"}"#,
                )
                .file(
                    &format!("{NM}/debug/package.json"),
                    manifest("debug", "4.3.4", &["ms"]),
                )
                .file(
                    &format!("{NM}/ms/package.json"),
                    manifest("ms", "2.1.3", &[]),
                )
                .file(
                    &format!("{NM}/@types/node/package.json"),
                    manifest("@types/node", "20.1.0", &[]),
                )
                .symlink(&format!("{NM}/.bin/ms"), "../ms/index.js")
                .created_by("COPY app/ /app/ && npm ci")
        })
        .layer(|l| {
            l.file(
                &format!("{NM}/left-pad/package.json"),
                manifest("left-pad", "1.3.0", &[]),
            )
            .file(
                &format!("{NM}/lodash/package.json"),
                manifest("lodash", "4.17.21", &[]),
            )
            .file(
                "usr/local/lib/node_modules/npm/package.json",
                manifest("npm", "10.8.2", &[]),
            )
            .fixture("srv/tool/yarn.lock", "npm/yarn-v1/yarn.lock")
            .created_by("RUN npm i left-pad lodash")
        })
        .layer(|l| {
            l.whiteout(&format!("{NM}/left-pad"))
                .created_by("RUN npm rm left-pad")
        })
}

pub(crate) fn scan(spec: &SourceSpec, scope: Scope) -> Sbom {
    consign::scan(
        spec,
        &ScanOptions {
            scope,
            ..ScanOptions::default()
        },
    )
    .unwrap()
}

fn name_at(sbom: &Sbom, id: &consign::model::PackageId) -> String {
    let p = sbom.packages.iter().find(|p| &p.id() == id).unwrap();
    format!("{}@{}", p.name, p.version)
}

/// `(name@version, introduced layer, removed-in layer)` of the installed npm packages.
fn installed(sbom: &Sbom) -> BTreeSet<(String, u32, Option<u32>)> {
    sbom.packages
        .iter()
        .filter(|p| p.found_by == "npm-installed-cataloger")
        .map(|p| {
            (
                format!("{}@{}", p.name, p.version),
                p.introduced_in.unwrap(),
                p.removed_in,
            )
        })
        .collect()
}

pub(crate) fn edges(sbom: &Sbom) -> BTreeSet<String> {
    sbom.relationships
        .iter()
        .map(|r| format!("{} -> {}", name_at(sbom, &r.from), name_at(sbom, &r.to)))
        .collect()
}

fn row(p: &str, introduced: u32, removed: Option<u32>) -> (String, u32, Option<u32>) {
    (p.to_owned(), introduced, removed)
}

#[test]
fn node_modules_across_layers() {
    let dir = tmp();
    let path = dir.path().join("npm.tar");
    image().write_docker_archive(&path);
    let spec = SourceSpec::Auto(path);
    let sbom = scan(&spec, Scope::Squashed);
    assert_eq!(
        installed(&sbom),
        [
            row("@types/node@20.1.0", 0, None),
            row("debug@4.3.4", 0, None),
            row("express@4.19.2", 0, None),
            row("lodash@4.17.21", 1, None),
            row("ms@2.0.0", 0, None),
            row("ms@2.1.3", 0, None),
            row("npm@10.8.2", 1, None),
        ]
        .into()
    );
    // The app's own lockfile is superseded by its node_modules; the tool's yarn.lock, with
    // nothing installed beside it, is declared.
    assert!(
        !sbom
            .packages
            .iter()
            .any(|p| p.name == "only-in-lock" || p.name == "app")
    );
    let declared: Vec<_> = sbom
        .packages
        .iter()
        .filter(|p| p.found_by == "npm-lock-cataloger")
        .collect();
    assert_eq!(declared.len(), 18);
    assert!(declared.iter().all(|p| p.introduced_in == Some(1)
        && p.locations.iter().all(|l| l.path == "srv/tool/yarn.lock")));
    let types = sbom
        .packages
        .iter()
        .find(|p| p.name == "@types/node")
        .unwrap();
    assert_eq!(types.purl.as_str(), "pkg:npm/%40types/node@20.1.0");
    assert!(matches!(&types.metadata, PackageMetadata::Language(m) if m.dev));
    let e = edges(&sbom);
    for edge in [
        "express@4.19.2 -> debug@4.3.4",
        "express@4.19.2 -> ms@2.0.0",
        "debug@4.3.4 -> ms@2.1.3",
    ] {
        assert!(e.contains(edge), "{edge}: {e:#?}");
    }
    assert!(
        !e.contains("express@4.19.2 -> ms@2.1.3"),
        "nested copy wins"
    );
    write_documents(dir.path(), "npm-layers", &sbom);

    let all = scan(&spec, Scope::AllLayers);
    assert!(installed(&all).contains(&row("left-pad@1.3.0", 1, Some(2))));
}

#[test]
fn lockfiles_in_a_directory_source() {
    let dir = tmp();
    for (sub, fx) in [
        ("a", "npm/package-lock-v3/package-lock.json"),
        ("b", "npm/pnpm-v9/pnpm-lock.yaml"),
        ("c", "npm/yarn-berry/yarn.lock"),
    ] {
        let to = dir.path().join("src").join(sub);
        std::fs::create_dir_all(&to).unwrap();
        let name = Path::new(fx).file_name().unwrap();
        std::fs::copy(fixture(fx), to.join(name)).unwrap();
    }
    let sbom = scan(&SourceSpec::Dir(dir.path().join("src")), Scope::Squashed);
    let by_file = |f: &str| {
        sbom.packages
            .iter()
            .filter(|p| p.locations.iter().any(|l| l.path.ends_with(f)))
            .count()
    };
    assert_eq!(by_file("package-lock.json"), 31);
    assert!(by_file("pnpm-lock.yaml") > 15);
    assert_eq!(by_file("yarn.lock"), 17);
    assert!(sbom.unknowns.is_empty(), "{:?}", sbom.unknowns);
    write_documents(dir.path(), "npm-lockfiles", &sbom);
}

/// The usual Dockerfile: `COPY package*.json` in one layer, `RUN npm ci --omit=dev` in the
/// next. The packages are introduced by the install, and the dev dependency the lockfile
/// lists but the install left out is not reported.
#[test]
fn lockfile_layer_then_install_layer() {
    let lock = r#"{"lockfileVersion":3,"packages":{"":{"name":"app"},
        "node_modules/ms":{"version":"2.1.3"},
        "node_modules/only-dev":{"version":"1.0.0","dev":true}}}"#;
    let dir = tmp();
    let path = dir.path().join("ci.tar");
    ImageBuilder::new()
        .layer(|l| {
            l.file("app/package.json", manifest("app", "1.0.0", &["ms"]))
                .file("app/package-lock.json", lock)
                .created_by("COPY package*.json /app/")
        })
        .layer(|l| {
            l.file(
                &format!("{NM}/ms/package.json"),
                manifest("ms", "2.1.3", &[]),
            )
            .created_by("RUN npm ci --omit=dev")
        })
        .write_docker_archive(&path);
    let sbom = scan(&SourceSpec::Auto(path), Scope::Squashed);
    let got: Vec<(String, Option<u32>, usize)> = sbom
        .packages
        .iter()
        .map(|p| (p.name.clone(), p.introduced_in, p.locations.len()))
        .collect();
    assert_eq!(got, [("ms".to_owned(), Some(1), 1)]);
}
