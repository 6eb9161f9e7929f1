//! `resolve-names : desugared -> desugared` — spec 01 §1.2–§1.3. Binds every name to
//! its definition: locals stay `Var`; references to module-level functions become
//! `Global("Module.name")` (own module, `from M import f`, or `Alias.f` after
//! `import A.B.Alias`); prelude names become `Global("Prelude.name")` and standard-library
//! members `Global("String.length")`. Checks imports (missing module, missing or private
//! item, glob, cycles) and reports undefined lower-case names. Upper-case names
//! (constructors, types, modules) are left to inference. Paper: `papers/resolve-names.md`.

use crate::diag::Diagnostic;
use crate::{Pass, PassCx};
use mesh_ir::surface::*;
use mesh_ir::Span;
use std::collections::{HashMap, HashSet};

pub struct ResolveNames;

/// Unqualified names every module sees (spec 03 §1, spec 04).
pub const PRELUDE: &[&str] = &[
    "println",
    "print",
    "map",
    "filter",
    "reduce",
    "head",
    "tail",
    "compare",
    "default",
    "spawn",
    "send",
    "link",
    "monitor",
    "assert",
    "assert_eq",
    "assert_ne",
];

/// Standard-library modules, usable qualified without an import (spec 03, 04–06).
pub const STD_MODULES: &[&str] = &[
    "Kernel",
    "String",
    "List",
    "Map",
    "Set",
    "IO",
    "Math",
    "Int",
    "Float",
    "Bool",
    "Option",
    "Result",
    "Json",
    "JSON",
    "Base64",
    "Hex",
    "Crypto",
    "Regex",
    "DateTime",
    "Env",
    "File",
    "Range",
    "Iter",
    "Tuple",
    "Queue",
    "Timer",
    "Process",
    "Node",
    "Global",
    "Job",
    "Test",
    "Testing",
    "HTTP",
    "Http",
    "Ws",
    "WebSocket",
    "Sqlite",
    "Pg",
    "Postgres",
    "Repo",
    "Migration",
    "Query",
    "Log",
    "Cluster",
    "Continuity",
    "RateLimit",
    "Worker",
    "Request",
    "Response",
    "Uuid",
    "Time",
    "System",
];

#[derive(Default)]
struct ModInfo {
    /// function name → is it `pub`
    fns: HashMap<String, bool>,
    /// other importable items (types, interfaces, services, actors) → `pub`
    others: HashMap<String, bool>,
}

impl Pass for ResolveNames {
    const NAME: &'static str = "resolve-names";
    const STOPS_ON_ERROR: bool = false;
    type In = Desugared;
    type Out = Desugared;
    fn run(&self, Desugared(mut p): Desugared, cx: &mut PassCx) -> Desugared {
        let mut mods: HashMap<String, ModInfo> = HashMap::new();
        for m in &p.modules {
            let info = mods.entry(m.name.clone()).or_default();
            for it in &m.items {
                match &it.kind {
                    ItemKind::Fn(f) => {
                        info.fns.insert(f.name.clone(), f.is_pub);
                    }
                    ItemKind::Actor(a) => {
                        info.fns.insert(a.name.clone(), a.is_pub);
                    }
                    ItemKind::Struct(s) => {
                        info.others.insert(s.name.clone(), s.is_pub);
                    }
                    ItemKind::SumType(s) => {
                        info.others.insert(s.name.clone(), s.is_pub);
                        for v in &s.variants {
                            info.others.insert(v.name.clone(), s.is_pub);
                        }
                    }
                    ItemKind::TypeAlias { name, is_pub, .. } => {
                        info.others.insert(name.clone(), *is_pub);
                    }
                    ItemKind::Interface(i) => {
                        info.others.insert(i.name.clone(), i.is_pub);
                    }
                    ItemKind::Service(s) => {
                        info.others.insert(s.name.clone(), true);
                    }
                    ItemKind::Supervisor(s) => {
                        info.others.insert(s.name.clone(), true);
                    }
                    _ => {}
                }
            }
        }
        check_cycles(&p, cx);
        for m in &mut p.modules {
            let mut r = Resolver {
                module: m.name.clone(),
                mods: &mods,
                aliases: HashMap::new(),
                imported: HashMap::new(),
                loops: vec![0],
                cx,
            };
            for it in &m.items {
                r.import(it);
            }
            for it in &mut m.items {
                r.item(it, &mut Scope::default());
            }
        }
        Desugared(p)
    }
}

/// Import cycles between files are an error (spec 01 §1.2).
fn check_cycles(p: &Program, cx: &mut PassCx) {
    let deps: HashMap<&str, Vec<(String, Span)>> = p
        .modules
        .iter()
        .map(|m| {
            let ds = m
                .items
                .iter()
                .filter_map(|it| match &it.kind {
                    ItemKind::Import(path) | ItemKind::FromImport { path, .. } => {
                        Some((path.join("."), it.span))
                    }
                    _ => None,
                })
                .collect();
            (m.name.as_str(), ds)
        })
        .collect();
    // depth-first search with colours
    let mut state: HashMap<&str, u8> = HashMap::new();
    fn dfs<'a>(
        n: &'a str,
        deps: &'a HashMap<&str, Vec<(String, Span)>>,
        state: &mut HashMap<&'a str, u8>,
        stack: &mut Vec<&'a str>,
        cx: &mut PassCx,
    ) {
        state.insert(n, 1);
        stack.push(n);
        for (d, span) in deps.get(n).into_iter().flatten() {
            let Some((key, _)) = deps.get_key_value(d.as_str()) else {
                continue;
            };
            match state.get(key) {
                Some(1) => {
                    let from = stack.iter().position(|s| s == key).unwrap_or(0);
                    let mut cycle: Vec<&str> = stack[from..].to_vec();
                    cycle.push(key);
                    cx.emit(Diagnostic::error(
                        "import cycle",
                        format!("import cycle: {}", cycle.join(" -> ")),
                        *span,
                    ));
                }
                Some(_) => {}
                None => dfs(key, deps, state, stack, cx),
            }
        }
        stack.pop();
        state.insert(n, 2);
    }
    let mut names: Vec<&str> = deps.keys().copied().collect();
    names.sort();
    for n in names {
        if !state.contains_key(n) {
            dfs(n, &deps, &mut state, &mut Vec::new(), cx);
        }
    }
}

#[derive(Default, Clone)]
struct Scope {
    locals: Vec<HashSet<String>>,
}

impl Scope {
    fn has(&self, n: &str) -> bool {
        self.locals.iter().any(|s| s.contains(n))
    }
    fn push(&mut self) {
        self.locals.push(HashSet::new());
    }
    fn pop(&mut self) {
        self.locals.pop();
    }
    fn bind(&mut self, n: &str) {
        if self.locals.is_empty() {
            self.push();
        }
        self.locals.last_mut().unwrap().insert(n.to_string());
    }
    fn bind_pat(&mut self, p: &Pat) {
        match &p.kind {
            PatKind::Var(v) => self.bind(v),
            PatKind::As(q, n) => {
                self.bind_pat(q);
                self.bind(n);
            }
            PatKind::Tuple(ps) | PatKind::Brace(ps) | PatKind::Or(ps) => {
                ps.iter().for_each(|q| self.bind_pat(q))
            }
            PatKind::Ctor { args: Some(ps), .. } | PatKind::Variant { args: ps, .. } => {
                ps.iter().for_each(|q| self.bind_pat(q))
            }
            PatKind::Cons(h, t) => {
                self.bind_pat(h);
                self.bind_pat(t);
            }
            PatKind::SelfParam => self.bind("self"),
            _ => {}
        }
    }
}

struct Resolver<'a> {
    module: String,
    mods: &'a HashMap<String, ModInfo>,
    /// `import A.B` makes `B` an alias of module `A.B`.
    aliases: HashMap<String, String>,
    /// `from M import f` makes `f` mean `M.f`.
    imported: HashMap<String, String>,
    /// Enclosing loops of the current function or closure (spec 01 §4.11: `break` and
    /// `continue` stay inside one function).
    loops: Vec<u32>,
    cx: &'a mut PassCx,
}

impl Resolver<'_> {
    fn import(&mut self, it: &Item) {
        match &it.kind {
            ItemKind::Import(path) => {
                let full = path.join(".");
                let last = path.last().cloned().unwrap_or_default();
                if self.mods.contains_key(&full) {
                    self.aliases.insert(last, full);
                } else if !(path.len() == 1 && STD_MODULES.contains(&full.as_str())) {
                    self.cx.emit(Diagnostic::error(
                        "unknown module",
                        format!("module `{full}` not found"),
                        it.span,
                    ));
                }
            }
            ItemKind::FromImport { path, names, glob } => {
                let full = path.join(".");
                if *glob {
                    return; // reported by the parser
                }
                match self.mods.get(&full) {
                    Some(info) => {
                        for n in names {
                            match info.fns.get(n).or_else(|| info.others.get(n)) {
                                None => self.cx.emit(Diagnostic::error("unknown import", format!("`{n}` is not exported by module `{full}`"), it.span)),
                                Some(false) => self.cx.emit(
                                    Diagnostic::error("private import", format!("`{n}` is private to module `{full}`"), it.span)
                                        .with_note(format!("add `pub` to the definition of `{n}` in `{full}` to export it")),
                                ),
                                Some(true) => {
                                    self.imported.insert(n.clone(), format!("{full}.{n}"));
                                }
                            }
                        }
                    }
                    None if path.len() == 1 && STD_MODULES.contains(&full.as_str()) => {
                        for n in names {
                            self.imported.insert(n.clone(), format!("{full}.{n}"));
                        }
                    }
                    None => self.cx.emit(Diagnostic::error(
                        "unknown module",
                        format!("module `{full}` not found"),
                        it.span,
                    )),
                }
            }
            _ => {}
        }
    }

    fn item(&mut self, it: &mut Item, scope: &mut Scope) {
        match &mut it.kind {
            ItemKind::Fn(f) => self.fn_def(f, scope),
            ItemKind::Module { items, .. } => items.iter_mut().for_each(|i| self.item(i, scope)),
            ItemKind::Impl(i) => i.methods.iter_mut().for_each(|f| self.fn_def(f, scope)),
            ItemKind::Interface(i) => i.methods.iter_mut().for_each(|f| self.fn_def(f, scope)),
            ItemKind::Actor(a) => {
                scope.push();
                a.params.iter().for_each(|p| scope.bind_pat(&p.pat));
                self.block(&mut a.body, scope);
                if let Some(t) = &mut a.terminate {
                    self.block(t, scope);
                }
                scope.pop();
            }
            ItemKind::Service(s) => {
                s.fns.iter_mut().for_each(|f| self.fn_def(f, scope));
                for h in &mut s.handlers {
                    scope.push();
                    h.params
                        .iter()
                        .chain(&h.state)
                        .for_each(|p| scope.bind_pat(&p.pat));
                    self.block(&mut h.body, scope);
                    scope.pop();
                }
            }
            ItemKind::Supervisor(s) => {
                for (_, e) in s
                    .settings
                    .iter_mut()
                    .chain(s.children.iter_mut().flat_map(|c| c.settings.iter_mut()))
                {
                    // `strategy: one_for_one` and friends are option words, not variables
                    if !matches!(e.kind, ExprKind::Var(_)) {
                        self.expr(e, scope);
                    }
                }
            }
            ItemKind::Stmt(s) => {
                scope.push();
                self.stmt(s, scope);
                scope.pop();
            }
            ItemKind::Struct(s) => {
                // DB annotations name atoms and types, not variables
                let _ = s;
            }
            _ => {}
        }
    }

    fn fn_def(&mut self, f: &mut FnDef, scope: &mut Scope) {
        scope.push();
        self.loops.push(0);
        f.params.iter().for_each(|p| scope.bind_pat(&p.pat));
        if let Some(g) = &mut f.guard {
            self.expr(g, scope);
        }
        self.block(&mut f.body, scope);
        scope.pop();
        self.loops.pop();
    }

    fn block(&mut self, b: &mut Block, scope: &mut Scope) {
        scope.push();
        // nested functions may call each other and themselves
        for s in b.iter() {
            if let StmtKind::Item(i) = &s.kind {
                if let ItemKind::Fn(f) = &i.kind {
                    scope.bind(&f.name);
                }
            }
        }
        for s in b.iter_mut() {
            self.stmt(s, scope);
        }
        scope.pop();
    }

    fn stmt(&mut self, s: &mut Stmt, scope: &mut Scope) {
        match &mut s.kind {
            StmtKind::Let { pat, value, .. } => {
                self.expr(value, scope);
                scope.bind_pat(pat);
            }
            StmtKind::Expr(e) => self.expr(e, scope),
            StmtKind::Item(i) => self.item(i, scope),
        }
    }

    fn global(&self, n: &str) -> Option<String> {
        if self
            .mods
            .get(&self.module)
            .is_some_and(|m| m.fns.contains_key(n))
        {
            return Some(format!("{}.{n}", self.module));
        }
        if let Some(full) = self.imported.get(n) {
            return Some(full.clone());
        }
        if matches!(n, "map" | "filter" | "reduce" | "head" | "tail") {
            // prelude names that are List functions (spec 03 §1)
            return Some(format!("List.{n}"));
        }
        if PRELUDE.contains(&n) {
            return Some(format!("Prelude.{n}"));
        }
        None
    }

    fn expr(&mut self, e: &mut Expr, scope: &mut Scope) {
        match &mut e.kind {
            ExprKind::Var(n) => {
                if scope.has(n) {
                    return;
                }
                if let Some(g) = self.global(n) {
                    e.kind = ExprKind::Global(g);
                } else if let Some(g) = flat_name(n) {
                    // `string_length`: the flat names of older Mesh programs (issue 19)
                    self.cx.emit(
                        Diagnostic::warning(
                            "deprecated name",
                            format!("`{n}` is deprecated: call `{g}`"),
                            e.span,
                        )
                        .with_code("W0003")
                        .with_label(format!("use `{g}`")),
                    );
                    e.kind = ExprKind::Global(g);
                } else if !n.starts_with(|c: char| c.is_uppercase()) {
                    self.cx.emit(
                        Diagnostic::error(
                            "unbound variable",
                            format!("undefined variable `{n}`"),
                            e.span,
                        )
                        .with_code("E0004")
                        .with_label("not found in this scope"),
                    );
                }
            }
            ExprKind::Field(base, member) => {
                if let ExprKind::Var(m) = &base.kind {
                    if !scope.has(m) {
                        let module = self.aliases.get(m).unwrap_or(m);
                        if module == "Continuity" && member == "promote" {
                            self.cx.emit(
                                    Diagnostic::error(
                                        "manual promotion",
                                        "`Continuity.promote` is not available to Mesh code: a standby is promoted by the runtime when its primary is lost",
                                        e.span,
                                    )
                                    .with_code("E0046")
                                    .with_note("an operator promotes a node by restarting it with MESH_CONTINUITY_ROLE=primary and a higher MESH_CONTINUITY_PROMOTION_EPOCH"),
                                );
                        }
                        if let Some(full) = self.aliases.get(m).cloned() {
                            let info = &self.mods[&full];
                            match info.fns.get(member.as_str()).or_else(|| info.others.get(member.as_str())) {
                                None => self.cx.emit(Diagnostic::error("unknown function", format!("module `{full}` has no function `{member}`"), e.span)),
                                Some(false) => self.cx.emit(
                                    Diagnostic::error("private function", format!("`{member}` is private to module `{full}`"), e.span)
                                        .with_note(format!("add `pub` to the definition of `{member}` in `{full}` to export it")),
                                ),
                                Some(true) => {}
                            }
                            e.kind = ExprKind::Global(format!("{full}.{member}"));
                            return;
                        }
                        if STD_MODULES.contains(&m.as_str()) {
                            e.kind = ExprKind::Global(format!("{m}.{member}"));
                            return;
                        }
                    }
                }
                self.expr(base, scope);
            }
            ExprKind::Break | ExprKind::Continue
                if self.loops.last().copied().unwrap_or(0) == 0 =>
            {
                let word = if matches!(e.kind, ExprKind::Break) {
                    "break"
                } else {
                    "continue"
                };
                self.cx.emit(
                    Diagnostic::error("break outside loop", format!("`{word}` outside of loop"), e.span)
                        .with_code("E0032")
                        .with_note("`break` and `continue` apply to the innermost `for` or `while` of the same function; closures start afresh"),
                );
            }
            ExprKind::Case { scrutinee, arms } => {
                self.expr(scrutinee, scope);
                self.arms(arms, scope);
            }
            ExprKind::Receive { arms, after } => {
                self.arms(arms, scope);
                if let Some((t, b)) = after {
                    self.expr(t, scope);
                    self.block(b, scope);
                }
            }
            ExprKind::If { cond, then, else_ } => {
                self.expr(cond, scope);
                self.block(then, scope);
                if let Some(b) = else_ {
                    self.block(b, scope);
                }
            }
            ExprKind::While { cond, body } => {
                self.expr(cond, scope);
                *self.loops.last_mut().unwrap() += 1;
                self.block(body, scope);
                *self.loops.last_mut().unwrap() -= 1;
            }
            ExprKind::For {
                pat,
                iter,
                filter,
                body,
            } => {
                self.expr(iter, scope);
                scope.push();
                scope.bind_pat(pat);
                if let Some(f) = filter {
                    self.expr(f, scope);
                }
                *self.loops.last_mut().unwrap() += 1;
                self.block(body, scope);
                *self.loops.last_mut().unwrap() -= 1;
                scope.pop();
            }
            ExprKind::Closure(cs) => {
                self.loops.push(0);
                for c in cs {
                    scope.push();
                    c.params.iter().for_each(|p| scope.bind_pat(&p.pat));
                    if let Some(g) = &mut c.guard {
                        self.expr(g, scope);
                    }
                    self.block(&mut c.body, scope);
                    scope.pop();
                }
                self.loops.pop();
            }
            _ => visit::children_mut(e, &mut |c| self.expr(c, scope)),
        }
    }

    fn arms(&mut self, arms: &mut [Arm], scope: &mut Scope) {
        for a in arms {
            scope.push();
            scope.bind_pat(&a.pat);
            if let Some(g) = &mut a.guard {
                self.expr(g, scope);
            }
            self.block(&mut a.body, scope);
            scope.pop();
        }
    }
}

/// `module_function` for a standard module (`string_length` → `String.length`,
/// `io_eprintln` → `IO.eprintln`): the flat names older programs call.
fn flat_name(n: &str) -> Option<String> {
    let (prefix, rest) = n.split_once('_')?;
    if rest.is_empty() || !rest.starts_with(|c: char| c.is_ascii_lowercase()) {
        return None;
    }
    let module = STD_MODULES
        .iter()
        .find(|m| m.to_ascii_lowercase() == prefix)?;
    Some(format!("{module}.{rest}"))
}
