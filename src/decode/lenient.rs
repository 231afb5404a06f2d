//! Serde helpers for reading other tools' documents: a field that is missing, `null`, or of
//! a scalar type other than the spec's (a number where a string belongs) is accepted, since
//! producers differ; a document that is not JSON at all still fails.

use serde::{Deserialize, Deserializer};
use serde_json::Value;

/// A string field that may be absent, `null`, a number or a boolean (kept as its text);
/// blank text counts as absent. The text is kept as written (a build step's trailing space
/// is part of it).
pub(crate) fn string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(match Option::<Value>::deserialize(d)? {
        Some(Value::String(s)) => Some(s),
        Some(Value::Number(n)) => Some(n.to_string()),
        Some(Value::Bool(b)) => Some(b.to_string()),
        _ => None,
    }
    .filter(|s| !s.trim().is_empty()))
}

/// A list that may be absent or `null`; an element that does not have the expected shape is
/// skipped rather than failing the document.
pub(crate) fn list<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: serde::de::DeserializeOwned,
{
    Ok(match Option::<Vec<Value>>::deserialize(d)? {
        Some(items) => items
            .into_iter()
            .filter_map(|v| serde_json::from_value(v).ok())
            .collect(),
        None => Vec::new(),
    })
}

/// A list of strings, tolerating a single string in its place.
pub(crate) fn strings<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    Ok(match Option::<Value>::deserialize(d)? {
        Some(Value::String(s)) => vec![s],
        Some(Value::Array(items)) => items
            .into_iter()
            .filter_map(|v| match v {
                Value::String(s) => Some(s),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    #[derive(Deserialize, Debug, PartialEq)]
    struct T {
        #[serde(default, deserialize_with = "super::string")]
        s: Option<String>,
        #[serde(default, deserialize_with = "super::list")]
        l: Vec<u32>,
        #[serde(default, deserialize_with = "super::strings")]
        m: Vec<String>,
    }

    #[test]
    fn tolerates_what_producers_write() {
        let t: T = serde_json::from_str(r#"{"s": 1.5, "l": [1, "x", 3], "m": "one"}"#).unwrap();
        assert_eq!(
            t,
            T {
                s: Some("1.5".into()),
                l: vec![1, 3],
                m: vec!["one".into()]
            }
        );
        let t: T = serde_json::from_str(r#"{"s": null, "l": null, "m": [1, "a"]}"#).unwrap();
        assert_eq!(t.s, None);
        assert!(t.l.is_empty());
        assert_eq!(t.m, vec!["a".to_owned()]);
        let t: T = serde_json::from_str(r#"{"s": "  "}"#).unwrap();
        assert_eq!(t.s, None);
        let t: T = serde_json::from_str(r#"{"s": "in / "}"#).unwrap();
        assert_eq!(t.s.as_deref(), Some("in / "));
    }
}
