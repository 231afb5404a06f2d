use super::*;

const FIXTURE: &str = "go/binary-go1.22-replace/binary_with_module_replacement-linux-amd64";

fn fixture_bytes() -> Vec<u8> {
    std::fs::read(crate::catalog::testfs::fixture(FIXTURE)).unwrap()
}

/// A minimal little-endian ELF64 executable with no section headers and one writable
/// PT_LOAD segment holding `data` at virtual address `vaddr`: what `sstrip` leaves.
pub(crate) fn stripped_elf(data: &[u8], vaddr: u64) -> Vec<u8> {
    const OFF: u64 = 128;
    let mut f = Vec::new();
    f.extend_from_slice(b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0");
    f.extend_from_slice(&2u16.to_le_bytes()); // ET_EXEC
    f.extend_from_slice(&0x3eu16.to_le_bytes()); // x86-64
    f.extend_from_slice(&1u32.to_le_bytes());
    f.extend_from_slice(&0u64.to_le_bytes()); // entry
    f.extend_from_slice(&64u64.to_le_bytes()); // phoff
    f.extend_from_slice(&0u64.to_le_bytes()); // shoff
    f.extend_from_slice(&0u32.to_le_bytes());
    for v in [64u16, 56, 1, 64, 0, 0] {
        f.extend_from_slice(&v.to_le_bytes());
    }
    f.extend_from_slice(&1u32.to_le_bytes()); // PT_LOAD
    f.extend_from_slice(&6u32.to_le_bytes()); // PF_R | PF_W
    for v in [OFF, vaddr, vaddr, data.len() as u64, data.len() as u64, 16] {
        f.extend_from_slice(&v.to_le_bytes());
    }
    f.resize(OFF as usize, 0);
    f.extend_from_slice(data);
    f
}

fn framed(modinfo: &str) -> Vec<u8> {
    let mut m = vec![b'S'; 16];
    m.extend_from_slice(modinfo.as_bytes());
    m.extend_from_slice(&[b'E'; 16]);
    m
}

fn varint(mut n: usize, out: &mut Vec<u8>) {
    while n >= 0x80 {
        out.push((n as u8) | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

const MODINFO: &str = "path\texample.com/app\nmod\texample.com/app\tv1.2.3\th1:main=\n\
                       dep\texample.com/lib\tv0.1.0\th1:lib=\nbuild\tGOOS=linux\n";

#[test]
fn reads_the_real_go_1_22_binary() {
    let summary = extract(&fixture_bytes()).unwrap().unwrap();
    let bi = parse(std::str::from_utf8(&summary).unwrap());
    assert_eq!(bi.go_version, "go1.22.0");
    assert_eq!(bi.path, "binary_with_module_replacement");
    let main = bi.main.as_ref().unwrap();
    assert_eq!(
        (main.path.as_str(), main.version.as_str()),
        ("binary_with_module_replacement", "(devel)")
    );
    assert_eq!(bi.deps.len(), 1);
    let dep = &bi.deps[0];
    assert_eq!(dep.path, "golang.org/x/xerrors");
    assert_eq!(dep.version, "v0.0.0-20220907171357-04be3eba64a2");
    let r = dep.replace.as_deref().unwrap();
    assert_eq!(r.path, "github.com/golang/xerrors");
    assert_eq!(r.version, "v0.0.0-20220907171357-04be3eba64a2");
    assert_eq!(r.sum, "h1:Wpqq3XyrlysiTYqXPoaibAPvTMmnbHE42soloZAxtZY=");
    assert_eq!(bi.setting("GOARCH"), Some("amd64"));
    assert_eq!(bi.setting("CGO_ENABLED"), Some("1"));
    assert_eq!(bi.setting("-buildmode"), Some("exe"));
    assert_eq!(bi.settings.len(), 11);
    assert!(bi.errors.is_empty(), "{:?}", bi.errors);
}

#[test]
fn elf_without_the_section_is_not_go() {
    let rust = std::fs::read(crate::catalog::testfs::fixture(
        "cargo/auditable-binary/uses_serde_json",
    ))
    .unwrap();
    assert_eq!(extract(&rust), Ok(None));
    assert_eq!(extract(b"\x7fELF garbage"), Ok(None));
    assert_eq!(extract(b"MZ"), Ok(None));
}

#[test]
fn stripped_binary_found_by_searching_the_data_segment() {
    let mut data = vec![0u8; 48]; // the header is searched for, 16-byte aligned
    data[5..19].copy_from_slice(MAGIC); // misaligned: skipped
    data.extend_from_slice(MAGIC);
    data.extend_from_slice(&[8, 2]);
    data.resize(48 + HEADER, 0);
    let version = b"go1.21.4";
    varint(version.len(), &mut data);
    data.extend_from_slice(version);
    let m = framed(MODINFO);
    varint(m.len(), &mut data);
    data.extend_from_slice(&m);
    let summary = extract(&stripped_elf(&data, 0x40_0000)).unwrap().unwrap();
    assert_eq!(summary, [&b"go1.21.4\n"[..], MODINFO.as_bytes()].concat());
}

#[test]
fn pointer_format_of_go_before_1_18() {
    // Header at 0x1000, string headers at 0x1020 and 0x1030, bytes from 0x1040.
    let base = 0x1000u64;
    let m = framed(MODINFO);
    let version = b"go1.16.15";
    let mut data = MAGIC.to_vec();
    data.extend_from_slice(&[8, 0]);
    data.extend_from_slice(&(base + 0x20).to_le_bytes());
    data.extend_from_slice(&(base + 0x30).to_le_bytes());
    data.extend_from_slice(&(base + 0x40).to_le_bytes());
    data.extend_from_slice(&(version.len() as u64).to_le_bytes());
    data.extend_from_slice(&(base + 0x40 + version.len() as u64).to_le_bytes());
    data.extend_from_slice(&(m.len() as u64).to_le_bytes());
    data.extend_from_slice(version);
    data.extend_from_slice(&m);
    let summary = extract(&stripped_elf(&data, base)).unwrap().unwrap();
    assert_eq!(summary, [&b"go1.16.15\n"[..], MODINFO.as_bytes()].concat());

    // A pointer to nowhere, and an absurd length: errors, not panics.
    let mut bad = data.clone();
    bad[16..24].copy_from_slice(&u64::MAX.to_le_bytes());
    assert!(extract(&stripped_elf(&bad, base)).is_err());
    let mut bad = data.clone();
    bad[40..48].copy_from_slice(&u64::MAX.to_le_bytes());
    assert!(extract(&stripped_elf(&bad, base)).is_err());
    let mut bad = data;
    bad[14] = 3;
    assert!(extract(&stripped_elf(&bad, base)).is_err());
}

#[test]
fn hostile_binaries_never_panic() {
    let real = fixture_bytes();
    let start = 0x13a000;
    // Truncations through the headers and the build info.
    for cut in [
        0,
        4,
        20,
        63,
        64,
        100,
        0x190,
        start,
        start + 20,
        start + 40,
        start + 100,
    ] {
        let _ = extract(&real[..cut.min(real.len())]);
    }
    // Every byte of the build-info header and the start of the strings, set to extremes.
    for i in start + 14..start + 48 {
        for v in [0u8, 0x7f, 0x80, 0xff] {
            let mut b = real.clone();
            b[i] = v;
            let _ = extract(&b);
        }
    }
    // A varint length larger than the section.
    let mut b = real.clone();
    b[start + 32..start + 37].copy_from_slice(&[0xff, 0xff, 0xff, 0xff, 0x0f]);
    assert!(extract(&b).is_err());
}

#[test]
fn varints_are_bounded() {
    assert_eq!(
        varint_string(b"\x03abcdef"),
        Some((&b"abc"[..], &b"def"[..]))
    );
    assert_eq!(varint_string(b"\x04abc"), None);
    assert_eq!(varint_string(&[0xff; 12]), None);
    assert_eq!(varint_string(b""), None);
}

#[test]
fn parses_replacements_quoted_settings_and_bad_lines() {
    let text = "go1.22.1\npath\tex.com/cmd/app\nmod\tex.com\t(devel)\t\n\
                dep\ta.io/x\tv1.0.0\th1:x=\n=>\tb.io/y\tv1.1.0\th1:y=\n\
                dep\tc.io/z\tv0.0.0-00010101000000-000000000000\n=>\t../z\t\t\n\
                dep\tbroken\n=>\torphan\tv1\th1:o=\n\
                build\t-ldflags=\"-s -w -X \\\"main.v=1\\\"\"\n\
                build\t\"key with space\"=`raw`\nbuild\tnovalue\n\
                future\tline\n";
    let bi = parse(text);
    assert_eq!(bi.go_version, "go1.22.1");
    assert_eq!(bi.deps.len(), 2);
    assert_eq!(bi.deps[0].replace.as_ref().unwrap().path, "b.io/y");
    assert_eq!(bi.deps[1].replace.as_ref().unwrap().path, "../z");
    assert_eq!(bi.setting("-ldflags"), Some("-s -w -X \"main.v=1\""));
    assert_eq!(bi.setting("key with space"), Some("raw"));
    let lines: Vec<usize> = bi.errors.iter().map(|e| e.0).collect();
    assert_eq!(lines, [8, 9, 12], "{:?}", bi.errors);
}

#[test]
fn go_string_literals() {
    assert_eq!(unquote_prefix(r#""a\tb"rest"#), Some(("a\tb".into(), 6)));
    assert_eq!(
        unquote_prefix(r#""\x41\u00e9\101""#),
        Some(("AéA".into(), 16))
    );
    assert_eq!(unquote_prefix("`raw\\n`"), Some(("raw\\n".into(), 7)));
    assert_eq!(unquote_prefix(r#""open"#), None);
    assert_eq!(unquote_prefix(r#""\q""#), None);
    assert_eq!(unquote_prefix(r#""\x4""#), None);
}

#[test]
fn the_layer_reader_reads_only_windows_and_finds_the_same() {
    use crate::fs::Content;
    let real = fixture_bytes();
    let (kept, held) =
        crate::catalog::testfs::extract_like_a_layer(&super::super::EXTRACTOR, &real);
    let Some(Content::Extracted(found)) = kept else {
        panic!("nothing extracted: {kept:?}")
    };
    let summary = found.get(super::super::BINARY).unwrap().unwrap();
    assert_eq!(
        summary.as_ref(),
        extract(&real).unwrap().unwrap().as_slice()
    );
    // Headers, data and read-only data of a Go binary: not its code.
    assert!(held < real.len() as u64 * 3 / 4, "{held} of {}", real.len());
    // A stripped binary (no section table) is searched in its data segment, also windowed.
    let mut data = vec![0u8; 48];
    data.extend_from_slice(MAGIC);
    data.extend_from_slice(&[8, 2]);
    data.resize(48 + HEADER, 0);
    varint(8, &mut data);
    data.extend_from_slice(b"go1.21.4");
    let m = framed(MODINFO);
    varint(m.len(), &mut data);
    data.extend_from_slice(&m);
    let stripped = stripped_elf(&data, 0x40_0000);
    let (kept, _) =
        crate::catalog::testfs::extract_like_a_layer(&super::super::EXTRACTOR, &stripped);
    let Some(Content::Extracted(found)) = kept else {
        panic!("nothing extracted: {kept:?}")
    };
    let summary = found.get(super::super::BINARY).unwrap().unwrap();
    assert_eq!(
        summary.as_ref(),
        [&b"go1.21.4\n"[..], MODINFO.as_bytes()].concat()
    );
}
