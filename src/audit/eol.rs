//! End-of-life dates of Linux distribution releases (BAS005), overridable in the policy's
//! `[eol]` table.
//!
//! "End of life" here means the end of the vendor's free security updates: Debian including
//! its LTS period, Ubuntu's standard support (ESM is a paid extension), Alpine's branch
//! support, the RHEL family's maintenance support (UBI images report `ID=rhel`), Fedora's
//! release support, Amazon Linux's end of support. Rolling distributions (Wolfi, Chainguard,
//! Arch, openSUSE Tumbleweed) have none. Sources: <https://wiki.debian.org/LTS>,
//! <https://ubuntu.com/about/release-cycle>, <https://alpinelinux.org/releases/>,
//! <https://access.redhat.com/support/policy/updates/errata>,
//! <https://docs.fedoraproject.org/en-US/releases/eol/>,
//! <https://aws.amazon.com/linux/amazon-linux-2023/faqs/>, <https://endoflife.date/>.

use std::collections::BTreeMap;

use jiff::Timestamp;

/// `(os-release ID, version, end of life)`. Versions are the major version, or major.minor
/// where a distribution's releases are numbered that way (Ubuntu, Alpine, Amazon Linux 1).
const TABLE: &[(&str, &str, &str)] = &[
    ("debian", "7", "2018-05-31"),
    ("debian", "8", "2020-06-30"),
    ("debian", "9", "2022-06-30"),
    ("debian", "10", "2024-06-30"),
    ("debian", "11", "2026-08-31"),
    ("debian", "12", "2028-06-30"),
    ("debian", "13", "2030-06-30"),
    ("ubuntu", "12.04", "2017-04-28"),
    ("ubuntu", "14.04", "2019-04-30"),
    ("ubuntu", "16.04", "2021-04-30"),
    ("ubuntu", "18.04", "2023-05-31"),
    ("ubuntu", "20.04", "2025-05-31"),
    ("ubuntu", "20.10", "2021-07-22"),
    ("ubuntu", "21.04", "2022-01-20"),
    ("ubuntu", "21.10", "2022-07-14"),
    ("ubuntu", "22.04", "2027-06-01"),
    ("ubuntu", "22.10", "2023-07-20"),
    ("ubuntu", "23.04", "2024-01-25"),
    ("ubuntu", "23.10", "2024-07-11"),
    ("ubuntu", "24.04", "2029-05-31"),
    ("ubuntu", "24.10", "2025-07-10"),
    ("ubuntu", "25.04", "2026-01-15"),
    ("alpine", "3.9", "2021-01-01"),
    ("alpine", "3.10", "2021-05-01"),
    ("alpine", "3.11", "2021-11-01"),
    ("alpine", "3.12", "2022-05-01"),
    ("alpine", "3.13", "2022-11-01"),
    ("alpine", "3.14", "2023-05-01"),
    ("alpine", "3.15", "2023-11-01"),
    ("alpine", "3.16", "2024-05-23"),
    ("alpine", "3.17", "2024-11-22"),
    ("alpine", "3.18", "2025-05-09"),
    ("alpine", "3.19", "2025-11-01"),
    ("alpine", "3.20", "2026-04-01"),
    ("alpine", "3.21", "2026-11-01"),
    ("alpine", "3.22", "2027-05-01"),
    ("rhel", "6", "2020-11-30"),
    ("rhel", "7", "2024-06-30"),
    ("rhel", "8", "2029-05-31"),
    ("rhel", "9", "2032-05-31"),
    ("centos", "6", "2020-11-30"),
    ("centos", "7", "2024-06-30"),
    ("centos", "8", "2021-12-31"),
    ("rocky", "8", "2029-05-31"),
    ("rocky", "9", "2032-05-31"),
    ("almalinux", "8", "2029-03-01"),
    ("almalinux", "9", "2032-05-31"),
    ("ol", "7", "2024-12-31"),
    ("ol", "8", "2029-07-31"),
    ("ol", "9", "2032-06-30"),
    ("fedora", "36", "2023-05-16"),
    ("fedora", "37", "2023-12-05"),
    ("fedora", "38", "2024-05-21"),
    ("fedora", "39", "2024-11-26"),
    ("fedora", "40", "2025-05-13"),
    ("fedora", "41", "2025-12-15"),
    ("fedora", "42", "2026-05-13"),
    ("amzn", "2018.03", "2023-12-31"),
    ("amzn", "2", "2026-06-30"),
    ("amzn", "2023", "2029-06-30"),
];

/// Distributions without releases that end.
const ROLLING: &[&str] = &[
    "wolfi",
    "chainguard",
    "arch",
    "opensuse-tumbleweed",
    "gentoo",
];

/// A release's end of life, and the key that found it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Eol {
    /// `id:version`, as in the policy's `[eol]` table.
    pub key: String,
    /// When free security support ends (start of the day after the last supported day).
    pub ends: Timestamp,
    /// Whether the date came from the policy rather than the built-in table.
    pub from_policy: bool,
}

/// The end of life of `id` `version_id`, the policy's overrides first.
pub fn lookup(id: &str, version_id: &str, overrides: &BTreeMap<String, Timestamp>) -> Option<Eol> {
    if ROLLING.contains(&id) {
        return None;
    }
    let mut parts = version_id.split('.');
    let major = parts.next().unwrap_or("");
    let minor = parts.next();
    let mut keys = vec![version_id.to_owned()];
    if let Some(m) = minor {
        keys.push(format!("{major}.{m}"));
    }
    keys.push(major.to_owned());
    for v in &keys {
        let key = format!("{id}:{v}");
        if let Some(t) = overrides.get(&key) {
            return Some(Eol {
                key,
                ends: *t,
                from_policy: true,
            });
        }
    }
    for v in &keys {
        if let Some((_, _, date)) = TABLE.iter().find(|(i, ver, _)| *i == id && ver == v) {
            let ends = super::policy::parse_expiry(date).ok()?;
            return Some(Eol {
                key: format!("{id}:{v}"),
                ends,
                from_policy: false,
            });
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookups() {
        let none = BTreeMap::new();
        let e = lookup("debian", "10", &none).unwrap();
        assert_eq!(
            (e.key.as_str(), e.ends.to_string().as_str()),
            ("debian:10", "2024-07-01T00:00:00Z")
        );
        assert_eq!(
            lookup("alpine", "3.11.6", &none).unwrap().key,
            "alpine:3.11"
        );
        assert_eq!(
            lookup("ubuntu", "18.04", &none).unwrap().key,
            "ubuntu:18.04"
        );
        assert_eq!(lookup("amzn", "2", &none).unwrap().key, "amzn:2");
        assert!(lookup("wolfi", "20230201", &none).is_none());
        assert!(lookup("debian", "99", &none).is_none());
        let mut o = BTreeMap::new();
        o.insert(
            "debian:12".to_owned(),
            "2020-01-01T00:00:00Z".parse().unwrap(),
        );
        assert!(lookup("debian", "12", &o).unwrap().from_policy);
        for (_, _, d) in TABLE {
            assert!(crate::audit::policy::parse_expiry(d).is_ok(), "{d}");
        }
    }
}
