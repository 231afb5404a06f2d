//! Regressions from the review of `consign audit` (issue 4): each test rebuilds in code the
//! reviewer's reproduction image (`/tmp/review2/*.py`) and asserts the exact outcome.

use crate::support::audit_image::{Extra, Tweak, ids, image, run};

/// A base built reproducibly (distroless, ko, apko: `created` is the Unix epoch) has no age.
// See: issue 4 review, finding 5 (`zero.py`).
#[test]
fn issue4_zeroed_base_time_is_not_judged() {
    let r = run(
        &image(&Tweak {
            base_created: Some("1970-01-01T00:00:00Z"),
            ..Tweak::default()
        }),
        &Extra::default(),
    );
    assert_eq!(r.base.created.as_deref(), Some("1970-01-01T00:00:00Z"));
    assert_eq!(ids(&r), Vec::<&str>::new(), "{}", r.to_table());
}
