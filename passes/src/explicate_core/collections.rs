//! Maps and sets (spec 03 §5–6) live in the runtime (runtime/src/map.rs); their
//! functions are runtime calls (`core::COLLECTION_LIBRARY`). What the compiler adds is
//! what only static types know: at `Map.new` whether keys are strings and whether values
//! are counted pointers, and the entry list that loops, `Display` and `==` walk.

use super::*;

/// `mesh_rt_map_new` flags (runtime/src/map.rs).
const STRING_KEYS: i64 = 1;
const COUNTED_VALUES: i64 = 2;

impl Lower<'_> {
    /// `Map.new()` / `Set.new()` at the (concrete) map type `t`.
    pub(crate) fn map_new(&mut self, t: &Ty, span: Span) -> core::Expr {
        let mut flags = 0;
        if let Ty::Con(k, args) = t {
            if k == "Map" && args.len() == 2 {
                if self.cty(Some(&args[0]), span) == CTy::Str {
                    flags |= STRING_KEYS;
                }
                if self.cty(Some(&args[1]), span).is_counted() {
                    flags |= COUNTED_VALUES;
                }
            }
        }
        let f = mk(core::ExprKind::Int(flags), CTy::Int, span);
        self.extern_call("Map.new_with", vec![f], CTy::Obj, span)
    }

    /// The entries of a map (a list of `(key, value)` tuples) or the elements of a set
    /// (a list of `Int`), in insertion order: a new list the caller owns.
    pub(crate) fn map_entries(&mut self, m: core::Expr, t: &Ty, span: Span) -> core::Expr {
        let f = match t {
            Ty::Con(k, _) if k == "Map" => "Map.to_list",
            _ => "Set.to_list",
        };
        self.extern_call(f, vec![m], CTy::Obj, span)
    }
}

/// Whether `t` is a runtime map or set.
pub(crate) fn is_collection(t: &Ty) -> bool {
    matches!(t, Ty::Con(k, _) if k == "Map" || k == "Set")
}
