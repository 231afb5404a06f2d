//! Serde helpers for reading other tools' documents: a field that is missing, `null`, or of
//! a scalar type other than the spec's (a number where a string belongs) is accepted, since
//! producers differ; a document that is not JSON at all still fails.

use serde::de::value::MapAccessDeserializer;
use serde::de::{IgnoredAny, MapAccess, SeqAccess, Visitor};
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

/// A list that may be absent or `null`; an element that is not an object (where every list
/// read with this holds objects) is skipped rather than failing the document. The objects
/// themselves are lenient (every field optional, see [`string`]), so they always read.
pub(crate) fn list<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Ok(Option::<Vec<Item<T>>>::deserialize(d)?
        .unwrap_or_default()
        .into_iter()
        .filter_map(|i| i.0)
        .collect())
}

/// One list element: the object, or nothing for anything else. Read straight from the
/// deserializer (no intermediate `Value`), which matters for lists of 40,000 relationships.
pub(crate) struct Item<T>(Option<T>);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Item<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visit<T>(std::marker::PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for Visit<T> {
            type Value = Item<T>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Item<T>, A::Error> {
                T::deserialize(MapAccessDeserializer::new(map)).map(|t| Item(Some(t)))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Item<T>, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Item(None))
            }
            fn visit_bool<E>(self, _: bool) -> Result<Item<T>, E> {
                Ok(Item(None))
            }
            fn visit_i64<E>(self, _: i64) -> Result<Item<T>, E> {
                Ok(Item(None))
            }
            fn visit_u64<E>(self, _: u64) -> Result<Item<T>, E> {
                Ok(Item(None))
            }
            fn visit_f64<E>(self, _: f64) -> Result<Item<T>, E> {
                Ok(Item(None))
            }
            fn visit_str<E>(self, _: &str) -> Result<Item<T>, E> {
                Ok(Item(None))
            }
            fn visit_unit<E>(self) -> Result<Item<T>, E> {
                Ok(Item(None))
            }
        }
        d.deserialize_any(Visit(std::marker::PhantomData))
    }
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
    struct O {
        #[serde(default, deserialize_with = "super::string")]
        a: Option<String>,
    }

    #[derive(Deserialize, Debug, PartialEq)]
    struct T {
        #[serde(default, deserialize_with = "super::string")]
        s: Option<String>,
        #[serde(default, deserialize_with = "super::list")]
        l: Vec<O>,
        #[serde(default, deserialize_with = "super::strings")]
        m: Vec<String>,
    }

    #[test]
    fn tolerates_what_producers_write() {
        let t: T = serde_json::from_str(
            r#"{"s": 1.5, "l": [{"a": 1}, "x", [2, [3]], null, {"b": 2}], "m": "one"}"#,
        )
        .unwrap();
        assert_eq!(
            t,
            T {
                s: Some("1.5".into()),
                l: vec![
                    O {
                        a: Some("1".into())
                    },
                    O { a: None }
                ],
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
