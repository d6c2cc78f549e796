//! Decoding a Bolt record (a list of field values) straight into a user type,
//! matching the values to the query's column names.

use serde::de::{self, DeserializeSeed, Visitor};
use serde::forward_to_deserialize_any;

use crate::de::Deserializer;
use crate::error::{Error, ErrorKind, Result};
use crate::options::Options;

/// Decodes a record's field list (the bytes of the list inside a `RECORD`
/// message) into `T`, pairing the values with `keys`, the column names the
/// server sent in the `RUN` reply.
///
/// A struct or map target sees a map from column name to value; a tuple or
/// sequence target sees the values in column order. Strings and bytes borrow
/// from `list` when `T` asks; no intermediate [`Value`](crate::Value) is built.
///
/// ```
/// use serde::Deserialize;
/// use quiver_packstream::from_record;
///
/// #[derive(Deserialize, Debug, PartialEq)]
/// struct Person<'a> {
///     name: &'a str,
///     age: i64,
/// }
///
/// let keys = ["age", "name"];
/// let list = [0x92, 0x21, 0x85, b'A', b'l', b'i', b'c', b'e'];
/// let p: Person<'_> = from_record(&list, &keys)?;
/// assert_eq!(p, Person { name: "Alice", age: 33 });
/// let (age, name): (i64, &str) = from_record(&list, &keys)?;
/// assert_eq!((age, name), (33, "Alice"));
/// # Ok::<(), quiver_packstream::Error>(())
/// ```
pub fn from_record<'de, T, K>(list: &'de [u8], keys: &[K]) -> Result<T>
where
    T: de::Deserialize<'de>,
    K: AsRef<str>,
{
    from_record_with(list, keys, &Options::default())
}

/// [`from_record`] with the given [`Options`].
pub fn from_record_with<'de, T, K>(list: &'de [u8], keys: &[K], options: &Options) -> Result<T>
where
    T: de::Deserialize<'de>,
    K: AsRef<str>,
{
    let mut de = Deserializer::with_options(list, options);
    let len = de.read_list_header()?;
    if len != keys.len() {
        return Err(
            ErrorKind::Message(format!("record has {len} values for {} keys", keys.len())).into(),
        );
    }
    let value = T::deserialize(RecordDeserializer { de: &mut de, keys })?;
    de.end()?;
    Ok(value)
}

struct RecordDeserializer<'a, 'de, K> {
    de: &'a mut Deserializer<'de>,
    keys: &'a [K],
}

impl<'de, K: AsRef<str>> de::Deserializer<'de> for RecordDeserializer<'_, 'de, K> {
    type Error = Error;

    fn is_human_readable(&self) -> bool {
        false
    }

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.deserialize_map(visitor)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        let mut access = Fields {
            de: self.de,
            keys: self.keys.iter(),
        };
        let value = visitor.visit_map(&mut access)?;
        // Values the target did not ask for are skipped.
        while access.keys.next().is_some() {
            access.de.skip_value()?;
        }
        Ok(value)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value> {
        self.deserialize_map(visitor)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        let mut access = Values {
            de: self.de,
            left: self.keys.len(),
        };
        let value = visitor.visit_seq(&mut access)?;
        if access.left != 0 {
            return Err(de::Error::invalid_length(
                self.keys.len(),
                &"fewer values in the record",
            ));
        }
        Ok(value)
    }

    fn deserialize_tuple<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Result<V::Value> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        for _ in self.keys {
            self.de.skip_value()?;
        }
        visitor.visit_unit()
    }

    forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf option unit unit_struct enum identifier
    }
}

struct Fields<'a, 'de, K> {
    de: &'a mut Deserializer<'de>,
    keys: std::slice::Iter<'a, K>,
}

impl<'de, K: AsRef<str>> de::MapAccess<'de> for Fields<'_, 'de, K> {
    type Error = Error;

    fn next_key_seed<S: DeserializeSeed<'de>>(&mut self, seed: S) -> Result<Option<S::Value>> {
        match self.keys.next() {
            Some(k) => seed
                .deserialize(de::value::StrDeserializer::<Error>::new(k.as_ref()))
                .map(Some),
            None => Ok(None),
        }
    }

    fn next_value_seed<S: DeserializeSeed<'de>>(&mut self, seed: S) -> Result<S::Value> {
        seed.deserialize(&mut *self.de)
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.keys.len())
    }
}

struct Values<'a, 'de> {
    de: &'a mut Deserializer<'de>,
    left: usize,
}

impl<'de> de::SeqAccess<'de> for Values<'_, 'de> {
    type Error = Error;

    fn next_element_seed<S: DeserializeSeed<'de>>(&mut self, seed: S) -> Result<Option<S::Value>> {
        if self.left == 0 {
            return Ok(None);
        }
        self.left -= 1;
        seed.deserialize(&mut *self.de).map(Some)
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.left)
    }
}
