//! The Python catalogers against the vendored fixtures (`tests/fixtures/python/`), built
//! layouts and hostile input.

use super::{PythonInstalledCataloger, PythonLockCataloger};
use crate::catalog::testfs::{TestLayer, fixture};
use crate::catalog::{CatalogOutput, Cataloger, Environment};
use crate::fs::{LayerTree, LayeredFs, Location};
use crate::model::{
    Evidence, LanguageMetadata, License, Package, PackageMetadata, Party, RelationshipKind,
};

pub(super) fn layer() -> TestLayer {
    TestLayer::new(
        &[
            PythonInstalledCataloger.wants(),
            PythonLockCataloger.wants(),
        ]
        .concat(),
    )
}

pub(super) fn run(c: &dyn Cataloger, layer: LayerTree) -> CatalogOutput {
    let layers = [layer];
    let fs = LayeredFs::squashed(&layers);
    c.catalog(&fs, &Environment::default()).unwrap()
}

fn installed(layer: LayerTree) -> CatalogOutput {
    run(&PythonInstalledCataloger, layer)
}

pub(super) fn fixture_out(c: &dyn Cataloger, name: &str) -> CatalogOutput {
    run(
        c,
        layer()
            .dir_tree(&fixture(&format!("python/{name}")))
            .build(),
    )
}

pub(super) fn find<'a>(out: &'a CatalogOutput, name: &str) -> &'a Package {
    out.packages.iter().find(|p| p.name == name).unwrap()
}

pub(super) fn lang(p: &Package) -> &LanguageMetadata {
    match &p.metadata {
        PackageMetadata::Language(m) => m,
        other => panic!("{other:?}"),
    }
}

pub(super) fn listing(out: &CatalogOutput) -> Vec<String> {
    let mut v: Vec<String> = out.packages.iter().map(|p| p.purl.to_string()).collect();
    v.sort();
    v
}

/// Edges as `from -> to` names, sorted.
pub(super) fn edges(out: &CatalogOutput, kind: RelationshipKind) -> Vec<String> {
    let mut v: Vec<String> = out
        .relationships
        .iter()
        .filter(|r| r.2 == kind)
        .map(|&(a, b, _)| {
            let loc = |i: usize| out.packages[i].locations.first().unwrap().path.clone();
            let env = |i: usize| loc(i).split('/').next().unwrap().to_owned();
            format!(
                "{}:{} -> {}:{}",
                env(a),
                out.packages[a].name,
                env(b),
                out.packages[b].name
            )
        })
        .collect();
    v.sort();
    v
}

#[test]
fn dist_info_with_record() {
    let out = fixture_out(&PythonInstalledCataloger, "pygments-2.6.1-dist-info");
    assert!(out.unknowns.is_empty(), "{:?}", out.unknowns);
    let p = find(&out, "Pygments");
    assert_eq!(p.purl.as_str(), "pkg:pypi/pygments@2.6.1");
    assert_eq!(p.version, "2.6.1");
    assert_eq!(
        p.locations.iter().collect::<Vec<_>>(),
        [&Location::new(
            "site-packages/Pygments-2.6.1.dist-info/METADATA",
            0
        )]
    );
    // `BSD License` names a family: kept as a name, not guessed into an SPDX id.
    assert_eq!(p.licenses, [License::Name("BSD License".into())]);
    assert_eq!(
        p.author,
        Some(Party {
            name: "Georg Brandl".into(),
            email: Some("georg@python.org".into())
        })
    );
    let m = lang(p);
    assert_eq!(m.evidence, Evidence::Installed);
    assert_eq!(m.homepage.as_deref(), Some("https://pygments.org/"));
    assert_eq!(
        m.description.as_deref(),
        Some("Pygments is a syntax highlighting package written in Python.")
    );
    // RECORD paths are relative to site-packages; `../../../bin/pygmentize` would leave the
    // root of this fixture and is dropped.
    assert!(
        p.files
            .contains(&"site-packages/pygments/util.py".to_owned())
    );
    assert!(p.files.iter().all(|f| f.starts_with("site-packages/")));
    assert_eq!(p.files.len(), 6);
}

#[test]
fn egg_info_directory_and_egg() {
    let out = fixture_out(&PythonInstalledCataloger, "requests-2.22.0-egg-info");
    let p = find(&out, "requests");
    assert_eq!(p.purl.as_str(), "pkg:pypi/requests@2.22.0");
    assert_eq!(p.licenses, [License::Name("Apache 2.0".into())]);
    assert_eq!(
        lang(p).homepage.as_deref(),
        Some("http://python-requests.org")
    );

    let out = fixture_out(&PythonInstalledCataloger, "monotonic-1.6-egg");
    let p = find(&out, "monotonic");
    assert_eq!(
        p.locations.first().unwrap().path,
        "site-packages/monotonic-1.6-py3.10.egg/EGG-INFO/PKG-INFO"
    );
    assert_eq!(
        lang(p).properties,
        [("sitePackages".to_owned(), "site-packages".to_owned())]
    );
}

#[test]
fn wheel_record_and_classifier_licenses() {
    let out = fixture_out(&PythonInstalledCataloger, "monotonic-1.6-wheel");
    let p = find(&out, "monotonic");
    assert_eq!(p.files.len(), 6);
    assert!(p.files.contains(&"site-packages/monotonic.py".to_owned()));
    // `License: Apache` and the Apache classifier both name a family.
    assert_eq!(p.licenses, [License::Name("Apache".into())]);

    let out = fixture_out(&PythonInstalledCataloger, "setuptools-51.3.3-egg-info");
    let p = find(&out, "setuptools");
    // No License field: the MIT classifier is the declaration.
    assert_eq!(p.licenses, [License::Expression("MIT".into())]);
    assert_eq!(
        p.author.as_ref().map(|a| a.name.as_str()),
        Some("Python Packaging Authority")
    );
}

#[test]
fn single_file_egg_info() {
    let out = fixture_out(&PythonInstalledCataloger, "single-file-egg-info");
    assert!(out.unknowns.is_empty(), "{:?}", out.unknowns);
    assert_eq!(listing(&out), ["pkg:pypi/python@2.7.13"]);
    assert_eq!(
        out.packages[0].licenses,
        [License::Name("PSF license".into())]
    );
}

fn dist(name: &str, version: &str, requires: &[&str]) -> String {
    let mut s = format!("Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n");
    for r in requires {
        s.push_str(&format!("Requires-Dist: {r}\n"));
    }
    s
}

#[test]
fn edges_stay_in_their_environment_and_honour_markers() {
    let sys = "usr/lib/python3/dist-packages";
    let venv = "opt/venv/lib/python3.11/site-packages";
    let requests = [
        "urllib3 (<1.27,>=1.21.1)",
        "PySocks (!=1.5.7,>=1.5.6) ; extra == 'socks'",
        "importlib-metadata ; python_version < \"3.8\"",
        "chardet (<5,>=3.0.2) ; python_version >= \"3\"",
    ];
    let l = layer()
        .file(
            &format!("{sys}/requests-2.28.1.egg-info/PKG-INFO"),
            dist("requests", "2.28.1", &[]),
        )
        .file(
            &format!("{sys}/requests-2.28.1.egg-info/requires.txt"),
            "urllib3<1.27,>=1.21.1\n\n[socks]\nPySocks!=1.5.7,>=1.5.6\n",
        )
        .file(
            &format!("{sys}/urllib3-1.26.12.egg-info/PKG-INFO"),
            dist("urllib3", "1.26.12", &[]),
        )
        .file(
            &format!("{venv}/requests-2.31.0.dist-info/METADATA"),
            dist("requests", "2.31.0", &requests),
        )
        .file(
            &format!("{venv}/urllib3-1.26.18.dist-info/METADATA"),
            dist("urllib3", "1.26.18", &[]),
        )
        .file(
            &format!("{venv}/PySocks-1.7.1.dist-info/METADATA"),
            dist("PySocks", "1.7.1", &[]),
        )
        .file(
            &format!("{venv}/importlib_metadata-6.0.0.dist-info/METADATA"),
            dist("importlib_metadata", "6.0.0", &[]),
        )
        .file(
            &format!("{venv}/chardet-4.0.0.dist-info/METADATA"),
            dist("chardet", "4.0.0", &[]),
        )
        // Asks for requests[socks]: the extra activates requests' PySocks requirement.
        .file(
            &format!("{venv}/app-1.0.dist-info/METADATA"),
            dist("app", "1.0", &["requests[socks]>=2"]),
        )
        .build();
    let out = installed(l);
    assert!(out.unknowns.is_empty(), "{:?}", out.unknowns);
    assert_eq!(out.packages.len(), 8);
    assert_eq!(
        edges(&out, RelationshipKind::DependsOn),
        [
            "opt:app -> opt:requests",
            "opt:requests -> opt:PySocks",
            "opt:requests -> opt:chardet",
            "opt:requests -> opt:urllib3",
            "usr:requests -> usr:urllib3",
        ]
    );
}

#[test]
fn bundled_distributions_are_properties_of_their_owner() {
    let sp = "venv/lib/python3.12/site-packages";
    let record = "setuptools/__init__.py,,\nsetuptools/_vendor/packaging-24.2.dist-info/METADATA,,\nsetuptools-75.0.0.dist-info/RECORD,,\n";
    let l = layer()
        .file(
            &format!("{sp}/setuptools/_vendor/packaging-24.2.dist-info/RECORD"),
            "packaging-24.2.dist-info/METADATA,,\n",
        )
        .file(
            &format!("{sp}/setuptools-75.0.0.dist-info/METADATA"),
            dist("setuptools", "75.0.0", &["packaging>=24"]),
        )
        .file(&format!("{sp}/setuptools-75.0.0.dist-info/RECORD"), record)
        .file(
            &format!("{sp}/setuptools/_vendor/packaging-24.2.dist-info/METADATA"),
            dist("packaging", "24.2", &[]),
        )
        .build();
    let out = installed(l);
    assert_eq!(listing(&out), ["pkg:pypi/setuptools@75.0.0"]);
    assert!(out.relationships.is_empty());
    let p = find(&out, "setuptools");
    assert!(
        lang(p)
            .properties
            .contains(&("bundled".to_owned(), "packaging@24.2".to_owned()))
    );
}

#[test]
fn hostile_input_becomes_unknowns() {
    let sp = "usr/lib/python3.11/site-packages";
    let l = || {
        layer()
            .file(&format!("{sp}/empty-1.dist-info/METADATA"), "")
            .file(
                &format!("{sp}/bin-1.dist-info/METADATA"),
                b"\xff\xfe\x00\x01garbage",
            )
            .file(&format!("{sp}/noversion-1.dist-info/METADATA"), "Name: x\n")
            .file(
                &format!("{sp}/bad-1.dist-info/METADATA"),
                dist("bad", "1 2", &[]),
            )
            .file(
                &format!("{sp}/ok-1.dist-info/METADATA"),
                dist("ok", "1", &["((("]),
            )
            .file(
                &format!("{sp}/ok-1.dist-info/RECORD"),
                "\"unterminated,\n,,\n../../../../../../x,,\n",
            )
            .file("app/poetry.lock", "[[package]\n")
            .file("app/Pipfile.lock", "{\"default\": 3}")
            .file("app/uv.lock", b"\xff")
            .file("app/requirements.txt", b"\xff==\xfe\n==1\n")
            .build()
    };
    let out = installed(l());
    assert_eq!(listing(&out), ["pkg:pypi/ok@1"]);
    assert_eq!(out.unknowns.len(), 4, "{:?}", out.unknowns);
    let out = run(&PythonLockCataloger, l());
    assert!(out.packages.is_empty());
    assert_eq!(out.unknowns.len(), 3, "{:?}", out.unknowns);
}
