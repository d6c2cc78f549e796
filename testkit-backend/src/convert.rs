//! Cypher values between TestKit's JSON encoding ([`CypherValue`]) and driver values
//! (`quiver_packstream::Value`).

#[allow(unused_imports)]
use crate::cypher::CypherValue;
