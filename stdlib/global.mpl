# The Global module (spec 05 §9): a cluster-wide registry of names, replicated on every
# node (runtime/src/dist/global.rs). Works standalone too.

# 0, or 1 when the name is taken or empty.
@extern("mesh_rt_global_register") pub fn register<M>(name :: String, pid :: Pid<M>) -> Int
# The pid registered under `name`, or 0.
@extern("mesh_rt_global_whereis") pub fn whereis(name :: String) -> Pid
# 0, or 1 when the name is unknown.
@extern("mesh_rt_global_unregister") pub fn unregister(name :: String) -> Int
