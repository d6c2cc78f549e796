//! Notification filters (Bolt 5.2+) for HELLO, BEGIN and RUN.

use std::collections::BTreeSet;

use crate::error::Error;
use crate::message::fields::Field;
use crate::version::Version;

/// The lowest severity of notifications the server should send.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum MinimumSeverity {
    /// No notifications at all.
    Off,
    /// Warnings only.
    Warning,
    /// Warnings and information.
    Information,
}

impl MinimumSeverity {
    /// The value sent to the server (`"OFF"`, `"WARNING"`, `"INFORMATION"`).
    pub fn as_bolt_str(self) -> &'static str {
        match self {
            MinimumSeverity::Off => "OFF",
            MinimumSeverity::Warning => "WARNING",
            MinimumSeverity::Information => "INFORMATION",
        }
    }
}

/// A class of notifications the server can leave out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum NotificationClassification {
    /// Hints the planner could not follow.
    Hint,
    /// Unrecognized labels, types, properties or databases.
    Unrecognized,
    /// Unsupported or experimental features.
    Unsupported,
    /// Queries that may perform badly.
    Performance,
    /// Deprecated features.
    Deprecation,
    /// Security-related notices.
    Security,
    /// Cluster topology notices.
    Topology,
    /// Everything else.
    Generic,
    /// Schema changes (indexes, constraints).
    Schema,
}

impl NotificationClassification {
    /// The value sent to the server, e.g. `"DEPRECATION"`.
    pub fn as_bolt_str(self) -> &'static str {
        match self {
            NotificationClassification::Hint => "HINT",
            NotificationClassification::Unrecognized => "UNRECOGNIZED",
            NotificationClassification::Unsupported => "UNSUPPORTED",
            NotificationClassification::Performance => "PERFORMANCE",
            NotificationClassification::Deprecation => "DEPRECATION",
            NotificationClassification::Security => "SECURITY",
            NotificationClassification::Topology => "TOPOLOGY",
            NotificationClassification::Generic => "GENERIC",
            NotificationClassification::Schema => "SCHEMA",
        }
    }
}

/// Which notifications the server should send. The default leaves the choice
/// to the server.
///
/// ```
/// use quiver_bolt::{MinimumSeverity, NotificationClassification, NotificationFilter};
///
/// let filter = NotificationFilter::default()
///     .with_minimum_severity(MinimumSeverity::Warning)
///     .with_disabled_classification(NotificationClassification::Hint);
/// assert_eq!(filter.minimum_severity(), Some(MinimumSeverity::Warning));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct NotificationFilter {
    minimum_severity: Option<MinimumSeverity>,
    disabled_classifications: Option<BTreeSet<NotificationClassification>>,
}

impl NotificationFilter {
    /// Sends nothing: minimum severity [`MinimumSeverity::Off`].
    pub fn none() -> Self {
        NotificationFilter::default().with_minimum_severity(MinimumSeverity::Off)
    }

    /// Sets the lowest severity sent.
    pub fn with_minimum_severity(mut self, severity: MinimumSeverity) -> Self {
        self.minimum_severity = Some(severity);
        self
    }

    /// Sets the classes left out, replacing any set before. An empty list is
    /// kept as such and sent to the server as "disable none" (every class
    /// enabled), unlike the default, which leaves the choice to the server.
    ///
    /// ```
    /// use quiver_bolt::{NotificationClassification, NotificationFilter};
    ///
    /// let all = NotificationFilter::default().with_disabled_classifications([]);
    /// assert_eq!(all.disabled_classifications().map(|s| s.len()), Some(0));
    /// let some = NotificationFilter::default()
    ///     .with_disabled_classifications([NotificationClassification::Hint]);
    /// assert_eq!(some.disabled_classifications().map(|s| s.len()), Some(1));
    /// ```
    pub fn with_disabled_classifications(
        mut self,
        classes: impl IntoIterator<Item = NotificationClassification>,
    ) -> Self {
        self.disabled_classifications = Some(classes.into_iter().collect());
        self
    }

    /// Leaves out a class of notifications.
    pub fn with_disabled_classification(mut self, class: NotificationClassification) -> Self {
        self.disabled_classifications
            .get_or_insert_with(BTreeSet::new)
            .insert(class);
        self
    }

    /// The lowest severity sent; `None` leaves it to the server.
    pub fn minimum_severity(&self) -> Option<MinimumSeverity> {
        self.minimum_severity
    }

    /// The classes left out; `None` leaves it to the server (an empty set
    /// asks for all of them).
    pub fn disabled_classifications(&self) -> Option<&BTreeSet<NotificationClassification>> {
        self.disabled_classifications.as_ref()
    }
}

impl NotificationFilter {
    /// Whether nothing is set: the server's defaults.
    pub fn is_empty(&self) -> bool {
        self.minimum_severity.is_none() && self.disabled_classifications.is_none()
    }

    /// Appends the filter's entries for `version`, or fails if it can't carry them.
    pub(crate) fn push_fields<'a>(
        &'a self,
        version: Version,
        out: &mut Vec<(&'static str, Field<'a>)>,
    ) -> Result<(), Error> {
        if self.is_empty() {
            return Ok(());
        }
        // [bolt-version-bump] notification filter keys.
        if !version.has_notification_filters() {
            return Err(Error::Unsupported {
                feature: "notification filters",
                version,
            });
        }
        if let Some(s) = self.minimum_severity {
            out.push((
                "notifications_minimum_severity",
                Field::Str(s.as_bolt_str()),
            ));
        }
        if let Some(c) = &self.disabled_classifications {
            let key = if version.uses_disabled_classifications() {
                "notifications_disabled_classifications"
            } else {
                "notifications_disabled_categories"
            };
            out.push((key, Field::Classifications(c)));
        }
        Ok(())
    }
}
