//! 10,000 envelopes through a sender's sidecar and a receiver's sidecar,
//! 16 in flight: every one is held for delivery, in delivery order, none
//! lost. Both sidecars run in this process, for simple-deliv's `a` → `b`.

use ldfi_dataplane::proto::sidecar_client::SidecarClient;
use ldfi_dataplane::proto::{Envelope, StatsRequest, TickRequest};
use ldfi_dataplane::sidecar::{enforce::Mode, start, Config};
use ldfi_harness::schedule::Schedule;
use ldfi_protocols::delivery::Msg;

const ENVELOPES: u32 = 10_000;

async fn sidecar(node: &str) -> String {
    let reg = ldfi_protocols::registry();
    let p = reg.get("simple-deliv").expect("simple-deliv is shipped");
    let s: Schedule =
        serde_json::from_str(r#"{"format":1,"protocol":"simple-deliv"}"#).expect("schedule");
    let cfg = s.run_config(&p.info(), None, None);
    let me = p.info().nodes.iter().position(|n| n == node).expect("node") as u16;
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
    format!("http://127.0.0.1:{}", started.port)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_thousand_envelopes_through_two_sidecars_lose_none() {
    let (a, b) = (sidecar("a").await, sidecar("b").await);
    let mut to_a = SidecarClient::connect(a.clone()).await.expect("connects");
    let peers = vec![a.clone(), b.clone(), "http://127.0.0.1:1".to_string()];
    let tell = TickRequest {
        tick: 0,
        up: false,
        peers,
        ..TickRequest::default()
    };
    to_a.tick(tell).await.expect("peers set");
    let body = postcard::to_stdvec(&Msg::Payload("hello".into())).expect("encodes");
    let mut tasks = tokio::task::JoinSet::new();
    for lane in 0..16u32 {
        let (mut c, body) = (to_a.clone(), body.clone());
        tasks.spawn(async move {
            let mut lost = 0;
            for seq in (lane..ENVELOPES).step_by(16) {
                let env = Envelope {
                    from: 0,
                    to: 1,
                    sent: 1,
                    seq,
                    channel_seq: seq as u64,
                    body: body.clone(),
                    kind: "Payload".into(),
                    ..Envelope::default()
                };
                let route = c.forward(env).await.expect("forwarded").into_inner();
                lost += usize::from(!route.lost.is_empty());
            }
            lost
        });
    }
    let mut lost = 0;
    while let Some(r) = tasks.join_next().await {
        lost += r.expect("a lane finishes");
    }
    assert_eq!(lost, 0);
    // Node b is "down" for this call: what was due is handed back, not run.
    let mut to_b = SidecarClient::connect(b).await.expect("connects");
    let due = to_b
        .tick(TickRequest {
            tick: 2,
            up: false,
            ..TickRequest::default()
        })
        .await
        .expect("tick")
        .into_inner()
        .lost_down;
    assert_eq!(
        due.len(),
        ENVELOPES as usize,
        "every envelope held for delivery"
    );
    assert!(
        due.iter()
            .enumerate()
            .all(|(k, e)| e.seq == k as u32 && e.at == 2),
        "in delivery order"
    );
    let prom = to_b
        .stats(StatsRequest {})
        .await
        .expect("stats")
        .into_inner()
        .prometheus;
    let forwarded: u64 = ldfi_dataplane::sidecar::count::parse_prometheus(&prom)
        .into_iter()
        .filter(|(_, c, o, _)| c == "a->b" && o == "forwarded")
        .map(|(_, _, _, n)| n)
        .sum();
    assert_eq!(forwarded, ENVELOPES as u64);
}

/// The hot path: batches on one `ForwardStream` to a's sidecar, 16 in
/// flight, passed on to b's on a's stream to it. Batches of every size from
/// 1 to 16 so that an answer paired with the wrong batch shows as a wrong
/// number of routes; every envelope held, none lost.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn batches_pipelined_on_one_stream_keep_their_answers_and_lose_none() {
    use ldfi_dataplane::proto::Batch;
    use ldfi_dataplane::sidecar::stream::BatchStream;
    const N: u32 = ENVELOPES;
    let (a, b) = (sidecar("a").await, sidecar("b").await);
    let mut to_a = SidecarClient::connect(a.clone()).await.expect("connects");
    let peers = vec![a.clone(), b.clone(), "http://127.0.0.1:1".to_string()];
    let tell = TickRequest {
        tick: 0,
        up: false,
        peers,
        ..TickRequest::default()
    };
    to_a.tick(tell).await.expect("peers set");
    let stream = std::sync::Arc::new(BatchStream::open(&mut to_a).await.expect("opens"));
    let body = postcard::to_stdvec(&Msg::Payload("hello".into())).expect("encodes");
    let env = |seq: u32| Envelope {
        from: 0,
        to: 1,
        sent: 1,
        seq,
        channel_seq: seq as u64,
        body: body.clone(),
        kind: "Payload".into(),
        ..Envelope::default()
    };
    // Batches of 1, 2, ..., 16, 1, 2, ... envelopes.
    let mut batches = Vec::new();
    let (mut seq, mut size) = (0, 1);
    while seq < N {
        let end = (seq + size).min(N);
        batches.push((seq..end).map(env).collect::<Vec<_>>());
        seq = end;
        size = size % 16 + 1;
    }
    let mut in_flight = std::collections::VecDeque::new();
    let (mut lost, mut mispaired) = (0, 0);
    for envelopes in batches {
        let n = envelopes.len();
        in_flight.push_back((n, stream.send(Batch { envelopes })));
        if in_flight.len() == 16 {
            let (n, answer) = in_flight.pop_front().expect("one in flight");
            let routes = answer.await.expect("routed").routes;
            mispaired += usize::from(routes.len() != n);
            lost += routes
                .iter()
                .filter(|r| !r.lost.is_empty() || !r.refused.is_empty())
                .count();
        }
    }
    for (n, answer) in in_flight {
        let routes = answer.await.expect("routed").routes;
        mispaired += usize::from(routes.len() != n);
        lost += routes
            .iter()
            .filter(|r| !r.lost.is_empty() || !r.refused.is_empty())
            .count();
    }
    assert_eq!((mispaired, lost), (0, 0));
    assert!(stream.is_open());
    let mut to_b = SidecarClient::connect(b).await.expect("connects");
    let due = to_b
        .tick(TickRequest {
            tick: 2,
            up: false,
            ..TickRequest::default()
        })
        .await
        .expect("tick")
        .into_inner()
        .lost_down;
    assert_eq!(due.len(), N as usize, "every envelope held for delivery");
}
