//! `remove-pipes : surface -> desugared` — spec 01 §4.6. `x |> f` becomes `f(x)`,
//! `x |> f(a)` becomes `f(x, a)` and `x |N> f(a, b)` puts `x` at argument position N;
//! piping into any other expression calls it. A slot beyond the call's arguments is an
//! error. Paper: `papers/remove-pipes.md`.

use crate::diag::Diagnostic;
use crate::{Pass, PassCx};
use mesh_ir::surface::*;

pub struct RemovePipes;

impl Pass for RemovePipes {
    const NAME: &'static str = "remove-pipes";
    const STOPS_ON_ERROR: bool = false;
    type In = Program;
    type Out = Desugared;
    fn run(&self, mut p: Program, cx: &mut PassCx) -> Desugared {
        visit::exprs_mut(&mut p, &mut |e| {
            if let ExprKind::Pipe { .. } = e.kind {
                let ExprKind::Pipe { lhs, rhs, slot } =
                    std::mem::replace(&mut e.kind, ExprKind::Unit)
                else {
                    unreachable!()
                };
                e.kind = desugar(*lhs, *rhs, slot, cx);
            }
        });
        Desugared(p)
    }
}

fn desugar(lhs: Expr, rhs: Expr, slot: u32, cx: &mut PassCx) -> ExprKind {
    let piped = Arg {
        name: None,
        value: lhs,
    };
    match rhs.kind {
        ExprKind::Call { callee, mut args } => {
            let positional = args.iter().take_while(|a| a.name.is_none()).count();
            let at = slot as usize - 1;
            if at > positional {
                cx.emit(
                    Diagnostic::error("pipe", format!("slot position {slot} is out of range: the call has {positional} positional argument(s), so the piped value can be argument 1 to {}", positional + 1), rhs.span)
                        .with_label("piped into this call"),
                );
            }
            args.insert(at.min(positional), piped);
            ExprKind::Call { callee, args }
        }
        _ => {
            if slot > 1 {
                cx.emit(Diagnostic::error("pipe", format!("slot position {slot} is out of range: `|{slot}>` needs a call with arguments on its right"), rhs.span));
            }
            ExprKind::Call {
                callee: Box::new(rhs),
                args: vec![piped],
            }
        }
    }
}
