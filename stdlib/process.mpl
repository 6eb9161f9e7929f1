# The Process module (spec 04), in the runtime's process core (runtime/src/process).
# `lower-actors` turns `actor`, `service`, `supervisor`, `spawn`, `receive` and service
# calls into calls of these. Messages cross as 64-bit words; the compiler tells the
# runtime whether a word is a counted pointer (the runtime deep-copies those).

# `spawn` and `send` pass the name of the message type: a send through a pid that lost
# its type (`whereis`, an untyped `Pid`) to a process of another type fails (decision 49).
@intrinsic pub fn spawn<M>(start :: Fun() -> Pid<M>) -> Pid<M>
@extern("mesh_rt_spawn") fn spawn_word<M>(start :: Fun() -> Pid<M>, message_type :: String) -> Pid<M>
@extern("mesh_rt_self") fn self_pid() -> Int
@extern("mesh_rt_pid_to_str") fn pid_to_string(pid :: Int) -> String
@extern("mesh_rt_send", located) fn send_word<M>(pid :: Pid<M>, message :: M, counted :: Int, message_type :: String) -> ()
# `receive`: typed by the enclosing actor's message type.
@intrinsic pub fn receive<M>(timeout :: Int) -> Option<M>
@extern("mesh_rt_receive") fn receive_word<M>(timeout :: Int, counted :: Int) -> Option<M>
@intrinsic pub fn receive_matching<M>(timeout :: Int, matcher :: Fun(M) -> Bool) -> Option<M>
@extern("mesh_rt_receive_matching") fn receive_matching_word<M>(timeout :: Int, matcher :: Fun(M) -> Bool, kind :: Int) -> Option<M>
@intrinsic pub fn receive_signal<M>(timeout :: Int, matcher :: Fun(Received<M>) -> Bool) -> Received<M>
@extern("mesh_rt_receive_signal") fn receive_signal_word<M>(timeout :: Int, matcher :: Fun(Received<M>) -> Bool, counted :: Int) -> Received<M>
# 0, or 1 when the name is taken or empty, or the process does not exist.
@extern("mesh_rt_register") pub fn register<M>(name :: String, pid :: Pid<M>) -> Int
# The pid registered under `name`, or 0.
@extern("mesh_rt_whereis") pub fn whereis(name :: String) -> Pid
# Service calls: a call id the service owes a reply to, the reply, waiting for it.
@extern("mesh_rt_call_id") pub fn call_id<M>(pid :: Pid<M>) -> Int
@intrinsic pub fn reply<T>(id :: Int, value :: T) -> ()
@extern("mesh_rt_reply") fn reply_word<T>(id :: Int, value :: T, counted :: Int, reply_type :: String) -> ()
@intrinsic pub fn await_reply<T>(id :: Int) -> T
@extern("mesh_rt_await_reply", located) fn await_reply_word<T>(id :: Int, counted :: Int) -> T
# Jobs (stdlib/job.mpl): the second argument only types the result.
@extern("mesh_rt_job") pub fn job<T>(run :: Fun() -> (), result :: Fun() -> T) -> Pid<T>
@intrinsic pub fn finish_job<T>(value :: T) -> ()
@extern("mesh_rt_finish_job") fn finish_job_word<T>(value :: T, counted :: Int) -> ()
@intrinsic pub fn await_job<T>(job :: Pid<T>, timeout :: Int) -> Result<T, String>
@extern("mesh_rt_await_job") fn await_job_word<T>(job :: Pid<T>, timeout :: Int, counted :: Int) -> Result<T, String>
# Supervisors (`lower-actors`): strategy, intensity, period; children; start.
@extern("mesh_rt_sup_new") pub fn sup_new(strategy :: Int, max_restarts :: Int, max_seconds :: Int) -> Int
@extern("mesh_rt_sup_child") pub fn sup_child<M>(sup :: Int, id :: String, start :: Fun() -> Pid<M>, restart :: Int, shutdown :: Int) -> ()
@extern("mesh_rt_sup_start") pub fn sup_start(sup :: Int) -> Pid
# Monitors (spec 04 §11): a reference; `Down(ref, pid, reason)` when `pid` ends.
@extern("mesh_rt_monitor") pub fn monitor<M>(pid :: Pid<M>) -> Int
@extern("mesh_rt_demonitor") pub fn demonitor(ref :: Int) -> Int
@extern("mesh_rt_trap_exits") pub fn trap_exits(on :: Bool) -> ()
# The running actor's `terminate` closure (`lower-actors`).
@extern("mesh_rt_on_exit") pub fn on_exit(cleanup :: Fun() -> Pid) -> ()
