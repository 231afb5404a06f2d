//! `-o FORMAT[=FILE]`: parsing output specs and writing every document atomically.
//!
//! Every file is first written to a temporary file beside its destination and renamed into
//! place only when all documents were rendered, so a failed run never leaves a truncated
//! output and never clobbers an earlier file of the same name. `sbom` and `convert` write SBOMs
//! ([`write_all`]); `diff` and `score` write reports ([`write_rendered`]); both go through the
//! same staging. A destination that exists and is not a regular file (`/dev/stdout`,
//! `/dev/null`, a FIFO) is written in place instead, after the regular files.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use consign::Sbom;
use consign::encode::{self, EncodeOptions, Format};

/// One requested output.
#[derive(Debug, Clone)]
pub struct OutputSpec {
    /// The format.
    pub format: Format,
    /// The file; `None` means stdout.
    pub path: Option<PathBuf>,
}

/// Splits `FORMAT[=FILE]`; `-` or an empty FILE means stdout.
pub fn split_spec(v: &str) -> (&str, Option<PathBuf>) {
    match v.split_once('=') {
        Some((f, p)) if !p.is_empty() && p != "-" => (f, Some(PathBuf::from(p))),
        Some((f, _)) => (f, None),
        None => (v, None),
    }
}

/// Fails when more than one output would go to stdout.
pub fn one_stdout<'a>(paths: impl IntoIterator<Item = &'a Option<PathBuf>>) -> anyhow::Result<()> {
    if paths.into_iter().filter(|p| p.is_none()).count() > 1 {
        bail!("at most one -o output can go to stdout; give the others a file (FORMAT=FILE)");
    }
    Ok(())
}

/// Parses every `-o` value; the default is a table on stdout. At most one output may go to
/// stdout.
pub fn parse_all(values: &[String]) -> anyhow::Result<Vec<OutputSpec>> {
    if values.is_empty() {
        return Ok(vec![OutputSpec {
            format: Format::Table,
            path: None,
        }]);
    }
    let mut out = Vec::new();
    for v in values {
        let (fmt, path) = split_spec(v);
        let format: Format = fmt
            .parse()
            .map_err(|e| anyhow::anyhow!("invalid -o {v:?}: {e}"))?;
        out.push(OutputSpec { format, path });
    }
    one_stdout(out.iter().map(|o| &o.path))?;
    Ok(out)
}

/// The document timestamp: `SOURCE_DATE_EPOCH` (seconds since the epoch) when set, so that
/// builds are reproducible; the current time otherwise.
pub fn created_from_env() -> anyhow::Result<jiff::Timestamp> {
    Ok(source_date_epoch()?.unwrap_or_else(jiff::Timestamp::now))
}

/// `SOURCE_DATE_EPOCH`, when set.
pub fn source_date_epoch() -> anyhow::Result<Option<jiff::Timestamp>> {
    match std::env::var("SOURCE_DATE_EPOCH") {
        Ok(v) if !v.trim().is_empty() => {
            let secs: i64 = v
                .trim()
                .parse()
                .with_context(|| format!("SOURCE_DATE_EPOCH={v:?} is not a number of seconds"))?;
            jiff::Timestamp::from_second(secs)
                .map(Some)
                .with_context(|| format!("SOURCE_DATE_EPOCH={v:?} is out of range"))
        }
        _ => Ok(None),
    }
}

/// Encodes `sbom` into every output; files appear only if all succeed.
pub fn write_all(sbom: &Sbom, outputs: &[OutputSpec], opts: &EncodeOptions) -> anyhow::Result<()> {
    let mut docs = Vec::with_capacity(outputs.len());
    for o in outputs {
        let mut bytes = Vec::new();
        encode::encode(sbom, &o.format, opts, &mut bytes).with_context(|| match &o.path {
            Some(p) => format!("writing {}", p.display()),
            None => format!("writing {} to stdout", o.format),
        })?;
        docs.push((o.path.clone(), bytes));
    }
    write_rendered(docs)
}

/// Writes already-rendered documents: each file atomically (a temporary file beside it,
/// renamed only once every document is staged), the one without a path to stdout last.
pub fn write_rendered(docs: Vec<(Option<PathBuf>, Vec<u8>)>) -> anyhow::Result<()> {
    let mut staged = Vec::new();
    let mut special = Vec::new();
    let mut stdout_doc = None;
    for (path, bytes) in docs {
        match path {
            None => stdout_doc = Some(bytes),
            Some(path) if is_special(&path) => special.push((path, bytes)),
            Some(path) => staged.push((stage(&path, &bytes, 0o644)?, path)),
        }
    }
    for (tmp, path) in staged {
        tmp.persist(&path)
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    for (path, bytes) in special {
        write_in_place(&path, &bytes)?;
    }
    if let Some(doc) = stdout_doc {
        let mut out = std::io::stdout().lock();
        out.write_all(&doc)?;
        out.flush()?;
    }
    Ok(())
}

/// Writes `bytes` to `path` atomically (a temporary file beside it, renamed into place), with
/// the Unix permission bits `mode`. With `overwrite` false an existing file is an error.
pub fn write_file(path: &Path, bytes: &[u8], mode: u32, overwrite: bool) -> anyhow::Result<()> {
    if overwrite && is_special(path) {
        return write_in_place(path, bytes);
    }
    let tmp = stage(path, bytes, mode)?;
    if overwrite {
        tmp.persist(path)
            .with_context(|| format!("cannot write {}", path.display()))?;
    } else {
        tmp.persist_noclobber(path).map_err(|e| {
            if e.error.kind() == std::io::ErrorKind::AlreadyExists {
                anyhow::anyhow!("{} already exists; not overwriting it", path.display())
            } else {
                anyhow::Error::new(e.error).context(format!("cannot write {}", path.display()))
            }
        })?;
    }
    Ok(())
}

/// Whether `path` exists and is neither a regular file nor a directory: a device, a FIFO or
/// `/dev/stdout`. Such a destination is written in place: renaming a temporary file over it
/// would replace the device itself (for root, `-o json=/dev/null` would turn /dev/null into a
/// regular file).
fn is_special(path: &Path) -> bool {
    std::fs::metadata(path).is_ok_and(|m| !m.is_file() && !m.is_dir())
}

/// Writes `bytes` to the existing special file `path`.
fn write_in_place(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .open(path)
        .with_context(|| format!("cannot write {}", path.display()))?;
    f.write_all(bytes)
        .and_then(|()| f.flush())
        .with_context(|| format!("cannot write {}", path.display()))
}

/// `bytes` in a temporary file beside `path` (so the rename is atomic), with `mode`
/// (temporary files are created 0600; an SBOM is meant to be shared, a key is not).
fn stage(path: &Path, bytes: &[u8], mode: u32) -> anyhow::Result<tempfile::NamedTempFile> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(".consign-")
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(|e| {
            // tempfile names its random file in the message; the OS error is what matters.
            // tempfile appends ` at path "<dir>/.consign-XXXXXX.tmp"`: a random name the user
            // never asked for; the directory is named already.
            let text = e.to_string();
            let cause = text.split(" at path \"").next().unwrap_or(&text).to_owned();
            anyhow::anyhow!(
                "cannot write {}: cannot create a file in {}: {cause}",
                path.display(),
                dir.display()
            )
        })?;
    tmp.write_all(bytes)
        .and_then(|()| tmp.flush())
        .with_context(|| format!("cannot write {}", path.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(mode))
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    #[cfg(not(unix))]
    let _ = mode;
    Ok(tmp)
}

/// Reads a whole input file (`-` is stdin), naming it in errors.
pub fn read_input(path: &str) -> anyhow::Result<Vec<u8>> {
    use std::io::Read;
    if path == "-" {
        let mut buf = Vec::new();
        std::io::stdin()
            .lock()
            .read_to_end(&mut buf)
            .context("cannot read stdin")?;
        return Ok(buf);
    }
    std::fs::read(path).with_context(|| format!("cannot read {path}"))
}
