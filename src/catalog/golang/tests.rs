use super::*;
use crate::catalog::testfs::{TestLayer, fixture};
use crate::fs::LayeredFs;

fn scan(layer: TestLayer) -> CatalogOutput {
    let trees = [layer.build()];
    let fs = LayeredFs::squashed(&trees);
    GoModuleBinaryCataloger
        .catalog(&fs, &Environment::default())
        .unwrap()
}

fn props(p: &Package) -> &[(String, String)] {
    match &p.metadata {
        PackageMetadata::Language(m) => {
            assert_eq!(m.evidence, Evidence::Binary);
            &m.properties
        }
        other => panic!("{other:?}"),
    }
}

fn prop<'a>(p: &'a Package, key: &str) -> Option<&'a str> {
    props(p)
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

/// What `go version -m` prints for the fixture (and osv-scalibr's test expects, modulo its
/// dropping the `v` and the `(devel)` main module): the replacement of golang.org/x/xerrors,
/// the toolchain, and the main module.
#[test]
fn real_binary_matches_go_version_m() {
    let bin = std::fs::read(fixture(
        "go/binary-go1.22-replace/binary_with_module_replacement-linux-amd64",
    ))
    .unwrap();
    let out = scan(
        TestLayer::new(&[])
            .extractor(&EXTRACTOR)
            .executable("usr/local/bin/app", &bin)
            // Not executable: not looked at.
            .file("opt/copy", &bin),
    );
    assert!(out.unknowns.is_empty(), "{:?}", out.unknowns);
    let got: Vec<(&str, &str, &str)> = out
        .packages
        .iter()
        .map(|p| (p.purl.as_str(), p.name.as_str(), p.version.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            (
                "pkg:golang/github.com/golang/xerrors@v0.0.0-20220907171357-04be3eba64a2",
                "github.com/golang/xerrors",
                "v0.0.0-20220907171357-04be3eba64a2"
            ),
            ("pkg:golang/stdlib@1.22.0", "stdlib", "1.22.0"),
            (
                "pkg:golang/binary_with_module_replacement@(devel)",
                "binary_with_module_replacement",
                "(devel)"
            ),
        ]
    );
    let dep = &out.packages[0];
    assert_eq!(
        prop(dep, "h1Digest"),
        Some("h1:Wpqq3XyrlysiTYqXPoaibAPvTMmnbHE42soloZAxtZY=")
    );
    assert_eq!(prop(dep, "replacedModule"), Some("golang.org/x/xerrors"));
    assert_eq!(
        prop(dep, "replacedVersion"),
        Some("v0.0.0-20220907171357-04be3eba64a2")
    );
    assert!(dep.checksums.is_empty(), "h1 is not a file hash");
    let main = &out.packages[2];
    assert_eq!(prop(main, "goToolchain"), Some("go1.22.0"));
    assert_eq!(prop(main, "build:GOOS"), Some("linux"));
    assert_eq!(prop(main, "build:-compiler"), Some("gc"));
    assert_eq!(main.arch.as_deref(), Some("amd64"));
    assert_eq!(
        main.locations.iter().next().unwrap(),
        &Location::new("usr/local/bin/app", 0)
    );
    assert_eq!(
        out.relationships,
        [
            (2, 0, RelationshipKind::DependsOn),
            (2, 1, RelationshipKind::DependsOn)
        ]
    );
}

fn summary(go: &str, modinfo: &str) -> String {
    format!("{go}\n{modinfo}")
}

#[test]
fn devel_main_module_takes_a_pseudo_version_from_vcs_settings() {
    let info = "mod\tex.com/app\t(devel)\t\nbuild\tvcs=git\n\
                build\tvcs.revision=0123456789abcdef0123456789abcdef01234567\n\
                build\tvcs.time=2024-03-05T10:20:30Z\nbuild\tvcs.modified=true\n";
    let mut out = CatalogOutput::default();
    let loc = Location::new("app", 0);
    catalog_binary(&loc, &summary("go1.22.1", info), &mut out);
    let main = out.packages.last().unwrap();
    assert_eq!(main.version, "v0.0.0-20240305102030-0123456789ab");
    assert_eq!(
        main.purl.as_str(),
        "pkg:golang/ex.com/app@v0.0.0-20240305102030-0123456789ab"
    );

    assert_eq!(prop(main, "versionSource"), Some("vcs"));

    let info = "mod\tex.com/app\t(devel)\t\nbuild\tvcs.revision=abc\n";
    let mut out = CatalogOutput::default();
    catalog_binary(&loc, &summary("go1.22.1", info), &mut out);
    assert_eq!(out.packages.last().unwrap().version, "abc");
}

#[test]
fn local_replacements_keep_the_module_path() {
    let info = "mod\tex.com/app\tv1.0.0\t\n\
                dep\tex.com/lib\tv0.0.0-00010101000000-000000000000\n=>\t./lib\t(devel)\t\n";
    let mut out = CatalogOutput::default();
    catalog_binary(
        &Location::new("app", 0),
        &summary("go1.19.8", info),
        &mut out,
    );
    let lib = &out.packages[0];
    assert_eq!(lib.name, "ex.com/lib");
    assert_eq!(lib.version, "v0.0.0-00010101000000-000000000000");
    assert_eq!(prop(lib, "replacementPath"), Some("./lib"));
}

#[test]
fn toolchain_spellings() {
    let loc = Location::new("app", 0);
    let stdlib = |go: &str| {
        let bi = buildinfo::parse(&summary(go, ""));
        stdlib_package(&bi, &loc).map(|p| {
            (
                p.version.clone(),
                prop(&p, "goExperiment").map(str::to_owned),
            )
        })
    };
    assert_eq!(
        stdlib("go1.21.5 X:boringcrypto"),
        Some(("1.21.5".into(), Some("X:boringcrypto".into())))
    );
    assert_eq!(stdlib("go1.13"), Some(("1.13".into(), None)));
    assert_eq!(stdlib("devel go1.23-0a1b2c3 Tue Jan 2 2024"), None);
    assert_eq!(stdlib(""), None);
}

#[test]
fn no_module_info_still_names_the_toolchain() {
    let mut out = CatalogOutput::default();
    catalog_binary(
        &Location::new("usr/lib/go/bin/gofmt", 0),
        "go1.19.8\n",
        &mut out,
    );
    assert_eq!(out.packages.len(), 1);
    assert_eq!(out.packages[0].purl.as_str(), "pkg:golang/stdlib@1.19.8");
    assert!(out.relationships.is_empty());
    for path in ["cmd/gofmt", "command-line-arguments"] {
        let mut out = CatalogOutput::default();
        let info = format!("path\t{path}\ndep\tex.com/x\tv1.0.0\n");
        catalog_binary(
            &Location::new("bin/x", 0),
            &summary("go1.19.8", &info),
            &mut out,
        );
        assert_eq!(out.packages.len(), 2, "{path}");
        assert!(out.relationships.is_empty());
    }
}

/// Debian builds Go programs in GOPATH mode: no `mod` line, the package path names the
/// program (Syft's reading).
#[test]
fn gopath_builds_are_named_by_their_package_path() {
    let info = "path\tgithub.com/docker/cli/cmd/docker\n\
                build\t-ldflags=\"-X github.com/docker/cli/cli/version.Version=28.2.2\"\n";
    let mut out = CatalogOutput::default();
    catalog_binary(
        &Location::new("usr/bin/docker", 0),
        &summary("go1.24.4", info),
        &mut out,
    );
    let main = out.packages.last().unwrap();
    assert_eq!(
        main.purl.as_str(),
        "pkg:golang/github.com/docker/cli/cmd/docker@v28.2.2"
    );
    assert_eq!(out.relationships, [(1, 0, RelationshipKind::DependsOn)]);
}

/// Go 1.24+ stamps an untagged pseudo-version from the checkout; a release in -ldflags wins.
#[test]
fn untagged_pseudo_versions_give_way_to_ldflags() {
    let info = "mod\tk8s.io/kubernetes\tv0.0.0-20250515090502-9894294ef13a\t\n\
                build\t-ldflags=\"-X k8s.io/component-base/version.gitVersion=v1.30.13\"\n";
    let mut out = CatalogOutput::default();
    catalog_binary(
        &Location::new("usr/bin/kubectl", 0),
        &summary("go1.24.2", info),
        &mut out,
    );
    assert_eq!(out.packages.last().unwrap().version, "v1.30.13");
    let info = "mod\tk8s.io/kubernetes\tv0.0.0-20250515090502-9894294ef13a\t\n";
    let mut out = CatalogOutput::default();
    catalog_binary(
        &Location::new("usr/bin/kubectl", 0),
        &summary("go1.24.2", info),
        &mut out,
    );
    assert_eq!(
        out.packages.last().unwrap().version,
        "v0.0.0-20250515090502-9894294ef13a"
    );
}

#[test]
fn malformed_build_info_is_an_unknown_and_the_rest_is_kept() {
    let info = "mod\tex.com/app\tv1.0.0\ndep\tonly-one-column\ndep\tok.io/x\tv1.0.0\th1:x=\n";
    let mut out = CatalogOutput::default();
    catalog_binary(
        &Location::new("app", 0),
        &summary("go1.22.0", info),
        &mut out,
    );
    assert_eq!(out.unknowns.len(), 1);
    assert!(
        out.unknowns[0].reason.contains("line 3"),
        "{:?}",
        out.unknowns
    );
    assert_eq!(out.packages.len(), 3);
}

#[test]
fn golang_purls_split_namespace_and_name() {
    let p = golang_purl("github.com/foo/bar", "v1.2.3").unwrap();
    assert_eq!(p.as_str(), "pkg:golang/github.com/foo/bar@v1.2.3");
    let parts = p.parts().unwrap();
    assert_eq!(parts.namespace.as_deref(), Some("github.com/foo"));
    assert_eq!(parts.name, "bar");
    assert_eq!(
        golang_purl("gopkg.in/yaml.v3", "v3.0.1").unwrap().as_str(),
        "pkg:golang/gopkg.in/yaml.v3@v3.0.1"
    );
    assert_eq!(
        golang_purl("github.com/go-playground/validator/v10", "v10.11.1")
            .unwrap()
            .as_str(),
        "pkg:golang/github.com/go-playground/validator/v10@v10.11.1"
    );
    assert_eq!(
        golang_purl("stdlib", "1.22.0").unwrap().as_str(),
        "pkg:golang/stdlib@1.22.0"
    );
}

#[test]
fn extraction_failures_become_unknowns() {
    let mut bin = std::fs::read(fixture(
        "go/binary-go1.22-replace/binary_with_module_replacement-linux-amd64",
    ))
    .unwrap();
    // Corrupt the version's varint length inside .go.buildinfo.
    bin[0x13a000 + 32..0x13a000 + 37].copy_from_slice(&[0xff, 0xff, 0xff, 0xff, 0x0f]);
    let out = scan(
        TestLayer::new(&[])
            .extractor(&EXTRACTOR)
            .executable("bin/broken", &bin),
    );
    assert!(out.packages.is_empty());
    assert_eq!(out.unknowns.len(), 1);
    assert_eq!(
        out.unknowns[0].location.as_ref().unwrap().path,
        "bin/broken"
    );
}

#[test]
fn devel_main_module_takes_a_release_stamped_by_ldflags() {
    let cases = [
        ("-s -w -X main.version=1.2.3", Some("v1.2.3")),
        (
            "-X=github.com/x/y/cmd.Version=v2.0.0-rc.1",
            Some("v2.0.0-rc.1"),
        ),
        ("-X 'ex.com/v.gitVersion=refs/tags/v0.9.1'", Some("v0.9.1")),
        (
            r#" -X "github.com/docker/cli/cli/version.GitCommit=e6534b4" -X "github.com/docker/cli/cli/version.Version=28.2.2" -extldflags -static"#,
            Some("v28.2.2"),
        ),
        ("-X ex.com/v.gitVersion=refs/tags/v0.9.1", Some("v0.9.1")),
        ("-X ex.com/build.Tag=3.4.5", Some("v3.4.5")),
        ("-X main.commit=1.2.3 -X main.version=dev", None),
        ("-X main.version=1.2", None),
        ("-X", None),
    ];
    for (flags, want) in cases {
        assert_eq!(ldflags_version(flags).as_deref(), want, "{flags}");
    }
    let info = "mod\tex.com/app\t(devel)\t\nbuild\t-ldflags=\"-X main.version=1.4.0\"\n\
                build\tvcs.revision=0123456789abcdef\nbuild\tvcs.time=2024-03-05T10:20:30Z\n";
    let mut out = CatalogOutput::default();
    catalog_binary(
        &Location::new("app", 0),
        &summary("go1.22.1", info),
        &mut out,
    );
    let main = out.packages.last().unwrap();
    assert_eq!(main.version, "v1.4.0");
    assert_eq!(prop(main, "versionSource"), Some("ldflags"));
}
