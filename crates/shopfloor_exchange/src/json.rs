//! JSON import files: one array of orders, read element by element from a reader (neither the
//! file nor the array is ever held as a whole; each row is handed on as soon as it is parsed).

use serde::de::{self, DeserializeSeed, SeqAccess, Visitor};
use serde_json::Value as Json;
use shopfloor_core::errors::{CoreError, CoreResult};
use std::fmt;
use std::io::BufRead;

/// Calls `each(rowNumber, row)` for every element of the top-level array read from `input`. A
/// syntax error anywhere (or anything but an array) fails the whole file with its line and
/// column.
pub fn for_each_row(input: impl BufRead, each: &mut dyn FnMut(u64, Json) -> CoreResult<()>) -> CoreResult<()> {
    let mut failure: Option<CoreError> = None;
    let mut de = serde_json::Deserializer::from_reader(input);
    let result = Rows {
        each,
        failure: &mut failure,
    }
    .deserialize(&mut de)
    .and_then(|()| de.end());
    match (result, failure) {
        (_, Some(e)) => Err(e),
        (Ok(()), None) => Ok(()),
        (Err(e), None) => Err(CoreError::field("data", format!("malformed JSON import file: {e}"))),
    }
}

struct Rows<'a> {
    each: &'a mut dyn FnMut(u64, Json) -> CoreResult<()>,
    failure: &'a mut Option<CoreError>,
}

impl<'de> DeserializeSeed<'de> for Rows<'_> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for Rows<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON array of production orders")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut n = 0u64;
        while let Some(row) = seq.next_element::<Json>()? {
            n += 1;
            if let Err(e) = (self.each)(n, row) {
                *self.failure = Some(e);
                return Err(de::Error::custom("import stopped"));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(text: &str) -> CoreResult<Vec<Json>> {
        let mut out = Vec::new();
        for_each_row(text.as_bytes(), &mut |_, r| {
            out.push(r);
            Ok(())
        })?;
        Ok(out)
    }

    #[test]
    fn reads_arrays_and_refuses_everything_else() {
        assert_eq!(rows(r#" [{"name":"a"}, {"name":"b"}] "#).unwrap().len(), 2);
        assert_eq!(rows("[]").unwrap().len(), 0);
        for bad in ["", "{}", "[{\"name\":\"a\"},", "[1] x", "nul", "[{\"a\":1}]]"] {
            let e = rows(bad).unwrap_err();
            assert!(matches!(e, CoreError::Validation(ref f) if f.has("data")), "{bad}: {e:?}");
        }
    }
}
