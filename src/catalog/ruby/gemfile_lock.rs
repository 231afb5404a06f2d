//! Bundler's `Gemfile.lock` (<https://bundler.io/man/gemfile.5.html>; writer:
//! <https://github.com/rubygems/rubygems/blob/master/bundler/lib/bundler/lockfile_generator.rb>).
//!
//! The `GEM`, `GIT`, `PATH` and `PLUGIN SOURCE` sections list resolved gems under `specs:`,
//! four spaces deep (`    rack (2.2.3)`, with a platform: `    nokogiri (1.13.0-x86_64-linux)`),
//! each followed by its dependencies six spaces deep (`      rack (>= 1.0)`). Other sections
//! (`PLATFORMS`, `DEPENDENCIES`, an unknown one) are skipped, as Syft does.

/// One locked gem.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct LockedGem {
    /// Gem name.
    pub name: String,
    /// Version without the platform.
    pub version: String,
    /// The platform suffix, when not `ruby`.
    pub platform: Option<String>,
    /// Names of the gems it depends on.
    pub dependencies: Vec<String>,
    /// 1-based line number.
    pub line: usize,
}

const SECTIONS: &[&str] = &["GEM", "GIT", "PATH", "PLUGIN SOURCE"];

/// The locked gems, in file order; lines that do not parse are reported with their number.
pub(crate) fn parse_gemfile_lock(text: &str) -> (Vec<LockedGem>, Vec<String>) {
    let mut gems: Vec<LockedGem> = Vec::new();
    let mut problems = Vec::new();
    let mut in_section = false;
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim_end_matches('\r');
        if line.trim().is_empty() {
            continue;
        }
        if !line.starts_with(' ') {
            in_section = SECTIONS.contains(&line.trim());
            continue;
        }
        if !in_section {
            continue;
        }
        let indent = line.len() - line.trim_start_matches(' ').len();
        let body = line.trim();
        match indent {
            4 => match parse_spec(body) {
                Some((name, version)) => {
                    let (version, platform) = split_platform(version);
                    gems.push(LockedGem {
                        name: name.to_owned(),
                        version: version.to_owned(),
                        platform: platform.map(str::to_owned),
                        dependencies: Vec::new(),
                        line: i + 1,
                    });
                }
                None => problems.push(format!("line {}: not `name (version)`: {body:?}", i + 1)),
            },
            6 => {
                let name = body.split([' ', '!']).next().unwrap_or(body);
                if let Some(g) = gems.last_mut() {
                    g.dependencies.push(name.to_owned());
                }
            }
            _ => {}
        }
    }
    (gems, problems)
}

fn parse_spec(body: &str) -> Option<(&str, &str)> {
    let (name, rest) = body.split_once(" (")?;
    let version = rest.strip_suffix(')')?;
    (!name.is_empty() && !version.is_empty() && !name.contains(' ')).then_some((name, version))
}

/// `1.13.0-x86_64-linux` → (`1.13.0`, `x86_64-linux`): RubyGems versions have no `-`
/// (a prerelease is `1.0.0.rc1`), so the first one starts the platform.
fn split_platform(version: &str) -> (&str, Option<&str>) {
    match version.split_once('-') {
        Some((v, p)) if !p.is_empty() => (v, Some(p)),
        _ => (version, None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections_platforms_and_dependencies() {
        let text = "GIT\n  remote: x\n  specs:\n    turbolinks (3.0.0)\n      coffee-rails\n\n\
                    GEM\n  remote: https://rubygems.org/\n  specs:\n    nokogiri (1.13.0-x86_64-linux)\n\
                    \x20     racc (~> 1.4)\n    racc (1.6.0)\n    broken entry\n\n\
                    BAD-SECTION\n    bad (1.0)\n\nDEPENDENCIES\n  nokogiri\n";
        let (gems, problems) = parse_gemfile_lock(text);
        let got: Vec<(&str, &str, Option<&str>)> = gems
            .iter()
            .map(|g| (g.name.as_str(), g.version.as_str(), g.platform.as_deref()))
            .collect();
        assert_eq!(
            got,
            [
                ("turbolinks", "3.0.0", None),
                ("nokogiri", "1.13.0", Some("x86_64-linux")),
                ("racc", "1.6.0", None),
            ]
        );
        assert_eq!(gems[0].dependencies, ["coffee-rails"]);
        assert_eq!(gems[1].dependencies, ["racc"]);
        assert_eq!(problems.len(), 1, "{problems:?}");
    }
}
