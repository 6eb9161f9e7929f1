%% spec 07 §1 for the BEAM: GET /text and GET /json with constant bodies, served by
%% OTP's inets httpd (Cowboy is not packaged by Debian 12).
-module(hello).
-export([main/0, do/1]).
-include_lib("inets/include/httpd.hrl").

do(#mod{request_uri = "/text"}) ->
    {proceed, [{response, {response, [{code, 200}, {content_type, "text/plain"}, {content_length, "14"}], "Hello, World!\n"}}]};
do(#mod{request_uri = "/json"}) ->
    {proceed, [{response, {response, [{code, 200}, {content_type, "application/json"}, {content_length, "27"}], "{\"message\":\"Hello, World!\"}"}}]};
do(_) ->
    {proceed, [{response, {404, "Not Found"}}]}.

main() ->
    Port = list_to_integer(os:getenv("PORT", "3003")),
    ok = inets:start(),
    {ok, _} = inets:start(httpd, [{port, Port}, {server_name, "hello"}, {server_root, "/tmp"},
                                  {document_root, "/tmp"}, {bind_address, any},
                                  {modules, [hello]}, {keep_alive, true},
                                  {max_keep_alive_request, 100000000}, {max_clients, 10000}]),
    receive stop -> ok end.
