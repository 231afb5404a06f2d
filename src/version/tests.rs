//! The crate-backed schemes (dpkg, rpm, PEP 440, SemVer) against their reference tables, and
//! the dispatch and fallback rules of [`compare`].

use std::cmp::Ordering::{self, Equal, Greater, Less};

use super::*;

#[test]
fn dpkg_version_table() {
    let table = vectors(include_str!(
        "../../tests/fixtures/versions/dpkg-version.data"
    ));
    assert_eq!(table.len(), 43);
    check_vectors(Scheme::Deb, &table);
}

#[test]
fn dpkg_parse_cases_compare_equal() {
    // `t-version.c`: spellings of one version.
    for (a, b) in [
        ("0", "0:0"),
        ("0", "0:0-"),
        ("0:0-0", "0-0"),
        ("0:0.0-0.0", "0.0-0.0"),
        ("1:0", "1:0-"),
        ("0:0-0-0", "0-0-0"),
    ] {
        assert_eq!(compare(Scheme::Deb, a, b), Equal, "{a} vs {b}");
    }
    // Epoch, upstream and revision each decide.
    assert_eq!(compare(Scheme::Deb, "0:0-0", "1:0-0"), Less);
    assert_eq!(compare(Scheme::Deb, "0:a-0", "0:b-0"), Less);
    assert_eq!(compare(Scheme::Deb, "0:0-a", "0:0-b"), Less);
}

#[test]
fn rpmvercmp_table() {
    let table = vectors(include_str!(
        "../../tests/fixtures/versions/rpm-rpmvercmp.data"
    ));
    assert_eq!(table.len(), 91);
    check_vectors(Scheme::Rpm, &table);
}

#[test]
fn rpm_epoch_and_release() {
    for (a, want, b) in [
        ("1:1.0-1", Greater, "2.0-1"),
        ("0:1.0-1", Equal, "1.0-1"),
        ("1.0-2.el9", Greater, "1.0-1.el9"),
        ("1.0-1.el9_1", Greater, "1.0-1.el9"),
        ("2.36-9.amzn2023.0.4", Less, "2.36-9.amzn2023.0.5"),
    ] {
        assert_eq!(compare(Scheme::Rpm, a, b), want, "{a} vs {b}");
    }
}

/// packaging's `tests/test_version.py` `VERSIONS`, in ascending order.
const PEP440_ORDER: &[&str] = &[
    "1.0.dev456",
    "1.0a1",
    "1.0a2.dev456",
    "1.0a12.dev456",
    "1.0a12",
    "1.0b1.dev456",
    "1.0b2",
    "1.0b2.post345.dev456",
    "1.0b2.post345",
    "1.0b2-346",
    "1.0c1.dev456",
    "1.0c1",
    "1.0rc2",
    "1.0c3",
    "1.0",
    "1.0.post456.dev34",
    "1.0.post456",
    "1.1.dev1",
    "1.2+123abc",
    "1.2+123abc456",
    "1.2+abc",
    "1.2+abc123",
    "1.2+abc123def",
    "1.2+1234.abc",
    "1.2+123456",
    "1!1.0.dev456",
    "1!1.0a1",
    "1!1.0a2.dev456",
    "1!1.0a12.dev456",
    "1!1.0a12",
    "1!1.0b1.dev456",
    "1!1.0b2",
    "1!1.0b2.post345.dev456",
    "1!1.0b2.post345",
    "1!1.0b2-346",
    "1!1.0c1.dev456",
    "1!1.0c1",
    "1!1.0rc2",
    "1!1.0c3",
    "1!1.0",
    "1!1.0.post456.dev34",
    "1!1.0.post456",
    "1!1.1.dev1",
    "1!1.2+123abc",
    "1!1.2+123abc456",
    "1!1.2+abc",
    "1!1.2+abc123",
    "1!1.2+abc123def",
    "1!1.2+1234.abc",
    "1!1.2+123456",
];

fn assert_ascending(scheme: Scheme, order: &[&str]) {
    for (i, a) in order.iter().enumerate() {
        for b in &order[i + 1..] {
            assert_eq!(compare(scheme, a, b), Less, "{a} < {b}");
            assert_eq!(compare(scheme, b, a), Greater, "{b} > {a}");
        }
    }
}

#[test]
fn pep440_packaging_order_and_normal_forms() {
    assert_ascending(Scheme::Pep440, PEP440_ORDER);
    for (a, b) in [
        ("1.0", "1.0.0"),
        ("1.0a1", "1.0alpha1"),
        ("1.0c1", "1.0rc1"),
        ("1.0.post1", "1.0-1"),
        ("v1.0", "1.0"),
        ("1.0.dev0", "1.0.dev"),
        ("1.0-RC1", "1.0rc1"),
    ] {
        assert_eq!(compare(Scheme::Pep440, a, b), Equal, "{a} == {b}");
    }
}

/// node-semver's `test/fixtures/comparisons.js`: the first of each pair is greater.
#[test]
fn node_semver_comparisons() {
    for (a, b) in [
        ("0.0.0", "0.0.0-foo"),
        ("0.0.1", "0.0.0"),
        ("1.0.0", "0.9.9"),
        ("0.10.0", "0.9.0"),
        ("0.99.0", "0.10.0"),
        ("2.0.0", "1.2.3"),
        ("v0.0.0", "0.0.0-foo"),
        ("v0.0.1", "0.0.0"),
        ("v1.0.0", "0.9.9"),
        ("v0.10.0", "0.9.0"),
        ("v0.99.0", "0.10.0"),
        ("v2.0.0", "1.2.3"),
        ("0.0.0", "v0.0.0-foo"),
        ("0.0.1", "v0.0.0"),
        ("1.0.0", "v0.9.9"),
        ("0.10.0", "v0.9.0"),
        ("0.99.0", "v0.10.0"),
        ("2.0.0", "v1.2.3"),
        ("1.2.3", "1.2.3-asdf"),
        ("1.2.3", "1.2.3-4"),
        ("1.2.3", "1.2.3-4-foo"),
        ("1.2.3-5-foo", "1.2.3-5"),
        ("1.2.3-5", "1.2.3-4"),
        ("1.2.3-5-foo", "1.2.3-5-Foo"),
        ("3.0.0", "2.7.2+asdf"),
        ("1.2.3-a.10", "1.2.3-a.5"),
        ("1.2.3-a.b", "1.2.3-a.5"),
        ("1.2.3-a.b", "1.2.3-a"),
        ("1.2.3-a.b.c.10.d.5", "1.2.3-a.b.c.5.d.100"),
        ("1.2.3-r2", "1.2.3-r100"),
        ("1.2.3-r100", "1.2.3-R2"),
    ] {
        assert_eq!(compare(Scheme::Semver, a, b), Greater, "{a} > {b}");
        assert_eq!(compare(Scheme::Semver, b, a), Less, "{b} < {a}");
    }
    // Build metadata never decides (SemVer 2.0 item 10).
    assert_eq!(compare(Scheme::Semver, "1.0.0+a", "1.0.0+b"), Equal);
}

#[test]
fn schemes_by_purl_type() {
    for (ty, scheme) in [
        ("deb", Scheme::Deb),
        ("rpm", Scheme::Rpm),
        ("apk", Scheme::Apk),
        ("pypi", Scheme::Pep440),
        ("npm", Scheme::Semver),
        ("cargo", Scheme::Semver),
        ("golang", Scheme::Go),
        ("maven", Scheme::Maven),
        ("gem", Scheme::RubyGems),
        ("conda", Scheme::Generic),
        ("generic", Scheme::Generic),
    ] {
        assert_eq!(Scheme::for_purl_type(ty), scheme, "{ty}");
    }
}

#[test]
fn unparseable_versions_fall_back_to_generic_order() {
    // Not SemVer (two components), still ordered sensibly.
    assert_eq!(compare(Scheme::Semver, "1.2", "1.10"), Less);
    assert_eq!(compare(Scheme::Semver, "1.2", "1.2.0"), Less);
    // Not PEP 440.
    assert_eq!(compare(Scheme::Pep440, "2.0-custom", "10.0-custom"), Less);
    // Not rpm (two dashes).
    assert_eq!(compare(Scheme::Rpm, "1.0-1-2", "1.0-1-3"), Less);
    assert!(!Scheme::Rpm.accepts("1.0-1-2"));
    assert!(Scheme::Rpm.accepts("1:1.0-1.el9"));
    assert!(!Scheme::Rpm.accepts("x:1.0"));
}

#[test]
fn every_scheme_is_antisymmetric_on_mixed_input() {
    let samples = [
        "1.0",
        "1.0.0",
        "v1.0.0",
        "1:1.0-1",
        "1.0-r1",
        "1.0_rc1",
        "1.0a1",
        "1.0.post1",
        "go1.21.0",
        "1.0-SNAPSHOT",
        "1.0.pre.1",
        "(devel)",
        "",
        "junk",
        "1!2.0",
    ];
    for scheme in [
        Scheme::Deb,
        Scheme::Rpm,
        Scheme::Apk,
        Scheme::Pep440,
        Scheme::Semver,
        Scheme::Go,
        Scheme::Maven,
        Scheme::RubyGems,
        Scheme::Generic,
    ] {
        for a in samples {
            assert_eq!(compare(scheme, a, a), Equal, "{scheme}: {a}");
            for b in samples {
                let (x, y): (Ordering, Ordering) = (compare(scheme, a, b), compare(scheme, b, a));
                assert_eq!(x, y.reverse(), "{scheme}: {a} vs {b}");
            }
        }
    }
}
