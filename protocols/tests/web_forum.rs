//! web-forum end to end: fault-free verdicts, the shipped spec, the
//! faulty frontends under the faults that expose them, the LDFI search per
//! version (golden fault sets and execution counts), lineage modes and
//! determinism.

use ldfi_harness::search::{search, Conclusion, SearchConfig, SearchReport, Strategy};
use ldfi_harness::{run, Checks, Fact, Fault, FaultSet, LineageMode, Run, RunConfig, Verdict};
use ldfi_protocols::web_forum::checks::{self, stored, I1, I2};
use ldfi_protocols::web_forum::{Version, WebForum, Workload, NAME, PARAMS};

const CORRECT: &str = "correct";
const INSERT_BEFORE_AUTH: &str = "insert-before-auth";
const EDIT_POST: &str = "edit-post";
const LOGIN_POST: &str = "login-post";
const TWO_CLIENTS: &str = "two-clients";

fn config(version: &str, workload: &str, faults: Vec<Fault>) -> RunConfig {
    RunConfig {
        version: version.into(),
        workload: workload.into(),
        params: PARAMS,
        seed: 1,
        faults: faults.into_iter().collect::<FaultSet>(),
        lineage: LineageMode::Declared,
        checks: Checks::All,
        crash: Default::default(),
        inputs: None,
    }
}

fn run_with(version: &str, workload: &str, faults: Vec<Fault>) -> Run {
    run(&WebForum, &config(version, workload, faults)).expect("a valid run")
}

fn omit(from: &str, to: &str, at: u32) -> Fault {
    Fault::Omit {
        from: from.into(),
        to: to.into(),
        at,
    }
}

fn delay(from: &str, to: &str, at: u32, ticks: u32) -> Fault {
    Fault::Delay {
        from: from.into(),
        to: to.into(),
        at,
        ticks,
    }
}

fn duplicate(from: &str, to: &str, at: u32) -> Fault {
    Fault::Duplicate {
        from: from.into(),
        to: to.into(),
        at,
    }
}

/// The violated rule or invariant, if any.
fn violated(r: &Run) -> Option<&str> {
    match &r.verdict {
        Verdict::Violated { invariant, .. } => Some(invariant),
        _ => None,
    }
}

/// How the enforcement tests fail when the runner does not apply the spec.
const NOT_ENFORCED: &str = "no enforcement violation: does the runner install \
    `Protocol::enforcement`'s spec as the world's checker?";

fn ldfi(version: &str, workload: &str, lineage: LineageMode, checks: Checks) -> SearchReport {
    ldfi_all(version, workload, lineage, checks, false)
}

fn ldfi_all(
    version: &str,
    workload: &str,
    lineage: LineageMode,
    checks: Checks,
    all_counterexamples: bool,
) -> SearchReport {
    let cfg = SearchConfig {
        version: version.into(),
        workload: workload.into(),
        params: PARAMS,
        seed: 1,
        strategy: Strategy::Ldfi,
        max_runs: Some(5_000),
        all_counterexamples,
        lineage,
        checks,
        exhaustive_limit: 1e6,
        crash: Default::default(),
        inputs: None,
        confirm: true,
        confirm_max_runs: Some(ldfi_harness::search::CONFIRM_MAX_RUNS),
        minimize: true,
    };
    let report = search(&WebForum, &cfg, &mut |_| {}).expect("the search runs");
    print!(
        "{NAME} {version} {workload} ({lineage:?}, {checks:?}): {} after {} executions ({} vacuous)",
        report.conclusion.word(),
        report.executions,
        report.vacuous_runs
    );
    for c in &report.counterexamples {
        print!(
            " — {} at #{}: {}",
            c.config.faults, c.found_at, c.run.verdict
        );
    }
    println!();
    report
}

fn declared(version: &str, workload: &str) -> SearchReport {
    ldfi(version, workload, LineageMode::Declared, Checks::All)
}

#[test]
fn shipped_spec_parses() {
    let spec = checks::spec().expect("the shipped spec parses");
    assert_eq!(spec.rule_names(), vec![I1, I2]);
    assert_eq!(spec.modeled_services(), vec!["frontend", "auth", "kv"]);
    let reparsed = ldfi_harness::ldfi_enforce::Spec::parse(checks::SPEC_FILE, checks::SPEC_SOURCE);
    assert!(reparsed.is_ok(), "{}", reparsed.err().unwrap());
}

#[test]
fn registered_with_every_version_and_workload() {
    let registry = ldfi_protocols::registry();
    let p = registry.get(NAME).expect("web-forum is in the registry");
    let info = p.info();
    let versions: Vec<&str> = Version::MODELLED.iter().map(|v| v.name()).collect();
    let workloads: Vec<&str> = Workload::ALL.iter().map(|w| w.name()).collect();
    assert_eq!(info.versions, versions);
    assert_eq!(info.workloads, workloads);
    assert_eq!(info.default_version, CORRECT);
    assert_eq!(info.default_workload, LOGIN_POST);
    assert_eq!(info.nodes, ["frontend", "auth", "kv", "c1", "c2"]);
    // stale-read is a version of web-forum-grpc only: refused here, named.
    let e = run(&WebForum, &config("stale-read", LOGIN_POST, vec![])).expect_err("refused");
    assert!(e.to_string().contains("stale-read"), "{e}");
    assert!(!Version::MODELLED.contains(&Version::StaleRead));
}

#[test]
fn fault_free_runs_are_good_except_edit_post() {
    for workload in [LOGIN_POST, TWO_CLIENTS] {
        for version in [CORRECT, INSERT_BEFORE_AUTH] {
            let r = run_with(version, workload, vec![]);
            assert_eq!(r.verdict, Verdict::Good, "{version} {workload}");
            assert!(r.end.holds(&stored("general/c1-1")), "{version} {workload}");
        }
        let r = run_with(EDIT_POST, workload, vec![]);
        assert_eq!(
            violated(&r),
            Some(I1),
            "edit-post {workload}: {NOT_ENFORCED}"
        );
    }
}

#[test]
fn insert_before_auth_breaks_i2_when_the_auth_reply_is_lost_or_late() {
    let lost = vec![omit("auth", "frontend", 3)];
    let late = vec![delay("auth", "frontend", 3, 2)];
    for faults in [lost, late] {
        let r = run_with(INSERT_BEFORE_AUTH, LOGIN_POST, faults.clone());
        assert_eq!(violated(&r), Some(I2), "{faults:?}: {NOT_ENFORCED}");
        let r = run_with(CORRECT, LOGIN_POST, faults.clone());
        assert_eq!(r.verdict, Verdict::Good, "correct under {faults:?}");
    }
}

#[test]
fn insert_before_auth_stores_an_intruders_post() {
    // Both Authenticates of tick 2 are lost; on its retry the faulty
    // frontend inserts c2's post although c2's password is wrong.
    let faults = vec![omit("frontend", "auth", 2)];
    let bad = run_with(INSERT_BEFORE_AUTH, TWO_CLIENTS, faults.clone());
    assert_eq!(violated(&bad), Some(I2), "{NOT_ENFORCED}");
    assert!(bad.end.holds(&stored("general/c2-1")));
    let good = run_with(CORRECT, TWO_CLIENTS, faults);
    assert_eq!(good.verdict, Verdict::Good);
    assert!(good.end.holds(&stored("general/c1-1")));
    assert!(!good.end.holds(&stored("general/c2-1")));
}

#[test]
fn correct_frontend_keeps_to_its_model_under_retries_and_duplicates() {
    let cases = [
        vec![omit("frontend", "auth", 2)],
        vec![delay("auth", "frontend", 3, 3)],
        vec![duplicate("auth", "frontend", 3)],
        vec![
            duplicate("c1", "frontend", 1),
            duplicate("c1", "frontend", 2),
        ],
        vec![
            duplicate("frontend", "kv", 4),
            duplicate("kv", "frontend", 5),
        ],
    ];
    for faults in cases {
        for workload in [LOGIN_POST, TWO_CLIENTS] {
            let r = run_with(CORRECT, workload, faults.clone());
            assert!(
                !r.verdict.is_violated(),
                "{workload} {faults:?}: {}",
                r.verdict
            );
        }
    }
}

#[test]
fn ldfi_finds_insert_before_auth() {
    for workload in [LOGIN_POST, TWO_CLIENTS] {
        let report = declared(INSERT_BEFORE_AUTH, workload);
        assert_eq!(
            report.conclusion,
            Conclusion::Counterexample,
            "{NOT_ENFORCED}"
        );
        let c = &report.counterexamples[0];
        assert_eq!(c.invariant(), I2);
        assert_eq!(c.config.faults.to_string(), "{omit(frontend, auth, 2)}");
        assert_eq!(report.executions, 2);
    }
}

#[test]
fn ldfi_finds_edit_post() {
    for workload in [LOGIN_POST, TWO_CLIENTS] {
        let report = declared(EDIT_POST, workload);
        // Broken without faults: reported as such, not as a counterexample
        // with an empty fault set.
        assert_eq!(
            report.conclusion,
            Conclusion::FaultFreeViolation,
            "{NOT_ENFORCED}"
        );
        assert!(report.counterexamples.is_empty());
        let run = report.fault_free.as_ref().expect("the fault-free run");
        assert!(
            matches!(&run.verdict, ldfi_harness::Verdict::Violated { invariant, .. } if invariant == I1)
        );
        assert_eq!(report.executions, 1);
    }
}

#[test]
fn ldfi_certifies_correct() {
    for workload in [LOGIN_POST, TWO_CLIENTS] {
        let report = declared(CORRECT, workload);
        assert_eq!(report.conclusion, Conclusion::Certified, "{workload}");
        // The declared search alone; the happens-before confirmation adds
        // a few hundred (login-post) to a few thousand (two-clients).
        let searched = report.executions - report.confirm_executions - report.minimize_executions;
        assert_eq!(searched, 30, "{workload}");
        assert_eq!(report.assurance, ldfi_harness::search::Assurance::Confirmed);
    }
}

#[test]
fn invariants_alone_cannot_see_i2() {
    // posts-stored holds in every run of insert-before-auth: the violation
    // is in the order of messages, which only the spec checks.
    let report = ldfi(
        INSERT_BEFORE_AUTH,
        LOGIN_POST,
        LineageMode::Declared,
        Checks::Invariants,
    );
    assert_eq!(report.conclusion, Conclusion::Certified);
}

#[test]
fn happens_before_lineage_reaches_the_same_verdicts() {
    for (version, rule) in [
        (CORRECT, None),
        (INSERT_BEFORE_AUTH, Some(I2)),
        (EDIT_POST, Some(I1)),
    ] {
        let declared = declared(version, LOGIN_POST);
        let hb = ldfi(version, LOGIN_POST, LineageMode::HappensBefore, Checks::All);
        assert_eq!(hb.conclusion, declared.conclusion, "{version}");
        let found = hb
            .counterexamples
            .first()
            .map(|c| c.invariant().to_string());
        // edit-post breaks I1 without faults: that is its fault-free run.
        let found = found.or_else(|| {
            hb.fault_free.as_ref().and_then(|r| match &r.verdict {
                ldfi_harness::Verdict::Violated { invariant, .. } => Some(invariant.clone()),
                _ => None,
            })
        });
        assert_eq!(found.as_deref(), rule, "{version}");
    }
}

#[test]
fn runs_are_deterministic() {
    for version in Version::MODELLED {
        for workload in Workload::ALL {
            for faults in [vec![], vec![omit("auth", "frontend", 3)]] {
                let (v, w) = (version.name(), workload.name());
                let a = run_with(v, w, faults.clone());
                let b = run_with(v, w, faults.clone());
                assert_eq!(a.trace.hash(), b.trace.hash(), "{v} {w} {faults:?}");
                assert_eq!(a.verdict, b.verdict, "{v} {w} {faults:?}");
            }
        }
    }
}

#[test]
fn acked_posts_are_the_invariants_pre() {
    let r = run_with(CORRECT, LOGIN_POST, vec![]);
    let acked: Vec<&Fact> = r.end.facts("acked").collect();
    assert_eq!(acked, [&checks::acked("c1", "general/c1-1")]);
    // Losing the post makes the run vacuous: nothing was promised.
    let r = run_with(CORRECT, LOGIN_POST, vec![omit("c1", "frontend", 2)]);
    assert_eq!(r.verdict, Verdict::Vacuous);
}

#[test]
fn ldfi_finds_every_minimal_way_to_reach_the_retry_path() {
    let report = ldfi_all(
        INSERT_BEFORE_AUTH,
        LOGIN_POST,
        LineageMode::Declared,
        Checks::All,
        true,
    );
    let mut found: Vec<String> = report
        .counterexamples
        .iter()
        .map(|c| {
            assert_eq!(c.invariant(), I2);
            c.config.faults.to_string()
        })
        .collect();
    // The order among sets of one size is the SAT solver's: compare as sets.
    found.sort();
    assert_eq!(
        found,
        [
            "{crash(auth, 1)}",
            "{crash(auth, 2)}",
            "{crash(auth, 3)}",
            "{omit(auth, frontend, 3)}",
            "{omit(frontend, auth, 2)}",
        ]
    );
    let searched = report.executions - report.confirm_executions - report.minimize_executions;
    assert_eq!(searched, 19);
}

#[test]
fn two_clients_read_sees_only_the_authors_post() {
    let r = run_with(CORRECT, TWO_CLIENTS, vec![]);
    let events = format!("{:?}", r.trace.events);
    let read = r#"ReadResponse { client: \"c2\", topic: \"general\", posts: [\"hello from c1\"] }"#;
    assert!(events.contains(read), "c2 reads c1's post: {events}");
    let edit = r#"EditResponse { client: \"c1\", ok: false }"#;
    assert!(events.contains(edit), "posts are immutable: {events}");
    assert!(!r.end.holds(&stored("general/c2-1")));
}
