# What `mesh test` records (runtime/src/testing.rs; the DSL is stdlib/test.mpl).

@extern("mesh_rt_test_fail") pub fn fail(message :: String) -> ()
@extern("mesh_rt_test_failures") pub fn failures() -> Int
@extern("mesh_rt_test_truncate") pub fn truncate(n :: Int) -> ()
@extern("mesh_rt_test_report") pub fn report(name :: String) -> ()
@extern("mesh_rt_test_summary") pub fn summary() -> ()
