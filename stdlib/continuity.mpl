# The Continuity module (spec 05 §13.4), in the runtime's continuity registry
# (runtime/src/dist/continuity): request-key records of clustered work and clustered
# routes, the same in standalone mode (no peers) as on a cluster.

# A raw submission with the caller's placement; the replication count is
# `required + 1`, the record has no runtime name (it is never recovered).
@extern("mesh_rt_continuity_submit") pub fn submit(request_key :: String, payload_hash :: String, ingress_node :: String, owner_node :: String, replica_node :: String, required_replicas :: Int, routed_remotely :: Bool, fell_back_locally :: Bool) -> Result<ContinuitySubmitDecision, String>
# Places, submits and runs a declared `@cluster` function under a key of the caller's:
# `Err("declared_handler_not_registered:<name>")` for an unknown runtime name.
@extern("mesh_rt_continuity_submit_declared_work") pub fn submit_declared_work(runtime_name :: String, request_key :: String, payload_hash :: String, required_replicas :: Int) -> Result<ContinuitySubmitDecision, String>
# The record of a key, or `Err("request_key_not_found")`.
@extern("mesh_rt_continuity_status") pub fn status(request_key :: String) -> Result<ContinuityRecord, String>
# This node's role, promotion epoch and the worst health of its records.
@extern("mesh_rt_continuity_authority_status") pub fn authority_status() -> Result<ContinuityAuthorityStatus, String>
@extern("mesh_rt_continuity_mark_completed") pub fn mark_completed(request_key :: String, attempt_id :: String, execution_node :: String) -> Result<ContinuityRecord, String>
@extern("mesh_rt_continuity_acknowledge_replica") pub fn acknowledge_replica(request_key :: String, attempt_id :: String) -> Result<ContinuityRecord, String>

# `@cluster` declarations: `lower-cluster` registers each at the start of `main`.
@extern("mesh_rt_continuity_declare") pub fn declare(runtime_name :: String, replication_count :: Int, wrapper :: Fun() -> Int) -> ()
# The node name placement uses here ("standalone@local" when alone).
@extern("mesh_rt_continuity_local_node") pub fn local_node() -> String
# The request key and attempt id of the declared work this process runs ("" outside
# one): what a legacy `@cluster pub fn f(request_key :: String, attempt_id :: String)`
# is called with.
@extern("mesh_rt_continuity_running_key") pub fn running_key() -> String
@extern("mesh_rt_continuity_running_attempt") pub fn running_attempt() -> String

# Manual promotion is not available to Mesh code (spec 05 §12.3): `resolve-names`
# rejects every use with E0046; this declaration only gives the rejected call a type.
pub fn promote() -> Result<ContinuityAuthorityStatus, String> do
  Err("manual promotion is not available: restart a node with MESH_CONTINUITY_ROLE=primary and a higher MESH_CONTINUITY_PROMOTION_EPOCH")
end
