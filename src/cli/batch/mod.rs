//! `consign sbom --from-list FILE`: many images, one command, bounded parallelism.
//!
//! **The list**: one image per line, in any form `consign sbom` takes (a path, a prefixed
//! source, `registry:HOST/REPO…`); blank lines and lines starting with `#` are skipped, and
//! surrounding whitespace is trimmed. Relative paths are relative to the working directory.
//! An image's *index* is its 0-based position among the listed images (comments and blank
//! lines do not count), so editing comments never moves an image to another shard.
//!
//! **Shards**: `--shard I/N` (1 ≤ I ≤ N) takes the images whose index modulo N is I − 1:
//! round-robin, so that appending images to the list never moves an existing one to another
//! shard, and sorted lists spread evenly. `--shard auto/N` reads I − 1 from
//! `JOB_COMPLETION_INDEX`, which a Kubernetes Indexed Job sets (0-based). The N shards are
//! disjoint and together hold every image exactly once.
//!
//! **Outputs**: every `-o FORMAT=PATH` must name a file with a placeholder: `{name}` (the
//! image's name, see [`name_of`]), `{index}` (its index) or `{digest}` (`sha256-<hex>` of the
//! manifest, else of the config; an image with neither fails). `{{` and `}}` are literal
//! braces. Two images writing the same file is an error before anything is scanned (for
//! `{digest}`, when the second one finishes). Directories are created as needed.
//!
//! **Failures**: an image that cannot be scanned is reported on stderr as
//! `error: [INDEX] SOURCE: cause` and the others go on; the run then fails (exit 2) naming
//! how many failed. The summary line goes to stderr; stdout stays empty.

use std::collections::HashSet;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use anyhow::{Context, bail};

mod template;

pub use template::{Template, check_collisions};

/// One listed image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// 0-based position among the listed images.
    pub index: usize,
    /// 1-based line number in the list.
    pub line: usize,
    /// The image, as written.
    pub source: String,
}

/// Reads the list (`-` is stdin); see the module docs.
pub fn read_list(path: &Path) -> anyhow::Result<Vec<Entry>> {
    let text = if path.as_os_str() == "-" {
        let mut s = String::new();
        std::io::stdin()
            .lock()
            .read_to_string(&mut s)
            .context("cannot read the image list from stdin")?;
        s
    } else {
        std::fs::read_to_string(path)
            .with_context(|| format!("cannot read image list {}", path.display()))?
    };
    Ok(parse_list(&text))
}

/// The images of a list's text.
pub fn parse_list(text: &str) -> Vec<Entry> {
    text.lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim()))
        .filter(|(_, l)| !l.is_empty() && !l.starts_with('#'))
        .enumerate()
        .map(|(index, (line, source))| Entry {
            index,
            line,
            source: source.to_owned(),
        })
        .collect()
}

/// `--shard I/N`: shard `index` (1-based) of `count`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// 1 ≤ index ≤ count.
    pub index: usize,
    /// How many shards.
    pub count: usize,
}

impl Shard {
    /// Parses `I/N` or `auto/N`; `job_index` is `JOB_COMPLETION_INDEX` (0-based) for `auto`.
    pub fn parse(s: &str, job_index: Option<&str>) -> Result<Shard, String> {
        let bad = || format!("--shard {s:?}: expected I/N (1 ≤ I ≤ N) or auto/N");
        let (i, n) = s.split_once('/').ok_or_else(bad)?;
        let count = usize::from_str(n.trim()).map_err(|_| bad())?;
        let index = if i.trim() == "auto" {
            let Some(j) = job_index else {
                return Err(format!(
                    "--shard {s}: JOB_COMPLETION_INDEX is not set (auto/N is for Kubernetes \
                     Indexed Jobs; elsewhere give I/N)"
                ));
            };
            let j = usize::from_str(j.trim())
                .map_err(|_| format!("JOB_COMPLETION_INDEX={j:?} is not a number"))?;
            if j >= count {
                return Err(format!(
                    "--shard {s}: JOB_COMPLETION_INDEX={j} is out of range (0 to {}); the \
                     Job's completions must equal N",
                    count.saturating_sub(1)
                ));
            }
            j + 1
        } else {
            usize::from_str(i.trim()).map_err(|_| bad())?
        };
        if count == 0 || index == 0 || index > count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }

    /// Whether the image at `index` belongs to this shard.
    pub fn contains(&self, index: usize) -> bool {
        index % self.count == self.index - 1
    }
}

/// Runs `scan` on every entry with at most `jobs` at a time, calling `done` as each one
/// finishes (from the worker thread). A panic in one scan fails that image only. Only the
/// outcomes are kept (not the SBOMs), so memory is bounded by `jobs`, not by the list.
pub fn run_all<T, S, D>(entries: &[Entry], jobs: usize, scan: S, done: D) -> Vec<anyhow::Result<T>>
where
    T: Send,
    S: Fn(&Entry) -> anyhow::Result<T> + Sync,
    D: Fn(&Entry, &anyhow::Result<T>) + Sync,
{
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<anyhow::Result<T>>>> =
        Mutex::new(entries.iter().map(|_| None).collect());
    std::thread::scope(|s| {
        for _ in 0..jobs.clamp(1, entries.len().max(1)) {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(entry) = entries.get(i) else { break };
                    let outcome =
                        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| scan(entry)))
                            .unwrap_or_else(|p| {
                                let msg = p
                                    .downcast_ref::<&str>()
                                    .map(|s| (*s).to_owned())
                                    .or_else(|| p.downcast_ref::<String>().cloned())
                                    .unwrap_or_default();
                                Err(anyhow::anyhow!("internal error (panic): {msg}"))
                            });
                    done(entry, &outcome);
                    if let Ok(mut r) = results.lock() {
                        r[i] = Some(outcome);
                    }
                }
            });
        }
    });
    results
        .into_inner()
        .unwrap_or_default()
        .into_iter()
        .map(|r| r.unwrap_or_else(|| Err(anyhow::anyhow!("not scanned"))))
        .collect()
}

/// Claims output paths so that two images never write the same `{digest}` file.
#[derive(Default)]
pub struct Claims(Mutex<HashSet<PathBuf>>);

impl Claims {
    /// Claims `path`, failing when another image already has.
    pub fn claim(&self, path: &Path) -> anyhow::Result<()> {
        let mut set = self
            .0
            .lock()
            .map_err(|_| anyhow::anyhow!("output claims poisoned"))?;
        if !set.insert(path.to_owned()) {
            bail!("{} is written by another image of the list", path.display());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_skips_comments_and_blank_lines_and_numbers_images() {
        let e = parse_list("# header\n a.tar \n\n#b.tar\nregistry:h/r:1\n");
        assert_eq!(
            e,
            vec![
                Entry {
                    index: 0,
                    line: 2,
                    source: "a.tar".into()
                },
                Entry {
                    index: 1,
                    line: 5,
                    source: "registry:h/r:1".into()
                },
            ]
        );
    }

    #[test]
    fn shards_are_disjoint_and_cover_everything() {
        let shards: Vec<Shard> = (1..=3)
            .map(|i| Shard::parse(&format!("{i}/3"), None).unwrap())
            .collect();
        for index in 0..100 {
            assert_eq!(shards.iter().filter(|s| s.contains(index)).count(), 1);
        }
        assert!(shards[0].contains(0) && shards[1].contains(1) && shards[2].contains(5));
    }

    #[test]
    fn shard_parsing() {
        assert_eq!(Shard::parse("2/3", None), Ok(Shard { index: 2, count: 3 }));
        assert_eq!(
            Shard::parse("auto/3", Some("0")),
            Ok(Shard { index: 1, count: 3 })
        );
        for bad in ["0/3", "4/3", "1/0", "3", "a/b", "1/3/4"] {
            assert!(Shard::parse(bad, None).is_err(), "{bad}");
        }
        assert!(
            Shard::parse("auto/3", None)
                .unwrap_err()
                .contains("JOB_COMPLETION_INDEX")
        );
        assert!(
            Shard::parse("auto/3", Some("3"))
                .unwrap_err()
                .contains("out of range")
        );
    }

    #[test]
    fn one_failure_does_not_stop_the_rest() {
        let e = parse_list("a\nb\nc\nd\n");
        let seen = AtomicUsize::new(0);
        let out = run_all(
            &e,
            2,
            |x| {
                if x.source == "b" {
                    panic!("boom");
                }
                if x.source == "c" {
                    bail!("bad");
                }
                Ok(x.index)
            },
            |_, _| {
                seen.fetch_add(1, Ordering::Relaxed);
            },
        );
        assert_eq!(seen.load(Ordering::Relaxed), 4);
        let ok: Vec<bool> = out.iter().map(|o| o.is_ok()).collect();
        assert_eq!(ok, [true, false, false, true]);
        assert_eq!(
            out[1].as_ref().unwrap_err().to_string(),
            "internal error (panic): boom"
        );
    }
}
