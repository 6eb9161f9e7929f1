//! `core`: a small explicit expression language that codegen consumes.
//!
//! From `mono`: removes patterns, `case`, string interpolation, operators, modules and
//! user types; adds explicit primitive operations, heap objects (`Alloc`, `Load`,
//! `Tag`), uniquely named locals, fully qualified function names and tail-call marks. Invariants: every local is bound before use and bound
//! once; every call names a function of the program with matching arity and types;
//! `tail` marks only calls in tail position; every node's type matches its operation.

pub mod interp;
mod print;
mod stages;
mod validate;
pub mod vars;

pub use stages::{Closed, Lifted, RcExplicit};

use crate::Span;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CTy {
    Int,
    Float,
    Bool,
    Str,
    Unit,
    /// A pointer to a reference-counted heap object (structs, tuples, sum values,
    /// closures): `{i64 header (tag, count), i64 pointer mask, i64 slots[n]}`.
    Obj,
    /// A pointer that is not reference counted: code addresses, and runtime-owned values
    /// (compiled regexes, parsed JSON).
    Raw,
}

impl CTy {
    /// Values of this type are pointers to reference-counted cells.
    pub fn is_counted(self) -> bool {
        matches!(self, CTy::Str | CTy::Obj)
    }

    pub fn name(self) -> &'static str {
        match self {
            CTy::Int => "Int",
            CTy::Float => "Float",
            CTy::Bool => "Bool",
            CTy::Str => "String",
            CTy::Unit => "()",
            CTy::Obj => "Obj",
            CTy::Raw => "Raw",
        }
    }
}

/// A parameter or result of a runtime function: a value of one type, or any value passed
/// as a 64-bit word (a generic parameter: an `Int`, a `Float`'s bits, a `Bool`, a
/// pointer).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RtTy {
    Is(CTy),
    Word,
}

/// A runtime function the program calls (an `@extern` declaration of the standard
/// library, decision 47): its C-ABI signature, derived from its Mesh type by
/// `explicate-core` (`abi`), and how it treats its arguments.
#[derive(Clone, Debug, PartialEq)]
pub struct Extern {
    pub symbol: String,
    pub params: Vec<RtTy>,
    pub ret: RtTy,
    /// Takes over its counted arguments (else it borrows them).
    pub owns: bool,
    /// May fail naming the user's call: generated code records the call's location.
    pub located: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Program {
    pub fns: Vec<Fn>,
    /// Name of the function the program starts with (`Main.main`).
    pub entry: String,
    /// The runtime functions `Runtime` nodes call, by symbol (sorted, unique).
    pub externs: Vec<Extern>,
}

impl Program {
    /// The signature of runtime function `symbol`.
    pub fn extern_sig(&self, symbol: &str) -> Option<&Extern> {
        self.externs
            .binary_search_by(|x| x.symbol.as_str().cmp(symbol))
            .ok()
            .map(|i| &self.externs[i])
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Fn {
    pub name: String,
    pub params: Vec<(String, CTy)>,
    pub ret: CTy,
    pub body: Expr,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    pub kind: ExprKind,
    pub ty: CTy,
    pub span: Span,
}

/// The explicit environment of a converted lambda.
#[derive(Clone, Debug, PartialEq)]
pub struct ClosureEnv {
    /// The closure object, the lifted function's first parameter.
    pub param: String,
    /// The captured locals: the values stored in the object after the code pointer.
    pub captured: Vec<(String, CTy)>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Cmp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

/// Primitive operations; their operand and result types are fixed (see `Prim::sig`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Prim {
    IAdd,
    ISub,
    IMul,
    /// Truncating division; traps on a zero divisor.
    IDiv,
    /// Remainder with the dividend's sign; traps on a zero divisor.
    IRem,
    INeg,
    FAdd,
    FSub,
    FMul,
    FDiv,
    FRem,
    FNeg,
    ICmp(Cmp),
    FCmp(Cmp),
    BCmp(Cmp),
    SCmp(Cmp),
    BNot,
    StrConcat,
    IntToStr,
    IntToFloat,
    FloatToStr,
    BoolToStr,
    Print,
    Println,
    /// A runtime error with a computed message (the caller follows it with `Fail`).
    Panic,
    /// `reuse-cells`: gives back the object's reference; if it was the last one, its
    /// children lose theirs and its cell becomes a reuse token (else a null token).
    DropReuse,
    /// `reuse-cells`: frees a reuse token's cell (a token nobody reused).
    FreeReuse,
    /// `specialise-drops`: as `DropReuse`, except that the slots in the bit set (the
    /// second operand) were moved out and are not given back.
    DropReuseMoved,
    /// `specialise-drops`: as `Drop`, except for the moved slots in the bit set.
    DropMoved,
    /// `tail-mod-cons`: a null field, filled once by `SetSlot`.
    Hole,
    /// `tail-mod-cons`: `SetSlot(cell, slot, value)` fills a hole.
    SetSlot,
    /// `insert-yield-points`: the stack and preemption check.
    Check,
}

impl Prim {
    /// (operand types, result type).
    pub fn sig(self) -> (&'static [CTy], CTy) {
        use CTy::*;
        use Prim::*;
        match self {
            IAdd | ISub | IMul | IDiv | IRem => (&[Int, Int], Int),
            INeg => (&[Int], Int),
            FAdd | FSub | FMul | FDiv | FRem => (&[Float, Float], Float),
            FNeg => (&[Float], Float),
            ICmp(_) => (&[Int, Int], Bool),
            FCmp(_) => (&[Float, Float], Bool),
            BCmp(_) => (&[Bool, Bool], Bool),
            SCmp(_) => (&[Str, Str], Bool),
            BNot => (&[Bool], Bool),
            StrConcat => (&[Str, Str], Str),
            IntToStr => (&[Int], Str),
            IntToFloat => (&[Int], Float),
            FloatToStr => (&[Float], Str),
            BoolToStr => (&[Bool], Str),
            Print | Println | Panic => (&[Str], Unit),
            DropReuse => (&[Obj], Raw),
            FreeReuse => (&[Raw], Unit),
            DropReuseMoved => (&[Obj, Int], Raw),
            DropMoved => (&[Obj, Int], Unit),
            Hole => (&[], Obj),
            SetSlot => (&[Obj, Int, Obj], Unit),
            Check => (&[], Unit),
        }
    }

    pub fn name(self) -> String {
        let fixed = match self {
            Prim::DropReuse => "drop-reuse",
            Prim::FreeReuse => "free-reuse",
            Prim::DropReuseMoved => "drop-reuse-moved",
            Prim::DropMoved => "drop-moved",
            Prim::SetSlot => "set-slot",
            _ => "",
        };
        if !fixed.is_empty() {
            return fixed.to_string();
        }
        format!("{self:?}")
            .to_lowercase()
            .replace(['(', ')'], ".")
            .trim_end_matches('.')
            .to_string()
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    Int(i64),
    Float(f64),
    Bool(bool),
    Str(String),
    Unit,
    Var(String),
    /// `let name = value in body`.
    Let(String, Box<Expr>, Box<Expr>),
    /// Evaluate the first for its effects, then the second.
    Seq(Box<Expr>, Box<Expr>),
    If(Box<Expr>, Box<Expr>, Box<Expr>),
    Call {
        func: String,
        args: Vec<Expr>,
        tail: bool,
    },
    Prim(Prim, Vec<Expr>),
    /// A runtime failure (no clause matched): prints the message and exits non-zero.
    Fail(String),
    /// A new heap object with this tag and these slot values (an `Obj`).
    Alloc {
        tag: u32,
        fields: Vec<Expr>,
    },
    /// Like `Alloc`, in the cell of reuse token `token` (a `Raw` local made by
    /// `mesh_rt_drop_reuse`) when it has one big enough (`reuse-cells`); `fits`: the
    /// token's cell is known to have at least as many slots (no run-time size check).
    Reuse {
        token: String,
        tag: u32,
        fields: Vec<Expr>,
        fits: bool,
    },
    /// Slot `index` of an object; the node's type says how to read the slot.
    Load(Box<Expr>, u32),
    /// The tag of an object (an `Int`).
    Tag(Box<Expr>),
    /// Leaves the function with this value (`return`, `?`); has any type.
    Return(Box<Expr>),
    /// A loop with block arguments: `params` start as `inits`; `Recur` jumps back with
    /// new values, `Exit` (or the body finishing) leaves with the loop's value.
    Loop {
        label: String,
        params: Vec<(String, CTy)>,
        inits: Vec<Expr>,
        body: Box<Expr>,
    },
    /// Next iteration of the enclosing loop `label`; has any type.
    Recur {
        label: String,
        args: Vec<Expr>,
    },
    /// Leaves loop `label` with a value; has any type.
    Exit {
        label: String,
        value: Box<Expr>,
    },
    /// A call of a runtime function (`Program::externs`), by its symbol.
    Runtime(String, Vec<Expr>),
    /// One more reference to a counted local (inserted by `insert-rc`); its value.
    Dup(String),
    /// Gives back the reference held by a counted local, then evaluates the body.
    Drop(String, Box<Expr>),
    /// An anonymous function (an `Obj`: a closure). Before `convert-closures` its body
    /// may use the enclosing function's locals; after it, `env` names the closure
    /// object parameter and `captured` the locals copied into it (in slot order after
    /// the code), which the body reads from the environment. `lift-lambdas` removes it.
    Lambda {
        params: Vec<(String, CTy)>,
        ret: CTy,
        body: Box<Expr>,
        env: Option<ClosureEnv>,
    },
    /// The code address of a function (an `Obj`-sized word), stored in closures.
    FnRef(String),
    /// Calls a closure object: its slot 0 holds the code, which takes the closure
    /// itself (its environment) followed by the arguments.
    CallClosure {
        closure: Box<Expr>,
        args: Vec<Expr>,
        tail: bool,
    },
}

impl Expr {
    /// A local or a literal: evaluating it has no effect and costs nothing.
    pub fn is_atom(&self) -> bool {
        matches!(
            self.kind,
            ExprKind::Var(_)
                | ExprKind::Int(_)
                | ExprKind::Float(_)
                | ExprKind::Bool(_)
                | ExprKind::Str(_)
                | ExprKind::Unit
        )
    }
}

impl crate::Ir for Program {
    const LANG: &'static str = "core";
    fn print(&self) -> String {
        print::print(self)
    }
    fn validate(&self) -> Result<(), Vec<String>> {
        stages::validate_core(self)
    }
}
