//! Reading an image archive from a non-seekable stream (stdin, or a gzip-compressed
//! `docker save`) in a single pass.
//!
//! Members arrive in whatever order the writer chose; Docker 25+ writes `manifest.json` last.
//! So each member is classified by its first bytes: a layer (tar, gzip or zstd magic) is read
//! and indexed on the spot (`layer::read_layer`), small JSON is kept in memory, anything else
//! is skipped. At the end the metadata is planned exactly as for a seekable archive and the
//! layers the chosen manifest names are matched up and verified; layers of other images in
//! the archive are discarded. A member that looked like a layer but failed to read is an
//! error only if the chosen image uses it.

use std::collections::{HashMap, HashSet};
use std::io::{self, Read};

use super::layer::{self, LayerRead};
use super::plan::{self, ImagePlan, Layout, Selector};
use super::store::MemStore;
use super::{Limits, Progress, ProgressReader};
use crate::fs::{Wants, path as fspath};
use crate::{Error, Result};

/// Reads the whole archive from `reader` and returns the plan and the chosen image's layers.
pub fn load(
    reader: impl Read,
    name: &str,
    layout: Layout,
    sel: &Selector,
    wants: &Wants,
    limits: &Limits,
    progress: Option<&dyn Progress>,
) -> Result<(ImagePlan, Vec<LayerRead>)> {
    let mut archive = tar::Archive::new(reader);
    let mut mem = MemStore::new(name);
    let mut layers: HashMap<String, Result<LayerRead>> = HashMap::new();
    // The top-level documents seen, to refuse a second copy.
    let mut seen: HashSet<String> = HashSet::new();
    let capture = layer::Capture::new(wants, limits);
    let corrupt = |e: io::Error| match super::limits::exceeded(&e) {
        Some(reason) => Error::Limit {
            what: name.to_owned(),
            reason,
        },
        None => Error::archive(name, format!("corrupt archive: {e}")),
    };
    for entry in archive.entries().map_err(corrupt)? {
        let mut entry = entry.map_err(corrupt)?;
        let raw = entry.path_bytes().into_owned();
        let Ok(norm) = fspath::normalize(&raw) else {
            return Err(Error::archive(
                name,
                format!(
                    "member {:?} escapes the archive root (path traversal)",
                    String::from_utf8_lossy(&raw)
                ),
            ));
        };
        let path = norm.path;
        let kind = entry.header().entry_type();
        if super::store::is_ambiguous_twice(&path) && !seen.insert(path.clone()) {
            return Err(super::store::duplicate(name, &path));
        }
        match kind {
            tar::EntryType::Symlink => {
                let target = entry.link_name_bytes().unwrap_or_default();
                let joined = format!(
                    "{}/{}",
                    fspath::parent(&path),
                    String::from_utf8_lossy(&target)
                );
                if let Ok(t) = fspath::normalize(joined.as_bytes()) {
                    mem.link(path, t.path);
                }
                continue;
            }
            tar::EntryType::Link => {
                let target = entry.link_name_bytes().unwrap_or_default();
                if let Ok(t) = fspath::normalize(&target) {
                    mem.link(path, t.path);
                }
                continue;
            }
            tar::EntryType::Regular | tar::EntryType::Continuous => {}
            _ => continue,
        }
        let size = entry.size();
        let mut head = vec![0u8; size.min(512) as usize];
        read_full(&mut entry, &mut head).map_err(corrupt)?;
        // Metadata is JSON; everything else may be a layer (tar, gzip or zstd — or an empty
        // layer, which is just zero blocks). A member that fails to read as a layer is an
        // error only if the chosen image uses it.
        let is_json = matches!(
            head.iter().find(|b| !b.is_ascii_whitespace()),
            Some(b'{' | b'[')
        );
        let looks_like_layer = !is_json;
        if looks_like_layer {
            let input = ProgressReader::new(io::Cursor::new(head).chain(&mut entry), progress);
            let read = layer::read_layer_inline(input, &path, None, &capture);
            if let Some(p) = progress {
                p.layer_done();
            }
            layers.insert(path, read);
        } else if size <= limits.max_json_bytes {
            let mut bytes = head;
            entry.read_to_end(&mut bytes).map_err(corrupt)?;
            mem.insert(path, bytes);
        } else {
            layers.insert(
                path.clone(),
                Err(Error::Limit {
                    what: path,
                    reason: format!(
                        "metadata document larger than {} bytes",
                        limits.max_json_bytes
                    ),
                }),
            );
        }
    }
    let plan = plan::plan(&mem, layout, sel, limits)?;
    super::check_layer_count(&plan, limits)?;
    let mut uses: HashMap<String, usize> = HashMap::new();
    for lp in &plan.layers {
        *uses.entry(mem.canonical(&lp.path)).or_default() += 1;
    }
    let mut out = Vec::with_capacity(plan.layers.len());
    for (i, lp) in plan.layers.iter().enumerate() {
        let key = mem.canonical(&lp.path);
        let wrap = |e: Error| Error::Layer {
            index: i,
            blob: lp.path.clone(),
            error: Box::new(e),
        };
        let left = uses.get_mut(&key).map_or(0, |n| {
            *n -= 1;
            *n
        });
        let read = match layers.remove(&key) {
            None => {
                return Err(wrap(Error::manifest(
                    &lp.path,
                    format!("missing from {name}"),
                )));
            }
            Some(Err(e)) => return Err(wrap(e)),
            Some(Ok(r)) => {
                // The same blob used twice in one image: keep a copy for the next use.
                if left > 0 {
                    layers.insert(key, Ok(r.clone()));
                }
                r
            }
        };
        super::verify_layer(lp, &read).map_err(wrap)?;
        out.push(read);
    }
    Ok((plan, out))
}

fn read_full(r: &mut impl Read, buf: &mut [u8]) -> io::Result<()> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..]) {
            Ok(0) => {
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "member shorter than its header says",
                ));
            }
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}
