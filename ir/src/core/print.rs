//! Printer for `core`: one S-expression per function, types on binders.

use super::*;
use std::fmt::Write;

pub fn print(p: &Program) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "(entry {})", p.entry);
    for x in &p.externs {
        let ty = |t: &RtTy| match t {
            RtTy::Is(t) => t.name(),
            RtTy::Word => "Word",
        };
        let ps: Vec<&str> = x.params.iter().map(ty).collect();
        let flags = [(x.owns, " owns"), (x.located, " located")]
            .iter()
            .filter(|(on, _)| *on)
            .map(|(_, f)| *f)
            .collect::<String>();
        let _ = writeln!(
            out,
            "(extern {} ({}) : {}{flags})",
            x.symbol,
            ps.join(" "),
            ty(&x.ret)
        );
    }
    for f in &p.fns {
        let ps: Vec<String> = f
            .params
            .iter()
            .map(|(n, t)| format!("[{n} {}]", t.name()))
            .collect();
        let _ = write!(
            out,
            "(define ({} {}) : {}\n  ",
            f.name,
            ps.join(" "),
            f.ret.name()
        );
        expr(&mut out, &f.body, 1);
        out.push_str(")\n");
    }
    out
}

fn nl(out: &mut String, depth: usize) {
    out.push('\n');
    for _ in 0..=depth {
        out.push_str("  ");
    }
}

fn expr(out: &mut String, e: &Expr, d: usize) {
    match &e.kind {
        ExprKind::Int(n) => {
            let _ = write!(out, "{n}");
        }
        ExprKind::Float(f) => {
            let _ = write!(out, "{f:?}");
        }
        ExprKind::Bool(b) => {
            let _ = write!(out, "{b}");
        }
        ExprKind::Str(s) => {
            let _ = write!(out, "{s:?}");
        }
        ExprKind::Unit => out.push_str("()"),
        ExprKind::Var(v) => out.push_str(v),
        ExprKind::Let(n, v, b) => {
            let _ = write!(out, "(let [{n} : {} ", v.ty.name());
            expr(out, v, d + 1);
            out.push(']');
            nl(out, d);
            expr(out, b, d);
            out.push(')');
        }
        ExprKind::Seq(a, b) => {
            out.push_str("(seq ");
            expr(out, a, d + 1);
            nl(out, d);
            expr(out, b, d);
            out.push(')');
        }
        ExprKind::If(c, t, f) => {
            out.push_str("(if ");
            expr(out, c, d + 1);
            nl(out, d + 1);
            expr(out, t, d + 1);
            nl(out, d + 1);
            expr(out, f, d + 1);
            out.push(')');
        }
        ExprKind::Call { func, args, tail } => {
            let _ = write!(out, "({}{func}", if *tail { "tail-call " } else { "call " });
            for a in args {
                out.push(' ');
                expr(out, a, d + 1);
            }
            out.push(')');
        }
        ExprKind::Prim(p, args) => {
            let _ = write!(out, "({}", p.name());
            for a in args {
                out.push(' ');
                expr(out, a, d + 1);
            }
            out.push(')');
        }
        ExprKind::Fail(m) => {
            let _ = write!(out, "(fail {m:?})");
        }
        ExprKind::Alloc { tag, fields } => {
            let _ = write!(out, "(alloc #{tag}");
            for a in fields {
                out.push(' ');
                expr(out, a, d + 1);
            }
            out.push(')');
        }
        ExprKind::Reuse {
            token,
            tag,
            fields,
            fits,
        } => {
            let at = if *fits { "alloc-in-fit" } else { "alloc-in" };
            let _ = write!(out, "({at} {token} #{tag}");
            for a in fields {
                out.push(' ');
                expr(out, a, d + 1);
            }
            out.push(')');
        }
        ExprKind::Load(o, i) => {
            let _ = write!(out, "(load.{} ", e.ty.name());
            expr(out, o, d + 1);
            let _ = write!(out, " {i})");
        }
        ExprKind::Return(v) => {
            out.push_str("(return ");
            expr(out, v, d + 1);
            out.push(')');
        }
        ExprKind::Loop {
            label,
            params,
            inits,
            body,
        } => {
            let _ = write!(out, "(loop {label} (");
            for (i, ((n, t), v)) in params.iter().zip(inits).enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                let _ = write!(out, "[{n} : {} ", t.name());
                expr(out, v, d + 1);
                out.push(']');
            }
            out.push(')');
            nl(out, d);
            expr(out, body, d);
            out.push(')');
        }
        ExprKind::Recur { label, args } => {
            let _ = write!(out, "(recur {label}");
            for a in args {
                out.push(' ');
                expr(out, a, d + 1);
            }
            out.push(')');
        }
        ExprKind::Exit { label, value } => {
            let _ = write!(out, "(exit {label} ");
            expr(out, value, d + 1);
            out.push(')');
        }
        ExprKind::Lambda {
            params,
            ret,
            body,
            env,
        } => {
            let ps: Vec<String> = params
                .iter()
                .map(|(n, t)| format!("[{n} {}]", t.name()))
                .collect();
            match env {
                None => {
                    let _ = write!(out, "(lambda ({}) : {}", ps.join(" "), ret.name());
                }
                Some(c) => {
                    let cs: Vec<String> = c
                        .captured
                        .iter()
                        .map(|(n, t)| format!("[{n} {}]", t.name()))
                        .collect();
                    let _ = write!(
                        out,
                        "(closed-lambda [env {}] ({}) captures ({}) : {}",
                        c.param,
                        ps.join(" "),
                        cs.join(" "),
                        ret.name()
                    );
                }
            }
            nl(out, d);
            expr(out, body, d);
            out.push(')');
        }
        ExprKind::Dup(v) => {
            let _ = write!(out, "(dup {v})");
        }
        ExprKind::Drop(v, body) => {
            let _ = write!(out, "(drop {v}");
            nl(out, d);
            expr(out, body, d);
            out.push(')');
        }
        ExprKind::Runtime(f, args) => {
            let _ = write!(out, "(runtime {f}");
            for a in args {
                out.push(' ');
                expr(out, a, d + 1);
            }
            out.push(')');
        }
        ExprKind::FnRef(f) => {
            let _ = write!(out, "(fn-ref {f})");
        }
        ExprKind::CallClosure {
            closure,
            args,
            tail,
        } => {
            out.push_str(if *tail {
                "(tail-call-closure "
            } else {
                "(call-closure "
            });
            expr(out, closure, d + 1);
            for a in args {
                out.push(' ');
                expr(out, a, d + 1);
            }
            out.push(')');
        }
        ExprKind::Tag(o) => {
            out.push_str("(tag ");
            expr(out, o, d + 1);
            out.push(')');
        }
    }
}
