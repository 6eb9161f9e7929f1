//! JSON (spec 03 §12): encoders and decoders synthesised per concrete type, like the
//! derived traits; row decoders (`deriving(Row)`, spec 06 §7) share the struct part. Objects encode with their keys sorted (the reference's order); a
//! decoder threads `Result`s: the first `Err` (tag 1) is returned as it is, since an
//! `Err(String)` has the same layout whatever the `Ok` type.

use super::*;

fn int(n: i64, span: Span) -> core::Expr {
    mk(core::ExprKind::Int(n), CTy::Int, span)
}

impl Lower<'_> {
    /// `json { k: v, … }`: keys sorted, values encoded by type; a nested `json {}` is
    /// embedded as it is.
    pub(crate) fn json_literal(&mut self, fields: &[(String, Expr)], span: Span) -> core::Expr {
        let mut sorted: Vec<&(String, Expr)> = fields.iter().collect();
        sorted.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
        let mut parts = vec![str_lit("{", span)];
        for (i, (k, v)) in sorted.into_iter().enumerate() {
            let key = serde_quote(k);
            parts.push(str_lit(
                &format!("{}{key}:", if i == 0 { "" } else { "," }),
                span,
            ));
            let cv = self.expr(v, false);
            parts.push(if matches!(v.kind, ExprKind::Json(_)) {
                cv
            } else {
                self.to_json(cv, v.ty.as_ref().unwrap_or(&Ty::Unit), span)
            });
        }
        parts.push(str_lit("}", span));
        concat(parts, span)
    }

    /// The JSON text of `v : t`.
    pub(crate) fn to_json(&mut self, v: core::Expr, t: &Ty, span: Span) -> core::Expr {
        match t {
            Ty::Int => prim(Prim::IntToStr, vec![v], span),
            Ty::Bool => prim(Prim::BoolToStr, vec![v], span),
            Ty::Float => self.extern_call("Json.float", vec![v], CTy::Str, span),
            Ty::String => self.extern_call("Json.quote", vec![v], CTy::Str, span),
            Ty::Unit => str_lit("null", span),
            Ty::Con(k, _) if k == "Json" => self.extern_call("Json.text", vec![v], CTy::Str, span),
            _ => {
                let name = format!("tojson:{t}");
                if !self.helpers.contains_key(&name) {
                    self.helpers.insert(name.clone(), CTy::Str);
                    let p = self.cx.fresh("v");
                    let body = self.to_json_body(&var(&p, CTy::Obj, span), t, &name, span);
                    self.extra.push(core::Fn {
                        name: name.clone(),
                        params: vec![(p, CTy::Obj)],
                        ret: CTy::Str,
                        body,
                        span,
                    });
                }
                mk(
                    core::ExprKind::Call {
                        func: name,
                        args: vec![v],
                        tail: false,
                    },
                    CTy::Str,
                    span,
                )
            }
        }
    }

    fn to_json_body(&mut self, o: &core::Expr, t: &Ty, name: &str, span: Span) -> core::Expr {
        let tag_is = |tag: i64| {
            prim(
                Prim::ICmp(Cmp::Eq),
                vec![
                    mk(core::ExprKind::Tag(Box::new(o.clone())), CTy::Int, span),
                    int(tag, span),
                ],
                span,
            )
        };
        match t {
            Ty::Con(k, a) if k == "Option" => {
                let inner = mk(
                    core::ExprKind::Load(Box::new(o.clone()), 0),
                    self.cty(a.first(), span),
                    span,
                );
                let some = self.to_json(inner, &a[0], span);
                if_(tag_is(1), str_lit("null", span), some)
            }
            Ty::Con(k, a) if k == "List" => {
                // "[" items "]" with a loop over the list
                let items = self.json_items(&a[0], false, span);
                let call = mk(
                    core::ExprKind::Call {
                        func: items,
                        args: vec![o.clone(), bool_(true, span)],
                        tail: false,
                    },
                    CTy::Str,
                    span,
                );
                concat(vec![str_lit("[", span), call, str_lit("]", span)], span)
            }
            Ty::Con(k, a) if k == "Map" && matches!(a[0], Ty::String | Ty::Int) => {
                // "{" key:value, … "}" over the entries in key order, each an
                // item `"key":value` of the (key, value) tuple
                let pairs = self.extern_call("Map.json_pairs", vec![o.clone()], CTy::Obj, span);
                let pair = Ty::Tuple(vec![a[0].clone(), a[1].clone()]);
                let items = self.json_items(&pair, true, span);
                let call = mk(
                    core::ExprKind::Call {
                        func: items,
                        args: vec![pairs, bool_(true, span)],
                        tail: false,
                    },
                    CTy::Str,
                    span,
                );
                concat(vec![str_lit("{", span), call, str_lit("}", span)], span)
            }
            Ty::Con(k, args)
                if self
                    .defs
                    .types
                    .get(k)
                    .is_some_and(|d| matches!(d.kind, TypeDefKind::Struct(_))) =>
            {
                let TypeDefKind::Struct(fields) = self.defs.types[k].kind.clone() else {
                    unreachable!()
                };
                let mut order: Vec<(usize, String, Ty)> = fields
                    .iter()
                    .enumerate()
                    .map(|(i, (n, ft))| (i, n.clone(), ft.subst(args)))
                    .collect();
                order.sort_by(|a, b| a.1.as_bytes().cmp(b.1.as_bytes()));
                let mut parts = vec![str_lit("{", span)];
                for (j, (i, n, ft)) in order.into_iter().enumerate() {
                    parts.push(str_lit(
                        &format!("{}{}:", if j == 0 { "" } else { "," }, serde_quote(&n)),
                        span,
                    ));
                    let fv = mk(
                        core::ExprKind::Load(Box::new(o.clone()), i as u32),
                        self.cty(Some(&ft), span),
                        span,
                    );
                    parts.push(self.to_json(fv, &ft, span));
                }
                parts.push(str_lit("}", span));
                concat(parts, span)
            }
            _ => {
                let _ = name;
                self.unsupported(&format!("values of type `{t}` in JSON"), span)
            }
        }
    }

    /// `"key":value` for a map entry `(key, value)` (a String or Int key).
    fn json_entry(&mut self, pair: core::Expr, kv: &[Ty], span: Span) -> core::Expr {
        let load = |lw: &mut Self, i: u32| {
            mk(
                core::ExprKind::Load(Box::new(pair.clone()), i),
                lw.cty(Some(&kv[i as usize]), span),
                span,
            )
        };
        let key = load(self, 0);
        let text = if kv[0] == Ty::Int {
            prim(Prim::IntToStr, vec![key], span)
        } else {
            key
        };
        let quoted = self.extern_call("Json.quote", vec![text], CTy::Str, span);
        let value = load(self, 1);
        let value = self.to_json(value, &kv[1], span);
        concat(vec![quoted, str_lit(":", span), value], span)
    }

    /// `items(xs, first)`: the JSON of each list element, comma-separated (`entries`:
    /// the elements are a map's `(key, value)` tuples, each shown as `"key":value`).
    fn json_items(&mut self, elem: &Ty, entries: bool, span: Span) -> String {
        let name = format!(
            "tojson-{}:{elem}",
            if entries { "entries" } else { "items" }
        );
        if !self.helpers.contains_key(&name) {
            self.helpers.insert(name.clone(), CTy::Str);
            let (xs, first) = (self.cx.fresh("xs"), self.cx.fresh("first"));
            let l = var(&xs, CTy::Obj, span);
            let is_nil = prim(
                Prim::ICmp(Cmp::Eq),
                vec![
                    mk(core::ExprKind::Tag(Box::new(l.clone())), CTy::Int, span),
                    int(0, span),
                ],
                span,
            );
            let h = mk(
                core::ExprKind::Load(Box::new(l.clone()), 0),
                self.cty(Some(elem), span),
                span,
            );
            let shown = match elem {
                Ty::Tuple(kv) if entries => self.json_entry(h, kv, span),
                _ => self.to_json(h, elem, span),
            };
            let sep = if_(
                var(&first, CTy::Bool, span),
                str_lit("", span),
                str_lit(",", span),
            );
            let t = mk(core::ExprKind::Load(Box::new(l), 1), CTy::Obj, span);
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

    /// `T.from_json(text)`: parse, then decode the value.
    pub(crate) fn from_json_text(
        &mut self,
        text: core::Expr,
        result: &Ty,
        span: Span,
    ) -> core::Expr {
        let Ty::Con(_, ra) = result else {
            unreachable!()
        };
        let parsed = self.extern_call("Json.parse", vec![text], CTy::Obj, span);
        self.then_ok(parsed, span, |lw, ok| {
            let v = mk(core::ExprKind::Load(Box::new(ok), 0), CTy::Obj, span);
            lw.from_json(v, &ra[0], span)
        })
    }

    /// `let r = result in if r is Err then r else k(r)`: `k` gets the `Ok` object.
    fn then_ok(
        &mut self,
        result: core::Expr,
        span: Span,
        k: impl FnOnce(&mut Self, core::Expr) -> core::Expr,
    ) -> core::Expr {
        let r = self.cx.fresh("r");
        let rv = var(&r, CTy::Obj, span);
        let is_err = prim(
            Prim::ICmp(Cmp::Eq),
            vec![
                mk(core::ExprKind::Tag(Box::new(rv.clone())), CTy::Int, span),
                int(1, span),
            ],
            span,
        );
        let rest = k(self, rv.clone());
        let_(&r, result, if_(is_err, rv, rest))
    }

    /// Decodes a JSON value (a runtime `JsonValue`) into `Result<t, String>`.
    fn from_json(&mut self, v: core::Expr, t: &Ty, span: Span) -> core::Expr {
        let scalar = match t {
            Ty::Int => Some("Json.as_int"),
            Ty::Float => Some("Json.as_float"),
            Ty::String => Some("Json.as_string"),
            Ty::Bool => Some("Json.as_bool"),
            _ => None,
        };
        if let Some(sym) = scalar {
            return self.extern_call(sym, vec![v], CTy::Obj, span);
        }
        self.struct_decoder(
            "fromjson",
            t,
            Source::Json,
            &format!("values of type `{t}` from JSON"),
            v,
            span,
        )
    }

    /// `T.from_row(row)` (spec 06 §7): `Result<T, String>` from a `Map<String, String>`,
    /// one `mesh_rt_row_field` per field (missing columns and unparsable text are
    /// `Err`s with the runtime's messages).
    pub(crate) fn from_row(&mut self, row: core::Expr, result: &Ty, span: Span) -> core::Expr {
        let Ty::Con(_, ra) = result else {
            unreachable!()
        };
        let what = "`deriving(Row)` on types other than structs";
        self.struct_decoder("fromrow", &ra[0], Source::Row, what, row, span)
    }

    /// A call of the helper `prefix:t` (made once per type) that decodes the struct `t`
    /// from its argument field by field, from `source`; `what` names other types in
    /// the diagnostic.
    fn struct_decoder(
        &mut self,
        prefix: &str,
        t: &Ty,
        source: Source,
        what: &str,
        arg: core::Expr,
        span: Span,
    ) -> core::Expr {
        let name = format!("{prefix}:{t}");
        if !self.helpers.contains_key(&name) {
            self.helpers.insert(name.clone(), CTy::Obj);
            let p = self.cx.fresh("v");
            let body = match t {
                Ty::Con(k, args)
                    if self
                        .defs
                        .types
                        .get(k)
                        .is_some_and(|d| matches!(d.kind, TypeDefKind::Struct(_))) =>
                {
                    let TypeDefKind::Struct(fields) = self.defs.types[k].kind.clone() else {
                        unreachable!()
                    };
                    let fields: Vec<(String, Ty)> = fields
                        .into_iter()
                        .map(|(n, ft)| (n, ft.subst(args)))
                        .collect();
                    let o = var(&p, CTy::Obj, span);
                    self.decode_fields(&o, &fields, 0, Vec::new(), source, span)
                }
                _ => self.unsupported(what, span),
            };
            self.extra.push(core::Fn {
                name: name.clone(),
                params: vec![(p, CTy::Obj)],
                ret: CTy::Obj,
                body,
                span,
            });
        }
        mk(
            core::ExprKind::Call {
                func: name,
                args: vec![arg],
                tail: false,
            },
            CTy::Obj,
            span,
        )
    }

    /// `Result<value, String>` of the field `name : ft` of `o`.
    fn decode_field(
        &mut self,
        o: &core::Expr,
        name: &str,
        ft: &Ty,
        source: Source,
        span: Span,
    ) -> core::Expr {
        match source {
            Source::Json => {
                let field = self.extern_call(
                    "Json.field",
                    vec![o.clone(), str_lit(name, span)],
                    CTy::Obj,
                    span,
                );
                self.then_ok(field, span, |lw, ok_field| {
                    let fv = mk(core::ExprKind::Load(Box::new(ok_field), 0), CTy::Obj, span);
                    lw.from_json(fv, ft, span)
                })
            }
            Source::Row => {
                let scalar = |t: &Ty| match t {
                    Ty::String => Some(0),
                    Ty::Int => Some(1),
                    Ty::Float => Some(2),
                    Ty::Bool => Some(3),
                    _ => None,
                };
                let kind = match ft {
                    Ty::Con(k, a) if k == "Option" && a.len() == 1 => scalar(&a[0]).map(|n| n + 4),
                    t => scalar(t),
                };
                let Some(kind) = kind else {
                    return self.unsupported(
                        &format!(
                            "`deriving(Row)` fields of type `{ft}` (row fields are String, Int, Float, Bool or an Option of one)"
                        ),
                        span,
                    );
                };
                self.extern_call(
                    "Row.field",
                    vec![o.clone(), str_lit(name, span), int(kind, span)],
                    CTy::Obj,
                    span,
                )
            }
        }
    }

    /// Decodes fields `i..` of a struct (values so far in `done`), then builds `Ok(struct)`.
    fn decode_fields(
        &mut self,
        o: &core::Expr,
        fields: &[(String, Ty)],
        i: usize,
        done: Vec<(String, CTy)>,
        source: Source,
        span: Span,
    ) -> core::Expr {
        if i == fields.len() {
            let s = mk(
                core::ExprKind::Alloc {
                    tag: 0,
                    fields: done.iter().map(|(n, t)| var(n, *t, span)).collect(),
                },
                CTy::Obj,
                span,
            );
            return mk(
                core::ExprKind::Alloc {
                    tag: 0,
                    fields: vec![s],
                },
                CTy::Obj,
                span,
            );
        }
        let (name, ft) = fields[i].clone();
        let decoded = self.decode_field(o, &name, &ft, source, span);
        self.then_ok(decoded, span, |lw, ok_value| {
            let ct = lw.cty(Some(&ft), span);
            let n = lw.cx.fresh(&name);
            let x = mk(core::ExprKind::Load(Box::new(ok_value), 0), ct, span);
            let mut done = done;
            done.push((n.clone(), ct));
            let rest = lw.decode_fields(o, fields, i + 1, done, source, span);
            let_(&n, x, rest)
        })
    }
}

/// Where a decoded struct's fields come from.
#[derive(Clone, Copy)]
enum Source {
    /// A JSON object (`from_json`).
    Json,
    /// A row, `Map<String, String>` (`from_row`).
    Row,
}

fn serde_quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}
