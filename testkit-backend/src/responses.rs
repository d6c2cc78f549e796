//! Every message the backend sends to TestKit (`nutkit/protocol/responses.py`): responses,
//! callback requests and errors.
//!
//! TestKit builds its Python objects with `Class(**data)`, so each variant must carry exactly
//! the fields the class's constructor takes: an extra field is a `TypeError` on TestKit's side.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value as Json;

use crate::cypher::CypherValue;
use crate::ids::Id;
use crate::requests::AuthorizationToken;

/// One message from the backend to TestKit.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "name", content = "data")]
#[non_exhaustive]
pub enum Response {
    // ---- test control ----
    /// Answer to `GetFeatures`.
    FeatureList {
        /// Feature flag strings.
        features: Vec<String>,
    },
    /// Answer to `StartTest`/`StartSubTest`: run it.
    RunTest {},
    /// Answer to `StartTest`: ask again for each subtest.
    RunSubTests {},
    /// Answer to `StartTest`/`StartSubTest`: skip it.
    SkipTest {
        /// Why.
        reason: String,
    },

    // ---- handles ----
    /// A driver (`NewDriver`, `DriverClose`, `VerifyConnectivity`, `ForcedRoutingTableUpdate`).
    Driver {
        /// Driver id.
        id: Id,
    },
    /// A session (`NewSession`, `SessionClose`).
    Session {
        /// Session id.
        id: Id,
    },
    /// A transaction (`SessionBeginTransaction`, `TransactionCommit`/`Rollback`/`Close`).
    Transaction {
        /// Transaction id.
        id: Id,
    },
    /// A result (`SessionRun`, `TransactionRun`).
    Result {
        /// Result id.
        id: Id,
        /// The result's keys.
        keys: Vec<String>,
    },
    /// A bookmark manager (`NewBookmarkManager`, `BookmarkManagerClose`).
    BookmarkManager {
        /// Manager id.
        id: Id,
    },
    /// A custom auth token manager (`NewAuthTokenManager`, `AuthTokenManagerClose`).
    AuthTokenManager {
        /// Manager id.
        id: Id,
    },
    /// A basic (password rotation) auth token manager.
    BasicAuthTokenManager {
        /// Manager id.
        id: Id,
    },
    /// A bearer (expiring token) auth token manager.
    BearerAuthTokenManager {
        /// Manager id.
        id: Id,
    },
    /// A client certificate provider.
    ClientCertificateProvider {
        /// Provider id.
        id: Id,
    },

    // ---- data ----
    /// One record.
    Record {
        /// The record's values in key order.
        values: Vec<CypherValue>,
    },
    /// No more records.
    NullRecord {},
    /// All remaining records (`ResultList`).
    RecordList {
        /// The records.
        records: Vec<RecordValues>,
    },
    /// `ResultSingleOptional`'s answer.
    RecordOptional {
        /// The record, if exactly one came.
        record: Option<RecordValues>,
        /// Warnings (e.g. "more than one record").
        warnings: Vec<String>,
    },
    /// `CypherTypeField`'s answer.
    Field {
        /// The field's value.
        value: CypherValue,
    },
    /// `ResultConsume`'s answer.
    Summary(Box<Summary>),
    /// `GetServerInfo`'s answer.
    ServerInfo(ServerInfo),
    /// `SessionLastBookmarks`'s answer.
    Bookmarks {
        /// Bookmark strings.
        bookmarks: Vec<String>,
    },
    /// `ExecuteQuery`'s answer.
    EagerResult {
        /// Keys.
        keys: Vec<String>,
        /// Records.
        records: Vec<RecordValues>,
        /// Summary.
        summary: Box<Summary>,
    },
    /// `GetRoutingTable`'s answer.
    RoutingTable {
        /// Database name.
        database: Option<String>,
        /// Time to live in seconds.
        ttl: i64,
        /// Router addresses.
        routers: Vec<String>,
        /// Reader addresses.
        readers: Vec<String>,
        /// Writer addresses.
        writers: Vec<String>,
    },
    /// `GetConnectionPoolMetrics`'s answer.
    #[serde(rename_all = "camelCase")]
    ConnectionPoolMetrics {
        /// Connections in use.
        in_use: u64,
        /// Idle connections.
        idle: u64,
    },
    /// `CheckMultiDBSupport`'s answer.
    MultiDBSupport {
        /// Driver id.
        id: Id,
        /// Whether the server supports multiple databases.
        available: bool,
    },
    /// `VerifyAuthentication`'s answer.
    DriverIsAuthenticated {
        /// Driver id.
        id: Id,
        /// Whether the credentials were accepted.
        authenticated: bool,
    },
    /// `CheckSessionAuthSupport`'s answer.
    SessionAuthSupport {
        /// Driver id.
        id: Id,
        /// Whether session auth (re-auth) is supported.
        available: bool,
    },
    /// `CheckDriverIsEncrypted`'s answer.
    DriverIsEncrypted {
        /// Whether the driver is configured for encryption.
        encrypted: bool,
    },
    /// A managed transaction function is running: TestKit now runs the test's function against
    /// transaction `id`, then sends `RetryablePositive`/`RetryableNegative`.
    RetryableTry {
        /// Transaction id.
        id: Id,
    },
    /// The managed transaction committed.
    RetryableDone {},
    /// `FakeTime*`'s answer.
    FakeTimeAck {},

    // ---- callback requests (TestKit answers each with a `...Completed` request) ----
    /// Run the test's resolver for `address`.
    ResolverResolutionRequired {
        /// Callback request id.
        id: Id,
        /// Address to resolve.
        address: String,
    },
    /// Run the test's domain name resolver for `name`.
    DomainNameResolutionRequired {
        /// Callback request id.
        id: Id,
        /// Host name.
        name: String,
    },
    /// Run a bookmark manager's supplier.
    #[serde(rename_all = "camelCase")]
    BookmarksSupplierRequest {
        /// Callback request id.
        id: Id,
        /// Manager id.
        bookmark_manager_id: Id,
    },
    /// Run a bookmark manager's consumer.
    #[serde(rename_all = "camelCase")]
    BookmarksConsumerRequest {
        /// Callback request id.
        id: Id,
        /// Manager id.
        bookmark_manager_id: Id,
        /// The manager's new bookmarks.
        bookmarks: Vec<String>,
    },
    /// Call a custom auth token manager's `get_auth`.
    #[serde(rename_all = "camelCase")]
    AuthTokenManagerGetAuthRequest {
        /// Callback request id.
        id: Id,
        /// Manager id.
        auth_token_manager_id: Id,
    },
    /// Call a custom auth token manager's `handle_security_exception`.
    #[serde(rename_all = "camelCase")]
    AuthTokenManagerHandleSecurityExceptionRequest {
        /// Callback request id.
        id: Id,
        /// Manager id.
        auth_token_manager_id: Id,
        /// The token that failed.
        auth: AuthorizationToken,
        /// The server's error code.
        error_code: String,
    },
    /// Call a basic auth token manager's provider.
    #[serde(rename_all = "camelCase")]
    BasicAuthTokenProviderRequest {
        /// Callback request id.
        id: Id,
        /// Manager id.
        basic_auth_token_manager_id: Id,
    },
    /// Call a bearer auth token manager's provider.
    #[serde(rename_all = "camelCase")]
    BearerAuthTokenProviderRequest {
        /// Callback request id.
        id: Id,
        /// Manager id.
        bearer_auth_token_manager_id: Id,
    },
    /// Call a client certificate provider.
    #[serde(rename_all = "camelCase")]
    ClientCertificateProviderRequest {
        /// Callback request id.
        id: Id,
        /// Provider id.
        client_certificate_provider_id: Id,
    },

    // ---- errors ----
    /// An error raised by the driver.
    DriverError(Box<DriverError>),
    /// An error raised by TestKit's side ("user code").
    FrontendError {
        /// Message.
        msg: String,
    },
    /// A bug or gap in the backend.
    BackendError {
        /// Message.
        msg: String,
    },
}

impl Response {
    /// Whether this is a callback request (TestKit answers it with a `...Completed` request and
    /// keeps waiting for the real response).
    pub fn is_callback_request(&self) -> bool {
        matches!(
            self,
            Response::ResolverResolutionRequired { .. }
                | Response::DomainNameResolutionRequired { .. }
                | Response::BookmarksSupplierRequest { .. }
                | Response::BookmarksConsumerRequest { .. }
                | Response::AuthTokenManagerGetAuthRequest { .. }
                | Response::AuthTokenManagerHandleSecurityExceptionRequest { .. }
                | Response::BasicAuthTokenProviderRequest { .. }
                | Response::BearerAuthTokenProviderRequest { .. }
                | Response::ClientCertificateProviderRequest { .. }
        )
    }
}

/// `{"values": [...]}` inside `RecordList`, `RecordOptional` and `EagerResult`.
#[derive(Debug, Clone, Serialize)]
pub struct RecordValues {
    /// The record's values in key order.
    pub values: Vec<CypherValue>,
}

/// `DriverError{...}`: the driver's error, stored by the backend under `id`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DriverError {
    /// Id under which the backend keeps the error (`RetryableNegative` refers to it).
    pub id: Id,
    /// The error's type name (TestKit matches on it, e.g. `Neo4jError`, `SessionExpired`).
    pub error_type: String,
    /// Message.
    pub msg: String,
    /// Neo4j status code, if the server sent one.
    pub code: Option<String>,
    /// Whether the driver would retry it.
    pub retryable: bool,
    /// GQLSTATUS.
    pub gql_status: Option<String>,
    /// GQL status description.
    pub status_description: Option<String>,
    /// The GQL cause chain.
    pub cause: Option<Box<GqlErrorCause>>,
    /// GQL diagnostic record, values encoded as Cypher values.
    pub diagnostic_record: Option<BTreeMap<String, CypherValue>>,
    /// GQL classification (`CLIENT_ERROR`, `TRANSIENT_ERROR`, `DATABASE_ERROR`, `UNKNOWN`).
    pub classification: Option<String>,
    /// Classification as sent by the server.
    pub raw_classification: Option<String>,
}

/// A link of the GQL cause chain, sent as `{"name": "GqlError", "data": {...}}`.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "name", content = "data")]
pub enum GqlErrorCause {
    /// The only kind.
    #[serde(rename_all = "camelCase")]
    GqlError {
        /// Message.
        msg: String,
        /// GQLSTATUS.
        gql_status: String,
        /// Description.
        status_description: String,
        /// Next cause.
        cause: Option<Box<GqlErrorCause>>,
        /// Diagnostic record.
        diagnostic_record: Option<BTreeMap<String, CypherValue>>,
        /// Classification.
        classification: Option<String>,
        /// Raw classification.
        raw_classification: Option<String>,
    },
}

/// `ServerInfo{address, agent, protocolVersion}`, alone or inside a summary.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ServerInfo {
    /// `host:port` the driver connected to.
    pub address: String,
    /// Server agent string.
    pub agent: String,
    /// Negotiated Bolt version, `"5.4"`.
    pub protocol_version: String,
}

/// `Summary{...}`, the answer to `ResultConsume` and part of `EagerResult`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    /// Update counters.
    pub counters: SummaryCounters,
    /// Database the query ran against.
    pub database: Option<String>,
    /// Notifications; `None` when the server sent none (TestKit tells `None` from `[]`).
    pub notifications: Option<Vec<Notification>>,
    /// GQL status objects.
    pub gql_status_objects: Vec<GqlStatusObject>,
    /// Plan, as plain JSON (`{args, operatorType, identifiers, children}`).
    pub plan: Option<Json>,
    /// Profile, as plain JSON (plan fields plus `dbHits`, `rows`, ...).
    pub profile: Option<Json>,
    /// The query that ran.
    pub query: SummaryQuery,
    /// `"r"`, `"w"`, `"rw"` or `"s"`.
    pub query_type: Option<String>,
    /// Milliseconds until the first record was available.
    pub result_available_after: Option<i64>,
    /// Milliseconds until the result was consumed.
    pub result_consumed_after: Option<i64>,
    /// The server.
    pub server_info: ServerInfo,
}

/// `SummaryCounters{...}`.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
#[allow(missing_docs)]
pub struct SummaryCounters {
    pub constraints_added: i64,
    pub constraints_removed: i64,
    pub contains_system_updates: bool,
    pub contains_updates: bool,
    pub indexes_added: i64,
    pub indexes_removed: i64,
    pub labels_added: i64,
    pub labels_removed: i64,
    pub nodes_created: i64,
    pub nodes_deleted: i64,
    pub properties_set: i64,
    pub relationships_created: i64,
    pub relationships_deleted: i64,
    pub system_updates: i64,
}

/// `SummaryQuery{text, parameters}`.
#[derive(Debug, Clone, Serialize)]
pub struct SummaryQuery {
    /// Query text.
    pub text: String,
    /// Parameters, as Cypher values.
    pub parameters: BTreeMap<String, CypherValue>,
}

/// A notification inside a summary.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
#[allow(missing_docs)]
pub struct Notification {
    /// The severity as the server wrote it (the drivers' legacy field).
    pub severity: String,
    pub description: String,
    pub code: String,
    pub title: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub position: Option<Position>,
    pub severity_level: String,
    pub raw_severity_level: String,
    pub category: String,
    pub raw_category: String,
}

/// A GQL status object inside a summary.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
#[allow(missing_docs)]
pub struct GqlStatusObject {
    pub gql_status: String,
    pub status_description: String,
    pub position: Option<Position>,
    pub classification: String,
    pub raw_classification: Option<String>,
    pub severity: String,
    pub raw_severity: Option<String>,
    pub diagnostic_record: BTreeMap<String, CypherValue>,
    pub is_notification: bool,
}

/// A position in the query text.
#[derive(Debug, Clone, Copy, Serialize)]
#[allow(missing_docs)]
pub struct Position {
    pub offset: i64,
    pub line: i64,
    pub column: i64,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn unit_like_responses_have_empty_data() {
        for (resp, name) in [
            (Response::RunTest {}, "RunTest"),
            (Response::RunSubTests {}, "RunSubTests"),
            (Response::NullRecord {}, "NullRecord"),
            (Response::RetryableDone {}, "RetryableDone"),
            (Response::FakeTimeAck {}, "FakeTimeAck"),
        ] {
            assert_eq!(
                serde_json::to_value(&resp).unwrap(),
                json!({"name": name, "data": {}})
            );
        }
    }

    #[test]
    fn callback_fields_are_camel_case() {
        let r = Response::BookmarksConsumerRequest {
            id: Id::from(3),
            bookmark_manager_id: Id::from(1),
            bookmarks: vec!["bm".into()],
        };
        assert!(r.is_callback_request());
        assert_eq!(
            serde_json::to_value(&r).unwrap(),
            json!({"name": "BookmarksConsumerRequest",
                   "data": {"id": 3, "bookmarkManagerId": 1, "bookmarks": ["bm"]}})
        );
    }

    #[test]
    fn driver_error_shape() {
        let err = Response::DriverError(Box::new(DriverError {
            id: Id::from(9),
            error_type: "Neo4jError".into(),
            msg: "nope".into(),
            code: Some("Neo.ClientError.Statement.SyntaxError".into()),
            retryable: false,
            gql_status: Some("42001".into()),
            status_description: None,
            cause: Some(Box::new(GqlErrorCause::GqlError {
                msg: "inner".into(),
                gql_status: "22000".into(),
                status_description: "d".into(),
                cause: None,
                diagnostic_record: None,
                classification: Some("CLIENT_ERROR".into()),
                raw_classification: None,
            })),
            diagnostic_record: None,
            classification: Some("CLIENT_ERROR".into()),
            raw_classification: Some("CLIENT_ERROR".into()),
        }));
        let v = serde_json::to_value(&err).unwrap();
        assert_eq!(v["name"], "DriverError");
        let data = v["data"].as_object().unwrap();
        let mut keys: Vec<_> = data.keys().map(String::as_str).collect();
        keys.sort_unstable();
        assert_eq!(
            keys,
            [
                "cause",
                "classification",
                "code",
                "diagnosticRecord",
                "errorType",
                "gqlStatus",
                "id",
                "msg",
                "rawClassification",
                "retryable",
                "statusDescription"
            ]
        );
        assert_eq!(data["cause"]["name"], "GqlError");
        assert_eq!(data["cause"]["data"]["gqlStatus"], "22000");
    }

    #[test]
    fn record_list_shape() {
        let r = Response::RecordList {
            records: vec![RecordValues {
                values: vec![CypherValue::int(1)],
            }],
        };
        assert_eq!(
            serde_json::to_value(&r).unwrap(),
            json!({"name": "RecordList", "data": {"records": [
                {"values": [{"name": "CypherInt", "data": {"value": 1}}]}]}})
        );
    }
}
