//! Type variables on `ena`'s union-find (spec 02 §3). A variable is either unbound —
//! possibly constrained to the numeric types `Int`/`Float` — or bound to a type.

use ena::unify::{InPlaceUnificationTable, NoError, UnifyKey, UnifyValue};
use mesh_ir::types::Ty;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct TyVid(u32);

#[derive(Clone, Debug)]
pub enum VarValue {
    Unbound { numeric: bool },
    Bound(Ty),
}

impl UnifyKey for TyVid {
    type Value = VarValue;
    fn index(&self) -> u32 {
        self.0
    }
    fn from_index(i: u32) -> Self {
        TyVid(i)
    }
    fn tag() -> &'static str {
        "TyVid"
    }
}

impl UnifyValue for VarValue {
    type Error = NoError;
    fn unify_values(a: &Self, b: &Self) -> Result<Self, NoError> {
        Ok(match (a, b) {
            (VarValue::Unbound { numeric: x }, VarValue::Unbound { numeric: y }) => {
                VarValue::Unbound { numeric: *x || *y }
            }
            (VarValue::Bound(t), _) | (_, VarValue::Bound(t)) => VarValue::Bound(t.clone()),
        })
    }
}

/// Why two types did not unify.
pub enum Mismatch {
    Types,
    NotNumeric,
    Occurs,
}

#[derive(Default)]
pub struct Table {
    t: InPlaceUnificationTable<TyVid>,
}

impl Table {
    pub fn fresh(&mut self) -> Ty {
        Ty::Var(self.t.new_key(VarValue::Unbound { numeric: false }).0)
    }

    /// Follows bound variables at the top of `t`.
    pub fn shallow(&mut self, t: &Ty) -> Ty {
        match t {
            Ty::Var(v) => match self.t.probe_value(TyVid(*v)) {
                VarValue::Bound(b) => self.shallow(&b),
                VarValue::Unbound { .. } => Ty::Var(self.t.find(TyVid(*v)).0),
            },
            t => t.clone(),
        }
    }

    pub fn is_numeric_var(&mut self, v: u32) -> bool {
        matches!(
            self.t.probe_value(TyVid(v)),
            VarValue::Unbound { numeric: true }
        )
    }

    /// Replaces every bound variable in `t` by its value.
    pub fn zonk(&mut self, t: &Ty) -> Ty {
        match self.shallow(t) {
            Ty::Fun(ps, r) => Ty::Fun(
                ps.iter().map(|p| self.zonk(p)).collect(),
                Box::new(self.zonk(&r)),
            ),
            Ty::Tuple(ts) => Ty::Tuple(ts.iter().map(|p| self.zonk(p)).collect()),
            Ty::Con(n, ts) => Ty::Con(n, ts.iter().map(|p| self.zonk(p)).collect()),
            t => t,
        }
    }

    pub fn constrain_numeric(&mut self, t: &Ty) -> Result<(), Mismatch> {
        match self.shallow(t) {
            Ty::Var(v) => {
                self.t
                    .union_value(TyVid(v), VarValue::Unbound { numeric: true });
                Ok(())
            }
            Ty::Int | Ty::Float | Ty::Never => Ok(()),
            _ => Err(Mismatch::NotNumeric),
        }
    }

    fn occurs(&mut self, v: u32, t: &Ty) -> bool {
        match self.shallow(t) {
            Ty::Var(w) => self.t.find(TyVid(w)).0 == self.t.find(TyVid(v)).0,
            Ty::Fun(ps, r) => ps.iter().any(|p| self.occurs(v, p)) || self.occurs(v, &r),
            Ty::Tuple(ts) | Ty::Con(_, ts) => ts.iter().any(|p| self.occurs(v, p)),
            _ => false,
        }
    }

    fn bind(&mut self, v: u32, t: Ty) -> Result<(), Mismatch> {
        if self.occurs(v, &t) {
            return Err(Mismatch::Occurs);
        }
        if self.is_numeric_var(v) && !matches!(t, Ty::Int | Ty::Float | Ty::Never) {
            return Err(Mismatch::NotNumeric);
        }
        self.t.union_value(TyVid(v), VarValue::Bound(t));
        Ok(())
    }

    pub fn unify(&mut self, a: &Ty, b: &Ty) -> Result<(), Mismatch> {
        let (a, b) = (self.shallow(a), self.shallow(b));
        match (&a, &b) {
            (Ty::Never, _) | (_, Ty::Never) => Ok(()),
            (Ty::Var(x), Ty::Var(y)) => {
                self.t.union(TyVid(*x), TyVid(*y));
                Ok(())
            }
            (Ty::Var(x), t) | (t, Ty::Var(x)) => self.bind(*x, t.clone()),
            (Ty::Fun(p1, r1), Ty::Fun(p2, r2)) if p1.len() == p2.len() => {
                for (x, y) in p1.iter().zip(p2) {
                    self.unify(x, y)?;
                }
                self.unify(r1, r2)
            }
            (Ty::Tuple(x), Ty::Tuple(y)) if x.len() == y.len() => {
                x.iter().zip(y).try_for_each(|(x, y)| self.unify(x, y))
            }
            (Ty::Con(n1, x), Ty::Con(n2, y)) if n1 == n2 && x.len() == y.len() => {
                x.iter().zip(y).try_for_each(|(x, y)| self.unify(x, y))
            }
            // the untyped `Pid` unifies with every `Pid<M>` (spec 04 §3)
            (Ty::Con(n1, x), Ty::Con(n2, y))
                if n1 == "Pid" && n2 == "Pid" && (x.is_empty() || y.is_empty()) =>
            {
                Ok(())
            }
            (x, y) if x == y => Ok(()),
            _ => Err(Mismatch::Types),
        }
    }
}
