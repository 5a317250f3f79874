//! Checker throughput on one core: one million web-forum events over ten
//! thousand clients, checked against 1 rule, 7 rules, and the shipped
//! web-forum spec (2 rules + 3 models). Prints the median of several runs.
//!
//! ```text
//! cargo run --release -p ldfi-enforce --example throughput [EVENTS] [CLIENTS] [REPS]
//! ```

use std::time::Instant;

use ldfi_enforce::{Checker, Dir, MsgEvent, Spec, Value};

const I2: &str = r#"
let auth_ok = auth -> frontend response Authenticate{client = $c, ok = true};
let insert  = frontend -> kv request Insert{client = $c};
rule I2_only_authenticated_clients_post { key $c; forbid insert before auth_ok; }
"#;

const SIX_MORE: &str = r#"
let login     = _ -> frontend request Login{client = $c};
let auth_req  = frontend -> auth request Authenticate{client = $c};
let insert_ok = kv -> frontend response Insert{client = $c};
rule I1_posts_immutable { never [_ -> kv Modify] | [_ -> kv Delete]; }
rule authenticate_after_login { key $c; forbid auth_req before login; }
rule login_ok_after_auth_ok {
    key $c; forbid [frontend -> _ response Login{client = $c, ok = true}] before auth_ok;
}
rule post_ok_after_insert {
    key $c; forbid [frontend -> _ response Post{client = $c, ok = true}] before insert_ok;
}
rule insert_answered_after_insert { key $c; forbid insert_ok before insert; }
rule get_answered_after_get {
    key $k; forbid [kv -> frontend response Get{key = $k}] before [frontend -> kv request Get{key = $k}];
}
"#;

/// A small deterministic generator (xorshift64*).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
}

fn ev(src: &str, dst: &str, dir: Dir, kind: &str, fields: Vec<(&str, Value)>) -> MsgEvent {
    let mut e = MsgEvent::new(src, dst, dir, kind);
    e.fields = fields.into_iter().map(|(n, v)| (n.to_owned(), v)).collect();
    e
}

/// Step `step` of client `c`'s session: a login (4 messages), then posts and
/// reads (4 messages each) forever.
fn session_event(c: &str, step: u64, rng: &mut Rng) -> MsgEvent {
    use Dir::{Request as Rq, Response as Rs};
    let cl = || ("client", Value::from(c));
    let ok = || ("ok", Value::Bool(true));
    let key = || ("key", Value::from(format!("{c}/{}", step / 8)));
    let phase = if step < 4 { step } else { 4 + (step - 4) % 8 };
    match phase {
        0 => ev(
            c,
            "frontend",
            Rq,
            "Login",
            vec![cl(), ("credential", "pw".into())],
        ),
        1 => ev(
            "frontend",
            "auth",
            Rq,
            "Authenticate",
            vec![cl(), ("credential", "pw".into())],
        ),
        2 => ev("auth", "frontend", Rs, "Authenticate", vec![cl(), ok()]),
        3 => ev("frontend", c, Rs, "Login", vec![cl(), ok()]),
        4 => ev(
            c,
            "frontend",
            Rq,
            "Post",
            vec![cl(), ("topic", "t".into()), ("text", "x".into())],
        ),
        // One insert in a thousand skips ahead of its authentication.
        5 if rng.next().is_multiple_of(1000) => ev(
            "frontend",
            "kv",
            Rq,
            "Insert",
            vec![("client", Value::from("intruder")), key()],
        ),
        5 => ev(
            "frontend",
            "kv",
            Rq,
            "Insert",
            vec![cl(), key(), ("value", "x".into())],
        ),
        6 => ev("kv", "frontend", Rs, "Insert", vec![cl(), key()]),
        7 => ev("frontend", c, Rs, "Post", vec![cl(), ok()]),
        8 => ev(c, "frontend", Rq, "Read", vec![("topic", "t".into())]),
        9 => ev("frontend", "kv", Rq, "Get", vec![key()]),
        10 => ev(
            "kv",
            "frontend",
            Rs,
            "Get",
            vec![key(), ("value", "x".into())],
        ),
        _ => ev(
            "frontend",
            c,
            Rs,
            "Read",
            vec![("topic", "t".into()), ("posts", Value::List(vec![]))],
        ),
    }
}

/// `n` events from `clients` interleaved sessions.
fn stream(n: usize, clients: usize) -> Vec<MsgEvent> {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let names: Vec<String> = (0..clients).map(|i| format!("c{i}")).collect();
    let mut steps = vec![0u64; clients];
    (0..n)
        .map(|_| {
            let c = (rng.next() % clients as u64) as usize;
            steps[c] += 1;
            session_event(&names[c], steps[c] - 1, &mut rng)
        })
        .collect()
}

/// Median events/s over `reps` runs, and the violations of one run. (The
/// wall clock is read here, around whole runs, never inside the checker.)
#[allow(clippy::disallowed_methods)]
fn measure(spec: &Spec, events: &[MsgEvent], reps: usize) -> (f64, usize) {
    let mut rates = Vec::new();
    let mut violations = 0;
    for _ in 0..reps {
        let mut checker = Checker::new(spec);
        let start = Instant::now();
        for e in events {
            checker.observe(e);
        }
        let secs = start.elapsed().as_secs_f64();
        violations = checker.violations().len();
        rates.push(events.len() as f64 / secs);
    }
    rates.sort_by(f64::total_cmp);
    (rates[rates.len() / 2], violations)
}

fn main() {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let n = args.first().copied().unwrap_or(1_000_000);
    let clients = args.get(1).copied().unwrap_or(10_000);
    let reps = args.get(2).copied().unwrap_or(7).max(1);
    let events = stream(n, clients);
    println!("{n} events, {clients} clients, median of {reps} runs, one thread");
    let configs = [
        ("1 rule (I2)", I2.to_owned()),
        ("7 rules (I1, I2 + 5 similar)", format!("{I2}{SIX_MORE}")),
        (
            "web-forum.spec (2 rules + 3 models)",
            include_str!("../../../protocols/specs/web-forum.spec").to_owned(),
        ),
    ];
    for (name, src) in configs {
        let spec = match Spec::parse(name, &src) {
            Ok(s) => s,
            Err(e) => {
                eprintln!("{e}");
                std::process::exit(1);
            }
        };
        let (rate, violations) = measure(&spec, &events, reps);
        println!("{name:<38} {rate:>12.0} events/s  ({violations} violations)");
    }
}
