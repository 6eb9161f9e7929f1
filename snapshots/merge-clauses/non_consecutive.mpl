# Clauses of one function separated by another definition are an error.
fn f(0) = 0
fn g() = 1
fn f(n) = n
