//! The blocking stub server, driven by a plain std TcpStream client.

use std::io::{Read, Write};
use std::net::TcpStream;

use quiver_test_support::stub::{BlockingStubServer, Script};

#[test]
fn blocking_server_plays_a_script() {
    let script = Script::parse("!: BOLT 5.4\nC: RESET\nS: SUCCESS {}\n").unwrap();
    let server = BlockingStubServer::start(script).unwrap();
    let mut stream = TcpStream::connect(server.addr()).unwrap();
    let mut hello = vec![0x60, 0x60, 0xB0, 0x17, 0, 0, 4, 5];
    hello.extend([0; 12]);
    stream.write_all(&hello).unwrap();
    let mut answer = [0u8; 4];
    stream.read_exact(&mut answer).unwrap();
    assert_eq!(answer, [0, 0, 4, 5]);
    // RESET, chunked.
    stream.write_all(&[0, 2, 0xB0, 0x0F, 0, 0]).unwrap();
    let mut reply = [0u8; 7];
    stream.read_exact(&mut reply).unwrap();
    assert_eq!(reply, [0, 3, 0xB1, 0x70, 0xA0, 0, 0]);
    let report = server.finish().unwrap();
    assert_eq!(report.connection(0).unwrap().received(), vec!["RESET"]);
}
