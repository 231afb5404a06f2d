//! Image sources: every layout and compression gives the same filesystem; selection of images
//! and platforms. Tampered, truncated and otherwise hostile images are in `hostile`.

use consign::model::SourceKind;
use consign::source::{LoadOptions, Selector, SourceSpec, parse_platform};

use crate::support::image::{
    Comp, ImageBuilder, oci_layout, oci_multi_platform, write_dir, write_docker_classic,
};
use crate::support::{load, squashed_listing, tmp};

/// A three-layer image exercising whiteouts, opaque directories, links and all compressions.
pub(crate) fn layered() -> ImageBuilder {
    ImageBuilder::new()
        .layer(|l| {
            l.comp(Comp::Gzip)
                .dir("etc")
                .file("etc/os-release", "ID=alpine\nVERSION_ID=3.19.1\n")
                .file("etc/passwd", "root:x:0:0\n")
                .dir("var")
                .dir("var/cache")
                .file("var/cache/old", "stale")
                .dir("usr")
                .dir("usr/lib")
                .file("usr/lib/libz.so.1", "elf")
                .symlink("lib", "usr/lib")
                .created_by("ADD rootfs.tar /")
        })
        .layer(|l| {
            l.comp(Comp::Zstd)
                .whiteout("etc/passwd")
                .opaque("var/cache")
                .file("var/cache/new", "fresh")
                .file("lib/added.so", "via symlinked dir")
                .created_by("RUN rm /etc/passwd && rm -rf /var/cache/*")
        })
        .layer(|l| {
            l.comp(Comp::None)
                .file("app/bin", "binary")
                .hardlink("app/bin2", "app/bin")
                .file_mode("app/suid", "s", 0o4755)
                .created_by("COPY app /app")
        })
}

const EXPECTED: &[&str] = &[
    "app/bin@2 File 644 = \"binary\"",
    "app/bin2@2 Hardlink 644 -> app/bin = \"binary\"",
    "app/suid@2 File 4755 = \"s\"",
    "etc@0 Dir 755",
    "etc/os-release@0 File 644 = \"ID=alpine\\nVERSION_ID=3.19.1\\n\"",
    "lib@0 Symlink 777 -> usr/lib",
    "usr@0 Dir 755",
    "usr/lib@0 Dir 755",
    "usr/lib/added.so@1 File 644 = \"via symlinked dir\"",
    "usr/lib/libz.so.1@0 File 644 = \"elf\"",
    "var@0 Dir 755",
    "var/cache@0 Dir 755",
    "var/cache/new@1 File 644 = \"fresh\"",
];

#[test]
fn every_layout_gives_the_same_filesystem() {
    let dir = tmp();
    let img = layered();
    let classic = dir.path().join("classic.tar");
    let docker25 = dir.path().join("docker25.tar");
    let oci_dir = dir.path().join("oci");
    let oci_tar = dir.path().join("oci.tar");
    img.write_docker_archive(&classic);
    img.write_docker25_archive(&docker25);
    img.write_oci_dir(&oci_dir);
    img.write_oci_tar(&oci_tar);
    let written = img.build();
    let cases = [
        (
            SourceSpec::Auto(classic.clone()),
            SourceKind::DockerArchive,
            false,
        ),
        (
            SourceSpec::DockerArchive(classic),
            SourceKind::DockerArchive,
            false,
        ),
        (
            SourceSpec::Auto(docker25.clone()),
            SourceKind::DockerArchive,
            true,
        ),
        (
            SourceSpec::OciArchive(docker25),
            SourceKind::OciArchive,
            true,
        ),
        (SourceSpec::Auto(oci_dir.clone()), SourceKind::OciDir, true),
        (SourceSpec::OciDir(oci_dir), SourceKind::OciDir, true),
        (
            SourceSpec::Auto(oci_tar.clone()),
            SourceKind::OciArchive,
            true,
        ),
        (
            SourceSpec::OciArchive(oci_tar),
            SourceKind::OciArchive,
            true,
        ),
    ];
    for (spec, kind, has_manifest) in cases {
        let loaded =
            load(&spec, &LoadOptions::default()).unwrap_or_else(|e| panic!("{spec:?}: {e}"));
        assert_eq!(squashed_listing(&loaded), EXPECTED, "{spec:?}");
        assert_eq!(loaded.info.source_kind, kind, "{spec:?}");
        let diff_ids: Vec<String> = loaded
            .layers
            .iter()
            .map(|l| l.diff_id.as_ref().unwrap().to_string())
            .collect();
        let expected: Vec<String> = written.layers.iter().map(|l| l.2.clone()).collect();
        assert_eq!(diff_ids, expected, "{spec:?}");
        assert_eq!(
            loaded.info.config_digest.as_ref().unwrap().to_string(),
            written.config.0
        );
        if has_manifest {
            assert_eq!(
                loaded.info.manifest_digest.as_ref().unwrap().to_string(),
                written.manifest.0,
                "{spec:?}"
            );
        } else {
            assert_eq!(loaded.info.manifest_digest, None);
        }
        let history: Vec<_> = loaded
            .layers
            .iter()
            .map(|l| l.created_by.clone().unwrap())
            .collect();
        assert_eq!(
            history,
            [
                "ADD rootfs.tar /",
                "RUN rm /etc/passwd && rm -rf /var/cache/*",
                "COPY app /app"
            ]
        );
        assert!(loaded.warnings.is_empty(), "{:?}", loaded.warnings);
    }
}

#[test]
fn names_and_tags_are_recorded() {
    let dir = tmp();
    let img = layered();
    let classic = dir.path().join("c.tar");
    img.write_docker_archive(&classic);
    let l = load(&SourceSpec::Auto(classic), &LoadOptions::default()).unwrap();
    assert_eq!(l.info.name.as_deref(), Some("example.com/test/app"));
    assert_eq!(l.info.tag.as_deref(), Some("1.0"));
    let oci = dir.path().join("o");
    img.write_oci_dir(&oci);
    let l = load(&SourceSpec::Auto(oci), &LoadOptions::default()).unwrap();
    assert_eq!(l.info.name.as_deref(), Some("example.com/test/app"));
    assert_eq!(l.info.tag.as_deref(), Some("1.0"));
    assert_eq!(l.info.platform.as_ref().unwrap().to_string(), "linux/amd64");
}

#[test]
fn gzip_compressed_docker_save_is_read_in_one_pass() {
    // `docker save app | gzip > app.tar.gz`: not seekable, read as a stream. Docker 25+
    // writes manifest.json last, so the stream must reconcile at the end.
    let dir = tmp();
    let tar = dir.path().join("d.tar");
    layered().write_docker25_archive(&tar);
    let gz = dir.path().join("d.tar.gz");
    std::fs::write(
        &gz,
        crate::support::image::compress(&std::fs::read(&tar).unwrap(), Comp::Gzip),
    )
    .unwrap();
    let l = load(&SourceSpec::Auto(gz), &LoadOptions::default()).unwrap();
    assert_eq!(squashed_listing(&l), EXPECTED);
    assert!(l.info.manifest_digest.is_some());
}

#[test]
fn the_real_alpine_docker_save_fixture() {
    let l = load(
        &SourceSpec::Auto(crate::support::fixture(
            "images/alpine-3.11-docker-save/alpine-311.tar.gz",
        )),
        &LoadOptions::default(),
    )
    .unwrap();
    assert_eq!(l.info.source_kind, SourceKind::DockerArchive);
    assert_eq!(l.info.name.as_deref(), Some("alpine"));
    assert_eq!(l.info.tag.as_deref(), Some("3.11"));
    assert_eq!(l.layers.len(), 1);
    assert_eq!(
        l.layers[0].diff_id.as_ref().unwrap().to_string(),
        "sha256:beee9f30bc1f711043e78d4a2be0668955d4b761d587d6f60c2c8dc081efb203"
    );
    let listing = squashed_listing(&l);
    assert!(
        listing
            .iter()
            .any(|s| s.starts_with("lib/apk/db/installed@0 File"))
    );
}

#[test]
fn several_images_in_one_docker_archive() {
    let dir = tmp();
    let a = layered().tag(Some("one:1"));
    let b = ImageBuilder::new()
        .tag(Some("two:2"))
        .layer(|l| l.file("two", "2"));
    let path = dir.path().join("multi.tar");
    write_docker_classic(&[&a, &b], &path);
    let err = load(&SourceSpec::Auto(path.clone()), &LoadOptions::default()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "the archive holds 2 images: one:1; two:2; choose one with --image"
    );
    let opts = LoadOptions {
        selector: Selector {
            image: Some("two:2".into()),
            platform: None,
        },
        ..LoadOptions::default()
    };
    let l = load(&SourceSpec::Auto(path.clone()), &opts).unwrap();
    assert_eq!(squashed_listing(&l), ["two@0 File 644 = \"2\""]);
    let opts = LoadOptions {
        selector: Selector {
            image: Some("three".into()),
            platform: None,
        },
        ..LoadOptions::default()
    };
    let err = load(&SourceSpec::Auto(path), &opts).unwrap_err();
    assert_eq!(
        err.to_string(),
        "no image \"three\" in the archive; it holds: one:1; two:2"
    );
}

#[test]
fn several_images_in_one_oci_layout() {
    let dir = tmp();
    let a = layered().tag(Some("one:1"));
    let b = ImageBuilder::new()
        .tag(Some("two:2"))
        .layer(|l| l.file("two", "2"));
    write_dir(dir.path(), &oci_layout(&[(&a, true), (&b, true)]));
    let err = load(
        &SourceSpec::OciDir(dir.path().into()),
        &LoadOptions::default(),
    )
    .unwrap_err();
    assert!(err.to_string().contains("choose one with --image"), "{err}");
    let opts = LoadOptions {
        selector: Selector {
            image: Some("two:2".into()),
            platform: None,
        },
        ..LoadOptions::default()
    };
    let l = load(&SourceSpec::OciDir(dir.path().into()), &opts).unwrap();
    assert_eq!(squashed_listing(&l), ["two@0 File 644 = \"2\""]);
}

#[test]
fn multi_platform_index() {
    let dir = tmp();
    let amd = ImageBuilder::new()
        .arch("amd64", None)
        .layer(|l| l.file("arch", "amd64"));
    let arm = ImageBuilder::new()
        .arch("arm64", Some("v8"))
        .layer(|l| l.file("arch", "arm64"));
    let armv7 = ImageBuilder::new()
        .arch("arm", Some("v7"))
        .layer(|l| l.file("arch", "armv7"));
    write_dir(
        dir.path(),
        &oci_multi_platform(&[&amd, &arm, &armv7], "multi:1"),
    );
    let pick = |p: Option<&str>| {
        let opts = LoadOptions {
            selector: Selector {
                image: None,
                platform: p.map(|p| parse_platform(p).unwrap()),
            },
            ..LoadOptions::default()
        };
        load(&SourceSpec::Auto(dir.path().into()), &opts)
    };
    let arch = |l: consign::source::LoadedImage| squashed_listing(&l).join("");
    assert_eq!(
        arch(pick(Some("linux/arm64")).unwrap()),
        "arch@0 File 644 = \"arm64\""
    );
    assert_eq!(
        arch(pick(Some("linux/arm/v7")).unwrap()),
        "arch@0 File 644 = \"armv7\""
    );
    let l = pick(Some("linux/arm64/v8")).unwrap();
    assert_eq!(
        l.info.platform.as_ref().unwrap().to_string(),
        "linux/arm64/v8"
    );
    assert_eq!(l.info.name.as_deref(), Some("multi"));
    assert_eq!(l.info.tag.as_deref(), Some("1"));
    let err = pick(Some("linux/s390x")).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("no image for platform linux/s390x; available: "),
        "{err}"
    );
    // Default: the host platform.
    let host = consign::source::plan::host_platform();
    let default = pick(None);
    if host.architecture == "amd64" || host.architecture == "arm64" {
        assert_eq!(
            arch(default.unwrap()),
            format!("arch@0 File 644 = \"{}\"", host.architecture)
        );
    }
    // Without the host's platform and several left: an error listing them.
    let dir2 = tmp();
    write_dir(
        dir2.path(),
        &oci_multi_platform(
            &[
                &armv7,
                &ImageBuilder::new()
                    .arch("ppc64le", None)
                    .layer(|l| l.file("a", "p")),
            ],
            "x",
        ),
    );
    let err = load(
        &SourceSpec::Auto(dir2.path().into()),
        &LoadOptions::default(),
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "the index holds 2 images: x (linux/arm/v7), x (linux/ppc64le); choose one with --platform (or --image)"
    );
}

#[test]
fn forced_layouts_must_match() {
    let dir = tmp();
    let oci = dir.path().join("o.tar");
    layered().write_oci_tar(&oci);
    let err = load(&SourceSpec::DockerArchive(oci), &LoadOptions::default()).unwrap_err();
    assert!(
        err.to_string().starts_with("manifest.json: missing from"),
        "{err}"
    );
    let classic = dir.path().join("c.tar");
    layered().write_docker_archive(&classic);
    let err = load(&SourceSpec::OciArchive(classic), &LoadOptions::default()).unwrap_err();
    assert!(
        err.to_string().starts_with("index.json: missing from"),
        "{err}"
    );
}

#[test]
fn root_filesystem_directory() {
    let dir = tmp();
    let root = dir.path();
    std::fs::create_dir_all(root.join("etc")).unwrap();
    std::fs::write(root.join("etc/os-release"), "ID=debian\n").unwrap();
    std::os::unix::fs::symlink("/etc/os-release", root.join("os-release")).unwrap();
    std::os::unix::fs::symlink("../../../../outside", root.join("escape")).unwrap();
    std::fs::write(root.join(".wh.notawhiteout"), "x").unwrap();
    let l = load(&SourceSpec::Dir(root.into()), &LoadOptions::default()).unwrap();
    assert_eq!(l.info.source_kind, SourceKind::Directory);
    assert_eq!(l.layers.len(), 1);
    let listing = squashed_listing(&l);
    assert!(
        listing.contains(&".wh.notawhiteout@0 File 644 = \"x\"".to_string()),
        "{listing:?}"
    );
    assert!(
        listing
            .iter()
            .any(|s| s.starts_with("etc/os-release@0 File"))
    );
    assert!(
        listing
            .iter()
            .any(|s| s.starts_with("escape@0 Symlink 777 -> ../../../../outside"))
    );
}

#[test]
fn empty_layers_in_every_form() {
    // The legacy builder's empty layer (two zero blocks) is neither JSON nor tar-magic'd: the
    // single-pass reader must still take it for a layer.
    let dir = tmp();
    let img = ImageBuilder::new()
        .layer(|l| l.comp(Comp::None).file("a", "1"))
        .layer(|l| l.comp(Comp::None))
        .layer(|l| l.comp(Comp::None));
    let classic = dir.path().join("c.tar");
    img.write_docker_archive(&classic);
    let gz = dir.path().join("c.tar.gz");
    std::fs::write(
        &gz,
        crate::support::image::compress(&std::fs::read(&classic).unwrap(), Comp::Gzip),
    )
    .unwrap();
    let oci_gz = dir.path().join("o.tar.zst");
    let oci = dir.path().join("o.tar");
    img.write_oci_tar(&oci);
    std::fs::write(
        &oci_gz,
        crate::support::image::compress(&std::fs::read(&oci).unwrap(), Comp::Zstd),
    )
    .unwrap();
    for p in [classic, gz, oci, oci_gz] {
        let l = load(&SourceSpec::Auto(p.clone()), &LoadOptions::default())
            .unwrap_or_else(|e| panic!("{}: {e}", p.display()));
        assert_eq!(l.layers.len(), 3, "{}", p.display());
        assert_eq!(
            l.layers[1].diff_id.as_ref().unwrap().to_string(),
            "sha256:5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef"
        );
        assert_eq!(squashed_listing(&l), ["a@0 File 644 = \"1\""]);
    }
}

#[test]
fn platform_selects_among_docker_archive_entries() {
    let dir = tmp();
    let amd = ImageBuilder::new()
        .tag(Some("app:1"))
        .arch("amd64", None)
        .layer(|l| l.file("arch", "amd64"));
    let arm = ImageBuilder::new()
        .tag(Some("app:1"))
        .arch("arm64", Some("v8"))
        .layer(|l| l.file("arch", "arm64"));
    let path = dir.path().join("multi.tar");
    write_docker_classic(&[&amd, &arm], &path);
    let pick = |p: &str| {
        let opts = LoadOptions {
            selector: Selector {
                image: None,
                platform: Some(parse_platform(p).unwrap()),
            },
            ..LoadOptions::default()
        };
        load(&SourceSpec::Auto(path.clone()), &opts)
    };
    assert_eq!(
        squashed_listing(&pick("linux/arm64").unwrap()),
        ["arch@0 File 644 = \"arm64\""]
    );
    assert_eq!(
        squashed_listing(&pick("linux/amd64").unwrap()),
        ["arch@0 File 644 = \"amd64\""]
    );
    let err = pick("linux/s390x").unwrap_err();
    assert_eq!(
        err.to_string(),
        "no image for platform linux/s390x; the archive holds: linux/amd64, linux/arm64/v8"
    );
}
