# The Request module (spec 06 §1.1): a request as handlers see it (runtime/src/http).

@extern("mesh_rt_req_method") pub fn method(req :: Request) -> String
# The path without the query string, not percent-decoded.
@extern("mesh_rt_req_path") pub fn path(req :: Request) -> String
@extern("mesh_rt_req_body") pub fn body(req :: Request) -> String
# Case-insensitive; the first value.
@extern("mesh_rt_req_header") pub fn header(req :: Request, name :: String) -> Option<String>
# The last value of a repeated key; not decoded.
@extern("mesh_rt_req_query") pub fn query(req :: Request, name :: String) -> Option<String>
# A path parameter captured by `:name`.
@extern("mesh_rt_req_param") pub fn param(req :: Request, name :: String) -> Option<String>
# The request with the router's path parameters.
@extern("mesh_rt_req_with_params") pub fn with_params(req :: Request, names :: List<String>, values :: List<String>) -> Request
