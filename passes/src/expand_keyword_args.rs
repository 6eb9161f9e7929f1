//! `expand-keyword-args : desugared -> desugared` — spec 01 §4.5. Trailing `name: value`
//! arguments of a call are collected into one `Map<String, V>` literal appended as the
//! last argument: `greet(name: "Al")` is `greet(%{"name" => "Al"})`.
//! Paper: `papers/expand-keyword-args.md`.

use crate::{Pass, PassCx};
use mesh_ir::surface::*;

pub struct ExpandKeywordArgs;

impl Pass for ExpandKeywordArgs {
    const NAME: &'static str = "expand-keyword-args";
    const STOPS_ON_ERROR: bool = false;
    type In = Desugared;
    type Out = Desugared;
    fn run(&self, Desugared(mut p): Desugared, _cx: &mut PassCx) -> Desugared {
        visit::exprs_mut(&mut p, &mut |e| {
            if let ExprKind::Call { args, .. } = &mut e.kind {
                if args.iter().any(|a| a.name.is_some()) {
                    let (named, mut positional): (Vec<Arg>, Vec<Arg>) = std::mem::take(args)
                        .into_iter()
                        .partition(|a| a.name.is_some());
                    let span = named
                        .iter()
                        .map(|a| a.value.span)
                        .reduce(|a, b| a.to(b))
                        .unwrap_or(e.span);
                    let entries = named
                        .into_iter()
                        .map(|a| {
                            (
                                Expr::new(
                                    ExprKind::Str(vec![StrPart::Text(a.name.unwrap())]),
                                    a.value.span,
                                ),
                                a.value,
                            )
                        })
                        .collect();
                    positional.push(Arg {
                        name: None,
                        value: Expr::new(ExprKind::Map(entries), span),
                    });
                    *args = positional;
                }
            }
        });
        Desugared(p)
    }
}
