//! `cargo bench --bench diff`: two 20,000-package SBOMs from different formats, read and
//! compared, timed stage by stage (median of 5 runs).
//!
//! The old SBOM is CycloneDX 1.6 JSON, the new one SPDX 2.3 JSON (both as consign writes
//! them, so every package has licenses, a supplier, a hash and dependency edges); between
//! them 2% of the packages are upgraded, 0.5% downgraded, 1% removed and 1% added, across
//! deb, npm, PyPI, Go and Maven. A plain `harness = false` binary: no timing assertion
//! anywhere, the numbers are for people (README, CHANGELOG, reviews).

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use consign::Sbom;
use consign::diff::{DiffOptions, render};
use consign::encode::{self, CdxVersion, EncodeOptions, Format};
use consign::model::{
    Checksum, Ecosystem, HashAlgorithm, ImageInfo, License, Package, Party, Purl, Relationship,
    RelationshipKind, Scope, SourceKind, Tool,
};

const PACKAGES: usize = 20_000;
const RUNS: usize = 5;

/// `(purl type, ecosystem, share of the packages)`.
const MIX: [(&str, Ecosystem, usize); 5] = [
    ("deb", Ecosystem::Deb, 40),
    ("npm", Ecosystem::Npm, 20),
    ("pypi", Ecosystem::Pypi, 20),
    ("golang", Ecosystem::Golang, 10),
    ("maven", Ecosystem::Maven, 10),
];

fn package(i: usize, release: u32) -> Package {
    let (ty, eco) = MIX
        .iter()
        .scan(0, |acc, (ty, eco, share)| {
            *acc += share * PACKAGES / 100;
            Some((*acc, *ty, *eco))
        })
        .find(|(end, _, _)| i < *end)
        .map(|(_, ty, eco)| (ty, eco))
        .unwrap_or(("deb", Ecosystem::Deb));
    let version = match ty {
        "deb" => format!("1.{}.{}-{release}+deb12u1", i % 50, i % 7),
        "golang" => format!("v1.{}.{release}", i % 40),
        "maven" => format!("2.{}.{release}.Final", i % 30),
        _ => format!("{}.{}.{release}", 1 + i % 9, i % 20),
    };
    let name = format!("pkg-{i:05}");
    let mut b = Purl::builder(ty, name.clone()).version(version.clone());
    b = match ty {
        "deb" => b
            .namespace("debian")
            .qualifier("arch", "amd64")
            .qualifier("distro", "debian-12"),
        "golang" => b.namespace(format!("github.com/org{}", i % 100)),
        "maven" => b.namespace(format!("org.example.g{}", i % 100)),
        _ => b,
    };
    let mut p = Package::new(eco, name, version, b.build().expect("purl"), "bench");
    p.licenses = vec![License::Expression(
        ["MIT", "Apache-2.0", "BSD-3-Clause"][i % 3].into(),
    )];
    p.supplier = Some(Party {
        name: format!("Supplier {}", i % 17),
        email: None,
    });
    p.checksums = vec![Checksum {
        algorithm: HashAlgorithm::Sha256,
        value: format!("{:064x}", i * 7919 + release as usize),
    }];
    p
}

fn sbom(new: bool) -> Sbom {
    let mut packages: Vec<Package> = Vec::with_capacity(PACKAGES + PACKAGES / 100);
    for i in 0..PACKAGES {
        let release = match (new, i % 200) {
            (true, 0..=3) => 2,        // 2% upgraded
            (true, 4) => 0,            // 0.5% downgraded
            (true, 5 | 6) => continue, // 1% removed
            _ => 1,
        };
        packages.push(package(i, release));
    }
    if new {
        packages.extend((PACKAGES..PACKAGES + PACKAGES / 100).map(|i| package(i, 1)));
    }
    packages.sort_by_key(Package::id);
    let ids: Vec<_> = packages.iter().map(Package::id).collect();
    let relationships: BTreeSet<Relationship> = (1..ids.len())
        .map(|i| Relationship {
            from: ids[i].clone(),
            to: ids[(i * 31) % i].clone(),
            kind: RelationshipKind::DependsOn,
        })
        .collect();
    Sbom {
        tool: Tool::default(),
        image: ImageInfo {
            source_kind: SourceKind::Directory,
            input: format!("app-{}", if new { "1.1" } else { "1.0" }),
            name: Some("ghcr.io/acme/app".into()),
            tag: Some(if new { "1.1" } else { "1.0" }.into()),
            manifest_digest: None,
            config_digest: None,
            platform: None,
            created: None,
            base: None,
            annotations: BTreeMap::new(),
            supplier_override: None,
            config: Default::default(),
        },
        layers: Vec::new(),
        distro: None,
        scope: Scope::Squashed,
        catalogers: Vec::new(),
        packages,
        relationships: relationships.into_iter().collect(),
        unknowns: Vec::new(),
        document: None,
    }
}

fn encoded(s: &Sbom, format: Format) -> Vec<u8> {
    let opts = EncodeOptions {
        created: jiff::Timestamp::from_second(1_700_000_000).expect("time"),
    };
    let mut out = Vec::new();
    encode::encode(s, &format, &opts, &mut out).expect("encode");
    out
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn main() {
    let old = encoded(&sbom(false), Format::CycloneDxJson(CdxVersion::V1_6));
    let new = encoded(&sbom(true), Format::SpdxJson);
    println!(
        "old: CycloneDX 1.6, {PACKAGES} packages, {:.1} MB; new: SPDX 2.3, {} packages, {:.1} MB",
        old.len() as f64 / 1e6,
        PACKAGES + PACKAGES / 100 - PACKAGES / 100,
        new.len() as f64 / 1e6
    );
    let mut stages: BTreeMap<&str, Vec<Duration>> = BTreeMap::new();
    let mut summary = String::new();
    for _ in 0..RUNS {
        let t = Instant::now();
        let a = consign::decode::decode(&old, "old.cdx.json").expect("old");
        let t1 = t.elapsed();
        let b = consign::decode::decode(&new, "new.spdx.json").expect("new");
        let t2 = t.elapsed();
        let d = consign::diff::diff(&a, &b, &DiffOptions::default());
        let t3 = t.elapsed();
        let md = render::markdown(&d);
        let js = render::json(&d);
        let t4 = t.elapsed();
        stages.entry("1 read old (CycloneDX)").or_default().push(t1);
        stages.entry("2 read new (SPDX)").or_default().push(t2 - t1);
        stages.entry("3 diff").or_default().push(t3 - t2);
        stages
            .entry("4 render markdown + json")
            .or_default()
            .push(t4 - t3);
        stages.entry("5 total").or_default().push(t4);
        summary = format!(
            "{} changes ({} bytes of Markdown, {} of JSON): {}",
            d.changes.len(),
            md.len(),
            js.len(),
            render::table(&d)
                .lines()
                .find(|l| l.contains("unchanged)"))
                .unwrap_or("")
        );
    }
    println!("{summary}");
    for (stage, times) in stages {
        println!("{stage:<28} {:>8.1} ms", median(times).as_secs_f64() * 1e3);
    }
}
