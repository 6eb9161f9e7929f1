%% N processes (default 1,000,000) are spawned and wait for one message each; then
%% each gets one and answers it; the spawner sums the answers.
-module(actors).
-export([main/0]).

worker(Boss) ->
    receive N -> Boss ! N end.

send_all([], _) -> ok;
send_all([W | Ws], I) -> W ! I, send_all(Ws, I + 1).

collect(0, S) -> S;
collect(K, S) -> receive X -> collect(K - 1, S + X) end.

main() ->
    N = list_to_integer(os:getenv("N", "1000000")),
    Self = self(),
    Ws = [spawn(fun() -> worker(Self) end) || _ <- lists:seq(1, N)],
    send_all(Ws, 1),
    io:format("answered, sum ~p~n", [collect(N, 0)]).
