//! Declared licenses of a Python distribution, in order of authority:
//!
//! 1. `License-Expression` (PEP 639, <https://peps.python.org/pep-0639/>): an SPDX expression.
//! 2. `License`, when it is an SPDX expression or a name `license_names` maps without guessing
//!    (`MIT`, `Apache-2.0`, `GPLv3+`); free text (often the whole license) is not a license id.
//! 3. Trove classifiers (`License :: OSI Approved :: MIT License`), mapped to SPDX ids only when
//!    the classifier names one license version (<https://pypi.org/classifiers/>); a family
//!    (`BSD License`, `Apache Software License`) stays a name.
//! 4. Otherwise a short one-line `License` value is kept verbatim as a name.

use crate::catalog::license_names::{BareList, parse_license_field};
use crate::model::License;

use super::metadata::CoreMetadata;

/// Classifier suffixes (after `License :: [OSI Approved :: ]`) that name exactly one SPDX id.
const CLASSIFIERS: &[(&str, &str)] = &[
    ("MIT License", "MIT"),
    ("MIT No Attribution License (MIT-0)", "MIT-0"),
    ("ISC License (ISCL)", "ISC"),
    ("GNU General Public License v2 (GPLv2)", "GPL-2.0-only"),
    (
        "GNU General Public License v2 or later (GPLv2+)",
        "GPL-2.0-or-later",
    ),
    ("GNU General Public License v3 (GPLv3)", "GPL-3.0-only"),
    (
        "GNU General Public License v3 or later (GPLv3+)",
        "GPL-3.0-or-later",
    ),
    (
        "GNU Lesser General Public License v2 (LGPLv2)",
        "LGPL-2.0-only",
    ),
    (
        "GNU Lesser General Public License v2 or later (LGPLv2+)",
        "LGPL-2.0-or-later",
    ),
    (
        "GNU Lesser General Public License v3 (LGPLv3)",
        "LGPL-3.0-only",
    ),
    (
        "GNU Lesser General Public License v3 or later (LGPLv3+)",
        "LGPL-3.0-or-later",
    ),
    ("GNU Affero General Public License v3", "AGPL-3.0-only"),
    (
        "GNU Affero General Public License v3 or later (AGPLv3+)",
        "AGPL-3.0-or-later",
    ),
    ("Mozilla Public License 1.0 (MPL)", "MPL-1.0"),
    ("Mozilla Public License 1.1 (MPL 1.1)", "MPL-1.1"),
    ("Mozilla Public License 2.0 (MPL 2.0)", "MPL-2.0"),
    ("Boost Software License 1.0 (BSL-1.0)", "BSL-1.0"),
    ("Eclipse Public License 1.0 (EPL-1.0)", "EPL-1.0"),
    ("Eclipse Public License 2.0 (EPL-2.0)", "EPL-2.0"),
    ("European Union Public Licence 1.0 (EUPL 1.0)", "EUPL-1.0"),
    ("European Union Public Licence 1.1 (EUPL 1.1)", "EUPL-1.1"),
    ("European Union Public Licence 1.2 (EUPL 1.2)", "EUPL-1.2"),
    ("The Unlicense (Unlicense)", "Unlicense"),
    ("Universal Permissive License (UPL)", "UPL-1.0"),
    ("Historical Permission Notice and Disclaimer (HPND)", "HPND"),
    ("PostgreSQL License", "PostgreSQL"),
    (
        "Common Development and Distribution License 1.0 (CDDL-1.0)",
        "CDDL-1.0",
    ),
    ("Blue Oak Model License (BlueOak-1.0.0)", "BlueOak-1.0.0"),
    (
        "Mulan Permissive Software License v2 (MulanPSL-2.0)",
        "MulanPSL-2.0",
    ),
    (
        "CC0 1.0 Universal (CC0 1.0) Public Domain Dedication",
        "CC0-1.0",
    ),
];

/// The declared licenses of `m` (see the module docs).
pub(crate) fn licenses(m: &CoreMetadata) -> Vec<License> {
    if let Some(l) = m.license_expression.as_deref().and_then(License::parse) {
        return vec![l];
    }
    let field = m
        .license
        .as_deref()
        .map(str::trim)
        .filter(|l| !l.is_empty());
    if let Some(text) = field.filter(|t| !t.contains('\n') && t.len() <= 100) {
        let parsed = parse_license_field(text, BareList::Whole);
        if !parsed.is_empty() && parsed.iter().all(|l| l.expression().is_some()) {
            return parsed;
        }
    }
    let mut out: Vec<License> = Vec::new();
    for c in &m.classifiers {
        let Some(rest) = c.strip_prefix("License ::") else {
            continue;
        };
        let rest = rest.trim();
        let rest = rest.strip_prefix("OSI Approved ::").unwrap_or(rest).trim();
        if rest == "OSI Approved" {
            continue; // the bare category says nothing
        }
        let l = match CLASSIFIERS.iter().find(|(k, _)| *k == rest) {
            Some((_, id)) => License::Expression((*id).to_owned()),
            None => License::Name(rest.to_owned()),
        };
        if !out.contains(&l) {
            out.push(l);
        }
    }
    // A name-only classifier (`BSD License`) says less than a short License field (`BSD-3`).
    let short = field.filter(|t| !t.contains('\n') && t.len() <= 100);
    if out.iter().all(|l| l.expression().is_none())
        && let Some(text) = short
        && let Some(l) = License::parse(text)
    {
        return vec![l];
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta(license: Option<&str>, expr: Option<&str>, classifiers: &[&str]) -> CoreMetadata {
        CoreMetadata {
            license: license.map(str::to_owned),
            license_expression: expr.map(str::to_owned),
            classifiers: classifiers.iter().map(|s| s.to_string()).collect(),
            ..CoreMetadata::default()
        }
    }

    fn show(m: &CoreMetadata) -> Vec<String> {
        licenses(m).iter().map(|l| format!("{l:?}")).collect()
    }

    #[test]
    fn expression_wins() {
        let m = meta(Some("BSD"), Some("MIT OR Apache-2.0"), &[]);
        assert_eq!(show(&m), [r#"Expression("MIT OR Apache-2.0")"#]);
    }

    #[test]
    fn spdx_license_field_then_classifiers() {
        assert_eq!(
            show(&meta(Some("MIT"), None, &[])),
            [r#"Expression("MIT")"#]
        );
        let m = meta(
            Some("BSD License"),
            None,
            &["License :: OSI Approved :: BSD License"],
        );
        assert_eq!(show(&m), [r#"Name("BSD License")"#]);
        let m = meta(
            None,
            None,
            &[
                "License :: OSI Approved :: MIT License",
                "License :: OSI Approved :: GNU General Public License v2 or later (GPLv2+)",
                "License :: OSI Approved",
            ],
        );
        assert_eq!(
            show(&m),
            [r#"Expression("MIT")"#, r#"Expression("GPL-2.0-or-later")"#]
        );
    }

    #[test]
    fn whole_license_text_is_not_a_name() {
        let m = meta(
            Some("Copyright (c) 2020\nPermission is hereby granted"),
            None,
            &[],
        );
        assert!(licenses(&m).is_empty());
        let m = meta(Some("Dual License"), None, &[]);
        assert_eq!(show(&m), [r#"Name("Dual License")"#]);
    }
}
