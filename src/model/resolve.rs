//! Turning each package's [`DependencySpec`](crate::model::DependencySpec) into edges.
//!
//! Within one ecosystem, a requirement name is satisfied by the packages whose name or
//! provides list contains it; an absolute path (`/bin/sh`, rpm and apk file requirements) by
//! the package that owns the file. For alternatives (`a | b`) the first alternative that some
//! installed package satisfies wins, as dpkg decides. When several packages satisfy a name,
//! those of the dependent's architecture (or architecture-independent ones) are preferred;
//! each remaining candidate gets an edge, since the database does not say which one is used —
//! up to [`MAX_PROVIDERS`]: a name more packages provide says nothing about which one is used,
//! and an edge from each dependent to each of them grows with the square of the image (a forged
//! database of 99,000 packages all providing and requiring one name asked for 10^10 edges).

use std::collections::{BTreeSet, HashMap, HashSet};

use crate::model::{Ecosystem, Package, Relationship, RelationshipKind};

/// Most packages a requirement gets an edge to; past it, none (see the module docs).
pub const MAX_PROVIDERS: usize = 64;

/// Dependency edges among `packages`, sorted and unique.
pub fn resolve(packages: &[Package]) -> Vec<Relationship> {
    let mut out = BTreeSet::new();
    let mut by_eco: HashMap<Ecosystem, Vec<usize>> = HashMap::new();
    for (i, p) in packages.iter().enumerate() {
        by_eco.entry(p.ecosystem).or_default().push(i);
    }
    for members in by_eco.values() {
        let required_paths: HashSet<&str> = members
            .iter()
            .flat_map(|&i| packages[i].dependencies.requires.iter().flatten())
            .filter(|r| r.starts_with('/'))
            .map(String::as_str)
            .collect();
        let mut providers: HashMap<&str, Vec<usize>> = HashMap::new();
        for &i in members {
            let p = &packages[i];
            providers.entry(p.name.as_str()).or_default().push(i);
            for name in &p.dependencies.provides {
                providers.entry(name.as_str()).or_default().push(i);
            }
            if !required_paths.is_empty() {
                for f in &p.files {
                    let abs = format!("/{}", f.trim_start_matches('/'));
                    if let Some(&k) = required_paths.get(abs.as_str()) {
                        providers.entry(k).or_default().push(i);
                    }
                }
            }
        }
        for list in providers.values_mut() {
            list.sort_unstable();
            list.dedup();
        }
        for &i in members {
            let p = &packages[i];
            for group in &p.dependencies.requires {
                let Some(candidates) = group
                    .iter()
                    .find_map(|name| providers.get(name.as_str()).filter(|c| !c.is_empty()))
                else {
                    continue;
                };
                if candidates.len() > MAX_PROVIDERS {
                    continue;
                }
                let same_arch: Vec<usize> = candidates
                    .iter()
                    .copied()
                    .filter(|&c| arch_compatible(p, &packages[c]))
                    .collect();
                let chosen = if same_arch.is_empty() {
                    candidates.as_slice()
                } else {
                    same_arch.as_slice()
                };
                for &c in chosen {
                    if c != i {
                        out.insert(Relationship {
                            from: p.id(),
                            to: packages[c].id(),
                            kind: RelationshipKind::DependsOn,
                        });
                    }
                }
            }
        }
    }
    out.into_iter().collect()
}

fn arch_compatible(a: &Package, b: &Package) -> bool {
    match (a.arch.as_deref(), b.arch.as_deref()) {
        (Some(x), Some(y)) => x == y || matches!(y, "all" | "noarch"),
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{DependencySpec, Purl};

    fn pkg(name: &str, arch: &str, provides: &[&str], requires: &[&[&str]]) -> Package {
        let purl = Purl::builder("deb", name)
            .namespace("debian")
            .version("1")
            .qualifier("arch", arch)
            .build()
            .unwrap();
        let mut p = Package::new(Ecosystem::Deb, name, "1", purl, "test");
        p.arch = Some(arch.into());
        p.dependencies = DependencySpec {
            provides: provides.iter().map(|s| s.to_string()).collect(),
            requires: requires
                .iter()
                .map(|g| g.iter().map(|s| s.to_string()).collect())
                .collect(),
        };
        p
    }

    #[test]
    fn a_name_with_more_providers_than_the_cap_gets_no_edges() {
        let names: Vec<String> = (0..=MAX_PROVIDERS).map(|i| format!("p{i}")).collect();
        let mut pkgs: Vec<Package> = names
            .iter()
            .map(|n| pkg(n, "amd64", &["virtual"], &[&["virtual"]]))
            .collect();
        assert!(resolve(&pkgs).is_empty());
        pkgs.pop();
        assert_eq!(resolve(&pkgs).len(), MAX_PROVIDERS * (MAX_PROVIDERS - 1));
    }

    fn edges(pkgs: &[Package]) -> Vec<(String, String)> {
        resolve(pkgs)
            .into_iter()
            .map(|r| {
                let n = |id: &crate::model::PackageId| {
                    pkgs.iter().find(|p| &p.id() == id).unwrap().name.clone()
                };
                (n(&r.from), n(&r.to))
            })
            .collect()
    }

    #[test]
    fn names_provides_and_alternatives() {
        let pkgs = [
            pkg(
                "app",
                "amd64",
                &[],
                &[&["libc6"], &["awk-virtual", "gawk"], &["missing"]],
            ),
            pkg("libc6", "amd64", &[], &[&["libgcc-s1"]]),
            pkg("libgcc-s1", "amd64", &[], &[&["libc6"]]),
            pkg("mawk", "amd64", &["awk-virtual"], &[]),
            pkg("gawk", "amd64", &[], &[]),
        ];
        assert_eq!(
            edges(&pkgs),
            [
                ("app".into(), "libc6".into()),
                ("app".into(), "mawk".into()),
                ("libc6".into(), "libgcc-s1".into()),
                ("libgcc-s1".into(), "libc6".into()),
            ]
        );
    }

    #[test]
    fn prefers_same_architecture() {
        let pkgs = [
            pkg("app", "arm64", &[], &[&["libc6"]]),
            pkg("libc6", "amd64", &[], &[]),
            pkg("libc6", "arm64", &[], &[]),
        ];
        let r = resolve(&pkgs);
        assert_eq!(r.len(), 1);
        assert!(r[0].to.0.contains("arch=arm64"));
    }

    #[test]
    fn file_requirements_resolve_to_owners() {
        let mut sh = pkg("bash", "amd64", &[], &[]);
        sh.files = vec!["bin/sh".into(), "bin/bash".into()];
        let pkgs = [pkg("script", "amd64", &[], &[&["/bin/sh"]]), sh];
        assert_eq!(edges(&pkgs), [("script".into(), "bash".into())]);
    }
}
