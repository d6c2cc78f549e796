//! Opening a connection: transport, handshake, HELLO (+ LOGON).

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use bytes::BytesMut;
use quiver_packstream::{Map, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tracing::{debug, trace};

use super::Connection;
use crate::address::Address;
use crate::codec::ChunkCodec;
use crate::config::ConnectionConfig;
use crate::error::Error;
use crate::handshake::{self, ServerReply};
use crate::message::{options_for, Hello, Request};
use crate::state::StateMachine;
use crate::transport::{self, Stream};
use crate::version::Version;

impl Connection {
    /// Opens a connection: TCP (each resolved address in turn), TLS if configured, the
    /// handshake, then HELLO (and LOGON from 5.1 on, pipelined with it).
    ///
    /// The configured connect timeout bounds establishing the transport (TCP, and TLS)
    /// to each address, as the official drivers' connection timeout does; the handshake
    /// and HELLO that follow are bounded by the [read
    /// timeout](crate::ConnectionConfigBuilder::read_timeout) if one is set, and
    /// otherwise by the caller (the driver's pool bounds the whole acquisition).
    pub async fn connect(
        address: &Address,
        config: &ConnectionConfig,
    ) -> Result<Connection, Error> {
        let addrs = transport::resolve(address).await?;
        let mut last_err = None;
        for addr in addrs {
            match Self::open(address, addr, config).await {
                Ok(c) => return Ok(c),
                Err(e) => {
                    debug!(%address, %addr, error = %e, "connect failed");
                    // Only connection problems make trying the next address worthwhile.
                    if !e.is_connection_error() {
                        return Err(e);
                    }
                    last_err = Some(e);
                }
            }
        }
        Err(last_err.unwrap_or(Error::Address {
            address: address.to_string(),
            reason: "resolved to no address".into(),
        }))
    }

    async fn open(
        address: &Address,
        addr: SocketAddr,
        config: &ConnectionConfig,
    ) -> Result<Connection, Error> {
        let transport = async {
            let tcp = transport::connect_tcp(addr, config.keep_alive).await?;
            Ok::<_, Error>(match &config.tls {
                Some(tls) => transport::connect_tls(tcp, tls.clone(), address.host()).await?,
                None => Stream::Tcp(tcp),
            })
        };
        let mut stream = match config.connect_timeout {
            Some(t) => tokio::time::timeout(t, transport)
                .await
                .map_err(|_| Error::ConnectTimeout(t))??,
            None => transport.await?,
        };
        let read_size = super::INITIAL_READ_BUFFER.min(config.read_buffer_size);
        let mut rbuf = BytesMut::with_capacity(read_size);
        let mut wbuf = BytesMut::with_capacity(8 * 1024);
        let version = negotiate(&mut stream, &mut rbuf, &mut wbuf, config).await?;
        debug!(%address, %version, "handshake done");
        let now = Instant::now();
        let mut conn = Connection {
            stream,
            rbuf,
            wbuf,
            codec: ChunkCodec::with_max_message_size(config.max_message_size)
                .with_buffer_target(config.read_buffer_size),
            read_buffer_size: config.read_buffer_size,
            read_size,
            version,
            opts: options_for(version, false).max_depth(config.max_nesting_depth),
            sm: StateMachine::new(version),
            pending: VecDeque::with_capacity(8),
            address: address.clone(),
            peer: addr,
            server_agent: String::new(),
            connection_id: String::new(),
            hints: Map::new(),
            recv_timeout: config.read_timeout,
            telemetry_allowed: false,
            auth: config.auth.clone(),
            created_at: now,
            close_signal: config.close_signal.clone(),
            ended_by_close: false,
            close_exempt: false,
            last_used: now,
        };
        conn.hello(config).await?;
        Ok(conn)
    }

    async fn hello(&mut self, config: &ConnectionConfig) -> Result<(), Error> {
        let hello = Hello {
            user_agent: &config.user_agent,
            bolt_agent: &config.bolt_agent,
            auth: Some(&config.auth),
            routing: config.routing.as_ref(),
            notifications: &config.notifications,
        };
        debug!(version = %self.version, user_agent = %config.user_agent, auth = ?config.auth, "C: HELLO");
        self.send(&Request::Hello(hello))?;
        // [bolt-version-bump] LOGON is pipelined behind HELLO from 5.1 on.
        if self.version.has_logon() {
            debug!(auth = ?config.auth, "C: LOGON");
            self.send(&Request::Logon(&config.auth))?;
        }
        self.flush().await?;
        let meta = self
            .recv()
            .await?
            .into_success()
            .inspect_err(|_| self.sm.set_defunct())?;
        let meta = meta.metadata().inspect_err(|_| self.sm.set_defunct())?;
        self.apply_hello_metadata(meta, config);
        if self.version.has_logon() {
            self.recv()
                .await?
                .into_success()
                .inspect_err(|_| self.sm.set_defunct())?;
        }
        Ok(())
    }

    fn apply_hello_metadata(&mut self, mut meta: Map, config: &ConnectionConfig) {
        if let Some(Value::String(s)) = meta.remove("server") {
            self.server_agent = s;
        }
        if let Some(Value::String(s)) = meta.remove("connection_id") {
            self.connection_id = s;
        }
        // [bolt-version-bump] 4.4 servers confirm the UTC patch.
        if self.version.needs_utc_patch() {
            if let Some(Value::List(patches)) = meta.get("patch_bolt") {
                if patches
                    .iter()
                    .any(|p| matches!(p, Value::String(s) if s == "utc"))
                {
                    self.opts = options_for(self.version, true).max_depth(config.max_nesting_depth);
                }
            }
        }
        if let Some(Value::Map(hints)) = meta.remove("hints") {
            match hints.get("connection.recv_timeout_seconds") {
                Some(Value::Integer(s)) if *s > 0 => {
                    let hint = Duration::from_secs(*s as u64);
                    // The client's own read timeout, if smaller, still holds.
                    self.recv_timeout = Some(match config.read_timeout {
                        Some(own) => own.min(hint),
                        None => hint,
                    });
                }
                Some(other) => {
                    debug!(value = ?other, "ignoring invalid connection.recv_timeout_seconds hint");
                }
                None => {}
            }
            self.telemetry_allowed = config.telemetry
                && self.version.has_telemetry()
                && matches!(hints.get("telemetry.enabled"), Some(Value::Boolean(true)));
            self.hints = hints;
        }
        debug!(server = %self.server_agent, connection_id = %self.connection_id, "S: SUCCESS (HELLO)");
    }
}

/// Runs the handshake on a fresh stream; bytes read past it stay in `rbuf`.
/// The handshake. A manifest handshake's choice is left in `wbuf`, to go
/// out in one write with HELLO (and LOGON): the server reads it before them.
async fn negotiate(
    stream: &mut Stream,
    rbuf: &mut BytesMut,
    wbuf: &mut BytesMut,
    config: &ConnectionConfig,
) -> Result<Version, Error> {
    let hello = handshake::client_hello(&config.versions, config.manifest_handshake);
    trace!(bytes = ?&hello[..], "C: handshake");
    stream.write_all(&hello).await?;
    stream.flush().await?;
    let (reply, used) = loop {
        if let Some(r) = handshake::parse_server_reply(rbuf)? {
            break r;
        }
        if rbuf.len() > 4096 {
            return Err(Error::Protocol("handshake reply too long".into()));
        }
        let read = stream.read_buf(rbuf);
        let n = match config.read_timeout {
            Some(t) => tokio::time::timeout(t, read)
                .await
                .map_err(|_| Error::ReadTimeout(t))??,
            None => read.await?,
        };
        if n == 0 {
            return Err(Error::ConnectionClosed);
        }
    };
    let _ = rbuf.split_to(used);
    let version = match reply {
        ServerReply::Version(v) => v,
        ServerReply::Manifest {
            offers,
            capabilities,
        } => {
            trace!(?offers, capabilities, "S: handshake manifest");
            let Some(v) = handshake::choose_from_manifest(&offers, &config.versions) else {
                // Tell the server no version fits, then give up.
                let _ = stream.write_all(&[0, 0, 0, 0, 0]).await;
                return Err(Error::NoCommonVersion);
            };
            wbuf.extend_from_slice(&handshake::manifest_choice(v));
            v
        }
    };
    if !config.versions.contains(&version) || !version.is_supported() {
        return Err(Error::Protocol(format!(
            "server chose Bolt {version}, which was not offered"
        )));
    }
    Ok(version)
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::{TcpListener, TcpStream};

    use super::*;

    #[tokio::test]
    async fn the_manifest_choice_waits_to_go_out_with_hello() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let server = tokio::spawn(async move {
            let (mut s, _) = listener.accept().await.unwrap();
            let mut offer = [0u8; 20];
            s.read_exact(&mut offer).await.unwrap();
            // A manifest offering 5.8, no capabilities.
            s.write_all(&[0, 0, 1, 0xFF, 1, 0, 0, 8, 5, 0])
                .await
                .unwrap();
            // The client writes nothing until it has HELLO to send.
            let mut more = [0u8; 8];
            let got = tokio::time::timeout(Duration::from_millis(200), s.read(&mut more)).await;
            assert!(got.is_err(), "the choice went out alone: {got:?}");
            s
        });
        let mut stream = Stream::Tcp(TcpStream::connect(addr).await.unwrap());
        let config = ConnectionConfig::builder()
            .versions(&[Version::V5_8])
            .build()
            .unwrap();
        let (mut rbuf, mut wbuf) = (BytesMut::new(), BytesMut::new());
        let version = negotiate(&mut stream, &mut rbuf, &mut wbuf, &config)
            .await
            .unwrap();
        assert_eq!(version, Version::V5_8);
        assert_eq!(&wbuf[..], &handshake::manifest_choice(Version::V5_8)[..]);
        drop(server.await.unwrap());
    }
}
