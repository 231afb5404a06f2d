//! Tests on the vendored jackson-annotations jar (`tests/fixtures/java/`) and on archives
//! built here with the `zip` writer: nested wars, shaded jars, manifests only, and hostile
//! archives (bombs, corrupt and too-deep nesting).

use std::io::{Cursor, Write};

use zip::write::SimpleFileOptions;

use super::archive::{Limits, summarize};
use super::*;
use crate::catalog::testfs::{TestLayer, fixture};
use crate::fs::LayeredFs;

const JACKSON_SHA1: &str = "b9dd61a7a6a266191869dbe2a9307476be295b51";

fn jackson() -> Vec<u8> {
    std::fs::read(fixture(
        "java/jackson-annotations-2.15.0-rc2/jackson-annotations-2.15.0-rc2.jar",
    ))
    .unwrap()
}

/// A zip file of `(name, bytes)` entries, deflated.
fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let opts = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in entries {
        w.start_file(*name, opts).unwrap();
        w.write_all(bytes).unwrap();
    }
    w.finish().unwrap().into_inner()
}

fn scan(files: &[(&str, &[u8])]) -> CatalogOutput {
    let mut layer = TestLayer::new(JavaArchiveCataloger.wants()).extractor(&EXTRACTOR);
    for (path, bytes) in files {
        layer = layer.file(path, bytes);
    }
    let trees = [layer.build()];
    let fs = LayeredFs::squashed(&trees);
    JavaArchiveCataloger
        .catalog(&fs, &Environment::default())
        .unwrap()
}

fn purls(out: &CatalogOutput) -> Vec<&str> {
    out.packages.iter().map(|p| p.purl.as_str()).collect()
}

fn vpath(p: &Package) -> &str {
    let PackageMetadata::Language(m) = &p.metadata else {
        panic!("{p:?}")
    };
    &m.properties
        .iter()
        .find(|(k, _)| k == "virtualPath")
        .unwrap()
        .1
}

#[test]
fn jackson_jar_from_pom_properties() {
    let out = scan(&[("app/lib/jackson-annotations-2.15.0-rc2.jar", &jackson())]);
    assert!(out.unknowns.is_empty(), "{:?}", out.unknowns);
    assert_eq!(
        purls(&out),
        ["pkg:maven/com.fasterxml.jackson.core/jackson-annotations@2.15.0-rc2"]
    );
    let p = &out.packages[0];
    assert_eq!(
        (p.name.as_str(), p.version.as_str()),
        ("jackson-annotations", "2.15.0-rc2")
    );
    assert_eq!(p.checksums, [sha1_checksum(JACKSON_SHA1)]);
    assert_eq!(p.licenses, [License::parse("Apache-2.0").unwrap()]);
    assert_eq!(vpath(p), "/app/lib/jackson-annotations-2.15.0-rc2.jar");
    assert_eq!(
        p.locations.first().unwrap().path,
        "app/lib/jackson-annotations-2.15.0-rc2.jar"
    );
    let PackageMetadata::Language(m) = &p.metadata else {
        panic!()
    };
    assert_eq!(
        m.description.as_deref(),
        Some("Core annotations used for value types, used by Jackson data binding package.")
    );
}

#[test]
fn renamed_jar_still_matches_its_pom() {
    // Debian's style: `/usr/share/java/<artifact>.jar`, no version in the name.
    let out = scan(&[("usr/share/java/jackson-annotations.jar", &jackson())]);
    assert_eq!(out.packages.len(), 1);
    assert_eq!(out.packages[0].checksums.len(), 1);
    // Names Debian gives: `_` in the artifact, a version-like part that is not the version,
    // a renamed artifact.
    let pom = |g: &str, a: &str, v: &str| {
        zip_of(&[(
            &format!("META-INF/maven/{g}/{a}/pom.properties"),
            format!("groupId={g}\nartifactId={a}\nversion={v}\n").as_bytes(),
        )])
    };
    let geronimo = pom(
        "org.apache.geronimo.specs",
        "geronimo-interceptor_3.0_spec",
        "1.0.1",
    );
    let core = pom("org.apache.maven", "maven-core", "3.8.7");
    let out = scan(&[
        (
            "usr/share/java/geronimo-interceptor-3.0-spec.jar",
            &geronimo,
        ),
        ("usr/share/java/maven3-core.jar", &core),
    ]);
    assert_eq!(
        purls(&out),
        [
            "pkg:maven/org.apache.geronimo.specs/geronimo-interceptor_3.0_spec@1.0.1",
            "pkg:maven/org.apache.maven/maven-core@3.8.7",
        ]
    );
    assert!(out.packages.iter().all(|p| p.checksums.len() == 1));
    // `guice.jar` shades cglib only: the manifest's other version says cglib is not guice.
    let guice = zip_of(&[
        (
            "META-INF/MANIFEST.MF",
            b"Manifest-Version: 1.0\nBundle-SymbolicName: com.google.inject\nBundle-Version: 4.2.3\n",
        ),
        (
            "META-INF/maven/cglib/cglib/pom.properties",
            b"groupId=cglib\nartifactId=cglib\nversion=3.2.12\n",
        ),
    ]);
    let out = scan(&[("usr/share/java/guice.jar", &guice)]);
    assert_eq!(
        purls(&out),
        [
            "pkg:maven/cglib/cglib@3.2.12",
            "pkg:maven/com.google.inject/guice@4.2.3"
        ]
    );
    assert_eq!(out.relationships, [(1, 0, RelationshipKind::Contains)]);
}

#[test]
fn nested_war_with_shaded_jar() {
    let shaded = zip_of(&[
        ("META-INF/MANIFEST.MF", b"Manifest-Version: 1.0\n"),
        (
            "META-INF/maven/com.example/fat/pom.properties",
            b"groupId=com.example\nartifactId=fat\nversion=3.0\n",
        ),
        (
            "META-INF/maven/org.shaded/inner/pom.properties",
            b"groupId=org.shaded\nartifactId=inner\nversion=0.9\n",
        ),
    ]);
    let jackson = jackson();
    let war = zip_of(&[
        (
            "META-INF/maven/com.example/app/pom.properties",
            b"groupId=com.example\nartifactId=app\nversion=1.0\n",
        ),
        ("WEB-INF/lib/jackson-annotations-2.15.0-rc2.jar", &jackson),
        ("WEB-INF/lib/fat-3.0.jar", &shaded),
        ("WEB-INF/lib/broken.jar", b"not a zip"),
    ]);
    let out = scan(&[("srv/app.war", &war)]);
    assert_eq!(
        purls(&out),
        [
            "pkg:maven/com.example/app@1.0",
            "pkg:maven/com.fasterxml.jackson.core/jackson-annotations@2.15.0-rc2",
            "pkg:maven/com.example/fat@3.0",
            "pkg:maven/org.shaded/inner@0.9",
        ]
    );
    let [app, jack, fat, inner] = &out.packages[..] else {
        panic!()
    };
    assert_eq!(vpath(app), "/srv/app.war");
    assert_eq!(
        vpath(jack),
        "/srv/app.war:WEB-INF/lib/jackson-annotations-2.15.0-rc2.jar"
    );
    assert_eq!(jack.checksums, [sha1_checksum(JACKSON_SHA1)]);
    assert_eq!(app.checksums, [sha1_checksum(&archive::sha1_hex(&war))]);
    assert_eq!(fat.checksums, [sha1_checksum(&archive::sha1_hex(&shaded))]);
    assert!(
        inner.checksums.is_empty(),
        "a shaded artifact has no file of its own"
    );
    for p in &out.packages {
        assert_eq!(p.locations.first().unwrap().path, "srv/app.war");
    }
    let mut edges = out.relationships.clone();
    edges.sort();
    assert_eq!(
        edges,
        [
            (0, 1, RelationshipKind::Contains),
            (0, 2, RelationshipKind::Contains),
            (2, 3, RelationshipKind::Contains),
        ]
    );
    assert_eq!(out.unknowns.len(), 1, "{:?}", out.unknowns);
    assert!(
        out.unknowns[0]
            .reason
            .contains("WEB-INF/lib/broken.jar: not a readable zip")
    );
}

#[test]
fn manifest_and_file_name_fallbacks() {
    let bundle = zip_of(&[(
        "META-INF/MANIFEST.MF",
        b"Manifest-Version: 1.0\r\nBundle-SymbolicName: org.example.tool;singleton:=true\r\nBundle-Version: 2.1.0.v2024\r\nBundle-License: MIT\r\n",
    )]);
    let plain = zip_of(&[("a/B.class", b"\xca\xfe\xba\xbe")]);
    let out = scan(&[
        ("opt/tool.jar", &bundle[..]),
        ("opt/plain-4.5.6.jar", &plain),
        ("opt/nameless.jar", &plain),
        ("opt/corrupt.jar", b"PK\x03\x04 and then garbage"),
        ("opt/readme.jar", b"not even zip magic"),
        (
            "root/.m2/repository/com/squareup/okio/okio/3.2.0/okio-3.2.0.jar",
            &plain,
        ),
        (
            "root/.m2/repository/com/squareup/okio/okio/3.2.0/okio-3.2.0-sources.jar",
            &bundle,
        ),
    ]);
    assert_eq!(
        purls(&out),
        [
            "pkg:maven/plain/plain@4.5.6",
            "pkg:maven/org.example/tool@2.1.0.v2024",
            "pkg:maven/com.squareup.okio/okio@3.2.0",
        ]
    );
    assert_eq!(out.packages[1].licenses, [License::parse("MIT").unwrap()]);
    let mut reasons: Vec<String> = out
        .unknowns
        .iter()
        .map(|u| format!("{}: {}", u.location.as_ref().unwrap().path, u.reason))
        .collect();
    reasons.sort();
    assert_eq!(reasons.len(), 2, "{reasons:?}");
    assert!(
        reasons[0].starts_with("opt/corrupt.jar: not a readable zip"),
        "{reasons:?}"
    );
    assert!(
        reasons[1].contains("no version for nameless"),
        "{reasons:?}"
    );
}

#[test]
fn zip_bombs_and_deep_nesting_are_capped() {
    let zeros = vec![0u8; 4 << 20];
    let bomb = zip_of(&[
        ("WEB-INF/lib/zeros.jar", &zeros),
        ("META-INF/MANIFEST.MF", &zeros),
    ]);
    assert!(bomb.len() < 64 << 10, "compresses well: {}", bomb.len());
    let small = Limits {
        max_depth: 2,
        max_entries: 3,
        max_meta_bytes: 1 << 10,
        max_nested_bytes: 1 << 20,
        max_total_bytes: 8 << 20,
    };
    let infos = summarize(&bomb, &small).unwrap();
    assert_eq!(infos.len(), 1);
    assert_eq!(infos[0].problems.len(), 2, "{:?}", infos[0].problems);
    assert!(infos[0].problems.iter().all(|p| p.contains("not read")));

    let mut nested = jackson();
    for depth in 0..4 {
        nested = zip_of(&[(&format!("lib/level{depth}.jar"), &nested)]);
    }
    let infos = summarize(&nested, &small).unwrap();
    assert_eq!(infos.len(), 3, "outer + 2 levels");
    assert!(infos[2].problems[0].contains("nested deeper than 2"));

    let many: Vec<(String, Vec<u8>)> = (0..5).map(|i| (format!("f{i}"), vec![])).collect();
    let refs: Vec<(&str, &[u8])> = many.iter().map(|(n, b)| (n.as_str(), &b[..])).collect();
    let infos = summarize(&zip_of(&refs), &small).unwrap();
    assert!(infos[0].problems[0].contains("only the first 3"));

    // Through the cataloger, with the real limits: the 4 MiB manifest is over the 1 MiB
    // metadata cap, the nested jar within the nested cap but not a zip; both recorded.
    let out = scan(&[("x/bomb.war", &bomb)]);
    let reasons: Vec<&str> = out.unknowns.iter().map(|u| u.reason.as_str()).collect();
    assert!(
        reasons
            .iter()
            .any(|r| r.contains("MANIFEST.MF: more than 1048576 bytes decompressed")),
        "{reasons:?}"
    );
    assert!(
        reasons
            .iter()
            .any(|r| r.contains("zeros.jar: not a readable zip")),
        "{reasons:?}"
    );
}

#[test]
fn executable_jar_with_a_launch_script() {
    let mut exe = b"#!/bin/bash\nexec java -jar \"$0\" \"$@\"\nexit 0\n".to_vec();
    exe.extend(jackson());
    let out = scan(&[
        ("app/app.jar", &exe[..]),
        ("app/script.jar", b"#!/bin/sh\necho not a jar\n"),
    ]);
    assert!(out.unknowns.is_empty(), "{:?}", out.unknowns);
    assert_eq!(
        purls(&out),
        ["pkg:maven/com.fasterxml.jackson.core/jackson-annotations@2.15.0-rc2"]
    );
}

#[test]
fn exploded_pom_properties() {
    let out = scan(&[(
        "usr/local/tomcat/webapps/app/META-INF/maven/com.example/app/pom.properties",
        b"groupId=com.example\nartifactId=app\nversion=7\n",
    )]);
    assert_eq!(purls(&out), ["pkg:maven/com.example/app@7"]);
}

#[test]
fn license_spellings() {
    let l = |s| maven_license(s).map(|l| l.as_str().to_owned());
    assert_eq!(
        l("The Apache Software License, Version 2.0").as_deref(),
        Some("Apache-2.0")
    );
    assert_eq!(
        l("https://www.apache.org/licenses/LICENSE-2.0.txt").as_deref(),
        Some("Apache-2.0")
    );
    assert_eq!(l("MIT License").as_deref(), Some("MIT"));
    assert_eq!(
        l("Some Custom License").as_deref(),
        Some("Some Custom License")
    );
}

#[test]
fn corrupted_archives_never_panic() {
    // Deterministic byte flips over the real jar and a war nesting it: every outcome is a
    // summary or an error, never a panic.
    let jar = jackson();
    let war = zip_of(&[("WEB-INF/lib/j.jar", &jar)]);
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for base in [&jar, &war] {
        for _ in 0..300 {
            let mut bytes = base.clone();
            for _ in 0..1 + next() % 8 {
                let i = (next() % bytes.len() as u64) as usize;
                bytes[i] = next() as u8;
            }
            let _ = summarize(&bytes, &archive::LIMITS);
        }
        // Truncations, which cut the central directory.
        for cut in (0..base.len()).step_by(997) {
            let _ = summarize(&base[..cut], &archive::LIMITS);
        }
    }
}
