//! Printer for `surface`: canonical Mesh source. Binary and unary operations are fully
//! parenthesised so the tree's shape is visible; the output parses back to the same tree
//! (a property test checks this). Inferred types, when present, are shown as
//! `(expr :: Type)` annotations by `typed.rs`, which reuses this printer.

use super::*;
use std::fmt::Write;

pub fn print_program(p: &Program) -> String {
    let mut out = String::new();
    for m in p.modules.iter().filter(|m| !m.library) {
        out.push_str(&print_module(m, false));
    }
    out
}

pub fn print_module(m: &Module, types: bool) -> String {
    let mut pr = Printer {
        out: String::new(),
        indent: 0,
        types,
    };
    let _ = writeln!(pr.out, "# module {}", m.name);
    for item in &m.items {
        pr.item(item);
        pr.out.push('\n');
    }
    pr.out
}

pub(crate) struct Printer {
    pub out: String,
    pub indent: usize,
    /// Show `ty` annotations on expressions (the `typed` view).
    pub types: bool,
}

pub fn escape_str(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            '\0' => out.push_str("\\0"),
            '$' | '#' if chars.peek() == Some(&'{') => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

impl Printer {
    fn nl(&mut self) {
        self.out.push('\n');
        for _ in 0..self.indent {
            self.out.push_str("  ");
        }
    }

    fn sub<F: FnOnce(&mut Printer)>(&self, f: F) -> String {
        let mut p = Printer {
            out: String::new(),
            indent: self.indent,
            types: self.types,
        };
        f(&mut p);
        p.out
    }

    pub fn item(&mut self, item: &Item) {
        match &item.kind {
            ItemKind::Import(path) => {
                let _ = write!(self.out, "import {}", path.join("."));
            }
            ItemKind::ExternType {
                is_pub,
                name,
                generics: gs,
            } => {
                let _ = write!(
                    self.out,
                    "@extern {}type {name}{}",
                    pub_(*is_pub),
                    generics(gs)
                );
            }
            ItemKind::FromImport { path, names, glob } => {
                let list = if *glob {
                    "*".to_string()
                } else {
                    names.join(", ")
                };
                let _ = write!(self.out, "from {} import {}", path.join("."), list);
            }
            ItemKind::Module {
                is_pub,
                path,
                items,
            } => {
                let _ = write!(self.out, "{}module {} do", pub_(*is_pub), path.join("."));
                self.indent += 1;
                for it in items {
                    self.nl();
                    self.item(it);
                }
                self.indent -= 1;
                self.nl();
                self.out.push_str("end");
            }
            ItemKind::Fn(f) => self.fn_def(f),
            ItemKind::Struct(s) => {
                let _ = write!(
                    self.out,
                    "{}struct {}{} do",
                    pub_(s.is_pub),
                    s.name,
                    generics(&s.generics)
                );
                self.indent += 1;
                for (n, t) in &s.fields {
                    self.nl();
                    let _ = write!(self.out, "{n} :: {}", type_str(t));
                }
                for (n, args) in &s.meta {
                    self.nl();
                    self.out.push_str(n);
                    for (i, a) in args.iter().enumerate() {
                        self.out.push_str(if i == 0 { " " } else { ", " });
                        self.expr(a);
                    }
                }
                self.indent -= 1;
                self.nl();
                self.out.push_str("end");
                self.deriving(&s.deriving);
            }
            ItemKind::SumType(s) => {
                let _ = write!(
                    self.out,
                    "{}type {}{} do",
                    pub_(s.is_pub),
                    s.name,
                    generics(&s.generics)
                );
                self.indent += 1;
                for v in &s.variants {
                    self.nl();
                    self.out.push_str(&v.name);
                    if !v.fields.is_empty() {
                        let fs: Vec<String> = v
                            .fields
                            .iter()
                            .map(|(n, t)| match n {
                                Some(n) => format!("{n} :: {}", type_str(t)),
                                None => type_str(t),
                            })
                            .collect();
                        let _ = write!(self.out, "({})", fs.join(", "));
                    }
                }
                self.indent -= 1;
                self.nl();
                self.out.push_str("end");
                self.deriving(&s.deriving);
            }
            ItemKind::TypeAlias {
                is_pub,
                name,
                generics: g,
                ty,
            } => {
                let _ = write!(
                    self.out,
                    "{}type {}{} = {}",
                    pub_(*is_pub),
                    name,
                    generics(g),
                    type_str(ty)
                );
            }
            ItemKind::Interface(i) => {
                let _ = write!(
                    self.out,
                    "{}interface {}{} do",
                    pub_(i.is_pub),
                    i.name,
                    generics(&i.generics)
                );
                self.indent += 1;
                for a in &i.assoc_types {
                    self.nl();
                    let _ = write!(self.out, "type {a}");
                }
                for m in &i.methods {
                    self.nl();
                    self.fn_sig(m);
                    if !m.body.is_empty() {
                        self.out.push_str(" do");
                        self.block_body(&m.body);
                        self.out.push_str("end");
                    }
                }
                self.indent -= 1;
                self.nl();
                self.out.push_str("end");
            }
            ItemKind::Impl(i) => {
                let args = if i.trait_args.is_empty() {
                    String::new()
                } else {
                    format!(
                        "<{}>",
                        i.trait_args
                            .iter()
                            .map(type_str)
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                };
                let _ = write!(
                    self.out,
                    "impl {}{} for {}{} do",
                    i.trait_path.join("."),
                    args,
                    type_str(&i.for_ty),
                    bounds(&i.bounds)
                );
                self.indent += 1;
                for (n, t) in &i.assoc {
                    self.nl();
                    let _ = write!(self.out, "type {n} = {}", type_str(t));
                }
                for m in &i.methods {
                    self.nl();
                    self.fn_def(m);
                }
                self.indent -= 1;
                self.nl();
                self.out.push_str("end");
            }
            ItemKind::Actor(a) => {
                let _ = write!(
                    self.out,
                    "{}actor {}({}) do",
                    pub_(a.is_pub),
                    a.name,
                    self.params(&a.params)
                );
                self.block_body(&a.body);
                if let Some(t) = &a.terminate {
                    self.out.push_str("terminate do");
                    self.block_body(t);
                    self.out.push_str("end");
                    self.nl();
                }
                self.out.push_str("end");
            }
            ItemKind::Service(s) => {
                let _ = write!(self.out, "{}service {} do", pub_(s.is_pub), s.name);
                self.indent += 1;
                for f in &s.fns {
                    self.nl();
                    self.fn_def(f);
                }
                for h in &s.handlers {
                    self.nl();
                    let kind = match h.kind {
                        HandlerKind::Call => "call",
                        HandlerKind::Cast => "cast",
                        HandlerKind::Info => "info",
                    };
                    let _ = write!(self.out, "{kind} {}({})", h.name, self.params(&h.params));
                    if let Some(r) = &h.reply {
                        let _ = write!(self.out, " :: {}", type_str(r));
                    }
                    let _ = write!(self.out, " do |{}|", self.params(&h.state));
                    self.block_body(&h.body);
                    self.out.push_str("end");
                }
                self.indent -= 1;
                self.nl();
                self.out.push_str("end");
            }
            ItemKind::Supervisor(s) => {
                let _ = write!(self.out, "{}supervisor {} do", pub_(s.is_pub), s.name);
                self.indent += 1;
                self.settings(&s.settings);
                for c in &s.children {
                    self.nl();
                    let _ = write!(self.out, "child {} do", c.id);
                    self.indent += 1;
                    self.settings(&c.settings);
                    self.indent -= 1;
                    self.nl();
                    self.out.push_str("end");
                }
                self.indent -= 1;
                self.nl();
                self.out.push_str("end");
            }
            ItemKind::Stmt(s) => self.stmt(s),
        }
    }

    fn settings(&mut self, settings: &[(String, Expr)]) {
        for (k, v) in settings {
            self.nl();
            let _ = write!(self.out, "{k}: ");
            self.expr(v);
        }
    }

    fn deriving(&mut self, d: &Option<Vec<String>>) {
        if let Some(d) = d {
            let _ = write!(self.out, " deriving({})", d.join(", "));
        }
    }

    fn params(&self, ps: &[Param]) -> String {
        ps.iter()
            .map(|p| {
                let pat = self.sub(|s| s.pat(&p.pat));
                match &p.ty {
                    Some(t) => format!("{pat} :: {}", type_str(t)),
                    None => pat,
                }
            })
            .collect::<Vec<_>>()
            .join(", ")
    }

    fn fn_sig(&mut self, f: &FnDef) {
        match &f.external {
            Some(External::Constant) => {
                let ty = f.ret.as_ref().map(type_str).unwrap_or_default();
                let _ = write!(self.out, "@intrinsic {}{} :: {ty}", pub_(f.is_pub), f.name);
                return;
            }
            Some(External::Intrinsic) => self.out.push_str("@intrinsic "),
            Some(External::Runtime {
                symbol,
                owns,
                located,
            }) => {
                let _ = write!(self.out, "@extern(\"{}\"", escape_str(symbol));
                if *owns {
                    self.out.push_str(", owns");
                }
                if *located {
                    self.out.push_str(", located");
                }
                self.out.push_str(") ");
            }
            None => {}
        }
        if let Some(c) = &f.cluster {
            match c {
                Some(n) => {
                    let _ = write!(self.out, "@cluster({n}) ");
                }
                None => self.out.push_str("@cluster "),
            }
        }
        let ps = self.params(&f.params);
        let _ = write!(
            self.out,
            "{}{} {}{}({})",
            pub_(f.is_pub),
            if f.actor { "actor" } else { "fn" },
            f.name,
            generics(&f.generics),
            ps
        );
        if let Some(r) = &f.ret {
            let _ = write!(self.out, " -> {}", type_str(r));
        }
        self.out.push_str(&bounds(&f.bounds));
        if let Some(g) = &f.guard {
            self.out.push_str(" when ");
            self.expr(g);
        }
    }

    pub fn fn_def(&mut self, f: &FnDef) {
        self.fn_sig(f);
        if f.external.is_some() {
            return;
        }
        if f.eq_form {
            if let [Stmt {
                kind: StmtKind::Expr(e),
                ..
            }] = f.body.as_slice()
            {
                self.out.push_str(" = ");
                self.expr(e);
                return;
            }
        }
        self.out.push_str(" do");
        self.block_body(&f.body);
        self.out.push_str("end");
    }

    /// Prints the statements of a block, each on its own line one level deeper, then a
    /// newline at the current level (the caller writes the closing keyword).
    fn block_body(&mut self, b: &[Stmt]) {
        self.indent += 1;
        let stmts: Vec<String> = b.iter().map(|s| self.sub(|p| p.stmt(s))).collect();
        for (i, s) in stmts.iter().enumerate() {
            self.nl();
            self.out.push_str(s);
            // Inside delimiters newlines are not separators (spec 01 §4.3): keep the next
            // statement from continuing this one.
            if let Some(next) = stmts.get(i + 1) {
                if next.starts_with(['(', '[', '-', '{', '%', '|', '.']) {
                    self.out.push(';');
                }
            }
        }
        self.indent -= 1;
        self.nl();
    }

    pub fn stmt(&mut self, s: &Stmt) {
        match &s.kind {
            StmtKind::Let { pat, ty, value } => {
                self.out.push_str("let ");
                self.pat(pat);
                if let Some(t) = ty {
                    let _ = write!(self.out, " :: {}", type_str(t));
                }
                self.out.push_str(" = ");
                self.expr(value);
            }
            StmtKind::Expr(e) => self.expr(e),
            StmtKind::Item(i) => self.item(i),
        }
    }

    fn exprs(&mut self, es: &[Expr]) {
        for (i, e) in es.iter().enumerate() {
            if i > 0 {
                self.out.push_str(", ");
            }
            self.expr(e);
        }
    }

    fn field_inits(&mut self, fs: &[(String, Expr)]) {
        for (i, (n, e)) in fs.iter().enumerate() {
            if i > 0 {
                self.out.push_str(", ");
            }
            let _ = write!(self.out, "{n}: ");
            self.expr(e);
        }
    }

    fn arm(&mut self, a: &Arm) {
        self.pat(&a.pat);
        if let Some(g) = &a.guard {
            self.out.push_str(" when ");
            self.expr(g);
        }
        self.out.push_str(" -> ");
        self.arm_body(&a.body);
    }

    fn arm_body(&mut self, b: &Block) {
        match b.as_slice() {
            [Stmt {
                kind: StmtKind::Expr(e),
                ..
            }] => self.expr(e),
            _ => {
                self.out.push_str("do");
                self.block_body(b);
                self.out.push_str("end");
            }
        }
    }

    pub fn expr(&mut self, e: &Expr) {
        if self.types {
            if let Some(t) = &e.ty {
                self.out.push('(');
                self.expr_inner(e);
                let _ = write!(self.out, " : {t})");
                return;
            }
        }
        self.expr_inner(e)
    }

    fn expr_inner(&mut self, e: &Expr) {
        match &e.kind {
            ExprKind::Int(n) => {
                let _ = write!(self.out, "{n}");
            }
            ExprKind::Float(f) => {
                let _ = write!(self.out, "{f:?}");
            }
            ExprKind::Bool(b) => {
                let _ = write!(self.out, "{b}");
            }
            ExprKind::Nil => self.out.push_str("nil"),
            ExprKind::Str(parts) => {
                self.out.push('"');
                for p in parts {
                    match p {
                        StrPart::Text(t) => self.out.push_str(&escape_str(t)),
                        StrPart::Interp(e) => {
                            self.out.push_str("${");
                            self.expr(e);
                            self.out.push('}');
                        }
                    }
                }
                self.out.push('"');
            }
            ExprKind::Atom(a) => {
                let _ = write!(self.out, ":{a}");
            }
            ExprKind::Regex { pattern, flags } => {
                let _ = write!(self.out, "~r/{pattern}/{flags}");
            }
            ExprKind::Var(n) => self.out.push_str(n),
            ExprKind::Global(n) => self.out.push_str(n),
            ExprKind::Variant { ty, name, .. } => {
                let _ = write!(self.out, "{ty}.{name}");
            }
            ExprKind::SelfRef => self.out.push_str("self"),
            ExprKind::SelfPid => self.out.push_str("self()"),
            ExprKind::Unit => self.out.push_str("()"),
            ExprKind::Tuple(es) => {
                self.out.push('(');
                self.exprs(es);
                if es.len() == 1 {
                    self.out.push(',');
                }
                self.out.push(')');
            }
            ExprKind::List(es) => {
                self.out.push('[');
                self.exprs(es);
                self.out.push(']');
            }
            ExprKind::Map(kvs) => {
                self.out.push_str("%{");
                for (i, (k, v)) in kvs.iter().enumerate() {
                    if i > 0 {
                        self.out.push_str(", ");
                    }
                    self.expr(k);
                    self.out.push_str(" => ");
                    self.expr(v);
                }
                self.out.push('}');
            }
            ExprKind::StructLit { ty, fields } => {
                self.expr(ty);
                self.out.push_str(" { ");
                self.field_inits(fields);
                self.out.push_str(" }");
            }
            ExprKind::StructUpdate { base, fields } => {
                self.out.push_str("%{");
                self.expr(base);
                self.out.push_str(" | ");
                self.field_inits(fields);
                self.out.push('}');
            }
            ExprKind::Json(fs) => {
                self.out.push_str("json { ");
                self.field_inits(fs);
                self.out.push_str(" }");
            }
            ExprKind::Call { callee, args } => {
                self.expr(callee);
                self.out.push('(');
                for (i, a) in args.iter().enumerate() {
                    if i > 0 {
                        self.out.push_str(", ");
                    }
                    if let Some(n) = &a.name {
                        let _ = write!(self.out, "{n}: ");
                    }
                    self.expr(&a.value);
                }
                self.out.push(')');
            }
            ExprKind::Field(b, f) => {
                self.expr(b);
                let _ = write!(self.out, ".{f}");
            }
            ExprKind::Index(b, i) => {
                self.expr(b);
                self.out.push('[');
                self.expr(i);
                self.out.push(']');
            }
            ExprKind::Try(b, _) => {
                self.expr(b);
                self.out.push('?');
            }
            ExprKind::Unary(op, b) => {
                self.out.push_str(match op {
                    UnOp::Neg => "(-",
                    UnOp::Not => "(not ",
                });
                self.expr(b);
                self.out.push(')');
            }
            ExprKind::Binary(op, a, b) => {
                self.out.push('(');
                self.expr(a);
                let _ = write!(self.out, " {} ", op.symbol());
                self.expr(b);
                self.out.push(')');
            }
            ExprKind::Pipe { lhs, rhs, slot } => {
                self.out.push('(');
                self.expr(lhs);
                if *slot == 1 {
                    self.out.push_str(" |> ");
                } else {
                    let _ = write!(self.out, " |{slot}> ");
                }
                self.expr(rhs);
                self.out.push(')');
            }
            ExprKind::If { cond, then, else_ } => {
                self.out.push_str("if ");
                self.expr(cond);
                self.out.push_str(" do");
                self.block_body(then);
                match else_.as_deref() {
                    // `else if` chains share one `end`; an else-block holding only an
                    // `if` is the same tree, so it prints as a chain
                    Some(
                        [Stmt {
                            kind:
                                StmtKind::Expr(
                                    nested @ Expr {
                                        kind: ExprKind::If { .. },
                                        ..
                                    },
                                ),
                            ..
                        }],
                    ) if !self.types => {
                        self.out.push_str("else ");
                        self.expr(nested);
                        return;
                    }
                    Some(els) => {
                        self.out.push_str("else");
                        self.block_body(els);
                    }
                    None => {}
                }
                self.out.push_str("end");
            }
            ExprKind::Case { scrutinee, arms } => {
                self.out.push_str("case ");
                self.expr(scrutinee);
                self.out.push_str(" do");
                self.indent += 1;
                for a in arms {
                    self.nl();
                    self.arm(a);
                }
                self.indent -= 1;
                self.nl();
                self.out.push_str("end");
            }
            ExprKind::Receive { arms, after } => {
                self.out.push_str("receive do");
                self.indent += 1;
                for a in arms {
                    self.nl();
                    self.arm(a);
                }
                if let Some((t, body)) = after {
                    self.nl();
                    self.out.push_str("after ");
                    self.expr(t);
                    self.out.push_str(" -> ");
                    if let [Stmt {
                        kind: StmtKind::Expr(e),
                        ..
                    }] = body.as_slice()
                    {
                        self.expr(e);
                    } else {
                        // `after T -> do … end` closes the receive too
                        self.out.push_str("do");
                        self.indent -= 1;
                        self.block_body(body);
                        self.out.push_str("end");
                        return;
                    }
                }
                self.indent -= 1;
                self.nl();
                self.out.push_str("end");
            }
            ExprKind::While { cond, body } => {
                self.out.push_str("while ");
                self.expr(cond);
                self.out.push_str(" do");
                self.block_body(body);
                self.out.push_str("end");
            }
            ExprKind::For {
                pat,
                iter,
                filter,
                body,
            } => {
                self.out.push_str("for ");
                match &pat.kind {
                    PatKind::Brace(_) => self.pat(pat),
                    _ => self.pat(pat),
                }
                self.out.push_str(" in ");
                self.expr(iter);
                if let Some(f) = filter {
                    self.out.push_str(" when ");
                    self.expr(f);
                }
                self.out.push_str(" do");
                self.block_body(body);
                self.out.push_str("end");
            }
            ExprKind::Break => self.out.push_str("break"),
            ExprKind::Continue => self.out.push_str("continue"),
            ExprKind::Return(v) => {
                self.out.push_str("return");
                if let Some(v) = v {
                    self.out.push(' ');
                    self.expr(v);
                }
            }
            ExprKind::Closure(clauses) => {
                self.out.push_str("fn");
                for (i, c) in clauses.iter().enumerate() {
                    if i > 0 {
                        self.out.push_str(" |");
                    }
                    let ps = self.params(&c.params);
                    let _ = write!(self.out, "({ps})");
                    if let Some(g) = &c.guard {
                        self.out.push_str(" when ");
                        self.expr(g);
                    }
                    match c.body.as_slice() {
                        [Stmt {
                            kind: StmtKind::Expr(e),
                            ..
                        }] => {
                            self.out.push_str(" -> ");
                            self.expr(e);
                            self.out.push(' ');
                        }
                        body => {
                            // one `end` closes both the do-body and the closure
                            self.out.push_str(" do");
                            self.block_body(body);
                        }
                    }
                }
                self.out.push_str("end");
            }
        }
    }

    pub fn pat(&mut self, p: &Pat) {
        match &p.kind {
            PatKind::Wild => self.out.push('_'),
            PatKind::Var(v) => self.out.push_str(v),
            PatKind::Int(n) => {
                let _ = write!(self.out, "{n}");
            }
            PatKind::Float(f) => {
                let _ = write!(self.out, "{f:?}");
            }
            PatKind::Str(s) => {
                let _ = write!(self.out, "\"{}\"", escape_str(s));
            }
            PatKind::Bool(b) => {
                let _ = write!(self.out, "{b}");
            }
            PatKind::Nil => self.out.push_str("nil"),
            PatKind::Atom(a) => {
                let _ = write!(self.out, ":{a}");
            }
            PatKind::Tuple(ps) | PatKind::Brace(ps) => {
                let (open, close) = if matches!(p.kind, PatKind::Tuple(_)) {
                    ('(', ')')
                } else {
                    ('{', '}')
                };
                self.out.push(open);
                for (i, q) in ps.iter().enumerate() {
                    if i > 0 {
                        self.out.push_str(", ");
                    }
                    self.pat(q);
                }
                if ps.len() == 1 && open == '(' {
                    self.out.push(',');
                }
                self.out.push(close);
            }
            PatKind::Ctor { path, args } => {
                self.out.push_str(&path.join("."));
                if let Some(args) = args {
                    self.out.push('(');
                    for (i, q) in args.iter().enumerate() {
                        if i > 0 {
                            self.out.push_str(", ");
                        }
                        self.pat(q);
                    }
                    self.out.push(')');
                }
            }
            PatKind::Or(ps) => {
                self.out.push('(');
                for (i, q) in ps.iter().enumerate() {
                    if i > 0 {
                        self.out.push_str(" | ");
                    }
                    self.pat(q);
                }
                self.out.push(')');
            }
            PatKind::Cons(h, t) => {
                self.out.push('(');
                self.pat(h);
                self.out.push_str(" :: ");
                self.pat(t);
                self.out.push(')');
            }
            PatKind::As(q, n) => {
                self.out.push('(');
                self.pat(q);
                let _ = write!(self.out, " as {n})");
            }
            PatKind::SelfParam => self.out.push_str("self"),
            PatKind::Variant { ty, name, args, .. } => {
                let _ = write!(self.out, "{ty}.{name}");
                if !args.is_empty() {
                    self.out.push('(');
                    for (i, q) in args.iter().enumerate() {
                        if i > 0 {
                            self.out.push_str(", ");
                        }
                        self.pat(q);
                    }
                    self.out.push(')');
                }
            }
        }
    }
}

fn pub_(p: bool) -> &'static str {
    if p {
        "pub "
    } else {
        ""
    }
}

fn generics(g: &[String]) -> String {
    if g.is_empty() {
        String::new()
    } else {
        format!("<{}>", g.join(", "))
    }
}

fn bounds(bs: &[Bound]) -> String {
    if bs.is_empty() {
        return String::new();
    }
    let parts: Vec<String> = bs
        .iter()
        .map(|b| {
            format!(
                "{}: {}",
                b.var,
                b.traits
                    .iter()
                    .map(type_str)
                    .collect::<Vec<_>>()
                    .join(" + ")
            )
        })
        .collect();
    format!(" where {}", parts.join(", "))
}

pub fn type_str(t: &TypeExpr) -> String {
    match &t.kind {
        TypeKind::Named { path, args } if args.is_empty() => path.join("."),
        TypeKind::Named { path, args } => {
            format!(
                "{}<{}>",
                path.join("."),
                args.iter().map(type_str).collect::<Vec<_>>().join(", ")
            )
        }
        TypeKind::Tuple(ts) => format!(
            "({})",
            ts.iter().map(type_str).collect::<Vec<_>>().join(", ")
        ),
        TypeKind::Fun(ps, r) => {
            format!(
                "Fun({}) -> {}",
                ps.iter().map(type_str).collect::<Vec<_>>().join(", "),
                type_str(r)
            )
        }
        TypeKind::Optional(t) => format!("{}?", type_str(t)),
        TypeKind::Fallible(t, e) => format!("{}!{}", type_str(t), type_str(e)),
    }
}
