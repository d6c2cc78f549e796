//! Notifications and GQL status objects, with the polyfills between them.

use super::{get_int, get_str, StreamShape};
use crate::{Map, Value};

/// Where in the query text a notification points.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct InputPosition {
    offset: i64,
    line: i64,
    column: i64,
}

impl InputPosition {
    fn from_value(v: Option<&Value>) -> Option<Self> {
        let Value::Map(m) = v? else { return None };
        Some(InputPosition {
            offset: get_int(m.get("offset")).unwrap_or(-1),
            line: get_int(m.get("line")).unwrap_or(-1),
            column: get_int(m.get("column")).unwrap_or(-1),
        })
    }

    /// Character offset from the start of the query (0 based).
    pub fn offset(&self) -> i64 {
        self.offset
    }

    /// Line (1 based).
    pub fn line(&self) -> i64 {
        self.line
    }

    /// Column (1 based).
    pub fn column(&self) -> i64 {
        self.column
    }
}

/// How serious a notification is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum NotificationSeverity {
    /// Something is likely wrong.
    Warning,
    /// Worth knowing.
    Information,
    /// A severity this driver does not know (see the raw value).
    Unknown,
}

impl NotificationSeverity {
    fn parse(raw: Option<&str>) -> Self {
        match raw {
            Some("WARNING") => NotificationSeverity::Warning,
            Some("INFORMATION") => NotificationSeverity::Information,
            _ => NotificationSeverity::Unknown,
        }
    }
}

/// A notification from the server about a query: a deprecated feature, a
/// performance hint, an unknown label...
#[derive(Debug, Clone, PartialEq)]
pub struct Notification {
    code: String,
    title: String,
    description: String,
    raw_severity: Option<String>,
    raw_category: Option<String>,
    position: Option<InputPosition>,
}

impl Notification {
    fn from_legacy(m: &Map) -> Self {
        let s = |k: &str| get_str(m.get(k)).unwrap_or_default().to_owned();
        Notification {
            code: s("code"),
            title: s("title"),
            description: s("description"),
            raw_severity: get_str(m.get("severity")).map(str::to_owned),
            raw_category: get_str(m.get("category")).map(str::to_owned),
            position: InputPosition::from_value(m.get("position")),
        }
    }

    fn from_status(status: &GqlStatusObject) -> Option<Self> {
        let code = status.neo4j_code.clone()?;
        let diag = &status.diagnostic_record;
        Some(Notification {
            code,
            title: status.title.clone(),
            description: status.description.clone(),
            raw_severity: get_str(diag.get("_severity")).map(str::to_owned),
            raw_category: get_str(diag.get("_classification")).map(str::to_owned),
            position: InputPosition::from_value(diag.get("_position")),
        })
    }

    /// The Neo4j status code, e.g.
    /// `Neo.ClientNotification.Statement.CartesianProduct`.
    pub fn code(&self) -> &str {
        &self.code
    }

    /// A short summary.
    pub fn title(&self) -> &str {
        &self.title
    }

    /// A longer description.
    pub fn description(&self) -> &str {
        &self.description
    }

    /// The severity.
    pub fn severity(&self) -> NotificationSeverity {
        NotificationSeverity::parse(self.raw_severity.as_deref())
    }

    /// The severity as the server wrote it.
    pub fn raw_severity(&self) -> Option<&str> {
        self.raw_severity.as_deref()
    }

    /// The category as the server wrote it (e.g. `HINT`, `DEPRECATION`).
    pub fn raw_category(&self) -> Option<&str> {
        self.raw_category.as_deref()
    }

    /// Where in the query the notification points, if it does.
    pub fn position(&self) -> Option<InputPosition> {
        self.position
    }
}

/// A GQL status object: the outcome of a query (`00000` success, `02000` no
/// data, `00001` omitted result) or a notification in GQL form.
#[derive(Debug, Clone, PartialEq)]
pub struct GqlStatusObject {
    gql_status: String,
    status_description: String,
    neo4j_code: Option<String>,
    title: String,
    description: String,
    diagnostic_record: Map,
}

const SUCCESS: (&str, &str) = ("00000", "note: successful completion");
const NO_DATA: (&str, &str) = ("02000", "note: no data");
const OMITTED_RESULT: (&str, &str) = ("00001", "note: successful completion - omitted result");

fn default_diagnostic_record() -> Map {
    let mut m = Map::new();
    m.insert("OPERATION".to_owned(), Value::String(String::new()));
    m.insert("OPERATION_CODE".to_owned(), Value::String("0".to_owned()));
    m.insert("CURRENT_SCHEMA".to_owned(), Value::String("/".to_owned()));
    m
}

impl GqlStatusObject {
    fn outcome((status, description): (&str, &str)) -> Self {
        GqlStatusObject {
            gql_status: status.to_owned(),
            status_description: description.to_owned(),
            neo4j_code: None,
            title: String::new(),
            description: String::new(),
            diagnostic_record: default_diagnostic_record(),
        }
    }

    fn from_status(m: &Map) -> Self {
        let mut diagnostic_record = default_diagnostic_record();
        if let Some(Value::Map(d)) = m.get("diagnostic_record") {
            diagnostic_record.extend(d.iter().map(|(k, v)| (k.clone(), v.clone())));
        }
        GqlStatusObject {
            gql_status: get_str(m.get("gql_status")).unwrap_or_default().to_owned(),
            status_description: get_str(m.get("status_description"))
                .unwrap_or_default()
                .to_owned(),
            neo4j_code: get_str(m.get("neo4j_code"))
                .filter(|c| !c.is_empty())
                .map(str::to_owned),
            title: get_str(m.get("title")).unwrap_or_default().to_owned(),
            description: get_str(m.get("description")).unwrap_or_default().to_owned(),
            diagnostic_record,
        }
    }

    fn from_legacy_notification(m: &Map) -> Self {
        let severity = get_str(m.get("severity"));
        let description = get_str(m.get("description")).filter(|d| !d.is_empty());
        let (gql_status, fallback) = if severity == Some("WARNING") {
            ("01N42", "warn: unknown warning")
        } else {
            ("03N42", "info: unknown notification")
        };
        let mut diagnostic_record = default_diagnostic_record();
        for (from, to) in [
            ("severity", "_severity"),
            ("category", "_classification"),
            ("position", "_position"),
        ] {
            if let Some(v) = m.get(from) {
                diagnostic_record.insert(to.to_owned(), v.clone());
            }
        }
        GqlStatusObject {
            gql_status: gql_status.to_owned(),
            status_description: description.unwrap_or(fallback).to_owned(),
            neo4j_code: get_str(m.get("code"))
                .filter(|c| !c.is_empty())
                .map(str::to_owned),
            title: get_str(m.get("title")).unwrap_or_default().to_owned(),
            description: description.unwrap_or_default().to_owned(),
            diagnostic_record,
        }
    }

    /// The GQL status code: five characters such as `00000` or `01N42`.
    pub fn gql_status(&self) -> &str {
        &self.gql_status
    }

    /// The status description, e.g. `note: successful completion`.
    pub fn status_description(&self) -> &str {
        &self.status_description
    }

    /// Whether this status is a notification (it has a Neo4j code), as
    /// opposed to the query's outcome.
    pub fn is_notification(&self) -> bool {
        self.neo4j_code.is_some()
    }

    /// The Neo4j notification code, for notifications.
    pub fn neo4j_code(&self) -> Option<&str> {
        self.neo4j_code.as_deref()
    }

    /// The notification title, for notifications.
    pub fn title(&self) -> &str {
        &self.title
    }

    /// The diagnostic record (`OPERATION`, `CURRENT_SCHEMA`, `_severity`,
    /// `_classification`, `_position`...).
    pub fn diagnostic_record(&self) -> &Map {
        &self.diagnostic_record
    }

    /// The severity, from the diagnostic record.
    pub fn severity(&self) -> NotificationSeverity {
        NotificationSeverity::parse(self.raw_severity())
    }

    /// The severity as the server wrote it.
    pub fn raw_severity(&self) -> Option<&str> {
        get_str(self.diagnostic_record.get("_severity"))
    }

    /// The classification as the server wrote it (e.g. `HINT`).
    pub fn raw_classification(&self) -> Option<&str> {
        get_str(self.diagnostic_record.get("_classification"))
    }

    /// Where in the query the status points, if it does.
    pub fn position(&self) -> Option<InputPosition> {
        InputPosition::from_value(self.diagnostic_record.get("_position"))
    }

    /// Order of the official drivers: no data, warnings, success,
    /// information.
    fn rank(&self) -> u8 {
        match self.gql_status.get(..2) {
            Some("02") => 0,
            Some("01") => 1,
            Some("00") => 2,
            _ => 3,
        }
    }
}

fn maps(v: Option<&Value>) -> Option<impl Iterator<Item = &Map>> {
    let Value::List(items) = v? else { return None };
    Some(items.iter().filter_map(|i| match i {
        Value::Map(m) => Some(m),
        _ => None,
    }))
}

/// Both lists from whichever the server sent: `statuses` (5.6+) or legacy
/// `notifications`.
pub(super) fn from_metadata(
    notifications: Option<&Value>,
    statuses: Option<&Value>,
    shape: StreamShape,
) -> (Vec<Notification>, Vec<GqlStatusObject>) {
    if let Some(statuses) = maps(statuses) {
        let statuses: Vec<GqlStatusObject> = statuses.map(GqlStatusObject::from_status).collect();
        let notifications = statuses
            .iter()
            .filter_map(Notification::from_status)
            .collect();
        return (notifications, statuses);
    }
    let legacy: Vec<&Map> = maps(notifications)
        .map(Iterator::collect)
        .unwrap_or_default();
    let outcome = if shape.had_record {
        SUCCESS
    } else if shape.had_keys {
        NO_DATA
    } else {
        OMITTED_RESULT
    };
    let mut statuses = vec![GqlStatusObject::outcome(outcome)];
    statuses.extend(
        legacy
            .iter()
            .map(|m| GqlStatusObject::from_legacy_notification(m)),
    );
    statuses.sort_by_key(GqlStatusObject::rank);
    let notifications = legacy.into_iter().map(Notification::from_legacy).collect();
    (notifications, statuses)
}
