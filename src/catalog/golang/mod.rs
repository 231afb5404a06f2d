//! Go modules: those compiled into Go executables (their build info) and those `go.mod` files
//! declare.
//!
//! ## Binaries (`go-module-binary-cataloger`, evidence `binary`)
//!
//! Any executable file (ELF; Mach-O and PE too) is recognised by content through an
//! [`Extractor`]: the layer reader hands it the file once, and only the build info is kept (see
//! `buildinfo.rs` for the format and how little of a non-Go file is read). Per binary:
//! - the main module (`mod` line), `pkg:golang/<path>@<version>`. Go before 1.24 stamps
//!   `(devel)` on a main module built from a checkout; as Syft does, it then becomes the
//!   release a `-ldflags "-X main.version=1.2.3"` stamped (`v1.2.3`), else the pseudo-version
//!   `v0.0.0-<vcs.time>-<vcs.revision[:12]>` when both settings are there, else the bare
//!   revision, and stays `(devel)` otherwise (Trivy drops the version; `go version -m` prints
//!   `(devel)`); an untagged pseudo-version (`v0.0.0-…`, Go 1.24+) also gives way to a release
//!   stamped by `-ldflags`; the property `versionSource` (`ldflags`, `vcs`) says when the
//!   version was derived. A binary with no `mod` line (built in GOPATH mode, as Debian's are)
//!   gets its main package from the `path` line at `(devel)` (or its `-ldflags` release), as
//!   Syft does, except `command-line-arguments` (`go build file.go`) and `cmd/…` (the Go
//!   distribution's own commands, which stdlib covers), which name nothing. Its properties: `goToolchain`, `mainPackage` (the
//!   `path` line) and every build setting as `build:<key>` (`build:GOOS`, `build:vcs.revision`).
//! - every `dep` line. A replaced module (`=>` line) is reported as its replacement (path,
//!   version, sum), as Syft and `go version -m` do, with the original in the properties
//!   `replacedModule`/`replacedVersion`. A replacement by a local directory (`=> ../x`) has no
//!   module path or version of its own: the module keeps its required path and version and
//!   the directory goes into `replacementPath`.
//! - the toolchain as `pkg:golang/stdlib@<version without "go">` (Syft's convention), unless
//!   it is a development build (`devel go1.x-…`), which has no release version to name.
//! - the `h1:` sum goes into the property `h1Digest`, not the checksums: it is a SHA-256 over
//!   a listing of the module's files (Go's dirhash), not a hash of any artifact.
//! - edges: the main module depends on every module and on stdlib (the build info records no
//!   finer graph).
//!
//! ## `go.mod` (`go-module-file-cataloger`, evidence `declared`)
//!
//! See `gomod.rs`. Copies in the module cache (`…/pkg/mod/…`) are downloaded sources, not
//! projects of the image, and are skipped.
//!
//! Purls: <https://github.com/package-url/purl-spec/blob/main/types-doc/golang-definition.md>;
//! the module path is split at its last `/` into namespace and name.

mod buildinfo;
mod gomod;

use super::binary;
use super::{CatalogOutput, Cataloger, Environment, Tag, parse_failure};
use crate::Result;
use crate::fs::{Extractor, FileResolver, Location};
use crate::model::{
    Ecosystem, Evidence, LanguageMetadata, Package, PackageMetadata, Purl, RelationshipKind,
};
use buildinfo::{BuildInfo, Module};

pub use gomod::GoModFileCataloger;

const BINARY: &str = "go-module-binary-cataloger";
/// The version Go stamps on a main module built from a checkout (before Go 1.24).
const DEVEL: &str = "(devel)";

/// The largest executable read for its build info (only its headers and data segments are
/// kept, see [`binary::elf_windows`]).
const MAX_BINARY: u64 = 512 << 20;

static EXTRACTOR: Extractor = Extractor {
    name: BINARY,
    include: &["**"],
    executable_only: true,
    max_bytes: MAX_BINARY,
    magic: binary::is_exe,
    windows: Some(buildinfo::windows),
    extract: buildinfo::extract_view,
};

/// Reads the build info of Go executables. See the module docs.
pub struct GoModuleBinaryCataloger;

impl Cataloger for GoModuleBinaryCataloger {
    fn name(&self) -> &'static str {
        BINARY
    }

    fn tags(&self) -> &'static [Tag] {
        &[Tag::Language, Tag::Installed]
    }

    fn wants(&self) -> &'static [&'static str] {
        &[]
    }

    fn extractor(&self) -> Option<&'static Extractor> {
        Some(&EXTRACTOR)
    }

    fn catalog(&self, fs: &dyn FileResolver, _env: &Environment) -> Result<CatalogOutput> {
        let mut out = CatalogOutput::default();
        for (loc, summary) in fs.extracted(BINARY) {
            match summary {
                Ok(bytes) => catalog_binary(&loc, &String::from_utf8_lossy(&bytes), &mut out),
                Err(why) => out.unknowns.push(parse_failure(BINARY, &loc, why)),
            }
        }
        Ok(out)
    }
}

fn catalog_binary(loc: &Location, summary: &str, out: &mut CatalogOutput) {
    let bi = buildinfo::parse(summary);
    for (line, why) in &bi.errors {
        out.unknowns.push(parse_failure(
            BINARY,
            loc,
            format!("Go build info line {line}: {why}"),
        ));
    }
    let mut ids = Vec::new();
    for dep in &bi.deps {
        match dep_package(dep, loc) {
            Ok(p) => ids.push(push(out, p)),
            Err(why) => out.unknowns.push(parse_failure(BINARY, loc, why)),
        }
    }
    if let Some(p) = stdlib_package(&bi, loc) {
        ids.push(push(out, p));
    }
    // Without a `mod` line (GOPATH-mode builds, as Debian's), the main package's import path
    // is the best name there is, as Syft takes it; `command-line-arguments` (`go build x.go`)
    // names nothing, and `cmd/…` are the Go distribution's own commands (stdlib).
    let from_path = Module {
        path: bi.path.clone(),
        version: DEVEL.to_owned(),
        ..Module::default()
    };
    let main = match &bi.main {
        Some(m) => m,
        None if !bi.path.is_empty()
            && bi.path != "command-line-arguments"
            && !bi.path.starts_with("cmd/") =>
        {
            &from_path
        }
        None => return,
    };
    match main_package(main, &bi, loc) {
        Ok(p) => {
            let from = push(out, p);
            out.relationships.extend(
                ids.into_iter()
                    .map(|to| (from, to, RelationshipKind::DependsOn)),
            );
        }
        Err(why) => out.unknowns.push(parse_failure(BINARY, loc, why)),
    }
}

fn push(out: &mut CatalogOutput, p: Package) -> usize {
    out.packages.push(p);
    out.packages.len() - 1
}

/// A Go module package: `pkg:golang/<namespace>/<name>@<version>`.
pub(super) fn module_package(
    path: &str,
    version: &str,
    loc: &Location,
    meta: LanguageMetadata,
    found_by: &'static str,
) -> std::result::Result<Package, String> {
    if path.is_empty() {
        return Err("Go module without a path".to_owned());
    }
    let purl = golang_purl(path, version)?;
    let mut p = Package::new(Ecosystem::Golang, path, version, purl, found_by);
    p.locations.insert(loc.clone());
    p.metadata = PackageMetadata::Language(meta);
    Ok(p)
}

/// The purl of module `path`: namespace up to the last `/`, name after it.
pub(super) fn golang_purl(path: &str, version: &str) -> std::result::Result<Purl, String> {
    let (namespace, name) = path.rsplit_once('/').unwrap_or(("", path));
    Purl::builder("golang", name)
        .namespace(namespace)
        .version(version)
        .build()
}

/// True for a replacement by a directory rather than a module (Go's `modfile.IsDirectoryPath`).
pub(super) fn is_directory_path(p: &str) -> bool {
    p == "."
        || p == ".."
        || p.starts_with("./")
        || p.starts_with("../")
        || p.starts_with('/')
        || p.starts_with(".\\")
        || p.starts_with("..\\")
        || p.get(1..3) == Some(":\\")
}

fn dep_package(dep: &Module, loc: &Location) -> std::result::Result<Package, String> {
    let mut meta = LanguageMetadata::new(Evidence::Binary);
    let (path, version, sum) = match &dep.replace {
        Some(r) if is_directory_path(&r.path) => {
            meta.property("replacementPath", &r.path);
            (&dep.path, &dep.version, &r.sum)
        }
        Some(r) => {
            meta.property("replacedModule", &dep.path);
            meta.property("replacedVersion", &dep.version);
            (&r.path, &r.version, &r.sum)
        }
        None => (&dep.path, &dep.version, &dep.sum),
    };
    meta.property("h1Digest", sum);
    module_package(path, version, loc, meta, BINARY)
}

fn main_package(
    main: &Module,
    bi: &BuildInfo,
    loc: &Location,
) -> std::result::Result<Package, String> {
    let mut meta = LanguageMetadata::new(Evidence::Binary);
    meta.property("goToolchain", &bi.go_version);
    meta.property("mainPackage", &bi.path);
    meta.property("h1Digest", &main.sum);
    for (k, v) in &bi.settings {
        meta.property(&format!("build:{k}"), v);
    }
    let (version, source) = main_version(main, bi);
    if let Some(source) = source {
        meta.property("versionSource", source);
    }
    let mut p = module_package(&main.path, &version, loc, meta, BINARY)?;
    p.arch = bi.setting("GOARCH").map(str::to_owned);
    Ok(p)
}

/// The main module's version, and where it came from when it is not the build info's own
/// (`ldflags` or `vcs`); see the module docs for `(devel)`.
fn main_version(main: &Module, bi: &BuildInfo) -> (String, Option<&'static str>) {
    // An untagged pseudo-version (what Go 1.24+ stamps from a checkout) carries no release
    // either: a release stamped by -ldflags says more.
    let untagged = main.version.starts_with("v0.0.0-");
    if main.version != DEVEL && !untagged {
        return (main.version.clone(), None);
    }
    if let Some(v) = bi.setting("-ldflags").and_then(ldflags_version) {
        return (v, Some("ldflags"));
    }
    if untagged {
        return (main.version.clone(), None);
    }
    let Some(revision) = bi.setting("vcs.revision").filter(|r| !r.is_empty()) else {
        return (main.version.clone(), None);
    };
    let Some(time) = bi.setting("vcs.time") else {
        return (revision.to_owned(), Some("vcs"));
    };
    // Go's module.PseudoVersion with no tag: v0.0.0-<UTC yyyymmddhhmmss>-<12-char revision>.
    let stamp = time
        .parse::<jiff::Timestamp>()
        .map(|t| t.strftime("%Y%m%d%H%M%S").to_string())
        .unwrap_or_else(|_| "00010101000000".to_owned());
    let short: String = revision.chars().take(12).collect();
    (format!("v0.0.0-{stamp}-{short}"), Some("vcs"))
}

/// A release version stamped by `-X <pkg>.<var>=<value>` into a variable named like a version
/// (`version`, `Version`, `gitVersion`, `buildVer`, `tag`), as Syft reads it: `v`-prefixed when
/// the value is `[v]N.N.N[-suffix]` (an import-path prefix before it is dropped).
fn ldflags_version(ldflags: &str) -> Option<String> {
    // Shell quoting survives in the setting (`-X "pkg.Version=1.2.3"`): quotes are not part
    // of a word.
    let mut words = ldflags
        .split_whitespace()
        .map(|w| w.trim_matches(['"', '\'']))
        .peekable();
    while let Some(w) = words.next() {
        let assignment = match w.strip_prefix("-X") {
            Some("") => words.next()?,
            Some(rest) => rest.strip_prefix('=').unwrap_or(rest),
            None => continue,
        };
        let Some((symbol, value)) = assignment.split_once('=') else {
            continue;
        };
        let var = symbol
            .rsplit('.')
            .next()
            .unwrap_or(symbol)
            .to_ascii_lowercase();
        let base = var.strip_prefix("git").unwrap_or(&var);
        let base = base.strip_prefix("build").unwrap_or(base);
        if !matches!(base, "ver" | "version") && var != "tag" {
            continue;
        }
        let value = value.rsplit('/').next().unwrap_or(value);
        if is_release(value.strip_prefix('v').unwrap_or(value)) {
            return Some(format!("v{}", value.trim_start_matches('v')));
        }
    }
    None
}

/// `N.N.N` optionally followed by `-`/`+` and word characters.
fn is_release(v: &str) -> bool {
    let mut parts = v.splitn(3, '.');
    let (Some(a), Some(b), Some(rest)) = (parts.next(), parts.next(), parts.next()) else {
        return false;
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|c| c.is_ascii_digit());
    let end = rest.find(['-', '+']).unwrap_or(rest.len());
    digits(a)
        && digits(b)
        && digits(&rest[..end])
        && rest[end..]
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'+' | b'_' | b'.'))
}

/// `pkg:golang/stdlib@1.22.0` for toolchain `go1.22.0` (experiments such as ` X:boringcrypto`
/// go into a property).
fn stdlib_package(bi: &BuildInfo, loc: &Location) -> Option<Package> {
    let mut words = bi.go_version.split_whitespace();
    let version = words.next()?.strip_prefix("go")?;
    if !version.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    let mut meta = LanguageMetadata::new(Evidence::Binary);
    meta.property("goToolchain", &bi.go_version);
    meta.property("goExperiment", words.collect::<Vec<_>>().join(" "));
    module_package("stdlib", version, loc, meta, BINARY).ok()
}

#[cfg(test)]
mod tests;
