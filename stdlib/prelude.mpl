# The prelude: built-in sum types of spec 02 §2.2. Compiled like user code and visible
# in every module; its constructors (Some, None, Ok, Err, Less, Equal, Greater) are
# always in scope.

pub type Option<T> do
  Some(T)
  None
end

pub type Result<T, E> do
  Ok(T)
  Err(E)
end

# Immutable lists (spec 02 §2.2). `[a, b]` is `Cons(a, Cons(b, Nil))` and the pattern
# `h :: t` is `Cons(h, t)`; the functions are in the `List` module (stdlib/list.mpl).
pub type List<T> do
  Nil
  Cons(T, List<T>)
end

# Maps and sets (spec 03 §5–6) are built-in types: insertion-ordered hash maps in the
# runtime (runtime/src/map.rs). The `Map` and `Set` modules add functions written in Mesh.

# The half-open range `lo..hi` (spec 03 §7); the functions are in the `Range` module.
pub type Range do
  RangeOf(Int, Int)
end

# A FIFO of Int (spec 03 §8); the functions are in the `Queue` module.
pub type Queue do
  QueueOf(List<Int>, List<Int>)
end

# Lazy iterators (spec 03 §9): a thunk giving the next element and the rest, or None.
# The functions are in the `Iter` module (stdlib/iter.mpl).
pub type Iter<T> do
  IterOf(Fun() -> Option<(T, Iter<T>)>)
end

pub type Ordering do
  Less
  Equal
  Greater
end

# What a process is told about others (spec 04 §11, issue 6): a linked process ended
# (`Exit(pid, reason)`, delivered to a process that traps exits), or a monitored one
# did (`Down(ref, pid, reason)`). A `receive` arm matches them like messages. The
# reason is "normal", "shutdown", "killed", "noproc" or the crash's message. A process
# that called `Node.monitor(name)` is told when that node connects (`NodeUp(name)`) and
# when it is lost (`NodeDown(name)`) (decision 52).
pub type Signal do
  Exit(Pid, String)
  Down(Int, Pid, String)
  NodeUp(String)
  NodeDown(String)
end

# How `Node.start_from_env()` brought the program up (spec 05 §2): mode "standalone"
# or "cluster", the node's name ("" standalone), the cluster port, the discovery seed.
pub struct BootstrapStatus do
  mode :: String
  node_name :: String
  cluster_port :: Int
  discovery_seed :: String
end

# A continuity record (spec 05 §13.1): one request key's attempt, its placement and
# how far it got.
pub struct ContinuityRecord do
  request_key :: String
  payload_hash :: String
  attempt_id :: String
  phase :: String
  result :: String
  ingress_node :: String
  owner_node :: String
  replica_node :: String
  replication_count :: Int
  replica_status :: String
  cluster_role :: String
  promotion_epoch :: Int
  replication_health :: String
  execution_node :: String
  routed_remotely :: Bool
  fell_back_locally :: Bool
  error :: String
end

# What a submission decided: outcome "created", "duplicate", "conflict" or "rejected".
pub struct ContinuitySubmitDecision do
  outcome :: String
  conflict_reason :: String
  record :: ContinuityRecord
end

# This node's continuity authority (spec 05 §13.2).
pub struct ContinuityAuthorityStatus do
  cluster_role :: String
  promotion_epoch :: Int
  replication_health :: String
end

# What a `receive` with signal arms got (made by `lower-actors`; not for users).
pub type Received<M> do
  Recv__Message(M)
  Recv__Signal(Signal)
  Recv__Timeout
end

# An HTTP client's answer (spec 06 §3): any status, the body, the headers by lower-case
# name.
pub struct HttpResponse do
  status :: Int
  body :: String
  headers :: Map<String, String>
end

# ------------------------------------------------------------------ declared, not written
# The rest of the library is declared here and in the other modules with its Mesh type
# and how it is implemented (decision 47): `@extern("mesh_rt_…")` — a C-ABI function of
# the runtime (runtime/src), whose signature the compiler derives from these types —
# or `@intrinsic` — the compiler lowers each call itself (passes/src/explicate_core).

# Opaque runtime values: reached only through their modules' functions.
@extern pub type Regex
@extern pub type Json
@extern pub type Request
@extern pub type Response
@extern pub type SqliteConn

@intrinsic pub fn println(s :: String) -> ()
@intrinsic pub fn print(s :: String) -> ()
# `send(pid, message)`: the message is copied into the receiver's mailbox.
@intrinsic pub fn send<M>(pid :: Pid<M>, message :: M) -> ()
@extern("mesh_rt_link") pub fn link<M>(pid :: Pid<M>) -> ()
@intrinsic pub fn assert(ok :: Bool) -> ()
@intrinsic pub fn assert_eq<T>(a :: T, b :: T) -> ()
@intrinsic pub fn assert_ne<T>(a :: T, b :: T) -> ()
# The default value of a type (spec 02 §4): `0`, `0.0`, `""`, `false`, derived.
@intrinsic pub fn default<T>() -> T
@intrinsic pub fn compare<T>(a :: T, b :: T) -> Ordering
