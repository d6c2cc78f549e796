//! Every request TestKit sends (`nutkit/protocol/requests.py`), parsed into typed structs.
//!
//! Unknown fields are ignored (newer TestKit versions add fields); missing required fields and
//! wrong types are errors. Where TestKit gives "absent" and `null` different meanings the field
//! is a [`Presence`].

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Number, Value as Json};

use crate::cypher::CypherValue;
use crate::error::Error;
use crate::ids::Id;
use crate::presence::Presence;

/// Query parameters or transaction metadata: Cypher values by name.
pub type CypherMap = BTreeMap<String, CypherValue>;

macro_rules! requests {
    ($( $(#[$meta:meta])* $name:ident ),* $(,)?) => {
        /// One request from TestKit.
        #[derive(Debug, Clone, Deserialize)]
        #[serde(tag = "name", content = "data")]
        #[non_exhaustive]
        pub enum Request {
            $( $(#[$meta])* $name($name), )*
        }

        impl Request {
            /// The request's name on the wire.
            pub fn name(&self) -> &'static str {
                match self {
                    $( Request::$name(_) => stringify!($name), )*
                }
            }
        }

        /// Every request name the backend knows, in protocol order.
        pub const REQUEST_NAMES: &[&str] = &[$( stringify!($name), )*];
    };
}

requests! {
    // ---- test control ----
    /// `StartTest`.
    StartTest,
    /// `StartSubTest`.
    StartSubTest,
    /// `GetFeatures`.
    GetFeatures,
    // ---- driver ----
    /// `NewDriver`.
    NewDriver,
    /// `DriverClose`.
    DriverClose,
    /// `VerifyConnectivity`.
    VerifyConnectivity,
    /// `VerifyAuthentication`.
    VerifyAuthentication,
    /// `GetServerInfo`.
    GetServerInfo,
    /// `CheckMultiDBSupport`.
    CheckMultiDBSupport,
    /// `CheckSessionAuthSupport`.
    CheckSessionAuthSupport,
    /// `CheckDriverIsEncrypted`.
    CheckDriverIsEncrypted,
    /// `ExecuteQuery`.
    ExecuteQuery,
    /// `GetConnectionPoolMetrics`.
    GetConnectionPoolMetrics,
    /// `GetRoutingTable`.
    GetRoutingTable,
    /// `ForcedRoutingTableUpdate`.
    ForcedRoutingTableUpdate,
    // ---- session ----
    /// `NewSession`.
    NewSession,
    /// `SessionClose`.
    SessionClose,
    /// `SessionRun`.
    SessionRun,
    /// `SessionBeginTransaction`.
    SessionBeginTransaction,
    /// `SessionReadTransaction`.
    SessionReadTransaction,
    /// `SessionWriteTransaction`.
    SessionWriteTransaction,
    /// `SessionLastBookmarks`.
    SessionLastBookmarks,
    /// `RetryablePositive`.
    RetryablePositive,
    /// `RetryableNegative`.
    RetryableNegative,
    // ---- transaction ----
    /// `TransactionRun`.
    TransactionRun,
    /// `TransactionCommit`.
    TransactionCommit,
    /// `TransactionRollback`.
    TransactionRollback,
    /// `TransactionClose`.
    TransactionClose,
    // ---- result ----
    /// `ResultNext`.
    ResultNext,
    /// `ResultSingle`.
    ResultSingle,
    /// `ResultSingleOptional`.
    ResultSingleOptional,
    /// `ResultPeek`.
    ResultPeek,
    /// `ResultList`.
    ResultList,
    /// `ResultConsume`.
    ResultConsume,
    /// `CypherTypeField`.
    CypherTypeField,
    // ---- auth token managers ----
    /// `NewAuthTokenManager`.
    NewAuthTokenManager,
    /// `NewBasicAuthTokenManager`.
    NewBasicAuthTokenManager,
    /// `NewBearerAuthTokenManager`.
    NewBearerAuthTokenManager,
    /// `AuthTokenManagerClose`.
    AuthTokenManagerClose,
    /// `AuthTokenManagerGetAuthCompleted` (callback answer).
    AuthTokenManagerGetAuthCompleted,
    /// `AuthTokenManagerHandleSecurityExceptionCompleted` (callback answer).
    AuthTokenManagerHandleSecurityExceptionCompleted,
    /// `BasicAuthTokenProviderCompleted` (callback answer).
    BasicAuthTokenProviderCompleted,
    /// `BearerAuthTokenProviderCompleted` (callback answer).
    BearerAuthTokenProviderCompleted,
    // ---- client certificates ----
    /// `NewClientCertificateProvider`.
    NewClientCertificateProvider,
    /// `ClientCertificateProviderClose`.
    ClientCertificateProviderClose,
    /// `ClientCertificateProviderCompleted` (callback answer).
    ClientCertificateProviderCompleted,
    // ---- bookmark managers ----
    /// `NewBookmarkManager`.
    NewBookmarkManager,
    /// `BookmarkManagerClose`.
    BookmarkManagerClose,
    /// `BookmarksSupplierCompleted` (callback answer).
    BookmarksSupplierCompleted,
    /// `BookmarksConsumerCompleted` (callback answer).
    BookmarksConsumerCompleted,
    // ---- resolvers ----
    /// `ResolverResolutionCompleted` (callback answer).
    ResolverResolutionCompleted,
    /// `DomainNameResolutionCompleted` (callback answer).
    DomainNameResolutionCompleted,
    // ---- fake time ----
    /// `FakeTimeInstall`.
    FakeTimeInstall,
    /// `FakeTimeTick`.
    FakeTimeTick,
    /// `FakeTimeUninstall`.
    FakeTimeUninstall,
}

/// Parses one request block's text.
///
/// A missing or `null` `data` counts as `{}`. Errors tell a malformed block, an unknown request
/// name and bad data apart.
pub fn parse_request(text: &str) -> Result<Request, Error> {
    let mut json: Json =
        serde_json::from_str(text).map_err(|e| Error::MalformedRequest(e.to_string()))?;
    let obj = json
        .as_object_mut()
        .ok_or_else(|| Error::MalformedRequest("request is not a JSON object".into()))?;
    let name = match obj.get("name") {
        Some(Json::String(name)) => name.clone(),
        _ => {
            return Err(Error::MalformedRequest(
                "request has no string \"name\"".into(),
            ))
        }
    };
    if !REQUEST_NAMES.contains(&name.as_str()) {
        return Err(Error::UnknownRequest(name));
    }
    match obj.get("data") {
        None | Some(Json::Null) => {
            obj.insert("data".into(), Json::Object(serde_json::Map::new()));
        }
        Some(_) => {}
    }
    serde_json::from_value(json).map_err(|e| Error::InvalidRequest {
        name,
        reason: e.to_string(),
    })
}

// ---------------------------------------------------------------------------------------------
// nested structs

/// `AuthorizationToken{scheme, principal?, credentials?, realm?, parameters?}` (sent wrapped as
/// `{"name": "AuthorizationToken", "data": {...}}`). Absent fields stay absent when the backend
/// sends a token back: TestKit compares tokens field by field.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "name", content = "data")]
pub enum AuthorizationToken {
    /// The only form.
    AuthorizationToken(AuthTokenData),
}

/// The fields of an [`AuthorizationToken`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuthTokenData {
    /// `basic`, `bearer`, `kerberos`, `none` or a custom scheme.
    pub scheme: String,
    /// User name (basic, custom).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub principal: Option<String>,
    /// Password or token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credentials: Option<String>,
    /// Realm.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub realm: Option<String>,
    /// Custom scheme parameters, as plain JSON.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parameters: Option<BTreeMap<String, Json>>,
}

impl AuthorizationToken {
    /// The token's fields.
    pub fn data(&self) -> &AuthTokenData {
        let AuthorizationToken::AuthorizationToken(data) = self;
        data
    }
}

/// `AuthTokenAndExpiration{auth, expiresInMs}`, the answer of a bearer token provider.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(tag = "name", content = "data")]
pub enum AuthTokenAndExpiration {
    /// The only form.
    #[serde(rename_all = "camelCase")]
    AuthTokenAndExpiration {
        /// The token.
        auth: AuthorizationToken,
        /// Milliseconds until it expires; `None` for never.
        #[serde(default)]
        expires_in_ms: Option<i64>,
    },
}

/// `ClientCertificate{certfile, keyfile, password?}`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(tag = "name", content = "data")]
pub enum ClientCertificate {
    /// The only form.
    ClientCertificate {
        /// Path of the PEM certificate.
        certfile: String,
        /// Path of the PEM key.
        keyfile: String,
        /// Key password.
        #[serde(default)]
        password: Option<String>,
    },
}

/// Session access mode, `"r"` or `"w"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum AccessMode {
    /// `"r"`.
    #[serde(rename = "r")]
    Read,
    /// `"w"`.
    #[serde(rename = "w")]
    Write,
}

/// `ExecuteQuery`'s `config.bookmarkManagerId`: an id, or `-1` to disable bookmark management.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BookmarkManagerChoice {
    /// `-1`: no bookmark manager.
    Disabled,
    /// A bookmark manager created with `NewBookmarkManager`.
    Manager(Id),
}

impl<'de> Deserialize<'de> for BookmarkManagerChoice {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let json = Json::deserialize(d)?;
        if json.as_i64() == Some(-1) {
            return Ok(Self::Disabled);
        }
        Id::deserialize(json)
            .map(Self::Manager)
            .map_err(de::Error::custom)
    }
}

/// `RetryableNegative`'s `errorId`: `""` when TestKit's own code failed, else a driver error id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorRef {
    /// `""`: the test function raised; answer with `FrontendError`.
    Frontend,
    /// A `DriverError` the backend sent earlier.
    Driver(Id),
}

impl<'de> Deserialize<'de> for ErrorRef {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct ErrorRefVisitor;
        impl Visitor<'_> for ErrorRefVisitor {
            type Value = ErrorRef;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("\"\" or an error id")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<ErrorRef, E> {
                Ok(ErrorRef::Driver(Id::from(v)))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<ErrorRef, E> {
                u64::try_from(v)
                    .map(|v| ErrorRef::Driver(Id::from(v)))
                    .map_err(|_| E::invalid_value(de::Unexpected::Signed(v), &self))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<ErrorRef, E> {
                if v.is_empty() {
                    return Ok(ErrorRef::Frontend);
                }
                v.parse::<u64>()
                    .map(|v| ErrorRef::Driver(Id::from(v)))
                    .map_err(|_| E::invalid_value(de::Unexpected::Str(v), &self))
            }
            fn visit_unit<E: de::Error>(self) -> Result<ErrorRef, E> {
                Ok(ErrorRef::Frontend)
            }
        }
        d.deserialize_any(ErrorRefVisitor)
    }
}

// ---------------------------------------------------------------------------------------------
// test control

/// `StartTest{testName}`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StartTest {
    /// Dotted test id, `stub.routing.test_routing_v5x0.RoutingV5x0.test_should_...`.
    pub test_name: String,
}

/// `StartSubTest{testName, subtestArguments}`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StartSubTest {
    /// Dotted test id.
    pub test_name: String,
    /// The subtest's parameters, as TestKit encodes them.
    #[serde(default)]
    pub subtest_arguments: serde_json::Map<String, Json>,
}

/// `GetFeatures{}`.
#[derive(Debug, Clone, Deserialize)]
pub struct GetFeatures {}

// ---------------------------------------------------------------------------------------------
// driver

/// `NewDriver{...}`: every driver config field TestKit knows.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NewDriver {
    /// `neo4j://host:port`, `bolt+s://...`.
    pub uri: String,
    /// Static auth; `None` when `authTokenManagerId` is used.
    #[serde(default)]
    pub authorization_token: Option<AuthorizationToken>,
    /// Auth token manager (any of the three kinds).
    #[serde(default)]
    pub auth_token_manager_id: Option<Id>,
    /// User agent.
    #[serde(default)]
    pub user_agent: Option<String>,
    /// Whether TestKit registered a resolver (then send `ResolverResolutionRequired`).
    #[serde(default)]
    pub resolver_registered: Option<bool>,
    /// Whether TestKit registered a DNS resolver (then send `DomainNameResolutionRequired`).
    #[serde(default)]
    pub domain_name_resolver_registered: Option<bool>,
    /// Connect timeout.
    #[serde(default)]
    pub connection_timeout_ms: Option<i64>,
    /// Records per PULL.
    #[serde(default)]
    pub fetch_size: Option<i64>,
    /// Managed transaction retry budget.
    #[serde(default)]
    pub max_tx_retry_time_ms: Option<i64>,
    /// Encryption; absent means driver default.
    #[serde(default)]
    pub encrypted: Presence<bool>,
    /// Absent: driver default (system CAs); `null`: system CAs; `[]`: trust all; paths: these CAs.
    #[serde(default)]
    pub trusted_certificates: Presence<Vec<String>>,
    /// Liveness check threshold for idle connections.
    #[serde(default)]
    pub liveness_check_timeout_ms: Option<i64>,
    /// Maximum connection lifetime (fork only).
    #[serde(default)]
    pub max_connection_lifetime_ms: Presence<i64>,
    /// Pool size per address.
    #[serde(default)]
    pub max_connection_pool_size: Option<i64>,
    /// Pool acquisition timeout.
    #[serde(default)]
    pub connection_acquisition_timeout_ms: Option<i64>,
    /// `"OFF"`, `"WARNING"`, `"INFORMATION"`; absent: server default.
    #[serde(default)]
    pub notifications_min_severity: Presence<String>,
    /// Categories to disable; absent: server default.
    #[serde(default)]
    pub notifications_disabled_categories: Presence<Vec<String>>,
    /// Whether to send no TELEMETRY; absent: driver default.
    #[serde(default)]
    pub telemetry_disabled: Presence<bool>,
    /// Static client certificate (mTLS).
    #[serde(default)]
    pub client_certificate: Option<ClientCertificate>,
    /// Client certificate provider.
    #[serde(default)]
    pub client_certificate_provider_id: Option<Id>,
}

/// Requests that carry one id and nothing else: `field("doc"); Name, ...`.
macro_rules! one_id_request {
    ($field:ident($doc:literal); $($(#[$meta:meta])* $name:ident),* $(,)?) => {$(
        $(#[$meta])*
        #[derive(Debug, Clone, Deserialize)]
        #[serde(rename_all = "camelCase")]
        pub struct $name {
            #[doc = $doc]
            pub $field: Id,
        }
    )*};
}

one_id_request! {
    driver_id("The driver.");
    /// `DriverClose{driverId}`.
    DriverClose,
    /// `VerifyConnectivity{driverId}`.
    VerifyConnectivity,
    /// `GetServerInfo{driverId}`.
    GetServerInfo,
    /// `CheckMultiDBSupport{driverId}`.
    CheckMultiDBSupport,
    /// `CheckSessionAuthSupport{driverId}`.
    CheckSessionAuthSupport,
    /// `CheckDriverIsEncrypted{driverId}`.
    CheckDriverIsEncrypted,
}

/// `VerifyAuthentication{driverId, authorizationToken?}`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VerifyAuthentication {
    /// The driver.
    pub driver_id: Id,
    /// Token to verify; `None`: the driver's own. (Older TestKit versions call the field
    /// `auth_token`.)
    #[serde(default, alias = "auth_token")]
    pub authorization_token: Option<AuthorizationToken>,
}

/// `ExecuteQuery{driverId, cypher, params, config}`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExecuteQuery {
    /// The driver.
    pub driver_id: Id,
    /// Query text.
    pub cypher: String,
    /// Parameters.
    #[serde(default)]
    pub params: Option<CypherMap>,
    /// Config (absent in older TestKit versions when empty).
    #[serde(default)]
    pub config: ExecuteQueryConfig,
}

/// `ExecuteQuery`'s `config`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExecuteQueryConfig {
    /// Database.
    #[serde(default)]
    pub database: Option<String>,
    /// `"r"` or `"w"`.
    #[serde(default)]
    pub routing: Option<AccessMode>,
    /// Impersonated user.
    #[serde(default)]
    pub impersonated_user: Option<String>,
    /// Absent/`null`: the driver's default manager; `-1`: none; an id: that manager.
    #[serde(default)]
    pub bookmark_manager_id: Presence<BookmarkManagerChoice>,
    /// Transaction metadata.
    #[serde(default)]
    pub tx_meta: Option<CypherMap>,
    /// Transaction timeout in ms; absent: driver default, `null`: server default.
    #[serde(default)]
    pub timeout: Presence<Number>,
    /// Auth for this query.
    #[serde(default)]
    pub authorization_token: Option<AuthorizationToken>,
}

/// `GetConnectionPoolMetrics{driverId, address}`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GetConnectionPoolMetrics {
    /// The driver.
    pub driver_id: Id,
    /// `host:port`.
    pub address: String,
}

/// `GetRoutingTable{driverId, database?}`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GetRoutingTable {
    /// The driver.
    pub driver_id: Id,
    /// Database; `None`: default database.
    #[serde(default)]
    pub database: Option<String>,
}

/// `ForcedRoutingTableUpdate{driverId, database?, bookmarks?}`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ForcedRoutingTableUpdate {
    /// The driver.
    pub driver_id: Id,
    /// Database; `None`: default database.
    #[serde(default)]
    pub database: Option<String>,
    /// Bookmarks to send with ROUTE.
    #[serde(default)]
    pub bookmarks: Option<Vec<String>>,
}

// ---------------------------------------------------------------------------------------------
// session

/// `NewSession{...}`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NewSession {
    /// The driver.
    pub driver_id: Id,
    /// `"r"` or `"w"`.
    pub access_mode: AccessMode,
    /// Initial bookmarks.
    #[serde(default)]
    pub bookmarks: Option<Vec<String>>,
    /// Database.
    #[serde(default)]
    pub database: Option<String>,
    /// Records per PULL.
    #[serde(default)]
    pub fetch_size: Option<i64>,
    /// Impersonated user.
    #[serde(default)]
    pub impersonated_user: Option<String>,
    /// Absent: driver's setting.
    #[serde(default)]
    pub notifications_min_severity: Presence<String>,
    /// Absent: driver's setting.
    #[serde(default)]
    pub notifications_disabled_categories: Presence<Vec<String>>,
    /// Bookmark manager; absent: none.
    #[serde(default)]
    pub bookmark_manager_id: Option<Id>,
    /// Session auth (user switching).
    #[serde(default)]
    pub authorization_token: Option<AuthorizationToken>,
}

one_id_request! {
    session_id("The session.");
    /// `SessionClose{sessionId}`.
    SessionClose,
    /// `SessionLastBookmarks{sessionId}`.
    SessionLastBookmarks,
    /// `RetryablePositive{sessionId}`: the test's transaction function succeeded.
    RetryablePositive,
}

/// `SessionRun{sessionId, cypher, params, txMeta, timeout?}`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionRun {
    /// The session.
    pub session_id: Id,
    /// Query text.
    pub cypher: String,
    /// Parameters.
    #[serde(default)]
    pub params: Option<CypherMap>,
    /// Transaction metadata.
    #[serde(default)]
    pub tx_meta: Option<CypherMap>,
    /// Timeout in ms; absent: driver default, `null`: server default.
    #[serde(default)]
    pub timeout: Presence<Number>,
}

/// Transaction config shared by `SessionBeginTransaction`, `SessionReadTransaction`,
/// `SessionWriteTransaction`.
macro_rules! tx_request {
    ($($(#[$meta:meta])* $name:ident),* $(,)?) => {$(
        $(#[$meta])*
        #[derive(Debug, Clone, Deserialize)]
        #[serde(rename_all = "camelCase")]
        pub struct $name {
            /// The session.
            pub session_id: Id,
            /// Transaction metadata.
            #[serde(default)]
            pub tx_meta: Option<CypherMap>,
            /// Timeout in ms; absent: driver default, `null`: server default.
            #[serde(default)]
            pub timeout: Presence<Number>,
        }
    )*};
}

tx_request! {
    /// `SessionBeginTransaction{sessionId, txMeta, timeout?}`.
    SessionBeginTransaction,
    /// `SessionReadTransaction{sessionId, txMeta, timeout?}`: answer `RetryableTry`.
    SessionReadTransaction,
    /// `SessionWriteTransaction{sessionId, txMeta, timeout?}`: answer `RetryableTry`.
    SessionWriteTransaction,
}

/// `RetryableNegative{sessionId, errorId}`: the test's transaction function failed.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RetryableNegative {
    /// The session.
    pub session_id: Id,
    /// Which error ended the function.
    #[serde(default = "frontend_error_ref")]
    pub error_id: ErrorRef,
}

fn frontend_error_ref() -> ErrorRef {
    ErrorRef::Frontend
}

// ---------------------------------------------------------------------------------------------
// transaction

/// `TransactionRun{txId, cypher, params}`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TransactionRun {
    /// The transaction.
    pub tx_id: Id,
    /// Query text.
    pub cypher: String,
    /// Parameters.
    #[serde(default)]
    pub params: Option<CypherMap>,
}

one_id_request! {
    tx_id("The transaction.");
    /// `TransactionCommit{txId}`.
    TransactionCommit,
    /// `TransactionRollback{txId}`.
    TransactionRollback,
    /// `TransactionClose{txId}`.
    TransactionClose,
}

// ---------------------------------------------------------------------------------------------
// result

one_id_request! {
    result_id("The result.");
    /// `ResultNext{resultId}`.
    ResultNext,
    /// `ResultSingle{resultId}`.
    ResultSingle,
    /// `ResultSingleOptional{resultId}`.
    ResultSingleOptional,
    /// `ResultPeek{resultId}`.
    ResultPeek,
    /// `ResultList{resultId}`.
    ResultList,
    /// `ResultConsume{resultId}`.
    ResultConsume,
}

/// `CypherTypeField{resultId, recordKey, type, field}`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CypherTypeField {
    /// The result.
    pub result_id: Id,
    /// Key of the record's value.
    pub record_key: String,
    /// Type name (`"Node"`, `"Relationship"`, `"Path"`).
    #[serde(rename = "type")]
    pub type_name: String,
    /// Field to extract.
    pub field: String,
}

// ---------------------------------------------------------------------------------------------
// auth token managers, client certificate providers, bookmark managers, resolvers

/// A request with no data.
macro_rules! empty_request {
    ($($(#[$meta:meta])* $name:ident),* $(,)?) => {$(
        $(#[$meta])*
        #[derive(Debug, Clone, Deserialize)]
        pub struct $name {}
    )*};
}

empty_request! {
    /// `NewAuthTokenManager{}`.
    NewAuthTokenManager,
    /// `NewBasicAuthTokenManager{}`.
    NewBasicAuthTokenManager,
    /// `NewBearerAuthTokenManager{}`.
    NewBearerAuthTokenManager,
    /// `NewClientCertificateProvider{}`.
    NewClientCertificateProvider,
    /// `FakeTimeInstall{}`.
    FakeTimeInstall,
    /// `FakeTimeUninstall{}`.
    FakeTimeUninstall,
}

one_id_request! {
    id("The object.");
    /// `AuthTokenManagerClose{id}` (any of the three manager kinds).
    AuthTokenManagerClose,
    /// `ClientCertificateProviderClose{id}`.
    ClientCertificateProviderClose,
    /// `BookmarkManagerClose{id}`.
    BookmarkManagerClose,
}

/// `NewBookmarkManager{initialBookmarks, bookmarksSupplierRegistered, bookmarksConsumerRegistered}`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NewBookmarkManager {
    /// Initial bookmarks.
    #[serde(default)]
    pub initial_bookmarks: Option<Vec<String>>,
    /// Whether to call TestKit's supplier (`BookmarksSupplierRequest`).
    #[serde(default)]
    pub bookmarks_supplier_registered: bool,
    /// Whether to call TestKit's consumer (`BookmarksConsumerRequest`).
    #[serde(default)]
    pub bookmarks_consumer_registered: bool,
}

/// `AuthTokenManagerGetAuthCompleted{requestId, auth}`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthTokenManagerGetAuthCompleted {
    /// Callback request id.
    pub request_id: Id,
    /// The token.
    pub auth: AuthorizationToken,
}

/// `AuthTokenManagerHandleSecurityExceptionCompleted{requestId, handled}`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthTokenManagerHandleSecurityExceptionCompleted {
    /// Callback request id.
    pub request_id: Id,
    /// Whether the manager handled the error (the driver may retry).
    pub handled: bool,
}

/// `BasicAuthTokenProviderCompleted{requestId, auth}`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BasicAuthTokenProviderCompleted {
    /// Callback request id.
    pub request_id: Id,
    /// The token.
    pub auth: AuthorizationToken,
}

/// `BearerAuthTokenProviderCompleted{requestId, auth}`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BearerAuthTokenProviderCompleted {
    /// Callback request id.
    pub request_id: Id,
    /// The token and its expiry.
    pub auth: AuthTokenAndExpiration,
}

/// `ClientCertificateProviderCompleted{requestId, hasUpdate, clientCertificate}`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClientCertificateProviderCompleted {
    /// Callback request id.
    pub request_id: Id,
    /// Whether the certificate changed since the last call.
    pub has_update: bool,
    /// The certificate.
    pub client_certificate: ClientCertificate,
}

/// `BookmarksSupplierCompleted{requestId, bookmarks}`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BookmarksSupplierCompleted {
    /// Callback request id.
    pub request_id: Id,
    /// Supplied bookmarks.
    pub bookmarks: Vec<String>,
}

/// `BookmarksConsumerCompleted{requestId}`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BookmarksConsumerCompleted {
    /// Callback request id.
    pub request_id: Id,
}

/// `ResolverResolutionCompleted{requestId, addresses}`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResolverResolutionCompleted {
    /// Callback request id.
    pub request_id: Id,
    /// Resolved `host:port` addresses.
    pub addresses: Vec<String>,
}

/// `DomainNameResolutionCompleted{requestId, addresses}`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DomainNameResolutionCompleted {
    /// Callback request id.
    pub request_id: Id,
    /// Resolved IP addresses (or names still to resolve).
    pub addresses: Vec<String>,
}

/// `FakeTimeTick{incrementMs}`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FakeTimeTick {
    /// How far to move the fake clock.
    pub increment_ms: i64,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parse(v: Json) -> Request {
        parse_request(&v.to_string()).unwrap()
    }

    #[test]
    fn every_known_name_is_a_variant() {
        for name in REQUEST_NAMES {
            let text = json!({"name": name, "data": {}}).to_string();
            match parse_request(&text) {
                Ok(req) => assert_eq!(req.name(), *name),
                Err(Error::InvalidRequest { reason, .. }) => {
                    assert!(!reason.contains("unknown variant"), "{name}: {reason}");
                }
                Err(other) => panic!("{name}: {other}"),
            }
        }
    }

    #[test]
    fn missing_or_null_data_counts_as_empty() {
        assert!(matches!(
            parse(json!({"name": "GetFeatures"})),
            Request::GetFeatures(_)
        ));
        assert!(matches!(
            parse(json!({"name": "GetFeatures", "data": null})),
            Request::GetFeatures(_)
        ));
    }

    #[test]
    fn error_kinds() {
        assert!(matches!(
            parse_request("{not json"),
            Err(Error::MalformedRequest(_))
        ));
        assert!(matches!(
            parse_request("[1]"),
            Err(Error::MalformedRequest(_))
        ));
        assert!(matches!(
            parse_request(r#"{"name": "Frobnicate", "data": {}}"#),
            Err(Error::UnknownRequest(n)) if n == "Frobnicate"
        ));
        assert!(matches!(
            parse_request(r#"{"name": "DriverClose", "data": {}}"#),
            Err(Error::InvalidRequest { name, .. }) if name == "DriverClose"
        ));
    }

    #[test]
    fn new_driver_absent_vs_null() {
        let base = json!({"name": "NewDriver", "data": {
            "uri": "bolt://localhost:7687",
            "authorizationToken": {"name": "AuthorizationToken", "data": {
                "scheme": "basic", "principal": "neo4j", "credentials": "pass"}},
            "authTokenManagerId": null, "userAgent": null,
            "resolverRegistered": false, "domainNameResolverRegistered": false,
            "connectionTimeoutMs": null, "fetchSize": null, "maxTxRetryTimeMs": null,
            "livenessCheckTimeoutMs": null, "maxConnectionPoolSize": null,
            "connectionAcquisitionTimeoutMs": null,
            "clientCertificate": null, "clientCertificateProviderId": null,
        }});
        let Request::NewDriver(d) = parse(base.clone()) else {
            panic!()
        };
        assert_eq!(d.trusted_certificates, Presence::Absent);
        assert_eq!(d.encrypted, Presence::Absent);
        let auth = d.authorization_token.unwrap();
        assert_eq!(auth.data().scheme, "basic");
        assert_eq!(auth.data().realm, None);

        let mut with_null = base.clone();
        with_null["data"]["trustedCertificates"] = Json::Null;
        with_null["data"]["encrypted"] = json!(true);
        let Request::NewDriver(d) = parse(with_null) else {
            panic!()
        };
        assert_eq!(d.trusted_certificates, Presence::Null);
        assert_eq!(d.encrypted, Presence::Value(true));

        let mut trust_all = base;
        trust_all["data"]["trustedCertificates"] = json!([]);
        let Request::NewDriver(d) = parse(trust_all) else {
            panic!()
        };
        assert_eq!(d.trusted_certificates, Presence::Value(vec![]));
    }

    #[test]
    fn auth_token_round_trips_without_inventing_fields() {
        let json = json!({"name": "AuthorizationToken", "data": {
            "scheme": "bearer", "credentials": "tok"}});
        let token: AuthorizationToken = serde_json::from_value(json.clone()).unwrap();
        assert_eq!(serde_json::to_value(&token).unwrap(), json);
    }

    #[test]
    fn retryable_negative_error_ids() {
        let Request::RetryableNegative(r) = parse(json!({"name": "RetryableNegative",
            "data": {"sessionId": 1, "errorId": ""}}))
        else {
            panic!()
        };
        assert_eq!(r.error_id, ErrorRef::Frontend);
        let Request::RetryableNegative(r) = parse(json!({"name": "RetryableNegative",
            "data": {"sessionId": 1, "errorId": 5}}))
        else {
            panic!()
        };
        assert_eq!(r.error_id, ErrorRef::Driver(Id::from(5)));
    }

    #[test]
    fn execute_query_bookmark_manager_choice() {
        let req = |bm: Json| {
            let Request::ExecuteQuery(q) = parse(json!({"name": "ExecuteQuery", "data": {
                "driverId": 0, "cypher": "RETURN 1", "params": null,
                "config": {"bookmarkManagerId": bm}}}))
            else {
                panic!()
            };
            q.config.bookmark_manager_id
        };
        assert_eq!(
            req(json!(-1)),
            Presence::Value(BookmarkManagerChoice::Disabled)
        );
        assert_eq!(
            req(json!(3)),
            Presence::Value(BookmarkManagerChoice::Manager(Id::from(3)))
        );
        assert_eq!(req(Json::Null), Presence::Null);
    }

    #[test]
    fn session_run_params_and_timeout() {
        let Request::SessionRun(r) = parse(json!({"name": "SessionRun", "data": {
            "sessionId": 2, "cypher": "RETURN $x AS x",
            "params": {"x": {"name": "CypherInt", "data": {"value": 1}}},
            "txMeta": null, "timeout": null}}))
        else {
            panic!()
        };
        assert_eq!(r.params.unwrap()["x"], CypherValue::int(1));
        assert_eq!(r.timeout, Presence::Null);
    }
}
