//! LIC001 denied-license.

use crate::audit::AuditCtx;
use crate::audit::finding::{Evidence, Finding, Findings};
use crate::audit::rule::{Rule, RuleMeta, declare_rule};
use crate::model::License;

declare_rule! {
    /// ## What it flags
    /// Packages whose declared license expression cannot be satisfied with the licenses the
    /// policy accepts. The check is SPDX-expression aware: with `deny = ["GPL-3.0-only"]`,
    /// `GPL-3.0-only AND MIT` is flagged but `GPL-3.0-only OR MIT` is not, because MIT can be
    /// chosen. A denied id also covers its `-only`/`-or-later` (and `+`) variants. With a
    /// non-empty `allow` list every license not on it counts as denied, and so does an
    /// expression that does not parse (it cannot be shown to be allowed). A package that
    /// declares several licenses must satisfy each of them. Licenses that are not SPDX
    /// expressions are LIC002's concern.
    ///
    /// ## Why it matters
    /// Shipping software under a license your organisation cannot comply with is a legal risk.
    ///
    /// ## How to fix
    /// Replace the package, get legal approval (and add an exception), or remove it.
    ///
    /// ## Policy example
    /// ```toml
    /// [licenses]
    /// deny = ["GPL-3.0-only", "AGPL-3.0-only"]
    /// ```
    pub(crate) struct DeniedLicense;
    id: "LIC001",
    name: "denied-license",
    title: "Package under a denied license",
    group: License,
    severity: High,
    enabled: true,
}

/// `GPL-3.0-or-later` → `GPL-3.0`: the license family a policy entry names.
fn family(id: &str) -> &str {
    id.trim_end_matches('+')
        .trim_end_matches("-or-later")
        .trim_end_matches("-only")
}

fn req_name(req: &spdx::LicenseReq) -> String {
    match &req.license {
        spdx::LicenseItem::Spdx { id, .. } => id.name.to_owned(),
        spdx::LicenseItem::Other(o) => o.to_string(),
    }
}

/// True when `expr` can be satisfied by acceptable licenses. An expression that does not
/// parse passes a deny-list (nothing in it is known to be denied) but not an allow-list
/// (nothing in it is known to be allowed).
pub(crate) fn satisfiable(expr: &str, deny: &[String], allow: &[String]) -> bool {
    let Ok(e) = spdx::Expression::parse_mode(expr, spdx::ParseMode::LAX) else {
        return allow.is_empty();
    };
    e.evaluate(|req| {
        let name = req_name(req);
        let f = family(&name);
        let denied = deny.iter().any(|d| family(d).eq_ignore_ascii_case(f));
        let allowed = allow.is_empty() || allow.iter().any(|a| family(a).eq_ignore_ascii_case(f));
        !denied && allowed
    })
}

impl Rule for DeniedLicense {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &AuditCtx<'_>, out: &mut Findings) {
        let (deny, allow) = (&cx.policy.licenses_deny, &cx.policy.licenses_allow);
        if deny.is_empty() && allow.is_empty() {
            return;
        }
        for p in cx.sbom.packages.iter().filter(|p| p.removed_in.is_none()) {
            let bad: Vec<&str> = p
                .licenses
                .iter()
                .filter_map(License::expression)
                .filter(|e| !satisfiable(e, deny, allow))
                .collect();
            if bad.is_empty() {
                continue;
            }
            out.push(
                Finding::new(
                    &META,
                    format!(
                        "{} {} is licensed {}, which the policy does not accept",
                        p.name,
                        p.version,
                        bad.join(" AND ")
                    ),
                )
                .package(p.purl.to_string())
                .at(Evidence::Package {
                    purl: p.purl.to_string(),
                    layer: p.introduced_in,
                }),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expression_semantics() {
        let deny = vec!["GPL-3.0-only".to_owned()];
        assert!(!satisfiable("GPL-3.0-only", &deny, &[]));
        assert!(!satisfiable("GPL-3.0-only AND MIT", &deny, &[]));
        assert!(satisfiable("GPL-3.0-only OR MIT", &deny, &[]));
        assert!(!satisfiable("GPL-3.0-or-later", &deny, &[]));
        assert!(satisfiable("GPL-2.0-only", &deny, &[]));
        let allow = vec!["MIT".to_owned(), "Apache-2.0".to_owned()];
        assert!(satisfiable("MIT OR GPL-2.0-only", &[], &allow));
        assert!(!satisfiable("BSD-3-Clause", &[], &allow));
        assert!(!satisfiable(
            "(MIT OR GPL-3.0-only) AND GPL-3.0-only",
            &deny,
            &[]
        ));
    }

    /// With an allow-list, an expression that cannot be read cannot be shown to be allowed.
    #[test]
    fn unparseable_expressions_fail_an_allow_list() {
        let allow = vec!["MIT".to_owned()];
        assert!(!satisfiable("MIT and (GPL", &[], &allow));
        assert!(satisfiable(
            "MIT and (GPL",
            &["GPL-3.0-only".to_owned()],
            &[]
        ));
    }
}
