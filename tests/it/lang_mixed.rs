//! Every ecosystem in one image, across layers: a Debian base whose `python3-requests` and
//! `libjackson2-annotations-java` packages own a Python distribution and a jar, an application
//! layer with a virtualenv, `node_modules`, a jar and a Composer vendor directory, and a
//! cleanup layer that deletes an npm package and the application's jar. Asserts the exact
//! (ecosystem, name, version, layer) set, that each OS package *contains* the language package
//! found in its files (not a duplicate hidden, not an orphan), that the SBOM says which
//! catalogers ran, and that every document is valid.

use std::collections::BTreeSet;

use consign::model::{Ecosystem, RelationshipKind, Scope};
use consign::source::SourceSpec;
use consign::{Sbom, ScanOptions};
use serde_json::Value;

use crate::support::image::ImageBuilder;
use crate::support::{tmp, write_documents};

const JAR: &str = "java/jackson-annotations-2.15.0-rc2/jackson-annotations-2.15.0-rc2.jar";
const SYS: &str = "usr/lib/python3/dist-packages";
const VENV: &str = "opt/venv/lib/python3.11/site-packages";

fn stanza(name: &str, version: &str) -> String {
    format!(
        "Package: {name}\nStatus: install ok installed\nPriority: optional\nSection: misc\n\
         Maintainer: Debian <debian@example.org>\nArchitecture: all\nVersion: {version}\n\
         Description: {name}\n"
    )
}

fn pkg_info(name: &str, version: &str) -> String {
    format!("Metadata-Version: 1.2\nName: {name}\nVersion: {version}\nLicense: Apache 2.0\n")
}

fn metadata(name: &str, version: &str, requires: &[&str]) -> String {
    let mut s = format!("Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n");
    for r in requires {
        s.push_str(&format!("Requires-Dist: {r}\n"));
    }
    s
}

fn package_json(name: &str, version: &str, deps: &[(&str, &str)]) -> String {
    let deps: serde_json::Map<String, Value> = deps
        .iter()
        .map(|(n, r)| ((*n).to_owned(), Value::from(*r)))
        .collect();
    serde_json::json!({"name": name, "version": version, "license": "MIT", "dependencies": deps})
        .to_string()
}

fn image() -> ImageBuilder {
    let jar = std::fs::read(crate::support::fixture(JAR)).unwrap();
    let jar2 = jar.clone();
    ImageBuilder::new()
        // 0: the Debian base, with two packages that own language packages.
        .layer(|l| {
            l.file(
                "etc/os-release",
                "ID=debian\nVERSION_ID=\"12\"\nVERSION_CODENAME=bookworm\n",
            )
            .file(
                "var/lib/dpkg/status",
                format!(
                    "{}\n{}\n{}",
                    stanza("python3-requests", "2.28.1+dfsg-1"),
                    stanza("libjackson2-annotations-java", "2.15.0~rc2-1"),
                    stanza("tzdata", "2024a-0+deb12u1"),
                ),
            )
            .file(
                "var/lib/dpkg/info/python3-requests.list",
                format!(
                    "/.\n/usr\n/usr/lib/python3/dist-packages/requests\n\
                     /usr/lib/python3/dist-packages/requests/__init__.py\n\
                     /{SYS}/requests-2.28.1.egg-info\n/{SYS}/requests-2.28.1.egg-info/PKG-INFO\n"
                ),
            )
            .file(
                "var/lib/dpkg/info/libjackson2-annotations-java.list",
                "/.\n/usr/share/java\n/usr/share/java/jackson-annotations.jar\n",
            )
            .file(
                &format!("{SYS}/requests-2.28.1.egg-info/PKG-INFO"),
                pkg_info("requests", "2.28.1"),
            )
            .file("usr/share/java/jackson-annotations.jar", &jar)
        })
        // 1: the application: a virtualenv, node_modules, a jar, Composer's vendor directory.
        .layer(move |l| {
            l.file(
                &format!("{VENV}/flask-3.0.3.dist-info/METADATA"),
                metadata("Flask", "3.0.3", &["itsdangerous>=2.1.2"]),
            )
            .file(
                &format!("{VENV}/itsdangerous-2.2.0.dist-info/METADATA"),
                metadata("itsdangerous", "2.2.0", &[]),
            )
            .file(
                "srv/web/package.json",
                package_json("web", "1.0.0", &[("express", "^4.19.2")]),
            )
            .file(
                "srv/web/node_modules/express/package.json",
                package_json("express", "4.19.2", &[("@types/node", "^20.0.0")]),
            )
            .file(
                "srv/web/node_modules/@types/node/package.json",
                package_json("@types/node", "20.11.30", &[]),
            )
            .file(
                "srv/web/node_modules/left-pad/package.json",
                package_json("left-pad", "1.3.0", &[]),
            )
            .file("app/lib/jackson-annotations-2.15.0-rc2.jar", &jar2)
            .file(
                "var/www/vendor/composer/installed.json",
                r#"{"packages": [{"name": "monolog/monolog", "version": "3.5.0",
                    "version_normalized": "3.5.0.0", "type": "library", "license": ["MIT"]}]}"#,
            )
            .created_by("COPY . /app # buildkit")
        })
        // 2: cleanup: `npm uninstall left-pad`, and the application's jar removed.
        .layer(|l| {
            l.whiteout("srv/web/node_modules/left-pad")
                .whiteout("app/lib/jackson-annotations-2.15.0-rc2.jar")
        })
}

fn scan(sbom_path: &std::path::Path) -> Sbom {
    consign::scan(
        &SourceSpec::Auto(sbom_path.to_path_buf()),
        &ScanOptions {
            scope: Scope::Squashed,
            ..ScanOptions::default()
        },
    )
    .unwrap()
}

#[test]
fn every_ecosystem_across_layers_with_os_ownership() {
    let dir = tmp();
    let path = dir.path().join("mixed.tar");
    image().write_docker_archive(&path);
    let sbom = scan(&path);

    let rows: BTreeSet<(String, String, String, Option<u32>)> = sbom
        .packages
        .iter()
        .map(|p| {
            (
                p.ecosystem.as_str().to_owned(),
                p.name.clone(),
                p.version.clone(),
                p.introduced_in,
            )
        })
        .collect();
    let want: BTreeSet<(String, String, String, Option<u32>)> = [
        ("deb", "libjackson2-annotations-java", "2.15.0~rc2-1", 0),
        ("deb", "python3-requests", "2.28.1+dfsg-1", 0),
        ("deb", "tzdata", "2024a-0+deb12u1", 0),
        ("pypi", "requests", "2.28.1", 0),
        ("maven", "jackson-annotations", "2.15.0-rc2", 0),
        ("pypi", "Flask", "3.0.3", 1),
        ("pypi", "itsdangerous", "2.2.0", 1),
        ("npm", "express", "4.19.2", 1),
        ("npm", "@types/node", "20.11.30", 1),
        ("composer", "monolog/monolog", "3.5.0", 1),
    ]
    .into_iter()
    .map(|(e, n, v, l)| (e.to_owned(), n.to_owned(), v.to_owned(), Some(l)))
    .collect();
    assert_eq!(rows, want);

    // The jar survives at its Debian path only: the application's copy is gone.
    let jackson = sbom
        .packages
        .iter()
        .find(|p| p.ecosystem == Ecosystem::Maven)
        .unwrap();
    let paths: Vec<&str> = jackson.locations.iter().map(|l| l.path.as_str()).collect();
    assert_eq!(paths, ["usr/share/java/jackson-annotations.jar"]);

    // Ownership: each Debian package contains the language package found in its files.
    let label = |id: &consign::model::PackageId| {
        let p = sbom.package(id).unwrap();
        format!("{}:{}", p.ecosystem.as_str(), p.name)
    };
    let contains: Vec<String> = sbom
        .relationships
        .iter()
        .filter(|r| r.kind == RelationshipKind::Contains)
        .map(|r| format!("{} contains {}", label(&r.from), label(&r.to)))
        .collect();
    assert_eq!(
        contains,
        [
            "deb:libjackson2-annotations-java contains maven:jackson-annotations",
            "deb:python3-requests contains pypi:requests",
        ]
    );
    let depends: Vec<String> = sbom
        .relationships
        .iter()
        .filter(|r| r.kind == RelationshipKind::DependsOn)
        .map(|r| format!("{} -> {}", label(&r.from), label(&r.to)))
        .collect();
    assert!(
        depends.contains(&"pypi:Flask -> pypi:itsdangerous".to_owned()),
        "{depends:?}"
    );
    assert!(
        depends.contains(&"npm:express -> npm:@types/node".to_owned()),
        "{depends:?}"
    );

    // The SBOM says which catalogers ran: all of them.
    let ran: BTreeSet<&str> = sbom.catalogers.iter().map(String::as_str).collect();
    for c in consign::catalog::registry::CATALOGERS {
        assert!(ran.contains(c.name()), "{} did not run", c.name());
    }

    // Every document valid; ownership visible in CycloneDX and SPDX.
    write_documents(dir.path(), "mixed", &sbom);
    let cdx: Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("mixed.cdx.json")).unwrap()).unwrap();
    let requests = cdx["components"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| {
            c["purl"]
                .as_str()
                .is_some_and(|p| p.starts_with("pkg:pypi/requests@"))
        })
        .unwrap();
    let owned_by: Vec<&str> = requests["properties"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["name"] == "consign:package:ownedBy")
        .filter_map(|p| p["value"].as_str())
        .collect();
    assert_eq!(owned_by.len(), 1);
    assert!(
        owned_by[0].starts_with("pkg:deb/debian/python3-requests@"),
        "{owned_by:?}"
    );
    let spdx = std::fs::read_to_string(dir.path().join("mixed.spdx.json")).unwrap();
    assert!(spdx.contains("\"CONTAINS\""));
}
