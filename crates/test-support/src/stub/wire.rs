//! Messages to and from PackStream bytes, through quiver-packstream's
//! low-level reader and writer (the stub keeps raw structures: it matches
//! what was sent, not what it means).

use quiver_packstream::{write, Deserializer, Kind};

use super::data::{Data, Message};

/// Nesting deeper than this in a client message is refused.
const MAX_DEPTH: usize = 128;

/// Encodes a message (a structure) to PackStream bytes.
pub(crate) fn encode_message(message: &Message) -> Vec<u8> {
    let mut out = Vec::new();
    // Writing to a Vec fails only for what PackStream cannot hold (a
    // structure of more than 15 fields): the script is wrong then, and the
    // client sees the bytes written so far.
    if let Err(e) = encode_into(&mut out, message) {
        tracing::warn!("stub: cannot encode {message}: {e}");
    }
    out
}

fn encode_into(out: &mut Vec<u8>, message: &Message) -> Result<(), quiver_packstream::Error> {
    write::write_struct_header(out, message.tag, message.fields.len())?;
    message
        .fields
        .iter()
        .try_for_each(|field| encode_data(out, field))
}

fn encode_data(out: &mut Vec<u8>, data: &Data) -> Result<(), quiver_packstream::Error> {
    match data {
        Data::Null => write::write_null(out),
        Data::Bool(b) => write::write_bool(out, *b),
        Data::Int(i) => write::write_int(out, *i),
        Data::Float(x) => write::write_float(out, *x),
        Data::String(s) => write::write_string(out, s),
        Data::Bytes(b) => write::write_bytes(out, b),
        Data::Uuid(u) => write::write_uuid(out, u),
        Data::List(items) => {
            write::write_list_header(out, items.len())?;
            items.iter().try_for_each(|item| encode_data(out, item))
        }
        Data::Map(entries) => {
            write::write_map_header(out, entries.len())?;
            entries.iter().try_for_each(|(k, v)| {
                write::write_string(out, k)?;
                encode_data(out, v)
            })
        }
        Data::Struct { tag, fields } => {
            write::write_struct_header(out, *tag, fields.len())?;
            fields.iter().try_for_each(|f| encode_data(out, f))
        }
    }
}

/// Decodes a client message: one structure spanning all of `bytes`.
pub(crate) fn decode_message(bytes: &[u8]) -> Result<Message, String> {
    let mut de = Deserializer::new(bytes);
    let (tag, len) = de
        .read_struct_header()
        .map_err(|e| format!("not a message structure: {e}"))?;
    let mut fields = Vec::new();
    for _ in 0..len {
        fields.push(decode_data(&mut de, 1)?);
    }
    de.end()
        .map_err(|e| format!("bytes after the message: {e}"))?;
    Ok(Message { tag, fields })
}

fn decode_data(de: &mut Deserializer<'_>, depth: usize) -> Result<Data, String> {
    if depth > MAX_DEPTH {
        return Err(format!("nested deeper than {MAX_DEPTH}"));
    }
    let text = |e: quiver_packstream::Error| e.to_string();
    Ok(match de.peek_kind().map_err(text)? {
        Kind::Null => {
            de.read_null().map_err(text)?;
            Data::Null
        }
        Kind::Boolean => Data::Bool(de.read_bool().map_err(text)?),
        Kind::Integer => Data::Int(de.read_int().map_err(text)?),
        Kind::Float => Data::Float(de.read_float().map_err(text)?),
        Kind::String => Data::String(de.read_string().map_err(text)?.to_owned()),
        Kind::Bytes => Data::Bytes(de.read_bytes().map_err(text)?.to_vec()),
        Kind::Uuid => Data::Uuid(de.read_uuid().map_err(text)?),
        Kind::List => {
            let len = de.read_list_header().map_err(text)?;
            let mut items = Vec::with_capacity(len);
            for _ in 0..len {
                items.push(decode_data(de, depth + 1)?);
            }
            Data::List(items)
        }
        Kind::Map => {
            let len = de.read_map_header().map_err(text)?;
            let mut entries = Vec::with_capacity(len);
            for _ in 0..len {
                let key = de.read_string().map_err(text)?.to_owned();
                entries.push((key, decode_data(de, depth + 1)?));
            }
            Data::Map(entries)
        }
        Kind::Structure => {
            let (tag, len) = de.read_struct_header().map_err(text)?;
            let mut fields = Vec::with_capacity(len);
            for _ in 0..len {
                fields.push(decode_data(de, depth + 1)?);
            }
            Data::Struct { tag, fields }
        }
        other => return Err(format!("unsupported value kind {other:?}")),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let message = Message {
            tag: 0x10,
            fields: vec![
                Data::String("RETURN $x".into()),
                Data::Map(vec![
                    (
                        "x".into(),
                        Data::List(vec![Data::Int(-1000), Data::Float(0.5)]),
                    ),
                    ("b".into(), Data::Bytes(vec![1, 2])),
                    ("n".into(), Data::Null),
                    ("t".into(), Data::Bool(true)),
                    ("u".into(), Data::Uuid([7; 16])),
                ]),
                Data::Struct {
                    tag: 0x44,
                    fields: vec![Data::Int(19_000)],
                },
            ],
        };
        let bytes = encode_message(&message);
        assert_eq!(bytes[..2], [0xB3, 0x10]);
        assert_eq!(decode_message(&bytes).unwrap(), message);
    }

    /// Random and truncated input never panics the decoder.
    #[test]
    fn random_bytes_do_not_panic() {
        let valid = encode_message(&Message {
            tag: 0x10,
            fields: vec![
                Data::String("x".repeat(300)),
                Data::Map(vec![("k".into(), Data::List(vec![Data::Int(1 << 40)]))]),
            ],
        });
        for cut in 0..valid.len() {
            assert!(decode_message(&valid[..cut]).is_err());
        }
        let mut seed: u64 = 0x2545_F491_4F6C_DD1D;
        for _ in 0..5000 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let len = (seed % 40) as usize;
            let bytes: Vec<u8> = (0..len)
                .map(|i| (seed.rotate_left(i as u32 * 7) & 0xFF) as u8)
                .collect();
            let _ = decode_message(&bytes);
        }
    }

    #[test]
    fn hostile_input_is_an_error() {
        for bytes in [
            &[][..],
            &[0x91, 0x01],
            &[0xB1, 0x10, 0xD0, 0xFF],
            &[0xB1, 0x10, 0xC0, 0xC0],
            &[0xB1, 0x10, 0xDF],
        ] {
            assert!(decode_message(bytes).is_err(), "{bytes:02X?}");
        }
        let mut deep = vec![0xB1, 0x10];
        deep.extend(std::iter::repeat_n(0x91, 10_000));
        deep.push(0xC0);
        assert!(decode_message(&deep).unwrap_err().contains("nested deeper"));
    }
}
