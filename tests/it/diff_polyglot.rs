//! The check issue 5 is judged by: two releases of an application image (a Debian base bump,
//! plus Python and npm dependency changes) each described by consign, Syft and Trivy, diffed
//! in every pairing of producers. The Syft and Trivy documents are real outputs of those
//! tools for the images [`polyglot_releases`] builds (`tests/fixtures/sbom/peers/README.md`
//! says how they were made).

use std::path::{Path, PathBuf};

use consign::Sbom;
use consign::diff::DiffOptions;

use crate::diff::{lines, releases, scan};
use crate::support::image::ImageBuilder;
use crate::support::{fixture, tmp};

/// A `*.dist-info/METADATA` file as pip writes it.
fn metadata(name: &str, version: &str, license: &str) -> String {
    format!("Metadata-Version: 2.1\nName: {name}\nVersion: {version}\nLicense: {license}\n")
}

/// A `node_modules/<name>/package.json` as npm installs it.
fn package_json(name: &str, version: &str, license: &str) -> String {
    format!(
        "{{\n  \"name\": \"{name}\",\n  \"version\": \"{version}\",\n  \"license\": \"{license}\"\n}}\n"
    )
}

/// `release` with a layer of Python packages (`(name, version, license)`) in site-packages and
/// npm packages in the application's `node_modules`.
fn with_dependencies(
    release: ImageBuilder,
    python: &[(&str, &str, &str)],
    npm: &[(&str, &str, &str)],
) -> ImageBuilder {
    release.layer(|mut l| {
        for (name, version, license) in python {
            let dir = format!(
                "usr/local/lib/python3.11/site-packages/{}-{version}.dist-info",
                name.replace('-', "_")
            );
            l = l
                .file(&format!("{dir}/METADATA"), metadata(name, version, license))
                .file(&format!("{dir}/INSTALLER"), "pip\n");
        }
        for (name, version, license) in npm {
            l = l.file(
                &format!("app/node_modules/{name}/package.json"),
                package_json(name, version, license),
            );
        }
        l.created_by("RUN /bin/sh -c pip install -r requirements.txt && npm ci # buildkit")
    })
}

/// Release 1.0 and 1.1 of the application: [`releases`] (the Debian changes) plus Python and
/// npm changes, each ordering rule of the ecosystem exercised once.
pub(crate) fn polyglot_releases() -> (ImageBuilder, ImageBuilder) {
    let (old, new) = releases();
    let old = with_dependencies(
        old,
        &[
            ("cryptography", "42.0.0rc1", "Apache-2.0"),
            ("idna", "3.6", "BSD-3-Clause"),
            ("packaging", "24.0", "Apache-2.0"),
            ("requests", "2.31.0", "Apache-2.0"),
            ("six", "1.16.0", "MIT"),
            ("urllib3", "2.2.1", "MIT"),
        ],
        &[
            ("@types/node", "20.11.0", "MIT"),
            ("left-pad", "1.3.0", "WTFPL"),
            ("lodash", "4.17.20", "MIT"),
            ("react", "19.0.0-rc.1", "MIT"),
            ("semver", "7.6.0", "ISC"),
        ],
    );
    let new = with_dependencies(
        new,
        &[
            ("cryptography", "42.0.0", "Apache-2.0"),
            ("flask", "3.0.3", "BSD-3-Clause"),
            ("idna", "3.6", "BSD-3-Clause"),
            ("packaging", "24.0.post1", "Apache-2.0"),
            ("requests", "2.32.3", "Apache-2.0"),
            ("urllib3", "1.26.18", "MIT"),
        ],
        &[
            ("@types/node", "20.11.30", "MIT"),
            ("express", "4.19.2", "MIT"),
            ("lodash", "4.17.21", "MIT"),
            ("react", "19.0.0", "MIT"),
            ("semver", "7.5.4", "ISC"),
        ],
    );
    (old, new)
}

fn write(dir: &Path) -> (PathBuf, PathBuf) {
    let (old, new) = polyglot_releases();
    let (a, b) = (dir.join("web-1.0.tar"), dir.join("web-1.1.tar"));
    old.write_docker_archive(&a);
    new.write_docker_archive(&b);
    (a, b)
}

/// Writes the two images where `CONSIGN_POLYGLOT_OUT` says, for producing the Syft and
/// Trivy fixtures again (see the fixtures README). A generator, not a check: without the
/// variable (as in `tests/run.sh`, which runs the ignored tests) it does nothing.
#[test]
#[ignore = "writes the images the peer fixtures were made from; set CONSIGN_POLYGLOT_OUT"]
fn write_polyglot_images() {
    let Ok(dir) = std::env::var("CONSIGN_POLYGLOT_OUT") else {
        eprintln!("CONSIGN_POLYGLOT_OUT is not set: nothing to write");
        return;
    };
    std::fs::create_dir_all(&dir).unwrap();
    write(Path::new(&dir));
}

/// What really changed between the releases.
const DEB: [&str; 5] = [
    "downgraded libssl3 3.0.11-1~deb12u2→3.0.11-1~deb12u1",
    "removed wget 1.21.3-1+b2→-",
    "added curl -→7.88.1-10+deb12u5",
    "upgraded base-files 12.4+deb12u4→12.5",
    "upgraded libc6 2.36-9+deb12u3→2.36-9+deb12u4",
];
/// npm: every producer catalogs it.
const NPM: [&str; 6] = [
    "downgraded semver 7.6.0→7.5.4",
    "removed left-pad 1.3.0→-",
    "added express -→4.19.2",
    "upgraded @types/node 20.11.0→20.11.30",
    "upgraded lodash 4.17.20→4.17.21",
    "upgraded react 19.0.0-rc.1→19.0.0",
];
/// Python: every producer catalogs it.
const PYPI: [&str; 6] = [
    "downgraded urllib3 2.2.1→1.26.18",
    "removed six 1.16.0→-",
    "added flask -→3.0.3",
    "upgraded cryptography 42.0.0rc1→42.0.0",
    "upgraded packaging 24.0→24.0.post1",
    "upgraded requests 2.31.0→2.32.3",
];
/// Compared only between documents of one producer and format family.
const LICENSE: &str = "changed libexpat1 2.5.0-1→2.5.0-1 [license]";

/// See: issue 5 ("report exactly the true changes whichever producer made each side").
#[test]
fn every_producer_pairing_reports_the_true_changes() {
    let dir = tmp();
    let (a, b) = write(dir.path());
    let docs = |release: &str, image: &Path| -> Vec<(String, Sbom)> {
        let mut v = vec![("consign".to_owned(), scan(image))];
        for p in [
            "syft-1.18.1.cdx.json",
            "syft-1.18.1.spdx.json",
            "trivy-0.59.1.cdx.json",
            "trivy-0.59.1.spdx.json",
        ] {
            let path = fixture(&format!("sbom/peers/{release}.{p}"));
            let bytes = std::fs::read(&path).unwrap();
            let sbom = consign::decode::decode(&bytes, &path.display().to_string()).unwrap();
            v.push((p.to_owned(), sbom));
        }
        v
    };
    let (olds, news) = (docs("web-1.0", &a), docs("web-1.1", &b));
    let mut pairings = 0;
    for (on, old) in &olds {
        for (nn, new) in &news {
            let d = consign::diff::diff(old, new, &DiffOptions::default());
            let mut want: Vec<String> = DEB
                .iter()
                .chain(&PYPI)
                .chain(&NPM)
                .map(|s| (*s).to_owned())
                .collect();
            // The same producer writing the same family: licenses compared too.
            if on == nn {
                want.push(LICENSE.to_owned());
            }
            // `changes` is ordered by ecosystem and name; the lists above by kind.
            let mut got = lines(&d);
            got.sort();
            want.sort();
            assert_eq!(got, want, "{on} → {nn}");
            let skipped: Vec<&str> = d
                .not_compared
                .iter()
                .map(|n| n.ecosystem.as_str())
                .collect();
            // Every ecosystem is catalogued by every producer.
            assert!(skipped.is_empty(), "{on} → {nn}: {skipped:?}");
            pairings += 1;
        }
    }
    assert_eq!(pairings, 25);
}
