fn main() {
    for s in [
        "BSD",
        "GPL",
        "GPL2",
        "GPL2+",
        "GPL-2",
        "GPL-2+",
        "GPLv2+",
        "LGPL-2.1+",
        "MIT BSD GPL2+",
        "MPL-2.0 GPL-2.0-or-later",
        "zlib",
        "OpenSSL",
        "Expat",
        "Artistic-1.0",
        "GPL-2+ or Artistic-1.0",
        "public-domain",
        "Apache-2.0",
        "BSD-3-clause",
        "LGPL",
        "GPL-2.0",
        "GPL-3+ WITH Autoconf-exception-3.0",
        "Perl",
        "PD",
    ] {
        println!("{s:?} -> {:?}", consign::model::License::parse(s));
    }
    let p = consign::model::Purl::builder("deb", "libattr1")
        .namespace("debian")
        .version("1:2.5.1-4")
        .qualifier("arch", "arm64")
        .qualifier("upstream", "attr@1:2.5.1-4+b1")
        .qualifier("distro", "debian-12")
        .build()
        .unwrap();
    println!("{p}");
}
