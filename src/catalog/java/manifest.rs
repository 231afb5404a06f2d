//! `META-INF/MANIFEST.MF` and archive file names: the identity of a Java archive that has no
//! `pom.properties`.
//!
//! Manifest format: <https://docs.oracle.com/en/java/javase/21/docs/specs/jar/jar.html#jar-manifest>
//! (`Name: value` lines, continuation lines start with one space, sections separated by a
//! blank line; only the main section is read). OSGi headers:
//! <https://docs.osgi.org/specification/osgi.core/8.0.0/framework.module.html>.

/// The main-section attributes this cataloger uses; the rest is dropped from the summary.
pub(crate) const KEPT: &[&str] = &[
    "Implementation-Title",
    "Implementation-Version",
    "Implementation-Vendor",
    "Implementation-Vendor-Id",
    "Specification-Title",
    "Specification-Version",
    "Bundle-SymbolicName",
    "Bundle-Version",
    "Bundle-Name",
    "Bundle-License",
    "Automatic-Module-Name",
    "Extension-Name",
];

/// The main section's attributes, in order, continuation lines joined.
pub(crate) fn parse_main_section(text: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for line in text.lines() {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.is_empty() {
            break;
        }
        if let Some(cont) = line.strip_prefix(' ') {
            if let Some(last) = out.last_mut() {
                last.1.push_str(cont);
            }
            continue;
        }
        if let Some((k, v)) = line.split_once(':') {
            out.push((k.trim().to_owned(), v.trim().to_owned()));
        }
    }
    out
}

/// The value of `key` in `attrs` (case-insensitive, as the spec says), non-empty.
pub(crate) fn get<'a>(attrs: &'a [(String, String)], key: &str) -> Option<&'a str> {
    attrs
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(key))
        .map(|(_, v)| v.as_str())
        .filter(|v| !v.is_empty())
}

/// An archive's file name split into name and version the way Syft does
/// (`jackson-annotations-2.15.0-rc2.jar` → `jackson-annotations`, `2.15.0-rc2`): the version
/// starts at the first `-`-separated part after the first that begins with a digit.
pub(crate) fn split_file_name(file_name: &str) -> (String, Option<String>) {
    let stem = file_name
        .rsplit_once('.')
        .map_or(file_name, |(stem, _ext)| stem);
    let parts: Vec<&str> = stem.split('-').collect();
    match parts
        .iter()
        .skip(1)
        .position(|p| p.starts_with(|c: char| c.is_ascii_digit()))
    {
        Some(i) => (parts[..=i].join("-"), Some(parts[i + 1..].join("-"))),
        None => (stem.to_owned(), None),
    }
}

/// The OSGi bundle symbolic name without its directives (`org.foo.bar;singleton:=true`).
pub(crate) fn symbolic_name(attrs: &[(String, String)]) -> Option<&str> {
    get(attrs, "Bundle-SymbolicName")
        .map(|v| v.split(';').next().unwrap_or(v).trim())
        .filter(|v| !v.is_empty())
}

/// A Maven group id read from the manifest, as Syft guesses one when there is no
/// `pom.properties`: the bundle symbolic name, automatic module name or vendor id, when it
/// looks like a reverse domain name; with the artifact's own name stripped from its end
/// (`com.fasterxml.jackson.core.jackson-annotations`). Only a guess: `io.netty.buffer` stays
/// whole although the group is `io.netty`.
pub(crate) fn group_id(attrs: &[(String, String)], artifact: &str) -> Option<String> {
    let candidates = [
        symbolic_name(attrs),
        get(attrs, "Automatic-Module-Name"),
        get(attrs, "Implementation-Vendor-Id"),
        get(attrs, "Extension-Name"),
    ];
    let dotted = |v: &&str| {
        v.contains('.')
            && !v.contains(char::is_whitespace)
            && v.split('.').next().is_some_and(|tld| {
                matches!(
                    tld,
                    "com"
                        | "org"
                        | "io"
                        | "net"
                        | "de"
                        | "jakarta"
                        | "javax"
                        | "edu"
                        | "ch"
                        | "fr"
                        | "uk"
                        | "eu"
                        | "me"
                        | "dev"
                        | "co"
                        | "info"
                        | "biz"
                        | "gov"
                        | "nl"
                )
            })
    };
    let found = candidates.into_iter().flatten().find(dotted)?;
    let group = found
        .strip_suffix(artifact)
        .and_then(|g| g.strip_suffix('.'))
        .filter(|g| g.contains('.'))
        .unwrap_or(found);
    (!group.is_empty()).then(|| group.to_owned())
}

/// Maven coordinates `(group, artifact, version)` from a repository layout path: a local
/// Maven repository (`…/repository/org/apache/commons/commons-lang3/3.12.0/commons-lang3-3.12.0.jar`,
/// also Debian's `usr/share/maven-repo/`) or Gradle's cache
/// (`…/files-2.1/org.apache.commons/commons-lang3/3.12.0/<sha1>/commons-lang3-3.12.0.jar`).
/// The layout is the repository's own index, so it beats any guess from the manifest.
pub(crate) fn repository_coordinates(path: &str) -> Option<(String, String, String)> {
    let parts: Vec<&str> = path.split('/').collect();
    let n = parts.len();
    let file = *parts.last()?;
    let named = |a: &str, v: &str| file.starts_with(&format!("{a}-{v}"));
    if let Some(i) = parts.iter().rposition(|p| *p == "files-2.1") {
        let (g, a, v) = (parts.get(i + 1)?, parts.get(i + 2)?, parts.get(i + 3)?);
        return (n == i + 6 && named(a, v)).then(|| (g.to_string(), a.to_string(), v.to_string()));
    }
    if n < 5 {
        return None;
    }
    let (a, v) = (parts[n - 3], parts[n - 2]);
    let root = parts[..n - 3]
        .iter()
        .rposition(|p| *p == "repository" || *p == "maven-repo")?;
    let group = parts[root + 1..n - 3].join(".");
    (named(a, v) && !group.is_empty()).then(|| (group, a.to_owned(), v.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn continuation_lines_and_sections() {
        let text = "Manifest-Version: 1.0\r\nBundle-SymbolicName: com.fasterxml.jackson.core.jac\r\n kson-annotations\r\nImplementation-Version: 2.15.0-rc2\r\n\r\nName: other\r\nImplementation-Version: 9\r\n";
        let m = parse_main_section(text);
        assert_eq!(
            symbolic_name(&m),
            Some("com.fasterxml.jackson.core.jackson-annotations")
        );
        assert_eq!(get(&m, "implementation-version"), Some("2.15.0-rc2"));
        assert_eq!(m.len(), 3);
        assert_eq!(
            group_id(&m, "jackson-annotations").as_deref(),
            Some("com.fasterxml.jackson.core")
        );
    }

    #[test]
    fn file_names() {
        let split = |s| split_file_name(s);
        assert_eq!(
            split("jackson-annotations-2.15.0-rc2.jar"),
            ("jackson-annotations".into(), Some("2.15.0-rc2".into()))
        );
        assert_eq!(split("commons-lang3.jar"), ("commons-lang3".into(), None));
        assert_eq!(
            split("log4j-1.2.17.jar"),
            ("log4j".into(), Some("1.2.17".into()))
        );
        assert_eq!(split("2048.jar"), ("2048".into(), None));
    }

    #[test]
    fn repository_layouts() {
        let c = |p| repository_coordinates(p);
        let want = Some((
            "org.apache.commons".to_owned(),
            "commons-lang3".to_owned(),
            "3.12.0".to_owned(),
        ));
        assert_eq!(
            c(
                "root/.m2/repository/org/apache/commons/commons-lang3/3.12.0/commons-lang3-3.12.0.jar"
            ),
            want
        );
        assert_eq!(
            c(
                "home/u/.gradle/caches/modules-2/files-2.1/org.apache.commons/commons-lang3/3.12.0/\
               0123abcd/commons-lang3-3.12.0.jar"
            ),
            want
        );
        assert_eq!(c("opt/app/lib/3.12.0/commons-lang3-3.12.0.jar"), None);
        assert_eq!(
            c("repository/commons-lang3/3.12.0/commons-lang3-3.12.0.jar"),
            None
        );
        assert_eq!(c("x/repository/org/a/1.0/other-1.0.jar"), None);
    }

    #[test]
    fn group_guesses() {
        let attrs = |k: &str, v: &str| vec![(k.to_owned(), v.to_owned())];
        assert_eq!(
            group_id(
                &attrs("Bundle-SymbolicName", "org.apache.commons.lang3"),
                "commons-lang3"
            ),
            Some("org.apache.commons.lang3".into())
        );
        assert_eq!(
            group_id(&attrs("Implementation-Vendor-Id", "Acme Corp"), "x"),
            None
        );
        assert_eq!(
            group_id(
                &attrs("Automatic-Module-Name", "io.netty.buffer"),
                "netty-buffer"
            ),
            Some("io.netty.buffer".into())
        );
    }
}
