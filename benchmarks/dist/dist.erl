%% The Erlang side of `just bench-dist` (issue 17): the same two roles as dist.mpl,
%% over Erlang distribution on loopback. Run as two nodes: echo@127.0.0.1 calls
%% dist:echo(), drive@127.0.0.2 calls dist:drive().
-module(dist).
-export([echo/0, drive/0]).

-record(load, {id, name, tags}).

echo() ->
    register(echo, self()),
    io:format("ready~n"),
    echo(0).

echo(Count) ->
    receive
        {ping, From, N} -> From ! {pong, N}, echo(Count);
        {carry, _} -> echo(Count + 1);
        {total, From} -> From ! {count, Count}, echo(0)
    end.

env(Name, Default) ->
    case os:getenv(Name) of
        false -> Default;
        V -> list_to_integer(V)
    end.

pings(_, 0, Acc) -> Acc;
pings(To, Left, Acc) ->
    T0 = erlang:monotonic_time(microsecond),
    To ! {ping, self(), Left},
    receive {pong, _} -> ok end,
    pings(To, Left - 1, [erlang:monotonic_time(microsecond) - T0 | Acc]).

loads(_, 0, _) -> ok;
loads(To, Left, Load) ->
    To ! {carry, Load#load{id = Left}},
    loads(To, Left - 1, Load).

at(Xs, Q) -> lists:nth(length(Xs) * Q div 100 + 1, lists:sort(Xs)).

drive() ->
    Peer = list_to_atom("echo@127.0.0.1"),
    pong = net_adm:ping(Peer),
    timer:sleep(200),
    To = {echo, Peer},
    _ = pings(To, 1000, []),
    Rtts = pings(To, env("N", 20000), []),
    M = env("M", 200000),
    Load = #load{id = 0, name = <<"a payload of about one hundred bytes once it is framed and">>,
                 tags = [1, 2, 3]},
    T0 = erlang:monotonic_time(microsecond),
    loads(To, M, Load),
    To ! {total, self()},
    receive {count, N} ->
        Us = erlang:monotonic_time(microsecond) - T0,
        io:format("rtt_p50_us=~p rtt_p99_us=~p msgs_per_s=~p received=~p~n",
                  [at(Rtts, 50), at(Rtts, 99), N * 1000000 div Us, N])
    end.
