//! Go and Rust packages in an image built in code: a real Go binary, a real cargo-auditable
//! binary, a Cargo.lock and a go.mod across layers, the Go binary deleted by the last layer.
//! Exact (ecosystem, name, version, introducing layer, removing layer) rows and edges, and
//! schema-valid documents.

use std::collections::BTreeSet;

use consign::model::{Evidence, PackageMetadata, Scope};
use consign::source::SourceSpec;
use consign::{Sbom, ScanOptions};

use crate::support::image::ImageBuilder;
use crate::support::{fixture, tmp, write_documents};

const GO_BIN: &str = "go/binary-go1.22-replace/binary_with_module_replacement-linux-amd64";
const RUST_BIN: &str = "cargo/auditable-binary/uses_serde_json";

fn read(rel: &str) -> Vec<u8> {
    std::fs::read(fixture(rel)).unwrap()
}

fn image() -> ImageBuilder {
    ImageBuilder::new()
        .layer(|l| {
            l.file_mode("usr/local/bin/goapp", read(GO_BIN), 0o755)
                .file("src/app/Cargo.lock", read("cargo/lock-v3/Cargo.lock"))
                .created_by("COPY goapp Cargo.lock /")
        })
        .layer(|l| {
            l.file_mode("usr/bin/uses_json", read(RUST_BIN), 0o755)
                // Not executable: never looked at, although it is a Go binary.
                .file("usr/share/doc/goapp.copy", read(GO_BIN))
                .file("src/goapp/go.mod", read("go/mod-normal/go.mod"))
                .file("src/goapp/go.sum", read("go/mod-normal/go.sum"))
                .created_by("COPY uses_json go.mod go.sum /")
        })
        .layer(|l| {
            l.whiteout("usr/local/bin/goapp")
                .created_by("RUN rm /usr/local/bin/goapp")
        })
}

fn scan(spec: &SourceSpec, scope: Scope) -> Sbom {
    let opts = ScanOptions {
        scope,
        catalogers: vec!["language".into()],
        ..ScanOptions::default()
    };
    consign::scan(spec, &opts).unwrap()
}

type Row = (String, String, String, u32, Option<u32>);

fn rows(sbom: &Sbom) -> BTreeSet<Row> {
    sbom.packages
        .iter()
        .map(|p| {
            (
                p.ecosystem.as_str().to_owned(),
                p.name.clone(),
                p.version.clone(),
                p.introduced_in.unwrap(),
                p.removed_in,
            )
        })
        .collect()
}

fn row(eco: &str, name: &str, version: &str, layer: u32, removed: Option<u32>) -> Row {
    (eco.into(), name.into(), version.into(), layer, removed)
}

fn cargo_lock_rows() -> Vec<Row> {
    [
        ("aho-corasick", "0.7.20"),
        ("app", "0.1.0"),
        ("libc", "0.2.140"),
        ("memchr", "1.0.2"),
        ("memchr", "2.5.0"),
        ("regex", "1.7.3"),
        ("regex-syntax", "0.5.6"),
        ("regex-syntax", "0.6.29"),
        ("ucd-util", "0.1.10"),
    ]
    .iter()
    .map(|(n, v)| row("cargo", n, v, 0, None))
    .collect()
}

fn auditable_rows() -> Vec<Row> {
    [
        ("itoa", "1.0.14"),
        ("memchr", "2.7.4"),
        ("proc-macro2", "1.0.92"),
        ("quote", "1.0.38"),
        ("ryu", "1.0.18"),
        ("serde", "1.0.217"),
        ("serde_derive", "1.0.217"),
        ("serde_json", "1.0.135"),
        ("syn", "2.0.95"),
        ("unicode-ident", "1.0.14"),
        ("uses_json", "0.1.0"),
    ]
    .iter()
    .map(|(n, v)| row("cargo", n, v, 1, None))
    .collect()
}

fn go_mod_rows() -> Vec<Row> {
    [
        (
            "github.com/aquasecurity/go-version",
            "v0.0.0-20240603093900-cf8a8d29271d",
        ),
        (
            "github.com/davecgh/go-spew",
            "v1.1.2-0.20180830191138-d8f796af33cc",
        ),
        (
            "github.com/pmezard/go-difflib",
            "v1.0.1-0.20181226105442-5d4384ee4fb2",
        ),
        ("github.com/stretchr/testify", "v1.9.0"),
        ("golang.org/x/xerrors", "v0.0.0-20231012003039-104605ab7028"),
    ]
    .iter()
    .map(|(n, v)| row("golang", n, v, 1, None))
    .collect()
}

fn go_binary_rows(removed: Option<u32>) -> Vec<Row> {
    vec![
        row(
            "golang",
            "binary_with_module_replacement",
            "(devel)",
            0,
            removed,
        ),
        row(
            "golang",
            "github.com/golang/xerrors",
            "v0.0.0-20220907171357-04be3eba64a2",
            0,
            removed,
        ),
        row("golang", "stdlib", "1.22.0", 0, removed),
    ]
}

/// `from -> to` by name@version.
fn edges(sbom: &Sbom) -> BTreeSet<(String, String)> {
    let name = |id: &consign::model::PackageId| {
        let p = sbom.packages.iter().find(|p| &p.id() == id).unwrap();
        format!("{}@{}", p.name, p.version)
    };
    sbom.relationships
        .iter()
        .map(|r| (name(&r.from), name(&r.to)))
        .collect()
}

#[test]
fn go_and_rust_across_layers() {
    let dir = tmp();
    let path = dir.path().join("img.tar");
    image().write_docker25_archive(&path);
    let spec = SourceSpec::Auto(path);

    let squashed = scan(&spec, Scope::Squashed);
    assert!(squashed.unknowns.is_empty(), "{:?}", squashed.unknowns);
    let want: BTreeSet<Row> = cargo_lock_rows()
        .into_iter()
        .chain(auditable_rows())
        .chain(go_mod_rows())
        .collect();
    assert_eq!(rows(&squashed), want);

    // Locations: the lockfile and binary paths, with the layer that holds them.
    let serde_json = squashed
        .packages
        .iter()
        .find(|p| p.name == "serde_json")
        .unwrap();
    let locs: Vec<(String, u32)> = serde_json
        .locations
        .iter()
        .map(|l| (l.path.clone(), l.layer))
        .collect();
    assert_eq!(locs, [("usr/bin/uses_json".to_owned(), 1)]);
    let PackageMetadata::Language(m) = &serde_json.metadata else {
        panic!("{:?}", serde_json.metadata)
    };
    assert_eq!(m.evidence, Evidence::Binary);

    let e = edges(&squashed);
    for (a, b) in [
        ("uses_json@0.1.0", "serde_json@1.0.135"),
        ("serde_json@1.0.135", "memchr@2.7.4"),
        ("syn@2.0.95", "unicode-ident@1.0.14"),
        ("app@0.1.0", "memchr@1.0.2"),
        ("app@0.1.0", "regex-syntax@0.5.6"),
        ("regex@1.7.3", "regex-syntax@0.6.29"),
        ("aho-corasick@0.7.20", "memchr@2.5.0"),
    ] {
        assert!(
            e.contains(&(a.to_owned(), b.to_owned())),
            "{a} -> {b} in {e:?}"
        );
    }
    // 15 edges in the auditable tree, 9 in the lockfile; none to or from Go packages, whose
    // binary is gone.
    assert_eq!(e.len(), 15 + 9, "{e:?}");

    // All layers: the deleted binary's modules are there, removed by layer 2.
    let all = scan(&spec, Scope::AllLayers);
    let want_all: BTreeSet<Row> = want
        .iter()
        .cloned()
        .chain(go_binary_rows(Some(2)))
        .collect();
    assert_eq!(rows(&all), want_all);

    write_documents(dir.path(), "lang-go-rust", &squashed);
    write_documents(dir.path(), "lang-go-rust-all-layers", &all);
    if let Some(out) = std::env::var_os("CONSIGN_E2E_OUT") {
        write_documents(std::path::Path::new(&out), "lang-go-rust", &squashed);
    }
}

/// Before the delete, the Go binary's packages are there, with the main module's edges.
#[test]
fn go_binary_before_its_deletion() {
    let dir = tmp();
    let path = dir.path().join("img.tar");
    ImageBuilder::new()
        .layer(|l| l.file_mode("usr/local/bin/goapp", read(GO_BIN), 0o755))
        .write_oci_tar(&path);
    let sbom = scan(&SourceSpec::Auto(path), Scope::Squashed);
    assert_eq!(
        rows(&sbom),
        go_binary_rows(None).into_iter().collect::<BTreeSet<_>>()
    );
    let e: Vec<(String, String)> = edges(&sbom).into_iter().collect();
    assert_eq!(
        e,
        [
            (
                "binary_with_module_replacement@(devel)".to_owned(),
                "github.com/golang/xerrors@v0.0.0-20220907171357-04be3eba64a2".to_owned()
            ),
            (
                "binary_with_module_replacement@(devel)".to_owned(),
                "stdlib@1.22.0".to_owned()
            ),
        ]
    );
    write_documents(dir.path(), "lang-go", &sbom);
}

/// Ground truth from the real toolchains, which `tests/run.sh` installs: `go build` with
/// Debian's golang-go, `cargo auditable build`. Plain `cargo test` skips these as ignored.
mod real;
