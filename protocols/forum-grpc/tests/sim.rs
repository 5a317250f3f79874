//! `web-forum-grpc`: the forum's real gRPC service code searched by LDFI in
//! turmoil. One test binary: the search's verdicts per version and checks
//! mode, determinism (twice in this process and once in another), RPC
//! faults by identity, and the exact translation of a simulated schedule
//! into identities.

use ldfi_forum_grpc::identity::{from_trace, timed, RpcFault, RpcFaultKind, RpcSchedule};
use ldfi_forum_grpc::sim::invariants::I3;
use ldfi_forum_grpc::sim::run_rpc;
use ldfi_forum_grpc::ForumGrpc;
use ldfi_harness::registry::DynProtocol;
use ldfi_harness::search::{Conclusion, Search};
use ldfi_harness::{Checks, Event, Fault, FaultSet, Loss, Run, RunConfig, Verdict};
use ldfi_protocols::web_forum::checks::{I1, I2};

fn cfg(version: &str, workload: &str, faults: &[Fault]) -> RunConfig {
    let mut c = Search::new(&ForumGrpc)
        .version(version)
        .workload(workload)
        .config()
        .run_config(faults.iter().cloned().collect::<FaultSet>());
    c.checks = Checks::All;
    c
}

fn violated(run: &Run) -> Option<&str> {
    match &run.verdict {
        Verdict::Violated { invariant, .. } => Some(invariant),
        _ => None,
    }
}

fn omit(from: &str, to: &str, at: u32) -> Fault {
    Fault::Omit {
        from: from.into(),
        to: to.into(),
        at,
    }
}

fn crash(node: &str, at: u32) -> Fault {
    Fault::Crash {
        node: node.into(),
        at,
    }
}

fn restart(node: &str, at: u32) -> Fault {
    Fault::Restart {
        node: node.into(),
        at,
    }
}

#[test]
fn faulty_variants_are_found_and_the_correct_one_certified() {
    let r = Search::new(&ForumGrpc)
        .version("insert-before-auth")
        .run()
        .expect("searches");
    assert_eq!(r.conclusion, Conclusion::Counterexample);
    let cx = &r.counterexamples[0];
    assert_eq!(violated(&cx.run), Some(I2), "{}", cx.run.verdict);
    assert!(!cx.config.faults.is_empty());

    let r = Search::new(&ForumGrpc)
        .version("edit-post")
        .run()
        .expect("searches");
    assert_eq!(r.conclusion, Conclusion::FaultFreeViolation);
    let free = r.fault_free.as_ref().expect("the violating run");
    assert_eq!(violated(free), Some(I1));

    // stale-read: a crash of kv after it acknowledged the post and before
    // it persisted it, and a restart: the restarted kv answers from its
    // stale copy and I3 breaks; a correct kv (write-through) keeps it.
    let faults = [crash("kv", 6), restart("kv", 8)];
    let run = ForumGrpc
        .run(&cfg("stale-read", "login-post-read", &faults))
        .expect("runs");
    assert_eq!(violated(&run), Some(I3), "{}", run.verdict);
    // Nothing on the wire shows it: no predicate is violated.
    let mut c = cfg("stale-read", "login-post-read", &faults);
    c.checks = Checks::Enforcement;
    assert!(!ForumGrpc.run(&c).expect("runs").verdict.is_violated());
    let run = ForumGrpc
        .run(&cfg("correct", "login-post-read", &faults))
        .expect("runs");
    assert!(!run.verdict.is_violated(), "{}", run.verdict);
    // Restarting the frontend is refused, named (its state is memory).
    let e = ForumGrpc
        .run(&cfg(
            "correct",
            "login-post-read",
            &[restart("frontend", 5)],
        ))
        .expect_err("refused");
    assert!(e.to_string().contains("restart(frontend, 5)"), "{e}");
    // The correct forum with a Read: certified on declared lineage, with
    // restarts of kv or auth as well (a correct kv writes before it
    // acknowledges).
    let r = Search::new(&ForumGrpc)
        .workload("login-post-read")
        .restarts(1)
        .trust_declarations()
        .run()
        .expect("searches");
    assert_eq!(r.conclusion, Conclusion::Certified);
    // The search finds stale-read once it may restart a service: a restart
    // of kv between its acknowledgement and its write.
    let r = Search::new(&ForumGrpc)
        .version("stale-read")
        .workload("login-post-read")
        .restarts(1)
        .run()
        .expect("searches");
    assert_eq!(r.conclusion, Conclusion::Counterexample);
    let cx = &r.counterexamples[0];
    assert_eq!(violated(&cx.run), Some(I3), "{}", cx.run.verdict);
    assert!(
        cx.config
            .faults
            .faults()
            .iter()
            .any(|f| matches!(f, Fault::Restart { node, .. } if node == "kv")),
        "{}",
        cx.config.faults
    );
    assert_eq!(r.restarts.nodes, ["auth", "kv"]);

    // The correct forum: certified on declared lineage under every checks
    // mode (the happens-before confirmation, 800-odd executions, is
    // `ldfi search --protocol web-forum-grpc`; see BENCHMARKS.md).
    for checks in [Checks::All, Checks::Invariants, Checks::Enforcement] {
        let r = Search::new(&ForumGrpc)
            .trust_declarations()
            .configure(|c| c.checks = checks)
            .run()
            .expect("searches");
        assert_eq!(
            r.conclusion,
            Conclusion::Certified,
            "checks {}",
            checks.name()
        );
    }
}

/// The scenarios whose trace hashes must not vary.
fn scenarios() -> Vec<(String, RunConfig, RpcSchedule)> {
    let mut out = Vec::new();
    for v in ["correct", "insert-before-auth", "edit-post", "stale-read"] {
        for w in ["login-post", "two-clients"] {
            for faults in [
                vec![],
                vec![omit("frontend", "auth", 2)],
                vec![omit("auth", "frontend", 3)],
                vec![omit("c1", "frontend", 2), crash("kv", 6)],
                vec![crash("auth", 2)],
            ] {
                let name = format!("{v} {w} {faults:?}");
                out.push((name, cfg(v, w, &faults), RpcSchedule::default()));
            }
        }
        // A read after the post; a kv crash and restart, before and after
        // the post is written.
        for faults in [
            vec![],
            vec![crash("kv", 7), restart("kv", 9)],
            vec![restart("kv", 6)],
            vec![crash("kv", 12), restart("kv", 15)],
        ] {
            let name = format!("{v} login-post-read {faults:?}");
            let c = cfg(v, "login-post-read", &faults);
            out.push((name, c, RpcSchedule::default()));
        }
        let sched = RpcSchedule {
            calls: vec![
                fault("frontend", "auth", "Authenticate", 1, RpcFaultKind::Error),
                fault(
                    "frontend",
                    "kv",
                    "Insert",
                    1,
                    RpcFaultKind::Delay { ticks: 2 },
                ),
            ],
            kills: vec![],
        };
        out.push((
            format!("{v} by identity"),
            cfg(v, "two-clients", &[]),
            sched,
        ));
    }
    out
}

fn fault(caller: &str, callee: &str, method: &str, k: u32, kind: RpcFaultKind) -> RpcFault {
    RpcFault {
        caller: caller.into(),
        callee: callee.into(),
        method: method.into(),
        k,
        kind,
    }
}

fn hashes() -> Vec<(String, String)> {
    scenarios()
        .into_iter()
        .map(|(name, c, s)| (name, run_rpc(&c, None, &s).expect("runs").trace.hash()))
        .collect()
}

const CHILD: &str = "LDFI_FORUM_GRPC_HASHES";

/// In the child process only: prints every scenario's hash.
#[test]
fn child_prints_hashes() {
    if std::env::var_os(CHILD).is_none() {
        return;
    }
    for (name, h) in hashes() {
        println!("HASH {h} {name}");
    }
}

#[test]
fn every_scenario_hashes_the_same_twice_here_and_once_in_another_process() {
    let first = hashes();
    assert_eq!(first, hashes(), "a second run in this process differs");
    // Faults change traces (within a version: versions share most runs).
    for v in ["correct", "insert-before-auth", "edit-post", "stale-read"] {
        let mine: Vec<_> = (first.iter())
            .filter(|(n, _)| n.split(' ').next() == Some(v))
            .collect();
        let distinct: std::collections::BTreeSet<_> = mine.iter().map(|(_, h)| h).collect();
        assert!(distinct.len() > mine.len() / 2, "{v}: faults change traces");
    }
    let out = std::process::Command::new(std::env::current_exe().expect("test binary"))
        .args([
            "--exact",
            "child_prints_hashes",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD, "1")
        .output()
        .expect("runs the child");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    let theirs: Vec<(String, String)> = text
        .lines()
        // (The first line shares its line with libtest's `test ... `.)
        .filter_map(|l| l.find("HASH ").map(|i| &l[i + 5..]))
        .map(|l| {
            let (h, name) = l.split_once(' ').expect("hash and name");
            (name.to_string(), h.to_string())
        })
        .collect();
    assert_eq!(first, theirs, "another process hashes differently");
}

#[test]
fn a_schedule_translates_into_identities_exactly() {
    // Dropping the first Authenticate by tick and by identity: one trace.
    for (f, kind) in [
        (omit("frontend", "auth", 2), RpcFaultKind::DropRequest),
        (omit("auth", "frontend", 3), RpcFaultKind::DropResponse),
    ] {
        let c = cfg("insert-before-auth", "login-post", &[f]);
        let by_tick = ForumGrpc.run(&c).expect("runs");
        let ids = from_trace(&by_tick.trace, &c.faults);
        let want = fault("frontend", "auth", "Authenticate", 1, kind);
        assert_eq!(ids.calls, vec![want]);
        let by_ident =
            run_rpc(&cfg("insert-before-auth", "login-post", &[]), None, &ids).expect("runs");
        assert_eq!(by_tick.trace.hash(), by_ident.trace.hash());
        assert_eq!(violated(&by_ident), Some(I2));
    }
    // A crash becomes a kill after the requests the node had served.
    let c = cfg("insert-before-auth", "login-post", &[crash("auth", 2)]);
    let run = ForumGrpc.run(&c).expect("runs");
    let ids = from_trace(&run.trace, &c.faults);
    assert_eq!(ids.kills.len(), 1);
    assert_eq!(
        (ids.kills[0].node.as_str(), ids.kills[0].after),
        ("auth", 0)
    );
    let killed = run_rpc(&cfg("insert-before-auth", "login-post", &[]), None, &ids).expect("runs");
    assert_eq!(violated(&killed), Some(I2));
    // A node that restarts is crashed and restarted by the clock instead,
    // each after the requests it had received (kv: its Insert, at tick 5).
    let c = cfg(
        "stale-read",
        "login-post-read",
        &[crash("kv", 6), restart("kv", 8)],
    );
    let run = ForumGrpc.run(&c).expect("runs");
    assert!(from_trace(&run.trace, &c.faults).kills.is_empty());
    // (The last workload input before either, c1's Post, came at tick 2.)
    let plan: Vec<(String, u32, u32, u32)> = timed(&run.trace, &c.faults)
        .iter()
        .map(|t| (t.to_string(), t.after, t.since, t.input))
        .collect();
    assert_eq!(
        plan,
        vec![
            ("crash(kv, 6)".into(), 1, 5, 2),
            ("restart(kv, 8)".into(), 1, 5, 2)
        ]
    );
}

#[test]
fn rpc_faults_do_what_they_say() {
    let c = cfg("correct", "login-post", &[]);
    // An error status: the request is lost, the frontend retries at once
    // and the post is still stored.
    let s = RpcSchedule {
        calls: vec![fault(
            "frontend",
            "auth",
            "Authenticate",
            1,
            RpcFaultKind::Error,
        )],
        kills: vec![],
    };
    let run = run_rpc(&c, None, &s).expect("runs");
    assert!(
        run.end.facts("acked").count() == 1,
        "{:?}",
        run.trace.events
    );
    let lost = run
        .trace
        .events
        .iter()
        .filter(|e| {
            matches!(
                e,
                Event::Lost {
                    reason: Loss::Omitted,
                    ..
                }
            )
        })
        .count();
    assert_eq!(lost, 1);
    // Losing the post's answer: kv stored it, the client was not told.
    let s = RpcSchedule {
        calls: vec![fault(
            "c1",
            "frontend",
            "Post",
            1,
            RpcFaultKind::DropResponse,
        )],
        kills: vec![],
    };
    let run = run_rpc(&c, None, &s).expect("runs");
    assert_eq!(run.end.facts("acked").count(), 0);
    assert_eq!(run.end.facts("stored").count(), 1);
    // A crashed kv before the insert: nothing stored, nothing acked, and
    // the run is good (vacuous), not stuck.
    let run = ForumGrpc
        .run(&cfg("correct", "login-post", &[crash("kv", 1)]))
        .expect("runs");
    assert_eq!(run.end.facts("stored").count(), 0);
    assert!(!run.verdict.is_violated());
    // Faults the RPC layer cannot apply are bad input, named.
    let dup = Fault::Duplicate {
        from: "c1".into(),
        to: "frontend".into(),
        at: 1,
    };
    let e = ForumGrpc
        .run(&cfg("correct", "login-post", &[dup]))
        .expect_err("refused");
    assert!(e.to_string().contains("duplicate(c1, frontend, 1)"), "{e}");
}

/// Serves `cfg`'s routes on an OS-assigned loopback port of `rt`; its address.
fn serve_tcp(rt: &tokio::runtime::Runtime, cfg: &ldfi_forum_grpc::real::ServeConfig) -> String {
    let _guard = rt.enter();
    let routes = ldfi_forum_grpc::real::routes(cfg).expect("routes");
    let listener = rt
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .expect("binds");
    let addr = listener.local_addr().expect("bound").to_string();
    let incoming = tonic::transport::server::TcpIncoming::from(listener);
    rt.spawn(
        tonic::transport::Server::builder()
            .add_routes(routes)
            .serve_with_incoming(incoming),
    );
    addr
}

#[test]
fn the_same_services_serve_over_real_tcp() {
    use ldfi_forum_grpc::load::{run, LoadConfig};
    use ldfi_forum_grpc::real::ServeConfig;
    use ldfi_forum_grpc::services::Service;
    use ldfi_forum_grpc::Version;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let plain = |service| ServeConfig::new(service, Version::Correct);
    let auth = serve_tcp(&rt, &plain(Service::Auth));
    let kv = serve_tcp(&rt, &plain(Service::Kv));
    let frontend = |version| ServeConfig {
        upstream_auth: Some(auth.clone()),
        upstream_kv: Some(kv.clone()),
        ..ServeConfig::new(Service::Frontend, version)
    };
    let load = LoadConfig {
        clients: 4,
        posts: 5,
    };
    for (version, edits) in [(Version::Correct, 0), (Version::EditPost, 4)] {
        let addr = serve_tcp(&rt, &frontend(version));
        let _guard = rt.enter();
        let client = ldfi_forum_grpc::client::ForumClient::connect(&addr).expect("client");
        let r = rt.block_on(run(client, load));
        assert_eq!(r.calls, 4 * (5 + 3), "{r:?}");
        assert_eq!(
            (r.failed, r.logins_refused, r.posts_refused),
            (0, 0, 0),
            "{r:?}"
        );
        assert_eq!(r.edits_accepted, edits, "{} {r:?}", version.name());
    }
    // A frontend without its upstreams is a configuration error naming the flag.
    let Err(e) = ldfi_forum_grpc::real::routes(&plain(Service::Frontend)) else {
        panic!("a frontend without upstreams was accepted");
    };
    assert!(e.to_string().contains("--upstream-auth"), "{e}");
    // The descriptor set names every method the spec reads.
    let d = ldfi_forum_grpc::event::Decoder::from_set(ldfi_forum_grpc::DESCRIPTOR_SET)
        .expect("decodes");
    for path in [
        "/ldfi.forum.v1.Auth/Authenticate",
        "/ldfi.forum.v1.Kv/Insert",
        "/ldfi.forum.v1.Frontend/Edit",
    ] {
        assert!(d.method(path).is_some(), "{path}");
    }
}

#[test]
fn a_kv_keeps_what_it_acknowledged_on_disk_unless_it_writes_behind() {
    use ldfi_forum_grpc::observe::NoObserver;
    use ldfi_forum_grpc::proto::kv_server::Kv;
    use ldfi_forum_grpc::proto::{GetRequest, InsertRequest};
    use ldfi_forum_grpc::services::store::{FileStore, Store, HEADER, LOG};
    use ldfi_forum_grpc::services::{KvSvc, Write};
    use ldfi_forum_grpc::Version;
    use std::sync::Arc;
    use std::time::Duration;
    let base = std::env::temp_dir().join(format!("ldfi-kv-store-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&base);
    // One process life: insert a post, stop before a write-behind flush
    // (the runtime goes with the process), start again on the same dir.
    let life = |dir: &std::path::Path, version: Version, key: &str| -> String {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        rt.block_on(async {
            let store: Arc<dyn Store> = Arc::new(FileStore::open(dir).expect("opens"));
            let write = Write::of(version, Duration::from_secs(3600));
            let kv = KvSvc::new(Arc::new(NoObserver), store, write);
            let ins = InsertRequest {
                client: "c1".into(),
                key: key.into(),
                value: format!("post {key}"),
            };
            kv.insert(tonic::Request::new(ins)).await.expect("acked");
            let got = GetRequest {
                client: "c1".into(),
                key: "general/1".into(),
            };
            kv.get(tonic::Request::new(got))
                .await
                .expect("answers")
                .into_inner()
                .value
        })
    };
    for (version, survives) in [(Version::Correct, true), (Version::StaleRead, false)] {
        let dir = base.join(version.name());
        std::fs::create_dir_all(&dir).expect("dir");
        assert_eq!(life(&dir, version, "general/1"), "post general/1");
        // The next life has the first post only if it was written through.
        let after = life(&dir, version, "general/2");
        assert_eq!(after.is_empty(), !survives, "{}: {after:?}", version.name());
    }
    // A torn last line (a crash while appending) is cut off, not an error.
    let torn = base.join("torn");
    std::fs::create_dir_all(&torn).expect("dir");
    std::fs::write(
        torn.join(LOG),
        format!("{HEADER}\n[\"general/1\",\"a\"]\n[\"gen"),
    )
    .expect("writes");
    let s = FileStore::open(&torn).expect("opens a torn log");
    assert_eq!(s.load().len(), 1);
    s.persist("general/2", "b").expect("persists");
    assert_eq!(FileStore::open(&torn).expect("reopens").load().len(), 2);
    // A file that is not a kv log is named and left untouched.
    let user = base.join("user");
    std::fs::create_dir_all(&user).expect("dir");
    std::fs::write(user.join(LOG), "my notes\n").expect("writes");
    let e = FileStore::open(&user).expect_err("refused");
    assert!(e.to_string().contains("kv.log"), "{e}");
    assert_eq!(
        std::fs::read_to_string(user.join(LOG)).expect("reads"),
        "my notes\n"
    );
    let e = FileStore::open(&base.join("missing")).expect_err("refused");
    assert!(e.to_string().contains("not a directory"), "{e}");
    let _ = std::fs::remove_dir_all(&base);
}
