//! From pest's parse tree to the `surface` AST: literal values, string escapes and
//! heredoc trimming (spec 01 §2.5–§2.9), operator precedence climbing (spec 01 §5) and
//! the trailing-closure / keyword-argument call forms (§4.5).

use super::Rule;
use crate::diag::Diagnostic;
use mesh_ir::surface::*;
use mesh_ir::Span;
use pest::iterators::Pair;

/// A function with no name, parameters or body yet (filled in by the builder).
fn blank_fn(span: Span) -> FnDef {
    FnDef {
        is_pub: false,
        cluster: None,
        external: None,
        name: String::new(),
        generics: vec![],
        params: vec![],
        ret: None,
        bounds: vec![],
        guard: None,
        body: vec![],
        eq_form: false,
        actor: false,
        sig: None,
        span,
    }
}

pub struct Builder {
    pub file: u32,
    /// Offset of the parsed text inside the file (non-zero when re-parsing for recovery).
    pub base: usize,
    pub diags: Vec<Diagnostic>,
}

type P<'a> = Pair<'a, Rule>;

fn is_token(r: Rule) -> bool {
    format!("{r:?}").starts_with("K_")
}

/// Children of a pair without the keyword tokens.
fn kids(p: P) -> Vec<P> {
    p.into_inner().filter(|c| !is_token(c.as_rule())).collect()
}

impl Builder {
    fn span(&self, p: &P) -> Span {
        let s = p.as_span();
        Span::new(self.file, self.base + s.start(), self.base + s.end())
    }

    fn error(&mut self, msg: impl Into<String>, span: Span) {
        self.diags.push(Diagnostic::error("syntax", msg, span));
    }

    pub fn file(&mut self, p: P) -> Vec<Item> {
        kids(p)
            .into_iter()
            .filter(|c| c.as_rule() == Rule::item)
            .map(|c| self.item(c))
            .collect()
    }

    fn item(&mut self, p: P) -> Item {
        let span = self.span(&p);
        let inner = kids(p).into_iter().next().expect("item has one child");
        let kind = match inner.as_rule() {
            Rule::import_decl => ItemKind::Import(self.path(kids(inner).remove(0))),
            Rule::from_import => {
                let ks = kids(inner);
                let path = self.path(ks[0].clone());
                let (names, glob) = match ks[1].as_rule() {
                    Rule::glob_import => {
                        self.error(
                            "glob imports are not allowed; name the items: `from M import a, b`",
                            self.span(&ks[1]),
                        );
                        (vec![], true)
                    }
                    _ => (
                        kids(ks[1].clone())
                            .iter()
                            .map(|n| n.as_str().to_string())
                            .collect(),
                        false,
                    ),
                };
                ItemKind::FromImport { path, names, glob }
            }
            Rule::module_def => {
                let mut ks = kids(inner).into_iter().peekable();
                let is_pub = ks.next_if(|k| k.as_rule() == Rule::kw_pub).is_some();
                let path = self.path(ks.next().unwrap());
                let items = kids(ks.next().unwrap())
                    .into_iter()
                    .map(|c| self.item(c))
                    .collect();
                ItemKind::Module {
                    is_pub,
                    path,
                    items,
                }
            }
            Rule::fn_def => ItemKind::Fn(self.fn_def(inner)),
            Rule::extern_fn => ItemKind::Fn(self.extern_fn(inner)),
            Rule::extern_const => {
                let mut f = self.extern_fn(inner);
                if f.external != Some(External::Intrinsic) {
                    self.error(
                        "a constant of the library is `@intrinsic pub name :: Type`",
                        f.span,
                    );
                }
                f.external = Some(External::Constant);
                ItemKind::Fn(f)
            }
            Rule::extern_type => {
                let mut ks = kids(inner).into_iter().peekable();
                let attr = ks.next().unwrap();
                if !matches!(self.external(attr.clone()), Some(External::Runtime { ref symbol, .. }) if symbol.is_empty())
                {
                    self.error(
                        "an opaque runtime type is declared `@extern pub type Name`",
                        self.span(&attr),
                    );
                }
                let is_pub = ks.next_if(|k| k.as_rule() == Rule::kw_pub).is_some();
                let name = ks.next().unwrap().as_str().to_string();
                let generics = ks.next().map(idents).unwrap_or_default();
                ItemKind::ExternType {
                    is_pub,
                    name,
                    generics,
                }
            }
            Rule::struct_def => ItemKind::Struct(self.struct_def(inner)),
            Rule::sum_type_def => ItemKind::SumType(self.sum_type_def(inner)),
            Rule::type_alias => {
                let mut ks = kids(inner).into_iter().peekable();
                let is_pub = ks.next_if(|k| k.as_rule() == Rule::kw_pub).is_some();
                let name = ks.next().unwrap().as_str().to_string();
                let generics = match ks.next_if(|k| k.as_rule() == Rule::generic_params) {
                    Some(g) => idents(g),
                    None => vec![],
                };
                let ty = self.type_expr(ks.next().unwrap());
                ItemKind::TypeAlias {
                    is_pub,
                    name,
                    generics,
                    ty,
                }
            }
            Rule::interface_def => ItemKind::Interface(self.interface_def(inner)),
            Rule::impl_def => ItemKind::Impl(self.impl_def(inner)),
            Rule::actor_def => {
                let mut ks = kids(inner).into_iter().peekable();
                let is_pub = ks.next_if(|k| k.as_rule() == Rule::kw_pub).is_some();
                let name = ks.next().unwrap().as_str().to_string();
                let params = match ks.next_if(|k| k.as_rule() == Rule::params) {
                    Some(ps) => self.params(ps),
                    None => vec![],
                };
                let body = self.block(ks.next().unwrap());
                let terminate = ks.next().map(|t| self.block(kids(t).remove(0)));
                ItemKind::Actor(ActorDef {
                    is_pub,
                    name,
                    params,
                    body,
                    terminate,
                })
            }
            Rule::service_def => ItemKind::Service(self.service_def(inner)),
            Rule::supervisor_def => ItemKind::Supervisor(self.supervisor_def(inner)),
            Rule::stmt => ItemKind::Stmt(self.stmt(inner)),
            r => unreachable!("item {r:?}"),
        };
        Item { kind, span }
    }

    fn path(&mut self, p: P) -> Vec<String> {
        kids(p).iter().map(|s| s.as_str().to_string()).collect()
    }

    fn fn_def(&mut self, p: P) -> FnDef {
        let span = self.span(&p);
        let mut f = blank_fn(span);
        for k in kids(p) {
            match k.as_rule() {
                Rule::cluster_attr => {
                    let ks = kids(k.clone());
                    if ks[0].as_str() != "cluster" {
                        self.error(
                            format!("expected `cluster` after `@`, found `{}`", ks[0].as_str()),
                            self.span(&ks[0]),
                        );
                    }
                    f.cluster = Some(ks.get(1).map(|n| self.int(n)));
                }
                Rule::kw_pub => f.is_pub = true,
                Rule::ident => f.name = k.as_str().to_string(),
                Rule::generic_params => f.generics = idents(k),
                Rule::params => f.params = self.params(k),
                Rule::type_expr => f.ret = Some(self.type_expr(k)),
                Rule::where_clause => f.bounds = self.bounds(k),
                Rule::guard => f.guard = Some(self.expr(kids(k).remove(0))),
                Rule::fn_body => {
                    let b = kids(k).remove(0);
                    f.eq_form = b.as_rule() == Rule::eq_body;
                    f.body = self.body(b);
                }
                Rule::do_body => f.body = self.body(k),
                r => unreachable!("fn_def {r:?}"),
            }
        }
        f
    }

    /// `@extern(…)` / `@intrinsic` (decision 47): `None` after reporting a malformed one.
    /// A bare `@extern` (types) has an empty symbol.
    fn external(&mut self, p: P) -> Option<External> {
        let mut ks = kids(p).into_iter();
        let name = ks.next().unwrap();
        let args: Vec<P> = ks.collect();
        if name.as_str() == "intrinsic" {
            if let Some(a) = args.first() {
                self.error("`@intrinsic` takes no arguments", self.span(a));
                return None;
            }
            return Some(External::Intrinsic);
        }
        let mut it = args.into_iter();
        let symbol = match it.next() {
            None => String::new(),
            Some(a) => {
                let inner = kids(a.clone()).remove(0);
                if inner.as_rule() != Rule::plain_str {
                    self.error(
                        "`@extern` names the runtime symbol first: `@extern(\"mesh_rt_name\")`",
                        self.span(&a),
                    );
                    return None;
                }
                let text: String = self
                    .string_parts(inner)
                    .into_iter()
                    .map(|p| match p {
                        StrPart::Text(t) => t,
                        StrPart::Interp(_) => String::new(),
                    })
                    .collect();
                text
            }
        };
        let (mut owns, mut located) = (false, false);
        for a in it {
            match a.as_str() {
                "owns" => owns = true,
                "located" => located = true,
                other => {
                    self.error(
                        format!("unknown `@extern` flag `{other}` (expected `owns` or `located`)"),
                        self.span(&a),
                    );
                    return None;
                }
            }
        }
        Some(External::Runtime {
            symbol,
            owns,
            located,
        })
    }

    /// A function without a body: `@extern("sym") pub fn f(x :: T) -> R`.
    fn extern_fn(&mut self, p: P) -> FnDef {
        let span = self.span(&p);
        let mut f = blank_fn(span);
        for k in kids(p) {
            match k.as_rule() {
                Rule::extern_attr => {
                    let at = self.span(&k);
                    f.external = self.external(k);
                    if matches!(&f.external, Some(External::Runtime { symbol, .. }) if symbol.is_empty())
                    {
                        self.error("`@extern` on a function names its runtime symbol: `@extern(\"mesh_rt_name\")`", at);
                    }
                }
                Rule::kw_pub => f.is_pub = true,
                Rule::member => f.name = k.as_str().to_string(),
                Rule::generic_params => f.generics = idents(k),
                Rule::params => f.params = self.params(k),
                Rule::type_expr => f.ret = Some(self.type_expr(k)),
                Rule::where_clause => f.bounds = self.bounds(k),
                r => unreachable!("extern_fn/extern_const {r:?}"),
            }
        }
        if f.external.is_none() {
            // a malformed attribute was reported; keep a declaration that checks
            f.external = Some(External::Intrinsic);
        }
        for p in &f.params {
            if p.ty.is_none() {
                self.error(
                    "every parameter of a function without a body is annotated",
                    p.pat.span,
                );
            }
        }
        f
    }

    /// `eq_body` (`= expr`) or `do_body` (`do block end`) as a block.
    fn body(&mut self, p: P) -> Block {
        match p.as_rule() {
            Rule::eq_body => {
                let e = self.expr(kids(p).remove(0));
                vec![Stmt {
                    span: e.span,
                    kind: StmtKind::Expr(e),
                }]
            }
            Rule::do_body => self.block(kids(p).remove(0)),
            Rule::block => self.block(p),
            Rule::expr => {
                let e = self.expr(p);
                vec![Stmt {
                    span: e.span,
                    kind: StmtKind::Expr(e),
                }]
            }
            Rule::arm_body => self.body(kids(p).remove(0)),
            r => unreachable!("body {r:?}"),
        }
    }

    fn bounds(&mut self, p: P) -> Vec<Bound> {
        kids(p)
            .into_iter()
            .map(|b| {
                let mut ks = kids(b).into_iter();
                let var = ks.next().unwrap().as_str().to_string();
                Bound {
                    var,
                    traits: ks.map(|t| self.type_expr(t)).collect(),
                }
            })
            .collect()
    }

    fn params(&mut self, p: P) -> Vec<Param> {
        kids(p).into_iter().map(|q| self.param(q)).collect()
    }

    /// `param`, `cparam`: a pattern with an optional `:: Type`.
    fn param(&mut self, p: P) -> Param {
        let mut ks = kids(p).into_iter();
        let first = ks.next().unwrap();
        if first.as_rule() == Rule::self_param {
            return Param {
                pat: Pat::new(PatKind::SelfParam, self.span(&first)),
                ty: None,
            };
        }
        let pat = self.prim_pat(first);
        let ty = ks.next().map(|t| self.type_expr(t));
        Param { pat, ty }
    }

    fn struct_def(&mut self, p: P) -> StructDef {
        let mut s = StructDef {
            is_pub: false,
            name: String::new(),
            generics: vec![],
            fields: vec![],
            meta: vec![],
            deriving: None,
        };
        for k in kids(p) {
            match k.as_rule() {
                Rule::kw_pub => s.is_pub = true,
                Rule::ident => s.name = k.as_str().to_string(),
                Rule::generic_params => s.generics = idents(k),
                Rule::struct_entry => {
                    let e = kids(k).remove(0);
                    let mut ks = kids(e.clone()).into_iter();
                    let name = ks.next().unwrap().as_str().to_string();
                    if e.as_rule() == Rule::struct_field {
                        let t = self.type_expr(ks.next().unwrap());
                        s.fields.push((name, t));
                    } else {
                        let args = ks.map(|a| self.expr(a)).collect();
                        s.meta.push((name, args));
                    }
                }
                Rule::deriving => s.deriving = Some(idents(k)),
                r => unreachable!("struct {r:?}"),
            }
        }
        s
    }

    fn sum_type_def(&mut self, p: P) -> SumTypeDef {
        let mut s = SumTypeDef {
            is_pub: false,
            name: String::new(),
            generics: vec![],
            variants: vec![],
            deriving: None,
        };
        for k in kids(p) {
            match k.as_rule() {
                Rule::kw_pub => s.is_pub = true,
                Rule::ident => s.name = k.as_str().to_string(),
                Rule::generic_params => s.generics = idents(k),
                Rule::variant => {
                    let span = self.span(&k);
                    let mut ks = kids(k).into_iter();
                    let name = ks.next().unwrap().as_str().to_string();
                    let fields = ks
                        .map(|vf| {
                            let vs = kids(vf);
                            if vs.len() == 2 {
                                (
                                    Some(vs[0].as_str().to_string()),
                                    self.type_expr(vs[1].clone()),
                                )
                            } else {
                                (None, self.type_expr(vs[0].clone()))
                            }
                        })
                        .collect();
                    s.variants.push(Variant { name, fields, span });
                }
                Rule::deriving => s.deriving = Some(idents(k)),
                r => unreachable!("sum type {r:?}"),
            }
        }
        s
    }

    fn interface_def(&mut self, p: P) -> InterfaceDef {
        let mut d = InterfaceDef {
            is_pub: false,
            name: String::new(),
            generics: vec![],
            assoc_types: vec![],
            methods: vec![],
        };
        for k in kids(p) {
            match k.as_rule() {
                Rule::kw_pub => d.is_pub = true,
                Rule::ident => d.name = k.as_str().to_string(),
                Rule::generic_params => d.generics = idents(k),
                Rule::iface_item => {
                    let it = kids(k).remove(0);
                    if it.as_rule() == Rule::assoc_decl {
                        d.assoc_types.push(kids(it)[0].as_str().to_string());
                    } else {
                        d.methods.push(self.fn_def(it));
                    }
                }
                r => unreachable!("interface {r:?}"),
            }
        }
        d
    }

    fn impl_def(&mut self, p: P) -> ImplDef {
        let mut ks = kids(p).into_iter().peekable();
        let trait_path = self.path(ks.next().unwrap());
        let trait_args = match ks.next_if(|k| k.as_rule() == Rule::type_args) {
            Some(a) => kids(a).into_iter().map(|t| self.type_expr(t)).collect(),
            None => vec![],
        };
        let for_ty = self.type_expr(ks.next().unwrap());
        let mut d = ImplDef {
            trait_path,
            trait_args,
            for_ty,
            bounds: vec![],
            assoc: vec![],
            methods: vec![],
            lifted: vec![],
        };
        for k in ks {
            match k.as_rule() {
                Rule::where_clause => d.bounds = self.bounds(k),
                Rule::impl_item => {
                    let it = kids(k).remove(0);
                    if it.as_rule() == Rule::assoc_bind {
                        let ks = kids(it);
                        d.assoc
                            .push((ks[0].as_str().to_string(), self.type_expr(ks[1].clone())));
                    } else {
                        d.methods.push(self.fn_def(it));
                    }
                }
                r => unreachable!("impl {r:?}"),
            }
        }
        d
    }

    fn service_def(&mut self, p: P) -> ServiceDef {
        let mut d = ServiceDef {
            is_pub: false,
            name: String::new(),
            fns: vec![],
            handlers: vec![],
        };
        for k in kids(p) {
            match k.as_rule() {
                Rule::kw_pub => d.is_pub = true,
                Rule::ident => d.name = k.as_str().to_string(),
                Rule::service_item => {
                    let it = kids(k).remove(0);
                    if it.as_rule() == Rule::fn_def {
                        d.fns.push(self.fn_def(it));
                        continue;
                    }
                    let span = self.span(&it);
                    let mut h = Handler {
                        kind: HandlerKind::Call,
                        name: String::new(),
                        params: vec![],
                        reply: None,
                        state: vec![],
                        body: vec![],
                        span,
                    };
                    for hk in kids(it) {
                        match hk.as_rule() {
                            Rule::handler_kind => {
                                h.kind = match hk.as_str() {
                                    "call" => HandlerKind::Call,
                                    "cast" => HandlerKind::Cast,
                                    _ => HandlerKind::Info,
                                }
                            }
                            Rule::ident => h.name = hk.as_str().to_string(),
                            Rule::params => h.params = self.params(hk),
                            Rule::type_expr => h.reply = Some(self.type_expr(hk)),
                            Rule::state_param => h.state = self.bar_params(kids(hk).remove(0)),
                            Rule::block => h.body = self.block(hk),
                            r => unreachable!("handler {r:?}"),
                        }
                    }
                    d.handlers.push(h);
                }
                r => unreachable!("service {r:?}"),
            }
        }
        d
    }

    fn bar_params(&mut self, p: P) -> Vec<Param> {
        kids(p).into_iter().map(|c| self.param(c)).collect()
    }

    fn supervisor_def(&mut self, p: P) -> SupervisorDef {
        let mut d = SupervisorDef {
            is_pub: false,
            name: String::new(),
            settings: vec![],
            children: vec![],
        };
        for k in kids(p) {
            match k.as_rule() {
                Rule::kw_pub => d.is_pub = true,
                Rule::ident => d.name = k.as_str().to_string(),
                Rule::sup_entry => {
                    let e = kids(k).remove(0);
                    if e.as_rule() == Rule::sup_setting {
                        d.settings.push(self.setting(e));
                    } else {
                        let span = self.span(&e);
                        let mut ks = kids(e).into_iter();
                        let id = ks.next().unwrap().as_str().to_string();
                        let settings = ks.map(|s| self.setting(s)).collect();
                        d.children.push(SupChild { id, settings, span });
                    }
                }
                r => unreachable!("supervisor {r:?}"),
            }
        }
        d
    }

    fn setting(&mut self, p: P) -> (String, Expr) {
        let ks = kids(p);
        (ks[0].as_str().to_string(), self.expr(ks[1].clone()))
    }

    // ------------------------------------------------------------ types

    fn type_expr(&mut self, p: P) -> TypeExpr {
        let span = self.span(&p);
        let mut ks = kids(p).into_iter().peekable();
        let base = self.base_type(ks.next().unwrap());
        let base = if ks.next_if(|k| k.as_rule() == Rule::opt_suffix).is_some() {
            TypeExpr {
                kind: TypeKind::Optional(Box::new(base)),
                span,
            }
        } else {
            base
        };
        match ks.next() {
            Some(e) => TypeExpr {
                kind: TypeKind::Fallible(Box::new(base), Box::new(self.type_expr(e))),
                span,
            },
            None => base,
        }
    }

    fn base_type(&mut self, p: P) -> TypeExpr {
        let t = kids(p).remove(0);
        let span = self.span(&t);
        match t.as_rule() {
            Rule::fun_type => {
                let mut ts: Vec<TypeExpr> =
                    kids(t).into_iter().map(|x| self.type_expr(x)).collect();
                let ret = ts.pop().unwrap();
                TypeExpr {
                    kind: TypeKind::Fun(ts, Box::new(ret)),
                    span,
                }
            }
            Rule::tuple_type => {
                let mut ts: Vec<TypeExpr> = kids(t.clone())
                    .into_iter()
                    .map(|x| self.type_expr(x))
                    .collect();
                if ts.len() == 1 && !t.as_str().trim_end_matches(')').trim_end().ends_with(',') {
                    ts.pop().unwrap()
                } else {
                    TypeExpr {
                        kind: TypeKind::Tuple(ts),
                        span,
                    }
                }
            }
            Rule::named_type => {
                let mut ks = kids(t).into_iter();
                let path = kids(ks.next().unwrap())
                    .iter()
                    .map(|s| s.as_str().to_string())
                    .collect();
                let args = match ks.next() {
                    Some(a) => kids(a).into_iter().map(|x| self.type_expr(x)).collect(),
                    None => vec![],
                };
                TypeExpr {
                    kind: TypeKind::Named { path, args },
                    span,
                }
            }
            r => unreachable!("type {r:?}"),
        }
    }

    // ------------------------------------------------------------ statements

    pub fn block(&mut self, p: P) -> Block {
        kids(p)
            .into_iter()
            .map(|s| {
                let inner = kids(s).remove(0);
                match inner.as_rule() {
                    Rule::stmt => self.stmt(inner),
                    _ => {
                        let span = self.span(&inner);
                        // Reuse item building for nested definitions.
                        let kind = match inner.as_rule() {
                            Rule::fn_def => ItemKind::Fn(self.fn_def(inner)),
                            Rule::struct_def => ItemKind::Struct(self.struct_def(inner)),
                            Rule::sum_type_def => ItemKind::SumType(self.sum_type_def(inner)),
                            Rule::type_alias => {
                                let mut ks = kids(inner).into_iter().peekable();
                                let is_pub = ks.next_if(|k| k.as_rule() == Rule::kw_pub).is_some();
                                let name = ks.next().unwrap().as_str().to_string();
                                let generics =
                                    match ks.next_if(|k| k.as_rule() == Rule::generic_params) {
                                        Some(g) => idents(g),
                                        None => vec![],
                                    };
                                let ty = self.type_expr(ks.next().unwrap());
                                ItemKind::TypeAlias {
                                    is_pub,
                                    name,
                                    generics,
                                    ty,
                                }
                            }
                            r => unreachable!("block item {r:?}"),
                        };
                        Stmt {
                            kind: StmtKind::Item(Box::new(Item { kind, span })),
                            span,
                        }
                    }
                }
            })
            .collect()
    }

    fn stmt(&mut self, p: P) -> Stmt {
        let span = self.span(&p);
        let inner = kids(p).remove(0);
        let kind = match inner.as_rule() {
            Rule::let_stmt => {
                let mut ks = kids(inner).into_iter();
                let lp = kids(ks.next().unwrap()).remove(0);
                let pat = match lp.as_rule() {
                    Rule::ident => Pat::new(PatKind::Var(lp.as_str().to_string()), self.span(&lp)),
                    Rule::wild_pat => Pat::new(PatKind::Wild, self.span(&lp)),
                    _ => self.tuple_pat(lp),
                };
                let rest: Vec<P> = ks.collect();
                let (ty, value) = if rest.len() == 2 {
                    (
                        Some(self.type_expr(rest[0].clone())),
                        self.expr(rest[1].clone()),
                    )
                } else {
                    (None, self.expr(rest[0].clone()))
                };
                StmtKind::Let { pat, ty, value }
            }
            _ => StmtKind::Expr(self.expr(inner)),
        };
        Stmt { kind, span }
    }

    // ------------------------------------------------------------ expressions

    /// `expr` / `expr_nd`: unary (infix unary)*, folded by precedence climbing.
    pub fn expr(&mut self, p: P) -> Expr {
        let ks = kids(p);
        let mut operands = Vec::new();
        let mut ops = Vec::new();
        for k in ks {
            if k.as_rule() == Rule::infix {
                ops.push(k.as_str().trim().to_string());
            } else {
                operands.push(self.unary(k));
            }
        }
        let mut operands = operands.into_iter();
        let first = operands.next().unwrap();
        let rest: Vec<(String, Expr)> = ops.into_iter().zip(operands).collect();
        let mut it = rest.into_iter().peekable();
        climb(first, &mut it, 0)
    }

    fn unary(&mut self, p: P) -> Expr {
        let mut ks = kids(p);
        let operand = ks.pop().unwrap();
        let mut e = self.postfix(operand);
        for pre in ks.into_iter().rev() {
            let span = self.span(&pre).to(e.span);
            let op = if pre.as_str().trim() == "-" {
                UnOp::Neg
            } else {
                UnOp::Not
            };
            e = Expr::new(ExprKind::Unary(op, Box::new(e)), span);
        }
        e
    }

    fn postfix(&mut self, p: P) -> Expr {
        let mut ks = kids(p).into_iter();
        let mut e = self.primary(ks.next().unwrap());
        for op in ks {
            let span = e.span.to(self.span(&op));
            if op.as_rule() == Rule::trailing_closure {
                let cspan = self.span(&op);
                let mut tk = kids(op).into_iter().peekable();
                let params = match tk.next_if(|k| k.as_rule() == Rule::bar_params) {
                    Some(bp) => self.bar_params(bp),
                    None => vec![],
                };
                let body = self.block(tk.next().unwrap());
                let closure = Expr::new(
                    ExprKind::Closure(vec![Clause {
                        params,
                        guard: None,
                        body,
                    }]),
                    cspan,
                );
                let arg = Arg {
                    name: None,
                    value: closure,
                };
                e = match e.kind {
                    ExprKind::Call { callee, mut args } => {
                        args.push(arg);
                        Expr::new(ExprKind::Call { callee, args }, span)
                    }
                    _ => Expr::new(
                        ExprKind::Call {
                            callee: Box::new(e),
                            args: vec![arg],
                        },
                        span,
                    ),
                };
                continue;
            }
            let op = kids(op).remove(0);
            e = match op.as_rule() {
                Rule::call_args => {
                    let mut args = Vec::new();
                    let mut seen_kw = false;
                    for a in kids(op) {
                        let a = kids(a).remove(0);
                        if a.as_rule() == Rule::kw_arg {
                            seen_kw = true;
                            let ks = kids(a);
                            args.push(Arg {
                                name: Some(ks[0].as_str().to_string()),
                                value: self.expr(ks.last().unwrap().clone()),
                            });
                        } else {
                            let v = self.expr(a);
                            if seen_kw {
                                self.error("positional argument after keyword arguments; keyword arguments must come last", v.span);
                            }
                            args.push(Arg {
                                name: None,
                                value: v,
                            });
                        }
                    }
                    Expr::new(
                        ExprKind::Call {
                            callee: Box::new(e),
                            args,
                        },
                        span,
                    )
                }
                Rule::field => Expr::new(
                    ExprKind::Field(Box::new(e), kids(op)[0].as_str().to_string()),
                    span,
                ),
                Rule::index => {
                    let i = self.expr(kids(op).remove(0));
                    Expr::new(ExprKind::Index(Box::new(e), Box::new(i)), span)
                }
                Rule::try_op => Expr::new(ExprKind::Try(Box::new(e), None), span),
                Rule::struct_body => {
                    let fields = self.field_inits(op);
                    Expr::new(
                        ExprKind::StructLit {
                            ty: Box::new(e),
                            fields,
                        },
                        span,
                    )
                }
                r => unreachable!("postfix {r:?}"),
            };
        }
        e
    }

    fn field_inits(&mut self, p: P) -> Vec<(String, Expr)> {
        kids(p)
            .into_iter()
            .filter(|f| f.as_rule() == Rule::field_init)
            .map(|f| {
                let ks = kids(f);
                (ks[0].as_str().to_string(), self.expr(ks[1].clone()))
            })
            .collect()
    }

    fn int(&mut self, p: &P) -> i64 {
        let text: String = p.as_str().chars().filter(|c| *c != '_').collect();
        let (digits, radix) = match text.get(..2) {
            Some("0x") | Some("0X") => (&text[2..], 16),
            Some("0b") | Some("0B") => (&text[2..], 2),
            Some("0o") | Some("0O") => (&text[2..], 8),
            _ => (&text[..], 10),
        };
        match u64::from_str_radix(digits, radix) {
            Ok(v) if v <= i64::MAX as u64 => v as i64,
            _ => {
                self.error(format!("integer literal `{}` does not fit in a 64-bit Int (max 9223372036854775807)", p.as_str()), self.span(p));
                0
            }
        }
    }

    fn float(&mut self, p: &P) -> f64 {
        let text: String = p.as_str().chars().filter(|c| *c != '_').collect();
        text.parse().unwrap_or(0.0)
    }

    fn primary(&mut self, p: P) -> Expr {
        let span = self.span(&p);
        let inner = kids(p).remove(0);
        let kind = match inner.as_rule() {
            Rule::int_lit => ExprKind::Int(self.int(&inner)),
            Rule::float_lit => ExprKind::Float(self.float(&inner)),
            Rule::string => ExprKind::Str(self.string(inner)),
            Rule::bool_lit => ExprKind::Bool(inner.as_str() == "true"),
            Rule::nil_lit => ExprKind::Nil,
            Rule::atom_lit => ExprKind::Atom(inner.as_str()[1..].to_string()),
            Rule::regex_lit => {
                let ks = kids(inner);
                let flags = ks[1].as_str().to_string();
                if let Some(bad) = flags.chars().find(|c| !"ims".contains(*c)) {
                    self.error(
                        format!("unknown regex flag `{bad}` (allowed: i, m, s)"),
                        self.span(&ks[1]),
                    );
                }
                ExprKind::Regex {
                    pattern: ks[0].as_str().to_string(),
                    flags,
                }
            }
            Rule::if_expr => return self.if_expr(inner),
            Rule::case_expr => {
                let mut ks = kids(inner).into_iter();
                let scrutinee = Box::new(self.expr(ks.next().unwrap()));
                let arms = ks.map(|a| self.arm(a)).collect();
                ExprKind::Case { scrutinee, arms }
            }
            Rule::receive_expr => {
                let mut arms = Vec::new();
                let mut after = None;
                for k in kids(inner) {
                    if k.as_rule() == Rule::arm {
                        arms.push(self.arm(k));
                    } else {
                        let ks = kids(k);
                        let t = self.expr(ks[0].clone());
                        let body = self.body(ks[1].clone());
                        after = Some((Box::new(t), body));
                    }
                }
                ExprKind::Receive { arms, after }
            }
            Rule::while_expr => {
                let ks = kids(inner);
                ExprKind::While {
                    cond: Box::new(self.expr(ks[0].clone())),
                    body: self.block(ks[1].clone()),
                }
            }
            Rule::for_expr => {
                let ks = kids(inner);
                let binding = ks[0].clone();
                let bspan = self.span(&binding);
                let brace = binding.as_str().trim_start().starts_with('{');
                let pats: Vec<Pat> = kids(binding).into_iter().map(|q| self.pattern(q)).collect();
                let pat = if brace {
                    Pat::new(PatKind::Brace(pats), bspan)
                } else {
                    pats.into_iter().next().unwrap()
                };
                let iter = Box::new(self.expr(ks[1].clone()));
                let (filter, body) = if ks.len() == 4 {
                    (
                        Some(Box::new(self.expr(ks[2].clone()))),
                        self.block(ks[3].clone()),
                    )
                } else {
                    (None, self.block(ks[2].clone()))
                };
                ExprKind::For {
                    pat,
                    iter,
                    filter,
                    body,
                }
            }
            Rule::closure => ExprKind::Closure(self.closure(inner)),
            Rule::json_lit => {
                let fields = kids(inner)
                    .into_iter()
                    .map(|f| {
                        let ks = kids(f);
                        let key = match ks[0].as_rule() {
                            Rule::plain_str => match self.string_parts(ks[0].clone()).as_slice() {
                                [StrPart::Text(t)] => t.clone(),
                                [] => String::new(),
                                _ => {
                                    self.error(
                                        "a `json` key cannot be interpolated",
                                        self.span(&ks[0]),
                                    );
                                    String::new()
                                }
                            },
                            _ => ks[0].as_str().to_string(),
                        };
                        (key, self.expr(ks[1].clone()))
                    })
                    .collect();
                ExprKind::Json(fields)
            }
            Rule::break_expr => ExprKind::Break,
            Rule::continue_expr => ExprKind::Continue,
            Rule::return_expr => ExprKind::Return(
                kids(inner)
                    .into_iter()
                    .next()
                    .map(|e| Box::new(self.expr(e))),
            ),
            Rule::self_call => ExprKind::SelfPid,
            Rule::self_ref => ExprKind::SelfRef,
            Rule::kw_callee => ExprKind::Var(inner.as_str().trim().to_string()),
            Rule::map_update => {
                let mut ks = kids(inner).into_iter();
                let base = Box::new(self.expr(ks.next().unwrap()));
                let fields = ks
                    .map(|f| {
                        let fs = kids(f);
                        (fs[0].as_str().to_string(), self.expr(fs[1].clone()))
                    })
                    .collect();
                ExprKind::StructUpdate { base, fields }
            }
            Rule::map_lit => ExprKind::Map(
                kids(inner)
                    .into_iter()
                    .map(|e| {
                        let ks = kids(e);
                        (self.expr(ks[0].clone()), self.expr(ks[1].clone()))
                    })
                    .collect(),
            ),
            Rule::list_lit => {
                ExprKind::List(kids(inner).into_iter().map(|e| self.expr(e)).collect())
            }
            Rule::paren => {
                let mut es: Vec<Expr> = kids(inner).into_iter().map(|e| self.expr(e)).collect();
                match es.len() {
                    0 => ExprKind::Unit,
                    1 => {
                        // grouping keeps the inner node (with the parenthesised span)
                        let mut e = es.pop().unwrap();
                        e.span = span;
                        return e;
                    }
                    _ => ExprKind::Tuple(es),
                }
            }
            Rule::ident => ExprKind::Var(inner.as_str().to_string()),
            r => unreachable!("primary {r:?}"),
        };
        Expr::new(kind, span)
    }

    fn if_expr(&mut self, p: P) -> Expr {
        let span = self.span(&p);
        let ks = kids(p);
        let cond = Box::new(self.expr(ks[0].clone()));
        let then = self.block(ks[1].clone());
        let else_ = ks.get(2).map(|e| {
            if e.as_rule() == Rule::if_expr {
                let nested = self.if_expr(e.clone());
                vec![Stmt {
                    span: nested.span,
                    kind: StmtKind::Expr(nested),
                }]
            } else {
                self.block(e.clone())
            }
        });
        Expr::new(ExprKind::If { cond, then, else_ }, span)
    }

    fn arm(&mut self, p: P) -> Arm {
        let span = self.span(&p);
        let mut ks = kids(p).into_iter().peekable();
        let pat = self.pattern(ks.next().unwrap());
        let guard = ks
            .next_if(|k| k.as_rule() == Rule::guard)
            .map(|g| self.expr(kids(g).remove(0)));
        let body = self.body(ks.next().unwrap());
        Arm {
            pat,
            guard,
            body,
            span,
        }
    }

    fn closure(&mut self, p: P) -> Vec<Clause> {
        let ks = kids(p);
        if ks[0].as_rule() == Rule::block {
            return vec![Clause {
                params: vec![],
                guard: None,
                body: self.block(ks[0].clone()),
            }];
        }
        ks.into_iter()
            .filter(|k| k.as_rule() == Rule::closure_clause)
            .map(|c| {
                let mut cs = kids(c).into_iter().peekable();
                let cp = cs.next().unwrap();
                let params: Vec<Param> = kids(cp)
                    .into_iter()
                    .flat_map(|x| {
                        if x.as_rule() == Rule::params {
                            kids(x)
                        } else {
                            vec![x]
                        }
                    })
                    .map(|x| self.param(x))
                    .collect();
                let guard = cs
                    .next_if(|k| k.as_rule() == Rule::guard)
                    .map(|g| self.expr(kids(g).remove(0)));
                let body = self.body(cs.next().unwrap());
                Clause {
                    params,
                    guard,
                    body,
                }
            })
            .collect()
    }

    // ------------------------------------------------------------ strings

    fn string(&mut self, p: P) -> Vec<StrPart> {
        let inner = kids(p).remove(0);
        if inner.as_rule() == Rule::heredoc {
            let parts = self.string_parts(inner);
            heredoc(parts)
        } else {
            self.string_parts(inner)
        }
    }

    fn string_parts(&mut self, p: P) -> Vec<StrPart> {
        let mut parts: Vec<StrPart> = Vec::new();
        for k in kids(p) {
            let piece = match k.as_rule() {
                Rule::interp => {
                    parts.push(StrPart::Interp(self.expr(kids(k).remove(0))));
                    continue;
                }
                Rule::escape => unescape(&k.as_str()[1..]),
                _ => k.as_str().to_string(),
            };
            match parts.last_mut() {
                Some(StrPart::Text(t)) => t.push_str(&piece),
                _ => parts.push(StrPart::Text(piece)),
            }
        }
        parts
    }

    // ------------------------------------------------------------ patterns

    fn pattern(&mut self, p: P) -> Pat {
        let span = self.span(&p);
        let ks = kids(p);
        let cons = self.cons_pat(ks[0].clone());
        match ks.get(1) {
            Some(name) => Pat::new(PatKind::As(Box::new(cons), name.as_str().to_string()), span),
            None => cons,
        }
    }

    fn cons_pat(&mut self, p: P) -> Pat {
        let span = self.span(&p);
        let ks = kids(p);
        let head = self.or_pat(ks[0].clone());
        match ks.get(1) {
            Some(t) => Pat::new(
                PatKind::Cons(Box::new(head), Box::new(self.cons_pat(t.clone()))),
                span,
            ),
            None => head,
        }
    }

    fn or_pat(&mut self, p: P) -> Pat {
        let span = self.span(&p);
        let mut alts: Vec<Pat> = kids(p)
            .into_iter()
            .filter(|k| k.as_rule() == Rule::prim_pat)
            .map(|k| self.prim_pat(k))
            .collect();
        if alts.len() == 1 {
            alts.pop().unwrap()
        } else {
            Pat::new(PatKind::Or(alts), span)
        }
    }

    fn tuple_pat(&mut self, p: P) -> Pat {
        let span = self.span(&p);
        let ps: Vec<Pat> = kids(p).into_iter().map(|q| self.pattern(q)).collect();
        Pat::new(PatKind::Tuple(ps), span)
    }

    fn prim_pat(&mut self, p: P) -> Pat {
        let span = self.span(&p);
        let inner = kids(p).remove(0);
        let kind = match inner.as_rule() {
            Rule::neg_num => {
                let n = kids(inner).remove(0);
                if n.as_rule() == Rule::float_lit {
                    PatKind::Float(-self.float(&n))
                } else {
                    PatKind::Int(self.int(&n).wrapping_neg())
                }
            }
            Rule::float_lit => PatKind::Float(self.float(&inner)),
            Rule::int_lit => PatKind::Int(self.int(&inner)),
            Rule::pat_string => {
                let mut s = String::new();
                for k in kids(inner) {
                    if k.as_rule() == Rule::escape {
                        s.push_str(&unescape(&k.as_str()[1..]));
                    } else {
                        s.push_str(k.as_str());
                    }
                }
                PatKind::Str(s)
            }
            Rule::bool_lit => PatKind::Bool(inner.as_str() == "true"),
            Rule::nil_lit => PatKind::Nil,
            Rule::atom_lit => PatKind::Atom(inner.as_str()[1..].to_string()),
            Rule::tuple_pat => {
                let ps: Vec<Pat> = kids(inner).into_iter().map(|q| self.pattern(q)).collect();
                if ps.len() == 1 {
                    return ps.into_iter().next().unwrap();
                }
                PatKind::Tuple(ps)
            }
            Rule::brace_pat => {
                PatKind::Brace(kids(inner).into_iter().map(|q| self.pattern(q)).collect())
            }
            Rule::ctor_pat => {
                let has_parens = inner.as_str().contains('(');
                let mut ks = kids(inner).into_iter();
                let path = ks
                    .next()
                    .unwrap()
                    .as_str()
                    .split('.')
                    .map(|s| s.trim().to_string())
                    .collect();
                let args: Vec<Pat> = ks.map(|q| self.pattern(q)).collect();
                PatKind::Ctor {
                    path,
                    args: if has_parens { Some(args) } else { None },
                }
            }
            Rule::wild_pat => PatKind::Wild,
            Rule::ident => PatKind::Var(inner.as_str().to_string()),
            r => unreachable!("pattern {r:?}"),
        };
        Pat::new(kind, span)
    }
}

fn idents(p: P) -> Vec<String> {
    kids(p).iter().map(|i| i.as_str().to_string()).collect()
}

/// Spec 01 §2.7: `\n \t \r \0 \\ \"`; any other `\X` is `X`.
fn unescape(rest: &str) -> String {
    match rest {
        "n" => "\n".into(),
        "t" => "\t".into(),
        "r" => "\r".into(),
        "0" => "\0".into(),
        other => other.to_string(),
    }
}

/// Spec 01 §5: binding power of each infix operator (higher binds tighter).
fn prec(op: &str) -> u8 {
    match op {
        "*" | "/" | "%" => 10,
        "+" | "-" => 9,
        "<>" | "++" => 8,
        ".." => 7,
        "<" | ">" | "<=" | ">=" => 6,
        "==" | "!=" => 5,
        "and" | "&&" => 4,
        "or" | "||" => 3,
        _ => 2, // |> and |N>
    }
}

/// Precedence climbing; every operator is left-associative.
fn climb(
    mut lhs: Expr,
    rest: &mut std::iter::Peekable<std::vec::IntoIter<(String, Expr)>>,
    min: u8,
) -> Expr {
    while let Some((op, _)) = rest.peek() {
        let p = prec(op);
        if p < min {
            break;
        }
        let (op, mut rhs) = rest.next().unwrap();
        while let Some((next, _)) = rest.peek() {
            if prec(next) > p {
                let np = prec(next);
                rhs = climb(rhs, rest, np);
            } else {
                break;
            }
        }
        let span = lhs.span.to(rhs.span);
        let kind = match op.as_str() {
            "|>" => ExprKind::Pipe {
                lhs: Box::new(lhs),
                rhs: Box::new(rhs),
                slot: 1,
            },
            s if s.starts_with('|') && s.ends_with('>') => {
                let slot = s[1..s.len() - 1].parse().unwrap_or(0);
                ExprKind::Pipe {
                    lhs: Box::new(lhs),
                    rhs: Box::new(rhs),
                    slot,
                }
            }
            s => ExprKind::Binary(binop(s), Box::new(lhs), Box::new(rhs)),
        };
        lhs = Expr::new(kind, span);
    }
    lhs
}

fn binop(s: &str) -> BinOp {
    match s {
        "+" => BinOp::Add,
        "-" => BinOp::Sub,
        "*" => BinOp::Mul,
        "/" => BinOp::Div,
        "%" => BinOp::Rem,
        "<>" => BinOp::Concat,
        "++" => BinOp::ListConcat,
        ".." => BinOp::Range,
        "<" => BinOp::Lt,
        ">" => BinOp::Gt,
        "<=" => BinOp::Le,
        ">=" => BinOp::Ge,
        "==" => BinOp::Eq,
        "!=" => BinOp::Ne,
        "and" | "&&" => BinOp::And,
        _ => BinOp::Or,
    }
}

/// Spec 01 §2.8: heredoc processing on the escaped parts.
fn heredoc(mut parts: Vec<StrPart>) -> Vec<StrPart> {
    // 1. a leading newline is dropped
    if let Some(StrPart::Text(t)) = parts.first_mut() {
        if let Some(rest) = t.strip_prefix("\r\n").or_else(|| t.strip_prefix('\n')) {
            *t = rest.to_string();
        }
    }
    // 2./3. the closing line sets the trim level and is removed with its newline
    let mut trim = 0;
    if let Some(StrPart::Text(t)) = parts.last_mut() {
        if let Some(nl) = t.rfind('\n') {
            let tail = &t[nl + 1..];
            if tail.chars().all(|c| c == ' ' || c == '\t') {
                trim = tail.chars().count();
                let cut = if nl > 0 && t.as_bytes()[nl - 1] == b'\r' {
                    nl - 1
                } else {
                    nl
                };
                t.truncate(cut);
            }
        }
    }
    // 4. strip up to `trim` leading blanks at every line start
    if trim > 0 {
        for (i, part) in parts.iter_mut().enumerate() {
            if let StrPart::Text(t) = part {
                let mut out = String::new();
                let mut at_line_start = i == 0;
                let mut stripped = 0;
                for c in t.chars() {
                    if at_line_start && (c == ' ' || c == '\t') && stripped < trim {
                        stripped += 1;
                        continue;
                    }
                    at_line_start = false;
                    if c == '\n' {
                        at_line_start = true;
                        stripped = 0;
                    }
                    out.push(c);
                }
                *t = out;
            }
        }
    }
    parts.retain(|p| !matches!(p, StrPart::Text(t) if t.is_empty()));
    parts
}
