//! Limits that keep a hostile image from exhausting memory or time. Hitting one is an error
//! naming the blob and the limit ([`crate::Error::Limit`]), or, for a single oversized file or
//! nested archive, a known unknown in the SBOM; never an out-of-memory kill.
//!
//! Every limit has a kebab-case name ([`Limits::NAMES`]) for `--limit NAME=VALUE`, the config
//! file's `[limits]` section and `CONSIGN_LIMITS`; [`Limits::set`] parses a value (sizes take
//! `KiB`, `MiB`, `GiB` and `TiB` suffixes).

use std::cell::Cell;
use std::io::{self, BufRead, Read};
use std::rc::Rc;

/// Resource limits for reading an image.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Largest file whose content is captured for a cataloger; larger wanted files are
    /// recorded as unknowns. Default 256 MiB (big rpmdb.sqlite files reach ~100 MiB).
    pub max_file_bytes: u64,
    /// All wanted files kept for one image, together; files past it are recorded as unknowns.
    /// Default 512 MiB: a large real image keeps well under 100 MiB, and with the largest
    /// file being parsed on top the whole stays inside a 1 GB address-space limit.
    pub max_captured_bytes: u64,
    /// Most layers in one image. Default 1000 (overlayfs stops at 128).
    pub max_layers: usize,
    /// Largest uncompressed layer. Default 64 GiB.
    pub max_layer_bytes: u64,
    /// Uncompressed bytes of all layers of one image together. Default 256 GiB.
    pub max_total_bytes: u64,
    /// Largest ratio of uncompressed to compressed bytes of one layer, checked once the layer
    /// has produced [`RATIO_FLOOR`] bytes: a decompression bomb is stopped after reading a
    /// few KiB, long before the size limits. Default 500 (real layers stay under 20; gzip
    /// cannot exceed about 1030). 0 turns the check off.
    pub max_ratio: u64,
    /// Largest metadata document (manifest.json, index.json, manifests, configs). Default 16 MiB.
    pub max_json_bytes: u64,
    /// Deepest nesting of arrays and objects in a metadata document. Default 64. serde_json
    /// refuses documents nested deeper than 128 whatever this says, so larger values act as 128.
    pub max_json_depth: usize,
    /// Most tar entries in all layers of one image together. Default 2 million: each costs
    /// a few hundred bytes until the SBOM is written (large real images hold a few hundred
    /// thousand).
    pub max_entries: u64,
    /// Deepest nesting of image indexes. Default 8.
    pub max_index_depth: usize,
    /// Deepest archive nesting opened inside a Java archive (the outer file is depth 0);
    /// deeper ones are recorded as unknowns. Default 4.
    pub max_nested_depth: u32,
    /// Largest archive nested in a Java archive that is opened, uncompressed; larger ones are
    /// recorded as unknowns. Default 128 MiB.
    pub max_nested_bytes: u64,
    /// Most packages in one image, and records in one package database or lockfile (counted
    /// before it is parsed; more is an unknown). Default 100,000: large real images hold a
    /// few thousand, and each package costs several KiB of memory until the SBOM is written.
    pub max_packages: u64,
    /// Most lines, list items (dependencies, files, classifiers) or JSON values in one package
    /// database, lockfile or metadata file, counted before it is parsed; more is an unknown.
    /// Default 2,000,000: each costs a small allocation once parsed, so a forged file of
    /// millions of tiny items would cost 20 to 60 times its size in memory.
    pub max_items: u64,
    /// Largest TOML lockfile or manifest parsed (`Cargo.lock`, `poetry.lock`, `uv.lock`,
    /// `pyproject.toml`); larger is an unknown. Default 32 MiB: the TOML parser reserves about
    /// seven times the input before it reads a byte.
    pub max_toml_bytes: u64,
}

/// Uncompressed bytes a layer may produce before [`Limits::max_ratio`] is checked: small
/// layers of zeros (an empty file system image, a sparse file) legitimately compress far.
pub const RATIO_FLOOR: u64 = 64 << 20;

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_file_bytes: 256 << 20,
            max_captured_bytes: 512 << 20,
            max_layers: 1000,
            max_layer_bytes: 64 << 30,
            max_total_bytes: 256 << 30,
            max_ratio: 500,
            max_json_bytes: 16 << 20,
            max_json_depth: 64,
            max_entries: 2_000_000,
            max_index_depth: 8,
            max_nested_depth: 4,
            max_nested_bytes: 128 << 20,
            max_packages: 100_000,
            max_items: 2_000_000,
            max_toml_bytes: 32 << 20,
        }
    }
}

/// Whether a limit's value is a size (suffixes allowed, shown in MiB/GiB) or a count.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Unit {
    Bytes,
    Count,
}

/// One limit's name, unit, description and accessors.
struct Key {
    name: &'static str,
    unit: Unit,
    about: &'static str,
    get: fn(&Limits) -> u64,
    set: fn(&mut Limits, u64),
}

/// Saturating conversion for the `usize` limits.
fn to_usize(v: u64) -> usize {
    usize::try_from(v).unwrap_or(usize::MAX)
}

const KEYS: &[Key] = &[
    Key {
        name: "file-bytes",
        unit: Unit::Bytes,
        about: "largest file read for a cataloger (larger: unknown)",
        get: |l| l.max_file_bytes,
        set: |l, v| l.max_file_bytes = v,
    },
    Key {
        name: "captured-bytes",
        unit: Unit::Bytes,
        about: "files kept per image, together (past it: unknown)",
        get: |l| l.max_captured_bytes,
        set: |l, v| l.max_captured_bytes = v,
    },
    Key {
        name: "layers",
        unit: Unit::Count,
        about: "layers per image",
        get: |l| l.max_layers as u64,
        set: |l, v| l.max_layers = to_usize(v),
    },
    Key {
        name: "layer-bytes",
        unit: Unit::Bytes,
        about: "uncompressed size of one layer",
        get: |l| l.max_layer_bytes,
        set: |l, v| l.max_layer_bytes = v,
    },
    Key {
        name: "total-bytes",
        unit: Unit::Bytes,
        about: "uncompressed size of all layers together",
        get: |l| l.max_total_bytes,
        set: |l, v| l.max_total_bytes = v,
    },
    Key {
        name: "ratio",
        unit: Unit::Count,
        about: "uncompressed/compressed ratio of a layer past 64 MiB (0: off)",
        get: |l| l.max_ratio,
        set: |l, v| l.max_ratio = v,
    },
    Key {
        name: "entries",
        unit: Unit::Count,
        about: "tar entries in all layers together",
        get: |l| l.max_entries,
        set: |l, v| l.max_entries = v,
    },
    Key {
        name: "json-bytes",
        unit: Unit::Bytes,
        about: "size of a manifest, index or config",
        get: |l| l.max_json_bytes,
        set: |l, v| l.max_json_bytes = v,
    },
    Key {
        name: "json-depth",
        unit: Unit::Count,
        about: "nesting of a manifest, index or config (128 at most)",
        get: |l| l.max_json_depth as u64,
        set: |l, v| l.max_json_depth = to_usize(v),
    },
    Key {
        name: "index-depth",
        unit: Unit::Count,
        about: "image indexes nested in indexes",
        get: |l| l.max_index_depth as u64,
        set: |l, v| l.max_index_depth = to_usize(v),
    },
    Key {
        name: "nested-depth",
        unit: Unit::Count,
        about: "archives nested in a Java archive (deeper: unknown)",
        get: |l| u64::from(l.max_nested_depth),
        set: |l, v| l.max_nested_depth = u32::try_from(v).unwrap_or(u32::MAX),
    },
    Key {
        name: "nested-bytes",
        unit: Unit::Bytes,
        about: "uncompressed size of a nested archive (larger: unknown)",
        get: |l| l.max_nested_bytes,
        set: |l, v| l.max_nested_bytes = v,
    },
    Key {
        name: "packages",
        unit: Unit::Count,
        about: "packages per image, records per database or lockfile",
        get: |l| l.max_packages,
        set: |l, v| l.max_packages = v,
    },
    Key {
        name: "items",
        unit: Unit::Count,
        about: "lines, list items or JSON values per database or lockfile",
        get: |l| l.max_items,
        set: |l, v| l.max_items = v,
    },
    Key {
        name: "toml-bytes",
        unit: Unit::Bytes,
        about: "TOML lockfile or manifest parsed (larger: unknown)",
        get: |l| l.max_toml_bytes,
        set: |l, v| l.max_toml_bytes = v,
    },
];

impl Limits {
    /// The names [`Limits::set`] accepts, in the order `--help` lists them.
    pub const NAMES: &'static [&'static str] = &[
        "file-bytes",
        "captured-bytes",
        "layers",
        "layer-bytes",
        "total-bytes",
        "ratio",
        "entries",
        "json-bytes",
        "json-depth",
        "index-depth",
        "nested-depth",
        "nested-bytes",
        "packages",
        "items",
        "toml-bytes",
    ];

    /// Sets the limit `name` from its textual `value` (`512MiB`, `10000`).
    pub fn set(&mut self, name: &str, value: &str) -> Result<(), String> {
        let key = KEYS.iter().find(|k| k.name == name).ok_or_else(|| {
            format!(
                "unknown limit {name:?} (expected one of {})",
                Limits::NAMES.join(", ")
            )
        })?;
        let v = match key.unit {
            Unit::Bytes => parse_size(value),
            Unit::Count => parse_count(value),
        }
        .map_err(|why| format!("limit {name}: {why}"))?;
        (key.set)(self, v);
        Ok(())
    }

    /// Applies one `NAME=VALUE` setting.
    pub fn set_pair(&mut self, pair: &str) -> Result<(), String> {
        let (name, value) = pair
            .split_once('=')
            .ok_or_else(|| format!("invalid limit {pair:?}: expected NAME=VALUE"))?;
        self.set(name.trim(), value.trim())
    }

    /// One line per limit: name, default and what it bounds, for `--help`.
    pub fn help() -> String {
        let d = Limits::default();
        KEYS.iter()
            .map(|k| {
                format!(
                    "  {:<15}{:<10}{}",
                    k.name,
                    show(k.unit, (k.get)(&d)),
                    k.about
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    }
}

fn show(unit: Unit, v: u64) -> String {
    match unit {
        Unit::Count => v.to_string(),
        Unit::Bytes => {
            for (shift, suffix) in [(40, "TiB"), (30, "GiB"), (20, "MiB"), (10, "KiB")] {
                if v >= 1 << shift && v.is_multiple_of(1 << shift) {
                    return format!("{}{suffix}", v >> shift);
                }
            }
            v.to_string()
        }
    }
}

/// Parses a byte size: a number with an optional `B`, `KiB`, `MiB`, `GiB` or `TiB` suffix
/// (also `K`, `M`, `G`, `T`, read as binary units).
pub fn parse_size(text: &str) -> Result<u64, String> {
    let t = text.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (digits, suffix) = t.split_at(split);
    let shift = match suffix.trim() {
        "" | "B" => 0,
        "K" | "KiB" => 10,
        "M" | "MiB" => 20,
        "G" | "GiB" => 30,
        "T" | "TiB" => 40,
        other => {
            return Err(format!(
                "invalid size {text:?}: unknown unit {other:?} (expected KiB, MiB, GiB or TiB)"
            ));
        }
    };
    let n = parse_count(digits).map_err(|_| format!("invalid size {text:?}"))?;
    n.checked_mul(1u64 << shift)
        .ok_or_else(|| format!("size {text:?} is too large"))
}

fn parse_count(text: &str) -> Result<u64, String> {
    text.trim()
        .replace('_', "")
        .parse()
        .map_err(|_| format!("invalid number {text:?}"))
}

/// The deepest nesting of arrays and objects in a JSON text, counted without parsing it (so a
/// document nested a million deep costs one pass, not a deep recursion). Brackets inside
/// strings do not count.
pub fn json_depth(bytes: &[u8]) -> usize {
    let (mut depth, mut max) = (0usize, 0usize);
    for b in outside_strings(bytes) {
        match b {
            b'[' | b'{' => {
                depth += 1;
                max = max.max(depth);
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    max
}

/// The bytes of a JSON text outside its strings (the quotes excluded), in one pass.
fn outside_strings(bytes: &[u8]) -> impl Iterator<Item = u8> + '_ {
    let (mut in_string, mut escaped) = (false, false);
    bytes.iter().copied().filter(move |&b| {
        if in_string {
            match (escaped, b) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
            return false;
        }
        in_string = b == b'"';
        !in_string
    })
}

/// A limit hit inside a reader, carried through an `io::Error` to the code that names the
/// file or blob.
#[derive(Debug)]
pub(crate) struct LimitExceeded(pub(crate) String);

impl std::fmt::Display for LimitExceeded {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for LimitExceeded {}

/// The limit message an I/O error carries, if it is one.
pub(crate) fn exceeded(e: &io::Error) -> Option<String> {
    e.get_ref()
        .and_then(|i| i.downcast_ref::<LimitExceeded>())
        .map(ToString::to_string)
}

/// Counts the bytes a decoder consumes from its compressed input.
pub(crate) struct CountIn<B> {
    inner: B,
    consumed: Rc<Cell<u64>>,
}

impl<B: BufRead> Read for CountIn<B> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.consumed.set(self.consumed.get() + n as u64);
        Ok(n)
    }
}

impl<B: BufRead> BufRead for CountIn<B> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        self.inner.fill_buf()
    }

    fn consume(&mut self, amt: usize) {
        self.consumed.set(self.consumed.get() + amt as u64);
        self.inner.consume(amt);
    }
}

/// A decompressed stream held to [`Limits::max_ratio`]: for a compressed image archive
/// (`docker save | gzip`), whose members are then read as plain data.
pub(crate) struct RatioGuard<R> {
    inner: R,
    consumed: Rc<Cell<u64>>,
    produced: u64,
    max_ratio: u64,
}

impl<R: Read> Read for RatioGuard<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.produced += n as u64;
        let consumed = self.consumed.get();
        if self.max_ratio > 0
            && self.produced > RATIO_FLOOR
            && self.produced / consumed.max(1) > self.max_ratio
        {
            return Err(io::Error::other(LimitExceeded(format!(
                "decompression bomb: {} bytes inflated from {consumed} (more than {}:1, limit ratio)",
                self.produced, self.max_ratio
            ))));
        }
        Ok(n)
    }
}

/// Decompresses `compressed` with the decoder `make` builds, under the ratio limit.
pub(crate) fn ratio_guarded<'a, B: BufRead + 'a, R: Read + 'a>(
    compressed: B,
    make: impl FnOnce(CountIn<B>) -> io::Result<R>,
    limits: &Limits,
) -> io::Result<RatioGuard<R>> {
    let consumed = Rc::new(Cell::new(0));
    let inner = make(CountIn {
        inner: compressed,
        consumed: consumed.clone(),
    })?;
    Ok(RatioGuard {
        inner,
        consumed,
        produced: 0,
        max_ratio: limits.max_ratio,
    })
}

/// The limits catalogers and content extractors consult, on the thread they run on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Scoped {
    /// [`Limits::max_nested_depth`].
    pub nested_depth: u32,
    /// [`Limits::max_nested_bytes`].
    pub nested_bytes: u64,
    /// [`Limits::max_packages`].
    pub packages: u64,
    /// [`Limits::max_items`].
    pub items: u64,
    /// [`Limits::max_toml_bytes`].
    pub toml_bytes: u64,
}

impl From<&Limits> for Scoped {
    fn from(l: &Limits) -> Self {
        Scoped {
            nested_depth: l.max_nested_depth,
            nested_bytes: l.max_nested_bytes,
            packages: l.max_packages,
            items: l.max_items,
            toml_bytes: l.max_toml_bytes,
        }
    }
}

thread_local! {
    static SCOPED: Cell<Scoped> = Cell::new(Scoped::from(&Limits::default()));
}

/// Runs `f` with `limits` visible to catalogers and content extractors ([`scoped`]) on this
/// thread. Extractors are plain `fn(&[u8])` hooks and catalogers see only a file resolver;
/// passing these few limits this way keeps both interfaces as they are.
pub(crate) fn with_scoped<T>(limits: &Limits, f: impl FnOnce() -> T) -> T {
    let before = SCOPED.with(|n| n.replace(Scoped::from(limits)));
    let out = f();
    SCOPED.with(|n| n.set(before));
    out
}

/// The limits in force on this thread (the defaults outside [`with_scoped`]).
pub(crate) fn scoped() -> Scoped {
    SCOPED.with(Cell::get)
}

/// Whether `text`, a database of blank-line separated records, may hold more records than
/// [`Limits::max_packages`]: counted without parsing, so a forged database of millions of tiny
/// records is turned away before it costs memory. `Err` is the unknown's reason.
pub(crate) fn check_record_count(text: &str) -> Result<(), String> {
    let max = scoped().packages;
    let records = memchr::memmem::find_iter(text.as_bytes(), b"\n\n").count() as u64;
    if records > max {
        return Err(format!(
            "more than {max} records; not read (limit packages)"
        ));
    }
    Ok(())
}

/// How [`check_items`] counts the items of a file: each is a small allocation once parsed.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Items {
    /// Occurrences of any of these bytes (at most three): line ends, list separators.
    Separators(&'static [u8]),
    /// Values of a JSON document (`,`, `[` and `{` outside strings).
    Json,
    /// A TOML document: its size against [`Limits::max_toml_bytes`], then its separators
    /// (`,`, `=` and line ends).
    Toml,
}

/// Whether `bytes` may hold more items than [`Limits::max_items`] (or, for TOML, more bytes
/// than [`Limits::max_toml_bytes`]): counted in one pass without parsing, so a forged file of
/// millions of tiny list items or values is turned away before it costs memory. `Err` is the
/// unknown's reason.
pub(crate) fn check_items(bytes: &[u8], what: Items) -> Result<(), String> {
    let limits = scoped();
    let max = limits.items;
    let (found, noun) = match what {
        Items::Separators(set) => (count_bytes(bytes, set), "lines or list items"),
        Items::Json => (json_values(bytes), "JSON values"),
        Items::Toml => {
            if bytes.len() as u64 > limits.toml_bytes {
                return Err(format!(
                    "{} bytes of TOML; at most {} are parsed (limit toml-bytes)",
                    bytes.len(),
                    limits.toml_bytes
                ));
            }
            (count_bytes(bytes, b",=\n"), "TOML values")
        }
    };
    if found > max {
        return Err(format!("more than {max} {noun}; not read (limit items)"));
    }
    Ok(())
}

/// Occurrences in `bytes` of any byte of `set` (one to three bytes).
fn count_bytes(bytes: &[u8], set: &[u8]) -> u64 {
    (match *set {
        [a] => memchr::memchr_iter(a, bytes).count(),
        [a, b] => memchr::memchr2_iter(a, b, bytes).count(),
        [a, b, c] => memchr::memchr3_iter(a, b, c, bytes).count(),
        _ => bytes.iter().filter(|b| set.contains(b)).count(),
    }) as u64
}

/// The values of a JSON text, roughly (`,`, `[` and `{` outside strings), without parsing it.
fn json_values(bytes: &[u8]) -> u64 {
    outside_strings(bytes)
        .filter(|b| matches!(b, b',' | b'[' | b'{'))
        .count() as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_and_counts_parse() {
        assert_eq!(parse_size("512"), Ok(512));
        assert_eq!(parse_size("4KiB"), Ok(4096));
        assert_eq!(parse_size("2 MiB"), Ok(2 << 20));
        assert_eq!(parse_size("1G"), Ok(1 << 30));
        assert!(parse_size("1PB").unwrap_err().contains("unknown unit"));
        assert!(
            parse_size("99999999999TiB")
                .unwrap_err()
                .contains("too large")
        );
        let mut l = Limits::default();
        l.set_pair("layer-bytes=1GiB").unwrap();
        l.set_pair("entries = 1_000").unwrap();
        assert_eq!((l.max_layer_bytes, l.max_entries), (1 << 30, 1000));
        assert_eq!(
            l.set_pair("nope=1").unwrap_err(),
            format!(
                "unknown limit \"nope\" (expected one of {})",
                Limits::NAMES.join(", ")
            )
        );
        assert_eq!(
            l.set_pair("entries=many").unwrap_err(),
            "limit entries: invalid number \"many\""
        );
        assert!(l.set_pair("entries").unwrap_err().contains("NAME=VALUE"));
    }

    #[test]
    fn every_key_is_named_and_listed() {
        let names: Vec<&str> = KEYS.iter().map(|k| k.name).collect();
        assert_eq!(names, Limits::NAMES);
        let help = Limits::help();
        assert_eq!(help.lines().count(), KEYS.len());
        assert!(help.contains("layer-bytes    64GiB"), "{help}");
        // Setting every key to its default's text round-trips.
        let mut l = Limits::default();
        for k in KEYS {
            l.set(k.name, &show(k.unit, (k.get)(&Limits::default())))
                .unwrap();
        }
        assert_eq!(l, Limits::default());
    }

    #[test]
    fn json_depth_ignores_strings() {
        assert_eq!(json_depth(b"{}"), 1);
        assert_eq!(json_depth(br#"{"a":[{"b":"[[[[\"{"}]}"#), 3);
        assert_eq!(json_depth(&[b'['; 100_000]), 100_000);
    }

    #[test]
    fn items_are_counted_before_parsing() {
        assert_eq!(json_values(br#"{"a":[1,2,{"b":"[,{"}]}"#), 5);
        assert_eq!(count_bytes(b"a\nb,c|d", b"\n,|"), 3);
        let mut l = Limits::default();
        l.set_pair("items=3").unwrap();
        l.set_pair("toml-bytes=16").unwrap();
        with_scoped(&l, || {
            assert_eq!(check_items(b"[1,2,3]", Items::Json), Ok(()));
            assert_eq!(
                check_items(b"[1,2,3,4]", Items::Json).unwrap_err(),
                "more than 3 JSON values; not read (limit items)"
            );
            assert_eq!(
                check_items(b"a\nb\nc\nd\n", Items::Separators(b"\n")).unwrap_err(),
                "more than 3 lines or list items; not read (limit items)"
            );
            assert_eq!(
                check_items(&[b'x'; 17], Items::Toml).unwrap_err(),
                "17 bytes of TOML; at most 16 are parsed (limit toml-bytes)"
            );
            assert_eq!(check_items(b"a = [1,2]\n", Items::Toml), Ok(()));
        });
    }
}
