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
    let mut out = BTreeSet::new();
    if by_path.is_empty() {
        return Vec::new();
    }
    for os in packages.iter().filter(|p| p.ecosystem.is_os()) {
        let mut id: Option<PackageId> = None;
        for f in &os.files {
            let Some(owned) = by_path.get(f.trim_start_matches('/')) else {
                continue;
            };
            let from = id.get_or_insert_with(|| os.id());
            for &i in owned {
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
}
