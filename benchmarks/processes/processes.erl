%% The process benchmarks of benchmarks/processes.py, in Erlang (BEAM): ping-pong,
%% gen_server calls (one caller, or many), a ring, fan-out/fan-in of jobs.
%% erl -noshell -pa DIR -eval 'processes:main(), init:stop().' with BENCH=name.
-module(processes).
-behaviour(gen_server).
-export([main/0, init/1, handle_call/3, handle_cast/2]).

env(Name, Default) -> list_to_integer(os:getenv(Name, integer_to_list(Default))).

main() ->
    case os:getenv("BENCH") of
        "pingpong" -> pingpong(env("N", 1000000));
        "calls" -> calls(env("N", 100000), env("CALLERS", 1));
        "ring" -> ring(env("PROCS", 10000), env("HOPS", 1000000));
        "fanout" -> fanout(env("JOBS", 100000))
    end.

%% ping-pong
ponger() -> receive {From, N} -> From ! N, ponger() end.
pinger(_, 0) -> ok;
pinger(P, K) -> P ! {self(), K}, receive _ -> pinger(P, K - 1) end.
pingpong(N) ->
    P = spawn(fun ponger/0),
    pinger(P, N),
    io:format("pingpong done~n").

%% gen_server calls
init(_) -> {ok, 0}.
handle_call(next, _From, N) -> {reply, N + 1, N + 1}.
handle_cast(_, S) -> {noreply, S}.
do_calls(_, 0, Last) -> Last;
do_calls(S, K, _) -> do_calls(S, K - 1, gen_server:call(S, next)).
calls(N, 1) ->
    {ok, S} = gen_server:start(?MODULE, [], []),
    io:format("calls done, last ~p~n", [do_calls(S, N, 0)]);
calls(N, Callers) ->
    {ok, S} = gen_server:start(?MODULE, [], []),
    Self = self(),
    Each = N div Callers,
    [spawn(fun() -> Self ! do_calls(S, Each, 0) end) || _ <- lists:seq(1, Callers)],
    Top = lists:max([receive L -> L end || _ <- lists:seq(1, Callers)]),
    io:format("calls done, last ~p~n", [Top]).

%% ring
node(Next, Boss) ->
    receive
        0 -> Boss ! 0, node(Next, Boss);
        M -> Next ! M - 1, node(Next, Boss)
    end.
build(0, Next, _) -> Next;
build(K, Next, Boss) -> build(K - 1, spawn(fun() -> node(Next, Boss) end), Boss).
relay(First) ->
    receive
        0 -> io:format("ring done~n");
        M -> First ! M - 1, relay(First)
    end.
ring(Procs, Hops) ->
    Me = self(),
    First = build(Procs - 1, Me, Me),
    First ! Hops,
    relay(First).

%% fan-out/fan-in
fanout(N) ->
    Self = self(),
    Refs = [begin R = make_ref(), spawn(fun() -> Self ! {R, I * I} end), R end
            || I <- lists:seq(0, N - 1)],
    Sum = lists:foldl(fun(R, Acc) -> receive {R, V} -> Acc + V end end, 0, Refs),
    io:format("fanout done, sum ~p~n", [Sum]).
