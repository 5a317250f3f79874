//! One call through the proxy, message by message: route, identify, apply
//! faults, then decode and check each request message before it goes
//! upstream and each response message before it goes back. Fails closed:
//! what cannot be routed, decoded or checked is refused and logged.

use crate::body::{run_or_spawn, ChanBody, Sender};
use crate::capture::Call;
use crate::event;
use crate::faults::Action;
use crate::frame::{FrameError, Item, Reader};
use crate::record::{Ident, Refusal};
use crate::server::Proxy;
use crate::status::{self, Code};
use crate::upstream::{H2Body, Outbound};
use crate::CALLER_HEADER;
use bytes::Bytes;
use hyper::body::Incoming;
use ldfi_enforce::Dir;
use prost_reflect::{DynamicMessage, MessageDescriptor};
use serde_json::Value;
use std::sync::atomic::Ordering::Relaxed;
use std::sync::{Arc, Mutex};

/// What a call has done so far, for the capture.
struct Progress {
    seq: u64,
    start_us: u64,
    path: String,
    request: Vec<Value>,
    response: Vec<Value>,
    /// A request message refused after the call went upstream.
    late: Option<Refusal>,
}

type Shared = Arc<Mutex<Progress>>;

/// Raised when a request message is refused after the call went upstream.
type Late = Arc<tokio::sync::Notify>;

fn lock(s: &Shared) -> std::sync::MutexGuard<'_, Progress> {
    s.lock().unwrap_or_else(|p| p.into_inner())
}

/// Serves one call.
pub async fn handle(p: Arc<Proxy>, req: http::Request<Incoming>) -> http::Response<ChanBody> {
    let _in_flight = InFlight::enter(p.clone());
    let path = req.uri().path().to_string();
    let prog: Shared = Arc::new(Mutex::new(Progress {
        seq: p.next_seq(),
        start_us: p.now_us(),
        path: path.clone(),
        request: Vec::new(),
        response: Vec::new(),
        late: None,
    }));
    let Some(route) = p.routes.get(&path).cloned() else {
        let why = format!("no service of the descriptor set served here has method {path}");
        let r = Refusal::plain(Code::Unimplemented, "unknown-method", why);
        return refuse(&p, None, "request", r, &prog);
    };
    let up = route.upstream;
    let caller = req
        .headers()
        .get(CALLER_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let callee = p.upstreams[up].name.clone();
    let id = Ident {
        caller: caller.unwrap_or_else(|| p.default_caller(&callee)),
        callee,
        method: route.method.name().to_string(),
    };
    let grpc = req
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|c| c.starts_with("application/grpc"));
    if !grpc {
        let r = Refusal::plain(
            Code::InvalidArgument,
            "not-grpc",
            "content-type is not application/grpc",
        );
        return refuse(&p, Some(&id), "request", r, &prog);
    }
    let (_, fault) = p.faults.on_call(&id.caller, &id.callee, &id.method);
    let drop_response = matches!(fault, Some(Action::DropResponse));
    match fault {
        Some(Action::Kill) => kill(&p, up),
        Some(Action::DropRequest) => {
            return lost(&p, &id, deadline(req.headers()), "request", &prog).await
        }
        Some(Action::Error(code, msg)) => return injected(&p, &id, *code, msg, &prog),
        Some(Action::Delay(d)) => tokio::time::sleep(*d).await,
        Some(Action::DropResponse) | None => {}
    }
    if p.upstreams[up]
        .dead
        .load(std::sync::atomic::Ordering::SeqCst)
    {
        // A killed service is a crashed host: its callers hear nothing and
        // give up at their deadline (at once, `UNAVAILABLE`, without one).
        let what = format!("request to the killed upstream `{}`", id.callee);
        return lost(&p, &id, deadline(req.headers()), &what, &prog).await;
    }
    let caller_deadline = deadline(req.headers());
    let (parts, body) = req.into_parts();
    let mut reader = Reader::new(body, p.max);
    // The first request message is checked before anything goes upstream.
    let first = match reader.next().await {
        Ok(Item::Message { frame, payload }) => match check(
            &p,
            &id,
            Dir::Request,
            &route.method.input(),
            &payload,
            &prog,
        ) {
            Ok(()) => Some(frame),
            Err(r) => return refuse(&p, Some(&id), "request", r, &prog),
        },
        Ok(Item::End | Item::Trailers(_)) => None,
        Err(e) => return refuse(&p, Some(&id), "request", frame_refusal(e), &prog),
    };
    let late: Late = Arc::default();
    let mut head = http::Request::new(());
    *head.method_mut() = http::Method::POST;
    *head.uri_mut() = match format!("{}{path}", p.upstreams[up].base).parse() {
        Ok(u) => u,
        Err(e) => {
            let r = Refusal::plain(
                Code::Internal,
                "bad-upstream",
                format!("upstream address: {e}"),
            );
            return refuse(&p, Some(&id), "request", r, &prog);
        }
    };
    for (k, v) in parts
        .headers
        .iter()
        .filter(|(k, _)| *k != http::header::HOST)
    {
        head.headers_mut().append(k, v.clone());
    }
    let opened = match p.upstreams[up].conn.ready().await {
        Ok(mut s) => s
            .send_request(head, first.is_none())
            .map_err(|e| e.to_string()),
        Err(e) => Err(e.to_string()),
    };
    let (answer, send) = match opened {
        Ok(x) => x,
        Err(e) => {
            let why = format!("upstream `{}` at {}: {e}", id.callee, p.upstreams[up].base);
            return upstream_error(&p, &id, &why, &prog);
        }
    };
    if let Some(f) = first {
        // HEADERS and this DATA leave together when the connection task
        // next writes; a unary request's DATA carries END_STREAM.
        let mut out = Outbound::new(send);
        let end = reader.finished();
        if out.send_now(f, end) && !end {
            let (p, id, input, prog) = (p.clone(), id.clone(), route.method.input(), prog.clone());
            run_or_spawn(pump_requests(p, id, input, reader, out, prog, late.clone()));
        }
    }
    if p.in_flight.load(Relaxed) == 1 {
        // Alone: write it now. With others in flight their requests
        // leave together when the connection's task runs (measured: at 16
        // in flight a write per call costs the proxy 45 % more CPU).
        p.upstreams[up].conn.flush();
    }
    let answer = tokio::select! {
        r = answer => r,
        _ = late.notified() => {
            // Dropping the upstream call resets its stream.
            let r = lock(&prog).late.clone().expect("set before the signal");
            return answer_late(&p, &id, r, &prog);
        }
    };
    let resp = match answer {
        Ok(r) => r,
        Err(e) => {
            // Bound first: the guard must be gone before `answer_late`
            // locks the progress again to record the call.
            let late = lock(&prog).late.clone();
            if let Some(r) = late {
                return answer_late(&p, &id, r, &prog);
            }
            let why = format!("upstream `{}` at {}: {e}", id.callee, p.upstreams[up].base);
            return upstream_error(&p, &id, &why, &prog);
        }
    };
    let (rparts, rbody) = resp.into_parts();
    if rparts.status != http::StatusCode::OK {
        let why = format!("upstream `{}` answered HTTP {}", id.callee, rparts.status);
        return upstream_error(&p, &id, &why, &prog);
    }
    if let Some((code, msg)) = status::of(&rparts.headers) {
        // Trailers-only: the upstream answered with a status and no message.
        if drop_response {
            return lost(&p, &id, caller_deadline, "response", &prog).await;
        }
        let r = http::Response::from_parts(rparts, ChanBody::empty());
        return finish(&p, &id, "forwarded", code, &msg, &prog, r);
    }
    let (tx2, body2) = ChanBody::channel();
    let output = route.method.output();
    let reader = Reader::new(H2Body::new(rbody), p.max);
    if drop_response {
        // The upstream acted on the request; its answer is lost.
        tokio::spawn(async move { drain(reader).await });
        return lost(&p, &id, caller_deadline, "response", &prog).await;
    }
    run_or_spawn(pump_responses(p, id, output, reader, tx2, prog, late));
    http::Response::from_parts(rparts, body2)
}

/// Counts a call from its arrival to its answer's head.
struct InFlight(Arc<Proxy>);

impl InFlight {
    fn enter(p: Arc<Proxy>) -> InFlight {
        p.in_flight.fetch_add(1, Relaxed);
        InFlight(p)
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Relaxed);
    }
}

/// Forwards the rest of a streaming request, message by message; a refused
/// message resets the upstream stream and is answered to the caller.
async fn pump_requests(
    p: Arc<Proxy>,
    id: Ident,
    input: MessageDescriptor,
    mut reader: Reader<Incoming>,
    mut out: Outbound,
    prog: Shared,
    late: Late,
) {
    let refusal = loop {
        match reader.next().await {
            Ok(Item::Message { frame, payload }) => {
                match check(&p, &id, Dir::Request, &input, &payload, &prog) {
                    Ok(()) => {
                        let end = reader.finished();
                        if out.send(frame, end).await && !end {
                            continue;
                        }
                        return;
                    }
                    Err(r) => break r,
                }
            }
            // Request trailers are not forwarded (gRPC clients send none).
            Ok(Item::End | Item::Trailers(_)) => return out.end(),
            Err(e) => break frame_refusal(e),
        }
    };
    p.refused(Some(&id), "request", &refusal);
    lock(&prog).late = Some(refusal);
    late.notify_one();
    out.reset();
}

/// Forwards response messages to the caller, each checked; then the
/// upstream's trailers (or the status of a refusal or fault).
#[allow(clippy::too_many_arguments)]
async fn pump_responses(
    p: Arc<Proxy>,
    id: Ident,
    output: MessageDescriptor,
    mut reader: Reader<H2Body>,
    tx: Sender,
    prog: Shared,
    late: Late,
) {
    let (outcome, code, msg) = loop {
        let next = tokio::select! {
            n = reader.next() => n,
            _ = late.notified() => {
                // A request message was refused: the caller gets that.
                let r = lock(&prog).late.clone().expect("set before the signal");
                let m = r.status_message(&p.name);
                tx.trailers(status::trailers(r.code, &m)).await;
                break ("refused", r.code as u32, m);
            }
        };
        match next {
            Ok(Item::Message { frame, payload }) => {
                match check(&p, &id, Dir::Response, &output, &payload, &prog) {
                    Ok(()) => {
                        if !tx.data(frame).await {
                            let r = Refusal::plain(
                                Code::Cancelled,
                                "disconnect",
                                "the caller went away mid-response",
                            );
                            p.refused(Some(&id), "response", &r);
                            break ("refused", Code::Cancelled as u32, r.why);
                        }
                    }
                    Err(r) => {
                        p.refused(Some(&id), "response", &r);
                        let m = r.status_message(&p.name);
                        tx.trailers(status::trailers(r.code, &m)).await;
                        break ("refused", r.code as u32, m);
                    }
                }
            }
            Ok(Item::Trailers(t)) => {
                let late = lock(&prog).late.clone();
                if let Some(r) = late {
                    let m = r.status_message(&p.name);
                    tx.trailers(status::trailers(r.code, &m)).await;
                    break ("refused", r.code as u32, m);
                }
                let (code, msg) = status::of(&t).unwrap_or((
                    Code::Internal as u32,
                    "upstream trailers without grpc-status".into(),
                ));
                tx.trailers(t).await;
                break ("forwarded", code, msg);
            }
            Err(e) if !matches!(e, FrameError::Disconnected(_)) => {
                let r = frame_refusal(e);
                p.refused(Some(&id), "response", &r);
                let m = r.status_message(&p.name);
                tx.trailers(status::trailers(r.code, &m)).await;
                break ("refused", r.code as u32, m);
            }
            Ok(Item::End) | Err(_) => {
                let late = lock(&prog).late.clone();
                let (outcome, code, m) = match late {
                    Some(r) => ("refused", r.code, r.status_message(&p.name)),
                    None => (
                        "upstream_error",
                        Code::Unavailable,
                        format!(
                            "upstream `{}` ended the response without a status",
                            id.callee
                        ),
                    ),
                };
                tx.trailers(status::trailers(code, &m)).await;
                break (outcome, code as u32, m);
            }
        }
    };
    record(&p, &id, outcome, code, &msg, &prog);
}

/// Decodes and checks one message; with a capture, keeps its JSON.
fn check(
    p: &Proxy,
    id: &Ident,
    dir: Dir,
    desc: &MessageDescriptor,
    payload: &Bytes,
    prog: &Shared,
) -> Result<(), Refusal> {
    let t0 = crate::load::wall_now();
    let msg = DynamicMessage::decode(desc.clone(), payload.as_ref()).map_err(|e| {
        let why = format!("{dir} of {} is not a {}: {e}", id.method, desc.full_name());
        Refusal::plain(Code::InvalidArgument, "undecodable", why)
    })?;
    let ev = match dir {
        Dir::Request => event::of(&id.caller, &id.callee, dir, &id.method, &msg),
        Dir::Response => event::of(&id.callee, &id.caller, dir, &id.method, &msg),
    };
    let t1 = crate::load::wall_now();
    let found = p.enforcer.check(&ev);
    let t2 = crate::load::wall_now();
    p.counts
        .decode_ns
        .fetch_add(t1.duration_since(t0).as_nanos() as u64, Relaxed);
    p.counts
        .check_ns
        .fetch_add(t2.duration_since(t1).as_nanos() as u64, Relaxed);
    p.counts.messages.fetch_add(1, Relaxed);
    if p.capture.is_some() {
        // Kept also when refused: a replay sends what the caller sent.
        let json = serde_json::to_value(&msg).unwrap_or(Value::Null);
        let mut g = lock(prog);
        match dir {
            Dir::Request => g.request.push(json),
            Dir::Response => g.response.push(json),
        }
    }
    if let Some(v) = found.into_iter().next() {
        let r = Refusal {
            code: Code::PermissionDenied,
            rule: v.source.name().to_string(),
            message: Some(ev.to_string()),
            why: format!("{} violates {v}", ev),
            violation: Some(Box::new(v)),
        };
        if p.enforcer.mode() == crate::enforce::Mode::Refuse {
            if dir == Dir::Response {
                // The caller never gets it.
                lock(prog).response.pop();
            }
            return Err(r);
        }
        p.log.record("flagged", Some(id), &dir.to_string(), &r);
    }
    Ok(())
}

fn frame_refusal(e: FrameError) -> Refusal {
    let (code, rule) = match &e {
        FrameError::TooLarge(_) => (Code::ResourceExhausted, "too-large"),
        FrameError::Compressed => (Code::InvalidArgument, "compressed"),
        FrameError::BadFlag(_) | FrameError::Truncated => {
            (Code::InvalidArgument, "malformed-frame")
        }
        FrameError::Disconnected(_) => (Code::Cancelled, "disconnect"),
    };
    Refusal::plain(code, rule, e.to_string())
}

/// Refuses a call before anything went upstream.
fn refuse(
    p: &Proxy,
    id: Option<&Ident>,
    dir: &str,
    r: Refusal,
    prog: &Shared,
) -> http::Response<ChanBody> {
    p.refused(id, dir, &r);
    let m = r.status_message(&p.name);
    let anon = Ident {
        caller: "-".into(),
        callee: "-".into(),
        method: "-".into(),
    };
    finish(
        p,
        id.unwrap_or(&anon),
        "refused",
        r.code as u32,
        &m,
        prog,
        status::answer(r.code, &m),
    )
}

/// Answers a call refused mid-stream, when the upstream never answered.
fn answer_late(p: &Proxy, id: &Ident, r: Refusal, prog: &Shared) -> http::Response<ChanBody> {
    let m = r.status_message(&p.name);
    finish(
        p,
        id,
        "refused",
        r.code as u32,
        &m,
        prog,
        status::answer(r.code, &m),
    )
}

/// The caller's deadline (`grpc-timeout`: digits and a unit H M S m u n).
fn deadline(h: &http::HeaderMap) -> Option<std::time::Duration> {
    let v = h.get("grpc-timeout")?.to_str().ok()?;
    let (n, unit) = v.split_at(v.len().checked_sub(1)?);
    let n: u64 = n.parse().ok()?;
    use std::time::Duration as D;
    Some(match unit {
        "H" => D::from_secs(n * 3600),
        "M" => D::from_secs(n * 60),
        "S" => D::from_secs(n),
        "m" => D::from_millis(n),
        "u" => D::from_micros(n),
        "n" => D::from_nanos(n),
        _ => return None,
    })
}

/// Answers a call whose request or response a fault dropped: when the
/// caller would give up (its deadline), or at once without one.
async fn lost(
    p: &Proxy,
    id: &Ident,
    deadline: Option<std::time::Duration>,
    what: &str,
    prog: &Shared,
) -> http::Response<ChanBody> {
    let why = format!("{what} dropped by an injected fault");
    match deadline {
        Some(d) => {
            // Recorded now: a caller that enforces its own deadline gives
            // up (and resets the call) before this answer reaches it.
            let resp = injected(p, id, Code::DeadlineExceeded, &why, prog);
            tokio::time::sleep(d).await;
            resp
        }
        None => injected(p, id, Code::Unavailable, &why, prog),
    }
}

/// Reads a body to its end (an upstream answer nobody will get).
async fn drain(mut r: Reader<H2Body>) {
    while let Ok(Item::Message { .. }) = r.next().await {}
}

/// Answers a call with an injected fault's status.
fn injected(
    p: &Proxy,
    id: &Ident,
    code: Code,
    why: &str,
    prog: &Shared,
) -> http::Response<ChanBody> {
    finish(
        p,
        id,
        "fault",
        code as u32,
        why,
        prog,
        status::answer(code, why),
    )
}

/// Counts and records a call that ends with `resp`.
/// Answers `UNAVAILABLE` for an upstream that failed the call (`why`),
/// and records it as an `upstream_error`.
fn upstream_error(p: &Proxy, id: &Ident, why: &str, prog: &Shared) -> http::Response<ChanBody> {
    finish(
        p,
        id,
        "upstream_error",
        Code::Unavailable as u32,
        why,
        prog,
        status::answer(Code::Unavailable, why),
    )
}

fn finish(
    p: &Proxy,
    id: &Ident,
    outcome: &'static str,
    code: u32,
    msg: &str,
    prog: &Shared,
    resp: http::Response<ChanBody>,
) -> http::Response<ChanBody> {
    record(p, id, outcome, code, msg, prog);
    resp
}

fn record(p: &Proxy, id: &Ident, outcome: &'static str, code: u32, msg: &str, prog: &Shared) {
    // Refusals were counted where they were logged (`Proxy::refused`).
    if outcome != "refused" {
        p.counts.add(&id.callee, &id.method, outcome);
    }
    let Some(w) = &p.capture else { return };
    let g = lock(prog);
    w.call(&Call {
        seq: g.seq,
        caller: id.caller.clone(),
        callee: id.callee.clone(),
        path: g.path.clone(),
        method: id.method.clone(),
        request: g.request.clone(),
        response: g.response.clone(),
        status: code,
        message: msg.to_string(),
        start_us: g.start_us,
        duration_us: p.now_us().saturating_sub(g.start_us),
    });
}

/// Kills upstream `up`'s process (a `kill` fault) and marks it dead.
fn kill(p: &Proxy, up: usize) {
    let u = &p.upstreams[up];
    if !u.dead.swap(true, std::sync::atomic::Ordering::SeqCst) {
        if let Some(pid) = u.pid {
            // SAFETY: kill only sends a signal to the pid the user named.
            unsafe {
                libc::kill(pid, libc::SIGKILL);
            }
            eprintln!(
                "proxy: killed `{}` (pid {pid}) by an injected fault",
                u.name
            );
        }
    }
}
