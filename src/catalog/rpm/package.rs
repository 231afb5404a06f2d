//! Turning an [`RpmEntry`] into a [`Package`]: version, purl, supplier, source package,
//! license, checksum and metadata.
//!
//! - `Package.version` is `version-release`, as in the purl; the epoch is only in the purl's
//!   `epoch` qualifier and in [`RpmMetadata::epoch`], so version and purl never disagree (and
//!   an epoch-only change still changes the purl, the package's identity). The qualifier is
//!   there whenever the header has an `EPOCH` tag, `0` included: rpm itself tells `Epoch: 0`
//!   from none (`%{EPOCH}` prints `0` or `(none)`), and so does Syft's purl.
//! - purl: `pkg:rpm/<namespace>/<name>@<version>-<release>?arch=…&epoch=…&upstream=<source
//!   rpm>&distro=<id>-<version_id>`, per the purl spec's rpm type
//!   (<https://github.com/package-url/purl-spec/blob/main/PURL-TYPES.rst#rpm>). The
//!   namespace is the image's distro id; without one, it is derived from the vendor when the
//!   vendor names one distribution unambiguously ([`vendor_namespace`]), else omitted.
//! - supplier: the header's vendor (without a trailing `<url>`), else the distro's supplier.

use super::entry::RpmEntry;
use super::license::rpm_license;
use crate::catalog::Environment;
use crate::fs::Location;
use crate::model::{
    Checksum, DependencySpec, Ecosystem, HashAlgorithm, Package, PackageMetadata, Party, Purl,
    RpmMetadata, SourcePackage,
};

/// Builds the package for `e`, found in the database at `location`.
pub(crate) fn build(
    e: RpmEntry,
    database: &'static str,
    location: &Location,
    env: &Environment,
    dependencies: DependencySpec,
    found_by: &'static str,
) -> Result<Package, String> {
    let version = e.version_release();
    let namespace = match &env.distro {
        Some(d) => Some(d.id.clone()),
        None => e
            .vendor
            .as_deref()
            .and_then(|v| vendor_namespace(v, &e.release))
            .map(str::to_owned),
    };
    let mut purl = Purl::builder("rpm", e.name.as_str()).version(version.as_str());
    if let Some(ns) = namespace {
        purl = purl.namespace(ns);
    }
    let purl = purl
        .qualifier_opt("arch", e.arch.as_deref())
        .qualifier_opt("epoch", e.epoch.map(|n| n.to_string()))
        .qualifier_opt("upstream", e.source_rpm.as_deref())
        .qualifier_opt("distro", env.distro.as_ref().map(|d| d.purl_distro()))
        .build()?;

    let mut p = Package::new(Ecosystem::Rpm, e.name.as_str(), version, purl, found_by);
    p.arch.clone_from(&e.arch);
    p.licenses = e
        .license
        .as_deref()
        .and_then(rpm_license)
        .into_iter()
        .collect();
    p.supplier = e.vendor.as_deref().and_then(vendor_party).or_else(|| {
        env.distro
            .as_ref()
            .and_then(|d| d.supplier())
            .map(|name| Party { name, email: None })
    });
    p.source = e.source_rpm.as_deref().and_then(source_package);
    p.checksums = e
        .sigmd5
        .map(|value| Checksum {
            algorithm: HashAlgorithm::Md5,
            value,
        })
        .into_iter()
        .collect();
    p.files = e.files;
    p.locations.insert(location.clone());
    p.dependencies = dependencies;
    p.metadata = PackageMetadata::Rpm(RpmMetadata {
        epoch: e.epoch,
        release: e.release,
        architecture: e.arch,
        source_rpm: e.source_rpm,
        vendor: e.vendor,
        size: e.size,
        modularity_label: e.modularity_label,
        summary: e.summary,
        url: e.url,
        license: e.license,
        signature_algorithm: e.signature.as_ref().map(|s| s.algorithm.clone()),
        signature_key_id: e.signature.as_ref().and_then(|s| s.key_id.clone()),
        signature_time: e.signature.as_ref().and_then(|s| s.created),
        database: database.to_owned(),
    });
    Ok(p)
}

/// A purl namespace for packages whose image has no os-release, from vendors that name one
/// distribution (`Red Hat, Inc.` ships RHEL, CentOS and UBI packages alike, hence `redhat`,
/// the purl spec's example, not an os-release id). Microsoft's vendor string is shared by
/// CBL-Mariner and Azure Linux; their release tags (`.cm2`, `.azl3`) tell them apart.
pub(crate) fn vendor_namespace(vendor: &str, release: &str) -> Option<&'static str> {
    let v = vendor.to_ascii_lowercase();
    let ns = if v.starts_with("amazon") {
        "amzn"
    } else if v.starts_with("red hat") {
        "redhat"
    } else if v.starts_with("suse") {
        "suse"
    } else if v.starts_with("opensuse") {
        "opensuse"
    } else if v.starts_with("fedora project") {
        "fedora"
    } else if v.starts_with("centos") {
        "centos"
    } else if v.starts_with("rocky enterprise software foundation") {
        "rocky"
    } else if v.starts_with("almalinux") {
        "almalinux"
    } else if v.starts_with("oracle america") {
        "oracle"
    } else if v.starts_with("microsoft") {
        let tag = release.rsplit('.').next().unwrap_or("");
        if tag.starts_with("cm") {
            "mariner"
        } else if tag.starts_with("azl") {
            "azurelinux"
        } else {
            return None;
        }
    } else {
        return None;
    };
    Some(ns)
}

/// The vendor as a party: `SUSE LLC <https://www.suse.com/>` is SUSE LLC, not an e-mail.
fn vendor_party(vendor: &str) -> Option<Party> {
    match vendor.split_once('<') {
        Some((name, rest)) if !rest.contains('@') => Party::parse(name),
        _ => Party::parse(vendor),
    }
}

/// `bash-5.2.15-3.fc38.src.rpm` → `bash` at `5.2.15-3.fc38`.
pub(crate) fn source_package(source_rpm: &str) -> Option<SourcePackage> {
    let nvr = source_rpm
        .strip_suffix(".src.rpm")
        .or_else(|| source_rpm.strip_suffix(".nosrc.rpm"))
        .unwrap_or(source_rpm);
    // Neither version nor release may contain '-', so the last two split off.
    let (nv, release) = nvr.rsplit_once('-')?;
    let (name, version) = nv.rsplit_once('-')?;
    if name.is_empty() || version.is_empty() || release.is_empty() {
        return None;
    }
    Some(SourcePackage {
        name: name.to_owned(),
        version: Some(format!("{version}-{release}")),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::os_release::parse_os_release;

    fn entry() -> RpmEntry {
        RpmEntry {
            name: "vim-minimal".into(),
            version: "9.0.1403".into(),
            release: "1.fc38".into(),
            epoch: Some(2),
            arch: Some("x86_64".into()),
            source_rpm: Some("vim-9.0.1403-1.fc38.src.rpm".into()),
            vendor: Some("Fedora Project".into()),
            license: Some("Vim AND MIT".into()),
            sigmd5: Some("00ff".into()),
            ..RpmEntry::default()
        }
    }

    #[test]
    fn purl_with_distro() {
        let env = Environment {
            distro: parse_os_release("ID=fedora\nVERSION_ID=38\n"),
            ..Environment::default()
        };
        let loc = Location::new("var/lib/rpm/rpmdb.sqlite", 0);
        let p = build(
            entry(),
            "sqlite",
            &loc,
            &env,
            DependencySpec::default(),
            "t",
        )
        .unwrap();
        assert_eq!(
            p.purl.as_str(),
            "pkg:rpm/fedora/vim-minimal@9.0.1403-1.fc38?arch=x86_64&distro=fedora-38&epoch=2&upstream=vim-9.0.1403-1.fc38.src.rpm"
        );
        assert_eq!(p.version, "9.0.1403-1.fc38");
        assert_eq!(p.supplier.as_ref().unwrap().name, "Fedora Project");
        assert_eq!(p.license_expression().as_deref(), Some("Vim AND MIT"));
        assert_eq!(
            p.source,
            Some(SourcePackage {
                name: "vim".into(),
                version: Some("9.0.1403-1.fc38".into())
            })
        );
        assert_eq!(p.checksums[0].algorithm, HashAlgorithm::Md5);
    }

    #[test]
    fn namespace_from_vendor_without_distro() {
        let loc = Location::new("var/lib/rpm/Packages", 0);
        let env = Environment::default();
        let mut e = entry();
        e.vendor = Some("Red Hat, Inc.".into());
        e.epoch = None;
        let p = build(e.clone(), "bdb", &loc, &env, DependencySpec::default(), "t").unwrap();
        assert_eq!(
            p.purl.as_str(),
            "pkg:rpm/redhat/vim-minimal@9.0.1403-1.fc38?arch=x86_64&upstream=vim-9.0.1403-1.fc38.src.rpm"
        );
        e.vendor = None;
        let p = build(e.clone(), "bdb", &loc, &env, DependencySpec::default(), "t").unwrap();
        assert!(p.purl.as_str().starts_with("pkg:rpm/vim-minimal@"));
        assert_eq!(p.supplier, None);
    }

    #[test]
    fn vendors() {
        assert_eq!(vendor_namespace("Amazon Linux", "1.amzn2023"), Some("amzn"));
        assert_eq!(
            vendor_namespace("SUSE LLC <https://www.suse.com/>", "1.1"),
            Some("suse")
        );
        assert_eq!(
            vendor_namespace("Microsoft Corporation", "12.cm2"),
            Some("mariner")
        );
        assert_eq!(
            vendor_namespace("Microsoft Corporation", "1.azl3"),
            Some("azurelinux")
        );
        assert_eq!(vendor_namespace("Microsoft Corporation", "1"), None);
        assert_eq!(vendor_namespace("Example Corp", "1"), None);
        assert_eq!(
            vendor_party("SUSE LLC <https://www.suse.com/>").unwrap(),
            Party {
                name: "SUSE LLC".into(),
                email: None
            }
        );
        assert_eq!(
            vendor_party("Jane <jane@example.org>")
                .unwrap()
                .email
                .as_deref(),
            Some("jane@example.org")
        );
    }

    #[test]
    fn source_packages() {
        assert_eq!(
            source_package("bash-5.2.15-3.fc38.src.rpm").unwrap().name,
            "bash"
        );
        assert_eq!(
            source_package("skelcd-bci-2021.05.14-150300.4.8.1.src.rpm"),
            Some(SourcePackage {
                name: "skelcd-bci".into(),
                version: Some("2021.05.14-150300.4.8.1".into())
            })
        );
        assert_eq!(source_package("nonsense.src.rpm"), None);
        assert_eq!(source_package("-1-2.src.rpm"), None);
    }
}
