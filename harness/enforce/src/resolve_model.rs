//! Compiling one service model.

use crate::ast::{ClauseAst, ModelAst};
use crate::error::Located;
use crate::resolve::{compile_pattern, Scope};
use crate::spec::{CondSend, Model, RecvClause};

const ANSWER: &str = "a model may send only variables bound by the `recv` it answers";
const FREE: &str = "an unconditional `send` answers no `recv`, so it has no variables";

/// Compiles a model: each `recv` pattern declares the variables its `send`s
/// may use.
pub(crate) fn resolve_model(ast: &ModelAst) -> Result<Model, Located> {
    let mut model = Model {
        service: ast.service.text.clone(),
        recvs: Vec::new(),
        free_sends: Vec::new(),
        sends: Vec::new(),
    };
    for clause in &ast.clauses {
        match clause {
            ClauseAst::Recv { pattern, sends } => {
                let mut vars = Vec::new();
                let recv = compile_pattern(pattern, &mut Scope::Declare(&mut vars))?;
                let mut ids = Vec::new();
                for s in sends {
                    let send = compile_pattern(s, &mut Scope::Bound(&vars, ANSWER))?;
                    let used = (0..vars.len() as u8)
                        .filter(|i| send.used & (1 << i) != 0)
                        .collect();
                    ids.push(model.sends.len() as u32);
                    model.sends.push(CondSend {
                        pattern: send,
                        vars: used,
                    });
                }
                model.recvs.push(RecvClause {
                    pattern: recv,
                    sends: ids,
                });
            }
            ClauseAst::Send(s) => {
                let send = compile_pattern(s, &mut Scope::Bound(&[], FREE))?;
                model.free_sends.push(send);
            }
        }
    }
    Ok(model)
}
