//! The server's state machine as the client tracks it, from the replies it reads.
//!
//! Pure data and transitions, no IO. With pipelining the client may have sent several
//! requests; each reply is applied in order to the request it answers.

use crate::error::Error;
use crate::version::Version;

/// The state the server is in, as far as the client knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ServerState {
    /// Handshake done, HELLO not yet acknowledged.
    Connected,
    /// HELLO acknowledged, waiting for LOGON (5.1+), or after LOGOFF.
    Authentication,
    /// Idle, ready for a query or transaction.
    Ready,
    /// An auto-commit result is open.
    Streaming,
    /// An explicit transaction is open with no open result.
    TxReady,
    /// An explicit transaction is open with one or more open results.
    TxStreaming,
    /// A request failed; everything but RESET is IGNORED.
    Failed,
    /// A RESET is on its way; replies before it are drained.
    Interrupted,
    /// Broken: never used again.
    Defunct,
}

/// Which request a reply answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RequestKind {
    /// HELLO.
    Hello,
    /// LOGON.
    Logon,
    /// LOGOFF.
    Logoff,
    /// BEGIN.
    Begin,
    /// RUN.
    Run,
    /// PULL.
    Pull,
    /// DISCARD.
    Discard,
    /// COMMIT.
    Commit,
    /// ROLLBACK.
    Rollback,
    /// RESET.
    Reset,
    /// GOODBYE (no reply).
    Goodbye,
    /// ROUTE.
    Route,
    /// TELEMETRY.
    Telemetry,
}

impl RequestKind {
    /// The message's name as the protocol spells it.
    pub fn name(self) -> &'static str {
        match self {
            RequestKind::Hello => "HELLO",
            RequestKind::Logon => "LOGON",
            RequestKind::Logoff => "LOGOFF",
            RequestKind::Begin => "BEGIN",
            RequestKind::Run => "RUN",
            RequestKind::Pull => "PULL",
            RequestKind::Discard => "DISCARD",
            RequestKind::Commit => "COMMIT",
            RequestKind::Rollback => "ROLLBACK",
            RequestKind::Reset => "RESET",
            RequestKind::Goodbye => "GOODBYE",
            RequestKind::Route => "ROUTE",
            RequestKind::Telemetry => "TELEMETRY",
        }
    }

    /// Whether the server answers this request (all but GOODBYE).
    pub fn expects_reply(self) -> bool {
        self != RequestKind::Goodbye
    }
}

/// The tracked state plus the count of open results inside a transaction.
#[derive(Debug, Clone)]
pub struct StateMachine {
    state: ServerState,
    open_tx_streams: u32,
    version: Version,
}

impl StateMachine {
    /// A machine for a freshly negotiated connection.
    pub fn new(version: Version) -> Self {
        StateMachine {
            state: ServerState::Connected,
            open_tx_streams: 0,
            version,
        }
    }

    /// The current state.
    pub fn state(&self) -> ServerState {
        self.state
    }

    /// Open results in the current transaction.
    pub fn open_tx_streams(&self) -> u32 {
        self.open_tx_streams
    }

    /// Marks the connection defunct.
    pub fn set_defunct(&mut self) {
        self.state = ServerState::Defunct;
    }

    /// A RESET was sent while `replies_pending` earlier replies are outstanding.
    pub fn on_reset_sent(&mut self, replies_pending: bool) {
        if replies_pending && self.state != ServerState::Defunct {
            self.state = ServerState::Interrupted;
        }
    }

    fn unexpected(&mut self, what: &str, req: RequestKind) -> Error {
        let msg = format!(
            "{what} in reply to {} in state {:?}",
            req.name(),
            self.state
        );
        self.state = ServerState::Defunct;
        Error::Protocol(msg)
    }

    /// Applies a SUCCESS to `req`. `has_more` is the PULL/DISCARD summary flag.
    pub fn on_success(&mut self, req: RequestKind, has_more: bool) -> Result<(), Error> {
        use RequestKind as R;
        use ServerState as S;
        if req == R::Reset {
            if matches!(self.state, S::Connected | S::Authentication | S::Defunct) {
                return Err(self.unexpected("SUCCESS", req));
            }
            self.state = S::Ready;
            self.open_tx_streams = 0;
            return Ok(());
        }
        if self.state == S::Interrupted {
            return Ok(());
        }
        let next = match (self.state, req) {
            (S::Connected, R::Hello) => {
                if self.version.has_logon() {
                    S::Authentication
                } else {
                    S::Ready
                }
            }
            (S::Authentication, R::Logon) => S::Ready,
            (S::Ready, R::Logoff) => S::Authentication,
            (S::Ready, R::Run) => S::Streaming,
            (S::Ready, R::Begin) => S::TxReady,
            (S::Ready, R::Route | R::Telemetry) => S::Ready,
            (S::Streaming, R::Pull | R::Discard) => {
                if has_more {
                    S::Streaming
                } else {
                    S::Ready
                }
            }
            (S::TxReady | S::TxStreaming, R::Run) => {
                self.open_tx_streams = self.open_tx_streams.saturating_add(1);
                S::TxStreaming
            }
            (S::TxStreaming, R::Pull | R::Discard) => {
                if has_more {
                    S::TxStreaming
                } else {
                    self.open_tx_streams = self.open_tx_streams.saturating_sub(1);
                    if self.open_tx_streams == 0 {
                        S::TxReady
                    } else {
                        S::TxStreaming
                    }
                }
            }
            // Servers accept COMMIT/ROLLBACK with results still open (they discard them).
            (S::TxReady | S::TxStreaming, R::Commit | R::Rollback) => {
                self.open_tx_streams = 0;
                S::Ready
            }
            _ => return Err(self.unexpected("SUCCESS", req)),
        };
        self.state = next;
        Ok(())
    }

    /// Applies a FAILURE to `req`.
    pub fn on_failure(&mut self, req: RequestKind) -> Result<(), Error> {
        match (self.state, req) {
            (ServerState::Defunct, _) => Err(self.unexpected("FAILURE", req)),
            // A failed HELLO, LOGON or RESET closes the connection on the server side.
            (_, RequestKind::Hello | RequestKind::Logon | RequestKind::Reset) => {
                self.state = ServerState::Defunct;
                Ok(())
            }
            (ServerState::Interrupted, _) => Ok(()),
            (ServerState::Failed, _) => Err(self.unexpected("FAILURE", req)),
            _ => {
                self.state = ServerState::Failed;
                Ok(())
            }
        }
    }

    /// Applies an IGNORED to `req`.
    pub fn on_ignored(&mut self, req: RequestKind) -> Result<(), Error> {
        match self.state {
            ServerState::Failed | ServerState::Interrupted => Ok(()),
            _ => Err(self.unexpected("IGNORED", req)),
        }
    }

    /// Checks a RECORD arriving for `req`.
    pub fn on_record(&mut self, req: RequestKind) -> Result<(), Error> {
        match (self.state, req) {
            (
                ServerState::Streaming | ServerState::TxStreaming | ServerState::Interrupted,
                RequestKind::Pull,
            ) => Ok(()),
            _ => Err(self.unexpected("RECORD", req)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use RequestKind as R;
    use ServerState as S;

    fn ready(v: Version) -> StateMachine {
        let mut m = StateMachine::new(v);
        m.on_success(R::Hello, false).unwrap();
        if v.has_logon() {
            assert_eq!(m.state(), S::Authentication);
            m.on_success(R::Logon, false).unwrap();
        }
        assert_eq!(m.state(), S::Ready);
        m
    }

    #[test]
    fn auto_commit_cycle() {
        let mut m = ready(Version::V5_4);
        m.on_success(R::Run, false).unwrap();
        assert_eq!(m.state(), S::Streaming);
        m.on_record(R::Pull).unwrap();
        m.on_success(R::Pull, true).unwrap();
        assert_eq!(m.state(), S::Streaming);
        m.on_success(R::Pull, false).unwrap();
        assert_eq!(m.state(), S::Ready);
    }

    #[test]
    fn transaction_with_two_results() {
        let mut m = ready(Version::V4_4);
        m.on_success(R::Begin, false).unwrap();
        assert_eq!(m.state(), S::TxReady);
        m.on_success(R::Run, false).unwrap();
        m.on_success(R::Run, false).unwrap();
        assert_eq!(m.open_tx_streams(), 2);
        m.on_success(R::Pull, false).unwrap();
        assert_eq!(m.state(), S::TxStreaming);
        m.on_success(R::Discard, false).unwrap();
        assert_eq!(m.state(), S::TxReady);
        m.on_success(R::Commit, false).unwrap();
        assert_eq!(m.state(), S::Ready);
    }

    #[test]
    fn failure_ignored_reset() {
        let mut m = ready(Version::V5_0);
        m.on_failure(R::Run).unwrap();
        assert_eq!(m.state(), S::Failed);
        m.on_ignored(R::Pull).unwrap();
        m.on_success(R::Reset, false).unwrap();
        assert_eq!(m.state(), S::Ready);
        // IGNORED in READY breaks the protocol
        assert!(m.on_ignored(R::Run).is_err());
        assert_eq!(m.state(), S::Defunct);
    }

    #[test]
    fn interrupted_drains() {
        let mut m = ready(Version::V5_8);
        m.on_reset_sent(true);
        assert_eq!(m.state(), S::Interrupted);
        m.on_success(R::Run, false).unwrap();
        m.on_record(R::Pull).unwrap();
        m.on_ignored(R::Pull).unwrap();
        m.on_success(R::Reset, false).unwrap();
        assert_eq!(m.state(), S::Ready);
    }

    #[test]
    fn unexpected_is_defunct() {
        let mut m = ready(Version::V5_8);
        assert!(m.on_record(R::Run).is_err());
        assert_eq!(m.state(), S::Defunct);
        let mut m = ready(Version::V5_8);
        assert!(m.on_success(R::Commit, false).is_err());
        let mut m = StateMachine::new(Version::V5_8);
        m.on_failure(R::Hello).unwrap();
        assert_eq!(m.state(), S::Defunct);
    }
}
