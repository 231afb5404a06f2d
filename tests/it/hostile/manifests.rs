//! Hostile image metadata and archives: missing or malformed manifest.json, index.json and
//! configs, wrong media types, digest, diff_id and size mismatches, missing blobs, index
//! cycles and depth, absurd sizes, deeply nested JSON, members that are duplicated, escape
//! the archive or are not regular files, and truncated archives.

use std::path::Path;

use consign::source::{LoadOptions, SourceSpec, Verify};
use serde_json::{Value, json};

use super::{
    blob_path, config_descriptor, config_for, layer, load_error, load_files, manifest_files,
    oci_raw, raw_entry, raw_tar,
};
use crate::sources::layered;
use crate::support::image::{Comp, ImageBuilder, Tamper, compress, sha256, write_dir, write_tar};
use crate::support::{load, squashed_listing, tmp};

const GZ: &str = "application/vnd.oci.image.layer.v1.tar+gzip";
const INDEX: &str = "application/vnd.oci.image.index.v1+json";

/// A good one-layer image's layer blob and layout files.
fn good() -> (super::Blob, super::Files) {
    let l = layer(&raw_tar(&[(b"a", b'0', b"1", b"")]), Comp::Gzip);
    let files = oci_raw(std::slice::from_ref(&l));
    (l, files)
}

/// `files` with `path` replaced by (or set to) `bytes`.
fn with(files: &[(String, Vec<u8>)], path: &str, bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut f: Vec<_> = files.iter().filter(|(n, _)| n != path).cloned().collect();
    f.push((path.to_owned(), bytes.to_vec()));
    f
}

/// `files` without `path`.
fn without(files: &[(String, Vec<u8>)], path: &str) -> Vec<(String, Vec<u8>)> {
    files.iter().filter(|(n, _)| n != path).cloned().collect()
}

/// The error of loading the OCI layout `files` written to a directory, with that directory
/// shown as `[DIR]`.
fn dir_error(files: &[(String, Vec<u8>)]) -> String {
    let dir = tmp();
    write_dir(dir.path(), files);
    let err = load(
        &SourceSpec::Auto(dir.path().into()),
        &LoadOptions::default(),
    )
    .unwrap_err();
    err.to_string()
        .replace(&dir.path().display().to_string(), "[DIR]")
}

#[test]
fn missing_and_malformed_index_json() {
    let (_, files) = good();
    assert_eq!(
        dir_error(&without(&files, "index.json")),
        "index.json: missing from [DIR]: not an OCI image layout"
    );
    assert_eq!(
        load_error(&with(
            &files,
            "index.json",
            b"{\"schemaVersion\": 2, \"manifests\": [ {"
        )),
        "index.json: malformed JSON: EOF while parsing an object at line 1 column 37"
    );
    assert_eq!(
        load_error(&with(&files, "index.json", b"[1,2,3]")),
        "index.json: malformed JSON: invalid type: integer `2`, expected a string at line 1 column 4"
    );
}

#[test]
fn deeply_nested_json_is_refused_before_parsing() {
    let (_, files) = good();
    // A million brackets: counted in one pass, never recursed into.
    assert_eq!(
        load_error(&with(&files, "index.json", &[b'['; 1_000_000])),
        "index.json: limit exceeded: JSON nested 1000000 deep; at most 64 (limit json-depth)"
    );
    // A config nested 100 deep inside a string-free label value.
    let deep = format!("{}{}", "[".repeat(100), "]".repeat(100));
    let (l, _) = good();
    let config = format!(
        "{{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{{\"Labels\":{{\"x\":{deep}}}}},\"rootfs\":{{\"type\":\"layers\",\"diff_ids\":[\"{}\"]}}}}",
        l.1
    );
    let files = manifest_files(config.as_bytes(), std::slice::from_ref(&l), None);
    assert_eq!(
        load_error(&files),
        format!(
            "{}: limit exceeded: JSON nested 103 deep; at most 64 (limit json-depth)",
            blob_path(&sha256(config.as_bytes()))
        )
    );
}

#[test]
fn missing_and_malformed_configs() {
    let (l, files) = good();
    let config = config_for(std::slice::from_ref(&l));
    assert_eq!(
        dir_error(&without(&files, &blob_path(&sha256(&config)))),
        format!("{}: missing from [DIR]", blob_path(&sha256(&config)))
    );
    let malformed = b"{\"rootfs\": 5}";
    assert_eq!(
        load_error(&manifest_files(malformed, std::slice::from_ref(&l), None)),
        format!(
            "{}: malformed JSON: invalid type: integer `5`, expected struct RootFs at line 1 column 12",
            blob_path(&sha256(malformed))
        )
    );
    let no_diff_ids = config_for(&[]);
    assert_eq!(
        load_error(&manifest_files(
            &no_diff_ids,
            std::slice::from_ref(&l),
            None
        )),
        format!(
            "{}: config lists 0 diff_ids but the manifest lists 1 layers",
            blob_path(&sha256(&no_diff_ids))
        )
    );
}

/// The layout of the good image with this manifest document.
fn with_manifest(m: Value) -> (String, Vec<(String, Vec<u8>)>) {
    let (l, _) = good();
    let config = config_for(std::slice::from_ref(&l));
    let path = blob_path(&sha256(&serde_json::to_vec(&m).unwrap()));
    (
        path,
        manifest_files(&config, std::slice::from_ref(&l), Some(m)),
    )
}

fn manifest(config: Value, layers: Value) -> Value {
    json!({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": config, "layers": layers})
}

#[test]
fn wrong_media_types() {
    let (l, _) = good();
    let cfg = config_descriptor(&config_for(std::slice::from_ref(&l)));
    let digest = sha256(&l.0);
    // A layer's media type is a hint: the compression is read from the bytes, and the digest
    // decides what the layer is.
    for mt in [
        "application/vnd.oci.image.layer.v1.tar+zstd",
        "application/vnd.cncf.helm.chart.content.v1.tar+gzip",
    ] {
        let (_, files) = with_manifest(manifest(
            cfg.clone(),
            json!([{"mediaType": mt, "digest": digest, "size": l.0.len()}]),
        ));
        assert_eq!(
            squashed_listing(&load_files(&files).unwrap()),
            ["a@0 File 644 = \"1\""]
        );
    }
    // A config that is not an image config: not a container image.
    let mut not_image = cfg.clone();
    not_image["mediaType"] = json!("application/vnd.oci.image.layer.v1.tar");
    let (path, files) = with_manifest(manifest(
        not_image,
        json!([{"mediaType": GZ, "digest": digest, "size": l.0.len()}]),
    ));
    assert_eq!(
        load_error(&files),
        format!(
            "{path}: is not a container image (config media type application/vnd.oci.image.layer.v1.tar)"
        )
    );
    // A manifest without layers or config.
    let m = json!({"schemaVersion": 2, "config": cfg});
    let (path, files) = with_manifest(m);
    assert_eq!(
        load_error(&files),
        format!("{path}: is not an image manifest (no config or layers)")
    );
}

#[test]
fn absurd_sizes_and_bad_digests_in_descriptors() {
    let (l, _) = good();
    let cfg = config_descriptor(&config_for(std::slice::from_ref(&l)));
    let digest = sha256(&l.0);
    let layers =
        |size: Value, digest: &str| json!([{"mediaType": GZ, "digest": digest, "size": size}]);
    let (_, files) = with_manifest(manifest(cfg.clone(), layers(json!(1u64 << 62), &digest)));
    assert_eq!(
        load_error(&files),
        format!(
            "layer 0: blob {}: size mismatch: descriptor says 4611686018427387904 bytes, read {}",
            blob_path(&digest),
            l.0.len()
        )
    );
    let (path, files) = with_manifest(manifest(cfg.clone(), layers(json!(-1), &digest)));
    assert_eq!(
        load_error(&files),
        format!("{path}: layer {digest} has a negative size")
    );
    let mut huge_config = cfg.clone();
    huge_config["size"] = json!(1u64 << 60);
    let (_, files) = with_manifest(manifest(huge_config, layers(json!(l.0.len()), &digest)));
    assert_eq!(
        load_error(&files),
        format!(
            "{}: limit exceeded: descriptor size 1152921504606846976 is not a plausible metadata size (limit 16777216)",
            blob_path(cfg["digest"].as_str().unwrap())
        )
    );
    for (bad, why) in [
        (
            "sha256:../../../../etc/passwd",
            "invalid sha256 digest \"../../../../etc/passwd\": expected 64 lowercase hex digits",
        ),
        (
            "md5:abc",
            "unsupported digest algorithm \"md5\" in \"md5:abc\"",
        ),
    ] {
        let (path, files) = with_manifest(manifest(cfg.clone(), layers(json!(l.0.len()), bad)));
        assert_eq!(load_error(&files), format!("{path}: bad descriptor: {why}"));
    }
}

#[test]
fn index_cycles_and_depth() {
    let (_, files) = good();
    // An index naming itself: impossible by content addressing, so the blob at the claimed
    // digest never matches it.
    let claimed = sha256(b"whatever");
    let selfish = serde_json::to_vec(&json!({"schemaVersion": 2, "mediaType": INDEX,
        "manifests": [{"mediaType": INDEX, "digest": claimed, "size": 200}]}))
    .unwrap();
    let top = json!({"schemaVersion": 2, "manifests": [{"mediaType": INDEX, "digest": claimed,
        "size": selfish.len()}]});
    let mut f = with(&files, "index.json", &serde_json::to_vec(&top).unwrap());
    f.push((blob_path(&claimed), selfish.clone()));
    assert_eq!(
        load_error(&f),
        format!(
            "blob {}: digest mismatch: expected {claimed}, got {}",
            blob_path(&claimed),
            sha256(&selfish)
        )
    );
    // A chain of 20 nested indexes: refused past the depth limit.
    let index: Value =
        serde_json::from_slice(&files.iter().find(|f| f.0 == "index.json").unwrap().1).unwrap();
    let mut desc = index["manifests"][0].clone();
    let mut f = files.clone();
    let mut chain = Vec::new();
    for _ in 0..20 {
        let b = serde_json::to_vec(
            &json!({"schemaVersion": 2, "mediaType": INDEX, "manifests": [desc]}),
        )
        .unwrap();
        desc = json!({"mediaType": INDEX, "digest": sha256(&b), "size": b.len()});
        chain.push(sha256(&b));
        f.push((blob_path(&sha256(&b)), b));
    }
    let top = json!({"schemaVersion": 2, "manifests": [desc]});
    let f = with(&f, "index.json", &serde_json::to_vec(&top).unwrap());
    // The ninth index from the top is the first one too deep.
    assert_eq!(
        load_error(&f),
        format!(
            "{}: limit exceeded: image indexes nested deeper than 8",
            blob_path(&chain[20 - 9])
        )
    );
}

fn expect_mismatch(err: &str, what: &str) {
    assert!(
        err.contains(&format!("{what} ")) && err.contains("digest mismatch: expected sha256:"),
        "{err}"
    );
}

#[test]
fn tampered_layers_are_refused() {
    let dir = tmp();
    for (i, comp) in [Comp::Gzip, Comp::Zstd, Comp::None].into_iter().enumerate() {
        let img = ImageBuilder::new()
            .layer(|l| l.file("a", "1"))
            .layer(|l| l.comp(comp).file("b", "2"))
            .tamper(Tamper::LayerBlob(1));
        let oci = dir.path().join(format!("t{i}"));
        img.write_oci_dir(&oci);
        let err = load(&SourceSpec::Auto(oci), &LoadOptions::default())
            .unwrap_err()
            .to_string();
        let blob = &img.build().layers[1].0;
        assert!(
            err.starts_with(&format!(
                "layer 1: blob blobs/sha256/{}: digest mismatch",
                &blob[7..]
            )),
            "{comp:?}: {err}"
        );
        expect_mismatch(&err, "blob");
    }
    let img = ImageBuilder::new()
        .layer(|l| l.file("a", "1"))
        .tamper(Tamper::DiffId(0));
    let oci = dir.path().join("diffid");
    img.write_oci_dir(&oci);
    let err = load(&SourceSpec::Auto(oci), &LoadOptions::default()).unwrap_err();
    expect_mismatch(&err.to_string(), "layer (uncompressed)");
    // Classic docker archives record no blob digest: the diff_id check catches the change.
    let img = ImageBuilder::new()
        .layer(|l| l.file("a", "1"))
        .tamper(Tamper::LayerBlob(0));
    let classic = dir.path().join("classic.tar");
    img.write_docker_archive(&classic);
    let err = load(&SourceSpec::Auto(classic), &LoadOptions::default()).unwrap_err();
    expect_mismatch(&err.to_string(), "layer (uncompressed)");
    // A layer blob cut short (the descriptor still names the whole one).
    let (l, files) = good();
    let cut = &l.0[..l.0.len() / 2];
    let f = with(&files, &blob_path(&sha256(&l.0)), cut);
    assert_eq!(
        load_error(&f),
        format!(
            "layer 0: blob {}: digest mismatch: expected {}, got {}",
            blob_path(&sha256(&l.0)),
            sha256(&l.0),
            sha256(cut)
        )
    );
}

#[test]
fn verify_blobs_trusts_only_the_diff_ids_of_checked_compressed_blobs() {
    let dir = tmp();
    let blobs = LoadOptions {
        verify: Verify::Blobs,
        ..LoadOptions::default()
    };
    // A wrong diff_id beside a gzip blob whose digest checks: taken as the config states it.
    let img = ImageBuilder::new()
        .layer(|l| l.comp(Comp::Gzip).file("a", "1"))
        .tamper(Tamper::DiffId(0));
    let oci = dir.path().join("diffid");
    img.write_oci_dir(&oci);
    let loaded = load(&SourceSpec::Auto(oci.clone()), &blobs).unwrap();
    assert_eq!(
        loaded.layers[0].diff_id.as_ref().unwrap().to_string(),
        sha256(b"not this layer")
    );
    assert_eq!(squashed_listing(&loaded), ["a@0 File 644 = \"1\""]);
    let err = load(&SourceSpec::Auto(oci), &LoadOptions::default()).unwrap_err();
    expect_mismatch(&err.to_string(), "layer (uncompressed)");
    // An uncompressed blob is its own diff_id: still checked.
    let img = ImageBuilder::new()
        .layer(|l| l.comp(Comp::None).file("a", "1"))
        .tamper(Tamper::DiffId(0));
    let plain = dir.path().join("plain");
    img.write_oci_dir(&plain);
    let err = load(&SourceSpec::Auto(plain), &blobs).unwrap_err();
    expect_mismatch(&err.to_string(), "layer (uncompressed)");
    // A changed blob is refused as before.
    let img = ImageBuilder::new()
        .layer(|l| l.comp(Comp::Zstd).file("a", "1"))
        .tamper(Tamper::LayerBlob(0));
    let changed = dir.path().join("changed");
    img.write_oci_dir(&changed);
    let err = load(&SourceSpec::Auto(changed), &blobs).unwrap_err();
    expect_mismatch(&err.to_string(), "blob");
    // Classic docker archives record no blob digest: the diff_id is what checks the layer.
    let img = ImageBuilder::new()
        .layer(|l| l.file("a", "1"))
        .tamper(Tamper::LayerBlob(0));
    let classic = dir.path().join("classic.tar");
    img.write_docker_archive(&classic);
    let err = load(&SourceSpec::Auto(classic), &blobs).unwrap_err();
    expect_mismatch(&err.to_string(), "layer (uncompressed)");
}

#[test]
fn tampered_config_and_missing_blobs_are_refused() {
    let dir = tmp();
    let img = ImageBuilder::new().layer(|l| l.file("a", "1"));
    let w = img.build();
    let mut files = img.oci_files();
    // Drop the layer blob.
    files.retain(|(n, _)| !n.ends_with(&w.layers[0].0[7..]));
    assert_eq!(
        dir_error(&files),
        format!(
            "layer 0: blobs/sha256/{}: missing from [DIR]",
            &w.layers[0].0[7..]
        )
    );
    // Alter the config.
    let mut files = img.oci_files();
    for (n, data) in &mut files {
        if n.ends_with(&w.config.0[7..]) {
            data.push(b' ');
        }
    }
    write_tar(&dir.path().join("cfg.tar"), &files);
    let err = load(
        &SourceSpec::Auto(dir.path().join("cfg.tar")),
        &LoadOptions::default(),
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "blob blobs/sha256/{}: size mismatch: descriptor says {} bytes, read {}",
            &w.config.0[7..],
            w.config.1.len(),
            w.config.1.len() + 1
        )
    );
}

/// The members of a classic `docker save` archive of `img`, without directories.
fn classic_members(img: &ImageBuilder) -> Vec<(String, Vec<u8>)> {
    let dir = tmp();
    let path = dir.path().join("c.tar");
    img.write_docker_archive(&path);
    let mut out = Vec::new();
    let mut a = ::tar::Archive::new(std::fs::File::open(&path).unwrap());
    for e in a.entries().unwrap() {
        let mut e = e.unwrap();
        if e.header().entry_type().is_dir() {
            continue;
        }
        let p = e.path().unwrap().to_string_lossy().into_owned();
        let mut b = Vec::new();
        std::io::Read::read_to_end(&mut e, &mut b).unwrap();
        out.push((p, b));
    }
    out
}

/// Loads `members` as a docker archive, seekable and (gzip-compressed) as a stream; both
/// must give the same message, with the file shown as `[FILE]`.
fn archive_error(members: &[(String, Vec<u8>)]) -> String {
    let dir = tmp();
    let mut raw = Vec::new();
    for (name, data) in members {
        raw_entry(&mut raw, name.as_bytes(), b'0', data, b"", None);
    }
    raw.extend_from_slice(&[0; 1024]);
    let plain = dir.path().join("a.tar");
    std::fs::write(&plain, &raw).unwrap();
    let gz = dir.path().join("a.tar.gz");
    std::fs::write(&gz, compress(&raw, Comp::Gzip)).unwrap();
    let message = |p: &Path| {
        load(&SourceSpec::Auto(p.into()), &LoadOptions::default())
            .unwrap_err()
            .to_string()
            .replace(&p.display().to_string(), "[FILE]")
    };
    let (seekable, streamed) = (message(&plain), message(&gz));
    assert_eq!(seekable, streamed);
    seekable
}

#[test]
fn docker_archive_manifests() {
    let img = ImageBuilder::new().layer(|l| l.file("etc/os-release", "ID=alpine\n"));
    let members = classic_members(&img);
    let m: Value =
        serde_json::from_slice(&members.iter().find(|m| m.0 == "manifest.json").unwrap().1)
            .unwrap();
    let edit = |f: &dyn Fn(&mut Value)| {
        let mut m = m.clone();
        f(&mut m);
        with(&members, "manifest.json", &serde_json::to_vec(&m).unwrap())
    };
    assert_eq!(
        archive_error(&with(&members, "manifest.json", b"[{\"Config\": 12")),
        "manifest.json: malformed JSON: invalid type: integer `12`, expected a string at line 1 column 14"
    );
    assert_eq!(
        archive_error(&with(&members, "manifest.json", b"[]")),
        "manifest.json: lists no images"
    );
    assert_eq!(
        archive_error(&without(&members, "manifest.json")),
        "[FILE]: neither manifest.json (docker save) nor index.json (OCI layout) found"
    );
    assert_eq!(
        archive_error(&edit(&|m| m[0]["Config"] = json!("../../../../etc/passwd"))),
        "manifest.json: path \"../../../../etc/passwd\" escapes the archive"
    );
    assert_eq!(
        archive_error(&edit(&|m| m[0]["Layers"][0] = json!("/etc/passwd"))),
        "layer 0: etc/passwd: missing from [FILE]"
    );
    assert_eq!(
        archive_error(&edit(&|m| m[0]["Layers"] = json!([]))),
        format!(
            "{}: config lists 1 diff_ids but manifest.json lists 0 layers",
            m[0]["Config"].as_str().unwrap()
        )
    );
}

#[test]
fn ambiguous_and_escaping_archive_members() {
    let img = ImageBuilder::new().layer(|l| l.file("etc/os-release", "ID=alpine\n"));
    let members = classic_members(&img);
    // Two manifest.json: tools disagree on which counts, so neither does.
    let mut twice = members.clone();
    twice.push((
        "manifest.json".into(),
        b"[{\"Config\":\"other.json\",\"Layers\":[]}]".to_vec(),
    ));
    assert_eq!(
        archive_error(&twice),
        "[FILE]: member manifest.json appears twice; refusing an ambiguous archive"
    );
    let mut escaping = members.clone();
    escaping.push(("../../evil".into(), b"x".to_vec()));
    assert_eq!(
        archive_error(&escaping),
        "[FILE]: member \"../../evil\" escapes the archive root (path traversal)"
    );
}

#[test]
fn errors_name_the_input() {
    let dir = tmp();
    let junk = dir.path().join("junk.bin");
    std::fs::write(&junk, b"this is not an image").unwrap();
    let err = load(&SourceSpec::Auto(junk.clone()), &LoadOptions::default()).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "{}: not a tar archive, an OCI layout or a directory",
            junk.display()
        )
    );
    let missing = dir.path().join("nope.tar");
    let err = load(&SourceSpec::Auto(missing.clone()), &LoadOptions::default()).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "{}: No such file or directory (os error 2)",
            missing.display()
        )
    );
}

#[test]
fn layout_blobs_must_be_regular_files() {
    let dir = tmp();
    let img = ImageBuilder::new().layer(|l| l.file("a", "1"));
    let w = img.build();
    img.write_oci_dir(dir.path());
    let blob = dir.path().join("blobs/sha256").join(&w.layers[0].0[7..]);
    std::fs::remove_file(&blob).unwrap();
    std::os::unix::fs::symlink("/dev/zero", &blob).unwrap();
    let err = load(
        &SourceSpec::Auto(dir.path().into()),
        &LoadOptions::default(),
    )
    .unwrap_err();
    assert!(
        err.to_string()
            .contains("is a symbolic link; blobs in an image layout must be regular files"),
        "{err}"
    );
}

#[test]
fn truncated_archives_say_so() {
    let dir = tmp();
    let full = dir.path().join("full.tar");
    layered().write_docker_archive(&full);
    let bytes = std::fs::read(&full).unwrap();
    let cut = dir.path().join("cut.tar");
    std::fs::write(&cut, &bytes[..bytes.len() - 2048]).unwrap();
    let err = load(&SourceSpec::Auto(cut.clone()), &LoadOptions::default()).unwrap_err();
    assert!(
        err.to_string().starts_with(&format!(
            "{}: truncated: the archive ends without its end-of-archive marker",
            cut.display()
        )),
        "{err}"
    );
    let cut = dir.path().join("cut2.tar");
    std::fs::write(&cut, &bytes[..bytes.len() - 4000]).unwrap();
    let err = load(&SourceSpec::Auto(cut.clone()), &LoadOptions::default()).unwrap_err();
    assert!(
        err.to_string()
            .starts_with(&format!("{}: truncated", cut.display())),
        "{err}"
    );
    // Cut in half, as an OCI tar.
    let full = dir.path().join("full-oci.tar");
    layered().write_oci_tar(&full);
    let bytes = std::fs::read(&full).unwrap();
    let cut = dir.path().join("half.tar");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
    let err = load(&SourceSpec::Auto(cut.clone()), &LoadOptions::default()).unwrap_err();
    assert!(
        err.to_string()
            .starts_with(&format!("{}: truncated", cut.display())),
        "{err}"
    );
}

#[test]
fn a_layer_stored_twice_is_not_ambiguous() {
    // Content-addressed members are verified whichever copy is read; only a second top-level
    // document is refused (above).
    let img = ImageBuilder::new().layer(|l| l.file("etc/os-release", "ID=alpine\n"));
    let mut members = classic_members(&img);
    let layer = members
        .iter()
        .find(|m| m.0.ends_with("/layer.tar"))
        .unwrap()
        .clone();
    members.push(layer);
    let dir = tmp();
    let path = dir.path().join("twice.tar");
    write_tar(&path, &members);
    let img = load(&SourceSpec::Auto(path), &LoadOptions::default()).unwrap();
    assert_eq!(
        squashed_listing(&img),
        ["etc/os-release@0 File 644 = \"ID=alpine\\n\""]
    );
}
