//! The compiler-known traits on concrete types (spec 02 §5, §7): `Display`, `Debug`,
//! `Eq` and `Ord` of primitives are primitives; for structs, sum types and tuples one
//! function per concrete type is synthesised on first use (`display:Box<Int>`,
//! `eq:Shape`, `cmp:Level`), recursively through field types, so derived impls of
//! generic types use their arguments' impls. Recursive types call themselves.

use super::*;

/// The fields of a struct, tuple or sum variant at concrete type arguments.
fn fields_of(defs: &TypeDefs, t: &Ty) -> Vec<(String, Vec<(Option<String>, Ty)>)> {
    match t {
        Ty::Tuple(ts) => vec![(
            String::new(),
            ts.iter().map(|t| (None, t.clone())).collect(),
        )],
        Ty::Con(k, args) => {
            let def = &defs.types[k];
            match &def.kind {
                TypeDefKind::Struct(fs) => vec![(
                    def.name.clone(),
                    fs.iter()
                        .map(|(n, t)| (Some(n.clone()), t.subst(args)))
                        .collect(),
                )],
                TypeDefKind::Sum(vs) => vs
                    .iter()
                    .map(|v| {
                        (
                            v.name.clone(),
                            v.fields
                                .iter()
                                .map(|(n, t)| (n.clone(), t.subst(args)))
                                .collect(),
                        )
                    })
                    .collect(),
                TypeDefKind::Opaque => vec![],
            }
        }
        _ => vec![],
    }
}

fn is_sum(defs: &TypeDefs, t: &Ty) -> bool {
    matches!(t, Ty::Con(k, _) if matches!(defs.types[k].kind, TypeDefKind::Sum(_)))
}

impl Lower<'_> {
    /// A call of the user impl's method `m` of `trait_` for `t`, if there is one.
    fn user_impl(
        &mut self,
        trait_: &str,
        m: &str,
        t: &Ty,
        args: Vec<core::Expr>,
        ret: CTy,
        span: Span,
    ) -> Result<core::Expr, Vec<core::Expr>> {
        let Some(g) = self
            .defs
            .impl_for(trait_, t, None)
            .and_then(|i| i.methods.get(m))
            .cloned()
        else {
            return Err(args);
        };
        let name = core_name(&g, args.len());
        if self.seen.insert(name.clone()) {
            self.queue.push_back(name.clone());
        }
        Ok(mk(
            core::ExprKind::Call {
                func: name,
                args,
                tail: false,
            },
            ret,
            span,
        ))
    }

    pub(crate) fn display(&mut self, v: core::Expr, t: &Ty, span: Span) -> core::Expr {
        let v = match self.user_impl("Display", "to_string", t, vec![v], CTy::Str, span) {
            Ok(call) => return call,
            Err(mut a) => a.pop().unwrap(),
        };
        match t {
            Ty::Int => prim(Prim::IntToStr, vec![v], span),
            Ty::Float => prim(Prim::FloatToStr, vec![v], span),
            Ty::Bool => prim(Prim::BoolToStr, vec![v], span),
            Ty::String => v,
            Ty::Unit => str_lit("()", span),
            Ty::Con(k, _) if k == "Pid" => {
                self.extern_call("Process.pid_to_string", vec![v], CTy::Str, span)
            }
            Ty::Con(k, _) if k == "Json" => self.extern_call("Json.text", vec![v], CTy::Str, span),
            _ => self.helper("display", t, vec![v], CTy::Str, span),
        }
    }

    /// Debug text: like Display for primitives (strings unquoted, as the reference).
    pub(crate) fn debug(&mut self, v: core::Expr, t: &Ty, span: Span) -> core::Expr {
        let v = match self.user_impl("Debug", "inspect", t, vec![v], CTy::Str, span) {
            Ok(call) => return call,
            Err(mut a) => a.pop().unwrap(),
        };
        match t {
            Ty::Con(k, _) if k == "Json" => self.display(v, t, span),
            Ty::Con(..) | Ty::Tuple(_) => self.helper("debug", t, vec![v], CTy::Str, span),
            _ => self.display(v, t, span),
        }
    }

    pub(crate) fn equal(&mut self, a: core::Expr, b: core::Expr, t: &Ty, span: Span) -> core::Expr {
        let (a, b) = match self.user_impl("Eq", "eq", t, vec![a, b], CTy::Bool, span) {
            Ok(call) => return call,
            Err(mut v) => {
                let b = v.pop().unwrap();
                (v.pop().unwrap(), b)
            }
        };
        match t {
            Ty::Int => prim(Prim::ICmp(Cmp::Eq), vec![a, b], span),
            Ty::Con(k, _) if k == "Pid" => prim(Prim::ICmp(Cmp::Eq), vec![a, b], span),
            Ty::Float => prim(Prim::FCmp(Cmp::Eq), vec![a, b], span),
            Ty::Bool => prim(Prim::BCmp(Cmp::Eq), vec![a, b], span),
            Ty::String => prim(Prim::SCmp(Cmp::Eq), vec![a, b], span),
            Ty::Unit => {
                let both = mk(
                    core::ExprKind::Seq(Box::new(a), Box::new(b)),
                    CTy::Unit,
                    span,
                );
                mk(
                    core::ExprKind::Seq(Box::new(both), Box::new(bool_(true, span))),
                    CTy::Bool,
                    span,
                )
            }
            _ => self.helper("eq", t, vec![a, b], CTy::Bool, span),
        }
    }

    /// `hash(self) -> Int` (spec 02 §4.4): the value for Int, 0/1 for Bool, FNV-1a for
    /// String, the bits for Float; a derived hash combines fields (h * 31 + field).
    pub(crate) fn hash(&mut self, v: core::Expr, t: &Ty, span: Span) -> core::Expr {
        let v = match self.user_impl("Hash", "hash", t, vec![v], CTy::Int, span) {
            Ok(call) => return call,
            Err(mut a) => a.pop().unwrap(),
        };
        match t {
            Ty::Int => v,
            Ty::Bool => if_(
                v,
                mk(core::ExprKind::Int(1), CTy::Int, span),
                mk(core::ExprKind::Int(0), CTy::Int, span),
            ),
            Ty::String => self.extern_call("Hash.string", vec![v], CTy::Int, span),
            Ty::Float => self.extern_call("Hash.float", vec![v], CTy::Int, span),
            Ty::Unit => mk(core::ExprKind::Int(0), CTy::Int, span),
            _ => self.helper("hash", t, vec![v], CTy::Int, span),
        }
    }

    /// `default()` at type `t`: 0, 0.0, "", false, or the user `impl Default`.
    pub(crate) fn default_value(&mut self, t: &Ty, span: Span) -> core::Expr {
        if let Ok(call) = self.user_impl("Default", "default", t, vec![], CTy::Obj, span) {
            return call;
        }
        match t {
            Ty::Int => mk(core::ExprKind::Int(0), CTy::Int, span),
            Ty::Float => mk(core::ExprKind::Float(0.0), CTy::Float, span),
            Ty::Bool => bool_(false, span),
            Ty::String => str_lit("", span),
            _ => self.unsupported("`default()` for this type", span),
        }
    }

    /// -1, 0 or 1.
    pub(crate) fn compare(
        &mut self,
        a: core::Expr,
        b: core::Expr,
        t: &Ty,
        span: Span,
    ) -> core::Expr {
        let (lt, gt) = match t {
            Ty::Int => (Prim::ICmp(Cmp::Lt), Prim::ICmp(Cmp::Gt)),
            Ty::Con(k, _) if k == "Pid" => (Prim::ICmp(Cmp::Lt), Prim::ICmp(Cmp::Gt)),
            Ty::Float => (Prim::FCmp(Cmp::Lt), Prim::FCmp(Cmp::Gt)),
            Ty::String => (Prim::SCmp(Cmp::Lt), Prim::SCmp(Cmp::Gt)),
            _ => return self.helper("cmp", t, vec![a, b], CTy::Int, span),
        };
        let ty = a.ty;
        let (x, y) = (self.cx.fresh("a"), self.cx.fresh("b"));
        let int = |n| mk(core::ExprKind::Int(n), CTy::Int, span);
        let body = if_(
            prim(lt, vec![var(&x, ty, span), var(&y, ty, span)], span),
            int(-1),
            if_(
                prim(gt, vec![var(&x, ty, span), var(&y, ty, span)], span),
                int(1),
                int(0),
            ),
        );
        let_(&x, a, let_(&y, b, body))
    }

    /// An `Ordering` value (`Less`, `Equal`, `Greater` are tags 0, 1, 2) from -1/0/1.
    pub(crate) fn ordering(&mut self, c: core::Expr, span: Span) -> core::Expr {
        let n = self.cx.fresh("c");
        let obj = |tag| {
            mk(
                core::ExprKind::Alloc {
                    tag,
                    fields: vec![],
                },
                CTy::Obj,
                span,
            )
        };
        let int = |k| mk(core::ExprKind::Int(k), CTy::Int, span);
        let body = if_(
            prim(
                Prim::ICmp(Cmp::Lt),
                vec![var(&n, CTy::Int, span), int(0)],
                span,
            ),
            obj(0),
            if_(
                prim(
                    Prim::ICmp(Cmp::Eq),
                    vec![var(&n, CTy::Int, span), int(0)],
                    span,
                ),
                obj(1),
                obj(2),
            ),
        );
        let_(&n, c, body)
    }

    /// A call of the synthesised `kind` function for type `t`, creating it if needed.
    fn helper(
        &mut self,
        kind: &str,
        t: &Ty,
        args: Vec<core::Expr>,
        ret: CTy,
        span: Span,
    ) -> core::Expr {
        let name = format!("{kind}:{t}");
        if !self.helpers.contains_key(&name) {
            self.helpers.insert(name.clone(), ret);
            let params: Vec<(String, CTy)> = args
                .iter()
                .map(|_| (self.cx.fresh("v"), CTy::Obj))
                .collect();
            let ps: Vec<core::Expr> = params.iter().map(|(n, _)| var(n, CTy::Obj, span)).collect();
            let body = match kind {
                "display" => self.show_body(&ps[0], t, false, span),
                "debug" => self.show_body(&ps[0], t, true, span),
                "eq" => self.eq_body(&ps[0], &ps[1], t, span),
                "hash" => self.hash_body(&ps[0], t, span),
                _ => self.cmp_body(&ps[0], &ps[1], t, span),
            };
            self.extra.push(core::Fn {
                name: name.clone(),
                params,
                ret,
                body,
                span,
            });
        }
        mk(
            core::ExprKind::Call {
                func: name,
                args,
                tail: false,
            },
            ret,
            span,
        )
    }

    fn load(&mut self, obj: &core::Expr, i: usize, t: &Ty, span: Span) -> core::Expr {
        let ct = self.cty(Some(t), span);
        mk(
            core::ExprKind::Load(Box::new(obj.clone()), i as u32),
            ct,
            span,
        )
    }

    /// Chooses among per-variant expressions by tag (the last one needs no test).
    fn by_tag(
        &mut self,
        obj: &core::Expr,
        mut per_variant: Vec<core::Expr>,
        span: Span,
    ) -> core::Expr {
        let mut acc = per_variant.pop().unwrap();
        while let Some(e) = per_variant.pop() {
            let i = per_variant.len() as i64;
            let tag = mk(core::ExprKind::Tag(Box::new(obj.clone())), CTy::Int, span);
            acc = if_(
                prim(
                    Prim::ICmp(Cmp::Eq),
                    vec![tag, mk(core::ExprKind::Int(i), CTy::Int, span)],
                    span,
                ),
                e,
                acc,
            );
        }
        acc
    }

    /// Display of a list: `[a, b]`, elements by their Display (spec 02 §7.3).
    fn list_body(&mut self, obj: &core::Expr, elem: &Ty, debug: bool, span: Span) -> core::Expr {
        let items = self.list_items(elem, debug, span);
        let call = mk(
            core::ExprKind::Call {
                func: items,
                args: vec![obj.clone(), bool_(true, span)],
                tail: false,
            },
            CTy::Str,
            span,
        );
        concat(vec![str_lit("[", span), call, str_lit("]", span)], span)
    }

    /// `%{k => v}` for maps (entries shown `k => v`), `#{1, 2}` for sets.
    fn collection_body(&mut self, obj: &core::Expr, t: &Ty, debug: bool, span: Span) -> core::Expr {
        let (open, elem) = match t {
            Ty::Con(k, a) if k == "Map" => ("%{", Ty::Tuple(a.clone())),
            _ => ("#{", Ty::Int),
        };
        let items = self.list_items(&elem, debug, span);
        let entries = self.map_entries(obj.clone(), t, span);
        let call = mk(
            core::ExprKind::Call {
                func: items,
                args: vec![entries, bool_(true, span)],
                tail: false,
            },
            CTy::Str,
            span,
        );
        concat(vec![str_lit(open, span), call, str_lit("}", span)], span)
    }

    /// `items(xs, first)`: the elements of `xs` separated by `, `.
    fn list_items(&mut self, elem: &Ty, debug: bool, span: Span) -> String {
        let kind = if self.map_entries && matches!(elem, Ty::Tuple(kv) if kv.len() == 2) {
            "entries"
        } else {
            "items"
        };
        let name = format!("{}-{kind}:{elem}", if debug { "debug" } else { "display" });
        // only the outermost collection's elements are map entries
        self.map_entries = false;
        if !self.helpers.contains_key(&name) {
            self.helpers.insert(name.clone(), CTy::Str);
            let (xs, first) = (self.cx.fresh("xs"), self.cx.fresh("first"));
            let l = var(&xs, CTy::Obj, span);
            let is_nil = prim(
                Prim::ICmp(Cmp::Eq),
                vec![
                    mk(core::ExprKind::Tag(Box::new(l.clone())), CTy::Int, span),
                    mk(core::ExprKind::Int(0), CTy::Int, span),
                ],
                span,
            );
            let h = self.load(&l, 0, elem, span);
            let shown = match elem {
                // map entries: `k => v`
                Ty::Tuple(kv) if kv.len() == 2 && name.contains("-entries:") => {
                    let (k, v) = (
                        self.load(&h, 0, &kv[0], span),
                        self.load(&h, 1, &kv[1], span),
                    );
                    let (k, v) = if debug {
                        (self.debug(k, &kv[0], span), self.debug(v, &kv[1], span))
                    } else {
                        (self.display(k, &kv[0], span), self.display(v, &kv[1], span))
                    };
                    concat(vec![k, str_lit(" => ", span), v], span)
                }
                _ if debug => self.debug(h, elem, span),
                _ => self.display(h, elem, span),
            };
            let sep = if_(
                var(&first, CTy::Bool, span),
                str_lit("", span),
                str_lit(", ", span),
            );
            let t = mk(core::ExprKind::Load(Box::new(l.clone()), 1), CTy::Obj, span);
            let rest = mk(
                core::ExprKind::Call {
                    func: name.clone(),
                    args: vec![t, bool_(false, span)],
                    tail: false,
                },
                CTy::Str,
                span,
            );
            let body = if_(
                is_nil,
                str_lit("", span),
                concat(vec![sep, shown, rest], span),
            );
            self.extra.push(core::Fn {
                name: name.clone(),
                params: vec![(xs, CTy::Obj), (first, CTy::Bool)],
                ret: CTy::Str,
                body,
                span,
            });
        }
        name
    }

    /// Display (`Name(v1, v2)`) or Debug (`Name { f: v }` for structs) of an object.
    fn show_body(&mut self, obj: &core::Expr, t: &Ty, debug: bool, span: Span) -> core::Expr {
        if let Ty::Con(k, args) = t {
            if k == "List" {
                return self.list_body(obj, &args[0], debug, span);
            }
            if k == "Map" || k == "Set" {
                self.map_entries = k == "Map";
                let out = self.collection_body(obj, t, debug, span);
                self.map_entries = false;
                return out;
            }
        }
        let variants = fields_of(self.defs, t);
        let is_struct =
            matches!(t, Ty::Con(k, _) if matches!(self.defs.types[k].kind, TypeDefKind::Struct(_)));
        let mut per = Vec::new();
        for (name, fields) in variants {
            let mut parts = vec![];
            if fields.is_empty() {
                parts.push(str_lit(&name, span));
            } else if debug && is_struct {
                parts.push(str_lit(&format!("{name} {{ "), span));
                for (i, (fname, ft)) in fields.iter().enumerate() {
                    let sep = if i == 0 { "" } else { ", " };
                    parts.push(str_lit(
                        &format!("{sep}{}: ", fname.clone().unwrap_or_default()),
                        span,
                    ));
                    let v = self.load(obj, i, ft, span);
                    parts.push(self.debug(v, ft, span));
                }
                parts.push(str_lit(" }", span));
            } else {
                parts.push(str_lit(&format!("{name}("), span));
                for (i, (_, ft)) in fields.iter().enumerate() {
                    if i > 0 {
                        parts.push(str_lit(", ", span));
                    }
                    let v = self.load(obj, i, ft, span);
                    parts.push(if debug {
                        self.debug(v, ft, span)
                    } else {
                        self.display(v, ft, span)
                    });
                }
                parts.push(str_lit(")", span));
            }
            per.push(concat(parts, span));
        }
        self.by_tag(obj, per, span)
    }

    fn hash_body(&mut self, o: &core::Expr, t: &Ty, span: Span) -> core::Expr {
        let variants = fields_of(self.defs, t);
        let int = |k| mk(core::ExprKind::Int(k), CTy::Int, span);
        let mut per = Vec::new();
        for (i, (_, fields)) in variants.iter().enumerate() {
            let mut h = int(17 + i as i64);
            for (j, (_, ft)) in fields.iter().enumerate() {
                let fv = self.load(o, j, ft, span);
                let fh = self.hash(fv, ft, span);
                h = prim(
                    Prim::IAdd,
                    vec![prim(Prim::IMul, vec![h, int(31)], span), fh],
                    span,
                );
            }
            per.push(h);
        }
        self.by_tag(o, per, span)
    }

    fn eq_body(&mut self, a: &core::Expr, b: &core::Expr, t: &Ty, span: Span) -> core::Expr {
        if collections::is_collection(t) {
            // equal entries in the same order
            let elem = match t {
                Ty::Con(_, args) if args.len() == 2 => Ty::Tuple(args.clone()),
                _ => Ty::Int,
            };
            let list = Ty::Con("List".into(), vec![elem]);
            let (ea, eb) = (
                self.map_entries(a.clone(), t, span),
                self.map_entries(b.clone(), t, span),
            );
            return self.equal(ea, eb, &list, span);
        }
        let variants = fields_of(self.defs, t);
        let mut per = Vec::new();
        for (_, fields) in &variants {
            let mut all: Option<core::Expr> = None;
            for (i, (_, ft)) in fields.iter().enumerate() {
                let (x, y) = (self.load(a, i, ft, span), self.load(b, i, ft, span));
                let e = self.equal(x, y, ft, span);
                all = Some(match all {
                    None => e,
                    Some(prev) => and(prev, e),
                });
            }
            per.push(all.unwrap_or_else(|| bool_(true, span)));
        }
        let payloads = self.by_tag(a, per, span);
        if is_sum(self.defs, t) {
            let (ta, tb) = (
                mk(core::ExprKind::Tag(Box::new(a.clone())), CTy::Int, span),
                mk(core::ExprKind::Tag(Box::new(b.clone())), CTy::Int, span),
            );
            and(prim(Prim::ICmp(Cmp::Eq), vec![ta, tb], span), payloads)
        } else {
            payloads
        }
    }

    /// Lexicographic: variant order first (sum types), then fields in order.
    fn cmp_body(&mut self, a: &core::Expr, b: &core::Expr, t: &Ty, span: Span) -> core::Expr {
        let variants = fields_of(self.defs, t);
        let int = |k| mk(core::ExprKind::Int(k), CTy::Int, span);
        let mut per = Vec::new();
        for (_, fields) in &variants {
            let mut acc = int(0);
            for (i, (_, ft)) in fields.iter().enumerate().rev() {
                let (x, y) = (self.load(a, i, ft, span), self.load(b, i, ft, span));
                let c = self.compare(x, y, ft, span);
                let n = self.cx.fresh("c");
                let test = prim(
                    Prim::ICmp(Cmp::Ne),
                    vec![var(&n, CTy::Int, span), int(0)],
                    span,
                );
                acc = let_(&n, c, if_(test, var(&n, CTy::Int, span), acc));
            }
            per.push(acc);
        }
        let payloads = self.by_tag(a, per, span);
        if is_sum(self.defs, t) {
            let (ta, tb) = (
                mk(core::ExprKind::Tag(Box::new(a.clone())), CTy::Int, span),
                mk(core::ExprKind::Tag(Box::new(b.clone())), CTy::Int, span),
            );
            let c = self.compare(ta, tb, &Ty::Int, span);
            let n = self.cx.fresh("c");
            let test = prim(
                Prim::ICmp(Cmp::Ne),
                vec![var(&n, CTy::Int, span), int(0)],
                span,
            );
            let_(&n, c, if_(test, var(&n, CTy::Int, span), payloads))
        } else {
            payloads
        }
    }
}
