//! Notification filters (Bolt 5.2+) for HELLO, BEGIN and RUN.

use crate::error::Error;
use crate::message::fields::Field;
use crate::version::Version;

/// Which notifications the server should send.
///
/// `None` fields are left out (the server's default applies). A minimum severity of
/// `OFF` disables all notifications.
///
/// ```
/// use quiver_bolt::NotificationFilter;
///
/// let f = NotificationFilter::new()
///     .minimum_severity("WARNING")
///     .disabled_classifications(["HINT", "GENERIC"]);
/// assert!(!f.is_empty());
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct NotificationFilter {
    /// `OFF`, `WARNING` or `INFORMATION`.
    pub minimum_severity: Option<String>,
    /// Classifications (categories before 5.5) not to report, e.g. `HINT`.
    pub disabled_classifications: Option<Vec<String>>,
}

impl NotificationFilter {
    /// An empty filter: the server's defaults.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the minimum severity (`OFF`, `WARNING`, `INFORMATION`).
    pub fn minimum_severity(mut self, severity: impl Into<String>) -> Self {
        self.minimum_severity = Some(severity.into());
        self
    }

    /// Sets the classifications to disable.
    pub fn disabled_classifications<S: Into<String>>(
        mut self,
        classes: impl IntoIterator<Item = S>,
    ) -> Self {
        self.disabled_classifications = Some(classes.into_iter().map(Into::into).collect());
        self
    }

    /// Whether nothing is set.
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
        if let Some(s) = &self.minimum_severity {
            out.push(("notifications_minimum_severity", Field::Str(s)));
        }
        if let Some(c) = &self.disabled_classifications {
            let key = if version.uses_disabled_classifications() {
                "notifications_disabled_classifications"
            } else {
                "notifications_disabled_categories"
            };
            out.push((key, Field::StrList(c)));
        }
        Ok(())
    }
}
