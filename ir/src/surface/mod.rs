//! `surface`: the full Mesh syntax of spec 01 (and the declaration forms of spec 04–06),
//! as the `parse` pass produces it.
//!
//! From source text: adds structure and spans. Invariants: every node has a span in
//! its file; names are unresolved strings. Later passes keep this language and
//! strengthen its invariants (each such pass's validator says which, e.g. "no pipes").
//! `typed` is this tree with every expression's `ty` filled in (see `typed.rs`).

pub mod eval;
pub mod patterns;
mod print;
pub mod typed;
mod validate;
pub mod visit;

pub use print::{escape_str, print_module, print_program, type_str};
pub use typed::{Desugared, Matched, Mono, Typed};

use crate::types::Ty;
use crate::Span;

/// A whole program: one module per source file.
#[derive(Clone, Debug, PartialEq)]
pub struct Program {
    pub modules: Vec<Module>,
}

/// One source file's items. `name` is the module name (`Main` for the entry file).
#[derive(Clone, Debug, PartialEq)]
pub struct Module {
    pub name: String,
    pub file: u32,
    /// A standard-library module (its file is `<stdlib/…>`): left out of dumps.
    pub library: bool,
    pub items: Vec<Item>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Item {
    pub kind: ItemKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ItemKind {
    Import(Vec<String>),
    /// `from A.B import x, y`; `glob` for the rejected `import *`.
    FromImport {
        path: Vec<String>,
        names: Vec<String>,
        glob: bool,
    },
    Module {
        is_pub: bool,
        path: Vec<String>,
        items: Vec<Item>,
    },
    Fn(FnDef),
    /// `@extern pub type Name<T…>`: a type the runtime implements, opaque to Mesh code
    /// (its values are counted runtime cells). Standard library only (decision 47).
    ExternType {
        is_pub: bool,
        name: String,
        generics: Vec<String>,
    },
    Struct(StructDef),
    SumType(SumTypeDef),
    TypeAlias {
        is_pub: bool,
        name: String,
        generics: Vec<String>,
        ty: TypeExpr,
    },
    Interface(InterfaceDef),
    Impl(ImplDef),
    Actor(ActorDef),
    Service(ServiceDef),
    Supervisor(SupervisorDef),
    /// A statement at top level (spec 01 §1.4 allows them syntactically).
    Stmt(Stmt),
}

#[derive(Clone, Debug, PartialEq)]
pub struct FnDef {
    pub is_pub: bool,
    /// `@cluster` (`Some(None)`) or `@cluster(N)` (`Some(Some(N))`).
    pub cluster: Option<Option<i64>>,
    /// A standard-library declaration without a body: implemented by the runtime
    /// (`@extern`) or by the compiler (`@intrinsic`). Its parameters and result are
    /// all annotated; `body` is empty.
    pub external: Option<External>,
    pub name: String,
    pub generics: Vec<String>,
    pub params: Vec<Param>,
    pub ret: Option<TypeExpr>,
    pub bounds: Vec<Bound>,
    pub guard: Option<Expr>,
    pub body: Block,
    /// `fn f(x) = e` rather than `do … end` (printing only).
    pub eq_form: bool,
    /// An `actor` turned into a function by `lower-actors`: its result is the
    /// process's `Pid<M>`, and `receive`/`self()` are allowed in it (spec 04 §2).
    pub actor: bool,
    /// The function's type, filled by `infer`.
    pub sig: Option<Ty>,
    pub span: Span,
}

/// How a function without a Mesh body is implemented (decision 47).
#[derive(Clone, Debug, PartialEq)]
pub enum External {
    /// `@extern("symbol", flags…)`: a C-ABI function of the runtime, whose signature is
    /// derived from the Mesh types (`core::abi`).
    Runtime {
        symbol: String,
        /// `owns`: the function takes over its counted arguments (it may update a map or
        /// list held only once in place); otherwise it borrows them.
        owns: bool,
        /// `located`: it may fail, naming the user's call site (generated code records
        /// the location before calling it).
        located: bool,
    },
    /// `@intrinsic`: the compiler lowers each call itself (`explicate-core`).
    Intrinsic,
    /// `@intrinsic pub name :: Type`: a value the compiler provides, used without a call
    /// (`Math.pi`). Its `ret` is the type; it has no parameters.
    Constant,
}

impl FnDef {
    /// The runtime symbol of an `@extern` function.
    pub fn extern_symbol(&self) -> Option<&str> {
        match &self.external {
            Some(External::Runtime { symbol, .. }) => Some(symbol),
            _ => None,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Param {
    pub pat: Pat,
    pub ty: Option<TypeExpr>,
}

/// `T: Display + Eq` in a `where` clause.
#[derive(Clone, Debug, PartialEq)]
pub struct Bound {
    pub var: String,
    pub traits: Vec<TypeExpr>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct StructDef {
    pub is_pub: bool,
    pub name: String,
    pub generics: Vec<String>,
    pub fields: Vec<(String, TypeExpr)>,
    /// DB annotations in the body (spec 06): `table "todos"`, `has_many :x, X`, `timestamps`.
    pub meta: Vec<(String, Vec<Expr>)>,
    pub deriving: Option<Vec<String>>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct SumTypeDef {
    pub is_pub: bool,
    pub name: String,
    pub generics: Vec<String>,
    pub variants: Vec<Variant>,
    pub deriving: Option<Vec<String>>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Variant {
    pub name: String,
    /// Payload fields, optionally named.
    pub fields: Vec<(Option<String>, TypeExpr)>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct InterfaceDef {
    pub is_pub: bool,
    pub name: String,
    pub generics: Vec<String>,
    pub assoc_types: Vec<String>,
    pub methods: Vec<FnDef>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ImplDef {
    pub trait_path: Vec<String>,
    pub trait_args: Vec<TypeExpr>,
    pub for_ty: TypeExpr,
    pub bounds: Vec<Bound>,
    pub assoc: Vec<(String, TypeExpr)>,
    pub methods: Vec<FnDef>,
    /// Filled by `lift-impls`: method name → the module-level function implementing it.
    pub lifted: Vec<(String, String)>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ActorDef {
    pub is_pub: bool,
    pub name: String,
    pub params: Vec<Param>,
    pub body: Block,
    pub terminate: Option<Block>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ServiceDef {
    pub is_pub: bool,
    pub name: String,
    pub fns: Vec<FnDef>,
    pub handlers: Vec<Handler>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum HandlerKind {
    Call,
    Cast,
    Info,
}

/// `call Name(params) :: Reply do |state| … end` (and `cast`).
#[derive(Clone, Debug, PartialEq)]
pub struct Handler {
    pub kind: HandlerKind,
    pub name: String,
    pub params: Vec<Param>,
    pub reply: Option<TypeExpr>,
    pub state: Vec<Param>,
    pub body: Block,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct SupervisorDef {
    pub is_pub: bool,
    pub name: String,
    pub settings: Vec<(String, Expr)>,
    pub children: Vec<SupChild>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct SupChild {
    pub id: String,
    pub settings: Vec<(String, Expr)>,
    pub span: Span,
}

// ------------------------------------------------------------------ types

#[derive(Clone, Debug, PartialEq)]
pub struct TypeExpr {
    pub kind: TypeKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum TypeKind {
    /// `List<Int>`, `Self.Item`, `Int`.
    Named {
        path: Vec<String>,
        args: Vec<TypeExpr>,
    },
    Tuple(Vec<TypeExpr>),
    Fun(Vec<TypeExpr>, Box<TypeExpr>),
    /// `T?`
    Optional(Box<TypeExpr>),
    /// `T!E`
    Fallible(Box<TypeExpr>, Box<TypeExpr>),
}

// ------------------------------------------------------------------ statements

pub type Block = Vec<Stmt>;

#[derive(Clone, Debug, PartialEq)]
pub struct Stmt {
    pub kind: StmtKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum StmtKind {
    Let {
        pat: Pat,
        ty: Option<TypeExpr>,
        value: Expr,
    },
    Expr(Expr),
    /// A nested definition (`fn`, `struct`, `type`) inside a block.
    Item(Box<Item>),
}

// ------------------------------------------------------------------ expressions

#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
    /// Filled by `infer`; `None` before it.
    pub ty: Option<Ty>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum StrPart {
    Text(String),
    Interp(Expr),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    Rem,
    Concat,
    ListConcat,
    Range,
    Lt,
    Gt,
    Le,
    Ge,
    Eq,
    Ne,
    And,
    Or,
}

impl BinOp {
    /// The operator as written in Mesh source.
    pub fn symbol(self) -> &'static str {
        use BinOp::*;
        match self {
            Add => "+",
            Sub => "-",
            Mul => "*",
            Div => "/",
            Rem => "%",
            Concat => "<>",
            ListConcat => "++",
            Range => "..",
            Lt => "<",
            Gt => ">",
            Le => "<=",
            Ge => ">=",
            Eq => "==",
            Ne => "!=",
            And => "and",
            Or => "or",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum UnOp {
    Neg,
    /// `!x` and `not x`.
    Not,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Arg {
    /// `name: value` keyword argument.
    pub name: Option<String>,
    pub value: Expr,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Arm {
    pub pat: Pat,
    pub guard: Option<Expr>,
    pub body: Block,
    pub span: Span,
}

/// One clause of a closure: `params [when guard] -> body`.
#[derive(Clone, Debug, PartialEq)]
pub struct Clause {
    pub params: Vec<Param>,
    pub guard: Option<Expr>,
    pub body: Block,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    Int(i64),
    Float(f64),
    Bool(bool),
    Nil,
    Str(Vec<StrPart>),
    Atom(String),
    Regex {
        pattern: String,
        flags: String,
    },
    /// A plain name: a local, a function, a module or a type (resolved later).
    Var(String),
    /// A name resolved to a module-level definition: `Main.fib`, `Api.Router.route`.
    Global(String),
    /// A constructor resolved by `infer`: variant `index` of sum type `ty` (a `TypeDefs`
    /// key). A function value when the variant has a payload, else the value itself.
    Variant {
        ty: String,
        index: usize,
        name: String,
    },
    /// Bare `self` (method receiver).
    SelfRef,
    /// `self()` (the current process).
    SelfPid,
    Unit,
    Tuple(Vec<Expr>),
    List(Vec<Expr>),
    Map(Vec<(Expr, Expr)>),
    StructLit {
        ty: Box<Expr>,
        fields: Vec<(String, Expr)>,
    },
    StructUpdate {
        base: Box<Expr>,
        fields: Vec<(String, Expr)>,
    },
    Json(Vec<(String, Expr)>),
    Call {
        callee: Box<Expr>,
        args: Vec<Arg>,
    },
    Field(Box<Expr>, String),
    Index(Box<Expr>, Box<Expr>),
    /// `e?`; `convert` names the `From` conversion of the error, when `infer` found one
    /// (spec 01 §4.15).
    Try(Box<Expr>, Option<String>),
    Unary(UnOp, Box<Expr>),
    Binary(BinOp, Box<Expr>, Box<Expr>),
    /// `lhs |> rhs` (slot 1) or `lhs |N> rhs`.
    Pipe {
        lhs: Box<Expr>,
        rhs: Box<Expr>,
        slot: u32,
    },
    If {
        cond: Box<Expr>,
        then: Block,
        else_: Option<Block>,
    },
    Case {
        scrutinee: Box<Expr>,
        arms: Vec<Arm>,
    },
    Receive {
        arms: Vec<Arm>,
        after: Option<(Box<Expr>, Block)>,
    },
    While {
        cond: Box<Expr>,
        body: Block,
    },
    For {
        pat: Pat,
        iter: Box<Expr>,
        filter: Option<Box<Expr>>,
        body: Block,
    },
    Break,
    Continue,
    Return(Option<Box<Expr>>),
    Closure(Vec<Clause>),
}

impl Expr {
    pub fn new(kind: ExprKind, span: Span) -> Expr {
        Expr {
            kind,
            span,
            ty: None,
        }
    }

    /// `callee(args…)`, all positional (for passes that generate calls).
    pub fn call(callee: Expr, args: Vec<Expr>, span: Span) -> Expr {
        Expr::new(
            ExprKind::Call {
                callee: Box::new(callee),
                args: args
                    .into_iter()
                    .map(|value| Arg { name: None, value })
                    .collect(),
            },
            span,
        )
    }

    /// `Module.name`: a library function, resolved by `resolve-names`.
    pub fn library(module: &str, name: &str, span: Span) -> Expr {
        let m = Expr::new(ExprKind::Var(module.to_string()), span);
        Expr::new(ExprKind::Field(Box::new(m), name.to_string()), span)
    }
}

// ------------------------------------------------------------------ patterns

#[derive(Clone, Debug, PartialEq)]
pub struct Pat {
    pub kind: PatKind,
    pub span: Span,
    /// Filled by `infer`.
    pub ty: Option<Ty>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum PatKind {
    Wild,
    Var(String),
    Int(i64),
    Float(f64),
    Str(String),
    Bool(bool),
    Nil,
    Atom(String),
    Tuple(Vec<Pat>),
    /// `{k, v}` in a `for` over a map.
    Brace(Vec<Pat>),
    /// `Some(x)`, `Shape.Circle(r)`, `None`; `args: None` for a bare constructor.
    Ctor {
        path: Vec<String>,
        args: Option<Vec<Pat>>,
    },
    Or(Vec<Pat>),
    Cons(Box<Pat>, Box<Pat>),
    As(Box<Pat>, String),
    /// `self` as a method parameter.
    SelfParam,
    /// A constructor pattern resolved by `infer` (bare constructors get `_` payloads).
    Variant {
        ty: String,
        index: usize,
        name: String,
        args: Vec<Pat>,
    },
}

impl Pat {
    pub fn new(kind: PatKind, span: Span) -> Pat {
        Pat {
            kind,
            span,
            ty: None,
        }
    }
}

impl crate::Ir for Program {
    const LANG: &'static str = "surface";
    fn print(&self) -> String {
        print_program(self)
    }
    fn validate(&self) -> Result<(), Vec<String>> {
        validate::validate(self)
    }
}
