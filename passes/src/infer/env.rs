//! The type environment: every struct and sum type of the program (spec 02 §2.4–2.5,
//! §2.9), which names are visible in each module, deriving rules (§5), and the
//! translation of written types (`TypeExpr`) into `Ty`.

use crate::diag::Diagnostic;
use crate::PassCx;
use mesh_ir::surface::*;
use mesh_ir::types::{Ty, TypeDef, TypeDefKind, TypeDefs, VariantDef};
use mesh_ir::Span;
use std::collections::HashMap;

/// The key of a type in `TypeDefs` and in `Ty::Con`: bare for `Main` and `Prelude`.
pub fn type_key(module: &str, name: &str) -> String {
    if module == "Main" || module == "Prelude" {
        name.to_string()
    } else {
        format!("{module}.{name}")
    }
}

const DERIVABLE: &[&str] = &[
    "Eq", "Ord", "Display", "Debug", "Hash", "Json", "Row", "Schema",
];

/// Built-in type constructors and their arity (containers come with the core library).
fn builtin_type(name: &str) -> Option<(Ty, usize)> {
    Some(match name {
        "Int" => (Ty::Int, 0),
        "Float" => (Ty::Float, 0),
        "Bool" => (Ty::Bool, 0),
        "String" => (Ty::String, 0),
        "List" => (Ty::Con("List".into(), vec![]), 1),
        "Map" => (Ty::Con("Map".into(), vec![]), 2),
        "Set" => (Ty::Con("Set".into(), vec![]), 0),
        "Atom" => (Ty::Con("Atom".into(), vec![]), 0),
        "Pid" => (Ty::Con("Pid".into(), vec![]), usize::MAX),
        "DateTime" => (Ty::Con("DateTime".into(), vec![]), 0),
        _ => return None,
    })
}

#[derive(Default)]
pub struct Env {
    pub defs: TypeDefs,
    /// module → visible type name → key
    types: HashMap<String, HashMap<String, String>>,
    /// module → visible constructor name → (type key, variant index)
    ctors: HashMap<String, HashMap<String, (String, usize)>>,
    /// module → alias name → (defining module, written type)
    aliases: HashMap<String, HashMap<String, (String, TypeExpr)>>,
    /// module → module alias (`import A.B` gives `B`) → full module name
    modules: HashMap<String, HashMap<String, String>>,
    /// The standard library's modules.
    library: std::collections::HashSet<String>,
}

impl Env {
    pub fn build(p: &Program, cx: &mut PassCx) -> Env {
        let mut env = Env {
            library: p
                .modules
                .iter()
                .filter(|m| m.library)
                .map(|m| m.name.clone())
                .collect(),
            ..Env::default()
        };
        // 1. declare every type
        let mut decls: Vec<(String, &Item)> = Vec::new();
        for m in &p.modules {
            for it in &m.items {
                let (name, is_pub, generics) = match &it.kind {
                    ItemKind::Struct(s) => (&s.name, s.is_pub, &s.generics),
                    ItemKind::SumType(s) => (&s.name, s.is_pub, &s.generics),
                    ItemKind::ExternType {
                        name,
                        is_pub,
                        generics,
                    } => (name, *is_pub, generics),
                    ItemKind::TypeAlias {
                        name, ty, is_pub, ..
                    } => {
                        env.aliases
                            .entry(m.name.clone())
                            .or_default()
                            .insert(name.clone(), (m.name.clone(), ty.clone()));
                        env.types.entry(m.name.clone()).or_default();
                        let _ = is_pub;
                        continue;
                    }
                    _ => continue,
                };
                let key = type_key(&m.name, name);
                if env.defs.types.contains_key(&key) {
                    cx.emit(
                        Diagnostic::error(
                            "duplicate definition",
                            format!("type `{name}` is defined twice"),
                            it.span,
                        )
                        .with_code("E0026"),
                    );
                    continue;
                }
                env.defs.types.insert(
                    key.clone(),
                    TypeDef {
                        name: name.clone(),
                        module: m.name.clone(),
                        is_pub,
                        params: generics.clone(),
                        kind: if matches!(it.kind, ItemKind::ExternType { .. }) {
                            TypeDefKind::Opaque
                        } else {
                            TypeDefKind::Struct(vec![])
                        },
                        derives: vec![],
                    },
                );
                env.types
                    .entry(m.name.clone())
                    .or_default()
                    .insert(name.clone(), key);
                decls.push((m.name.clone(), it));
            }
        }
        // 2. visibility: prelude everywhere, imports
        let prelude_types: Vec<(String, String)> = env
            .types
            .get("Prelude")
            .map(|t| t.iter().map(|(a, b)| (a.clone(), b.clone())).collect())
            .unwrap_or_default();
        for m in &p.modules {
            let scope = env.types.entry(m.name.clone()).or_default();
            for (n, k) in &prelude_types {
                scope.entry(n.clone()).or_insert(k.clone());
            }
            for it in &m.items {
                match &it.kind {
                    ItemKind::Import(path) => {
                        env.modules
                            .entry(m.name.clone())
                            .or_default()
                            .insert(path.last().cloned().unwrap_or_default(), path.join("."));
                    }
                    ItemKind::FromImport { path, names, .. } => {
                        let from = path.join(".");
                        for n in names {
                            let key = type_key(&from, n);
                            if env.defs.types.contains_key(&key) {
                                env.types
                                    .entry(m.name.clone())
                                    .or_default()
                                    .insert(n.clone(), key);
                            }
                            if let Some((dm, te)) =
                                env.aliases.get(&from).and_then(|a| a.get(n)).cloned()
                            {
                                env.aliases
                                    .entry(m.name.clone())
                                    .or_default()
                                    .insert(n.clone(), (dm, te));
                            }
                        }
                    }
                    _ => {}
                }
            }
        }
        // 3. fields and variants, now that every name is known
        for (module, it) in decls {
            match &it.kind {
                ItemKind::Struct(s) => {
                    // the grammar reads `name args…` lines in a struct body (DB
                    // annotations of the reference); Mesh structs have only fields
                    for (key, args) in &s.meta {
                        let span = args.first().map(|a| a.span).unwrap_or(it.span);
                        cx.emit(
                            Diagnostic::error(
                                "struct field error",
                                format!("`{key}` in struct `{}` is not a field", s.name),
                                span,
                            )
                            .with_code("E0009")
                            .with_note("a struct body lists fields: `name :: Type`"),
                        );
                    }
                    let fields: Vec<(String, Ty)> = s
                        .fields
                        .iter()
                        .map(|(n, t)| (n.clone(), env.resolve(&module, t, &s.generics, cx)))
                        .collect();
                    let derives = env.derives(&s.name, &s.deriving, true, it.span, cx);
                    let def = env.defs.types.get_mut(&type_key(&module, &s.name)).unwrap();
                    def.kind = TypeDefKind::Struct(fields);
                    def.derives = derives;
                }
                ItemKind::SumType(s) => {
                    let variants: Vec<VariantDef> = s
                        .variants
                        .iter()
                        .map(|v| VariantDef {
                            name: v.name.clone(),
                            fields: v
                                .fields
                                .iter()
                                .map(|(n, t)| (n.clone(), env.resolve(&module, t, &s.generics, cx)))
                                .collect(),
                        })
                        .collect();
                    let derives = env.derives(&s.name, &s.deriving, false, it.span, cx);
                    let key = type_key(&module, &s.name);
                    for (i, v) in variants.iter().enumerate() {
                        env.ctors
                            .entry(module.clone())
                            .or_default()
                            .insert(v.name.clone(), (key.clone(), i));
                    }
                    let def = env.defs.types.get_mut(&key).unwrap();
                    def.kind = TypeDefKind::Sum(variants);
                    def.derives = derives;
                }
                _ => {}
            }
        }
        // constructors: prelude everywhere; imported sum types bring theirs
        let prelude_ctors: Vec<(String, (String, usize))> = env
            .ctors
            .get("Prelude")
            .map(|c| c.iter().map(|(a, b)| (a.clone(), b.clone())).collect())
            .unwrap_or_default();
        for m in &p.modules {
            let imported: Vec<String> = env
                .types
                .get(&m.name)
                .map(|t| t.values().cloned().collect())
                .unwrap_or_default();
            let mut add = Vec::new();
            for key in imported {
                if let Some(def) = env.defs.types.get(&key) {
                    if def.module != m.name {
                        for (i, v) in def.variants().iter().enumerate() {
                            add.push((v.name.clone(), (key.clone(), i)));
                        }
                    }
                }
            }
            let scope = env.ctors.entry(m.name.clone()).or_default();
            for (n, c) in prelude_ctors.iter().cloned().chain(add) {
                scope.entry(n).or_insert(c);
            }
        }
        env
    }

    /// Spec 02 §5: allowed names, `Ord` needs `Eq`, defaults without a clause.
    fn derives(
        &self,
        name: &str,
        clause: &Option<Vec<String>>,
        is_struct: bool,
        span: Span,
        cx: &mut PassCx,
    ) -> Vec<String> {
        let Some(list) = clause else {
            let d: &[&str] = if is_struct {
                &["Eq", "Ord", "Debug", "Hash"]
            } else {
                &["Eq", "Ord", "Debug"]
            };
            return d.iter().map(|s| s.to_string()).collect();
        };
        for d in list {
            if !DERIVABLE.contains(&d.as_str()) {
                cx.emit(
                    Diagnostic::error("unsupported derive", format!("cannot derive `{d}` for `{name}` -- only Eq, Ord, Display, Debug, Hash, Json, and Row are derivable"), span)
                        .with_code("E0028"),
                );
            }
        }
        if list.iter().any(|d| d == "Ord") && !list.iter().any(|d| d == "Eq") {
            cx.emit(
                Diagnostic::error(
                    "missing derive prerequisite",
                    format!("deriving `Ord` for `{name}` requires `Eq` to also be derived"),
                    span,
                )
                .with_code("E0029")
                .with_note(format!("write `deriving(Eq, Ord)` on `{name}`")),
            );
        }
        list.clone()
    }

    pub fn module_alias(&self, module: &str, name: &str) -> Option<&String> {
        self.modules.get(module).and_then(|m| m.get(name))
    }

    /// The key of the type `name` as seen from `module`.
    pub fn type_named(&self, module: &str, name: &str) -> Option<String> {
        self.types.get(module).and_then(|t| t.get(name)).cloned()
    }

    pub fn ctor(&self, module: &str, name: &str) -> Option<(String, usize)> {
        self.ctors.get(module).and_then(|c| c.get(name)).cloned()
    }

    /// The public type `name` of module `owner` (or any type of `owner` when it is
    /// `module` itself): `Geo.Pt` after `import Geo`, `Pt` after `from Geo import Pt`.
    pub fn type_of_module(&self, module: &str, owner: &str, name: &str) -> Option<String> {
        let key = type_key(owner, name);
        let d = self.defs.types.get(&key)?;
        (d.is_pub || owner == module).then_some(key)
    }

    /// The constructor `variant` of a public sum type of module `owner`
    /// (`Geo.Circle`): its type's key and index.
    pub fn ctor_of_module(
        &self,
        module: &str,
        owner: &str,
        variant: &str,
    ) -> Option<(String, usize)> {
        let (key, index) = self.ctor(owner, variant)?;
        let d = &self.defs.types[&key];
        (d.module == owner && (d.is_pub || owner == module)).then_some((key, index))
    }

    /// Whether module `owner` defines a type or a constructor `name` (a private one:
    /// resolve-names has reported the use already).
    pub fn defines(&self, owner: &str, name: &str) -> bool {
        self.defs.types.contains_key(&type_key(owner, name))
            || self
                .ctor(owner, name)
                .is_some_and(|(k, _)| self.defs.types[&k].module == owner)
    }

    /// `Type.Variant` as seen from `module`.
    pub fn qualified_ctor(&self, module: &str, ty: &str, variant: &str) -> Option<(String, usize)> {
        let key = self.type_named(module, ty)?;
        let idx = self.defs.types[&key]
            .variants()
            .iter()
            .position(|v| v.name == variant)?;
        Some((key, idx))
    }

    /// Translates a written type. `generics[i]` is `Ty::Param(i)`.
    pub fn resolve(&self, module: &str, t: &TypeExpr, generics: &[String], cx: &mut PassCx) -> Ty {
        self.resolve_with(
            module,
            t,
            &mut |n| {
                generics
                    .iter()
                    .position(|g| g == n)
                    .map(|i| Ty::Param(i as u32))
            },
            cx,
        )
    }

    /// Translates a written type, asking `var` for type-variable names first.
    pub fn resolve_with(
        &self,
        module: &str,
        t: &TypeExpr,
        var: &mut dyn FnMut(&str) -> Option<Ty>,
        cx: &mut PassCx,
    ) -> Ty {
        match &t.kind {
            TypeKind::Tuple(ts) if ts.is_empty() => Ty::Unit,
            TypeKind::Tuple(ts) => Ty::Tuple(
                ts.iter()
                    .map(|x| self.resolve_with(module, x, var, cx))
                    .collect(),
            ),
            TypeKind::Fun(ps, r) => Ty::Fun(
                ps.iter()
                    .map(|x| self.resolve_with(module, x, var, cx))
                    .collect(),
                Box::new(self.resolve_with(module, r, var, cx)),
            ),
            TypeKind::Optional(x) => {
                Ty::Con("Option".into(), vec![self.resolve_with(module, x, var, cx)])
            }
            TypeKind::Fallible(x, e) => Ty::Con(
                "Result".into(),
                vec![
                    self.resolve_with(module, x, var, cx),
                    self.resolve_with(module, e, var, cx),
                ],
            ),
            TypeKind::Named { path, args } => {
                let args: Vec<Ty> = args
                    .iter()
                    .map(|x| self.resolve_with(module, x, var, cx))
                    .collect();
                let (owner, name) = match path.as_slice() {
                    [n] => (module.to_string(), n.clone()),
                    [m, n] => match self.module_alias(module, m) {
                        Some(full) => (full.clone(), n.clone()),
                        None => (m.clone(), n.clone()),
                    },
                    _ => (module.to_string(), path.join(".")),
                };
                if path.len() == 1 && args.is_empty() {
                    if let Some(v) = var(&name) {
                        return v;
                    }
                }
                let key = if owner == module {
                    self.type_named(module, &name)
                } else {
                    Some(type_key(&owner, &name)).filter(|k| self.defs.types.contains_key(k))
                };
                if let Some(key) = key {
                    let want = self.defs.types[&key].params.len();
                    if want != args.len() {
                        cx.emit(
                            Diagnostic::error(
                                "type error",
                                format!(
                                    "type `{name}` takes {want} type argument(s), found {}",
                                    args.len()
                                ),
                                t.span,
                            )
                            .with_code("E0005"),
                        );
                    }
                    return Ty::Con(key, args);
                }
                let alias = if owner == module {
                    self.aliases.get(module).and_then(|a| a.get(&name))
                } else {
                    // `Types.UserId`: an alias defined in that module
                    self.aliases
                        .get(&owner)
                        .and_then(|a| a.get(&name))
                        .filter(|(dm, _)| *dm == owner)
                };
                if let Some((dm, te)) = alias.cloned() {
                    return self.resolve_with(&dm, &te, &mut |_| None, cx);
                }
                match builtin_type(&name) {
                    Some((Ty::Con(n, _), arity)) => {
                        if arity != usize::MAX && arity != args.len() {
                            cx.emit(
                                Diagnostic::error(
                                    "type error",
                                    format!(
                                        "type `{name}` takes {arity} type argument(s), found {}",
                                        args.len()
                                    ),
                                    t.span,
                                )
                                .with_code("E0005"),
                            );
                        }
                        Ty::Con(n, args)
                    }
                    Some((ty, _)) => ty,
                    // `Never` (the type of `Kernel.panic`) is written only in the library
                    None if name == "Never" && self.library.contains(module) => Ty::Never,
                    None => {
                        cx.emit(
                            Diagnostic::error(
                                "unknown type",
                                format!("unknown type `{}`", path.join(".")),
                                t.span,
                            )
                            .with_code("E0005"),
                        );
                        Ty::Never
                    }
                }
            }
        }
    }
}
