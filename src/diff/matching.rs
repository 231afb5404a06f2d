//! Matching packages across the two SBOMs and classifying each difference.
//!
//! 1. Both sides are grouped by [`Key`]: one key may hold several packages (the same package
//!    at several versions, or listed once per location by Trivy).
//! 2. A key that has no exact counterpart but is *looser* than exactly one unmatched key of
//!    the other side — no type (no purl and no hint), or an OS package without `arch` (Syft
//!    writes no purl for dpkg packages when it cannot tell the distribution) — is taken as
//!    that key. Two or more candidates stay unmatched: guessing would invent changes.
//! 3. Ecosystems only one side lists, from different producers, are set aside (see the
//!    parent module).
//! 4. Within a key, versions equal under the ecosystem's ordering are the same package
//!    (checked for hash, license and supplier changes); the remaining old and new versions
//!    are paired in ascending order and classified as upgrades or downgrades; what is left
//!    over was added or removed.

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::key::{Identity, Key, identity};
use super::{Change, ChangeKind, NotCompared, Version};
use crate::Sbom;
use crate::model::Package;
use crate::version::{Scheme, compare as vcompare};

/// A package (or a version of one) on either or both sides.
pub(super) struct Pair<'a> {
    pub ecosystem: String,
    pub old: Option<&'a Package>,
    pub new: Option<&'a Package>,
}

/// The outcome of matching.
pub(super) struct Matched<'a> {
    pub changes: Vec<Change>,
    pub unchanged: BTreeMap<String, usize>,
    pub ecosystems: BTreeSet<String>,
    pub not_compared: Vec<NotCompared>,
    pub pairs: Vec<Pair<'a>>,
}

/// A package with its identity, read once.
type Read<'a> = Identity<'a>;

/// Hashed, not ordered: the output is sorted at the end, so the walk order does not matter.
type Groups<'a> = HashMap<Key, Vec<Read<'a>>>;

fn group(s: &Sbom) -> Groups<'_> {
    let mut g: Groups<'_> = HashMap::with_capacity(s.packages.len());
    // A package dpkg lists but that is not installed (only its configuration files remain)
    // is not in the image: Trivy leaves it out, consign marks it.
    for p in s.packages.iter().filter(|p| p.not_installed().is_none()) {
        let id = identity(p);
        g.entry(id.key.clone()).or_default().push(id);
    }
    g
}

/// True when `loose` may stand for `strict` (step 2 of the module docs).
fn covers(loose: &Key, strict: &Key) -> bool {
    let ty_ok = loose.ty() == strict.ty() || loose.is_untyped();
    let q_ok = loose.qualifiers().eq(strict.qualifiers()) || loose.qualifiers().next().is_none();
    ty_ok
        && q_ok
        && loose != strict
        && loose
            .display_name()
            .eq_ignore_ascii_case(&strict.display_name())
}

/// Rekeys `a`'s unmatched loose keys onto the unique unmatched key of `b` they stand for.
fn resolve_loose(a: &mut Groups<'_>, b: &Groups<'_>) {
    let unmatched_b: Vec<&Key> = b.keys().filter(|k| !a.contains_key(*k)).collect();
    let mut by_name: BTreeMap<String, Vec<&Key>> = BTreeMap::new();
    for k in &unmatched_b {
        by_name
            .entry(k.display_name().to_ascii_lowercase())
            .or_default()
            .push(k);
    }
    let moves: Vec<(Key, Key)> = a
        .keys()
        .filter(|k| !b.contains_key(*k))
        .filter_map(|k| {
            let candidates: Vec<&&Key> = by_name
                .get(&k.display_name().to_ascii_lowercase())?
                .iter()
                .filter(|s| covers(k, s))
                .collect();
            match candidates.as_slice() {
                [one] => Some((k.clone(), (**one).clone())),
                _ => None,
            }
        })
        .collect();
    for (from, to) in moves {
        if let Some(pkgs) = a.remove(&from) {
            a.entry(to).or_default().extend(pkgs);
        }
    }
}

fn ecosystem(k: &Key) -> String {
    if k.is_untyped() {
        "unknown".to_owned()
    } else {
        k.ty().to_owned()
    }
}

/// Compares the two SBOMs; see the module docs.
pub(super) fn compare<'a>(old: &'a Sbom, new: &'a Sbom, same_producer: bool) -> Matched<'a> {
    let mut a = group(old);
    let mut b = group(new);
    resolve_loose(&mut a, &b);
    resolve_loose(&mut b, &a);

    let ecos = |g: &Groups<'_>| -> BTreeMap<String, usize> {
        let mut m = BTreeMap::new();
        for (k, v) in g {
            *m.entry(ecosystem(k)).or_insert(0) += v.len();
        }
        m
    };
    let (ea, eb) = (ecos(&a), ecos(&b));
    let mut skipped: BTreeSet<String> = BTreeSet::new();
    let mut not_compared = Vec::new();
    if !same_producer {
        for (eco, n, side, other) in ea
            .iter()
            .map(|(e, n)| (e, n, "old", &eb))
            .chain(eb.iter().map(|(e, n)| (e, n, "new", &ea)))
        {
            if !other.contains_key(eco) {
                skipped.insert(eco.clone());
                not_compared.push(NotCompared {
                    ecosystem: eco.clone(),
                    side: side.to_owned(),
                    packages: *n,
                    reason: format!(
                        "only the {side} SBOM lists {eco} packages, and the two come from \
                         different producers: the other may not catalog them"
                    ),
                });
            }
        }
    }
    let mut out = Matched {
        changes: Vec::new(),
        unchanged: BTreeMap::new(),
        ecosystems: ea
            .keys()
            .chain(eb.keys())
            .filter(|e| !skipped.contains(*e))
            .cloned()
            .collect(),
        not_compared,
        pairs: Vec::new(),
    };
    let keys = a.keys().chain(b.keys().filter(|k| !a.contains_key(*k)));
    for k in keys {
        let eco = ecosystem(k);
        if skipped.contains(&eco) {
            continue;
        }
        let none = Vec::new();
        let olds = a.get(k).unwrap_or(&none);
        let news = b.get(k).unwrap_or(&none);
        compare_key(k, &eco, olds, news, same_producer, &mut out);
    }
    out.changes.sort_by(|x, y| {
        (&x.ecosystem, x.name.to_ascii_lowercase(), &x.arch, x.kind)
            .cmp(&(&y.ecosystem, y.name.to_ascii_lowercase(), &y.arch, y.kind))
            .then_with(|| version_text(&x.old).cmp(version_text(&y.old)))
            .then_with(|| version_text(&x.new).cmp(version_text(&y.new)))
    });
    out
}

fn version_text(v: &Option<Version>) -> &str {
    v.as_ref().map_or("", |v| v.version.as_str())
}

/// The distinct versions of a key's packages, ascending, one package each.
fn distinct<'a>(scheme: Scheme, pkgs: &[Read<'a>]) -> Vec<(String, &'a Package)> {
    let mut out: Vec<(String, &Package)> = Vec::new();
    for id in pkgs {
        let v = &id.version;
        if !out
            .iter()
            .any(|(w, _)| vcompare(scheme, w, v) == Ordering::Equal)
        {
            out.push((v.clone().into_owned(), id.package));
        }
    }
    out.sort_by(|(x, _), (y, _)| vcompare(scheme, x, y));
    out
}

fn compare_key<'a>(
    k: &Key,
    eco: &str,
    old_reads: &[Read<'a>],
    new_reads: &[Read<'a>],
    same_producer: bool,
    out: &mut Matched<'a>,
) {
    let scheme = Scheme::for_purl_type(k.ty());
    // Shown only for packages that changed: most do not, and working it out costs.
    let shown = std::cell::OnceCell::new();
    let name = || {
        shown
            .get_or_init(|| {
                new_reads
                    .first()
                    .or(old_reads.first())
                    .map(Identity::display)
                    .unwrap_or_else(|| k.display_name())
            })
            .clone()
    };
    let mut olds = distinct(scheme, old_reads);
    let mut news = distinct(scheme, new_reads);
    let arch = k.arch().map(str::to_owned).or_else(|| {
        news.first()
            .or(olds.first())
            .and_then(|(_, p)| p.arch.clone())
    });
    let change = |kind,
                  old: Option<&(String, &Package)>,
                  new: Option<&(String, &Package)>,
                  details| Change {
        kind,
        ecosystem: eco.to_owned(),
        name: name(),
        arch: arch.clone(),
        old: old.map(|(v, p)| version(v, p)),
        new: new.map(|(v, p)| version(v, p)),
        details,
    };
    // Equal versions first.
    let mut kept = 0;
    let mut i = 0;
    while i < olds.len() {
        let pos = news
            .iter()
            .position(|(v, _)| vcompare(scheme, &olds[i].0, v) == Ordering::Equal);
        let Some(j) = pos else {
            i += 1;
            continue;
        };
        let (o, n) = (olds.remove(i), news.remove(j));
        kept += 1;
        let details = in_place(o.1, n.1, same_producer);
        if details.is_empty() {
            *out.unchanged.entry(eco.to_owned()).or_insert(0) += 1;
        } else {
            out.changes
                .push(change(ChangeKind::Changed, Some(&o), Some(&n), details));
        }
        out.pairs.push(pair(eco, Some(o.1), Some(n.1)));
    }
    let (lo, ln) = (olds.len(), news.len());
    let paired = lo.min(ln);
    // Pair the highest versions with each other: an extra version is most often an old one
    // kept beside the new (or a new one added beside the old).
    for (o, n) in olds[lo - paired..].iter().zip(&news[ln - paired..]) {
        let kind = match vcompare(scheme, &o.0, &n.0) {
            Ordering::Greater => ChangeKind::Downgraded,
            _ => ChangeKind::Upgraded,
        };
        out.changes.push(change(kind, Some(o), Some(n), Vec::new()));
        out.pairs.push(pair(eco, Some(o.1), Some(n.1)));
    }
    // A version added or removed while the package stays at another version.
    let remains = |other_side: usize| {
        if kept + other_side > 0 {
            vec!["other-version-remains".to_owned()]
        } else {
            Vec::new()
        }
    };
    for o in &olds[..lo - paired] {
        out.changes
            .push(change(ChangeKind::Removed, Some(o), None, remains(ln)));
        out.pairs.push(pair(eco, Some(o.1), None));
    }
    for n in &news[..ln - paired] {
        out.changes
            .push(change(ChangeKind::Added, None, Some(n), remains(lo)));
        out.pairs.push(pair(eco, None, Some(n.1)));
    }
}

fn pair<'a>(eco: &str, old: Option<&'a Package>, new: Option<&'a Package>) -> Pair<'a> {
    Pair {
        ecosystem: eco.to_owned(),
        old,
        new,
    }
}

fn version(v: &str, p: &Package) -> Version {
    Version {
        version: v.to_owned(),
        purl: (!p.synthetic_purl).then(|| p.purl.to_string()),
        licenses: p.licenses.iter().map(|l| l.as_str().to_owned()).collect(),
    }
}

/// What differs between two records of the same version.
fn in_place(o: &Package, n: &Package, same_producer: bool) -> Vec<String> {
    let mut details = Vec::new();
    let hash_differs = o.checksums.iter().any(|a| {
        n.checksums
            .iter()
            .any(|b| a.algorithm == b.algorithm && !a.value.eq_ignore_ascii_case(&b.value))
    });
    if hash_differs {
        details.push("hash".to_owned());
    }
    if same_producer {
        if super::licenses::differ(o, n) {
            details.push("license".to_owned());
        }
        let supplier_differs = match (&o.supplier, &n.supplier) {
            (Some(a), Some(b)) => !a.name.eq_ignore_ascii_case(&b.name),
            (a, b) => a.is_some() != b.is_some(),
        };
        if supplier_differs {
            details.push("supplier".to_owned());
        }
    }
    details
}
