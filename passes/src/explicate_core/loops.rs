//! Loops (spec 01 §4.11) as core `Loop`s with block arguments. A `for` over a list or
//! a range carries the cursor and the reversed list of results; `continue` moves the
//! cursor on without a result, `break` leaves with the results so far, and the end of
//! the iteration reverses them. A `while` loop has no arguments. `return` inside a loop
//! is a core `Return`, so it leaves the enclosing function.

use super::*;

/// What `break` and `continue` of the innermost loop become.
pub(crate) enum LoopKind {
    /// `for`: cursor `cur` (a list, or an Int for ranges), results `acc`.
    For {
        cur: String,
        acc: String,
        range: bool,
        /// The core type of the results.
        elem: CTy,
    },
    While,
}

pub(crate) struct LoopCtx {
    pub label: String,
    pub kind: LoopKind,
}

fn int(n: i64, span: Span) -> core::Expr {
    mk(core::ExprKind::Int(n), CTy::Int, span)
}

impl Lower<'_> {
    /// The cursor's next position.
    fn next(&self, cur: &str, range: bool, span: Span) -> core::Expr {
        if range {
            prim(
                Prim::IAdd,
                vec![var(cur, CTy::Int, span), int(1, span)],
                span,
            )
        } else {
            mk(
                core::ExprKind::Load(Box::new(var(cur, CTy::Obj, span)), 1),
                CTy::Obj,
                span,
            )
        }
    }

    /// A call of the synthesised `list:reverse:T` (elements typed, so they stay counted).
    pub(crate) fn reverse(&mut self, l: core::Expr, elem: CTy, span: Span) -> core::Expr {
        let name = format!("list:reverse:{}", elem.name());
        if !self.helpers.contains_key(&name) {
            self.helpers.insert(name.clone(), CTy::Obj);
            let (p, l2, out, lbl) = (
                self.cx.fresh("l"),
                self.cx.fresh("l"),
                self.cx.fresh("out"),
                self.cx.fresh("rev"),
            );
            let cur = var(&l2, CTy::Obj, span);
            let is_nil = prim(
                Prim::ICmp(Cmp::Eq),
                vec![
                    mk(core::ExprKind::Tag(Box::new(cur.clone())), CTy::Int, span),
                    int(0, span),
                ],
                span,
            );
            let head = mk(core::ExprKind::Load(Box::new(cur.clone()), 0), elem, span);
            let tail = mk(core::ExprKind::Load(Box::new(cur), 1), CTy::Obj, span);
            let cons = mk(
                core::ExprKind::Alloc {
                    tag: 1,
                    fields: vec![head, var(&out, CTy::Obj, span)],
                },
                CTy::Obj,
                span,
            );
            let body = if_(
                is_nil,
                var(&out, CTy::Obj, span),
                mk(
                    core::ExprKind::Recur {
                        label: lbl.clone(),
                        args: vec![tail, cons],
                    },
                    CTy::Obj,
                    span,
                ),
            );
            let nil = mk(
                core::ExprKind::Alloc {
                    tag: 0,
                    fields: vec![],
                },
                CTy::Obj,
                span,
            );
            let lp = mk(
                core::ExprKind::Loop {
                    label: lbl,
                    params: vec![(l2, CTy::Obj), (out, CTy::Obj)],
                    inits: vec![var(&p, CTy::Obj, span), nil],
                    body: Box::new(body),
                },
                CTy::Obj,
                span,
            );
            self.extra.push(core::Fn {
                name: name.clone(),
                params: vec![(p, CTy::Obj)],
                ret: CTy::Obj,
                body: lp,
                span,
            });
        }
        mk(
            core::ExprKind::Call {
                func: name,
                args: vec![l],
                tail: false,
            },
            CTy::Obj,
            span,
        )
    }

    pub(crate) fn for_loop(
        &mut self,
        pat: &Pat,
        iter: &Expr,
        filter: Option<&Expr>,
        body: &[Stmt],
        result: Option<&Ty>,
        span: Span,
    ) -> core::Expr {
        let label = self.cx.fresh("for");
        let elem_ty = match result {
            Some(Ty::Con(_, a)) if !a.is_empty() => self.cty(a.first(), span),
            _ => CTy::Unit,
        };
        let (cur, acc) = (self.cx.fresh("cur"), self.cx.fresh("acc"));
        // a range held in a value (not written `a..b` in the loop): its bounds are loaded
        let mut range_obj = None;
        let (range, init, done, elem, end_let) = match &iter.kind {
            ExprKind::Binary(BinOp::Range, a, b) => {
                let lo = self.expr(a, false);
                let hi = self.expr(b, false);
                self.count_up(&cur, lo, hi, span)
            }
            _ if matches!(&iter.ty, Some(Ty::Con(k, _)) if k == "Range") => {
                let r = self.cx.fresh("range");
                range_obj = Some((r.clone(), self.expr(iter, false)));
                let bound = |i| {
                    mk(
                        core::ExprKind::Load(Box::new(var(&r, CTy::Obj, span)), i),
                        CTy::Int,
                        span,
                    )
                };
                self.count_up(&cur, bound(0), bound(1), span)
            }
            _ => {
                let mut l = self.expr(iter, false);
                // a map or a set is walked through its list of entries
                if let Some(t) = iter.ty.as_ref().filter(|t| collections::is_collection(t)) {
                    l = self.map_entries(l, t, span);
                }
                let c = var(&cur, CTy::Obj, span);
                let done = prim(
                    Prim::ICmp(Cmp::Eq),
                    vec![
                        mk(core::ExprKind::Tag(Box::new(c.clone())), CTy::Int, span),
                        int(0, span),
                    ],
                    span,
                );
                let et = self.cty(pat.ty.as_ref(), span);
                (
                    false,
                    l,
                    done,
                    mk(core::ExprKind::Load(Box::new(c), 0), et, span),
                    None,
                )
            }
        };
        let cur_ty = if range { CTy::Int } else { CTy::Obj };
        let next = self.next(&cur, range, span);
        // the element's pattern binds the loop variables
        let mut tests = Vec::new();
        let mut binds = Vec::new();
        let x = self.cx.fresh("x");
        self.pat_tests(pat, &var(&x, elem.ty, span), &mut tests, &mut binds);
        self.loops.push(LoopCtx {
            label: label.clone(),
            kind: LoopKind::For {
                cur: cur.clone(),
                acc: acc.clone(),
                range,
                elem: elem_ty,
            },
        });
        let step = self.with_binds(&binds, |lw| {
            let v = lw.block(body, false, span);
            let vt = v.ty;
            let tmp = lw.cx.fresh("v");
            let cons = mk(
                core::ExprKind::Alloc {
                    tag: 1,
                    fields: vec![var(&tmp, vt, span), var(&acc, CTy::Obj, span)],
                },
                CTy::Obj,
                span,
            );
            let again = mk(
                core::ExprKind::Recur {
                    label: label.clone(),
                    args: vec![next.clone(), cons],
                },
                CTy::Obj,
                span,
            );
            let step = let_(&tmp, v, again);
            match filter {
                Some(f) => {
                    let cond = lw.expr(f, false);
                    let skip = mk(
                        core::ExprKind::Recur {
                            label: label.clone(),
                            args: vec![next.clone(), var(&acc, CTy::Obj, span)],
                        },
                        CTy::Obj,
                        span,
                    );
                    if_(cond, step, skip)
                }
                None => step,
            }
        });
        self.loops.pop();
        let finished = self.reverse(var(&acc, CTy::Obj, span), elem_ty, span);
        let body = if_(done, finished, let_(&x, elem, step));
        let nil = mk(
            core::ExprKind::Alloc {
                tag: 0,
                fields: vec![],
            },
            CTy::Obj,
            span,
        );
        let lp = mk(
            core::ExprKind::Loop {
                label,
                params: vec![(cur, cur_ty), (acc, CTy::Obj)],
                inits: vec![init, nil],
                body: Box::new(body),
            },
            CTy::Obj,
            span,
        );
        let lp = match end_let {
            Some((end, hi)) => let_(&end, hi, lp),
            None => lp,
        };
        match range_obj {
            Some((r, value)) => let_(&r, value, lp),
            None => lp,
        }
    }

    /// A `for` over the integers `lo..hi`: the loop starts `cur` at `lo` and is done when
    /// it reaches `end`, a local bound to `hi` around the loop.
    #[allow(clippy::type_complexity)]
    fn count_up(
        &mut self,
        cur: &str,
        lo: core::Expr,
        hi: core::Expr,
        span: Span,
    ) -> (
        bool,
        core::Expr,
        core::Expr,
        core::Expr,
        Option<(String, core::Expr)>,
    ) {
        let end = self.cx.fresh("end");
        let done = prim(
            Prim::ICmp(Cmp::Ge),
            vec![var(cur, CTy::Int, span), var(&end, CTy::Int, span)],
            span,
        );
        (true, lo, done, var(cur, CTy::Int, span), Some((end, hi)))
    }

    pub(crate) fn while_loop(&mut self, cond: &Expr, body: &[Stmt], span: Span) -> core::Expr {
        let label = self.cx.fresh("while");
        let c = self.expr(cond, false);
        self.loops.push(LoopCtx {
            label: label.clone(),
            kind: LoopKind::While,
        });
        let b = self.block(body, false, span);
        self.loops.pop();
        let again = mk(
            core::ExprKind::Recur {
                label: label.clone(),
                args: vec![],
            },
            CTy::Unit,
            span,
        );
        let step = mk(
            core::ExprKind::Seq(Box::new(b), Box::new(again)),
            CTy::Unit,
            span,
        );
        let body = if_(c, step, mk(core::ExprKind::Unit, CTy::Unit, span));
        mk(
            core::ExprKind::Loop {
                label,
                params: vec![],
                inits: vec![],
                body: Box::new(body),
            },
            CTy::Unit,
            span,
        )
    }

    pub(crate) fn break_continue(&mut self, is_break: bool, span: Span) -> core::Expr {
        let Some(lp) = self.loops.last() else {
            return self.unsupported("`break`/`continue` outside loops", span);
        };
        let label = lp.label.clone();
        match &lp.kind {
            LoopKind::While if is_break => mk(
                core::ExprKind::Exit {
                    label,
                    value: Box::new(mk(core::ExprKind::Unit, CTy::Unit, span)),
                },
                CTy::Unit,
                span,
            ),
            LoopKind::While => mk(
                core::ExprKind::Recur {
                    label,
                    args: vec![],
                },
                CTy::Unit,
                span,
            ),
            LoopKind::For {
                cur,
                acc,
                range,
                elem,
            } => {
                let (cur, acc, range, elem) = (cur.clone(), acc.clone(), *range, *elem);
                if is_break {
                    let done = self.reverse(var(&acc, CTy::Obj, span), elem, span);
                    mk(
                        core::ExprKind::Exit {
                            label,
                            value: Box::new(done),
                        },
                        CTy::Unit,
                        span,
                    )
                } else {
                    let next = self.next(&cur, range, span);
                    mk(
                        core::ExprKind::Recur {
                            label,
                            args: vec![next, var(&acc, CTy::Obj, span)],
                        },
                        CTy::Unit,
                        span,
                    )
                }
            }
        }
    }
}
