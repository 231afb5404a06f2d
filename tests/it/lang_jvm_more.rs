//! Java, .NET, PHP and Ruby catalogers on one image built in code: a jar and a war with a
//! nested jar, a `.deps.json`, a Composer `installed.json` and an installed gemspec across
//! layers, and a jar deleted by a later layer. Exact (ecosystem, name, version, layer) rows,
//! edges, and schema-valid SBOMs.

use std::collections::BTreeSet;
use std::io::{Cursor, Write};
use std::process::Command;

use consign::model::{Ecosystem, RelationshipKind, Scope};
use consign::source::SourceSpec;
use consign::{Sbom, ScanOptions};

use crate::support::image::ImageBuilder;
use crate::support::{fixture, tmp, write_documents};

const JACKSON: &str = "java/jackson-annotations-2.15.0-rc2/jackson-annotations-2.15.0-rc2.jar";

fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in entries {
        w.start_file(*name, opts).unwrap();
        w.write_all(bytes).unwrap();
    }
    w.finish().unwrap().into_inner()
}

fn image() -> ImageBuilder {
    let jackson = std::fs::read(fixture(JACKSON)).unwrap();
    let tiny = zip_of(&[(
        "META-INF/MANIFEST.MF",
        b"Manifest-Version: 1.0\nImplementation-Version: 0.3\n",
    )]);
    let war = zip_of(&[
        (
            "META-INF/maven/com.example/shop/pom.properties",
            b"groupId=com.example\nartifactId=shop\nversion=1.0\n",
        ),
        ("WEB-INF/lib/tiny-lib-0.3.jar", &tiny),
    ]);
    let old = zip_of(&[(
        "META-INF/maven/org.old/old/pom.properties",
        b"groupId=org.old\nartifactId=old\nversion=1.0\n",
    )]);
    ImageBuilder::new()
        .layer(|l| {
            l.fixture("usr/share/java/jackson-annotations-2.15.0-rc2.jar", JACKSON)
                .file("opt/shop/shop.war", &war)
                .file("opt/lib/old-1.0.jar", &old)
                .file("usr/share/java/readme.jar", b"not a zip at all")
        })
        .layer(|l| {
            l.fixture(
                "app/TestLibrary.deps.json",
                "dotnet/deps-json/TestLibrary.deps.json",
            )
            .fixture(
                "var/www/vendor/composer/installed.json",
                "php/vendor-composer-2/vendor/composer/installed.json",
            )
        })
        .layer(|l| {
            l.fixture(
                "usr/local/bundle/specifications/bundler-2.1.4.gemspec",
                "ruby/installed-gems/specifications/bundler-2.1.4.gemspec",
            )
            .file("opt/app/lib/jackson-annotations-2.15.0-rc2.jar", &jackson)
        })
        .layer(|l| l.whiteout("opt/lib/old-1.0.jar"))
}

fn scan(spec: &SourceSpec, scope: Scope) -> Sbom {
    let catalogers = ["java", "dotnet", "php", "ruby"].map(String::from).to_vec();
    consign::scan(
        spec,
        &ScanOptions {
            scope,
            catalogers,
            ..ScanOptions::default()
        },
    )
    .unwrap()
}

type Row = (Ecosystem, String, String, u32, Option<u32>);

fn rows(sbom: &Sbom) -> Vec<Row> {
    let mut v: Vec<Row> = sbom
        .packages
        .iter()
        .map(|p| {
            let layer = p.introduced_in.unwrap();
            (
                p.ecosystem,
                p.name.clone(),
                p.version.clone(),
                layer,
                p.removed_in,
            )
        })
        .collect();
    v.sort();
    v
}

fn row(e: Ecosystem, name: &str, version: &str, layer: u32, removed: Option<u32>) -> Row {
    (e, name.into(), version.into(), layer, removed)
}

const NUGET: &[&str] = &[
    "AWSSDK.Core@3.7.10.6",
    "Microsoft.Extensions.DependencyInjection@6.0.0",
    "Microsoft.Extensions.DependencyInjection.Abstractions@6.0.0",
    "Microsoft.Extensions.Logging@6.0.0",
    "Microsoft.Extensions.Logging.Abstractions@6.0.0",
    "Microsoft.Extensions.Options@6.0.0",
    "Microsoft.Extensions.Primitives@6.0.0",
    "Newtonsoft.Json@13.0.1",
    "Serilog@2.10.0",
    "Serilog.Sinks.Console@4.0.1",
    "System.Diagnostics.DiagnosticSource@6.0.0",
    "System.Runtime.CompilerServices.Unsafe@6.0.0",
];

fn expected(all_layers: bool) -> Vec<Row> {
    let mut want = vec![
        row(
            Ecosystem::Maven,
            "jackson-annotations",
            "2.15.0-rc2",
            0,
            None,
        ),
        row(Ecosystem::Maven, "shop", "1.0", 0, None),
        row(Ecosystem::Maven, "tiny-lib", "0.3", 0, None),
        row(Ecosystem::Gem, "bundler", "2.1.4", 2, None),
        row(Ecosystem::Composer, "asm89/stack-cors", "1.3.0", 1, None),
        row(Ecosystem::Composer, "behat/mink", "v1.8.1", 1, None),
    ];
    for n in NUGET {
        let (name, version) = n.split_once('@').unwrap();
        want.push(row(Ecosystem::Nuget, name, version, 1, None));
    }
    if all_layers {
        want.push(row(Ecosystem::Maven, "old", "1.0", 0, Some(3)));
    }
    want.sort();
    want
}

#[test]
fn jvm_dotnet_php_ruby_across_layers() {
    let dir = tmp();
    let path = dir.path().join("img.tar");
    image().write_oci_tar(&path);
    let spec = SourceSpec::Auto(path);
    let sbom = scan(&spec, Scope::Squashed);
    assert_eq!(rows(&sbom), expected(false));
    let all = scan(&spec, Scope::AllLayers);
    assert_eq!(rows(&all), expected(true));

    // The jar copied twice is one package with both locations.
    let jackson = sbom
        .packages
        .iter()
        .find(|p| p.name == "jackson-annotations")
        .unwrap();
    let locs: Vec<(&str, u32)> = jackson
        .locations
        .iter()
        .map(|l| (l.path.as_str(), l.layer))
        .collect();
    assert_eq!(
        locs,
        [
            ("opt/app/lib/jackson-annotations-2.15.0-rc2.jar", 2),
            ("usr/share/java/jackson-annotations-2.15.0-rc2.jar", 0),
        ]
    );
    assert_eq!(
        jackson.purl.as_str(),
        "pkg:maven/com.fasterxml.jackson.core/jackson-annotations@2.15.0-rc2"
    );
    assert_eq!(
        jackson.checksums[0].value,
        "b9dd61a7a6a266191869dbe2a9307476be295b51"
    );

    let id = |name: &str| sbom.packages.iter().find(|p| p.name == name).unwrap().id();
    let has = |a: &str, b: &str, kind: RelationshipKind| {
        sbom.relationships
            .iter()
            .any(|r| r.from == id(a) && r.to == id(b) && r.kind == kind)
    };
    assert!(has("shop", "tiny-lib", RelationshipKind::Contains));
    assert!(has(
        "Serilog.Sinks.Console",
        "Serilog",
        RelationshipKind::DependsOn
    ));
    assert!(has(
        "Microsoft.Extensions.Logging",
        "Microsoft.Extensions.Options",
        RelationshipKind::DependsOn
    ));
    let lang_edges = sbom
        .relationships
        .iter()
        .filter(|r| r.kind == RelationshipKind::DependsOn)
        .count();
    assert_eq!(
        lang_edges, 12,
        "the deps.json edges; none for composer or the gem"
    );
    assert!(
        sbom.unknowns
            .iter()
            .all(|u| !u.reason.contains("readme.jar")),
        "no zip magic: not an archive, not an unknown"
    );
    write_documents(dir.path(), "jvm-more", &sbom);
    write_documents(dir.path(), "jvm-more-all", &all);
}

/// `(groupId, artifactId, version)` of every `META-INF/maven/*/*/pom.properties` in the
/// regular `.jar` files of `dir`, read with Info-ZIP's `unzip` (not the crate consign uses).
fn pom_truth(dir: &std::path::Path) -> (BTreeSet<(String, String, String)>, Vec<String>) {
    let mut truth = BTreeSet::new();
    let mut without = Vec::new();
    let mut jars: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "jar") && !p.is_symlink())
        .collect();
    jars.sort();
    for jar in jars {
        let list = Command::new("unzip").arg("-Z1").arg(&jar).output().unwrap();
        let names = String::from_utf8_lossy(&list.stdout).into_owned();
        let poms: Vec<&str> = names
            .lines()
            .filter(|n| n.starts_with("META-INF/maven/") && n.ends_with("/pom.properties"))
            .collect();
        if poms.is_empty() {
            without.push(jar.file_name().unwrap().to_string_lossy().into_owned());
        }
        for pom in poms {
            let text = Command::new("unzip")
                .arg("-p")
                .arg(&jar)
                .arg(pom)
                .output()
                .unwrap();
            let text = String::from_utf8_lossy(&text.stdout).into_owned();
            let get = |k: &str| {
                text.lines()
                    .find_map(|l| l.strip_prefix(&format!("{k}=")))
                    .unwrap_or_default()
                    .trim()
                    .to_owned()
            };
            truth.insert((get("groupId"), get("artifactId"), get("version")));
        }
    }
    (truth, without)
}

#[test]
#[ignore = "needs Debian java libraries; run tests/run.sh"]
fn debian_java_libraries_match_their_pom_properties() {
    let dir = std::path::Path::new("/usr/share/java");
    let (truth, without) = pom_truth(dir);
    assert!(
        truth.len() >= 2,
        "libcommons-lang3-java and libjackson2-core-java at least"
    );
    let sbom = consign::scan(
        &SourceSpec::Dir(dir.to_path_buf()),
        &ScanOptions {
            catalogers: vec!["java".into()],
            ..ScanOptions::default()
        },
    )
    .unwrap();
    let maven = |p: &&consign::Package| p.ecosystem == Ecosystem::Maven;
    let from_poms: BTreeSet<(String, String, String)> = sbom
        .packages
        .iter()
        .filter(maven)
        .filter_map(|p| {
            let parts = p.purl.parts()?;
            let triple = (parts.namespace?, parts.name, parts.version?);
            truth.contains(&triple).then_some(triple)
        })
        .collect();
    assert_eq!(from_poms, truth, "recall on pom.properties");
    // Every other package is the archive itself, named from its manifest or file name (a jar
    // without pom.properties, or one whose only artifacts are shaded into it): at most one
    // per file, carrying the file's SHA-1.
    let mut fallback_files = BTreeSet::new();
    for p in sbom.packages.iter().filter(maven) {
        let parts = p.purl.parts().unwrap();
        let triple = (parts.namespace.unwrap(), parts.name, parts.version.unwrap());
        if !truth.contains(&triple) {
            let file = p.locations.first().unwrap().path.clone();
            assert_eq!(p.checksums.len(), 1, "{}", p.purl);
            assert!(
                fallback_files.insert(file.clone()),
                "two fallbacks in {file}"
            );
        }
    }
    // Jars without pom.properties are a package or an unknown, never silently dropped.
    for jar in &without {
        let found = sbom
            .packages
            .iter()
            .any(|p| p.locations.iter().any(|l| &l.path == jar))
            || sbom
                .unknowns
                .iter()
                .any(|u| u.location.as_ref().is_some_and(|l| &l.path == jar));
        assert!(found, "{jar}");
    }
    // Debian's maven-repo links each artifact under its real version.
    let lang3 = sbom
        .packages
        .iter()
        .find(|p| p.name == "commons-lang3")
        .expect("libcommons-lang3-java");
    let repo = format!(
        "/usr/share/maven-repo/org/apache/commons/commons-lang3/{}",
        lang3.version
    );
    assert!(std::path::Path::new(&repo).is_dir(), "{repo}");
    assert_eq!(lang3.checksums.len(), 1);
}

/// `gem list --local`: `(name, version)` of every installed gem, default gems included.
fn gem_list() -> BTreeSet<(String, String)> {
    let out = Command::new("gem")
        .args(["list", "--local"])
        .output()
        .unwrap();
    let mut gems = BTreeSet::new();
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let Some((name, rest)) = line.split_once(" (") else {
            continue;
        };
        for v in rest.trim_end_matches(')').split(", ") {
            // `default: 2.6.1`, `1.15.0 x86_64-linux`.
            let v = v.trim_start_matches("default: ");
            let v = v.split_whitespace().next().unwrap_or(v);
            gems.insert((name.to_owned(), v.to_owned()));
        }
    }
    gems
}

#[test]
#[ignore = "needs Debian's ruby; run tests/run.sh"]
fn debian_ruby_gems_match_gem_list() {
    let truth = gem_list();
    assert!(truth.len() > 20, "ruby ships its default gems");
    let paths = Command::new("gem")
        .args(["env", "gempath"])
        .output()
        .unwrap();
    let mut found = BTreeSet::new();
    for dir in String::from_utf8_lossy(&paths.stdout).trim().split(':') {
        if !std::path::Path::new(dir).join("specifications").is_dir() {
            continue;
        }
        let sbom = consign::scan(
            &SourceSpec::Dir(dir.into()),
            &ScanOptions {
                catalogers: vec!["ruby-installed-gemspec-cataloger".into()],
                ..ScanOptions::default()
            },
        )
        .unwrap();
        assert!(sbom.unknowns.is_empty(), "{dir}: {:?}", sbom.unknowns);
        found.extend(
            sbom.packages
                .iter()
                .map(|p| (p.name.clone(), p.version.clone())),
        );
    }
    assert_eq!(found, truth);
}
