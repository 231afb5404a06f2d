//! The rpm header tags the cataloger reads, numbered as rpm's `rpmtag.h` numbers them.
//! See <https://rpm-software-management.github.io/rpm/manual/tags.html>.

/// The immutable header region (the signed part of the header).
pub const HEADERIMMUTABLE: u32 = 63;
/// The legacy region tag some old headers carry in the region trailer.
pub const HEADERIMAGE: u32 = 61;
/// MD5 of header and payload, as signed (`BIN`, 16 bytes).
pub const SIGMD5: u32 = 261;
/// Package name.
pub const NAME: u32 = 1000;
/// Upstream version.
pub const VERSION: u32 = 1001;
/// Distribution release.
pub const RELEASE: u32 = 1002;
/// Epoch (`INT32`), absent when the package has none.
pub const EPOCH: u32 = 1003;
/// One-line summary (`I18NSTRING`).
pub const SUMMARY: u32 = 1004;
/// Installed size in bytes (`INT32`).
pub const SIZE: u32 = 1009;
/// Vendor.
pub const VENDOR: u32 = 1011;
/// License text: SPDX or legacy distribution short names.
pub const LICENSE: u32 = 1014;
/// Upstream home page.
pub const URL: u32 = 1020;
/// Architecture (`noarch` for architecture-independent packages).
pub const ARCH: u32 = 1022;
/// Full file paths, in headers older than rpm 4.0's compressed file lists.
pub const OLDFILENAMES: u32 = 1027;
/// The source rpm's file name, e.g. `bash-5.2.15-3.fc38.src.rpm`.
pub const SOURCERPM: u32 = 1044;
/// Names the package provides (versions are in `PROVIDEVERSION`).
pub const PROVIDENAME: u32 = 1047;
/// `RPMSENSE_*` flags of each requirement.
pub const REQUIREFLAGS: u32 = 1048;
/// Names (or rich expressions) the package requires.
pub const REQUIRENAME: u32 = 1049;
/// For each file, the index of its directory in `DIRNAMES`.
pub const DIRINDEXES: u32 = 1116;
/// File names without their directory.
pub const BASENAMES: u32 = 1117;
/// Directory names, each ending in `/`.
pub const DIRNAMES: u32 = 1118;
/// Installed size as a 64-bit value, present when it exceeds 4 GiB.
pub const LONGSIZE: u32 = 5009;
/// The module stream a modular package belongs to (RHEL 8 AppStream).
pub const MODULARITYLABEL: u32 = 5096;
