//! Which files' bytes to keep while a layer streams by.
//!
//! Every cataloger declares globs up front ([`crate::catalog::Cataloger::wants`]); they are
//! compiled once into one [`globset::GlobSet`], matched against each entry path during the
//! single pass over a layer. Only matching regular files are read into memory (up to the
//! per-file cap); everything else keeps metadata only.

use globset::{Glob, GlobBuilder, GlobSet, GlobSetBuilder};

/// A compiled set of wanted globs, remembering which owner (cataloger) asked for each.
#[derive(Debug, Clone)]
pub struct Wants {
    set: GlobSet,
    owners: Vec<usize>,
    owner_count: usize,
}

/// Compiles one glob with the semantics catalogers expect: `*` and `?` never cross `/`,
/// `**` spans directories.
pub fn compile(pattern: &str) -> Result<Glob, globset::Error> {
    GlobBuilder::new(pattern).literal_separator(true).build()
}

impl Wants {
    /// Builds the set from each owner's globs; owner `i` is `groups[i]`.
    pub fn new(groups: &[&[&str]]) -> Result<Self, globset::Error> {
        let mut builder = GlobSetBuilder::new();
        let mut owners = Vec::new();
        for (owner, globs) in groups.iter().enumerate() {
            for g in *globs {
                builder.add(compile(g)?);
                owners.push(owner);
            }
        }
        Ok(Wants {
            set: builder.build()?,
            owners,
            owner_count: groups.len(),
        })
    }

    /// True when some owner wants the file at `path`.
    pub fn is_wanted(&self, path: &str) -> bool {
        self.set.is_match(path)
    }

    /// Marks in `out` (one flag per owner) every owner that wants `path`.
    pub fn mark_owners(&self, path: &str, out: &mut [bool]) {
        for i in self.set.matches(path) {
            out[self.owners[i]] = true;
        }
    }

    /// How many owners the set was built from.
    pub fn owner_count(&self) -> usize {
        self.owner_count
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn star_stays_in_a_directory() {
        let w = Wants::new(&[&["var/lib/dpkg/status.d/*"], &["**/METADATA"]]).unwrap();
        assert!(w.is_wanted("var/lib/dpkg/status.d/libc6"));
        assert!(!w.is_wanted("var/lib/dpkg/status.d/sub/libc6"));
        assert!(w.is_wanted("usr/lib/python3/dist-packages/a.dist-info/METADATA"));
        assert!(w.is_wanted("METADATA"));
        let mut owners = vec![false; 2];
        w.mark_owners("var/lib/dpkg/status.d/libc6", &mut owners);
        assert_eq!(owners, [true, false]);
    }
}
