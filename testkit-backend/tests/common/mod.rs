//! A TestKit stand-in for the backend's tests: starts the backend on a free port and speaks
//! its framed JSON protocol over TCP, answering callback requests on the way.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use serde_json::{json, Value};

/// Starts the backend on 127.0.0.1, port 0, on its own thread.
pub fn start_backend() -> SocketAddr {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    listener.set_nonblocking(true).unwrap();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener).unwrap();
            let _ = testkit_backend::run(listener).await;
        });
    });
    addr
}

/// One TestKit connection.
pub struct Client {
    reader: BufReader<TcpStream>,
    writer: TcpStream,
}

impl Client {
    /// Connects to a fresh backend.
    pub fn start() -> Self {
        Self::connect(start_backend())
    }

    /// Connects to the backend at `addr`.
    pub fn connect(addr: SocketAddr) -> Self {
        let stream = TcpStream::connect(addr).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        Self {
            reader: BufReader::new(stream.try_clone().unwrap()),
            writer: stream,
        }
    }

    /// Sends `request` and returns the first message back.
    pub fn request(&mut self, request: Value) -> Value {
        self.send(request);
        self.recv()
    }

    /// Sends `request`; every callback request that comes back before the response is
    /// recorded and answered with `answer(callback)` (a `...Completed` request). Returns the
    /// response and the callbacks seen, in order.
    pub fn request_answering(
        &mut self,
        request: Value,
        mut answer: impl FnMut(&Value) -> Value,
    ) -> (Value, Vec<Value>) {
        self.send(request);
        let mut callbacks = Vec::new();
        loop {
            let msg = self.recv();
            let name = msg["name"].as_str().unwrap_or_default();
            if name.ends_with("Required") || name.ends_with("Request") {
                let reply = answer(&msg);
                callbacks.push(msg);
                self.send(reply);
            } else {
                return (msg, callbacks);
            }
        }
    }

    /// Sends `text` as it is (framing included).
    pub fn send_raw(&mut self, text: &str) {
        self.writer.write_all(text.as_bytes()).unwrap();
        self.writer.flush().unwrap();
    }

    /// Sends one request block.
    pub fn send(&mut self, request: Value) {
        self.send_raw(&format!("#request begin\n{request}\n#request end\n"));
    }

    /// Reads one response block, like TestKit: text outside blocks is ignored.
    pub fn recv(&mut self) -> Value {
        let mut body = String::new();
        let mut inside = false;
        loop {
            let mut line = String::new();
            let n = self.reader.read_line(&mut line).unwrap();
            assert!(n > 0, "backend closed the connection");
            match line.trim() {
                "#response begin" => {
                    assert!(!inside, "nested response block");
                    inside = true;
                }
                "#response end" => return serde_json::from_str(&body).unwrap(),
                text if inside => body.push_str(text),
                _ => {}
            }
        }
    }

    /// `NewDriver` for `uri` with basic auth neo4j/pass and `extra` fields; returns its id.
    pub fn new_driver(&mut self, uri: &str, extra: Value) -> Value {
        let mut data = json!({
            "uri": uri,
            "authorizationToken": {"name": "AuthorizationToken", "data": {
                "scheme": "basic", "principal": "neo4j", "credentials": "pass"}},
        });
        data.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        let r = self.request(json!({"name": "NewDriver", "data": data}));
        assert_eq!(r["name"], "Driver", "{r}");
        r["data"]["id"].clone()
    }

    /// `NewSession` (write mode) with `extra` fields; returns its id.
    pub fn new_session(&mut self, driver_id: &Value, extra: Value) -> Value {
        let mut data = json!({"driverId": driver_id, "accessMode": "w"});
        data.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        let r = self.request(json!({"name": "NewSession", "data": data}));
        assert_eq!(r["name"], "Session", "{r}");
        r["data"]["id"].clone()
    }

    /// `ResultNext`; returns the response.
    pub fn next(&mut self, result_id: &Value) -> Value {
        self.request(json!({"name": "ResultNext", "data": {"resultId": result_id}}))
    }

    /// `SessionClose`; returns the response.
    pub fn close_session(&mut self, session_id: &Value) -> Value {
        self.request(json!({"name": "SessionClose", "data": {"sessionId": session_id}}))
    }

    /// `DriverClose`; returns the response.
    pub fn close_driver(&mut self, driver_id: &Value) -> Value {
        self.request(json!({"name": "DriverClose", "data": {"driverId": driver_id}}))
    }

    /// One session (with `extra` fields) that runs `RETURN n AS n`, reads the record `[n]`,
    /// and closes.
    pub fn return_n(&mut self, driver_id: &Value, extra: Value, n: i64) {
        let session_id = self.new_session(driver_id, extra);
        let result_id = self.run(&session_id, &format!("RETURN {n} AS n"));
        assert_eq!(self.next(&result_id), record(&[n]));
        self.close_session(&session_id);
    }

    /// `SessionRun` without parameters; returns the result id.
    pub fn run(&mut self, session_id: &Value, cypher: &str) -> Value {
        let r = self.request(json!({"name": "SessionRun", "data": {
            "sessionId": session_id, "cypher": cypher, "params": null}}));
        assert_eq!(r["name"], "Result", "{r}");
        r["data"]["id"].clone()
    }
}

/// TestKit's encoding of an integer.
pub fn int(n: i64) -> Value {
    json!({"name": "CypherInt", "data": {"value": n}})
}

/// A `Record` response with these integer values.
pub fn record(values: &[i64]) -> Value {
    json!({"name": "Record", "data": {"values": values.iter().map(|n| int(*n)).collect::<Vec<_>>()}})
}
