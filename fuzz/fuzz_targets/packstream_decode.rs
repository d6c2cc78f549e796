//! Decoding arbitrary bytes never panics, whatever the target and options.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::collections::BTreeMap;

use quiver_packstream::{
    from_record, from_slice, from_slice_with, Deserializer, Node, Options, Value,
};

fuzz_target!(|data: &[u8]| {
    // Whatever decodes, skipping consumes exactly.
    if from_slice::<Value>(data).is_ok() {
        let mut de = Deserializer::new(data);
        assert!(de.skip_value().is_ok(), "decodes but cannot be skipped");
        assert!(de.is_end(), "skipping stops short of the decoded value");
    }
    let _ = from_slice_with::<Value>(data, &Options::for_bolt(4, 4, false).max_depth(16));
    let _ = from_slice::<serde::de::IgnoredAny>(data);
    let _ = from_slice::<Node>(data);
    // Graph structures asked for as maps (as by a user's own node struct).
    let _ = from_slice::<BTreeMap<&str, Value>>(data);
    let _ = from_slice::<Vec<Option<BTreeMap<String, serde::de::IgnoredAny>>>>(data);
    let _ = from_slice::<Vec<(i64, &str)>>(data);
    let _ = from_record::<BTreeMap<&str, Value>, _>(data, &["a", "b", "c"]);
    let _ = from_record::<(Value, Option<&str>), _>(data, &["a", "b"]);

    // The low-level API: split the input into raw values, decode each.
    let mut de = Deserializer::new(data);
    while !de.is_end() {
        match de.raw_value() {
            Ok(raw) => {
                let _ = from_slice::<Value>(raw);
            }
            Err(_) => break,
        }
    }
    let mut de = Deserializer::new(data);
    let _ = de.read_struct_header();
    let _ = de.read_list_header();
    let _ = de.read_map_header();
    let _ = de.read_string();
});
