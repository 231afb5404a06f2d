//! Which operating-system package owns a language package.
//!
//! Debian's `python3-requests`, Alpine's `py3-requests` or Fedora's `python3-requests` install
//! a Python distribution whose `*.egg-info`/`*.dist-info` metadata the Python cataloger reads;
//! `node-*` packages install `package.json` files, `lib*-java` packages jars, and Go programs
//! are packaged as binaries. Both records are true, and neither may hide the other: the
//! language package stays in the SBOM (its purl is what vulnerability databases for that
//! ecosystem index) and the OS package *contains* it. The evidence is exact: a path where the
//! language cataloger found the package is a file the OS package database lists as owned.

use std::collections::{BTreeSet, HashMap};

use crate::model::{Package, PackageId, Relationship, RelationshipKind};

/// `Contains` edges from each OS package to the language packages found in files it owns,
/// sorted and unique. Only the language packages' evidence paths are indexed, so the cost is
/// one pass over the OS packages' file lists and no copy of them.
pub fn owners(packages: &[Package]) -> Vec<Relationship> {
    let mut by_path: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, p) in packages.iter().enumerate() {
        if p.ecosystem.is_os() {
            continue;
        }
        for l in &p.locations {
            by_path.entry(l.path.as_str()).or_default().push(i);
        }
    }
    if by_path.is_empty() {
        return Vec::new();
    }
    // The OS packages listing each indexed path, first: a path more of them claim names no
    // owner, and an edge from each claimant to each package found there would grow with the
    // product of the two (2,000 forged dpkg file lists naming one lockfile of 50,000 packages:
    // 10^8 edges).
    let mut claimed: HashMap<&str, Vec<usize>> = HashMap::new();
    for (o, os) in packages
        .iter()
        .enumerate()
        .filter(|(_, p)| p.ecosystem.is_os())
    {
        for f in &os.files {
            if let Some((path, _)) = by_path.get_key_value(f.trim_start_matches('/')) {
                let owners = claimed.entry(path).or_default();
                if owners.last() != Some(&o) {
                    owners.push(o);
                }
            }
        }
    }
    let mut out = BTreeSet::new();
    for (path, owners) in claimed {
        if owners.len() > MAX_OWNERS {
            continue;
        }
        for o in owners {
            let from = packages[o].id();
            for &i in &by_path[path] {
                out.insert(Relationship {
                    from: from.clone(),
                    to: packages[i].id(),
                    kind: RelationshipKind::Contains,
                });
            }
        }
    }
    out.into_iter().collect()
}

/// Most OS packages that may claim one file and still be said to contain what was found in
/// it (dpkg diversions and rpm multilib give a file two or three claimants at most).
pub const MAX_OWNERS: usize = 8;

/// For each package contained by another ([`RelationshipKind::Contains`]), its containers.
pub fn containers(relationships: &[Relationship]) -> HashMap<&PackageId, Vec<&PackageId>> {
    let mut out: HashMap<&PackageId, Vec<&PackageId>> = HashMap::new();
    for r in relationships {
        if r.kind == RelationshipKind::Contains {
            out.entry(&r.to).or_default().push(&r.from);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fs::Location;
    use crate::model::{Ecosystem, Purl};

    fn pkg(eco: Ecosystem, name: &str, files: &[&str], at: &[&str]) -> Package {
        let purl = Purl::builder(eco.purl_type(), name)
            .version("1")
            .build()
            .unwrap();
        let mut p = Package::new(eco, name, "1", purl, "test");
        p.files = files.iter().map(|f| (*f).to_owned()).collect();
        p.locations = at.iter().map(|l| Location::new(*l, 0)).collect();
        p
    }

    #[test]
    fn os_packages_contain_the_language_packages_in_their_files() {
        let meta = "usr/lib/python3/dist-packages/requests-2.28.1.egg-info/PKG-INFO";
        let packages = [
            pkg(
                Ecosystem::Deb,
                "python3-requests",
                &[
                    "/usr/lib/python3/dist-packages/requests/__init__.py",
                    &format!("/{meta}"),
                ],
                &["var/lib/dpkg/status"],
            ),
            pkg(Ecosystem::Deb, "libc6", &["/usr/lib/libc.so.6"], &[]),
            pkg(Ecosystem::Pypi, "requests", &[], &[meta]),
            // Installed with pip, owned by nobody.
            pkg(
                Ecosystem::Pypi,
                "idna",
                &[],
                &["usr/local/lib/python3.11/site-packages/idna-3.4.dist-info/METADATA"],
            ),
        ];
        let edges = owners(&packages);
        assert_eq!(
            edges,
            [Relationship {
                from: packages[0].id(),
                to: packages[2].id(),
                kind: RelationshipKind::Contains,
            }]
        );
        let c = containers(&edges);
        assert_eq!(c[&packages[2].id()], [&packages[0].id()]);
        assert!(!c.contains_key(&packages[3].id()));
    }

    #[test]
    fn a_file_claimed_by_more_os_packages_than_the_cap_names_no_owner() {
        let lock = "app/package-lock.json";
        let claim = format!("/{lock}");
        let mut packages: Vec<Package> = (0..=MAX_OWNERS)
            .map(|i| pkg(Ecosystem::Deb, &format!("d{i}"), &[&claim], &[]))
            .collect();
        packages.push(pkg(Ecosystem::Npm, "a", &[], &[lock]));
        packages.push(pkg(Ecosystem::Npm, "b", &[], &[lock]));
        assert!(owners(&packages).is_empty());
        packages.remove(0);
        assert_eq!(owners(&packages).len(), MAX_OWNERS * 2);
    }
}
