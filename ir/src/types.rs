//! Semantic types, as inference computes them and later languages carry them.

use std::fmt;

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Ty {
    Int,
    Float,
    Bool,
    String,
    /// `()`.
    Unit,
    /// The type of `return`, `break`, `continue` and runtime failures: fits anywhere.
    Never,
    Fun(Vec<Ty>, Box<Ty>),
    Tuple(Vec<Ty>),
    /// A named type constructor applied to arguments: `List<Int>`, `Option<String>`.
    Con(String, Vec<Ty>),
    /// An inference variable that was never resolved (only legal before `infer` ends).
    Var(u32),
    /// A quantified type variable of a polymorphic definition (`a`, `b`, …).
    Param(u32),
}

impl fmt::Display for Ty {
    /// Types are written in Mesh syntax: `Int`, `List<String>`, `Fun(Int) -> Bool`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fn list(f: &mut fmt::Formatter<'_>, ts: &[Ty]) -> fmt::Result {
            for (i, t) in ts.iter().enumerate() {
                if i > 0 {
                    write!(f, ", ")?;
                }
                write!(f, "{t}")?;
            }
            Ok(())
        }
        match self {
            Ty::Int => write!(f, "Int"),
            Ty::Float => write!(f, "Float"),
            Ty::Bool => write!(f, "Bool"),
            Ty::String => write!(f, "String"),
            Ty::Unit => write!(f, "()"),
            Ty::Never => write!(f, "Never"),
            Ty::Fun(ps, r) => {
                write!(f, "Fun(")?;
                list(f, ps)?;
                write!(f, ") -> {r}")
            }
            Ty::Tuple(ts) => {
                write!(f, "(")?;
                list(f, ts)?;
                write!(f, ")")
            }
            Ty::Con(n, args) if args.is_empty() => write!(f, "{n}"),
            Ty::Con(n, args) => {
                write!(f, "{n}<")?;
                list(f, args)?;
                write!(f, ">")
            }
            Ty::Var(v) => write!(f, "?{v}"),
            Ty::Param(p) => {
                let letter = (b'a' + (*p % 26) as u8) as char;
                if *p < 26 {
                    write!(f, "{letter}")
                } else {
                    write!(f, "{letter}{}", p / 26)
                }
            }
        }
    }
}

impl Ty {
    pub fn has_vars(&self) -> bool {
        match self {
            Ty::Var(_) => true,
            Ty::Fun(ps, r) => ps.iter().any(Ty::has_vars) || r.has_vars(),
            Ty::Tuple(ts) | Ty::Con(_, ts) => ts.iter().any(Ty::has_vars),
            _ => false,
        }
    }
}

/// The program's type definitions, keyed by the name `Ty::Con` uses: the bare name for
/// types of `Main` and `Prelude`, `Module.Name` for other modules' types.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TypeDefs {
    pub types: std::collections::BTreeMap<String, TypeDef>,
    /// Trait implementations (user `impl` blocks), as `lift-impls` and `infer` found them.
    pub impls: Vec<ImplInfo>,
}

/// `impl Trait<trait_args> for for_ty`: its methods are module-level functions.
#[derive(Clone, Debug, PartialEq)]
pub struct ImplInfo {
    pub trait_: String,
    pub trait_args: Vec<Ty>,
    pub for_ty: Ty,
    /// method name → global function name (`Main.Display::Money::to_string`)
    pub methods: std::collections::BTreeMap<String, String>,
    pub assoc: std::collections::BTreeMap<String, Ty>,
}

impl TypeDefs {
    /// The user impl of `trait_` for the concrete head of `t` (and trait arguments, when
    /// given).
    pub fn impl_for(&self, trait_: &str, t: &Ty, trait_args: Option<&[Ty]>) -> Option<&ImplInfo> {
        self.impls.iter().find(|i| {
            i.trait_ == trait_
                && same_head(&i.for_ty, t)
                && trait_args.is_none_or(|a| a == i.trait_args.as_slice())
        })
    }

    /// The function implementing method `m` for type `t`, in any trait.
    pub fn method_for(&self, t: &Ty, m: &str) -> Option<(&ImplInfo, &String)> {
        self.impls
            .iter()
            .filter(|i| same_head(&i.for_ty, t))
            .find_map(|i| i.methods.get(m).map(|f| (i, f)))
    }
}

/// Whether two types have the same outermost constructor.
pub fn same_head(a: &Ty, b: &Ty) -> bool {
    match (a, b) {
        (Ty::Con(x, _), Ty::Con(y, _)) => x == y,
        (Ty::Tuple(x), Ty::Tuple(y)) => x.len() == y.len(),
        _ => a == b,
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct TypeDef {
    pub name: String,
    pub module: String,
    pub is_pub: bool,
    /// Generic parameters; field types refer to them as `Ty::Param(i)`.
    pub params: Vec<String>,
    pub kind: TypeDefKind,
    /// Traits derived (explicitly or by default, spec 02 §5).
    pub derives: Vec<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum TypeDefKind {
    Struct(Vec<(String, Ty)>),
    Sum(Vec<VariantDef>),
    /// `@extern type`: a runtime cell Mesh code reaches only through library functions.
    Opaque,
}

#[derive(Clone, Debug, PartialEq)]
pub struct VariantDef {
    pub name: String,
    pub fields: Vec<(Option<String>, Ty)>,
}

impl TypeDef {
    pub fn derives(&self, t: &str) -> bool {
        self.derives.iter().any(|d| d == t)
    }
    pub fn variants(&self) -> &[VariantDef] {
        match &self.kind {
            TypeDefKind::Sum(v) => v,
            TypeDefKind::Struct(_) | TypeDefKind::Opaque => &[],
        }
    }
}

impl Ty {
    /// Replaces `Param(i)` by `args[i]`.
    pub fn subst(&self, args: &[Ty]) -> Ty {
        match self {
            Ty::Param(i) => args.get(*i as usize).cloned().unwrap_or(Ty::Param(*i)),
            Ty::Fun(ps, r) => Ty::Fun(
                ps.iter().map(|p| p.subst(args)).collect(),
                Box::new(r.subst(args)),
            ),
            Ty::Tuple(ts) => Ty::Tuple(ts.iter().map(|t| t.subst(args)).collect()),
            Ty::Con(n, ts) => Ty::Con(n.clone(), ts.iter().map(|t| t.subst(args)).collect()),
            t => t.clone(),
        }
    }

    pub fn has_params(&self) -> bool {
        match self {
            Ty::Param(_) => true,
            Ty::Fun(ps, r) => ps.iter().any(Ty::has_params) || r.has_params(),
            Ty::Tuple(ts) | Ty::Con(_, ts) => ts.iter().any(Ty::has_params),
            _ => false,
        }
    }
}
