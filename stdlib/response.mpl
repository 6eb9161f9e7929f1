# The Response module: responses as handlers build them (runtime/src/http).

@extern("mesh_rt_response") pub fn make(status :: Int, body :: String, headers :: Map<String, String>) -> Response
@extern("mesh_rt_response_plain") pub fn plain(status :: Int, body :: String) -> Response
@extern("mesh_rt_response_status") pub fn status(resp :: Response) -> Int
@extern("mesh_rt_response_body") pub fn body(resp :: Response) -> String
