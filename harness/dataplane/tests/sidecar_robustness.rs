//! A sidecar refuses and logs what it cannot take — a malformed frame, an
//! unknown method, an oversized or undecodable message, an abrupt
//! disconnect — and keeps serving. The sidecar runs in this process, in
//! front of node `b` of simple-deliv.

use ldfi_dataplane::proto::node_client::NodeClient;
use ldfi_dataplane::proto::sidecar_client::SidecarClient;
use ldfi_dataplane::proto::{Envelope, StatsRequest, StepRequest};
use ldfi_dataplane::sidecar::{enforce::Mode, start, Config};
use ldfi_harness::schedule::Schedule;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tonic::transport::Channel;

async fn sidecar() -> (u16, u16) {
    let reg = ldfi_protocols::registry();
    let p = reg.get("simple-deliv").expect("simple-deliv is shipped");
    let s: Schedule =
        serde_json::from_str(r#"{"format":1,"protocol":"simple-deliv"}"#).expect("schedule");
    let cfg = s.run_config(&p.info(), None, None);
    let me = p
        .info()
        .nodes
        .iter()
        .position(|n| n == "b")
        .expect("node b") as u16;
    let started = start(Config {
        me,
        names: p.info().nodes,
        wire: p.wire(&cfg).expect("wire"),
        decoder: p.decoder(),
        spec: p.enforcement_spec(&cfg).expect("the shipped spec parses"),
        mode: Mode::Refuse,
        violations: None,
        channel_faults: Default::default(),
    })
    .await
    .expect("sidecar starts");
    (started.port, started.metrics)
}

async fn client(port: u16) -> SidecarClient<Channel> {
    SidecarClient::connect(format!("http://127.0.0.1:{port}"))
        .await
        .expect("connects")
}

/// (prometheus text, violation records) — also proves the sidecar still serves.
async fn stats(port: u16) -> (String, String) {
    let r = client(port)
        .await
        .stats(StatsRequest {})
        .await
        .expect("stats")
        .into_inner();
    (r.prometheus, r.violations)
}

fn refused_count(prometheus: &str, channel: &str) -> u64 {
    ldfi_dataplane::sidecar::count::parse_prometheus(prometheus)
        .into_iter()
        .filter(|(_, c, o, _)| c == channel && o == "refused")
        .map(|(_, _, _, n)| n)
        .sum()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_undecodable_message_is_refused_and_logged() {
    let (port, _) = sidecar().await;
    let env = Envelope {
        from: 0,
        to: 1,
        sent: 1,
        body: vec![0xff, 0xff, 0xff, 0xff, 0xff],
        ..Envelope::default()
    };
    let err = client(port).await.forward(env).await.expect_err("refused");
    assert_eq!(err.code(), tonic::Code::InvalidArgument);
    assert!(
        err.message().contains("refused by `undecodable`"),
        "{}",
        err.message()
    );
    let (prom, log) = stats(port).await;
    assert_eq!(refused_count(&prom, "a->b"), 1, "{prom}");
    assert!(log.contains(r#""rule":"undecodable""#), "{log}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_envelope_for_another_node_is_refused() {
    let (port, _) = sidecar().await;
    let env = Envelope {
        from: 0,
        to: 2,
        sent: 1,
        ..Envelope::default()
    };
    let err = client(port).await.forward(env).await.expect_err("refused");
    assert!(err.message().contains("not-my-node"), "{}", err.message());
    let env = Envelope {
        from: 0,
        to: 99,
        sent: 1,
        ..Envelope::default()
    };
    let err = client(port).await.forward(env).await.expect_err("refused");
    assert!(err.message().contains("bad-endpoint"), "{}", err.message());
    stats(port).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_method_is_refused_and_logged() {
    let (port, _) = sidecar().await;
    // The node service's method, called on a sidecar: not one of its methods.
    let mut wrong = NodeClient::connect(format!("http://127.0.0.1:{port}"))
        .await
        .expect("connects");
    let err = wrong
        .step(StepRequest::default())
        .await
        .expect_err("unknown method");
    assert_eq!(err.code(), tonic::Code::Unimplemented);
    let (prom, log) = stats(port).await;
    assert!(log.contains("/ldfi.dataplane.v1.Node/Step"), "{log}");
    assert_eq!(refused_count(&prom, "-"), 1, "{prom}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_oversized_message_is_refused_and_logged() {
    let (port, _) = sidecar().await;
    let env = Envelope {
        from: 0,
        to: 1,
        sent: 1,
        body: vec![7; 2 * ldfi_dataplane::MAX_ENVELOPE],
        ..Envelope::default()
    };
    let mut c = client(port)
        .await
        .max_encoding_message_size(8 * ldfi_dataplane::MAX_ENVELOPE);
    let err = c.forward(env).await.expect_err("too large");
    assert_eq!(err.code(), tonic::Code::OutOfRange, "{err:?}");
    let (prom, log) = stats(port).await;
    assert!(log.contains(r#""rule":"transport""#), "{log}");
    assert_eq!(refused_count(&prom, "-"), 1, "{prom}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_malformed_frame_and_an_abrupt_disconnect_leave_it_serving() {
    let (port, metrics) = sidecar().await;
    // Not HTTP/2 at all.
    let mut raw = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .expect("connects");
    raw.write_all(b"GET / HTTP/1.1\r\n\r\n\x00\x01garbage")
        .await
        .expect("writes");
    let mut sink = Vec::new();
    let _ = raw.read_to_end(&mut sink).await;
    // The HTTP/2 preface and half a frame header, then gone.
    let mut half = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .expect("connects");
    half.write_all(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\x00\x00")
        .await
        .expect("writes");
    drop(half);
    // A gRPC call that hangs up before its body.
    let mut cut = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .expect("connects");
    cut.write_all(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\x00\x00\x00\x04\x00\x00\x00\x00\x00")
        .await
        .expect("writes");
    drop(cut);
    stats(port).await;
    // The Prometheus port answers plain HTTP.
    let mut http = tokio::net::TcpStream::connect(("127.0.0.1", metrics))
        .await
        .expect("connects");
    http.write_all(b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .expect("writes");
    let mut page = String::new();
    http.read_to_string(&mut page).await.expect("reads");
    assert!(page.starts_with("HTTP/1.1 200 OK"), "{page}");
    assert!(
        page.contains("# TYPE ldfi_sidecar_envelopes_total counter"),
        "{page}"
    );
}
