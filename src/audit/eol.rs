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
/// Dates checked against endoflife.date's data (`products/*.md` of
/// <https://github.com/endoflife-date/endoflife.date>): Debian's LTS end, Ubuntu's
/// "Maintenance & Security Support" end, Alpine's "End of support", Fedora's EOL.
const TABLE: &[(&str, &str, &str)] = &[
    ("debian", "4", "2010-02-15"),
    ("debian", "5", "2012-02-06"),
    ("debian", "6", "2016-02-29"),
    ("debian", "7", "2018-05-31"),
    ("debian", "8", "2020-06-30"),
    ("debian", "9", "2022-06-30"),
    ("debian", "10", "2024-06-30"),
    ("debian", "11", "2026-08-31"),
    ("debian", "12", "2028-06-30"),
    ("debian", "13", "2030-06-30"),
    ("ubuntu", "12.04", "2017-04-28"),
    ("ubuntu", "12.10", "2014-05-16"),
    ("ubuntu", "13.04", "2014-01-27"),
    ("ubuntu", "13.10", "2014-07-17"),
    ("ubuntu", "14.04", "2019-04-02"),
    ("ubuntu", "14.10", "2015-07-23"),
    ("ubuntu", "15.04", "2016-02-04"),
    ("ubuntu", "15.10", "2016-07-28"),
    ("ubuntu", "16.04", "2021-04-02"),
    ("ubuntu", "16.10", "2017-07-20"),
    ("ubuntu", "17.04", "2018-01-13"),
    ("ubuntu", "17.10", "2018-07-19"),
    ("ubuntu", "18.04", "2023-05-31"),
    ("ubuntu", "18.10", "2019-07-18"),
    ("ubuntu", "19.04", "2020-01-23"),
    ("ubuntu", "19.10", "2020-07-06"),
    ("ubuntu", "20.04", "2025-05-31"),
    ("ubuntu", "20.10", "2021-07-22"),
    ("ubuntu", "21.04", "2022-01-20"),
    ("ubuntu", "21.10", "2022-07-14"),
    ("ubuntu", "22.04", "2027-04-01"),
    ("ubuntu", "22.10", "2023-07-20"),
    ("ubuntu", "23.04", "2024-01-20"),
    ("ubuntu", "23.10", "2024-07-12"),
    ("ubuntu", "24.04", "2029-05-31"),
    ("ubuntu", "24.10", "2025-07-10"),
    ("ubuntu", "25.04", "2026-01-17"),
    ("ubuntu", "25.10", "2026-07-01"),
    ("ubuntu", "26.04", "2031-04-30"),
    ("alpine", "3.0", "2016-05-01"),
    ("alpine", "3.1", "2016-11-01"),
    ("alpine", "3.2", "2017-05-01"),
    ("alpine", "3.3", "2017-11-01"),
    ("alpine", "3.4", "2018-05-01"),
    ("alpine", "3.5", "2018-11-01"),
    ("alpine", "3.6", "2019-05-01"),
    ("alpine", "3.7", "2019-11-01"),
    ("alpine", "3.8", "2020-05-01"),
    ("alpine", "3.9", "2020-11-01"),
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
    ("alpine", "3.23", "2027-11-01"),
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
    ("fedora", "25", "2017-12-12"),
    ("fedora", "26", "2018-05-29"),
    ("fedora", "27", "2018-11-30"),
    ("fedora", "28", "2019-05-28"),
    ("fedora", "29", "2019-11-26"),
    ("fedora", "30", "2020-05-26"),
    ("fedora", "31", "2020-11-24"),
    ("fedora", "32", "2021-05-25"),
    ("fedora", "33", "2021-11-30"),
    ("fedora", "34", "2022-06-07"),
    ("fedora", "35", "2022-12-13"),
    ("fedora", "36", "2023-05-16"),
    ("fedora", "37", "2023-12-05"),
    ("fedora", "38", "2024-05-21"),
    ("fedora", "39", "2024-11-26"),
    ("fedora", "40", "2025-05-13"),
    ("fedora", "41", "2025-12-15"),
    ("fedora", "42", "2026-05-13"),
    ("fedora", "43", "2026-12-09"),
    ("amzn", "2018.03", "2023-12-31"),
    ("amzn", "2", "2026-06-30"),
    ("amzn", "2023", "2029-06-30"),
];

/// Distributions whose version numbers grow with time, so that a release older than the
/// oldest one listed is known to have ended (Amazon Linux went 2018.03, 2, 2023: not these).
const MONOTONIC: &[&str] = &[
    "debian",
    "ubuntu",
    "alpine",
    "fedora",
    "rhel",
    "centos",
    "rocky",
    "almalinux",
    "ol",
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
    /// For a release older than every release the table lists: the oldest listed one, whose
    /// end of life is then given (the release ended on or before it).
    pub older_than: Option<String>,
}

/// The end of life of `id` `version_id`, the policy's overrides first; for a release older
/// than every listed release of a [`MONOTONIC`] distribution, the oldest one's.
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
                older_than: None,
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
                older_than: None,
            });
        }
    }
    older_than_listed(id, version_id)
}

/// A release of a [`MONOTONIC`] distribution older than the oldest one listed.
fn older_than_listed(id: &str, version_id: &str) -> Option<Eol> {
    if !MONOTONIC.contains(&id) {
        return None;
    }
    let version = numeric(version_id)?;
    let (_, oldest, date) = TABLE
        .iter()
        .filter(|(i, _, _)| *i == id)
        .min_by_key(|(_, v, _)| numeric(v))?;
    if version >= numeric(oldest)? {
        return None;
    }
    Some(Eol {
        key: format!("{id}:{version_id}"),
        ends: super::policy::parse_expiry(date).ok()?,
        from_policy: false,
        older_than: Some(format!("{id}:{oldest}")),
    })
}

/// `3.8.5` → `[3, 8, 5]`; `None` unless every dot-separated part is a number.
fn numeric(v: &str) -> Option<Vec<u64>> {
    v.split('.').map(|p| p.parse().ok()).collect()
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

    // See: issue 4 review, finding 11.
    #[test]
    fn releases_the_review_found_missing() {
        let none = BTreeMap::new();
        let ends = |id: &str, v: &str| {
            lookup(id, v, &none).map(|e| (e.key, e.ends.to_string(), e.older_than))
        };
        let day_after = |d: &str| format!("{d}T00:00:00Z");
        assert_eq!(
            ends("alpine", "3.8.5"),
            Some(("alpine:3.8".into(), day_after("2020-05-02"), None))
        );
        assert_eq!(
            ends("ubuntu", "19.10"),
            Some(("ubuntu:19.10".into(), day_after("2020-07-07"), None))
        );
        assert_eq!(
            ends("ubuntu", "25.10"),
            Some(("ubuntu:25.10".into(), day_after("2026-07-02"), None))
        );
        assert_eq!(
            ends("fedora", "35"),
            Some(("fedora:35".into(), day_after("2022-12-14"), None))
        );
        assert_eq!(
            ends("debian", "6.0"),
            Some(("debian:6".into(), day_after("2016-03-01"), None))
        );
        // Older than the oldest listed release of a known distribution: end of life by then.
        assert_eq!(
            ends("debian", "3.1"),
            Some((
                "debian:3.1".into(),
                day_after("2010-02-16"),
                Some("debian:4".into())
            ))
        );
        assert_eq!(
            ends("ubuntu", "10.04"),
            Some((
                "ubuntu:10.04".into(),
                day_after("2017-04-29"),
                Some("ubuntu:12.04".into())
            ))
        );
        assert_eq!(
            ends("alpine", "2.7.9").map(|e| e.2),
            Some(Some("alpine:3.0".into()))
        );
        // Newer than the newest, unparseable, or numbered out of order: unknown.
        assert_eq!(ends("debian", "99"), None);
        assert_eq!(ends("debian", "bookworm/sid"), None);
        assert_eq!(ends("amzn", "1"), None);
    }
}
