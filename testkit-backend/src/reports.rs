//! What the driver hands back, in TestKit's terms: driver errors (stored under an id),
//! records, summaries, eager results, server info.
//!
//! TestKit compares several of these field by field, so the choices below matter:
//! * a summary whose server reported no notifications at all (before Bolt 5.6, no
//!   `notifications` key) sends `notifications: null`, as TestKit's reference (the Python
//!   driver) has `None` there; a reported empty list stays `[]`;
//! * GQL classifications and severities are normalised to TestKit's upper-case names, with
//!   the server's own words in the `raw*` fields;
//! * plans and profiles travel as plain JSON maps, as the server sent them.

use std::collections::BTreeMap;

use quiver::summary::{InputPosition, NotificationSeverity};
use quiver::{EagerResult, Record, ResultSummary, ServerError, Value};
use serde_json::{json, Value as Json};

use crate::connection::Ctx;
use crate::convert::{to_cypher, to_cypher_map};
use crate::cypher::CypherValue;
use crate::error::{Error, Result};
use crate::responses::{
    self, DriverError, GqlErrorCause, GqlStatusObject, Notification, Position, RecordValues,
    Response, SummaryCounters, SummaryQuery,
};
use crate::state::StoredError;

/// Stores a driver error under a fresh id and turns it into the error TestKit should get
/// (`DriverError`, or `FrontendError` for errors raised by TestKit's own callbacks).
pub fn driver_error(ctx: &Ctx, error: quiver::Error) -> Error {
    store(ctx, error, None)
}

fn store(ctx: &Ctx, error: quiver::Error, error_type: Option<&str>) -> Error {
    let id = ctx.next_id();
    let mut response = driver_error_response(id, &error);
    if let Some(t) = error_type {
        response.error_type = t.to_owned();
    }
    ctx.state().errors.insert(
        id,
        StoredError {
            response: response.clone(),
            error: Some(error),
        },
    );
    Error::Driver(Box::new(response))
}

/// [`driver_error`] with TestKit's `errorType` set by the caller: for a kind the driver's
/// error can't tell apart by itself (a URI the driver refused is TestKit's
/// `ConnectionConfigParseError`).
pub fn driver_error_as(ctx: &Ctx, error: quiver::Error, error_type: &str) -> Error {
    store(ctx, error, Some(error_type))
}

/// What the backend raises for a request the driver's types rule out at compile time but
/// TestKit's untyped requests can still make (committing a transaction twice, say), or for
/// a value TestKit's encoding can't carry: TestKit's `errorType` and a message. It travels as
/// the source of a [`quiver::Error::user`], so it keeps its type when TestKit hands it back
/// through a transaction function (`RetryableNegative`).
#[derive(Debug)]
pub struct Misuse {
    /// TestKit's `errorType`.
    pub error_type: &'static str,
    /// The message.
    pub msg: String,
}

impl std::fmt::Display for Misuse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.msg)
    }
}

impl std::error::Error for Misuse {}

/// Stores a [`Misuse`] like a driver error.
pub fn misuse_error(ctx: &Ctx, error_type: &'static str, msg: &str) -> Error {
    driver_error(
        ctx,
        quiver::Error::user(Misuse {
            error_type,
            msg: msg.to_owned(),
        }),
    )
}

/// The `DriverError` TestKit gets for `error`, stored under `id`.
///
/// A failure the server sent carries the server's message byte for byte (TestKit compares
/// it); the driver's own errors carry the driver's sentence.
pub fn driver_error_response(id: crate::ids::Id, error: &quiver::Error) -> DriverError {
    let server = error.as_server_error();
    let (error_type, msg) = error_type_and_msg(error);
    DriverError {
        id,
        error_type,
        msg,
        code: error.code().map(str::to_owned),
        retryable: error.is_retryable(),
        gql_status: server.and_then(ServerError::gql_status).map(str::to_owned),
        status_description: server
            .and_then(ServerError::gql_status_description)
            .map(str::to_owned),
        cause: server
            .and_then(ServerError::cause)
            .map(|c| Box::new(gql_cause(c, 0))),
        diagnostic_record: server
            .and_then(ServerError::diagnostic_record)
            .and_then(|d| to_cypher_map(d.clone()).ok()),
        classification: server.map(|s| error_classification(s.gql_classification())),
        raw_classification: server
            .and_then(ServerError::gql_classification)
            .map(str::to_owned),
    }
}

/// TestKit's `errorType` and `msg` for `error`.
///
/// TestKit's branches for the driver name `rust` name these kinds (grep `"rust"` in its
/// tests): `ServerError` for anything the server sent, `Disconnect` for a lost connection,
/// `IncompleteCommit` for one lost during COMMIT, `ConfigError` (with `GetSingleRecordError`
/// in the message for a result that is not single), `ResultOutOfScope`, `ResultConsumed`,
/// `ProtocolError`. Other kinds keep the driver's name for them.
pub fn error_type_and_msg(error: &quiver::Error) -> (String, String) {
    use quiver::ErrorKind as K;
    if let Some(server) = error.as_server_error() {
        return ("ServerError".to_owned(), server.message().to_owned());
    }
    if let Some(misuse) = std::error::Error::source(error).and_then(|s| s.downcast_ref::<Misuse>())
    {
        return (misuse.error_type.to_owned(), misuse.msg.clone());
    }
    let msg = error.to_string();
    let error_type = match error.kind() {
        K::ServiceUnavailable | K::SessionExpired => "Disconnect",
        K::CommitUnknown => "IncompleteCommit",
        K::Configuration | K::Unsupported => "ConfigError",
        K::ResultNotSingle => {
            return (
                "ConfigError".to_owned(),
                format!("GetSingleRecordError: {msg}"),
            )
        }
        K::ResultOutOfScope => "ResultOutOfScope",
        K::ResultConsumed => "ResultConsumed",
        K::Protocol => "ProtocolError",
        K::Timeout => "Timeout",
        other => return (format!("{other:?}"), msg),
    };
    (error_type.to_owned(), msg)
}

/// Cause chains deeper than this are cut (a hostile server cannot blow the stack).
const MAX_CAUSE_DEPTH: usize = 64;

fn gql_cause(error: &ServerError, depth: usize) -> GqlErrorCause {
    GqlErrorCause::GqlError {
        msg: error.message().to_owned(),
        gql_status: error.gql_status().unwrap_or_default().to_owned(),
        status_description: error
            .gql_status_description()
            .unwrap_or_default()
            .to_owned(),
        cause: if depth < MAX_CAUSE_DEPTH {
            error.cause().map(|c| Box::new(gql_cause(c, depth + 1)))
        } else {
            None
        },
        diagnostic_record: error
            .diagnostic_record()
            .and_then(|d| to_cypher_map(d.clone()).ok()),
        classification: Some(error_classification(error.gql_classification())),
        raw_classification: error.gql_classification().map(str::to_owned),
    }
}

fn error_classification(raw: Option<&str>) -> String {
    match raw {
        Some(c @ ("CLIENT_ERROR" | "TRANSIENT_ERROR" | "DATABASE_ERROR")) => c.to_owned(),
        _ => "UNKNOWN".to_owned(),
    }
}

/// A record's values, in key order, in TestKit's encoding.
pub fn record_values(record: &Record) -> Result<Vec<CypherValue>> {
    record
        .values()
        .map_err(|e| Error::Value(format!("cannot decode record: {e}")))?
        .into_iter()
        .map(to_cypher)
        .collect()
}

/// `Record{values}`.
pub fn record(record: &Record) -> Result<Response> {
    Ok(Response::Record {
        values: record_values(record)?,
    })
}

/// `RecordOptional{record, warnings}` (`record` is `null` when there was none).
pub fn record_optional(record: Option<&Record>, warnings: Vec<String>) -> Result<Response> {
    Ok(Response::RecordOptional {
        record: match record {
            Some(r) => Some(RecordValues {
                values: record_values(r)?,
            }),
            None => None,
        },
        warnings,
    })
}

/// `RecordList{records}`.
pub fn record_list(records: &[Record]) -> Result<Response> {
    Ok(Response::RecordList {
        records: records
            .iter()
            .map(|r| {
                Ok(RecordValues {
                    values: record_values(r)?,
                })
            })
            .collect::<Result<_>>()?,
    })
}

/// `ServerInfo{address, agent, protocolVersion}`.
pub fn server_info(info: &quiver::summary::ServerInfo) -> responses::ServerInfo {
    let (major, minor) = info.protocol_version();
    responses::ServerInfo {
        address: info.address().to_string(),
        agent: info.agent().to_owned(),
        protocol_version: format!("{major}.{minor}"),
    }
}

/// `Summary{...}` of a consumed result.
pub fn summary(summary: &ResultSummary) -> Result<responses::Summary> {
    let c = summary.counters();
    let notifications: Vec<Notification> = summary
        .notifications()
        .iter()
        .map(|n| Notification {
            severity: n.raw_severity().unwrap_or_default().to_owned(),
            description: n.description().to_owned(),
            code: n.code().to_owned(),
            title: n.title().to_owned(),
            position: n.position().map(position),
            severity_level: severity(n.severity()),
            raw_severity_level: n.raw_severity().unwrap_or_default().to_owned(),
            category: notification_classification(n.raw_category()),
            raw_category: n.raw_category().unwrap_or_default().to_owned(),
        })
        .collect();
    Ok(responses::Summary {
        counters: SummaryCounters {
            constraints_added: c.constraints_added(),
            constraints_removed: c.constraints_removed(),
            contains_system_updates: c.contains_system_updates(),
            contains_updates: c.contains_updates(),
            indexes_added: c.indexes_added(),
            indexes_removed: c.indexes_removed(),
            labels_added: c.labels_added(),
            labels_removed: c.labels_removed(),
            nodes_created: c.nodes_created(),
            nodes_deleted: c.nodes_deleted(),
            properties_set: c.properties_set(),
            relationships_created: c.relationships_created(),
            relationships_deleted: c.relationships_deleted(),
            system_updates: c.system_updates(),
        },
        database: summary.database().map(str::to_owned),
        notifications: summary.notifications_reported().then_some(notifications),
        gql_status_objects: summary
            .gql_status_objects()
            .iter()
            .map(|g| {
                Ok(GqlStatusObject {
                    gql_status: g.gql_status().to_owned(),
                    status_description: g.status_description().to_owned(),
                    position: g.position().map(position),
                    classification: notification_classification(g.raw_classification()),
                    raw_classification: g.raw_classification().map(str::to_owned),
                    severity: severity(g.severity()),
                    raw_severity: g.raw_severity().map(str::to_owned),
                    diagnostic_record: to_cypher_map(g.diagnostic_record().clone())?,
                    is_notification: g.is_notification(),
                })
            })
            .collect::<Result<_>>()?,
        plan: summary.plan().map(|p| plan_json(p, 0)),
        profile: summary.profile().map(|p| profile_json(p, 0)),
        query: SummaryQuery {
            text: summary.query().text().to_owned(),
            parameters: to_cypher_map(summary.query().parameters().clone())?,
        },
        query_type: summary.query_type().map(|t| {
            match t {
                quiver::summary::QueryType::ReadOnly => "r",
                quiver::summary::QueryType::ReadWrite => "rw",
                quiver::summary::QueryType::WriteOnly => "w",
                quiver::summary::QueryType::SchemaWrite => "s",
                _ => "unknown",
            }
            .to_owned()
        }),
        result_available_after: summary.result_available_after().map(millis),
        result_consumed_after: summary.result_consumed_after().map(millis),
        server_info: server_info(summary.server()),
    })
}

/// `EagerResult{keys, records, summary}`.
pub fn eager_result(result: &EagerResult) -> Result<Response> {
    Ok(Response::EagerResult {
        keys: result.keys.iter().cloned().collect(),
        records: result
            .records
            .iter()
            .map(|r| {
                Ok(RecordValues {
                    values: record_values(r)?,
                })
            })
            .collect::<Result<_>>()?,
        summary: Box::new(summary(&result.summary)?),
    })
}

fn millis(d: std::time::Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

fn position(p: InputPosition) -> Position {
    Position {
        offset: p.offset(),
        line: p.line(),
        column: p.column(),
    }
}

fn severity(s: NotificationSeverity) -> String {
    match s {
        NotificationSeverity::Warning => "WARNING",
        NotificationSeverity::Information => "INFORMATION",
        _ => "UNKNOWN",
    }
    .to_owned()
}

fn notification_classification(raw: Option<&str>) -> String {
    const KNOWN: &[&str] = &[
        "HINT",
        "UNRECOGNIZED",
        "UNSUPPORTED",
        "PERFORMANCE",
        "DEPRECATION",
        "GENERIC",
        "SECURITY",
        "TOPOLOGY",
        "SCHEMA",
    ];
    match raw {
        Some(c) if KNOWN.contains(&c) => c.to_owned(),
        _ => "UNKNOWN".to_owned(),
    }
}

/// Plans deeper than this are cut (the driver already bounds them; this keeps the recursion
/// here obviously finite).
const MAX_PLAN_DEPTH: usize = 256;

fn plan_json(p: &quiver::summary::Plan, depth: usize) -> Json {
    json!({
        "args": plain_json_map(p.arguments()),
        "operatorType": p.operator_type(),
        "identifiers": p.identifiers(),
        "children": if depth < MAX_PLAN_DEPTH {
            p.children().iter().map(|c| plan_json(c, depth + 1)).collect()
        } else {
            Vec::new()
        },
    })
}

fn profile_json(p: &quiver::summary::ProfiledPlan, depth: usize) -> Json {
    let mut out = json!({
        "args": plain_json_map(p.arguments()),
        "operatorType": p.operator_type(),
        "identifiers": p.identifiers(),
        "dbHits": p.db_hits(),
        "rows": p.records(),
        "children": if depth < MAX_PLAN_DEPTH {
            p.children().iter().map(|c| profile_json(c, depth + 1)).collect()
        } else {
            Vec::new()
        },
    });
    if let Some(obj) = out.as_object_mut() {
        if let Some(v) = p.page_cache_hits() {
            obj.insert("pageCacheHits".into(), v.into());
        }
        if let Some(v) = p.page_cache_misses() {
            obj.insert("pageCacheMisses".into(), v.into());
        }
        if let Some(v) = p.page_cache_hit_ratio() {
            obj.insert("pageCacheHitRatio".into(), json!(v));
        }
        if let Some(v) = p.time() {
            obj.insert("time".into(), v.into());
        }
    }
    out
}

fn plain_json_map(map: &quiver::Map) -> BTreeMap<String, Json> {
    map.iter()
        .map(|(k, v)| (k.clone(), plain_json(v, 0)))
        .collect()
}

/// A driver value as plain JSON (plan arguments): scalars as themselves, other types by their
/// debug form. Non-finite floats become their TestKit strings.
fn plain_json(value: &Value, depth: usize) -> Json {
    if depth > MAX_PLAN_DEPTH {
        return Json::Null;
    }
    match value {
        Value::Null => Json::Null,
        Value::Boolean(b) => Json::Bool(*b),
        Value::Integer(i) => Json::from(*i),
        Value::Float(f) => serde_json::Number::from_f64(*f).map_or_else(
            || {
                Json::String(
                    if f.is_nan() {
                        "NaN"
                    } else if *f > 0.0 {
                        "+Infinity"
                    } else {
                        "-Infinity"
                    }
                    .to_owned(),
                )
            },
            Json::Number,
        ),
        Value::String(s) => Json::String(s.clone()),
        Value::List(items) => Json::Array(items.iter().map(|v| plain_json(v, depth + 1)).collect()),
        Value::Map(m) => Json::Object(
            m.iter()
                .map(|(k, v)| (k.clone(), plain_json(v, depth + 1)))
                .collect(),
        ),
        other => Json::String(format!("{other:?}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::Id;

    #[test]
    fn server_error_with_gql_cause_chain() {
        let mut diag = quiver::Map::new();
        diag.insert(
            "_classification".into(),
            Value::String("CLIENT_ERROR".into()),
        );
        let cause = ServerError::new("Neo.ClientError.Statement.ArgumentError", "inner")
            .with_gql_status("22N00", "data exception")
            .with_diagnostic_record(diag.clone());
        let err = quiver::Error::server(
            ServerError::new("Neo.ClientError.Statement.SyntaxError", "bad syntax")
                .with_gql_status("42001", "syntax error")
                .with_diagnostic_record(diag)
                .with_cause(cause),
        );
        let r = driver_error_response(Id::from(5), &err);
        assert_eq!(
            r.code.as_deref(),
            Some("Neo.ClientError.Statement.SyntaxError")
        );
        assert!(!r.retryable);
        assert_eq!(r.gql_status.as_deref(), Some("42001"));
        assert_eq!(r.classification.as_deref(), Some("CLIENT_ERROR"));
        assert_eq!(r.raw_classification.as_deref(), Some("CLIENT_ERROR"));
        let json = serde_json::to_value(Response::DriverError(Box::new(r))).unwrap();
        assert_eq!(json["data"]["id"], 5);
        assert_eq!(json["data"]["cause"]["name"], "GqlError");
        assert_eq!(json["data"]["cause"]["data"]["msg"], "inner");
        assert_eq!(json["data"]["cause"]["data"]["gqlStatus"], "22N00");
        assert_eq!(
            json["data"]["diagnosticRecord"]["_classification"],
            serde_json::json!({"name": "CypherString", "data": {"value": "CLIENT_ERROR"}})
        );
    }

    #[test]
    fn transient_errors_are_retryable_and_user_errors_have_no_code() {
        let transient = quiver::Error::server(ServerError::new(
            "Neo.TransientError.Transaction.DeadlockDetected",
            "deadlock",
        ));
        let r = driver_error_response(Id::from(1), &transient);
        assert!(r.retryable);
        // Anything the server sent is TestKit's `ServerError`, with the message verbatim.
        assert_eq!(r.error_type, "ServerError");
        assert_eq!(r.msg, "deadlock");
        assert_eq!(
            r.code.as_deref(),
            Some("Neo.TransientError.Transaction.DeadlockDetected")
        );
        assert_eq!(r.classification.as_deref(), Some("UNKNOWN"));
        let user = driver_error_response(Id::from(2), &quiver::Error::user("boom"));
        assert_eq!(user.code, None);
        assert_eq!(user.error_type, "User");
        assert!(user.msg.contains("boom"));
        assert!(user.cause.is_none());
    }

    #[test]
    fn client_side_kinds_have_testkit_names() {
        let cases = [(quiver::Error::user("x"), "User")];
        for (e, name) in cases {
            assert_eq!(error_type_and_msg(&e).0, name);
        }
        let misuse = quiver::Error::user(Misuse {
            error_type: "TransactionOutOfScope",
            msg: "ended".into(),
        });
        assert_eq!(
            error_type_and_msg(&misuse),
            ("TransactionOutOfScope".to_owned(), "ended".to_owned())
        );
    }

    fn map(pairs: &[(&str, Value)]) -> quiver::Map {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect()
    }

    #[test]
    fn summary_shape() {
        use quiver::summary::{Query, ServerInfo, StreamShape};
        let server = ServerInfo::new(
            quiver::Address::new("127.0.0.1", 9001),
            "Neo4j/5.20.0",
            (5, 4),
        );
        let run = map(&[("t_first", Value::Integer(3))]);
        let end = map(&[
            ("type", Value::String("w".into())),
            ("db", Value::String("neo4j".into())),
            ("t_last", Value::Integer(7)),
            (
                "stats",
                Value::Map(map(&[("nodes-created", Value::Integer(2))])),
            ),
            (
                "notifications",
                Value::List(vec![Value::Map(map(&[
                    (
                        "code",
                        Value::String("Neo.ClientNotification.Statement.CartesianProduct".into()),
                    ),
                    ("title", Value::String("t".into())),
                    ("description", Value::String("d".into())),
                    ("severity", Value::String("WARNING".into())),
                    ("category", Value::String("PERFORMANCE".into())),
                ]))]),
            ),
        ]);
        let params = map(&[("x", Value::Integer(1))]);
        let s = ResultSummary::from_metadata(
            Query::new("CREATE (), ()", params),
            server,
            &run,
            &end,
            StreamShape {
                had_keys: false,
                had_record: false,
            },
        );
        let json = serde_json::to_value(Response::Summary(Box::new(summary(&s).unwrap()))).unwrap();
        let data = &json["data"];
        assert_eq!(data["queryType"], "w");
        assert_eq!(data["database"], "neo4j");
        assert_eq!(data["resultAvailableAfter"], 3);
        assert_eq!(data["resultConsumedAfter"], 7);
        assert_eq!(data["counters"]["nodesCreated"], 2);
        assert_eq!(data["counters"]["containsUpdates"], true);
        assert_eq!(data["query"]["text"], "CREATE (), ()");
        assert_eq!(
            data["query"]["parameters"]["x"],
            serde_json::json!({"name": "CypherInt", "data": {"value": 1}})
        );
        assert_eq!(
            data["serverInfo"],
            serde_json::json!({"address": "127.0.0.1:9001", "agent": "Neo4j/5.20.0", "protocolVersion": "5.4"})
        );
        let n = &data["notifications"][0];
        assert_eq!(n["severity"], "WARNING");
        assert_eq!(n["severityLevel"], "WARNING");
        assert_eq!(n["category"], "PERFORMANCE");
        assert_eq!(n["rawCategory"], "PERFORMANCE");
        assert!(data["gqlStatusObjects"]
            .as_array()
            .is_some_and(|g| !g.is_empty()));
        assert_eq!(data["plan"], Json::Null);

        // No notifications: `null`, not `[]`.
        let quiet = ResultSummary::from_metadata(
            Query::new("RETURN 1", quiver::Map::new()),
            ServerInfo::new(quiver::Address::new("h", 1), "Neo4j/5.20.0", (5, 4)),
            &quiver::Map::new(),
            &quiver::Map::new(),
            StreamShape {
                had_keys: true,
                had_record: true,
            },
        );
        assert!(summary(&quiet).unwrap().notifications.is_none());
        // An empty list the server sent stays a list; Bolt 5.6+ always reports one.
        let shape = StreamShape {
            had_keys: true,
            had_record: true,
        };
        let mut end = quiver::Map::new();
        end.insert("notifications".into(), Value::List(vec![]));
        let empty = ResultSummary::from_metadata(
            Query::new("RETURN 1", quiver::Map::new()),
            ServerInfo::new(quiver::Address::new("h", 1), "Neo4j/5.20.0", (5, 4)),
            &quiver::Map::new(),
            &end,
            shape,
        );
        assert_eq!(
            summary(&empty).unwrap().notifications.map(|n| n.len()),
            Some(0)
        );
        let new = ResultSummary::from_metadata(
            Query::new("RETURN 1", quiver::Map::new()),
            ServerInfo::new(quiver::Address::new("h", 1), "Neo4j/5.20.0", (5, 6)),
            &quiver::Map::new(),
            &quiver::Map::new(),
            shape,
        );
        assert_eq!(
            summary(&new).unwrap().notifications.map(|n| n.len()),
            Some(0)
        );
    }

    #[test]
    fn plain_json_of_plan_arguments() {
        assert_eq!(
            plain_json(&Value::Float(f64::NAN), 0),
            Json::String("NaN".into())
        );
        assert_eq!(plain_json(&Value::Integer(3), 0), json!(3));
        assert_eq!(
            plain_json(
                &Value::List(vec![Value::String("a".into()), Value::Null]),
                0
            ),
            json!(["a", null])
        );
    }
}
