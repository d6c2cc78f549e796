//! Update counters.

use super::{get_bool, get_int};
use crate::Map;

/// What a query changed: created and deleted nodes, relationships,
/// properties, labels, indexes, constraints, and system updates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SummaryCounters {
    nodes_created: i64,
    nodes_deleted: i64,
    relationships_created: i64,
    relationships_deleted: i64,
    properties_set: i64,
    labels_added: i64,
    labels_removed: i64,
    indexes_added: i64,
    indexes_removed: i64,
    constraints_added: i64,
    constraints_removed: i64,
    system_updates: i64,
    contains_updates: Option<bool>,
    contains_system_updates: Option<bool>,
}

impl SummaryCounters {
    /// Counters from the `stats` map of a `SUCCESS` message. Missing or
    /// malformed entries count as zero.
    pub fn from_stats(stats: &Map) -> Self {
        let n = |key: &str| get_int(stats.get(key)).unwrap_or(0);
        SummaryCounters {
            nodes_created: n("nodes-created"),
            nodes_deleted: n("nodes-deleted"),
            relationships_created: n("relationships-created"),
            relationships_deleted: n("relationships-deleted"),
            properties_set: n("properties-set"),
            labels_added: n("labels-added"),
            labels_removed: n("labels-removed"),
            indexes_added: n("indexes-added"),
            indexes_removed: n("indexes-removed"),
            constraints_added: n("constraints-added"),
            constraints_removed: n("constraints-removed"),
            system_updates: n("system-updates"),
            contains_updates: get_bool(stats.get("contains-updates")),
            contains_system_updates: get_bool(stats.get("contains-system-updates")),
        }
    }

    /// Nodes created.
    pub fn nodes_created(&self) -> i64 {
        self.nodes_created
    }
    /// Nodes deleted.
    pub fn nodes_deleted(&self) -> i64 {
        self.nodes_deleted
    }
    /// Relationships created.
    pub fn relationships_created(&self) -> i64 {
        self.relationships_created
    }
    /// Relationships deleted.
    pub fn relationships_deleted(&self) -> i64 {
        self.relationships_deleted
    }
    /// Properties set.
    pub fn properties_set(&self) -> i64 {
        self.properties_set
    }
    /// Labels added.
    pub fn labels_added(&self) -> i64 {
        self.labels_added
    }
    /// Labels removed.
    pub fn labels_removed(&self) -> i64 {
        self.labels_removed
    }
    /// Indexes added.
    pub fn indexes_added(&self) -> i64 {
        self.indexes_added
    }
    /// Indexes removed.
    pub fn indexes_removed(&self) -> i64 {
        self.indexes_removed
    }
    /// Constraints added.
    pub fn constraints_added(&self) -> i64 {
        self.constraints_added
    }
    /// Constraints removed.
    pub fn constraints_removed(&self) -> i64 {
        self.constraints_removed
    }
    /// Updates to the system database.
    pub fn system_updates(&self) -> i64 {
        self.system_updates
    }

    /// Whether the query changed any data or schema: as the server says, or
    /// else whether any counter but system updates is above zero.
    pub fn contains_updates(&self) -> bool {
        self.contains_updates.unwrap_or(
            self.nodes_created > 0
                || self.nodes_deleted > 0
                || self.relationships_created > 0
                || self.relationships_deleted > 0
                || self.properties_set > 0
                || self.labels_added > 0
                || self.labels_removed > 0
                || self.indexes_added > 0
                || self.indexes_removed > 0
                || self.constraints_added > 0
                || self.constraints_removed > 0,
        )
    }

    /// Whether the query changed the system database: as the server says, or
    /// else whether system updates are above zero.
    pub fn contains_system_updates(&self) -> bool {
        self.contains_system_updates
            .unwrap_or(self.system_updates > 0)
    }
}
