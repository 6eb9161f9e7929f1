//! `match-compile : mono -> matched` — pattern matching compiled to decision trees
//! (Maranget, *Compiling Pattern Matching to Good Decision Trees*, ML Workshop 2008).
//!
//! Every `case` becomes a tree of one-test `case`s: the arms form a clause matrix (one
//! row per arm, one column per value still to test — the scrutinee, or the components
//! of a tuple scrutinee, which is then never built); a column is chosen by the
//! first-row heuristic (the first column where the first row has a constructor or a
//! literal) and the matrix is *specialised* for each constructor seen in that column
//! (its fields become new columns) plus a *default* matrix for the others, until the
//! first row matches everything (a leaf: its guard, if any, falls back to the rest).
//! Each value is tested at most once on any path.
//!
//! A tree may reach one arm from several leaves (a wildcard row is copied into every
//! branch). Small arm bodies are then simply copied; otherwise the tree computes the
//! arm's number and a second `case` on that number runs each body once, re-reading its
//! variables along their paths from the scrutinee (data is immutable, so the reads see
//! what the tests saw). Paper: `papers/match-compile.md`.

use crate::{Pass, PassCx};
use mesh_ir::surface::patterns::expand_binding_ors;
use mesh_ir::surface::*;
use mesh_ir::types::{Ty, TypeDefs};
use mesh_ir::Span;

pub struct MatchCompile;

impl Pass for MatchCompile {
    const NAME: &'static str = "match-compile";
    type In = Mono;
    type Out = Matched;
    fn run(&self, Mono(mut p, defs): Mono, cx: &mut PassCx) -> Matched {
        let mut c = Compiler {
            defs: &defs,
            cx,
            guarded: vec![],
            used: vec![],
            budget: 0,
            entries: vec![],
        };
        visit::exprs_mut(&mut p, &mut |e| {
            if matches!(e.kind, ExprKind::Case { .. }) {
                let old = std::mem::replace(&mut e.kind, ExprKind::Unit);
                let ExprKind::Case { scrutinee, arms } = old else {
                    unreachable!()
                };
                let ty = e.ty.clone().unwrap_or(Ty::Unit);
                *e = c.case(*scrutinee, arms, ty, e.span);
            }
        });
        Matched(p, defs)
    }
}

/// Arm bodies up to this many expression nodes are copied into every leaf reaching them.
const SMALL_BODY: usize = 12;

/// Decision-tree nodes allowed per `case` (plus 16 per arm) before the linear
/// row-by-row form is used instead.
const TREE_BUDGET: usize = 256;

/// The test of one pattern of one row, in the linear fallback.
enum Plan {
    Nothing,
    Bind(String, usize),
    Seq(Vec<Plan>),
    /// Any of the alternatives matches (they bind nothing).
    Any(Vec<Plan>),
    /// The head matches; fields (occurrence, read?) then their own plans.
    Test(usize, Head, Vec<(usize, bool)>, Vec<Plan>),
}

impl Plan {
    /// `k` (a `Bool`) under this plan's tests: false as soon as one fails.
    fn wrap(self, k: Expr, occs: &[Occ], span: Span) -> Expr {
        let bool_ = Ty::Bool;
        let no = || typed(ExprKind::Bool(false), &Ty::Bool, span);
        match self {
            Plan::Nothing => k,
            Plan::Bind(x, o) => {
                block_expr(vec![alias(&x, &occs[o], span), expr_stmt(k)], &bool_, span)
            }
            Plan::Seq(ps) => ps.into_iter().rev().fold(k, |k, p| p.wrap(k, occs, span)),
            Plan::Any(alts) => {
                let yes = || typed(ExprKind::Bool(true), &Ty::Bool, span);
                let any = alts
                    .into_iter()
                    .map(|p| p.wrap(yes(), occs, span))
                    .reduce(|a, b| {
                        typed(
                            ExprKind::Binary(BinOp::Or, Box::new(a), Box::new(b)),
                            &bool_,
                            span,
                        )
                    })
                    .unwrap_or_else(no);
                typed(
                    ExprKind::If {
                        cond: Box::new(any),
                        then: vec![expr_stmt(k)],
                        else_: Some(vec![expr_stmt(no())]),
                    },
                    &bool_,
                    span,
                )
            }
            Plan::Test(o, h, fields, plans) => {
                let inner = plans
                    .into_iter()
                    .rev()
                    .fold(k, |k, p| p.wrap(k, occs, span));
                let o_ty = occs[o].ty.clone();
                let vars = fields
                    .iter()
                    .map(|(f, read)| field_pat(&occs[*f], *read, span))
                    .collect();
                let mut arms = vec![Arm {
                    pat: simple(&h, vars, &o_ty, span),
                    guard: None,
                    body: vec![expr_stmt(inner)],
                    span,
                }];
                if h != Head::Tuple {
                    arms.push(Arm {
                        pat: wild(&o_ty, span),
                        guard: None,
                        body: vec![expr_stmt(no())],
                        span,
                    });
                }
                typed(
                    ExprKind::Case {
                        scrutinee: Box::new(typed(
                            ExprKind::Var(occs[o].name.clone()),
                            &o_ty,
                            span,
                        )),
                        arms,
                    },
                    &bool_,
                    span,
                )
            }
        }
    }
}

/// What a column tests: a constructor (or tuple) with its arity, or a literal.
#[derive(Clone, Debug, PartialEq)]
enum Head {
    Variant {
        ty: String,
        index: usize,
        name: String,
    },
    Tuple,
    Lit(PatKind),
}

/// A value the tree tests or binds: a local, reached from a root (a scrutinee local)
/// through fields of constructors.
struct Occ {
    name: String,
    ty: Ty,
    /// Parent occurrence, its head, this field's index, the types of all its fields.
    parent: Option<(usize, Head, usize, Vec<Ty>)>,
}

#[derive(Clone)]
struct Row {
    pats: Vec<Pat>,
    /// Pattern variables bound so far: name → occurrence.
    binds: Vec<(String, usize)>,
    arm: usize,
}

enum Tree {
    Fail,
    Leaf {
        arm: usize,
        binds: Vec<(String, usize)>,
    },
    Guard {
        arm: usize,
        binds: Vec<(String, usize)>,
        rest: Box<Tree>,
    },
    Switch {
        occ: usize,
        /// Head, the occurrences of its fields, the subtree.
        branches: Vec<(Head, Vec<usize>, Tree)>,
        default: Option<Box<Tree>>,
    },
}

struct Compiler<'a> {
    defs: &'a TypeDefs,
    cx: &'a mut PassCx,
    /// Which arms of the `case` being compiled have a guard.
    guarded: Vec<bool>,
    /// Which occurrences its tree tests or binds.
    used: Vec<bool>,
    /// Tree nodes the `case` being compiled may still use.
    budget: usize,
    /// In a tree that picks an entry: arm, bindings, their paths (`leaf_entries`).
    entries: Vec<(usize, Vec<(String, usize)>, String)>,
}

fn wild(ty: &Ty, span: Span) -> Pat {
    Pat {
        kind: PatKind::Wild,
        span,
        ty: Some(ty.clone()),
    }
}

fn typed(kind: ExprKind, ty: &Ty, span: Span) -> Expr {
    Expr {
        kind,
        span,
        ty: Some(ty.clone()),
    }
}

fn expr_stmt(e: Expr) -> Stmt {
    let span = e.span;
    Stmt {
        kind: StmtKind::Expr(e),
        span,
    }
}

/// A block as an expression: `case () do _ -> block end`.
fn block_expr(mut b: Block, ty: &Ty, span: Span) -> Expr {
    if b.len() == 1 {
        if let StmtKind::Expr(_) = &b[0].kind {
            let StmtKind::Expr(e) = b.pop().unwrap().kind else {
                unreachable!()
            };
            return e;
        }
    }
    typed(
        ExprKind::Case {
            scrutinee: Box::new(typed(ExprKind::Unit, &Ty::Unit, span)),
            arms: vec![Arm {
                pat: wild(&Ty::Unit, span),
                guard: None,
                body: b,
                span,
            }],
        },
        ty,
        span,
    )
}

/// Expression nodes in `b` (to decide whether copying an arm body is cheap).
fn size(b: &Block) -> usize {
    let mut b = b.clone();
    let mut n = 0;
    visit::block_mut(&mut b, &mut |_| n += 1);
    n
}

fn arity(h: &Head, p: &Pat) -> usize {
    match (&p.kind, h) {
        (PatKind::Tuple(ps), _) | (PatKind::Variant { args: ps, .. }, _) => ps.len(),
        _ => 0,
    }
}

fn head_of(p: &Pat) -> Option<Head> {
    match &p.kind {
        PatKind::Variant {
            ty, index, name, ..
        } => Some(Head::Variant {
            ty: ty.clone(),
            index: *index,
            name: name.clone(),
        }),
        PatKind::Tuple(_) => Some(Head::Tuple),
        PatKind::Wild | PatKind::Var(_) | PatKind::As(..) | PatKind::Or(_) => None,
        k => Some(Head::Lit(k.clone())),
    }
}

impl Compiler<'_> {
    fn case(&mut self, scrutinee: Expr, arms: Vec<Arm>, ty: Ty, span: Span) -> Expr {
        let mut occs: Vec<Occ> = Vec::new();
        let mut prelude: Block = Vec::new();
        // a tuple scrutinee matched by tuple patterns (merged clauses) is not built:
        // each component is a column of its own
        let tuple_columns = match &scrutinee.kind {
            ExprKind::Tuple(es) => arms.iter().all(|a| {
                matches!(&a.pat.kind, PatKind::Tuple(ps) if ps.len() == es.len())
                    || matches!(a.pat.kind, PatKind::Wild)
            }),
            _ => false,
        };
        let roots: Vec<Expr> = match scrutinee.kind {
            ExprKind::Tuple(es) if tuple_columns => es,
            _ => vec![scrutinee],
        };
        for r in roots {
            let name = self.cx.fresh("m");
            let rty = r.ty.clone().unwrap_or(Ty::Unit);
            let rspan = r.span;
            prelude.push(let_stmt(name.clone(), rty.clone(), r, rspan));
            occs.push(Occ {
                name,
                ty: rty,
                parent: None,
            });
        }
        let columns: Vec<usize> = (0..occs.len()).collect();
        self.guarded = arms.iter().map(|a| a.guard.is_some()).collect();
        let rows: Vec<Row> = arms
            .iter()
            .enumerate()
            .map(|(i, a)| Row {
                pats: match &a.pat.kind {
                    PatKind::Tuple(ps) if tuple_columns => ps.clone(),
                    _ if tuple_columns => occs.iter().map(|o| wild(&o.ty, a.pat.span)).collect(),
                    _ => vec![a.pat.clone()],
                },
                binds: vec![],
                arm: i,
            })
            .collect();
        self.budget = TREE_BUDGET + 16 * arms.len();
        let tree = self.compile(&mut occs, columns.clone(), rows.clone());
        let mut out = prelude;
        let int = Ty::Int;
        // code giving an entry's number, and the entries: an arm with the occurrences of
        // its variables (an arm matched through different alternatives of a binding
        // or-pattern is one entry per alternative)
        let (pick, entries): (Block, Vec<(usize, Vec<(String, usize)>)>) = if self.budget == 0 {
            // the tree would be too big: test the rows one after the other instead
            self.row_chain(&mut occs, &columns, &rows, &arms, span)
        } else {
            let mut reached = vec![0usize; arms.len()];
            count_leaves(&tree, &mut reached);
            let shared = arms
                .iter()
                .enumerate()
                .any(|(i, a)| reached[i] > 1 && size(&a.body) > SMALL_BODY);
            self.used = vec![false; occs.len()];
            mark_used(&tree, &mut self.used);
            if !shared {
                out.extend(self.emit(&tree, &occs, &arms, &ty, false, span));
                return block_expr(out, &ty, span);
            }
            self.entries = leaf_entries(&tree, &occs);
            let pick = self.emit(&tree, &occs, &arms, &int, true, span);
            let entries = std::mem::take(&mut self.entries)
                .into_iter()
                .map(|(arm, binds, _)| (arm, binds))
                .collect();
            (pick, entries)
        };
        // each body runs once, after the arm is chosen
        let k = self.cx.fresh("arm");
        out.push(let_stmt(
            k.clone(),
            Ty::Int,
            block_expr(pick, &int, span),
            span,
        ));
        let mut dispatch = Vec::new();
        for (i, (arm, binds)) in entries.iter().enumerate() {
            let a = &arms[*arm];
            let mut body = self.rebind(binds, &occs, a.span);
            body.extend(a.body.iter().cloned());
            dispatch.push(Arm {
                pat: Pat {
                    kind: PatKind::Int(i as i64),
                    span: a.span,
                    ty: Some(Ty::Int),
                },
                guard: None,
                body,
                span: a.span,
            });
        }
        dispatch.push(Arm {
            pat: wild(&Ty::Int, span),
            guard: None,
            body: vec![expr_stmt(fail(&ty, span))],
            span,
        });
        out.push(expr_stmt(typed(
            ExprKind::Case {
                scrutinee: Box::new(typed(ExprKind::Var(k), &Ty::Int, span)),
                arms: dispatch,
            },
            &ty,
            span,
        )));
        block_expr(out, &ty, span)
    }

    /// The linear fallback for matrices whose decision tree exceeds the budget (decision
    /// trees can be exponential, Maranget 2008 §3): `if row 0 matches do 0 else if row 1
    /// matches do 1 …`, each row's test a chain of one-test `case`s ending in its guard
    /// (a backtracking automaton, Augustsson 1985: values may be tested again, but the
    /// code is as big as the patterns).
    fn row_chain(
        &mut self,
        occs: &mut Vec<Occ>,
        cols: &[usize],
        rows: &[Row],
        arms: &[Arm],
        span: Span,
    ) -> (Block, Vec<(usize, Vec<(String, usize)>)>) {
        // an or-pattern whose alternatives bind variables becomes one row each, so that
        // every row binds its variables in one place
        let rows: Vec<Row> = rows
            .iter()
            .flat_map(|r| {
                expand_binding_ors(&r.pats).into_iter().map(|pats| Row {
                    pats,
                    binds: r.binds.clone(),
                    arm: r.arm,
                })
            })
            .collect();
        let mut entries = vec![(0, vec![]); rows.len()];
        let mut chain = fail(&Ty::Int, span);
        for (id, r) in rows.iter().enumerate().rev() {
            let a = &arms[r.arm];
            let mut bs = Vec::new();
            let mut k = a
                .guard
                .clone()
                .unwrap_or_else(|| typed(ExprKind::Bool(true), &Ty::Bool, a.span));
            // tests nest right to left: the last column's test is innermost
            let tests: Vec<(Pat, usize)> =
                r.pats.iter().cloned().zip(cols.iter().copied()).collect();
            let mut per_col = Vec::new();
            for (p, o) in &tests {
                per_col.push(self.test_plan(p, *o, occs, &mut bs));
            }
            for plan in per_col.into_iter().rev() {
                k = plan.wrap(k, occs, span);
            }
            entries[id] = (r.arm, bs);
            chain = typed(
                ExprKind::If {
                    cond: Box::new(k),
                    then: vec![expr_stmt(typed(ExprKind::Int(id as i64), &Ty::Int, a.span))],
                    else_: Some(vec![expr_stmt(chain)]),
                },
                &Ty::Int,
                a.span,
            );
        }
        (vec![expr_stmt(chain)], entries)
    }

    /// How to test pattern `p` on occurrence `o` (creating occurrences for its fields
    /// and recording the variables it binds).
    fn test_plan(
        &mut self,
        p: &Pat,
        o: usize,
        occs: &mut Vec<Occ>,
        binds: &mut Vec<(String, usize)>,
    ) -> Plan {
        match &p.kind {
            PatKind::Wild => Plan::Nothing,
            PatKind::Var(x) => {
                binds.push((x.clone(), o));
                Plan::Bind(x.clone(), o)
            }
            PatKind::As(q, x) => {
                binds.push((x.clone(), o));
                let inner = self.test_plan(q, o, occs, binds);
                Plan::Seq(vec![Plan::Bind(x.clone(), o), inner])
            }
            PatKind::Or(alts) => {
                // alternatives bind no variables (spec 02 §6.1)
                let plans = alts
                    .iter()
                    .map(|q| self.test_plan(q, o, occs, &mut Vec::new()))
                    .collect();
                Plan::Any(plans)
            }
            _ => {
                let Some(h) = head_of(p) else {
                    return Plan::Nothing;
                };
                let sub: Vec<Pat> = match &p.kind {
                    PatKind::Tuple(ps) | PatKind::Variant { args: ps, .. } => ps.clone(),
                    _ => vec![],
                };
                let tys: Vec<Ty> = sub
                    .iter()
                    .map(|q| q.ty.clone().unwrap_or(Ty::Unit))
                    .collect();
                let mut fields = Vec::new();
                let mut plans = Vec::new();
                for (i, q) in sub.iter().enumerate() {
                    let name = self.cx.fresh("f");
                    occs.push(Occ {
                        name,
                        ty: tys[i].clone(),
                        parent: Some((o, h.clone(), i, tys.clone())),
                    });
                    let f = occs.len() - 1;
                    fields.push((f, !matches!(q.kind, PatKind::Wild)));
                    plans.push(self.test_plan(q, f, occs, binds));
                }
                Plan::Test(o, h, fields, plans)
            }
        }
    }

    /// Maranget's `CC(occurrences, matrix)`.
    fn compile(&mut self, occs: &mut Vec<Occ>, cols: Vec<usize>, rows: Vec<Row>) -> Tree {
        // every node spends one unit; an exhausted budget stops building (`case` then
        // falls back to `row_chain`)
        if self.budget == 0 {
            return Tree::Fail;
        }
        self.budget -= 1;
        let mut rows: Vec<Row> = rows.into_iter().map(|r| normalize(r, &cols)).collect();
        if rows.is_empty() {
            return Tree::Fail;
        }
        let Some(col) = rows[0]
            .pats
            .iter()
            .position(|p| !matches!(p.kind, PatKind::Wild))
        else {
            // the first row matches: a leaf (its guard falls back to the other rows)
            let first = rows.remove(0);
            if !self.guarded[first.arm] {
                return Tree::Leaf {
                    arm: first.arm,
                    binds: first.binds,
                };
            }
            return Tree::Guard {
                arm: first.arm,
                binds: first.binds,
                rest: Box::new(self.compile(occs, cols, rows)),
            };
        };
        // or-patterns in the chosen column: one row per alternative
        let rows = expand_or(rows, col, &cols);
        let occ = cols[col];
        let mut heads: Vec<(Head, Pat)> = Vec::new();
        for r in &rows {
            if let Some(h) = head_of(&r.pats[col]) {
                if !heads.iter().any(|(x, _)| *x == h) {
                    heads.push((h, r.pats[col].clone()));
                }
            }
        }
        let complete = match heads.first().map(|h| &h.0) {
            Some(Head::Tuple) => true,
            Some(Head::Variant { ty, .. }) => self
                .defs
                .types
                .get(ty)
                .is_some_and(|d| d.variants().len() == heads.len()),
            Some(Head::Lit(PatKind::Bool(_))) => heads.len() == 2,
            _ => false,
        };
        let mut branches = Vec::new();
        for (h, example) in heads {
            let n = arity(&h, &example);
            let field_tys: Vec<Ty> = match &example.kind {
                PatKind::Tuple(ps) | PatKind::Variant { args: ps, .. } => ps
                    .iter()
                    .map(|q| q.ty.clone().unwrap_or(Ty::Unit))
                    .collect(),
                _ => vec![],
            };
            let fields: Vec<usize> = (0..n)
                .map(|i| {
                    let name = self.cx.fresh("f");
                    occs.push(Occ {
                        name,
                        ty: field_tys[i].clone(),
                        parent: Some((occ, h.clone(), i, field_tys.clone())),
                    });
                    occs.len() - 1
                })
                .collect();
            let mut sub_cols = cols[..col].to_vec();
            sub_cols.extend(&fields);
            sub_cols.extend(&cols[col + 1..]);
            let sub_rows: Vec<Row> = rows
                .iter()
                .filter_map(|r| {
                    let p = &r.pats[col];
                    let args: Vec<Pat> = match (&p.kind, head_of(p)) {
                        (PatKind::Wild, _) => field_tys.iter().map(|t| wild(t, p.span)).collect(),
                        (PatKind::Tuple(ps), Some(x))
                        | (PatKind::Variant { args: ps, .. }, Some(x))
                            if x == h =>
                        {
                            ps.clone()
                        }
                        (_, Some(x)) if x == h => vec![],
                        _ => return None,
                    };
                    let mut pats = r.pats[..col].to_vec();
                    pats.extend(args);
                    pats.extend(r.pats[col + 1..].iter().cloned());
                    Some(Row {
                        pats,
                        binds: r.binds.clone(),
                        arm: r.arm,
                    })
                })
                .collect();
            let t = self.compile(occs, sub_cols, sub_rows);
            branches.push((h, fields, t));
        }
        let default = if complete {
            None
        } else {
            let mut d_cols = cols.clone();
            d_cols.remove(col);
            let d_rows: Vec<Row> = rows
                .iter()
                .filter(|r| matches!(r.pats[col].kind, PatKind::Wild))
                .map(|r| {
                    let mut r = r.clone();
                    r.pats.remove(col);
                    r
                })
                .collect();
            Some(Box::new(self.compile(occs, d_cols, d_rows)))
        };
        Tree::Switch {
            occ,
            branches,
            default,
        }
    }

    /// The tree as surface code; `pick`: leaves give their arm's number instead of
    /// running its body.
    fn emit(
        &mut self,
        t: &Tree,
        occs: &[Occ],
        arms: &[Arm],
        ty: &Ty,
        pick: bool,
        span: Span,
    ) -> Block {
        match t {
            Tree::Fail => vec![expr_stmt(fail(ty, span))],
            Tree::Leaf { arm, binds } => self.leaf(*arm, binds, occs, arms, ty, pick),
            Tree::Guard { arm, binds, rest } => {
                let a = &arms[*arm];
                let g = a.guard.clone().expect("a guarded leaf has a guard");
                let mut gb = lets(binds, occs, a.span);
                gb.push(expr_stmt(g));
                let guard = block_expr(gb, &Ty::Bool, a.span);
                let then = self.leaf(*arm, binds, occs, arms, ty, pick);
                let rest = self.emit(rest, occs, arms, ty, pick, span);
                vec![expr_stmt(typed(
                    ExprKind::Case {
                        scrutinee: Box::new(typed(ExprKind::Unit, &Ty::Unit, a.span)),
                        arms: vec![
                            Arm {
                                pat: wild(&Ty::Unit, a.span),
                                guard: Some(guard),
                                body: then,
                                span: a.span,
                            },
                            Arm {
                                pat: wild(&Ty::Unit, a.span),
                                guard: None,
                                body: rest,
                                span,
                            },
                        ],
                    },
                    ty,
                    a.span,
                ))]
            }
            Tree::Switch {
                occ,
                branches,
                default,
            } => {
                let o = &occs[*occ];
                let mut out_arms = Vec::new();
                for (h, fields, sub) in branches {
                    let body = self.emit(sub, occs, arms, ty, pick, span);
                    // fields nothing tests or binds are not read
                    let vars: Vec<Pat> = fields
                        .iter()
                        .map(|f| field_pat(&occs[*f], self.used[*f], span))
                        .collect();
                    out_arms.push(Arm {
                        pat: simple(h, vars, &o.ty, span),
                        guard: None,
                        body,
                        span,
                    });
                }
                if let Some(d) = default {
                    out_arms.push(Arm {
                        pat: wild(&o.ty, span),
                        guard: None,
                        body: self.emit(d, occs, arms, ty, pick, span),
                        span,
                    });
                }
                vec![expr_stmt(typed(
                    ExprKind::Case {
                        scrutinee: Box::new(typed(ExprKind::Var(o.name.clone()), &o.ty, span)),
                        arms: out_arms,
                    },
                    ty,
                    span,
                ))]
            }
        }
    }

    fn leaf(
        &mut self,
        arm: usize,
        binds: &[(String, usize)],
        occs: &[Occ],
        arms: &[Arm],
        ty: &Ty,
        pick: bool,
    ) -> Block {
        let a = &arms[arm];
        if pick {
            let key = (arm, bind_paths(binds, occs));
            let id = self
                .entries
                .iter()
                .position(|(x, _, k)| (*x, k) == (key.0, &key.1))
                .expect("every leaf has an entry");
            return vec![expr_stmt(typed(ExprKind::Int(id as i64), ty, a.span))];
        }
        let mut b = lets(binds, occs, a.span);
        b.extend(a.body.iter().cloned());
        b
    }

    /// `let x = …` for each variable, re-read along its occurrence's path from a root.
    fn rebind(&mut self, binds: &[(String, usize)], occs: &[Occ], span: Span) -> Block {
        binds
            .iter()
            .map(|(x, o)| {
                let_stmt(
                    x.clone(),
                    occs[*o].ty.clone(),
                    self.read(*o, occs, span),
                    span,
                )
            })
            .collect()
    }

    /// The value of occurrence `o`, read from its root through one-arm `case`s.
    fn read(&mut self, o: usize, occs: &[Occ], span: Span) -> Expr {
        let occ = &occs[o];
        let Some((parent, h, i, tys)) = &occ.parent else {
            return typed(ExprKind::Var(occ.name.clone()), &occ.ty, span);
        };
        let from = self.read(*parent, occs, span);
        let v = self.cx.fresh("f");
        let pats: Vec<Pat> = tys
            .iter()
            .enumerate()
            .map(|(j, t)| {
                if j == *i {
                    Pat {
                        kind: PatKind::Var(v.clone()),
                        span,
                        ty: Some(t.clone()),
                    }
                } else {
                    wild(t, span)
                }
            })
            .collect();
        // a one-arm case tests constructors of a local only (the `matched` invariant)
        let pty = occs[*parent].ty.clone();
        let tmp = self.cx.fresh("m");
        let body = vec![
            let_stmt(tmp.clone(), pty.clone(), from, span),
            expr_stmt(typed(
                ExprKind::Case {
                    scrutinee: Box::new(typed(ExprKind::Var(tmp), &pty, span)),
                    arms: vec![Arm {
                        pat: simple(h, pats, &pty, span),
                        guard: None,
                        body: vec![expr_stmt(typed(ExprKind::Var(v), &occ.ty, span))],
                        span,
                    }],
                },
                &occ.ty,
                span,
            )),
        ];
        block_expr(body, &occ.ty, span)
    }
}

/// `let name = value` (of type `ty`).
fn let_stmt(name: impl Into<String>, ty: Ty, value: Expr, span: Span) -> Stmt {
    Stmt {
        span,
        kind: StmtKind::Let {
            pat: Pat {
                kind: PatKind::Var(name.into()),
                span,
                ty: Some(ty),
            },
            ty: None,
            value,
        },
    }
}

/// The sub-pattern naming a field's occurrence, or `_` when nothing reads it.
fn field_pat(o: &Occ, read: bool, span: Span) -> Pat {
    Pat {
        kind: if read {
            PatKind::Var(o.name.clone())
        } else {
            PatKind::Wild
        },
        span,
        ty: Some(o.ty.clone()),
    }
}

/// `let x = <the occurrence's local>`.
fn alias(x: &str, o: &Occ, span: Span) -> Stmt {
    let_stmt(
        x,
        o.ty.clone(),
        typed(ExprKind::Var(o.name.clone()), &o.ty, span),
        span,
    )
}

/// `let x = occ` for the variables a leaf binds.
fn lets(binds: &[(String, usize)], occs: &[Occ], span: Span) -> Block {
    binds
        .iter()
        .map(|(x, o)| alias(x, &occs[*o], span))
        .collect()
}

/// A one-test pattern for head `h` with sub-patterns `args`.
fn simple(h: &Head, args: Vec<Pat>, ty: &Ty, span: Span) -> Pat {
    let kind = match h {
        Head::Variant { ty, index, name } => PatKind::Variant {
            ty: ty.clone(),
            index: *index,
            name: name.clone(),
            args,
        },
        Head::Tuple => PatKind::Tuple(args),
        Head::Lit(k) => k.clone(),
    };
    Pat {
        kind,
        span,
        ty: Some(ty.clone()),
    }
}

/// A match failure (unreachable after `check-exhaustiveness`): a `case` with no arms,
/// which `explicate-core` turns into "no clause matched" at this location.
fn fail(ty: &Ty, span: Span) -> Expr {
    typed(
        ExprKind::Case {
            scrutinee: Box::new(typed(ExprKind::Unit, &Ty::Unit, span)),
            arms: vec![],
        },
        ty,
        span,
    )
}

/// Moves variables (and `as` names) out of the patterns into the row's bindings.
fn normalize(mut r: Row, cols: &[usize]) -> Row {
    for (j, p) in r.pats.iter_mut().enumerate() {
        loop {
            match std::mem::replace(&mut p.kind, PatKind::Wild) {
                PatKind::Var(x) => r.binds.push((x, cols[j])),
                PatKind::As(q, x) => {
                    r.binds.push((x, cols[j]));
                    *p = *q;
                    continue;
                }
                k => p.kind = k,
            }
            break;
        }
    }
    r
}

/// Rows whose pattern in `col` is an or-pattern, one per alternative.
fn expand_or(rows: Vec<Row>, col: usize, cols: &[usize]) -> Vec<Row> {
    let mut out = Vec::new();
    for r in rows {
        if let PatKind::Or(alts) = &r.pats[col].kind {
            let alts = alts.clone();
            let expanded: Vec<Row> = alts
                .into_iter()
                .map(|a| {
                    let mut r2 = r.clone();
                    r2.pats[col] = a;
                    normalize(r2, cols)
                })
                .collect();
            out.extend(expand_or(expanded, col, cols));
        } else {
            out.push(r);
        }
    }
    out
}

/// Calls `f` on every node of the tree, parents first.
fn walk(t: &Tree, f: &mut impl FnMut(&Tree)) {
    f(t);
    match t {
        Tree::Guard { rest, .. } => walk(rest, f),
        Tree::Switch {
            branches, default, ..
        } => {
            branches.iter().for_each(|b| walk(&b.2, f));
            if let Some(d) = default {
                walk(d, f)
            }
        }
        Tree::Fail | Tree::Leaf { .. } => {}
    }
}

/// The arm and bindings of a leaf (guarded or not).
fn leaf_of(t: &Tree) -> Option<(usize, &[(String, usize)])> {
    match t {
        Tree::Leaf { arm, binds } | Tree::Guard { arm, binds, .. } => Some((*arm, binds)),
        _ => None,
    }
}

fn count_leaves(t: &Tree, reached: &mut [usize]) {
    walk(t, &mut |n| {
        if let Some((arm, _)) = leaf_of(n) {
            reached[arm] += 1
        }
    });
}

/// The distinct (arm, variable paths) of the tree's leaves, in tree order.
fn leaf_entries(t: &Tree, occs: &[Occ]) -> Vec<(usize, Vec<(String, usize)>, String)> {
    let mut out: Vec<(usize, Vec<(String, usize)>, String)> = Vec::new();
    walk(t, &mut |n| {
        if let Some((arm, binds)) = leaf_of(n) {
            let key = bind_paths(binds, occs);
            if !out.iter().any(|(a, _, k)| *a == arm && *k == key) {
                out.push((arm, binds.to_vec(), key));
            }
        }
    });
    out
}

/// Where each variable is read from: its occurrence's path from a root, as text. Two
/// leaves of an arm with the same paths bind the same values.
fn bind_paths(binds: &[(String, usize)], occs: &[Occ]) -> String {
    let path = |mut o: usize| {
        let mut steps = Vec::new();
        while let Some((parent, h, i, _)) = &occs[o].parent {
            steps.push(format!("{h:?}.{i}"));
            o = *parent;
        }
        format!("{}/{}", occs[o].name, steps.join("/"))
    };
    binds
        .iter()
        .map(|(x, o)| format!("{x}={}", path(*o)))
        .collect::<Vec<_>>()
        .join(";")
}

fn mark_used(t: &Tree, used: &mut [bool]) {
    walk(t, &mut |n| {
        if let Some((_, binds)) = leaf_of(n) {
            binds.iter().for_each(|(_, o)| used[*o] = true);
        }
        if let Tree::Switch { occ, .. } = n {
            used[*occ] = true;
        }
    });
}
