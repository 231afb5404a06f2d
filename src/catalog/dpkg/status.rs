//! One dpkg status stanza → an [`Entry`]: the fields consign uses, validated, plus the
//! decision whether the package counts as installed.
//!
//! Field meanings: <https://www.debian.org/doc/debian-policy/ch-controlfields.html> and
//! dpkg's `deb-status(5)`. Relationship fields (`Depends`, `Pre-Depends`, `Provides`) are
//! reduced to names here (<https://www.debian.org/doc/debian-policy/ch-relationships.html>).
//!
//! ## Which stanzas are packages
//!
//! `Status` is `<want> <flag> <state>`. We list exactly what `dpkg-query -W` lists — every
//! stanza whose state is not `not-installed` — because that is the ground truth users check
//! an inventory against (and what Syft reports). One of those states needs a mark: a package
//! in `config-files` state (`rc`: removed, not purged) has only its conffiles left on disk,
//! no binaries. It stays in the SBOM, flagged as not installed
//! ([`Package::not_installed`](crate::model::Package::not_installed)): the documents say so
//! (CycloneDX `scope: excluded`, an SPDX comment, `consign:dpkg:status`), it satisfies no
//! other package's dependency, and consumers that want installed software only (a
//! vulnerability scanner, as Trivy decides) can leave it out. The `want` word is ignored:
//! `deinstall ok installed` (selected for removal, not yet removed) and `hold ok installed`
//! are installed. Stanzas without `Status` (distroless `status.d/` files) are installed: that
//! directory only ever holds installed packages.

use super::deb822::Paragraph;

/// The facts of one status stanza.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Entry {
    /// `Package`.
    pub(crate) name: String,
    /// `Version`, with epoch.
    pub(crate) version: String,
    /// `Architecture`.
    pub(crate) arch: Option<String>,
    /// `Status`, verbatim.
    pub(crate) status: Option<String>,
    /// `Source` name (defaults to nothing: the caller knows it means the package name).
    pub(crate) source_name: Option<String>,
    /// The version in `Source: name (version)`.
    pub(crate) source_version: Option<String>,
    /// `Maintainer`.
    pub(crate) maintainer: Option<String>,
    /// `Installed-Size` in KiB.
    pub(crate) installed_size_kib: Option<u64>,
    /// `Section`.
    pub(crate) section: Option<String>,
    /// `Priority`.
    pub(crate) priority: Option<String>,
    /// `Multi-Arch`.
    pub(crate) multi_arch: Option<String>,
    /// `Essential: yes`.
    pub(crate) essential: bool,
    /// `Homepage`.
    pub(crate) homepage: Option<String>,
    /// `Origin`.
    pub(crate) origin: Option<String>,
    /// The first line of `Description`.
    pub(crate) description: Option<String>,
    /// `Provides`, one entry per comma-separated item, as written.
    pub(crate) provides: Vec<String>,
    /// `Depends`, as written.
    pub(crate) depends: Vec<String>,
    /// `Pre-Depends`, as written.
    pub(crate) pre_depends: Vec<String>,
}

/// Reads a stanza. `Ok(None)`: a valid stanza of a package that is not installed.
/// `Err`: the stanza cannot describe a package (missing or invalid name or version).
pub(crate) fn entry(p: &Paragraph<'_>) -> Result<Option<Entry>, String> {
    let name = p
        .get_nonempty("Package")
        .ok_or("no Package field")?
        .to_owned();
    if !valid_name(&name) {
        return Err(format!("invalid package name {name:?}"));
    }
    let status = p.get_nonempty("Status").map(str::to_owned);
    if let Some(s) = &status
        && !is_listed(s).map_err(|e| format!("package {name}: {e}"))?
    {
        return Ok(None);
    }
    let version = p
        .get_nonempty("Version")
        .ok_or_else(|| format!("package {name}: no Version field"))?
        .to_owned();
    if !valid_version(&version) {
        return Err(format!("package {name}: invalid version {version:?}"));
    }
    let (source_name, source_version) = match p.get_nonempty("Source") {
        Some(s) => parse_source(s),
        None => (None, None),
    };
    let text = |f: &str| p.get_nonempty(f).map(str::to_owned);
    Ok(Some(Entry {
        name,
        version,
        arch: text("Architecture"),
        status,
        source_name,
        source_version,
        maintainer: text("Maintainer"),
        installed_size_kib: p
            .get_nonempty("Installed-Size")
            .and_then(|s| s.parse().ok()),
        section: text("Section"),
        priority: text("Priority"),
        multi_arch: text("Multi-Arch"),
        essential: p
            .get_nonempty("Essential")
            .is_some_and(|v| v.eq_ignore_ascii_case("yes")),
        homepage: text("Homepage"),
        origin: text("Origin"),
        description: p
            .get_nonempty("Description")
            .and_then(|d| d.lines().next())
            .map(|d| d.trim().to_owned())
            .filter(|d| !d.is_empty()),
        provides: items(p.get("Provides")),
        depends: items(p.get("Depends")),
        pre_depends: items(p.get("Pre-Depends")),
    }))
}

/// Whether `dpkg-query -W` lists a stanza with this `Status`. See the module docs.
fn is_listed(status: &str) -> Result<bool, String> {
    let words: Vec<&str> = status.split_whitespace().collect();
    let [_want, _flag, state] = words.as_slice() else {
        return Err(format!("malformed Status {status:?}"));
    };
    match *state {
        "installed" | "unpacked" | "half-configured" | "half-installed" | "triggers-awaited"
        | "triggers-pending" | "config-files" => Ok(true),
        "not-installed" => Ok(false),
        other => Err(format!("unknown package state {other:?}")),
    }
}

/// Policy 5.6.7: lowercase letters, digits, `+ - .`, at least two characters, starting with an
/// alphanumeric. Uppercase is tolerated (old databases have it); anything else is not a name.
fn valid_name(name: &str) -> bool {
    name.len() >= 2
        && name.starts_with(|c: char| c.is_ascii_alphanumeric())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
}

/// Policy 5.6.12: `[epoch:]upstream[-revision]` from alphanumerics and `. + ~ - :`.
fn valid_version(v: &str) -> bool {
    v.starts_with(|c: char| c.is_ascii_alphanumeric())
        && v.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '+' | '~' | '-' | ':'))
}

/// `Source: name` or `Source: name (version)`; dpkg writes the version only when it differs
/// from the binary package's (binNMUs).
fn parse_source(s: &str) -> (Option<String>, Option<String>) {
    let (name, rest) = match s.split_once('(') {
        Some((n, r)) => (n.trim(), Some(r)),
        None => (s.trim(), None),
    };
    let version = rest
        .and_then(|r| r.split(')').next())
        .map(str::trim)
        .filter(|v| valid_version(v))
        .map(str::to_owned);
    let name = (valid_name(name)).then(|| name.to_owned());
    match name {
        Some(n) => (Some(n), version),
        None => (None, None),
    }
}

/// The comma-separated items of a relationship field, whitespace normalised.
fn items(field: Option<&str>) -> Vec<String> {
    field
        .unwrap_or("")
        .split(',')
        .map(|i| i.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|i| !i.is_empty())
        .collect()
}

/// `Depends`/`Pre-Depends` items → requirement groups of names: alternatives `a | b` form one
/// group; version constraints `(>= 2.34)`, architecture qualifiers `:any`/`:amd64`,
/// architecture restrictions `[amd64]` and build profiles `<!nocheck>` are dropped.
pub(crate) fn requirement_groups(items: &[String]) -> Vec<Vec<String>> {
    items
        .iter()
        .map(|item| {
            item.split('|')
                .filter_map(relation_name)
                .map(str::to_owned)
                .collect::<Vec<_>>()
        })
        .filter(|g| !g.is_empty())
        .collect()
}

/// `Provides` items → the virtual names (`libgcc1 (= 1:12.2.0-14)` → `libgcc1`).
pub(crate) fn provided_names(items: &[String]) -> Vec<String> {
    items
        .iter()
        .filter_map(|i| relation_name(i))
        .map(str::to_owned)
        .collect()
}

fn relation_name(alt: &str) -> Option<&str> {
    let alt = alt.trim();
    let end = alt
        .find(|c: char| c.is_whitespace() || matches!(c, '(' | '[' | '<'))
        .unwrap_or(alt.len());
    let name = &alt[..end];
    let name = name.split(':').next().unwrap_or(name);
    valid_name(name).then_some(name)
}

#[cfg(test)]
mod tests {
    use super::super::deb822::paragraphs;
    use super::*;

    fn parse(text: &str) -> Result<Option<Entry>, String> {
        let ps = paragraphs(text);
        entry(ps[0].as_ref().unwrap())
    }

    #[test]
    fn reads_the_fields() {
        let e = parse(
            "Package: libselinux1\nStatus: install ok installed\nPriority: optional\nSection: libs\nInstalled-Size: 223\nMaintainer: Debian SELinux maintainers <selinux-devel@lists.alioth.debian.org>\nArchitecture: arm64\nMulti-Arch: same\nSource: libselinux (3.4-1)\nVersion: 3.4-1+b6\nDepends: libc6 (>= 2.34), libpcre2-8-0 (>= 10.22)\nDescription: SELinux runtime shared libraries\n more text\nHomepage: https://selinuxproject.org\nOrigin: debian\nEssential: yes\n",
        )
        .unwrap()
        .unwrap();
        assert_eq!(e.name, "libselinux1");
        assert_eq!(e.version, "3.4-1+b6");
        assert_eq!(e.arch.as_deref(), Some("arm64"));
        assert_eq!(e.source_name.as_deref(), Some("libselinux"));
        assert_eq!(e.source_version.as_deref(), Some("3.4-1"));
        assert_eq!(e.installed_size_kib, Some(223));
        assert_eq!(e.multi_arch.as_deref(), Some("same"));
        assert!(e.essential);
        assert_eq!(
            e.description.as_deref(),
            Some("SELinux runtime shared libraries")
        );
        assert_eq!(e.depends, ["libc6 (>= 2.34)", "libpcre2-8-0 (>= 10.22)"]);
        assert_eq!(e.origin.as_deref(), Some("debian"));
    }

    #[test]
    fn installed_states() {
        for (status, listed) in [
            ("install ok installed", true),
            ("hold ok installed", true),
            ("deinstall ok installed", true),
            ("install reinstreq half-installed", true),
            ("install ok unpacked", true),
            ("install ok half-configured", true),
            ("install ok triggers-pending", true),
            ("install ok triggers-awaited", true),
            ("deinstall ok config-files", true),
            ("purge ok not-installed", false),
        ] {
            let text = format!("Package: p1\nStatus: {status}\nVersion: 1\n");
            assert_eq!(parse(&text).unwrap().is_some(), listed, "{status}");
        }
        assert!(parse("Package: p1\nStatus: install ok\nVersion: 1\n").is_err());
        assert!(parse("Package: p1\nStatus: install ok exploded\nVersion: 1\n").is_err());
        // distroless status.d stanzas have no Status at all
        assert!(parse("Package: p1\nVersion: 1\n").unwrap().is_some());
    }

    #[test]
    fn not_installed_stanzas_need_no_version() {
        assert_eq!(
            parse("Package: gone\nStatus: purge ok not-installed\n"),
            Ok(None)
        );
    }

    #[test]
    fn rejects_what_cannot_be_a_package() {
        assert!(parse("Version: 1\n").unwrap_err().contains("no Package"));
        assert!(parse("Package: a b\nVersion: 1\n").is_err());
        assert!(parse("Package: x\u{fffd}y\nVersion: 1\n").is_err());
        assert!(
            parse("Package: ok\nStatus: install ok installed\n")
                .unwrap_err()
                .contains("no Version")
        );
        assert!(parse("Package: ok\nVersion: 1 2\n").is_err());
    }

    #[test]
    fn source_forms() {
        assert_eq!(parse_source("acl"), (Some("acl".into()), None));
        assert_eq!(
            parse_source("gcc-12 (12.2.0-14)"),
            (Some("gcc-12".into()), Some("12.2.0-14".into()))
        );
        assert_eq!(parse_source("bad name (1)"), (None, None));
        assert_eq!(
            parse_source("x1 (garbage version)"),
            (Some("x1".into()), None)
        );
    }

    #[test]
    fn relationship_names() {
        let items: Vec<String> = [
            "debconf (>= 0.5) | debconf-2.0",
            "libc6:any (>= 2.34)",
            "python3:amd64",
            "foo [amd64 arm64] <!nocheck> | bar",
            "| |",
        ]
        .map(String::from)
        .to_vec();
        assert_eq!(
            requirement_groups(&items),
            [
                vec!["debconf", "debconf-2.0"],
                vec!["libc6"],
                vec!["python3"],
                vec!["foo", "bar"],
            ]
        );
        let provides: Vec<String> = ["libgcc1 (= 1:12.2.0-14)", "awk", "perlapi-5.26.0"]
            .map(String::from)
            .to_vec();
        assert_eq!(
            provided_names(&provides),
            ["libgcc1", "awk", "perlapi-5.26.0"]
        );
    }
}
