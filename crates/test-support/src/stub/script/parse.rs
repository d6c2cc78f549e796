//! Script text to a tree of items.

use std::time::Duration;

use serde_json::Value as Json;

use super::{ClientStep, Config, Connections, Item, ServerStep};
use crate::stub::data::{message_tag, Data, Message};
use crate::stub::notation::{parse_hex, to_data, to_pattern};
use crate::stub::pattern::MessagePattern;

/// A parse error: 1-based line and what is wrong.
pub(crate) type ParseError = (usize, String);

#[derive(Clone, Copy, PartialEq)]
enum Side {
    Client,
    Server,
}

enum BlockKind {
    Alt,
    Opt,
    Star,
    Plus,
}

impl BlockKind {
    fn close(&self) -> &'static str {
        match self {
            BlockKind::Alt => "}}",
            BlockKind::Opt => "?}",
            BlockKind::Star => "*}",
            BlockKind::Plus => "+}",
        }
    }
}

struct Frame {
    kind: BlockKind,
    line: usize,
    branches: Vec<Vec<Item>>,
    items: Vec<Item>,
}

/// Parses the whole text into the directives and the top-level items.
pub(crate) fn parse(text: &str) -> Result<(Config, Vec<Item>), ParseError> {
    let mut config = Config::default();
    let mut root: Vec<Item> = Vec::new();
    let mut stack: Vec<Frame> = Vec::new();
    // The side of the C:/S: group that continuation lines extend.
    let mut group: Option<Side> = None;

    for (index, raw) in text.lines().enumerate() {
        let line = index + 1;
        let trimmed = raw.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') || trimmed.starts_with("//") {
            continue;
        }
        let items = match stack.last_mut() {
            Some(frame) => &mut frame.items,
            None => &mut root,
        };
        let open = match trimmed {
            "{{" => Some(BlockKind::Alt),
            "{?" => Some(BlockKind::Opt),
            "{*" => Some(BlockKind::Star),
            "{+" => Some(BlockKind::Plus),
            _ => None,
        };
        if let Some(kind) = open {
            group = None;
            stack.push(Frame {
                kind,
                line,
                branches: Vec::new(),
                items: Vec::new(),
            });
            continue;
        }
        if trimmed == "----" {
            group = None;
            match stack.last_mut() {
                Some(frame) if matches!(frame.kind, BlockKind::Alt) => {
                    let branch = std::mem::take(&mut frame.items);
                    frame.branches.push(branch);
                }
                _ => return Err((line, "`----` outside a `{{ ... }}` block".into())),
            }
            continue;
        }
        if matches!(trimmed, "}}" | "?}" | "*}" | "+}") {
            group = None;
            let Some(mut frame) = stack.pop() else {
                return Err((line, format!("`{trimmed}` closes no block")));
            };
            if frame.kind.close() != trimmed {
                return Err((
                    line,
                    format!(
                        "`{trimmed}` does not close the block opened on line {} (expected `{}`)",
                        frame.line,
                        frame.kind.close()
                    ),
                ));
            }
            let body = std::mem::take(&mut frame.items);
            let item = match frame.kind {
                BlockKind::Alt => {
                    frame.branches.push(body);
                    if frame.branches.len() < 2 {
                        return Err((
                            frame.line,
                            "`{{ ... }}` needs at least two branches separated by `----`".into(),
                        ));
                    }
                    Item::Alt {
                        line: frame.line,
                        branches: frame.branches,
                    }
                }
                BlockKind::Opt => Item::Opt {
                    line: frame.line,
                    body,
                },
                BlockKind::Star => Item::Star {
                    line: frame.line,
                    body,
                },
                BlockKind::Plus => Item::Plus {
                    line: frame.line,
                    body,
                },
            };
            if item_is_empty(&item) {
                return Err((frame.line, "empty block".into()));
            }
            match stack.last_mut() {
                Some(parent) => parent.items.push(item),
                None => root.push(item),
            }
            continue;
        }
        if let Some(rest) = trimmed.strip_prefix("!:") {
            group = None;
            if !stack.is_empty() {
                return Err((line, "directives (`!:`) belong outside blocks".into()));
            }
            directive(&mut config, rest.trim()).map_err(|e| (line, e))?;
            continue;
        }
        let (side, body) = if let Some(rest) = trimmed.strip_prefix("C:") {
            (Side::Client, rest.trim())
        } else if let Some(rest) = trimmed.strip_prefix("S:") {
            (Side::Server, rest.trim())
        } else if raw.starts_with(char::is_whitespace) && group.is_some() {
            (group.unwrap_or(Side::Client), trimmed)
        } else {
            return Err((
                line,
                "expected `C:`, `S:`, `!:`, a block marker, or an indented continuation line"
                    .into(),
            ));
        };
        group = Some(side);
        if body.is_empty() {
            continue;
        }
        let item = match side {
            Side::Client => Item::Client {
                line,
                step: client_step(body).map_err(|e| (line, e))?,
            },
            Side::Server => Item::Server {
                line,
                step: server_step(body).map_err(|e| (line, e))?,
            },
        };
        items.push(item);
    }
    if let Some(frame) = stack.last() {
        return Err((
            frame.line,
            format!("block never closed (expected `{}`)", frame.kind.close()),
        ));
    }
    if config.bolt.is_none() && config.handshake_reply.is_none() {
        return Err((
            1,
            "the script needs `!: BOLT <major>.<minor>` (or `!: HANDSHAKE <hex>`)".into(),
        ));
    }
    Ok((config, root))
}

fn item_is_empty(item: &Item) -> bool {
    match item {
        Item::Alt { branches, .. } => branches.iter().any(Vec::is_empty),
        Item::Opt { body, .. } | Item::Star { body, .. } | Item::Plus { body, .. } => {
            body.is_empty()
        }
        _ => false,
    }
}

fn version(text: &str) -> Result<(u8, u8), String> {
    let (major, minor) = text.split_once('.').unwrap_or((text, "0"));
    match (major.trim().parse(), minor.trim().parse()) {
        (Ok(major), Ok(minor)) => Ok((major, minor)),
        _ => Err(format!("bad Bolt version {text:?} (expected e.g. 5.4)")),
    }
}

fn seconds(text: &str) -> Result<Duration, String> {
    text.trim()
        .parse::<f64>()
        .ok()
        .and_then(|s| Duration::try_from_secs_f64(s).ok())
        .ok_or_else(|| format!("bad number of seconds {text:?}"))
}

fn directive(config: &mut Config, text: &str) -> Result<(), String> {
    let (name, args) = text.split_once(char::is_whitespace).unwrap_or((text, ""));
    let args = args.split('#').next().unwrap_or("").trim();
    match name.to_ascii_uppercase().as_str() {
        "BOLT" => config.bolt = Some(version(args)?),
        "HANDSHAKE_MANIFEST" => {
            config.manifest = Some(
                args.split_whitespace()
                    .map(version)
                    .collect::<Result<_, _>>()?,
            );
        }
        "CAPABILITIES" => {
            config.capabilities = args
                .parse()
                .map_err(|_| format!("bad capabilities {args:?} (expected an integer)"))?;
        }
        "HANDSHAKE" => config.handshake_reply = Some(parse_hex(args)?),
        "HANDSHAKE_RESPONSE" => config.handshake_response = Some(parse_hex(args)?),
        "HANDSHAKE_DELAY" => config.handshake_delay = Some(seconds(args)?),
        "AUTO" => {
            for name in args.split_whitespace() {
                let tag = message_tag(name).ok_or_else(|| format!("unknown message {name:?}"))?;
                config.auto.push(tag);
            }
        }
        "CONNECTIONS" => {
            config.connections = if args.eq_ignore_ascii_case("ANY") {
                Connections::Any
            } else {
                Connections::Exactly(
                    args.parse()
                        .map_err(|_| format!("bad connection count {args:?} (a number or ANY)"))?,
                )
            };
        }
        "CLIENT_TIMEOUT" => config.client_timeout = Some(seconds(args)?),
        other => return Err(format!("unknown directive {other:?}")),
    }
    Ok(())
}

/// Splits `NAME json json ... # comment` into the name and JSON values.
fn message_parts(body: &str) -> Result<(&str, Vec<Json>, bool), String> {
    let (name, mut rest) = body.split_once(char::is_whitespace).unwrap_or((body, ""));
    let mut values = Vec::new();
    let mut any_fields = false;
    loop {
        rest = rest.trim_start();
        if rest.is_empty() || rest.starts_with('#') {
            break;
        }
        if values.is_empty() && !any_fields && (rest == "*" || rest.starts_with("* ")) {
            any_fields = true;
            rest = &rest[1..];
            continue;
        }
        if any_fields {
            return Err("`*` stands for all fields and cannot be followed by more".into());
        }
        let mut stream = serde_json::Deserializer::from_str(rest).into_iter::<Json>();
        match stream.next() {
            Some(Ok(value)) => {
                values.push(value);
                rest = &rest[stream.byte_offset()..];
            }
            Some(Err(e)) => return Err(format!("bad field {}: {e}", values.len() + 1)),
            None => break,
        }
    }
    Ok((name, values, any_fields))
}

fn client_step(body: &str) -> Result<ClientStep, String> {
    if body.split('#').next().map(str::trim) == Some("<EOF>") {
        return Ok(ClientStep::Eof);
    }
    let (name, values, any) = message_parts(body)?;
    let tag = message_tag(name).ok_or_else(|| format!("unknown message {name:?}"))?;
    let fields = if any {
        None
    } else {
        Some(values.iter().map(to_pattern).collect::<Result<_, _>>()?)
    };
    Ok(ClientStep::Message(MessagePattern { tag, fields }))
}

fn server_step(body: &str) -> Result<ServerStep, String> {
    if let Some(rest) = body.strip_prefix('<') {
        let (word, after) = rest
            .split_once('>')
            .ok_or_else(|| format!("unclosed `<` in {body:?}"))?;
        let after = after.split('#').next().unwrap_or("").trim();
        let (word, arg) = word.split_once(char::is_whitespace).unwrap_or((word, ""));
        let step = match word.to_ascii_uppercase().as_str() {
            "EXIT" => ServerStep::Exit,
            "KILL" => ServerStep::Kill,
            "NOOP" => ServerStep::Noop,
            "SLEEP" => ServerStep::Sleep(seconds(arg)?),
            "RAW" => return Ok(ServerStep::Raw(parse_hex(after)?)),
            other => return Err(format!("unknown action <{other}>")),
        };
        if !after.is_empty() {
            return Err(format!("unexpected text after <{word}>: {after:?}"));
        }
        return Ok(step);
    }
    let (name, values, any) = message_parts(body)?;
    if any {
        return Err("`*` is for client lines; the server sends exact values".into());
    }
    let tag = message_tag(name).ok_or_else(|| format!("unknown message {name:?}"))?;
    let fields: Vec<Data> = values.iter().map(to_data).collect::<Result<_, _>>()?;
    if fields.len() > MAX_STRUCT_FIELDS || fields.iter().any(too_many_fields) {
        return Err(format!(
            "a structure holds at most {MAX_STRUCT_FIELDS} fields in PackStream"
        ));
    }
    Ok(ServerStep::Message(Message { tag, fields }))
}

const MAX_STRUCT_FIELDS: usize = 15;

fn too_many_fields(data: &Data) -> bool {
    match data {
        Data::Struct { fields, .. } => {
            fields.len() > MAX_STRUCT_FIELDS || fields.iter().any(too_many_fields)
        }
        Data::List(items) => items.iter().any(too_many_fields),
        Data::Map(entries) => entries.iter().any(|(_, v)| too_many_fields(v)),
        _ => false,
    }
}
