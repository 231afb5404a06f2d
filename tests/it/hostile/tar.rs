//! Hostile layer tars: damaged, ambiguous or escaping entries.

use consign::fs::{FileResolver, LayeredFs, ReadError};

use super::{layer_blob, layer_error, layer_ok, raw_entry, raw_tar, warnings};
use crate::support::squashed_listing;

/// A PAX extended header (`x`) carrying `records`, for the entry that follows.
fn pax(out: &mut Vec<u8>, records: &[(&str, &[u8])]) {
    let mut data = Vec::new();
    for (key, value) in records {
        // "<len> <key>=<value>\n", where <len> counts itself.
        let rest = key.len() + value.len() + 3;
        let mut len = rest + 1;
        while len != rest + len.to_string().len() {
            len = rest + len.to_string().len();
        }
        data.extend_from_slice(format!("{len} {key}=").as_bytes());
        data.extend_from_slice(value);
        data.push(b'\n');
    }
    raw_entry(out, b"PaxHeaders/x", b'x', &data, b"", None);
}

/// `v` as a NUL-terminated 11-digit octal field.
fn octal12(v: u64) -> [u8; 12] {
    let mut f = [0u8; 12];
    f[..11].copy_from_slice(format!("{v:011o}").as_bytes());
    f
}

/// A GNU sparse entry (`S`): one data chunk of `data` at `offset`, a file of `real` bytes.
fn gnu_sparse(out: &mut Vec<u8>, name: &[u8], offset: u64, data: &[u8], real: u64) {
    let mut h = ::tar::Header::new_gnu();
    h.as_old_mut().name[..name.len()].copy_from_slice(name);
    h.set_mode(0o644);
    h.set_size(data.len() as u64);
    h.set_entry_type(::tar::EntryType::GNUSparse);
    h.set_mtime(1_700_000_000);
    {
        let raw = h.as_mut_bytes();
        raw[386..398].copy_from_slice(&octal12(offset));
        raw[398..410].copy_from_slice(&octal12(data.len() as u64));
        raw[483..495].copy_from_slice(&octal12(real));
    }
    h.set_cksum();
    out.extend_from_slice(h.as_bytes());
    out.extend_from_slice(data);
    out.resize(out.len().div_ceil(512) * 512, 0);
}

#[test]
fn truncated_entry() {
    let mut t = Vec::new();
    raw_entry(
        &mut t,
        b"etc/os-release",
        b'0',
        b"ID=x\n",
        b"",
        Some(100_000),
    );
    let (blob, err) = layer_error(&t);
    assert_eq!(
        err,
        format!(
            "layer 0: {blob}: truncated: the layer ends inside entry /etc/os-release (unexpected EOF during skip)"
        )
    );
}

#[test]
fn truncated_archive_without_end_marker_is_read_with_a_warning() {
    let mut t = Vec::new();
    raw_entry(&mut t, b"etc/os-release", b'0', b"ID=x\n", b"", None);
    let img = layer_ok(&t);
    assert_eq!(
        squashed_listing(&img),
        ["etc/os-release@0 File 644 = \"ID=x\\n\""]
    );
    assert_eq!(
        warnings(&img),
        [format!(
            "layer 0: {}: the layer ends without the tar end-of-archive marker (truncated?)",
            layer_blob(&t)
        )]
    );
}

#[test]
fn bad_header_checksums() {
    let mut t = raw_tar(&[(b"a", b'0', b"1", b""), (b"b", b'0', b"2", b"")]);
    t[1024 + 148] ^= 1;
    let (blob, err) = layer_error(&t);
    assert_eq!(
        err,
        format!(
            "layer 0: {blob}: corrupt layer: archive header checksum mismatch (the header after entry /a)"
        )
    );
    let mut t = raw_tar(&[(b"a", b'0', b"1", b"")]);
    t[148] ^= 1;
    let (blob, err) = layer_error(&t);
    assert_eq!(
        err,
        format!(
            "layer 0: {blob}: corrupt layer: archive header checksum mismatch (the first header)"
        )
    );
}

#[test]
fn pax_and_gnu_long_names() {
    let long = format!("usr/share/{}/os-release", "d".repeat(250));
    let link = format!("/usr/share/{}/os-release", "d".repeat(250));
    let mut t = Vec::new();
    pax(&mut t, &[("path", long.as_bytes())]);
    raw_entry(&mut t, b"short-name", b'0', b"ID=pax\n", b"", None);
    pax(&mut t, &[("linkpath", link.as_bytes())]);
    raw_entry(&mut t, b"etc/os-release", b'2', b"", b"x", None);
    let gnu = format!("opt/{}/VERSION", "g".repeat(300));
    raw_entry(
        &mut t,
        b"././@LongLink",
        b'L',
        format!("{gnu}\0").as_bytes(),
        b"",
        None,
    );
    raw_entry(&mut t, b"truncated-name", b'0', b"gnu\n", b"", None);
    t.extend_from_slice(&[0; 1024]);
    let img = layer_ok(&t);
    assert_eq!(
        squashed_listing(&img),
        [
            format!("etc/os-release@0 Symlink 777 -> {link}"),
            format!("{gnu}@0 File 644 = \"gnu\\n\""),
            format!("{long}@0 File 644 = \"ID=pax\\n\""),
        ]
    );
    let fs = LayeredFs::squashed(&img.trees);
    assert_eq!(
        fs.file_by_path("etc/os-release").unwrap().unwrap().path,
        long
    );
    // An extension record of 2 MiB: refused before the tar reader buffers it.
    let mut t = Vec::new();
    raw_entry(&mut t, b"PaxHeaders/x", b'x', &[], b"", Some(2 << 20));
    let (blob, err) = layer_error(&t);
    assert_eq!(
        err,
        format!(
            "layer 0: {blob}: limit exceeded: tar extension record (type x) of 2097152 bytes exceeds 1048576"
        )
    );
}

#[test]
fn gnu_sparse_files() {
    let mut t = Vec::new();
    gnu_sparse(&mut t, b"etc/os-release", 4096, b"ID=alpine\n", 4106);
    // A sparse file claiming 4 GiB: only its metadata is kept.
    gnu_sparse(&mut t, b"var/huge", 4 << 30, b"x", (4 << 30) + 1);
    t.extend_from_slice(&[0; 1024]);
    let img = layer_ok(&t);
    let fs = LayeredFs::squashed(&img.trees);
    let os = fs.file_by_path("etc/os-release").unwrap().unwrap();
    let bytes = fs.read(&os).unwrap();
    assert_eq!(bytes.len(), 4106);
    assert!(bytes[..4096].iter().all(|b| *b == 0));
    assert_eq!(&bytes[4096..], b"ID=alpine\n");
    let huge = fs.file_by_path("var/huge").unwrap().unwrap();
    assert_eq!(
        fs.read(&huge),
        Err(ReadError::TooLarge {
            size: (4 << 30) + 1,
            cap: 256 << 20
        })
    );
}

#[test]
fn non_utf8_names_are_recorded_lossily_with_a_warning() {
    let img = layer_ok(&raw_tar(&[(b"etc/caf\xe9", b'0', b"1", b"")]));
    assert_eq!(
        squashed_listing(&img),
        ["etc/caf\u{fffd}@0 File 644 = \"1\""]
    );
    assert_eq!(
        warnings(&img),
        [
            "layer 0: entry name is not valid UTF-8: \"etc/caf\u{fffd}\" (recorded as /etc/caf\u{fffd})"
        ]
    );
}

#[test]
fn absolute_paths_are_root_relative_and_traversal_is_refused() {
    let img = layer_ok(&raw_tar(&[
        (b"/etc/abs", b'0', b"1", b""),
        (b"./a/./b/../c", b'0', b"2", b""),
    ]));
    assert_eq!(
        squashed_listing(&img),
        ["a/c@0 File 644 = \"2\"", "etc/abs@0 File 644 = \"1\""]
    );
    for name in [&b"a/../../etc/x"[..], b"../x", b"/../../x"] {
        let (blob, err) = layer_error(&raw_tar(&[(name, b'0', b"1", b"")]));
        assert_eq!(
            err,
            format!(
                "layer 0: {blob}: entry {:?} escapes the image root (path traversal)",
                String::from_utf8_lossy(name)
            )
        );
    }
}

#[test]
fn duplicate_entries_the_last_wins_as_extraction_does() {
    let img = layer_ok(&raw_tar(&[
        (b"a", b'0', b"first", b""),
        (b"a", b'0', b"second", b""),
        (b"d", b'0', b"a file", b""),
        (b"d", b'5', b"", b""),
    ]));
    assert_eq!(
        squashed_listing(&img),
        ["a@0 File 644 = \"second\"", "d@0 Dir 644"]
    );
}

#[test]
fn hard_links_to_missing_or_outside_targets() {
    let img = layer_ok(&raw_tar(&[(b"a", b'1', b"", b"missing")]));
    assert_eq!(squashed_listing(&img), ["a@0 Hardlink 644 -> missing"]);
    let fs = LayeredFs::squashed(&img.trees);
    let a = fs.file_by_path("a").unwrap().unwrap();
    assert_eq!(
        fs.read(&a),
        Err(ReadError::Unreadable(
            "hard link target /missing is missing".into()
        ))
    );
    let (blob, err) = layer_error(&raw_tar(&[(b"a", b'1', b"", b"../../etc/shadow")]));
    assert_eq!(
        err,
        format!(
            "layer 0: {blob}: hard link /a points outside the image root (\"../../etc/shadow\")"
        )
    );
}

#[test]
fn symlink_chains_loops_and_escapes_stay_inside_the_root() {
    let img = layer_ok(&raw_tar(&[
        (b"etc/os-release", b'2', b"", b"../a"),
        (b"a", b'2', b"", b"b"),
        (b"b", b'2', b"", b"/../../../c"),
        (b"c", b'0', b"ID=alpine\n", b""),
        (b"etc/passwd", b'0', b"root:x:0:0::/root:/bin/sh\n", b""),
        (b"l1", b'2', b"", b"l2"),
        (b"l2", b'2', b"", b"l1"),
        (b"self", b'2', b"", b"self"),
        (b"esc", b'2', b"", b"../../../../etc/passwd"),
        (b"abs", b'2', b"", b"/etc/passwd"),
        (b"gone", b'2', b"", b"../../nothing"),
    ]));
    let fs = LayeredFs::squashed(&img.trees);
    let resolved = |p: &str| fs.file_by_path(p).map(|l| l.map(|l| l.path.to_string()));
    assert_eq!(resolved("etc/os-release"), Ok(Some("c".into())));
    assert_eq!(resolved("l1"), Err(ReadError::SymlinkLoop));
    assert_eq!(resolved("self"), Err(ReadError::SymlinkLoop));
    assert_eq!(resolved("esc"), Ok(Some("etc/passwd".into())));
    assert_eq!(resolved("abs"), Ok(Some("etc/passwd".into())));
    assert_eq!(resolved("gone"), Ok(None));
    // A chain of 41 links is treated as a loop (Linux's MAXSYMLINKS is 40).
    let names: Vec<String> = (0..=41).map(|i| format!("s{i}")).collect();
    let mut entries: Vec<super::RawEntry<'_>> = Vec::new();
    for i in 0..41 {
        entries.push((names[i].as_bytes(), b'2', b"", names[i + 1].as_bytes()));
    }
    entries.push((b"s41", b'0', b"end", b""));
    let img = layer_ok(&raw_tar(&entries));
    let fs = LayeredFs::squashed(&img.trees);
    assert_eq!(fs.file_by_path("s0"), Err(ReadError::SymlinkLoop));
    assert_eq!(
        fs.file_by_path("s1").unwrap().unwrap().path.to_string(),
        "s41"
    );
}

#[test]
fn devices_and_fifos_are_recorded_never_opened() {
    let img = layer_ok(&raw_tar(&[
        (b"dev/null", b'3', b"", b""),
        (b"dev/sda", b'4', b"", b""),
        (b"run/fifo", b'6', b"", b""),
        (b"etc/os-release", b'6', b"", b""),
        (b"weird", b'Z', b"", b""),
    ]));
    assert_eq!(
        squashed_listing(&img),
        [
            "dev/null@0 CharDevice 644",
            "dev/sda@0 BlockDevice 644",
            "etc/os-release@0 Fifo 644",
            "run/fifo@0 Fifo 644",
        ]
    );
    assert_eq!(
        warnings(&img),
        ["layer 0: entry /weird has unsupported tar type 'Z' (0x5a); skipped"]
    );
    let fs = LayeredFs::squashed(&img.trees);
    assert_eq!(fs.file_by_path("etc/os-release"), Ok(None));
}

/// A layer of a million empty files (512 MB of headers, a few MB gzipped): read in one pass
/// with bounded memory, and refused cleanly by a lower entry limit.
#[test]
fn a_million_tiny_entries() {
    const N: usize = 1_000_000;
    let mut template = ::tar::Header::new_gnu();
    template.set_mode(0o644);
    template.set_size(0);
    template.set_entry_type(::tar::EntryType::Regular);
    template.set_mtime(1_700_000_000);
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    let mut hasher = <sha2::Sha256 as sha2::Digest>::new();
    let mut block = Vec::with_capacity(512 * 1024);
    let mut put = |bytes: &[u8], last: bool| {
        block.extend_from_slice(bytes);
        if block.len() >= 512 * 1024 || last {
            sha2::Digest::update(&mut hasher, &block);
            std::io::Write::write_all(&mut gz, &block).unwrap();
            block.clear();
        }
    };
    for i in 0..N {
        let mut h = template.clone();
        let name = format!("d{:04}/f{:04}", i / 1000, i % 1000);
        h.as_old_mut().name[..name.len()].copy_from_slice(name.as_bytes());
        h.set_cksum();
        put(h.as_bytes(), false);
    }
    put(&[0; 1024], true);
    let blob = gz.finish().unwrap();
    let diff_id = format!("sha256:{}", hex::encode(sha2::Digest::finalize(hasher)));
    let files = super::oci_raw(&[(blob.clone(), diff_id)]);
    let dir = crate::support::tmp();
    crate::support::image::write_dir(dir.path(), &files);
    // What a scan captures of such a layer: nothing but the distro file.
    let wants = consign::fs::Wants::new(&[&["etc/os-release"]]).unwrap();
    let spec = consign::source::SourceSpec::Auto(dir.path().into());
    let img = consign::source::load(&spec, &wants, &Default::default()).unwrap();
    assert_eq!(img.trees[0].entries.len(), N);
    let limits = consign::source::Limits {
        max_entries: 1000,
        ..Default::default()
    };
    let err = super::load_files_with(&files, limits).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "layer 0: {}: limit exceeded: more than 1000 entries (limit entries)",
            super::blob_path(&crate::support::image::sha256(&blob))
        )
    );
}
