//! The installed cataloger on trees built in memory: nesting, scopes, pnpm's store, hidden
//! lockfiles, workspaces and broken files.

use crate::catalog::npm::NpmInstalledCataloger;
use crate::catalog::npm::fixture_tests::{edges, find, layer, run, set};
use crate::model::{Evidence, License, PackageMetadata};

const APP: &str = "app/node_modules";

#[test]
fn installed_tree_with_nesting_scopes_and_hidden_lockfile() {
    let pkg = |name: &str, version: &str, deps: &str| {
        format!(r#"{{"name":"{name}","version":"{version}","dependencies":{{{deps}}}}}"#)
    };
    let hidden = r#"{"lockfileVersion":3,"packages":{
        "node_modules/ms":{"version":"2.1.3","dev":true,
          "resolved":"https://registry.npmjs.org/ms/-/ms-2.1.3.tgz",
          "integrity":"sha1-w7M6te42DYbg5ijwRorn7yfWVN8="}}}"#;
    let out = run(
        &NpmInstalledCataloger,
        layer()
            .file("app/package.json", pkg("app", "1.0.0", r#""a":"1""#))
            .file(&format!("{APP}/.package-lock.json"), hidden)
            .file(
                &format!("{APP}/a/package.json"),
                pkg("a", "1.0.0", r#""b":"1","@s/c":"1""#),
            )
            .file(
                &format!("{APP}/a/node_modules/b/package.json"),
                pkg("b", "1.0.0", r#""ms":"2""#),
            )
            .file(&format!("{APP}/b/package.json"), pkg("b", "2.0.0", ""))
            .file(
                &format!("{APP}/@s/c/package.json"),
                r#"{"name":"@s/c","version":"3.0.0","license":{"type":"MIT"},
                   "author":{"name":"Jo","email":"jo@example.org"},
                   "description":" scoped ","homepage":"https://example.org"}"#,
            )
            .file(&format!("{APP}/ms/package.json"), pkg("ms", "2.1.3", ""))
            .file(&format!("{APP}/a/lib/package.json"), r#"{"type":"module"}"#)
            .file(
                &format!("{APP}/a/test/node_modules/z/package.json"),
                pkg("z", "9.9.9", ""),
            )
            .file(&format!("{APP}/broken/package.json"), "{")
            .build(),
    );
    assert_eq!(
        set(&out),
        [
            "@s/c@3.0.0",
            "a@1.0.0",
            "b@1.0.0",
            "b@2.0.0",
            "ms@2.1.3 dev"
        ]
        .map(String::from)
        .into()
    );
    assert_eq!(
        edges(&out),
        [
            "a@1.0.0 -> @s/c@3.0.0",
            "a@1.0.0 -> b@1.0.0",
            "b@1.0.0 -> ms@2.1.3"
        ]
        .map(String::from)
        .into()
    );
    assert_eq!(out.unknowns.len(), 1, "{:?}", out.unknowns);
    let c = find(&out, "@s/c", "3.0.0");
    assert_eq!(c.purl.as_str(), "pkg:npm/%40s/c@3.0.0");
    assert_eq!(c.licenses, [License::Expression("MIT".into())]);
    assert_eq!(c.author.as_ref().unwrap().name, "Jo");
    let PackageMetadata::Language(m) = &c.metadata else {
        panic!()
    };
    assert_eq!(m.evidence, Evidence::Installed);
    assert_eq!(m.description.as_deref(), Some("scoped"));
    assert_eq!(m.homepage.as_deref(), Some("https://example.org"));
    assert_eq!(find(&out, "ms", "2.1.3").checksums.len(), 1);
}

#[test]
fn installed_pnpm_layout_resolves_through_symlinks() {
    let store = "app/node_modules/.pnpm";
    let out = run(
        &NpmInstalledCataloger,
        layer()
            .file(
                &format!("{store}/a@1.0.0/node_modules/a/package.json"),
                r#"{"name":"a","version":"1.0.0","dependencies":{"b":"^2"}}"#,
            )
            .symlink(
                &format!("{store}/a@1.0.0/node_modules/b"),
                "../../b@2.0.0/node_modules/b",
            )
            .file(
                &format!("{store}/b@2.0.0/node_modules/b/package.json"),
                r#"{"name":"b","version":"2.0.0"}"#,
            )
            .file(
                &format!("{store}/c@3.0.0/node_modules/c/package.json"),
                r#"{"name":"c","version":"3.0.0"}"#,
            )
            .symlink("app/node_modules/a", ".pnpm/a@1.0.0/node_modules/a")
            .file(&format!("{store}/lock.yaml"), PNPM_HIDDEN)
            .build(),
    );
    assert!(out.unknowns.is_empty(), "{:?}", out.unknowns);
    assert_eq!(
        set(&out),
        ["a@1.0.0", "b@2.0.0", "c@3.0.0 dev"]
            .map(String::from)
            .into()
    );
    assert_eq!(find(&out, "c", "3.0.0").checksums.len(), 1);
    assert_eq!(edges(&out), ["a@1.0.0 -> b@2.0.0".to_owned()].into());
}

/// pnpm's copy of its lockfile in `node_modules/.pnpm/lock.yaml` (v9).
const PNPM_HIDDEN: &str = "lockfileVersion: '9.0'
importers:
  .:
    dependencies:
      a:
        specifier: ^1.0.0
        version: 1.0.0
    devDependencies:
      c:
        specifier: ^3.0.0
        version: 3.0.0
packages:
  a@1.0.0:
    resolution: {integrity: sha1-w7M6te42DYbg5ijwRorn7yfWVN8=}
  b@2.0.0:
    resolution: {integrity: sha1-w7M6te42DYbg5ijwRorn7yfWVN8=}
  c@3.0.0:
    resolution: {integrity: sha1-w7M6te42DYbg5ijwRorn7yfWVN8=}
snapshots:
  a@1.0.0:
    dependencies:
      b: 2.0.0
  b@2.0.0: {}
  c@3.0.0: {}
";

#[test]
fn installed_quirks_bom_and_missing_name() {
    let out = run(
        &NpmInstalledCataloger,
        layer()
            .file(
                "node_modules/@s/nameless/package.json",
                "\u{feff}{\"version\":\"0.1.0\"}",
            )
            .file(
                "node_modules/noversion/package.json",
                r#"{"name":"noversion"}"#,
            )
            .file("node_modules/array/package.json", "[1]")
            .build(),
    );
    assert_eq!(set(&out), ["@s/nameless@0.1.0".to_owned()].into());
    assert_eq!(out.unknowns.len(), 2, "{:?}", out.unknowns);
}

#[test]
fn npm_workspaces_from_the_hidden_lockfile() {
    // As `npm install` leaves a project with workspaces `packages/*`.
    let hidden = r#"{"lockfileVersion":3,"packages":{
        "node_modules/is-number":{"version":"7.0.0"},
        "node_modules/ws-a":{"resolved":"packages/a","link":true},
        "node_modules/ws-gone":{"resolved":"packages/gone","link":true},
        "packages/a":{"name":"ws-a","version":"0.3.0","license":"MIT",
                      "dependencies":{"is-number":"7.0.0"}},
        "packages/gone":{"name":"ws-gone","version":"1.0.0"}}}"#;
    let out = run(
        &NpmInstalledCataloger,
        layer()
            .file(
                "w/package.json",
                r#"{"name":"root","workspaces":["packages/*"]}"#,
            )
            .file("w/node_modules/.package-lock.json", hidden)
            .file(
                "w/node_modules/is-number/package.json",
                r#"{"name":"is-number","version":"7.0.0"}"#,
            )
            .file(
                "w/packages/a/package.json",
                r#"{"name":"ws-a","version":"0.3.0"}"#,
            )
            .symlink("w/node_modules/ws-a", "../packages/a")
            .build(),
    );
    assert_eq!(
        set(&out),
        ["is-number@7.0.0", "ws-a@0.3.0"].map(String::from).into()
    );
    assert_eq!(
        edges(&out),
        ["ws-a@0.3.0 -> is-number@7.0.0".to_owned()].into()
    );
    let ws = find(&out, "ws-a", "0.3.0");
    assert_eq!(
        ws.locations.first().unwrap().path,
        "w/packages/a/package.json"
    );
    assert_eq!(ws.licenses, [License::Expression("MIT".into())]);
}
