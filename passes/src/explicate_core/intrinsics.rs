//! The lowering of the library's `@intrinsic` functions (decision 47): what the
//! compiler computes itself — printing primitives, generated encoders and decoders,
//! comparisons and displays per type, defaults — and the intrinsics that call the
//! runtime with what only the compiler knows (whether a message is a counted pointer,
//! how list elements or map keys are held) through `@extern` declarations.

use super::*;

impl Lower<'_> {
    /// A call of the intrinsic `g` (`e` the call, `args` its arguments, `cargs` them
    /// lowered).
    pub(crate) fn intrinsic(
        &mut self,
        e: &Expr,
        g: &str,
        args: &[Arg],
        cargs: Vec<core::Expr>,
        ty: CTy,
        span: Span,
    ) -> core::Expr {
        let kind = match g {
            "Prelude.println" | "IO.puts" => core::ExprKind::Prim(Prim::Println, cargs),
            "Prelude.print" => core::ExprKind::Prim(Prim::Print, cargs),
            "Prelude.assert" | "Prelude.assert_eq" | "Prelude.assert_ne" => {
                return self.assertion(g, args, cargs, span)
            }
            "Prelude.default" | "Int.default" | "Float.default" | "String.default"
            | "Bool.default" => {
                let t = e.ty.clone().unwrap_or(Ty::Unit);
                return self.default_value(&t, span);
            }
            // the element (message) kind of the list (the received `Option`), for the
            // runtime's trampolines
            "List.sort" | "Process.receive_matching" => {
                let of = if g == "List.sort" {
                    &args[0].value.ty
                } else {
                    &e.ty
                };
                let kind = self.word_kind(of, span);
                let mut cargs = cargs;
                cargs.push(mk(core::ExprKind::Int(kind), CTy::Int, span));
                let words = if g == "List.sort" {
                    "List.sort_words"
                } else {
                    "Process.receive_matching_word"
                };
                return self.extern_call(words, cargs, ty, span);
            }
            "Map.new" | "Set.new" => {
                let t = e.ty.clone().unwrap_or(Ty::Unit);
                return self.map_new(&t, span);
            }
            // the message's last argument: is it a counted pointer (runtime/src/actor)
            "Prelude.send"
            | "Node.send"
            | "Timer.send_after"
            | "Process.receive"
            | "Process.reply"
            | "Process.await_reply"
            | "Process.finish_job"
            | "Process.await_job"
            | "Process.receive_signal" => {
                let message = match g {
                    "Process.receive" | "Process.await_job" | "Process.receive_signal" => {
                        match &e.ty {
                            Some(Ty::Con(_, a)) if !a.is_empty() => Some(a[0].clone()),
                            _ => None,
                        }
                    }
                    "Process.await_reply" => e.ty.clone(),
                    _ => args.last().and_then(|a| a.value.ty.clone()),
                };
                let counted = self.cty(message.as_ref(), span).is_counted();
                let mut cargs = cargs;
                cargs.push(mk(core::ExprKind::Int(counted as i64), CTy::Int, span));
                if matches!(
                    g,
                    "Prelude.send" | "Node.send" | "Timer.send_after" | "Process.reply"
                ) {
                    cargs.push(str_lit(&self.message_descriptor(message.as_ref()), span));
                }
                let words = match g {
                    "Prelude.send" => "Process.send_word".to_string(),
                    _ => format!("{g}_word"),
                };
                return self.extern_call(&words, cargs, ty, span);
            }
            // the name of the message type the new process receives
            "Process.spawn" => {
                let message = match &e.ty {
                    Some(Ty::Con(_, a)) if !a.is_empty() => Some(a[0].clone()),
                    _ => None,
                };
                let mut cargs = cargs;
                cargs.push(str_lit(&self.message_descriptor(message.as_ref()), span));
                return self.extern_call("Process.spawn_word", cargs, ty, span);
            }
            // remote spawns (`lower-actors`): the arguments' type descriptor
            "Node.spawn_remote" => {
                let desc = self.message_descriptor(args[2].value.ty.as_ref());
                let mut cargs = cargs;
                cargs.insert(3, str_lit(&desc, span));
                return self.extern_call("Node.spawn_remote_word", cargs, ty, span);
            }
            "Node.spawn_args" => {
                let inner = match &e.ty {
                    Some(Ty::Con(_, a)) if !a.is_empty() => Some(a[0].clone()),
                    _ => None,
                };
                let desc = self.message_descriptor(inner.as_ref());
                return self.extern_call(
                    "Node.spawn_args_word",
                    vec![str_lit(&desc, span)],
                    ty,
                    span,
                );
            }
            "DateTime.to_unix_ms" => return cargs.into_iter().next().unwrap(),
            "DateTime.to_unix_secs" => {
                let thousand = mk(core::ExprKind::Int(1000), CTy::Int, span);
                return prim(
                    Prim::IDiv,
                    vec![cargs.into_iter().next().unwrap(), thousand],
                    span,
                );
            }
            "DateTime.is_before" => core::ExprKind::Prim(Prim::ICmp(Cmp::Lt), cargs),
            "DateTime.is_after" => core::ExprKind::Prim(Prim::ICmp(Cmp::Gt), cargs),
            "Json.encode" | "JSON.encode" | "Json.encode_string" | "Json.encode_int"
            | "Json.encode_bool" | "Json.encode_list" | "Json.encode_map" => {
                let t = args[0].value.ty.clone().unwrap_or(Ty::Unit);
                let v = cargs.into_iter().next().unwrap();
                return self.to_json(v, &t, span);
            }
            "Json.decode" => {
                let result = e.ty.clone().unwrap_or(Ty::Unit);
                let v = cargs.into_iter().next().unwrap();
                return self.from_json_text(v, &result, span);
            }
            "Row.decode" => {
                let result = e.ty.clone().unwrap_or(Ty::Unit);
                let v = cargs.into_iter().next().unwrap();
                return self.from_row(v, &result, span);
            }
            "Float.from" | "Int.to_float" => core::ExprKind::Prim(Prim::IntToFloat, cargs),
            "Int.to_string" | "Float.to_string" => {
                let t = args[0].value.ty.clone().unwrap_or(Ty::Unit);
                let v = cargs.into_iter().next().unwrap();
                return self.display(v, &t, span);
            }
            "Math.max" | "Math.min" | "Math.abs" => return self.math(g, cargs, span),
            "Tuple.nth" => {
                // `infer` checked a tuple and a literal index within it
                let (ExprKind::Int(k), Some(t)) = (&args[1].value.kind, &e.ty) else {
                    return self.unsupported("`Tuple.nth` with this index", span);
                };
                let ct = self.cty(Some(t), span);
                let tuple = cargs.into_iter().next().unwrap();
                return mk(core::ExprKind::Load(Box::new(tuple), *k as u32), ct, span);
            }
            "Tuple.size" => {
                let Some(Ty::Tuple(ts)) = &args[0].value.ty else {
                    return self.unsupported("`Tuple.size` of values other than tuples", span);
                };
                let n = mk(core::ExprKind::Int(ts.len() as i64), CTy::Int, span);
                let v = cargs.into_iter().next().unwrap();
                return mk(
                    core::ExprKind::Seq(Box::new(v), Box::new(n)),
                    CTy::Int,
                    span,
                );
            }
            "Kernel.panic" => {
                let p = prim(Prim::Panic, cargs, span);
                let fail = mk(core::ExprKind::Fail("unreachable".into()), ty, span);
                return mk(core::ExprKind::Seq(Box::new(p), Box::new(fail)), ty, span);
            }
            "String.from" => {
                let t = args[0].value.ty.clone().unwrap_or(Ty::Unit);
                let v = cargs.into_iter().next().unwrap();
                return self.display(v, &t, span);
            }
            "Prelude.compare" => {
                let t = args[0].value.ty.clone().unwrap_or(Ty::Unit);
                let mut it = cargs.into_iter();
                let (a, b) = (it.next().unwrap(), it.next().unwrap());
                let c = self.compare(a, b, &t, span);
                return self.ordering(c, span);
            }
            _ => {
                self.cx.emit(Diagnostic::error(
                    "internal",
                    format!("internal error: the intrinsic `{g}` has no lowering"),
                    span,
                ));
                core::ExprKind::Fail("internal".into())
            }
        };
        mk(kind, ty, span)
    }
}

/// The name `spawn` and `send` give the runtime for a message type, which checks that a
/// send through a pid that lost its type reaches a process of the same type (decision
/// 49): the type as Mesh writes it, with the message types of pids inside left out
/// (`Pid<M>` and `Pid` are the same type to a receiver, spec 04 §3). Empty when the
/// type is not known here (a variable).
pub(crate) fn message_type_name(t: Option<&Ty>) -> String {
    fn erase(t: &Ty) -> Option<Ty> {
        Some(match t {
            Ty::Var(_) | Ty::Param(_) | Ty::Never => return None,
            Ty::Con(n, _) if n == "Pid" => Ty::Con(n.clone(), vec![]),
            Ty::Con(n, args) => Ty::Con(n.clone(), args.iter().map(erase).collect::<Option<_>>()?),
            Ty::Tuple(ts) => Ty::Tuple(ts.iter().map(erase).collect::<Option<_>>()?),
            Ty::Fun(ps, r) => Ty::Fun(
                ps.iter().map(erase).collect::<Option<_>>()?,
                Box::new(erase(r)?),
            ),
            t => t.clone(),
        })
    }
    t.and_then(erase)
        .map_or_else(String::new, |t| t.to_string())
}
