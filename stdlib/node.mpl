# The Node module (spec 05 §1–§8), in the runtime's distribution layer
# (runtime/src/dist): this program as a node of a cluster.

# Starts distribution as `name@host[:port]` with the cluster's cookie: 0 ok, -1 already
# started, -2 the listener could not bind, -3 an invalid name or cookie.
@extern("mesh_rt_node_start") pub fn start(name :: String, cookie :: String) -> Int
# The runtime-owned bootstrap (spec 05 §3): standalone or a cluster node, from the
# MESH_* environment; `Err(reason)` when it is inconsistent (fail closed).
@extern("mesh_rt_node_start_from_env") pub fn start_from_env() -> Result<BootstrapStatus, String>
# Connects to (and authenticates with) another node: 0 ok, -1 not started, -2 TCP
# connect failed, -3 handshake failed or a malformed name.
@extern("mesh_rt_node_connect") pub fn connect(target :: String) -> Int
# This node's name ("" standalone), and its connected peers.
@extern("mesh_rt_node_self") pub fn self() -> String
@extern("mesh_rt_node_list") pub fn list() -> List<String>

# `Node.spawn(node, f, args…)` and `Node.spawn_link(…)`: `lower-actors` turns them into
# `spawn_remote`, and registers a spawner per target at the start of `main` (every node
# runs the same build); a spawner decodes its arguments with `spawn_args`.
@intrinsic pub fn spawn_remote<A>(node :: String, key :: String, args :: A, linked :: Bool) -> Pid
@extern("mesh_rt_node_spawn") fn spawn_remote_word<A>(node :: String, key :: String, args :: A, message_type :: String, linked :: Bool) -> Pid
@extern("mesh_rt_node_register_spawn") pub fn register_spawn(key :: String, spawner :: Fun() -> Pid) -> ()
@intrinsic pub fn spawn_args<A>() -> Option<A>
@extern("mesh_rt_node_spawn_args") fn spawn_args_word<A>(message_type :: String) -> Option<A>
# The pid that is no process (a failed spawn).
@extern("mesh_rt_global_whereis") fn lookup(name :: String) -> Pid
pub fn no_pid() -> Pid do
  lookup("")
end
# Sends `message` to the process registered (`Process.register`) as `name` on node
# `node` (spec 05 §6's REG_SEND); like `send`, it never blocks, and a message for an
# unknown name or a node that is not connected is dropped.
@intrinsic pub fn send<M>(node :: String, name :: String, message :: M) -> ()
@extern("mesh_rt_node_send") fn send_word<M>(node :: String, name :: String, message :: M, counted :: Int, message_type :: String) -> ()
# Subscribes the calling process to `NodeUp(name)` / `NodeDown(name)` signals (prelude
# `Signal`, matched in `receive`) for that node: 0, or 1 when this program is not a node
# or `name` is not a node name.
@extern("mesh_rt_node_monitor") pub fn monitor(name :: String) -> Int
