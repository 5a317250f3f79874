// The guide's protocol: a primary-backup register. Doctests include this
// file (`include!`), so it is plain items with full paths.

/// What the register's nodes send.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
enum Msg {
    /// From the client (the workload): store this value.
    Write(u32),
    /// Primary to backup: keep a copy.
    Copy(u32),
    /// Backup to primary: copy kept.
    CopyAck(u32),
}

/// `stored(v)` at a node: it holds value `v`. `acked(v)`: the primary
/// told the client the write is done.
fn stored(v: u32) -> ldfi_harness::Fact {
    ldfi_harness::Fact::new("stored", [v.to_string()])
}
fn acked(v: u32) -> ldfi_harness::Fact {
    ldfi_harness::Fact::new("acked", [v.to_string()])
}

/// v1 acks as soon as the primary has the value; v2 re-sends the copy
/// every tick and acks on the backup's `CopyAck`.
struct RegisterNode {
    v2: bool,
    pending: Option<u32>,
}

impl ldfi_harness::Node<Msg> for RegisterNode {
    fn on_message(&mut self, ctx: &mut ldfi_harness::Ctx<'_, Msg>, from: ldfi_harness::NodeId, msg: Msg) {
        let backup = ctx.node("backup");
        match msg {
            Msg::Write(v) => {
                ctx.derive(stored(v));
                ctx.send(backup, Msg::Copy(v));
                if self.v2 { self.pending = Some(v) } else { ctx.derive(acked(v)) }
            }
            Msg::Copy(v) => {
                ctx.derive(stored(v));
                ctx.send(from, Msg::CopyAck(v));
            }
            Msg::CopyAck(v) => {
                if self.pending.take() == Some(v) { ctx.derive(acked(v)) }
            }
        }
    }
    fn on_tick(&mut self, ctx: &mut ldfi_harness::Ctx<'_, Msg>) {
        if let Some(v) = self.pending {
            let backup = ctx.node("backup");
            ctx.send(backup, Msg::Copy(v));
        }
    }
}

/// The register: `primary` and `backup`, one write of `7` at tick 1.
struct Register;

impl ldfi_harness::Protocol for Register {
    type Msg = Msg;
    fn info(&self) -> ldfi_harness::ProtocolInfo {
        ldfi_harness::ProtocolInfo {
            name: "register".into(),
            summary: "primary-backup register".into(),
            versions: vec!["v1".into(), "v2".into()],
            default_version: "v2".into(),
            workloads: vec!["one-write".into()],
            default_workload: "one-write".into(),
            nodes: vec!["primary".into(), "backup".into()],
            exempt: vec![],
            params: ldfi_harness::Params { eot: 5, eff: 3, crashes: 0 },
        }
    }
    fn nodes(&self, setup: &ldfi_harness::Setup) -> Vec<Box<dyn ldfi_harness::Node<Msg>>> {
        let v2 = setup.version == "v2";
        (setup.nodes.iter())
            .map(|_| Box::new(RegisterNode { v2, pending: None }) as Box<dyn ldfi_harness::Node<Msg>>)
            .collect()
    }
    fn inputs(&self, _: &ldfi_harness::Setup) -> Vec<ldfi_harness::Input<Msg>> {
        vec![ldfi_harness::Input { at: 1, node: "primary".into(), msg: Msg::Write(7) }]
    }
    fn invariants(&self, _: &ldfi_harness::Setup) -> Vec<ldfi_harness::Invariant> {
        // Once the client is told "done", the backup has the value too
        // (unless the backup crashed: then there is no copy to ask for).
        vec![ldfi_harness::Invariant::new("acked-is-replicated", |end| {
            let pre = end.holds_at_prop("primary", &acked(7));
            let post = ldfi_harness::Prop::Or(vec![
                end.crashed_prop("backup"),
                end.holds_at_prop("backup", &stored(7)),
            ]);
            (pre, post)
        })]
    }
}
