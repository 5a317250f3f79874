//! I3, the invariant a stale read breaks: **an acknowledged post is
//! returned by every later successful Read of its topic.**
//!
//! Read off the facts the clients derive (see [`super::workload`]):
//! `acked_at(c, key, t)` (a post of `c` acknowledged at tick `t`),
//! `read(r, n, topic, s)` (client `r`'s Read, input `n` given at tick `s`,
//! was answered) and `returned(r, n, key)` (that answer held the post
//! `key`). A post is under a topic if its key is `topic/…` (the
//! frontend's keys). `pre`: some read started after some acknowledgement
//! of a post under its topic; `post`: each such read returned each such
//! post. A Read that failed (a `Get` went unanswered, the frontend is
//! down) promises nothing.
//!
//! No enforcement predicate can state I3: a `GetResponse` from a `kv`
//! that lost a post is an ordinary `GetResponse` with an empty value.

use ldfi_harness::{Fact, Invariant, Prop, Tick};

/// I3's name in verdicts.
pub const I3: &str = "I3_acked_posts_are_read";

/// `acked_at(c, key, t)`: `c`'s post `key` was acknowledged at tick `t` (at `c`).
pub fn acked_at(c: &str, key: &str, t: Tick) -> Fact {
    Fact::new("acked_at", [c, key, &t.to_string()])
}

/// `read(r, n, topic, s)`: `r`'s Read of `topic`, input `n` given at tick
/// `s`, was answered (at `r`).
pub fn read(r: &str, n: u32, topic: &str, s: Tick) -> Fact {
    Fact::new("read", [r, &n.to_string(), topic, &s.to_string()])
}

/// `returned(r, n, key)`: the answer to `r`'s Read `n` held post `key` (at `r`).
pub fn returned(r: &str, n: u32, key: &str) -> Fact {
    Fact::new("returned", [r, &n.to_string(), key])
}

fn tick(s: &str) -> Tick {
    s.parse().unwrap_or(Tick::MAX)
}

/// I3 (see the module documentation).
pub fn acked_posts_are_read() -> Invariant {
    Invariant::new(I3, |end| {
        let acks: Vec<(String, Tick)> = end
            .facts("acked_at")
            .map(|f| (f.args[1].clone(), tick(&f.args[2])))
            .collect();
        let mut due = Vec::new();
        for r in end.facts("read") {
            let (reader, n, topic, start) = (&r.args[0], &r.args[1], &r.args[2], tick(&r.args[3]));
            let under = format!("{topic}/");
            for (key, at) in &acks {
                if *at < start && key.starts_with(&under) {
                    let n: u32 = n.parse().unwrap_or(u32::MAX);
                    due.push(Prop::Holds(returned(reader, n, key)));
                }
            }
        }
        let pre = if due.is_empty() {
            Prop::False
        } else {
            Prop::True
        };
        (pre, Prop::And(due))
    })
    // As for `posts-stored`: losing messages or crashing a node never
    // acknowledges a post sooner or answers a read that was not answered
    // (the default search confirms it on happens-before lineage).
    .pre_shrinks_with_faults()
}
