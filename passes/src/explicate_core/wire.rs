//! Message type descriptors (spec 05 §6, decision 50): what `spawn`, `send` and the
//! remote-spawn intrinsics tell the runtime about a message's type — its name as Mesh
//! writes it (checked against the receiver's, decision 49), then U+001F and its
//! *schema*, the description the distribution layer's table-driven STF codec walks
//! (`runtime/src/dist/wire.rs` has the grammar). A schema is a string literal in the
//! core IR, so `mesh dump --after=explicate-core` shows it.

use super::intrinsics::message_type_name;
use super::*;
use mesh_ir::types::TypeDefKind;

impl Lower<'_> {
    /// The descriptor of message type `t` (just its name when unknown).
    pub(crate) fn message_descriptor(&mut self, t: Option<&Ty>) -> String {
        let name = message_type_name(t);
        match t {
            Some(t) if !name.is_empty() => {
                let mut s = String::new();
                self.schema(t, &mut Vec::new(), &mut s);
                format!("{name}\u{1f}{s}")
            }
            _ => name,
        }
    }

    /// Appends the schema of `t` to `out`; `open` holds the structs and sums being
    /// described (a recursive type refers back to one of them).
    fn schema(&mut self, t: &Ty, open: &mut Vec<String>, out: &mut String) {
        match t {
            Ty::Int => out.push('i'),
            Ty::Float => out.push('f'),
            Ty::Bool => out.push('b'),
            Ty::String => out.push('s'),
            Ty::Unit | Ty::Never => out.push('u'),
            Ty::Fun(..) => out.push('F'),
            Ty::Tuple(ts) => {
                out.push_str(&format!("T{};", ts.len()));
                for t in ts {
                    self.schema(t, open, out);
                }
            }
            Ty::Con(k, _) if k == "Pid" => out.push('p'),
            Ty::Con(k, _) if k == "DateTime" => out.push('i'),
            Ty::Con(k, _) if k == "Atom" => out.push('s'),
            // the built-in `Set` holds Ints
            Ty::Con(k, a) if k == "Set" && a.is_empty() => out.push_str("Ei"),
            Ty::Con(k, a) if a.len() == 1 && matches!(k.as_str(), "List" | "Option" | "Set") => {
                out.push(match k.as_str() {
                    "List" => 'L',
                    "Option" => 'O',
                    _ => 'E',
                });
                self.schema(&a[0], open, out);
            }
            Ty::Con(k, a) if a.len() == 2 && matches!(k.as_str(), "Result" | "Map") => {
                out.push(if k == "Map" { 'M' } else { 'R' });
                self.schema(&a[0], open, out);
                self.schema(&a[1], open, out);
            }
            Ty::Con(k, args) => {
                let key = t.to_string();
                if let Some(j) = open.iter().rposition(|o| *o == key) {
                    out.push_str(&format!("^{};", open.len() - 1 - j));
                    return;
                }
                let Some(def) = self.defs.types.get(k).cloned() else {
                    out.push_str(&format!("X{key};"));
                    return;
                };
                open.push(key.clone());
                match &def.kind {
                    TypeDefKind::Struct(fields) => {
                        out.push_str(&format!("S{key};{};", fields.len()));
                        for (f, ft) in fields {
                            out.push_str(&format!("{f};"));
                            self.schema(&ft.subst(args), open, out);
                        }
                    }
                    TypeDefKind::Sum(variants) => {
                        out.push_str(&format!("U{key};{};", variants.len()));
                        for v in variants {
                            out.push_str(&format!("{};{};", v.name, v.fields.len()));
                            for (_, ft) in &v.fields {
                                self.schema(&ft.subst(args), open, out);
                            }
                        }
                    }
                    TypeDefKind::Opaque => out.push_str(&format!("X{key};")),
                }
                open.pop();
            }
            // generic: not known here (monomorphised code has none)
            _ => out.push_str("X?;"),
        }
    }
}
