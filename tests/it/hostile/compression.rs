//! Hostile compression: invalid streams, bombs, concatenated members, trailing garbage, and
//! the decompression limits (per layer, per image, ratio).

use std::io::Write;

use consign::source::Limits;
use consign::source::limits::RATIO_FLOOR;

use super::{blob_path, load_error, load_files, load_files_with, oci_raw, raw_entry, raw_tar};
use crate::support::image::{Comp, compress, sha256};
use crate::support::squashed_listing;

/// A tar header announcing a 10 GiB file of zeros, then `member` (a compressed MiB of zeros)
/// repeated `times`: about 1 KB of input per MiB of output.
fn bomb(comp: Comp, times: usize) -> Vec<u8> {
    let mut head = Vec::new();
    raw_entry(&mut head, b"zeros", b'0', b"", b"", Some(10 << 30));
    let mib = vec![0u8; 1 << 20];
    let (mut out, member) = match comp {
        Comp::Gzip => {
            let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
            e.write_all(&mib).unwrap();
            (compress(&head, Comp::Gzip), e.finish().unwrap())
        }
        Comp::Zstd => (
            zstd::encode_all(&head[..], 3).unwrap(),
            zstd::encode_all(&mib[..], 19).unwrap(),
        ),
        Comp::None => unreachable!(),
    };
    for _ in 0..times {
        out.extend_from_slice(&member);
    }
    out
}

/// The reason of a limit error on the single layer of `files`, after the blob's name.
fn layer_limit(blob: &[u8], limits: Limits) -> String {
    let err = load_files_with(
        &oci_raw(&[(blob.to_vec(), sha256(b"never computed"))]),
        limits,
    )
    .unwrap_err()
    .to_string();
    let prefix = format!("layer 0: {}: limit exceeded: ", blob_path(&sha256(blob)));
    err.strip_prefix(&prefix)
        .unwrap_or_else(|| panic!("{err}"))
        .to_owned()
}

/// `decompression bomb: N bytes inflated from M (more than 500:1, limit ratio)`, with N just
/// past the floor: the bomb was stopped after a few KiB of input.
fn assert_stopped_early(reason: &str) {
    let words: Vec<&str> = reason.split(' ').collect();
    assert_eq!(words[..2], ["decompression", "bomb:"], "{reason}");
    let produced: u64 = words[2].parse().unwrap();
    let consumed: u64 = words[6].parse().unwrap();
    assert!(
        reason.ends_with("(more than 500:1, limit ratio)"),
        "{reason}"
    );
    assert!(
        produced > RATIO_FLOOR && produced < RATIO_FLOOR + (4 << 20),
        "{reason}"
    );
    assert!(consumed < 256 << 10, "{reason}");
}

#[test]
fn gzip_and_zstd_bombs_stop_at_the_ratio_limit() {
    // 10 GiB of output each, from ~10 MB and ~0.5 MB.
    let gz = bomb(Comp::Gzip, 10 << 10);
    assert!(gz.len() < 11 << 20, "{}", gz.len());
    assert_stopped_early(&layer_limit(&gz, Limits::default()));
    let zst = bomb(Comp::Zstd, 10 << 10);
    assert!(zst.len() < 1 << 20, "{}", zst.len());
    assert_stopped_early(&layer_limit(&zst, Limits::default()));
}

#[test]
fn without_the_ratio_limit_the_size_limits_stop_a_bomb() {
    let gz = bomb(Comp::Zstd, 10 << 10);
    let mut limits = Limits::default();
    limits.set_pair("ratio=0").unwrap();
    limits.set_pair("layer-bytes=100MiB").unwrap();
    assert_eq!(
        layer_limit(&gz, limits.clone()),
        "uncompressed layer exceeds 104857600 bytes (limit layer-bytes)"
    );
    limits.set_pair("total-bytes=80MiB").unwrap();
    assert_eq!(
        layer_limit(&gz, limits),
        "the image's uncompressed layers exceed 83886080 bytes together (limit total-bytes)"
    );
}

#[test]
fn the_total_limit_counts_every_layer() {
    let one = raw_tar(&[(b"a", b'0', &[7u8; 600 << 10], b"")]);
    let two = raw_tar(&[(b"b", b'0', &[8u8; 600 << 10], b"")]);
    let files = oci_raw(&[
        super::layer(&one, Comp::Gzip),
        super::layer(&two, Comp::Gzip),
    ]);
    let mut limits = Limits::default();
    limits.set_pair("total-bytes=1MiB").unwrap();
    let err = load_files_with(&files, limits).unwrap_err().to_string();
    // Layers are read in parallel: either may be the one that crosses the line.
    assert!(
        err.ends_with(
            "limit exceeded: the image's uncompressed layers exceed 1048576 bytes together (limit total-bytes)"
        ),
        "{err}"
    );
    assert!(load_files(&files).is_ok());
}

#[test]
fn invalid_streams_name_the_blob_and_the_codec() {
    let tar = raw_tar(&[(b"a", b'0', b"1", b"")]);
    let cases: [(&str, Vec<u8>, &str); 4] = [
        (
            "gzip",
            vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff],
            "corrupt layer: invalid gzip data: corrupt deflate stream",
        ),
        (
            "zstd",
            vec![0x28, 0xb5, 0x2f, 0xfd, 0xff, 0xff, 0xff, 0xff, 0, 1, 2, 3],
            "corrupt layer: invalid zstd data: incomplete frame",
        ),
        (
            "xz",
            b"\xfd7zXZ\0rest".to_vec(),
            "xz-compressed layers are not supported",
        ),
        (
            "bzip2",
            b"BZh91AY&SY".to_vec(),
            "bzip2-compressed layers are not supported",
        ),
    ];
    for (what, blob, reason) in cases {
        let err = load_error(&oci_raw(&[(blob.clone(), sha256(&tar))]));
        assert_eq!(
            err,
            format!("layer 0: {}: {reason}", blob_path(&sha256(&blob))),
            "{what}"
        );
    }
}

#[test]
fn concatenated_gzip_members_are_one_stream() {
    let tar = raw_tar(&[
        (b"etc/os-release", b'0', b"ID=alpine\n", b""),
        (b"b", b'0', b"2", b""),
    ]);
    // Split inside the first entry's header: the members are not aligned to entries.
    let mut blob = compress(&tar[..300], Comp::Gzip);
    blob.extend(compress(&tar[300..700], Comp::Gzip));
    blob.extend(compress(&tar[700..], Comp::Gzip));
    let img = load_files(&oci_raw(&[(blob, sha256(&tar))])).unwrap();
    assert_eq!(
        squashed_listing(&img),
        [
            "b@0 File 644 = \"2\"",
            "etc/os-release@0 File 644 = \"ID=alpine\\n\""
        ]
    );
}

#[test]
fn trailing_garbage() {
    let tar = raw_tar(&[(b"a", b'0', b"1", b"")]);
    // After a compressed stream: refused (it is neither part of the layer nor nothing).
    for (comp, codec, cause) in [
        (Comp::Gzip, "gzip", "invalid gzip header"),
        (Comp::Zstd, "zstd", "Unknown frame descriptor"),
    ] {
        let mut blob = compress(&tar, comp);
        blob.extend_from_slice(b"GARBAGE GARBAGE");
        let err = load_error(&oci_raw(&[(blob.clone(), sha256(&tar))]));
        assert_eq!(
            err,
            format!(
                "layer 0: {}: corrupt layer: the data after the tar archive cannot be decompressed: invalid {codec} data: {cause}",
                blob_path(&sha256(&blob))
            )
        );
    }
    // After a plain tar's end-of-archive marker: part of the layer (its diff_id covers it),
    // never read as entries.
    let mut plain = tar.clone();
    plain.extend_from_slice(b"GARBAGE GARBAGE");
    let img = load_files(&oci_raw(&[(plain.clone(), sha256(&plain))])).unwrap();
    assert_eq!(squashed_listing(&img), ["a@0 File 644 = \"1\""]);
}

#[test]
fn a_bomb_in_the_compression_around_the_archive() {
    // `docker save | gzip` of a real image plus a member of 10 GiB of zeros: ~10 MB on disk.
    let img = crate::support::image::ImageBuilder::new()
        .layer(|l| l.file("etc/os-release", "ID=alpine\n"));
    let dir = crate::support::tmp();
    let plain = dir.path().join("img.tar");
    img.write_docker_archive(&plain);
    let mut tar = std::fs::read(&plain).unwrap();
    tar.truncate(tar.len() - 1024);
    let mut out = compress(&tar, Comp::Gzip);
    let rest = bomb(Comp::Gzip, 10 << 10);
    out.extend_from_slice(&rest);
    let path = dir.path().join("img.tar.gz");
    std::fs::write(&path, &out).unwrap();
    let err = crate::support::load(
        &consign::source::SourceSpec::Auto(path.clone()),
        &Default::default(),
    )
    .unwrap_err()
    .to_string();
    let prefix = format!("{}: limit exceeded: ", path.display());
    assert_stopped_early(err.strip_prefix(&prefix).unwrap_or_else(|| panic!("{err}")));
}
