//! Every rule, in one list (ruff's and cargo-deny's single registry). Adding a rule is one
//! file in `rules/` plus one line here; IDs and names are never reused.

use super::rule::{Rule, RuleMeta};
use super::rules::*;

/// All rules, in ID order within each family.
pub(crate) static RULES: &[&dyn Rule] = &[
    &base_not_pinned::BaseNotPinned,
    &base_latest_tag::BaseLatestTag,
    &base_too_old::BaseTooOld,
    &base_rebuild_available::BaseRebuildAvailable,
    &distro_eol::DistroEol,
    &apt_unpinned::AptUnpinned,
    &apk_unpinned::ApkUnpinned,
    &pip_unpinned::PipUnpinned,
    &npm_unpinned::NpmUnpinned,
    &gem_unpinned::GemUnpinned,
    &go_install_unpinned::GoInstallUnpinned,
    &cargo_install_unpinned::CargoInstallUnpinned,
    &curl_pipe_shell::CurlPipeShell,
    &add_url_unverified::AddUrlUnverified,
    &manifest_without_lockfile::ManifestWithoutLockfile,
    &image_too_old::ImageTooOld,
    &os_packages_outdated::OsPackagesOutdated,
    &runs_as_root::RunsAsRoot,
    &sensitive_port::SensitivePort,
    &setuid_file::SetuidFile,
    &no_healthcheck::NoHealthcheck,
    &add_instead_of_copy::AddInsteadOfCopy,
    &package_cache_left::PackageCacheLeft,
    &sudo_installed::SudoInstalled,
    &world_writable::WorldWritable,
    &missing_labels::MissingLabels,
    &secret_in_env::SecretInEnv,
    &secret_in_history::SecretInHistory,
    &secret_in_file::SecretInFile,
    &denied_license::DeniedLicense,
    &unknown_license::UnknownLicense,
    &denied_package::DeniedPackage,
    &unmatched_exception::UnmatchedException,
    &expired_exception::ExpiredException,
];

/// Every rule's metadata, in registry order.
pub fn rules() -> impl Iterator<Item = &'static RuleMeta> {
    RULES.iter().map(|r| r.meta())
}

/// The rule with this ID or name (IDs case-insensitive).
pub fn lookup(id_or_name: &str) -> Option<&'static RuleMeta> {
    rules().find(|m| m.id.eq_ignore_ascii_case(id_or_name) || m.name == id_or_name)
}
