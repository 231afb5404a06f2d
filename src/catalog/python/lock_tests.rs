//! The lockfile cataloger against the vendored lockfiles (`tests/fixtures/python/lockfiles/`)
//! and an excerpt of a real uv.lock.

use super::PythonLockCataloger;
use super::fixture_tests::{edges, find, fixture_out, lang, layer, listing, run};
use crate::model::{Evidence, RelationshipKind};

#[test]
fn requirements_txt_pins() {
    let out = fixture_out(&PythonLockCataloger, "lockfiles/requirements");
    assert!(out.unknowns.is_empty(), "{:?}", out.unknowns);
    assert_eq!(
        listing(&out),
        [
            "pkg:pypi/argh@0.26.2",
            "pkg:pypi/argh@0.26.3",
            "pkg:pypi/celery@4.4.7",
            "pkg:pypi/dots-allowed@1.0.0",
            "pkg:pypi/flask@4.0.0",
            "pkg:pypi/foo@1.0.0",
            "pkg:pypi/friendly-bard@1.0.0",
            "pkg:pypi/githubsampleproject@3.7.1",
            "pkg:pypi/local-version@1.2.3%2Bgcr.2",
            "pkg:pypi/someproject@5.4",
            "pkg:pypi/urllib3@1.26.20",
        ]
    );
    for p in &out.packages {
        assert_eq!(lang(p).evidence, Evidence::Declared);
        assert!(!lang(p).dev);
    }
}

#[test]
fn poetry_lock_dev_category() {
    let out = fixture_out(&PythonLockCataloger, "lockfiles/poetry-dev-deps");
    assert!(out.unknowns.is_empty(), "{:?}", out.unknowns);
    assert_eq!(
        listing(&out),
        [
            "pkg:pypi/added-value@0.14.2",
            "pkg:pypi/alabaster@0.7.12",
            "pkg:pypi/appnope@0.1.0",
            "pkg:pypi/asciitree@0.3.3",
        ]
    );
    assert!(out.packages.iter().all(|p| lang(p).dev));
    // added-value's dependencies are not in this (excerpted) lockfile: no dangling edge.
    assert!(out.relationships.is_empty());
}

#[test]
fn pipfile_lock_default_and_develop() {
    let out = fixture_out(&PythonLockCataloger, "lockfiles/pipfile-lock");
    assert!(out.unknowns.is_empty(), "{:?}", out.unknowns);
    let dev: Vec<(&str, bool)> = out
        .packages
        .iter()
        .map(|p| (p.name.as_str(), lang(p).dev))
        .collect();
    assert_eq!(
        dev,
        [
            ("aio-pika", false),
            ("aiodns", false),
            ("aiohttp", false),
            ("aiohttp-jinja2", false),
            ("astroid", true),
            ("autopep8", true),
        ]
    );
    assert_eq!(find(&out, "aiohttp").version, "3.7.4.post0");
}

/// An excerpt of a real uv.lock (anchore/syft `testdata/uv/simple-deps/uv.lock`, wheels and
/// sdists left out), plus a dev group on the project.
const UV_LOCK: &str = r#"version = 1
requires-python = ">=3.11"

[[package]]
name = "certifi"
version = "2025.1.31"
source = { registry = "https://pypi.org/simple" }

[[package]]
name = "idna"
version = "3.10"
source = { registry = "https://pypi.org/simple" }

[[package]]
name = "pytest"
version = "8.3.4"
source = { registry = "https://pypi.org/simple" }

[[package]]
name = "requests"
version = "2.32.3"
source = { registry = "https://pypi.org/simple" }
dependencies = [
    { name = "certifi" },
    { name = "idna" },
]

[[package]]
name = "testpkg"
version = "0.1.0"
source = { virtual = "." }
dependencies = [
    { name = "requests" },
]

[package.dev-dependencies]
dev = [
    { name = "pytest" },
]
"#;

#[test]
fn uv_lock_tree_and_dev_groups() {
    let out = run(
        &PythonLockCataloger,
        layer().file("app/uv.lock", UV_LOCK).build(),
    );
    assert!(out.unknowns.is_empty(), "{:?}", out.unknowns);
    // The project itself is not a dependency.
    let got: Vec<(&str, bool)> = out
        .packages
        .iter()
        .map(|p| (p.name.as_str(), lang(p).dev))
        .collect();
    assert_eq!(
        got,
        [
            ("certifi", false),
            ("idna", false),
            ("pytest", true),
            ("requests", false)
        ]
    );
    assert_eq!(
        edges(&out, RelationshipKind::DependsOn),
        ["app:requests -> app:certifi", "app:requests -> app:idna"]
    );
}

#[test]
fn installed_packages_are_left_to_the_installed_cataloger() {
    let l = layer()
        .file("app/requirements.txt", "Requests==2.31.0\nidna==3.6\n")
        .file(
            "venv/lib/python3.12/site-packages/requests-2.31.0.dist-info/METADATA",
            "Metadata-Version: 2.1\nName: requests\nVersion: 2.31.0\n",
        )
        .build();
    let out = run(&PythonLockCataloger, l);
    assert_eq!(listing(&out), ["pkg:pypi/idna@3.6"]);
}
