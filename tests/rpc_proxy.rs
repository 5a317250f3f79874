//! The generic gRPC enforcement proxy (`ldfi proxy --descriptor`) on real
//! processes: loopback, OS-assigned ports, children killed when dropped.
//! The demo services (`ldfi proxy --demo-upstream`, known to the proxy only
//! through their descriptor set) and the web forum (`ldfi forum serve`).

use bytes::Bytes;
use ldfi_dataplane::child::Child;
use ldfi_rpc::client::{self, Reply, H2};
use ldfi_rpc::demo::proto::*;
use ldfi_rpc::record::sample;
use prost::Message;
use std::path::{Path, PathBuf};
use std::time::Duration;

const EXE: &str = env!("CARGO_BIN_EXE_ldfi");
const AUTH: &str = "/ldfi.demo.v1.Auth/Authenticate";
const INSERT: &str = "/ldfi.demo.v1.Kv/Insert";
const GET: &str = "/ldfi.demo.v1.Kv/Get";
const MODIFY: &str = "/ldfi.demo.v1.Kv/Modify";
const SCAN: &str = "/ldfi.demo.v1.Kv/Scan";
const BATCH: &str = "/ldfi.demo.v1.Kv/Batch";

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime")
}

/// A fresh directory for one test's files.
fn dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("ldfi-rpc-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("temp dir");
    d
}

fn start(args: &[String], name: &str) -> Child {
    Child::start(Path::new(EXE), args, name, 0).expect("starts")
}

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

/// The demo upstream, and a proxy in front of it (`kv` and `auth` both on
/// its port) with the demo spec and `extra` flags.
fn demo(d: &Path, extra: &[String]) -> (Child, Child) {
    let (fds, spec) = (d.join("demo.fds"), d.join("demo.spec"));
    std::fs::write(&fds, ldfi_rpc::demo::DESCRIPTOR).expect("fds");
    if !spec.exists() {
        std::fs::write(&spec, ldfi_rpc::demo::SPEC).expect("spec");
    }
    let up = start(&strings(&["proxy", "--demo-upstream"]), "demo upstream");
    let addr = format!("127.0.0.1:{}", up.field("port").expect("port"));
    let mut args = strings(&["proxy", "--name", "demo", "--descriptor"]);
    args.push(fds.display().to_string());
    args.extend(["--spec".into(), spec.display().to_string()]);
    args.extend(["--upstream".into(), format!("kv={addr}")]);
    args.extend(["--upstream".into(), format!("auth={addr}")]);
    args.extend_from_slice(extra);
    let proxy = start(&args, "proxy");
    (up, proxy)
}

async fn call(h: &H2, c: &Child, path: &str, msgs: &[Bytes]) -> Reply {
    client::call(h, &c.url(), path, Some("frontend"), msgs)
        .await
        .expect("the call gets a status")
}

fn auth(client: &str) -> Bytes {
    let credential = format!("pw-{client}");
    let client = client.to_string();
    AuthenticateRequest { client, credential }
        .encode_to_vec()
        .into()
}

fn insert(client: &str, key: &str, value: &str) -> Bytes {
    let (client, key, value) = (client.into(), key.into(), value.into());
    let m = InsertRequest {
        client,
        key,
        value,
        ..Default::default()
    };
    m.encode_to_vec().into()
}

fn get(key: &str) -> Bytes {
    GetRequest { key: key.into() }.encode_to_vec().into()
}

fn metrics(proxy: &Child) -> String {
    use std::io::{Read, Write};
    let port = proxy.field("metrics").expect("metrics port");
    let mut s = std::net::TcpStream::connect(format!("127.0.0.1:{port}")).expect("metrics");
    s.write_all(b"GET /metrics HTTP/1.0\r\n\r\n").expect("ask");
    let mut text = String::new();
    s.read_to_string(&mut text).expect("read");
    text
}

fn refused(text: &str) -> f64 {
    sample(text, "ldfi_proxy_calls_total", &[("outcome", "refused")])
}

/// `ldfi dataplane replay CAPTURE --target ADDR --json`: (exit, report).
fn replay(capture: &Path, target: &str) -> (i32, serde_json::Value) {
    let out = std::process::Command::new(EXE)
        .args(["dataplane", "replay"])
        .arg(capture)
        .args(["--target", target, "--json"])
        .output()
        .expect("replay runs");
    let report = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!("{e}: {}", String::from_utf8_lossy(&out.stderr));
    });
    (out.status.code().unwrap_or(-1), report)
}

#[test]
fn enforces_every_message_of_unary_and_streaming_calls_records_and_replays() {
    let d = dir("enforce");
    let (cap, viol) = (d.join("calls.jsonl"), d.join("violations.jsonl"));
    let flags = [
        "--capture".into(),
        cap.display().to_string(),
        "--violations".into(),
        viol.display().to_string(),
    ];
    let (up, proxy) = demo(&d, &flags);
    rt().block_on(async {
        let h = client::h2();
        let r = call(&h, &proxy, AUTH, &[auth("c1")]).await;
        assert_eq!(r.code, 0, "{}", r.message);
        assert!(
            AuthenticateResponse::decode(r.messages[0].clone())
                .expect("decodes")
                .ok
        );
        assert_eq!(
            call(&h, &proxy, INSERT, &[insert("c1", "c1/1", "hi")])
                .await
                .code,
            0
        );
        // c2 never authenticated: its insert is refused before kv sees it.
        let r = call(&h, &proxy, INSERT, &[insert("c2", "c2/1", "x")]).await;
        assert_eq!(r.code, 7, "PERMISSION_DENIED: {}", r.message);
        assert!(
            r.message.contains("`I2_only_authenticated_clients_post`"),
            "{}",
            r.message
        );
        let direct = call(&h, &up, GET, &[get("c2/1")]).await;
        assert!(
            !GetResponse::decode(direct.messages[0].clone())
                .expect("decodes")
                .found
        );
        let r = call(&h, &proxy, MODIFY, &[insert("c1", "c1/1", "changed")]).await;
        assert!(
            r.code == 7 && r.message.contains("`I1_posts_immutable`"),
            "{}",
            r.message
        );
        // A response stream passes message by message; the leaking one is refused.
        assert_eq!(
            call(&h, &proxy, INSERT, &[insert("c1", "c1/2", "pw-c9")])
                .await
                .code,
            0
        );
        let scan = ScanRequest {
            prefix: "c1/".into(),
        }
        .encode_to_vec()
        .into();
        let r = call(&h, &proxy, SCAN, &[scan]).await;
        assert_eq!(r.messages.len(), 1, "c1/1 passes, c1/2 does not");
        assert!(
            r.code == 7 && r.message.contains("`no_credential_leak`"),
            "{}",
            r.message
        );
        // A request stream is checked message by message too.
        let ok = [insert("c1", "c1/3", "a"), insert("c1", "c1/4", "b")];
        let r = call(&h, &proxy, BATCH, &ok).await;
        assert_eq!(r.code, 0, "{}", r.message);
        assert_eq!(
            BatchResponse::decode(r.messages[0].clone())
                .expect("decodes")
                .inserted,
            2
        );
        let bad = [
            insert("c1", "c1/5", "a"),
            insert("c3", "c3/1", "b"),
            insert("c1", "c1/6", "c"),
        ];
        let r = call(&h, &proxy, BATCH, &bad).await;
        assert!(
            r.code == 7 && r.message.contains("I2_only"),
            "{}: {}",
            r.code,
            r.message
        );
    });
    let text = metrics(&proxy);
    assert_eq!(refused(&text), 4.0, "{text}");
    let log = std::fs::read_to_string(&viol).expect("violations written");
    let records: Vec<serde_json::Value> = log
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON"))
        .collect();
    assert_eq!(records.len(), 4, "{log}");
    let i2 = &records[0];
    assert_eq!(i2["rule"], "I2_only_authenticated_clients_post");
    assert_eq!(i2["key"]["c"], "\"c2\"");
    assert!(i2["state"].is_u64(), "the automaton's state: {i2}");
    assert!(i2["message"]
        .as_str()
        .expect("message")
        .contains("request Insert"));
    drop(proxy);
    drop(up);
    // The capture replays with identical responses on fresh services...
    let (_up2, proxy2) = demo(&d, &[]);
    let (code, report) = replay(
        &cap,
        &format!("127.0.0.1:{}", proxy2.field("port").expect("p")),
    );
    assert_eq!(code, 0, "{report}");
    assert_eq!(report["calls"], 8, "{report}");
    assert_eq!(report["identical"], 8, "{report}");
    // ...and without the proxy, every refused call differs, and is listed.
    let (up3, _proxy3) = demo(&d, &[]);
    let (code, report) = replay(
        &cap,
        &format!("127.0.0.1:{}", up3.field("port").expect("p")),
    );
    assert_eq!(code, 1, "{report}");
    let diffs = report["differences"].as_array().expect("differences");
    let seqs: Vec<u64> = diffs
        .iter()
        .filter(|d| d["what"] == "status")
        .map(|d| d["seq"].as_u64().unwrap())
        .collect();
    assert_eq!(seqs, vec![2, 3, 5, 7], "{report}");
}

#[test]
fn rejects_and_logs_bad_input_keeps_serving_and_reloads_its_spec() {
    let d = dir("robust");
    let (_up, proxy) = demo(&d, &strings(&["--max-message", "2048"]));
    let pid = proxy.pid();
    let spec = d.join("demo.spec");
    rt().block_on(async {
        let h = client::h2();
        let alive = |h: H2| {
            let url = proxy.url();
            async move {
                let r = client::call(&h, &url, AUTH, Some("frontend"), &[auth("c1")]).await;
                assert_eq!(r.expect("serves").code, 0, "still serving");
            }
        };
        let raw = |path: &'static str, frames: Vec<Bytes>| {
            let (h, url) = (h.clone(), proxy.url());
            async move {
                client::call_raw(&h, &url, path, None, frames)
                    .await
                    .expect("status")
            }
        };
        let cases: Vec<(&str, Vec<Bytes>, u32)> = vec![
            (
                "/ldfi.demo.v1.Kv/Nope",
                vec![Bytes::from_static(&[0, 0, 0, 0, 0])],
                12,
            ),
            (
                "/no.Such/Service",
                vec![Bytes::from_static(&[0, 0, 0, 0, 0])],
                12,
            ),
            (INSERT, vec![Bytes::from_static(&[9, 0, 0, 0, 0])], 3),
            (INSERT, vec![Bytes::from_static(&[0, 0, 0, 0, 9, 1])], 3),
            (
                INSERT,
                vec![Bytes::from_static(&[0, 0, 0, 0, 3, 0xff, 0xff, 0xff])],
                3,
            ),
            (
                INSERT,
                vec![ldfi_rpc::frame::encode(&insert(
                    "c1",
                    "k",
                    &"x".repeat(4000),
                ))],
                8,
            ),
        ];
        for (path, frames, want) in cases {
            let r = raw(path, frames).await;
            assert_eq!(r.code, want, "{path}: {}", r.message);
            assert!(r.message.starts_with("refused by `"), "{}", r.message);
            alive(h.clone()).await;
        }
        // Abrupt disconnects: a stream abandoned mid-message, and a peer
        // that speaks no HTTP/2 at all.
        let (tx, body) = ldfi_rpc::body::ChanBody::channel();
        let mut req = http_request(&proxy.url(), BATCH, body);
        req.headers_mut()
            .insert("content-type", "application/grpc".parse().unwrap());
        tx.data(Bytes::from_static(&[0, 0, 0, 0, 40, 1, 2])).await;
        let _ = tokio::time::timeout(Duration::from_millis(300), h.request(req)).await;
        drop(tx);
        {
            use tokio::io::AsyncWriteExt;
            let port = proxy.field("port").expect("port");
            let mut s = tokio::net::TcpStream::connect(format!("127.0.0.1:{port}"))
                .await
                .expect("tcp");
            s.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
                .await
                .expect("write");
        }
        alive(client::h2()).await;
        wait_for(&proxy, |t| {
            sample(t, "ldfi_proxy_refusal_records_total", &[]) >= 8.0
        });
        // A bad new spec is logged and the old one kept...
        let r = call(&h, &proxy, INSERT, &[insert("c7", "c7/1", "x")]).await;
        assert_eq!(r.code, 7, "{}", r.message);
        std::fs::write(&spec, "rule broken {").expect("write");
        wait_for(&proxy, |t| {
            sample(t, "ldfi_proxy_spec_rejected_total", &[]) >= 1.0
        });
        let r = call(&h, &proxy, INSERT, &[insert("c7", "c7/1", "x")]).await;
        assert_eq!(r.code, 7, "the old spec still holds: {}", r.message);
        // ...a good one takes effect on the same connection; so does SIGHUP.
        std::fs::write(&spec, "rule I1 { never [_ -> kv Modify]; }").expect("write");
        wait_for(&proxy, |t| {
            sample(t, "ldfi_proxy_spec_reloads_total", &[]) >= 1.0
        });
        let r = call(&h, &proxy, INSERT, &[insert("c7", "c7/1", "x")]).await;
        assert_eq!(r.code, 0, "{}", r.message);
        // SAFETY: sends SIGHUP to the proxy this test started.
        unsafe { libc::kill(pid as i32, libc::SIGHUP) };
        wait_for(&proxy, |t| {
            sample(t, "ldfi_proxy_spec_reloads_total", &[]) >= 2.0
        });
        alive(h.clone()).await;
    });
}

fn http_request(
    base: &str,
    path: &str,
    body: ldfi_rpc::body::ChanBody,
) -> http::Request<ldfi_rpc::body::ChanBody> {
    let mut r = http::Request::new(body);
    *r.method_mut() = http::Method::POST;
    *r.uri_mut() = format!("{base}{path}").parse().expect("uri");
    r
}

/// Polls the proxy's metrics until `ok` (at most 10 s).
fn wait_for(proxy: &Child, ok: impl Fn(&str) -> bool) {
    for _ in 0..200 {
        if ok(&metrics(proxy)) {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("never happened; metrics:\n{}", metrics(proxy));
}

#[test]
fn ten_thousand_concurrent_calls_lose_none_and_a_dead_proxy_fails_closed() {
    let d = dir("load");
    let (up, mut proxy) = demo(&d, &[]);
    rt().block_on(async {
        let load = ldfi_rpc::load::run(&proxy.url(), 10_000, 32)
            .await
            .expect("load");
        assert_eq!(load.report.count, 10_000, "{:?}", load.failures);
        assert_eq!(load.report.errors, 0, "{:?}", load.failures);
        let h = client::h2();
        let mut stored = 0;
        for w in 0..32 {
            let scan = ScanRequest {
                prefix: format!("c{w}/"),
            }
            .encode_to_vec()
            .into();
            let r = call(&h, &up, SCAN, &[scan]).await;
            stored += r.messages.len();
        }
        assert_eq!(stored, load.inserted, "every acknowledged insert is stored");
        assert_eq!(refused(&metrics(&proxy)), 0.0);
        // The proxy dies: calls to it fail, nothing reaches the service.
        let url = proxy.url();
        proxy.kill();
        let r = client::call(
            &h,
            &url,
            INSERT,
            Some("frontend"),
            &[insert("c0", "c0/dead", "x")],
        )
        .await;
        assert!(r.is_err() || r.as_ref().is_ok_and(|r| r.code != 0), "{r:?}");
        let r = call(&h, &up, GET, &[get("c0/dead")]).await;
        assert!(
            !GetResponse::decode(r.messages[0].clone())
                .expect("decodes")
                .found
        );
    });
}

#[test]
fn rpc_faults_by_identity_drop_delay_fail_and_kill() {
    let d = dir("faults");
    let faults = d.join("faults.json");
    std::fs::write(
        &faults,
        r#"{"format":1,"kind":"rpc-faults","faults":[
        {"caller":"frontend","callee":"kv","method":"Insert","k":1,"action":"drop-request"},
        {"caller":"frontend","callee":"kv","method":"Insert","k":2,"action":"drop-response"},
        {"callee":"kv","method":"Insert","k":3,"action":"delay","ms":300},
        {"callee":"kv","method":"Get","k":1,"action":"error","code":"DEADLINE_EXCEEDED","message":"try later"},
        {"callee":"kv","method":"Insert","k":4,"action":"kill"}]}"#,
    )
    .expect("faults");
    // The upstream first, so the proxy can be told its pid.
    let (up0, p0) = demo(&d, &[]);
    drop(p0);
    let mut up = up0;
    let addr = format!("127.0.0.1:{}", up.field("port").expect("port"));
    let mut args = strings(&["proxy", "--name", "demo", "--descriptor"]);
    args.push(d.join("demo.fds").display().to_string());
    args.extend(["--spec".into(), d.join("demo.spec").display().to_string()]);
    args.extend([
        "--upstream".into(),
        format!("kv={addr}"),
        "--upstream".into(),
        format!("auth={addr}"),
    ]);
    args.extend(["--faults".into(), faults.display().to_string()]);
    args.extend(["--pid".into(), format!("kv={}", up.pid())]);
    let proxy = start(&args, "proxy");
    rt().block_on(async {
        let h = client::h2();
        assert_eq!(call(&h, &proxy, AUTH, &[auth("c1")]).await.code, 0);
        let found = |key: &'static str| {
            let (h, up) = (h.clone(), up.url());
            async move {
                let r = client::call(&h, &up, GET, None, &[get(key)])
                    .await
                    .expect("direct");
                GetResponse::decode(r.messages[0].clone())
                    .expect("decodes")
                    .found
            }
        };
        let r = call(&h, &proxy, INSERT, &[insert("c1", "c1/1", "a")]).await;
        assert!(
            r.code == 14 && r.message.contains("request dropped"),
            "{r:?}"
        );
        assert!(!found("c1/1").await, "a dropped request never arrives");
        let r = call(&h, &proxy, INSERT, &[insert("c1", "c1/2", "b")]).await;
        assert!(
            r.code == 14 && r.message.contains("response dropped"),
            "{r:?}"
        );
        assert!(
            found("c1/2").await,
            "the service acted on a request whose response was lost"
        );
        let t = ldfi_rpc::load::wall_now();
        assert_eq!(
            call(&h, &proxy, INSERT, &[insert("c1", "c1/3", "c")])
                .await
                .code,
            0
        );
        assert!(t.elapsed() >= Duration::from_millis(300), "delayed");
        let r = call(&h, &proxy, GET, &[get("c1/3")]).await;
        assert_eq!((r.code, r.message.as_str()), (4, "try later"));
        let r = call(&h, &proxy, INSERT, &[insert("c1", "c1/4", "d")]).await;
        assert!(r.code == 14 && r.message.contains("killed"), "{r:?}");
    });
    for _ in 0..100 {
        if !up.alive() {
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(!up.alive(), "the kill fault killed the service");
    let text = metrics(&proxy);
    assert_eq!(
        sample(&text, "ldfi_proxy_calls_total", &[("outcome", "fault")]),
        4.0,
        "{text}"
    );
}

/// The web forum as real processes behind one proxy that sees all of its
/// traffic: clients → frontend, frontend → auth and kv (the frontend calls
/// its upstreams through the proxy, which therefore listens on a port
/// chosen before the frontend starts; retried if another process takes it).
struct Forum {
    _services: Vec<Child>,
    proxy: Child,
    addr: String,
}

fn forum(d: &Path, variant: &str, extra: &[String]) -> Forum {
    let fds = d.join("forum.fds");
    std::fs::write(&fds, ldfi_forum_grpc::DESCRIPTOR_SET).expect("fds");
    let spec = Path::new(env!("CARGO_MANIFEST_DIR")).join("protocols/specs/web-forum.spec");
    let serve = |s: &str| start(&strings(&["forum", "serve", "--service", s]), s);
    let (auth, kv) = (serve("auth"), serve("kv"));
    let at = |c: &Child| format!("127.0.0.1:{}", c.field("port").expect("port"));
    for _ in 0..5 {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let addr = format!("127.0.0.1:{port}");
        let mut fe = strings(&[
            "forum",
            "serve",
            "--service",
            "frontend",
            "--variant",
            variant,
        ]);
        fe.extend([
            "--upstream-auth".into(),
            addr.clone(),
            "--upstream-kv".into(),
            addr.clone(),
        ]);
        let frontend = start(&fe, "frontend");
        let mut args = strings(&["proxy", "--name", "forum", "--descriptor"]);
        args.extend([
            fds.display().to_string(),
            "--spec".into(),
            spec.display().to_string(),
        ]);
        args.extend(["--upstream".into(), format!("frontend={}", at(&frontend))]);
        args.extend(["--upstream".into(), format!("auth={}", at(&auth))]);
        args.extend(["--upstream".into(), format!("kv={}", at(&kv))]);
        args.extend(strings(&[
            "--caller",
            "auth=frontend",
            "--caller",
            "kv=frontend",
        ]));
        args.extend(["--listen".into(), addr.clone()]);
        args.extend_from_slice(extra);
        if let Ok(proxy) = Child::start(Path::new(EXE), &args, "proxy", 0) {
            return Forum {
                _services: vec![auth, kv, frontend],
                proxy,
                addr,
            };
        }
    }
    panic!("no free port for the forum's proxy in 5 tries");
}

/// `ldfi forum load` through the proxy: its JSON report.
fn forum_load(f: &Forum, clients: u32) -> serde_json::Value {
    let out = std::process::Command::new(EXE)
        .args(["forum", "load", "--target", &f.addr, "--posts", "3"])
        .args(["--clients", &clients.to_string()])
        .output()
        .expect("load runs");
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)))
}

fn records(path: &Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON"))
        .collect()
}

#[test]
fn the_forum_passes_its_spec_and_its_faulty_variants_are_refused_by_rule() {
    use ldfi_forum_grpc::proto::{LoginRequest, PostRequest};
    let d = dir("forum");
    // Correct: a recorded workload passes with no refusal, and replays
    // with identical responses on a fresh forum.
    let cap = d.join("forum.jsonl");
    let correct = forum(
        &d,
        "correct",
        &["--capture".into(), cap.display().to_string()],
    );
    let report = forum_load(&correct, 1);
    assert_eq!(report["failed"], 0, "{report}");
    assert_eq!(report["posts_refused"], 0, "{report}");
    // Each call is written when it ends, the frontend's inner calls first.
    let one = d.join("one-client.jsonl");
    std::fs::copy(&cap, &one).expect("copy");
    // Four at once: nothing refused (a call may time out on a loaded
    // machine: the frontend gives its upstreams 1 s).
    let report = forum_load(&correct, 4);
    assert_eq!(report["posts_refused"], 0, "{report}");
    let text = metrics(&correct.proxy);
    assert_eq!(refused(&text), 0.0, "{text}");
    assert!(sample(&text, "ldfi_proxy_calls_total", &[("callee", "kv")]) > 0.0);
    drop(correct);
    let fresh = forum(&d, "correct", &[]);
    let (code, report) = replay(&one, &fresh.addr);
    assert_eq!(code, 0, "{report}");
    assert_eq!(report["calls"], 6, "login, 3 posts, edit, read: {report}");
    drop(fresh);
    // edit-post: the frontend's kv.Modify is refused by I1.
    let viol = d.join("edit.jsonl");
    let edit = forum(
        &d,
        "edit-post",
        &["--violations".into(), viol.display().to_string()],
    );
    let report = forum_load(&edit, 1);
    assert_eq!(report["edits_accepted"], 0, "{report}");
    let r = records(&viol);
    assert!(
        r.iter()
            .any(|r| r["rule"] == "I1_posts_immutable" && r["method"] == "Modify"),
        "{r:?}"
    );
    drop(edit);
    // insert-before-auth: with the first Authenticate failed and the retry
    // late (faults by identity, in the forum's schedule format), a post
    // during the retry makes the frontend insert before auth said ok: I2.
    let faults = d.join("faults.json");
    std::fs::write(
        &faults,
        r#"{"calls":[{"caller":"frontend","callee":"auth","method":"Authenticate","k":1,"kind":"error"},
                     {"caller":"frontend","callee":"auth","method":"Authenticate","k":2,"kind":"delay","ticks":700}]}"#,
    )
    .expect("faults");
    let viol = d.join("early.jsonl");
    let flags = [
        "--faults".into(),
        faults.display().to_string(),
        "--violations".into(),
        viol.display().to_string(),
    ];
    let early = forum(&d, "insert-before-auth", &flags);
    rt().block_on(async {
        let h = client::h2();
        let url = early.proxy.url();
        let (c, pw) = ("c1".to_string(), "pw-c1".to_string());
        let login = LoginRequest {
            client: c.clone(),
            credential: pw,
        }
        .encode_to_vec()
        .into();
        let (h2, u2) = (h.clone(), url.clone());
        let login = tokio::spawn(async move {
            client::call(&h2, &u2, "/ldfi.forum.v1.Frontend/Login", None, &[login]).await
        });
        tokio::time::sleep(Duration::from_millis(150)).await;
        let post = PostRequest {
            client: c,
            topic: "t".into(),
            text: "early".into(),
        };
        let r = client::call(
            &h,
            &url,
            "/ldfi.forum.v1.Frontend/Post",
            None,
            &[post.encode_to_vec().into()],
        )
        .await
        .expect("post answered");
        assert_eq!(r.code, 0, "{}", r.message);
        let _ = login.await;
    });
    let r = records(&viol);
    let i2 = r
        .iter()
        .find(|r| r["rule"] == "I2_only_authenticated_clients_post")
        .unwrap_or_else(|| panic!("I2 refused at the proxy: {r:?}"));
    assert_eq!(i2["method"], "Insert");
    assert_eq!(i2["key"]["c"], "\"c1\"");
}
