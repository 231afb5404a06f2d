//! The Linux distribution of the image, from `etc/os-release` (or `usr/lib/os-release`), with
//! the older release files as fallbacks (`etc/lsb-release`, `etc/alpine-release`,
//! `etc/debian_version`). It feeds purl namespaces and `distro=` qualifiers and the SBOM's
//! operating-system component.
//!
//! Format: <https://www.freedesktop.org/software/systemd/man/latest/os-release.html>.

use serde::Serialize;

use crate::fs::{FileResolver, Location};
use crate::model::Unknown;

/// The files read to identify the distribution, in order of preference.
pub const WANTS: &[&str] = &[
    "etc/os-release",
    "usr/lib/os-release",
    "etc/lsb-release",
    "etc/alpine-release",
    "etc/debian_version",
];

/// What os-release says about the distribution.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct LinuxRelease {
    /// `ID`, e.g. `debian`, `alpine`, `amzn`.
    pub id: String,
    /// `VERSION_ID`, e.g. `12`, `3.18.4`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version_id: Option<String>,
    /// `VERSION_CODENAME`, e.g. `bookworm`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version_codename: Option<String>,
    /// `NAME`, e.g. `Debian GNU/Linux`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `PRETTY_NAME`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pretty_name: Option<String>,
    /// `ID_LIKE`, split on spaces.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub id_like: Vec<String>,
    /// `HOME_URL`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub home_url: Option<String>,
    /// `CPE_NAME`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cpe_name: Option<String>,
    /// The file it was read from (root-relative).
    pub source_file: String,
}

impl LinuxRelease {
    /// The `distro=` purl qualifier: `<id>-<version_id>` (`debian-12`, `alpine-3.18.4`), or the
    /// codename when there is no version (`debian-trixie`).
    pub fn purl_distro(&self) -> String {
        match self
            .version_id
            .as_deref()
            .or(self.version_codename.as_deref())
        {
            Some(v) => format!("{}-{v}", self.id),
            None => self.id.clone(),
        }
    }

    /// The organisation that supplies the distribution's packages, for well-known distros;
    /// otherwise the distribution's `NAME`.
    pub fn supplier(&self) -> Option<String> {
        let known = match self.id.as_str() {
            "debian" => "Debian",
            "ubuntu" => "Canonical Ltd.",
            "alpine" => "Alpine Linux",
            "wolfi" | "chainguard" => "Chainguard, Inc.",
            "fedora" => "Fedora Project",
            "rhel" => "Red Hat, Inc.",
            "centos" => "CentOS Project",
            "rocky" => "Rocky Enterprise Software Foundation",
            "almalinux" => "AlmaLinux OS Foundation",
            "amzn" => "Amazon Linux",
            "ol" => "Oracle America",
            "sles" | "sle-micro" | "opensuse-leap" | "opensuse-tumbleweed" | "opensuse" => {
                "SUSE LLC"
            }
            "mariner" | "azurelinux" => "Microsoft Corporation",
            "photon" => "VMware, Inc.",
            _ => return self.name.clone(),
        };
        Some(known.to_owned())
    }

    /// `CPE_NAME` in a form validators accept: a CPE 2.3 formatted string padded to its 13
    /// components with `*` (Amazon Linux writes `cpe:2.3:o:amazon:amazon_linux:2023`, which
    /// means the same), or a CPE 2.2 URI (`cpe:/o:redhat:enterprise_linux:9`) as is. Returns
    /// `(is_cpe23, text)`; `None` for anything else.
    pub fn cpe(&self) -> Option<(bool, String)> {
        let c = self.cpe_name.as_deref()?.trim();
        if let Some(rest) = c.strip_prefix("cpe:2.3:") {
            // Escaped colons (`\:`) are rare in distro CPEs; refuse them rather than split wrong.
            if rest.contains('\\') {
                return None;
            }
            let mut parts: Vec<&str> = rest.split(':').collect();
            if parts.len() > 11 || parts.iter().any(|p| p.is_empty()) {
                return None;
            }
            parts.resize(11, "*");
            return Some((true, format!("cpe:2.3:{}", parts.join(":"))));
        }
        c.starts_with("cpe:/").then(|| (false, c.to_owned()))
    }

    /// `VERSION_ID`, or the codename, or `unknown`: a version for the OS component.
    pub fn version_or_codename(&self) -> &str {
        self.version_id
            .as_deref()
            .or(self.version_codename.as_deref())
            .unwrap_or("unknown")
    }
}

/// Identifies the distribution in `fs`, trying the files in [`WANTS`] in order. A release
/// file that exists but cannot be read or parsed is reported (the distro then comes from the
/// next file, or stays unknown), never skipped silently.
pub fn detect(fs: &dyn FileResolver) -> (Option<LinuxRelease>, Vec<Unknown>) {
    let mut unknowns = Vec::new();
    let mut problem = |path: &str, location: Option<Location>, reason: String| {
        unknowns.push(Unknown {
            source: "os-release".into(),
            location,
            reason: format!("/{path}: {reason}"),
        })
    };
    for path in WANTS {
        let loc = match fs.file_by_path(path) {
            Ok(Some(loc)) => loc,
            Ok(None) => continue,
            Err(e) => {
                problem(path, None, e.to_string());
                continue;
            }
        };
        let bytes = match fs.read(&loc) {
            Ok(b) => b,
            Err(e) => {
                problem(path, Some(loc), format!("cannot read: {e}"));
                continue;
            }
        };
        let text = String::from_utf8_lossy(&bytes);
        let found = match *path {
            "etc/os-release" | "usr/lib/os-release" => parse_os_release(&text),
            "etc/lsb-release" => parse_lsb_release(&text),
            "etc/alpine-release" => version_file("alpine", "Alpine Linux", &text),
            "etc/debian_version" => debian_version(&text),
            _ => None,
        };
        match found {
            Some(mut r) => {
                r.source_file = loc.path;
                return (Some(r), unknowns);
            }
            None => problem(path, Some(loc), "no distribution id in it".into()),
        }
    }
    (None, unknowns)
}

/// Parses os-release text: `KEY=value` lines, values optionally quoted with shell escapes.
pub fn parse_os_release(text: &str) -> Option<LinuxRelease> {
    let mut r = LinuxRelease::default();
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with('#') {
            continue;
        }
        let Some((key, value)) = line.split_once('=') else {
            continue;
        };
        let value = unquote(value.trim());
        if value.is_empty() {
            continue;
        }
        match key.trim() {
            "ID" => r.id = value.to_ascii_lowercase(),
            "VERSION_ID" => r.version_id = Some(value),
            "VERSION_CODENAME" => r.version_codename = Some(value),
            "NAME" => r.name = Some(value),
            "PRETTY_NAME" => r.pretty_name = Some(value),
            "ID_LIKE" => r.id_like = value.split_whitespace().map(str::to_owned).collect(),
            "HOME_URL" => r.home_url = Some(value),
            "CPE_NAME" => r.cpe_name = Some(value),
            _ => {}
        }
    }
    (!r.id.is_empty()).then_some(r)
}

fn parse_lsb_release(text: &str) -> Option<LinuxRelease> {
    let mut r = LinuxRelease::default();
    for line in text.lines() {
        let Some((key, value)) = line.split_once('=') else {
            continue;
        };
        let value = unquote(value.trim());
        match key.trim() {
            "DISTRIB_ID" => r.id = value.to_ascii_lowercase(),
            "DISTRIB_RELEASE" => {
                // "18.04" is the VERSION_ID os-release would carry.
                r.version_id = Some(value);
            }
            "DISTRIB_CODENAME" => r.version_codename = Some(value),
            "DISTRIB_DESCRIPTION" => r.pretty_name = Some(value),
            _ => {}
        }
    }
    if r.id.is_empty() {
        return None;
    }
    r.name = Some(match r.id.as_str() {
        "ubuntu" => "Ubuntu".to_owned(),
        other => other.to_owned(),
    });
    Some(r)
}

fn version_file(id: &str, name: &str, text: &str) -> Option<LinuxRelease> {
    let v = text.trim();
    (!v.is_empty()).then(|| LinuxRelease {
        id: id.to_owned(),
        version_id: Some(v.to_owned()),
        name: Some(name.to_owned()),
        ..LinuxRelease::default()
    })
}

fn debian_version(text: &str) -> Option<LinuxRelease> {
    let v = text.trim();
    // "12.5" → VERSION_ID "12"; "bookworm/sid" → codename only.
    let major = v
        .split('.')
        .next()
        .filter(|m| m.chars().all(|c| c.is_ascii_digit()));
    let mut r = LinuxRelease {
        id: "debian".into(),
        name: Some("Debian GNU/Linux".into()),
        ..LinuxRelease::default()
    };
    match major {
        Some(m) if !m.is_empty() => r.version_id = Some(m.to_owned()),
        _ => r.version_codename = v.split('/').next().map(str::to_owned),
    }
    Some(r)
}

/// Removes shell-style quotes and backslash escapes.
fn unquote(v: &str) -> String {
    let inner = if v.len() >= 2
        && ((v.starts_with('"') && v.ends_with('"')) || (v.starts_with('\'') && v.ends_with('\'')))
    {
        &v[1..v.len() - 1]
    } else {
        v
    };
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if let Some(n) = chars.next() {
                out.push(n);
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const DEBIAN_12: &str = r#"PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"
NAME="Debian GNU/Linux"
VERSION_ID="12"
VERSION="12 (bookworm)"
VERSION_CODENAME=bookworm
ID=debian
HOME_URL="https://www.debian.org/"
"#;

    #[test]
    fn parses_debian() {
        let r = parse_os_release(DEBIAN_12).unwrap();
        assert_eq!(r.id, "debian");
        assert_eq!(r.version_id.as_deref(), Some("12"));
        assert_eq!(r.version_codename.as_deref(), Some("bookworm"));
        assert_eq!(r.purl_distro(), "debian-12");
        assert_eq!(r.supplier().as_deref(), Some("Debian"));
    }

    #[test]
    fn parses_the_alpine_fixture() {
        let text = "NAME=\"Alpine Linux\"\nID=alpine\nVERSION_ID=3.11.5\nPRETTY_NAME=\"Alpine Linux v3.11\"\nHOME_URL=\"https://alpinelinux.org/\"\nBUG_REPORT_URL=\"https://bugs.alpinelinux.org/\"\n";
        let r = parse_os_release(text).unwrap();
        assert_eq!(r.purl_distro(), "alpine-3.11.5");
        assert_eq!(r.pretty_name.as_deref(), Some("Alpine Linux v3.11"));
    }

    #[test]
    fn lsb_release_fallback() {
        let text = "DISTRIB_ID=Ubuntu\nDISTRIB_RELEASE=18.04\nDISTRIB_CODENAME=bionic\nDISTRIB_DESCRIPTION=\"Ubuntu 18.04.2 LTS\"\n";
        let r = parse_lsb_release(text).unwrap();
        assert_eq!(r.purl_distro(), "ubuntu-18.04");
        assert_eq!(r.supplier().as_deref(), Some("Canonical Ltd."));
    }

    #[test]
    fn sid_has_no_version_id() {
        let r = parse_os_release("ID=debian\nVERSION_CODENAME=trixie\n").unwrap();
        assert_eq!(r.purl_distro(), "debian-trixie");
        assert_eq!(
            debian_version("trixie/sid\n").unwrap().purl_distro(),
            "debian-trixie"
        );
        assert_eq!(debian_version("12.5\n").unwrap().purl_distro(), "debian-12");
    }

    #[test]
    fn cpe_names() {
        let with = |c: &str| LinuxRelease {
            cpe_name: Some(c.into()),
            ..LinuxRelease::default()
        };
        assert_eq!(
            with("cpe:2.3:o:amazon:amazon_linux:2023").cpe(),
            Some((
                true,
                "cpe:2.3:o:amazon:amazon_linux:2023:*:*:*:*:*:*:*".into()
            ))
        );
        assert_eq!(
            with("cpe:/o:redhat:enterprise_linux:9::baseos").cpe(),
            Some((false, "cpe:/o:redhat:enterprise_linux:9::baseos".into()))
        );
        assert_eq!(with("nonsense").cpe(), None);
        assert_eq!(with("cpe:2.3:o::x").cpe(), None);
    }

    #[test]
    fn quotes_and_escapes() {
        assert_eq!(unquote(r#""a \"b\"""#), r#"a "b""#);
        assert_eq!(unquote("'x'"), "x");
        assert_eq!(unquote("plain"), "plain");
        assert!(parse_os_release("# nothing\nNAME=x\n").is_none());
    }
}
