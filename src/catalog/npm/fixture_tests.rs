//! The lock cataloger against the vendored lockfiles (every version, and one project locked by
//! every tool) and against hostile input; helpers shared with the installed cataloger's tests.

use std::collections::BTreeSet;

use super::{NpmInstalledCataloger, NpmLockCataloger};
use crate::catalog::testfs::{TestLayer, fixture};
use crate::catalog::{CatalogOutput, Cataloger, Environment};
use crate::fs::{LayerTree, LayeredFs};
use crate::model::{Evidence, HashAlgorithm, License, Package, PackageMetadata};

pub(super) fn layer() -> TestLayer {
    TestLayer::new(&[NpmInstalledCataloger.wants(), NpmLockCataloger.wants()].concat())
}

pub(super) fn run(c: &dyn Cataloger, tree: LayerTree) -> CatalogOutput {
    let layers = [tree];
    let fs = LayeredFs::squashed(&layers);
    c.catalog(&fs, &Environment::default()).unwrap()
}

pub(super) fn lock_fixture(name: &str) -> CatalogOutput {
    run(
        &NpmLockCataloger,
        layer().dir_tree(&fixture(&format!("npm/{name}"))).build(),
    )
}

pub(super) fn dev(p: &Package) -> bool {
    matches!(&p.metadata, PackageMetadata::Language(m) if m.dev)
}

/// `name@version` (with ` dev` appended for dev packages), sorted and unique.
pub(super) fn set(out: &CatalogOutput) -> BTreeSet<String> {
    out.packages
        .iter()
        .map(|p| {
            let d = if dev(p) { " dev" } else { "" };
            format!("{}@{}{d}", p.name, p.version)
        })
        .collect()
}

pub(super) fn edges(out: &CatalogOutput) -> BTreeSet<String> {
    out.relationships
        .iter()
        .map(|&(a, b, _)| {
            let (a, b) = (&out.packages[a], &out.packages[b]);
            format!("{}@{} -> {}@{}", a.name, a.version, b.name, b.version)
        })
        .collect()
}

pub(super) fn find<'a>(out: &'a CatalogOutput, name: &str, version: &str) -> &'a Package {
    out.packages
        .iter()
        .find(|p| p.name == name && p.version == version)
        .unwrap_or_else(|| panic!("{name}@{version} not found"))
}

#[test]
fn package_lock_versions_agree() {
    let v1 = lock_fixture("package-lock-v1");
    let v2 = lock_fixture("package-lock-v2");
    let v3 = lock_fixture("package-lock-v3");
    for out in [&v1, &v2, &v3] {
        assert!(out.unknowns.is_empty(), "{:?}", out.unknowns);
    }
    assert_eq!(set(&v1).len(), 31);
    assert_eq!(set(&v1), set(&v2));
    assert_eq!(set(&v2), set(&v3));
    assert_eq!(edges(&v1), edges(&v2));
    assert_eq!(edges(&v2), edges(&v3));
    let s = set(&v2);
    assert!(s.contains("debug@2.5.2 dev") && s.contains("ms@0.7.2 dev"));
    assert!(s.contains("debug@2.6.9") && s.contains("ms@2.0.0"));
    let e = edges(&v2);
    // Nested copies win over the top-level ones: body-parser's own debug, and its ms.
    assert!(e.contains("body-parser@1.18.3 -> debug@2.6.9"), "{e:#?}");
    assert!(e.contains("debug@2.6.9 -> ms@2.0.0"), "{e:#?}");
    assert!(e.contains("debug@2.5.2 -> ms@0.7.2"), "{e:#?}");
    assert!(!e.contains("body-parser@1.18.3 -> debug@2.5.2"));
}

#[test]
fn package_lock_entry_facts() {
    let out = lock_fixture("package-lock-v2");
    let p = find(&out, "@babel/helper-string-parser", "7.19.4");
    assert_eq!(
        p.purl.as_str(),
        "pkg:npm/%40babel/helper-string-parser@7.19.4"
    );
    assert_eq!(p.checksums.len(), 1);
    assert_eq!(p.checksums[0].algorithm, HashAlgorithm::Sha512);
    let PackageMetadata::Language(m) = &p.metadata else {
        panic!("language metadata")
    };
    assert_eq!(m.evidence, Evidence::Declared);
    assert_eq!(m.properties[0].0, "resolved");
    assert_eq!(m.properties[1].0, "integrity");
    assert_eq!(
        p.locations.first().unwrap().path,
        "package-lock.json",
        "found at the project root"
    );
}

#[test]
fn yarn_classic() {
    let out = lock_fixture("yarn-v1");
    assert!(out.unknowns.is_empty(), "{:?}", out.unknowns);
    let s = set(&out);
    assert_eq!(s.len(), 18, "{s:#?}");
    assert!(s.contains("@babel/helper-regex@7.4.4"));
    assert!(s.contains("js-tokens@4.0.0"));
    assert!(s.contains("safer-buffer@2.1.2"));
    let e = edges(&out);
    assert!(
        e.contains("@babel/helper-regex@7.4.4 -> lodash@4.17.11"),
        "{e:#?}"
    );
    assert!(e.contains("promise@8.0.3 -> asap@2.0.6"), "{e:#?}");
    let p = find(&out, "ansi-regex", "2.1.1");
    assert_eq!(p.checksums[0].algorithm, HashAlgorithm::Sha1);
}

#[test]
fn yarn_berry() {
    let out = lock_fixture("yarn-berry");
    assert!(out.unknowns.is_empty(), "{:?}", out.unknowns);
    let s = set(&out);
    // 18 entries, less the project's own workspace.
    assert!(!s.iter().any(|p| p.starts_with("code@")), "{s:#?}");
    assert!(s.contains("@types/color-name@1.1.1"));
    assert!(s.contains("fsevents@2.1.3"), "patched package: {s:#?}");
    assert_eq!(s.len(), 17, "{s:#?}");
    let e = edges(&out);
    assert!(
        e.contains("ansi-styles@3.2.1 -> color-convert@1.9.3"),
        "{e:#?}"
    );
    assert!(
        e.contains("ansi-styles@4.2.1 -> @types/color-name@1.1.1"),
        "{e:#?}"
    );
    assert!(
        e.contains("color-convert@1.9.3 -> color-name@1.1.3"),
        "{e:#?}"
    );
    // The cache checksum is not the tarball's: no package checksum.
    assert!(out.packages.iter().all(|p| p.checksums.is_empty()));
}

#[test]
fn pnpm_v6() {
    let out = lock_fixture("pnpm-v6");
    assert!(out.unknowns.is_empty(), "{:?}", out.unknowns);
    assert_eq!(
        set(&out),
        ["asap@2.0.6", "jquery@3.6.0", "promise@8.1.0"]
            .map(String::from)
            .into()
    );
    assert_eq!(
        edges(&out),
        ["promise@8.1.0 -> asap@2.0.6".to_owned()].into()
    );
}

#[test]
fn pnpm_v9_dev_from_importers() {
    let out = lock_fixture("pnpm-v9");
    assert!(out.unknowns.is_empty(), "{:?}", out.unknowns);
    let s = set(&out);
    // Tarball and file dependencies carry their real version; a local folder is skipped.
    assert!(s.contains("debug@4.3.5"), "{s:#?}");
    assert!(s.contains("asynckit@0.4.0"), "{s:#?}");
    assert!(s.contains("lodash@4.17.21 dev"), "{s:#?}");
    assert!(!s.iter().any(|p| p.starts_with("package1@")), "{s:#?}");
    // Dev roots; ms@2.0.0 is also reached from production (finalhandler → debug).
    assert!(s.contains("jquery@3.6.0 dev") && s.contains("await-sleep@0.0.1 dev"));
    assert!(s.contains("ms@2.0.0"), "{s:#?}");
    let e = edges(&out);
    assert!(e.contains("finalhandler@1.1.1 -> debug@4.3.4"), "{e:#?}");
    assert!(e.contains("debug@4.3.5 -> ms@2.1.2"), "{e:#?}");
    assert!(e.contains("promise@8.1.0 -> asap@2.0.6"), "{e:#?}");
}

#[test]
fn broken_lockfiles_are_unknowns() {
    let out = run(
        &NpmLockCataloger,
        layer()
            .file("a/package-lock.json", "{not json")
            .file("b/pnpm-lock.yaml", "lockfileVersion: [\n")
            .file(
                "c/yarn.lock",
                "__metadata:\n  version: 4\n\"x@npm:1\":\n  - oops\n",
            )
            .file(
                "d/yarn.lock",
                "garbage without structure\n  version \"1\"\n",
            )
            .file("e/package-lock.json", "[]")
            .build(),
    );
    assert!(out.packages.is_empty(), "{:?}", out.packages);
    let paths: BTreeSet<&str> = out
        .unknowns
        .iter()
        .filter_map(|u| u.location.as_ref().map(|l| l.path.as_str()))
        .collect();
    for p in [
        "a/package-lock.json",
        "b/pnpm-lock.yaml",
        "c/yarn.lock",
        "e/package-lock.json",
    ] {
        assert!(paths.contains(p), "{p}: {:?}", out.unknowns);
    }
}

#[test]
fn lockfile_beside_an_installed_tree_is_superseded() {
    let lock = std::fs::read(fixture("npm/package-lock-v3/package-lock.json")).unwrap();
    let out = run(
        &NpmLockCataloger,
        layer()
            .file("app/package-lock.json", &lock)
            .file(
                "app/node_modules/ms/package.json",
                r#"{"name":"ms","version":"1.0.0"}"#,
            )
            .file("src/package-lock.json", &lock)
            .file(
                "pnpm/pnpm-lock.yaml",
                std::fs::read(fixture("npm/pnpm-v6/pnpm-lock.yaml")).unwrap(),
            )
            .file(
                "pnpm/node_modules/.pnpm/jquery@3.6.0/node_modules/jquery/package.json",
                r#"{"name":"jquery","version":"3.6.0"}"#,
            )
            .symlink(
                "pnpm/node_modules/jquery",
                ".pnpm/jquery@3.6.0/node_modules/jquery",
            )
            .file("app/node_modules/x/package-lock.json", &lock)
            .build(),
    );
    assert!(out.packages.iter().all(|p| {
        p.locations
            .iter()
            .all(|l| l.path == "src/package-lock.json")
    }));
    assert_eq!(set(&out).len(), 31);
}

/// One `package.json` locked by npm 11, pnpm 9, Yarn 1 and Yarn 4 (real lockfiles made for
/// this test): every format yields the same packages and the same tree.
#[test]
fn one_project_four_lockfiles_agree() {
    let outs: Vec<(&str, CatalogOutput)> = ["npm-11", "pnpm-9", "yarn-1", "yarn-4"]
        .into_iter()
        .map(|d| (d, lock_fixture(&format!("probe/{d}"))))
        .collect();
    let names = |o: &CatalogOutput| -> BTreeSet<String> {
        o.packages
            .iter()
            .map(|p| format!("{}@{}", p.name, p.version))
            .collect()
    };
    let (_, npm) = &outs[0];
    assert_eq!(names(npm).len(), 86);
    assert_eq!(edges(npm).len(), 141);
    for (what, out) in &outs {
        assert!(out.unknowns.is_empty(), "{what}: {:?}", out.unknowns);
        assert_eq!(names(out), names(npm), "{what}");
        assert_eq!(edges(out), edges(npm), "{what}");
    }
    // Only npm and pnpm record dev dependencies.
    for (what, out) in &outs[..2] {
        let dev: Vec<&str> = out
            .packages
            .iter()
            .filter(|p| dev(p))
            .map(|p| p.name.as_str())
            .collect();
        assert_eq!(dev, ["is-number"], "{what}");
    }
    let code_frame = find(npm, "@babel/code-frame", "7.24.2");
    assert_eq!(
        code_frame.purl.as_str(),
        "pkg:npm/%40babel/code-frame@7.24.2"
    );
    assert_eq!(code_frame.licenses, [License::Expression("MIT".into())]);
}
