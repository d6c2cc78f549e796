//! What the server tells about a query once its result is consumed.

use std::time::Duration;

use crate::Address;
use crate::{Map, Value};

mod counters;
mod notification;
mod pending;
mod plan;

pub use counters::SummaryCounters;
pub use notification::{GqlStatusObject, InputPosition, Notification, NotificationSeverity};
pub(crate) use pending::PendingSummary;
pub use plan::{Plan, ProfiledPlan};

/// A query: its text and parameters.
#[derive(Clone, Default)]
pub struct Query {
    text: String,
    /// Shared: the summary of every result keeps its query, and a batch of
    /// parameters may be large.
    parameters: std::sync::Arc<Map>,
    /// Parameters encoded straight from a `Serialize` value (see
    /// [`params_from`](Query::params_from)): sent as they are; `parameters`
    /// is empty meanwhile.
    encoded: Option<EncodedParams>,
    /// Why a parameter could not be converted (the first one): running the
    /// query fails with it.
    invalid: Option<String>,
}

/// A PackStream map encoded once, and the same map decoded on demand.
#[derive(Clone)]
struct EncodedParams {
    bytes: bytes::Bytes,
    decoded: std::sync::OnceLock<Map>,
}

impl EncodedParams {
    fn map(&self) -> &Map {
        self.decoded.get_or_init(|| {
            // The bytes were written as a map by the same codec.
            quiver_packstream::from_slice(&self.bytes).unwrap_or_default()
        })
    }
}

impl std::fmt::Debug for Query {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Query")
            .field("text", &self.text)
            .field("parameters", self.parameters())
            .field("invalid", &self.invalid)
            .finish()
    }
}

impl PartialEq for Query {
    fn eq(&self, other: &Self) -> bool {
        self.text == other.text
            && self.parameters() == other.parameters()
            && self.invalid == other.invalid
    }
}

impl Query {
    /// A query from its text and parameters.
    pub fn new(text: impl Into<String>, parameters: Map) -> Self {
        Query {
            text: text.into(),
            parameters: std::sync::Arc::new(parameters),
            encoded: None,
            invalid: None,
        }
    }

    /// The Cypher text.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The parameters.
    pub fn parameters(&self) -> &Map {
        match &self.encoded {
            Some(e) => e.map(),
            None => &self.parameters,
        }
    }

    pub(crate) fn parameters_mut(&mut self) -> &mut Map {
        if let Some(e) = self.encoded.take() {
            self.parameters = std::sync::Arc::new(match e.decoded.into_inner() {
                Some(map) => map,
                None => quiver_packstream::from_slice(&e.bytes).unwrap_or_default(),
            });
        }
        std::sync::Arc::make_mut(&mut self.parameters)
    }

    /// Parameters as PackStream bytes of a map, written once (they encode the
    /// same on every protocol version): replaces the parameters.
    pub(crate) fn set_encoded_parameters(&mut self, bytes: Vec<u8>) {
        self.parameters = std::sync::Arc::default();
        self.encoded = Some(EncodedParams {
            bytes: bytes.into(),
            decoded: std::sync::OnceLock::new(),
        });
    }

    /// The parameters as RUN carries them.
    pub(crate) fn wire_params(&self) -> quiver_bolt::Params<'_> {
        match &self.encoded {
            Some(e) => quiver_bolt::Params::Encoded(&e.bytes),
            None if self.parameters.is_empty() => quiver_bolt::Params::None,
            None => quiver_bolt::Params::Map(&self.parameters),
        }
    }

    /// Notes a parameter that could not be converted (the first one wins).
    pub(crate) fn set_invalid(&mut self, why: String) {
        self.invalid.get_or_insert(why);
    }

    /// Why the query can't be sent, checked before it is: a parameter that
    /// could not be converted, or a graph value (node, relationship, path),
    /// which a server refuses as a parameter.
    pub(crate) fn check(&self) -> crate::Result<()> {
        if let Some(why) = &self.invalid {
            return Err(crate::Error::new(
                crate::ErrorKind::Serialization,
                why.clone(),
            ));
        }
        // Encoded parameters are portable bytes, which hold no graph value
        // (`Serializer::is_portable`): they are not decoded to be checked.
        if self.encoded.is_some() {
            return Ok(());
        }
        for (key, value) in self.parameters.iter() {
            if let Some(kind) = graph_value(value) {
                return Err(crate::Error::new(
                    crate::ErrorKind::Serialization,
                    format!(
                        "parameter '{key}' holds a {kind}, and a server does not take graph \
                         values as parameters: pass its element id or its properties"
                    ),
                ));
            }
        }
        Ok(())
    }
}

/// The type of the first graph value in `v`, if it holds one.
fn graph_value(v: &crate::Value) -> Option<&'static str> {
    use crate::Value;
    match v {
        Value::Node(_)
        | Value::Relationship(_)
        | Value::UnboundRelationship(_)
        | Value::Path(_) => Some(v.type_name()),
        Value::List(items) => items.iter().find_map(graph_value),
        Value::Map(entries) => entries.values().find_map(graph_value),
        _ => None,
    }
}

/// What a query did, as far as reads and writes go.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum QueryType {
    /// Read only (`"r"`).
    ReadOnly,
    /// Read and write (`"rw"`).
    ReadWrite,
    /// Write only (`"w"`).
    WriteOnly,
    /// Schema changes (`"s"`).
    SchemaWrite,
}

impl QueryType {
    /// Parses the server's code (`"r"`, `"rw"`, `"w"`, `"s"`).
    pub fn from_code(code: &str) -> Option<Self> {
        match code {
            "r" => Some(QueryType::ReadOnly),
            "rw" => Some(QueryType::ReadWrite),
            "w" => Some(QueryType::WriteOnly),
            "s" => Some(QueryType::SchemaWrite),
            _ => None,
        }
    }
}

/// The server a result came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerInfo(std::sync::Arc<ServerParts>);

/// What [`ServerInfo`] shares between its clones (one per result).
#[derive(Debug, PartialEq, Eq)]
struct ServerParts {
    address: Address,
    agent: String,
    protocol_version: (u8, u8),
}

impl ServerInfo {
    /// Server information from the address connected to, the agent string
    /// the server sent (e.g. `Neo4j/5.20.0`) and the Bolt version agreed.
    pub fn new(address: Address, agent: impl Into<String>, protocol_version: (u8, u8)) -> Self {
        ServerInfo(std::sync::Arc::new(ServerParts {
            address,
            agent: agent.into(),
            protocol_version,
        }))
    }

    /// The address of the server.
    pub fn address(&self) -> &Address {
        &self.0.address
    }

    /// The server's agent string, e.g. `Neo4j/5.20.0`.
    pub fn agent(&self) -> &str {
        &self.0.agent
    }

    /// The Bolt protocol version (major, minor).
    pub fn protocol_version(&self) -> (u8, u8) {
        self.0.protocol_version
    }
}

/// The summary of a consumed result: the query, what it changed, its plan,
/// notifications, timings and the server that ran it.
///
/// The driver builds it from the metadata of the `SUCCESS` messages that
/// answer `RUN` and the last `PULL`/`DISCARD`.
#[derive(Debug, Clone, PartialEq)]
pub struct ResultSummary {
    query: Query,
    query_type: Option<QueryType>,
    counters: SummaryCounters,
    plan: Option<Plan>,
    profile: Option<ProfiledPlan>,
    notifications: Vec<Notification>,
    notifications_reported: bool,
    gql_status_objects: Vec<GqlStatusObject>,
    result_available_after: Option<Duration>,
    result_consumed_after: Option<Duration>,
    server: ServerInfo,
    database: Option<String>,
}

/// What the result stream held, which decides the GQL status of the result
/// when an older server sends none.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StreamShape {
    /// Whether the result had keys (columns).
    pub had_keys: bool,
    /// Whether the result had at least one record.
    pub had_record: bool,
}

impl ResultSummary {
    /// Builds a summary from the metadata of `RUN`'s `SUCCESS` (`run`) and of
    /// the final `PULL` or `DISCARD` `SUCCESS` (`end`).
    ///
    /// Servers before 5.6 send `notifications` only, newer ones `statuses`;
    /// both lists are filled either way, as the official drivers do.
    ///
    /// ```
    /// use quiver::summary::{Query, ResultSummary, ServerInfo, StreamShape, QueryType};
    /// use quiver::{params, Address, Map, Value};
    ///
    /// let run = params! { "t_first" => 3 };
    /// let end = params! { "type" => "w", "db" => "neo4j", "t_last" => 5,
    ///                     "stats" => params! { "nodes-created" => 2 } };
    /// let server = ServerInfo::new(Address::new("localhost", 7687), "Neo4j/5.20.0", (5, 4));
    /// let summary = ResultSummary::from_metadata(
    ///     Query::new("CREATE (), ()", Map::new()), server, &run, &end,
    ///     StreamShape { had_keys: false, had_record: false },
    /// );
    /// assert_eq!(summary.query_type(), Some(QueryType::WriteOnly));
    /// assert_eq!(summary.counters().nodes_created(), 2);
    /// assert!(summary.counters().contains_updates());
    /// assert_eq!(summary.database(), Some("neo4j"));
    /// assert_eq!(summary.gql_status_objects()[0].gql_status(), "00001");
    /// ```
    pub fn from_metadata(
        query: Query,
        server: ServerInfo,
        run: &Map,
        end: &Map,
        shape: StreamShape,
    ) -> Self {
        let get = |key: &str| end.get(key).or_else(|| run.get(key));
        let counters = match get("stats") {
            Some(Value::Map(stats)) => SummaryCounters::from_stats(stats),
            _ => SummaryCounters::default(),
        };
        let plan = match get("plan") {
            Some(Value::Map(m)) => Some(Plan::from_map(m)),
            _ => None,
        };
        let profile = match get("profile") {
            Some(Value::Map(m)) => Some(ProfiledPlan::from_map(m)),
            _ => None,
        };
        let notifications_reported = server.protocol_version() >= (5, 6)
            || get("notifications").is_some()
            || get("statuses").is_some();
        let (notifications, gql_status_objects) =
            notification::from_metadata(get("notifications"), get("statuses"), shape);
        ResultSummary {
            query,
            query_type: get_str(get("type")).and_then(QueryType::from_code),
            counters,
            plan,
            profile,
            notifications,
            notifications_reported,
            gql_status_objects,
            result_available_after: get_millis(run.get("t_first").or_else(|| end.get("t_first"))),
            result_consumed_after: get_millis(end.get("t_last").or_else(|| run.get("t_last"))),
            server,
            database: get_str(get("db")).map(str::to_owned),
        }
    }

    /// The query that was run.
    pub fn query(&self) -> &Query {
        &self.query
    }

    /// Whether the query read, wrote, or changed the schema (when the server
    /// said).
    pub fn query_type(&self) -> Option<QueryType> {
        self.query_type
    }

    /// What the query changed.
    pub fn counters(&self) -> &SummaryCounters {
        &self.counters
    }

    /// The plan, for queries run with `EXPLAIN`.
    pub fn plan(&self) -> Option<&Plan> {
        self.plan.as_ref()
    }

    /// The profiled plan, for queries run with `PROFILE`.
    pub fn profile(&self) -> Option<&ProfiledPlan> {
        self.profile.as_ref()
    }

    /// The notifications (warnings and information) the server raised.
    pub fn notifications(&self) -> &[Notification] {
        &self.notifications
    }

    /// Whether the server reported notifications at all, even an empty list: servers
    /// before Bolt 5.6 leave the `notifications` key out when they have none to report
    /// (the official drivers then give `None` rather than an empty list); newer ones always
    /// report (through their GQL statuses).
    ///
    /// ```
    /// use quiver::summary::{Query, ResultSummary, ServerInfo, StreamShape};
    /// use quiver::{params, Address, Map, Value};
    ///
    /// let old = ServerInfo::new(Address::new("localhost", 7687), "Neo4j/5.20.0", (5, 4));
    /// let shape = StreamShape { had_keys: false, had_record: false };
    /// let quiet = ResultSummary::from_metadata(Query::default(), old.clone(), &Map::new(),
    ///     &params! { "type" => "r" }, shape);
    /// assert!(!quiet.notifications_reported());
    /// let empty = ResultSummary::from_metadata(Query::default(), old, &Map::new(),
    ///     &params! { "type" => "r", "notifications" => Value::List(vec![]) }, shape);
    /// assert!(empty.notifications_reported());
    /// assert!(empty.notifications().is_empty());
    /// ```
    pub fn notifications_reported(&self) -> bool {
        self.notifications_reported
    }

    /// The GQL status objects of the query: the outcome first, then
    /// notifications. Ordered as the official drivers order them: no data,
    /// warnings, success, information.
    pub fn gql_status_objects(&self) -> &[GqlStatusObject] {
        &self.gql_status_objects
    }

    /// Time until the first record was available, if the server said.
    pub fn result_available_after(&self) -> Option<Duration> {
        self.result_available_after
    }

    /// Time until the last record was consumed, if the server said.
    pub fn result_consumed_after(&self) -> Option<Duration> {
        self.result_consumed_after
    }

    /// The server that ran the query.
    pub fn server(&self) -> &ServerInfo {
        &self.server
    }

    /// The database the query ran against, if the server said.
    pub fn database(&self) -> Option<&str> {
        self.database.as_deref()
    }
}

pub(crate) fn get_str(v: Option<&Value>) -> Option<&str> {
    match v? {
        Value::String(s) => Some(s.as_str()),
        _ => None,
    }
}

pub(crate) fn get_int(v: Option<&Value>) -> Option<i64> {
    match v? {
        Value::Integer(i) => Some(*i),
        Value::Float(f) if f.is_finite() && f.fract() == 0.0 => Some(*f as i64),
        _ => None,
    }
}

pub(crate) fn get_float(v: Option<&Value>) -> Option<f64> {
    match v? {
        Value::Float(f) => Some(*f),
        Value::Integer(i) => Some(*i as f64),
        _ => None,
    }
}

pub(crate) fn get_bool(v: Option<&Value>) -> Option<bool> {
    match v? {
        Value::Boolean(b) => Some(*b),
        _ => None,
    }
}

fn get_millis(v: Option<&Value>) -> Option<Duration> {
    get_int(v)
        .and_then(|ms| u64::try_from(ms).ok())
        .map(Duration::from_millis)
}

#[cfg(test)]
mod tests;
