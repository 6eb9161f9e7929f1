# The Env module (spec 03 §11, spec 06 §11).

@extern("mesh_rt_env_get") pub fn get(name :: String, default :: String) -> String
# The variable as an integer (surrounding spaces allowed), else `default`.
@extern("mesh_rt_env_get_int") pub fn get_int(name :: String, default :: Int) -> Int
# The program's arguments, the program's own name first.
@extern("mesh_rt_env_args") pub fn args() -> List<String>
