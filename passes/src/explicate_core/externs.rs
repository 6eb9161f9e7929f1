//! The standard library's declarations without a body (decision 47). An `@extern`
//! function is a runtime function: its C-ABI signature is derived here, once, from its
//! Mesh type (`abi`), and a call becomes a `Runtime` node naming its symbol; the symbols a
//! program uses are listed in `core::Program::externs` for the later passes and codegen.
//! An `@intrinsic` is lowered by the compiler (`intrinsic` in `mod.rs`); intrinsics that
//! reach the runtime do so through `@extern` declarations too (`extern_call` by Mesh
//! name), so every runtime symbol the compiler uses is declared in the library.

use super::*;
use mesh_ir::core::{Extern, RtTy};
use std::collections::BTreeMap;

/// The C-ABI type of a value of Mesh type `t` in a runtime function's signature: a type
/// parameter crosses as a 64-bit word; other types as their core type. `Err` names what
/// the ABI cannot carry.
pub(crate) fn abi(t: &Ty, defs: &TypeDefs) -> Result<RtTy, String> {
    Ok(RtTy::Is(match t {
        Ty::Param(_) => return Ok(RtTy::Word),
        Ty::Int => CTy::Int,
        Ty::Float => CTy::Float,
        Ty::Bool => CTy::Bool,
        Ty::String => CTy::Str,
        Ty::Unit => CTy::Unit,
        Ty::Tuple(_) | Ty::Fun(..) => CTy::Obj,
        Ty::Con(k, _) if k == "Pid" || k == "DateTime" => CTy::Int,
        Ty::Con(k, _) if k == "Atom" => CTy::Str,
        Ty::Con(k, _) if k == "Map" || k == "Set" || defs.types.contains_key(k) => CTy::Obj,
        other => return Err(format!("`{other}` cannot cross into the runtime")),
    }))
}

/// The library's bodiless declarations, by global name (`String.length`).
#[derive(Default)]
pub(crate) struct Declared {
    /// `@extern` functions: their runtime signature.
    pub externs: HashMap<String, Extern>,
    /// `@intrinsic` functions and constants.
    pub intrinsics: HashSet<String>,
}

impl Declared {
    /// Collects the declarations of `p`; an `@extern` whose type the ABI cannot carry is
    /// an error at the declaration.
    pub fn of(p: &Program, defs: &TypeDefs, cx: &mut PassCx) -> Declared {
        let mut d = Declared::default();
        for m in &p.modules {
            for it in &m.items {
                let ItemKind::Fn(f) = &it.kind else { continue };
                let global = format!("{}.{}", m.name, f.name);
                match &f.external {
                    None => {}
                    Some(External::Intrinsic | External::Constant) => {
                        d.intrinsics.insert(global);
                    }
                    Some(External::Runtime {
                        symbol,
                        owns,
                        located,
                    }) => {
                        let Some(Ty::Fun(ps, r)) = &f.sig else {
                            continue;
                        };
                        let sig: Result<Vec<RtTy>, String> =
                            ps.iter().map(|t| abi(t, defs)).collect();
                        match sig.and_then(|ps| Ok((ps, abi(r, defs)?))) {
                            Ok((params, ret)) => {
                                d.externs.insert(
                                    global,
                                    Extern {
                                        symbol: symbol.clone(),
                                        params,
                                        ret,
                                        owns: *owns,
                                        located: *located,
                                    },
                                );
                            }
                            Err(why) => cx.emit(Diagnostic::error(
                                "extern",
                                format!("`@extern` function `{global}`: {why}"),
                                f.span,
                            )),
                        }
                    }
                }
            }
        }
        d
    }
}

impl Lower<'_> {
    /// A call of the `@extern` function `global` (declared in the library) on `args`:
    /// its result has core type `ty`.
    pub(crate) fn extern_call(
        &mut self,
        global: &str,
        args: Vec<core::Expr>,
        ty: CTy,
        span: Span,
    ) -> core::Expr {
        let Some(x) = self.declared.externs.get(global) else {
            self.cx.emit(Diagnostic::error(
                "internal",
                format!("internal error: the standard library declares no `@extern` function `{global}`"),
                span,
            ));
            return mk(core::ExprKind::Fail("internal".into()), ty, span);
        };
        let x = x.clone();
        let symbol = x.symbol.clone();
        match self.used.get(&symbol).cloned() {
            None => {
                self.used.insert(symbol.clone(), x);
            }
            Some(seen) if seen == x => {}
            Some(seen) => match merge(&seen, &x) {
                Some(m) => {
                    self.used.insert(symbol.clone(), m);
                }
                None => self.cx.emit(Diagnostic::error(
                    "internal",
                    format!("internal error: two `@extern` declarations of `{symbol}` disagree on its signature"),
                    span,
                )),
            },
        }
        mk(core::ExprKind::Runtime(symbol, args), ty, span)
    }
}

/// One signature for two declarations of a symbol (`Set.remove(s, x :: Int)` and
/// `Map.delete(m, key :: K)`): where one says a word and the other a word-sized type,
/// a word.
fn merge(a: &Extern, b: &Extern) -> Option<Extern> {
    let one = |x: RtTy, y: RtTy| match (x, y) {
        _ if x == y => Some(x),
        (RtTy::Word, RtTy::Is(t)) | (RtTy::Is(t), RtTy::Word)
            if t != CTy::Bool && t != CTy::Unit =>
        {
            Some(RtTy::Word)
        }
        _ => None,
    };
    if a.params.len() != b.params.len() || (a.owns, a.located) != (b.owns, b.located) {
        return None;
    }
    Some(Extern {
        symbol: a.symbol.clone(),
        params: a
            .params
            .iter()
            .zip(&b.params)
            .map(|(x, y)| one(*x, *y))
            .collect::<Option<_>>()?,
        ret: one(a.ret, b.ret)?,
        owns: a.owns,
        located: a.located,
    })
}

/// The runtime functions a program uses, sorted by symbol.
pub(crate) fn used_externs(used: BTreeMap<String, Extern>) -> Vec<Extern> {
    used.into_values().collect()
}
