//! A minimal byte relay: what any separate-process proxy pays on this
//! machine, without HTTP/2 or checking. Each accepted connection is joined
//! to a new connection to the target and bytes are copied both ways, one
//! blocking thread a direction. The benchmarks put it where the sidecar
//! or the gRPC proxy stands, with the same load, for a floor row.

use crate::child::{announce, exit_with_parent};
use crate::error::DataplaneError;
use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};

/// Relays every connection to `127.0.0.1:PORT` (a free port) to `target`
/// (`host:port` or `http://host:port`) until the process is killed or its
/// stdin closes; prints `ldfi-ready port=P` once it accepts connections.
pub fn serve(target: &str) -> Result<(), DataplaneError> {
    let target = target
        .strip_prefix("http://")
        .unwrap_or(target)
        .trim_end_matches('/')
        .to_string();
    let io = |what: &str| {
        let what = format!("relay: {what}");
        move |source| DataplaneError::Io { what, source }
    };
    let listener = TcpListener::bind("127.0.0.1:0").map_err(io("listen on 127.0.0.1"))?;
    let port = listener.local_addr().map_err(io("listen"))?.port();
    exit_with_parent();
    announce(&[("port", port.to_string())]);
    for inbound in listener.incoming() {
        let Ok(inbound) = inbound else { continue };
        match TcpStream::connect(&target) {
            Ok(outbound) => join(inbound, outbound),
            Err(e) => {
                eprintln!("relay: connect to {target}: {e}");
                let _ = inbound.shutdown(Shutdown::Both);
            }
        }
    }
    Ok(())
}

/// Copies `a` → `b` and `b` → `a` on two threads until either side ends.
fn join(a: TcpStream, b: TcpStream) {
    let _ = a.set_nodelay(true);
    let _ = b.set_nodelay(true);
    let (Ok(a2), Ok(b2)) = (a.try_clone(), b.try_clone()) else {
        return;
    };
    std::thread::spawn(move || copy(a, b2));
    std::thread::spawn(move || copy(b, a2));
}

/// Copies until `from` ends or `to` fails, then shuts both down.
fn copy(mut from: TcpStream, mut to: TcpStream) {
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        match from.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                if to.write_all(&buf[..n]).is_err() {
                    break;
                }
            }
        }
    }
    let _ = to.shutdown(Shutdown::Write);
    let _ = from.shutdown(Shutdown::Read);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copies_both_ways_until_either_side_ends() {
        let echo = TcpListener::bind("127.0.0.1:0").expect("bind");
        let target = echo.local_addr().expect("addr");
        std::thread::spawn(move || {
            let (mut s, _) = echo.accept().expect("accept");
            let mut buf = [0u8; 5];
            s.read_exact(&mut buf).expect("read");
            s.write_all(&buf).expect("write");
        });
        let front = TcpListener::bind("127.0.0.1:0").expect("bind");
        let addr = front.local_addr().expect("addr");
        std::thread::spawn(move || {
            let (a, _) = front.accept().expect("accept");
            join(a, TcpStream::connect(target).expect("connect"));
        });
        let mut c = TcpStream::connect(addr).expect("connect");
        c.write_all(b"hello").expect("write");
        let mut back = Vec::new();
        c.read_to_end(&mut back).expect("read to the end");
        assert_eq!(back, b"hello");
    }
}
