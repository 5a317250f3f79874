//! Conformance: where two traces of the same schedule first differ.

use ldfi_lineage::Trace;

/// The first event at which `sim` and `real` differ: its index and each
/// side's event (`None` past the end of a trace). `None` if they are equal.
pub fn first_difference(
    sim: &Trace,
    real: &Trace,
) -> Option<(usize, Option<String>, Option<String>)> {
    let len = sim.events.len().max(real.events.len());
    (0..len).find_map(|k| {
        let (a, b) = (sim.events.get(k), real.events.get(k));
        (a != b).then(|| (k, a.map(|e| format!("{e:?}")), b.map(|e| format!("{e:?}"))))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use ldfi_lineage::Event;

    #[test]
    fn finds_the_first_differing_event() {
        let crash = |at| Event::Crash { node: 0, at };
        let a = Trace {
            nodes: vec!["a".into()],
            eot: 3,
            events: vec![crash(1), crash(2)],
        };
        let mut b = a.clone();
        assert_eq!(first_difference(&a, &b), None);
        b.events[1] = crash(3);
        let (k, x, y) = first_difference(&a, &b).expect("differs");
        assert_eq!(k, 1);
        assert!(x.expect("sim side").contains("at: 2"));
        assert!(y.expect("real side").contains("at: 3"));
        b.events.pop();
        assert_eq!(first_difference(&a, &b).map(|d| d.2), Some(None));
    }
}
