use super::*;
use crate::params;

fn server() -> ServerInfo {
    ServerInfo::new(Address::new("db", 7687), "Neo4j/5.20.0", (5, 4))
}

fn summary(run: Map, end: Map, shape: StreamShape) -> ResultSummary {
    ResultSummary::from_metadata(
        Query::new("RETURN 1", params! { "x" => 1 }),
        server(),
        &run,
        &end,
        shape,
    )
}

const RECORDS: StreamShape = StreamShape {
    had_keys: true,
    had_record: true,
};
const NO_RECORDS: StreamShape = StreamShape {
    had_keys: true,
    had_record: false,
};
const NO_KEYS: StreamShape = StreamShape {
    had_keys: false,
    had_record: false,
};

#[test]
fn basics() {
    let s = summary(
        params! { "fields" => vec!["x"], "t_first" => 12 },
        params! { "type" => "rw", "t_last" => 34, "db" => "movies", "bookmark" => "bm" },
        RECORDS,
    );
    assert_eq!(s.query().text(), "RETURN 1");
    assert_eq!(s.query().parameters()["x"], Value::from(1));
    assert_eq!(s.query_type(), Some(QueryType::ReadWrite));
    assert_eq!(s.result_available_after(), Some(Duration::from_millis(12)));
    assert_eq!(s.result_consumed_after(), Some(Duration::from_millis(34)));
    assert_eq!(s.database(), Some("movies"));
    assert_eq!(s.server().agent(), "Neo4j/5.20.0");
    assert_eq!(s.server().protocol_version(), (5, 4));
    assert_eq!(s.server().address().to_string(), "db:7687");
    assert!(s.plan().is_none() && s.profile().is_none());
    assert!(!s.counters().contains_updates());
    for (code, t) in [
        ("r", QueryType::ReadOnly),
        ("w", QueryType::WriteOnly),
        ("s", QueryType::SchemaWrite),
    ] {
        assert_eq!(QueryType::from_code(code), Some(t));
    }
    assert_eq!(QueryType::from_code("x"), None);
}

#[test]
fn missing_or_odd_metadata_is_tolerated() {
    let s = summary(
        Map::new(),
        params! { "type" => 5, "t_last" => -3, "stats" => "nope", "db" => Value::Null },
        NO_KEYS,
    );
    assert_eq!(s.query_type(), None);
    assert_eq!(s.result_available_after(), None);
    assert_eq!(s.result_consumed_after(), None);
    assert_eq!(s.database(), None);
    assert_eq!(s.counters(), &SummaryCounters::default());
}

#[test]
fn every_counter() {
    let stats = params! {
        "nodes-created" => 1, "nodes-deleted" => 2,
        "relationships-created" => 3, "relationships-deleted" => 4,
        "properties-set" => 5, "labels-added" => 6, "labels-removed" => 7,
        "indexes-added" => 8, "indexes-removed" => 9,
        "constraints-added" => 10, "constraints-removed" => 11,
        "system-updates" => 12,
    };
    let s = summary(Map::new(), params! { "stats" => stats }, NO_KEYS);
    let c = s.counters();
    assert_eq!(
        [
            c.nodes_created(),
            c.nodes_deleted(),
            c.relationships_created(),
            c.relationships_deleted(),
            c.properties_set(),
            c.labels_added(),
            c.labels_removed(),
            c.indexes_added(),
            c.indexes_removed(),
            c.constraints_added(),
            c.constraints_removed(),
            c.system_updates(),
        ],
        [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]
    );
    assert!(c.contains_updates());
    assert!(c.contains_system_updates());
}

#[test]
fn contains_updates_derived_or_from_server() {
    let only_system = SummaryCounters::from_stats(&params! { "system-updates" => 1 });
    assert!(!only_system.contains_updates());
    assert!(only_system.contains_system_updates());
    let one_label = SummaryCounters::from_stats(&params! { "labels-removed" => 1 });
    assert!(one_label.contains_updates());
    assert!(!one_label.contains_system_updates());
    let server_says = SummaryCounters::from_stats(&params! {
        "contains-updates" => true, "contains-system-updates" => false, "system-updates" => 3,
    });
    assert!(server_says.contains_updates());
    assert!(!server_says.contains_system_updates());
}

fn plan_map(op: &str, children: Vec<Value>) -> Map {
    params! {
        "operatorType" => op,
        "identifiers" => vec!["n"],
        "args" => params! { "EstimatedRows" => 1.0 },
        "children" => children,
        "dbHits" => 3, "rows" => 2, "pageCacheHits" => 4, "pageCacheMisses" => 1,
        "pageCacheHitRatio" => 0.8, "time" => 99,
    }
}

#[test]
fn plan_and_profile_trees() {
    let tree = plan_map(
        "ProduceResults",
        vec![Value::Map(plan_map("AllNodesScan", vec![])), Value::from(1)],
    );
    let s = summary(
        Map::new(),
        params! { "plan" => tree.clone(), "profile" => tree },
        NO_KEYS,
    );
    let plan = s.plan().unwrap();
    assert_eq!(plan.operator_type(), "ProduceResults");
    assert_eq!(plan.identifiers(), ["n"]);
    assert_eq!(plan.arguments()["EstimatedRows"], Value::Float(1.0));
    assert_eq!(plan.children().len(), 1, "non-map children are skipped");
    assert_eq!(plan.children()[0].operator_type(), "AllNodesScan");
    let profile = s.profile().unwrap();
    assert_eq!(profile.db_hits(), 3);
    assert_eq!(profile.records(), 2);
    assert_eq!(profile.page_cache_hits(), Some(4));
    assert_eq!(profile.page_cache_misses(), Some(1));
    assert_eq!(profile.page_cache_hit_ratio(), Some(0.8));
    assert_eq!(profile.time(), Some(99));
    assert_eq!(profile.children()[0].operator_type(), "AllNodesScan");
}

#[test]
fn deep_plans_are_bounded() {
    let mut m = plan_map("Leaf", vec![]);
    for _ in 0..300 {
        m = plan_map("Op", vec![Value::Map(m)]);
    }
    let p = Plan::from_map(&m);
    let mut depth = 0;
    let mut cur = &p;
    while let Some(c) = cur.children().first() {
        cur = c;
        depth += 1;
    }
    assert_eq!(depth, 256);
}

fn legacy_notification(severity: &str) -> Value {
    Value::Map(params! {
        "code" => "Neo.ClientNotification.Statement.CartesianProduct",
        "title" => "cartesian product",
        "description" => "this builds a cartesian product",
        "severity" => severity,
        "category" => "PERFORMANCE",
        "position" => params! { "offset" => 7, "line" => 1, "column" => 8 },
    })
}

#[test]
fn legacy_notifications_are_polyfilled_into_gql_statuses() {
    let s = summary(
        Map::new(),
        params! { "notifications" => vec![
            legacy_notification("INFORMATION"),
            legacy_notification("WARNING"),
        ] },
        RECORDS,
    );
    assert_eq!(s.notifications().len(), 2);
    let n = &s.notifications()[1];
    assert_eq!(
        n.code(),
        "Neo.ClientNotification.Statement.CartesianProduct"
    );
    assert_eq!(n.title(), "cartesian product");
    assert_eq!(n.description(), "this builds a cartesian product");
    assert_eq!(n.severity(), NotificationSeverity::Warning);
    assert_eq!(n.raw_category(), Some("PERFORMANCE"));
    let pos = n.position().unwrap();
    assert_eq!((pos.offset(), pos.line(), pos.column()), (7, 1, 8));

    // Ordered: warnings, success, information.
    let codes: Vec<&str> = s
        .gql_status_objects()
        .iter()
        .map(|g| g.gql_status())
        .collect();
    assert_eq!(codes, ["01N42", "00000", "03N42"]);
    let warning = &s.gql_status_objects()[0];
    assert!(warning.is_notification());
    assert_eq!(
        warning.status_description(),
        "this builds a cartesian product"
    );
    assert_eq!(warning.severity(), NotificationSeverity::Warning);
    assert_eq!(warning.raw_classification(), Some("PERFORMANCE"));
    assert_eq!(warning.position(), Some(pos));
    let d = warning.diagnostic_record();
    assert_eq!(d["OPERATION"], Value::from(""));
    assert_eq!(d["OPERATION_CODE"], Value::from("0"));
    assert_eq!(d["CURRENT_SCHEMA"], Value::from("/"));
    let success = &s.gql_status_objects()[1];
    assert!(!success.is_notification());
    assert_eq!(success.status_description(), "note: successful completion");
}

#[test]
fn polyfilled_descriptions_fall_back_by_severity() {
    let bare = |sev: &str| Value::Map(params! { "severity" => sev, "code" => "c" });
    let s = summary(
        Map::new(),
        params! { "notifications" => vec![bare("WARNING"), bare("WHATEVER")] },
        NO_RECORDS,
    );
    let statuses = s.gql_status_objects();
    assert_eq!(statuses[0].gql_status(), "02000");
    assert_eq!(statuses[0].status_description(), "note: no data");
    assert_eq!(statuses[1].status_description(), "warn: unknown warning");
    assert_eq!(
        statuses[2].status_description(),
        "info: unknown notification"
    );
    assert_eq!(statuses[2].severity(), NotificationSeverity::Unknown);
    assert_eq!(s.notifications()[1].raw_severity(), Some("WHATEVER"));
}

#[test]
fn outcome_without_notifications() {
    let only = |shape| summary(Map::new(), Map::new(), shape).gql_status_objects()[0].clone();
    assert_eq!(only(RECORDS).gql_status(), "00000");
    assert_eq!(only(NO_RECORDS).gql_status(), "02000");
    let omitted = only(NO_KEYS);
    assert_eq!(omitted.gql_status(), "00001");
    assert_eq!(
        omitted.status_description(),
        "note: successful completion - omitted result"
    );
}

#[test]
fn gql_statuses_from_new_servers_give_notifications() {
    let statuses = vec![
        Value::Map(params! {
            "gql_status" => "00000",
            "status_description" => "note: successful completion",
            "diagnostic_record" => params! { "OPERATION" => "", "OPERATION_CODE" => "0", "CURRENT_SCHEMA" => "/" },
        }),
        Value::Map(params! {
            "gql_status" => "03N90",
            "status_description" => "info: cartesian product",
            "neo4j_code" => "Neo.ClientNotification.Statement.CartesianProduct",
            "title" => "cartesian",
            "description" => "a longer description",
            "diagnostic_record" => params! {
                "_severity" => "INFORMATION",
                "_classification" => "PERFORMANCE",
                "_position" => params! { "offset" => 0, "line" => 1, "column" => 1 },
            },
        }),
    ];
    let s = summary(
        Map::new(),
        params! { "statuses" => statuses, "notifications" => vec![legacy_notification("WARNING")] },
        RECORDS,
    );
    let g = s.gql_status_objects();
    assert_eq!(g.len(), 2);
    assert_eq!(g[1].gql_status(), "03N90");
    assert_eq!(
        g[1].neo4j_code(),
        Some("Neo.ClientNotification.Statement.CartesianProduct")
    );
    assert_eq!(g[1].title(), "cartesian");
    assert_eq!(g[1].diagnostic_record()["CURRENT_SCHEMA"], Value::from("/"));
    // Notifications come from the statuses, not the legacy list.
    assert_eq!(s.notifications().len(), 1);
    let n = &s.notifications()[0];
    assert_eq!(
        n.code(),
        "Neo.ClientNotification.Statement.CartesianProduct"
    );
    assert_eq!(n.description(), "a longer description");
    assert_eq!(n.severity(), NotificationSeverity::Information);
    assert_eq!(n.raw_category(), Some("PERFORMANCE"));
    assert_eq!(n.position().unwrap().line(), 1);
}

#[test]
fn checking_encoded_parameters_does_not_decode_them() {
    // A batch encoded once from a struct is checked without being decoded
    // into values (which cost more than encoding it: W6 in the bench).
    let mut q = Query::new("UNWIND $rows AS r RETURN r", Map::new());
    let bytes = quiver_packstream::to_vec(&params! { "rows" => vec![1, 2, 3] }).unwrap();
    q.set_encoded_parameters(bytes);
    q.check().unwrap();
    let Some(encoded) = &q.encoded else {
        panic!("the parameters are still encoded");
    };
    assert!(
        encoded.decoded.get().is_none(),
        "check decoded the parameters"
    );
    // Asked for, they decode.
    assert_eq!(q.parameters()["rows"], Value::from(vec![1, 2, 3]));
}
