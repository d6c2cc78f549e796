//! Query plans (`EXPLAIN`) and profiles (`PROFILE`).

use super::{get_float, get_int, get_str};
use crate::{Map, Value};

/// One operator of a query plan and its children.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Plan {
    operator_type: String,
    identifiers: Vec<String>,
    arguments: Map,
    children: Vec<Plan>,
}

fn strings(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::List(items)) => items
            .iter()
            .filter_map(|i| get_str(Some(i)).map(str::to_owned))
            .collect(),
        _ => Vec::new(),
    }
}

fn child_maps(v: Option<&Value>) -> impl Iterator<Item = &Map> {
    let items: &[Value] = match v {
        Some(Value::List(items)) => items,
        _ => &[],
    };
    items.iter().filter_map(|i| match i {
        Value::Map(m) => Some(m),
        _ => None,
    })
}

impl Plan {
    /// A plan from the server's `plan` map.
    pub fn from_map(m: &Map) -> Self {
        Plan::from_map_depth(m, 0)
    }

    fn from_map_depth(m: &Map, depth: usize) -> Self {
        let (operator_type, identifiers, arguments) = operator(m);
        Plan {
            operator_type,
            identifiers,
            arguments,
            children: children(m, depth, Plan::from_map_depth),
        }
    }

    /// The operator, e.g. `ProduceResults`.
    pub fn operator_type(&self) -> &str {
        &self.operator_type
    }

    /// The identifiers the operator uses.
    pub fn identifiers(&self) -> &[String] {
        &self.identifiers
    }

    /// The operator's arguments (estimated rows, planner, ...).
    pub fn arguments(&self) -> &Map {
        &self.arguments
    }

    /// The operators feeding this one.
    pub fn children(&self) -> &[Plan] {
        &self.children
    }
}

/// What every operator has: its type, identifiers and arguments.
fn operator(m: &Map) -> (String, Vec<String>, Map) {
    let operator_type = get_str(m.get("operatorType"))
        .unwrap_or_default()
        .to_owned();
    let arguments = match m.get("args") {
        Some(Value::Map(a)) => a.clone(),
        _ => Map::new(),
    };
    (operator_type, strings(m.get("identifiers")), arguments)
}

/// An operator's children, parsed by `parse`; none below [`MAX_DEPTH`].
fn children<T>(m: &Map, depth: usize, parse: fn(&Map, usize) -> T) -> Vec<T> {
    if depth >= MAX_DEPTH {
        return Vec::new();
    }
    child_maps(m.get("children"))
        .map(|c| parse(c, depth + 1))
        .collect()
}

/// Plans nest no deeper than this; the decoder's own depth limit already
/// bounds them, this keeps the recursion here bounded on its own.
const MAX_DEPTH: usize = 256;

/// One operator of a profiled plan: the plan plus what executing it cost.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ProfiledPlan {
    operator_type: String,
    identifiers: Vec<String>,
    arguments: Map,
    db_hits: i64,
    records: i64,
    page_cache_hits: Option<i64>,
    page_cache_misses: Option<i64>,
    page_cache_hit_ratio: Option<f64>,
    time: Option<i64>,
    children: Vec<ProfiledPlan>,
}

impl ProfiledPlan {
    /// A profiled plan from the server's `profile` map.
    pub fn from_map(m: &Map) -> Self {
        ProfiledPlan::from_map_depth(m, 0)
    }

    fn from_map_depth(m: &Map, depth: usize) -> Self {
        let (operator_type, identifiers, arguments) = operator(m);
        ProfiledPlan {
            operator_type,
            identifiers,
            arguments,
            db_hits: get_int(m.get("dbHits")).unwrap_or(0),
            records: get_int(m.get("rows")).unwrap_or(0),
            page_cache_hits: get_int(m.get("pageCacheHits")),
            page_cache_misses: get_int(m.get("pageCacheMisses")),
            page_cache_hit_ratio: get_float(m.get("pageCacheHitRatio")),
            time: get_int(m.get("time")),
            children: children(m, depth, ProfiledPlan::from_map_depth),
        }
    }

    /// The operator, e.g. `NodeByLabelScan`.
    pub fn operator_type(&self) -> &str {
        &self.operator_type
    }

    /// The identifiers the operator uses.
    pub fn identifiers(&self) -> &[String] {
        &self.identifiers
    }

    /// The operator's arguments.
    pub fn arguments(&self) -> &Map {
        &self.arguments
    }

    /// Database hits.
    pub fn db_hits(&self) -> i64 {
        self.db_hits
    }

    /// Rows produced.
    pub fn records(&self) -> i64 {
        self.records
    }

    /// Page cache hits, if the server reported them.
    pub fn page_cache_hits(&self) -> Option<i64> {
        self.page_cache_hits
    }

    /// Page cache misses, if the server reported them.
    pub fn page_cache_misses(&self) -> Option<i64> {
        self.page_cache_misses
    }

    /// Page cache hit ratio, if the server reported it.
    pub fn page_cache_hit_ratio(&self) -> Option<f64> {
        self.page_cache_hit_ratio
    }

    /// Time spent in the operator, in the server's unit (nanoseconds on
    /// recent servers), if reported.
    pub fn time(&self) -> Option<i64> {
        self.time
    }

    /// The operators feeding this one.
    pub fn children(&self) -> &[ProfiledPlan] {
        &self.children
    }
}
