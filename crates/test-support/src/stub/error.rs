//! The stub's error type.

use std::fmt;

/// Errors of the stub server: a bad script, an IO problem starting it, or
/// what went wrong while playing (from [`StubServer::finish`](super::StubServer::finish)).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StubError {
    /// The script text is invalid.
    #[error("{script} line {line}: {message}")]
    Parse {
        /// The script's name (file path or `script`).
        script: String,
        /// The 1-based line.
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// Reading a script file or binding the listener failed.
    #[error("{context}: {source}")]
    Io {
        /// What the stub was doing.
        context: String,
        /// The IO error.
        #[source]
        source: std::io::Error,
    },
    /// Playing the scripts failed: a mismatch, a line never played, a
    /// handshake the script does not accept, a wrong number of connections.
    #[error("{}", FailureList(failures))]
    Failed {
        /// Every failure, in the order of the connections.
        failures: Vec<Failure>,
    },
}

impl StubError {
    /// The failures, for [`StubError::Failed`]; empty otherwise.
    pub fn failures(&self) -> &[Failure] {
        match self {
            StubError::Failed { failures } => failures,
            _ => &[],
        }
    }
}

/// One thing that went wrong while serving.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Failure {
    /// The 0-based connection (in the order accepted), if it concerns one.
    pub connection: Option<usize>,
    /// The script's name.
    pub script: String,
    /// The script line the failure is about, if any.
    pub line: Option<usize>,
    /// What happened, naming the line and its text where there is one.
    pub message: String,
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.connection {
            Some(c) => write!(f, "{} connection #{c}: {}", self.script, self.message),
            None => write!(f, "{}: {}", self.script, self.message),
        }
    }
}

struct FailureList<'a>(&'a [Failure]);

impl fmt::Display for FailureList<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            [one] => write!(f, "stub server: {one}"),
            many => {
                write!(f, "stub server: {} failures:", many.len())?;
                for failure in many {
                    write!(f, "\n  - {failure}")?;
                }
                Ok(())
            }
        }
    }
}
