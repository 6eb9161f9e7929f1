//! A continuity record (spec 05 §13.1), its wire form, and the precedence by which two
//! copies of one record are merged (§12.3).

use super::super::frame::{Frame, In};

/// A field whose values are a fixed set of words, declared in merge-rank order.
macro_rules! words {
    ($name:ident { $($v:ident = $s:literal),* $(,)? }) => {
        #[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
        pub enum $name { $($v),* }
        impl $name {
            pub fn as_str(self) -> &'static str {
                match self { $($name::$v => $s),* }
            }
            pub fn from_u8(b: u8) -> Option<$name> {
                [$($name::$v),*].get(b as usize).copied()
            }
        }
    };
}

words!(Phase { Submitted = "submitted", Completed = "completed", Rejected = "rejected" });
words!(Outcome { Pending = "pending", Succeeded = "succeeded", Rejected = "rejected" });
words!(ReplicaStatus {
    Unassigned = "unassigned",
    Preparing = "preparing",
    Mirrored = "mirrored",
    OwnerLost = "owner_lost",
    DegradedContinuing = "degraded_continuing",
    Rejected = "rejected",
});
words!(Health { LocalOnly = "local_only", Unavailable = "unavailable", Degraded = "degraded", Healthy = "healthy" });
words!(Role { Primary = "primary", Standby = "standby" });

#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Record {
    pub request_key: String,
    pub payload_hash: String,
    pub attempt_id: String,
    pub phase: Phase,
    pub result: Outcome,
    pub ingress_node: String,
    pub owner_node: String,
    pub replica_node: String,
    pub replication_count: u64,
    pub replica_status: ReplicaStatus,
    pub cluster_role: Role,
    pub promotion_epoch: u64,
    pub replication_health: Health,
    pub execution_node: String,
    pub declared_handler_runtime_name: String,
    pub routed_remotely: bool,
    pub fell_back_locally: bool,
    pub error: String,
}

/// The token of an attempt id `attempt-<n>`.
pub fn token(attempt_id: &str) -> Option<u64> {
    attempt_id.strip_prefix("attempt-")?.parse().ok()
}

impl Record {
    pub fn pending(&self) -> bool {
        self.phase == Phase::Submitted && self.result == Outcome::Pending
    }

    pub fn terminal(&self) -> bool {
        self.phase != Phase::Submitted
    }

    pub fn is_route(&self) -> bool {
        self.request_key.starts_with("http-route::")
    }

    /// Whether `incoming` replaces `self` (same key, same payload hash assumed): higher
    /// epoch, then higher attempt, then terminal over not, then replica status, then
    /// health; a tie goes to the incoming copy.
    pub fn yields_to(&self, incoming: &Record) -> bool {
        let key = |r: &Record| {
            (
                r.promotion_epoch,
                token(&r.attempt_id).unwrap_or(0),
                r.terminal(),
                r.replica_status,
                r.replication_health,
            )
        };
        key(incoming) >= key(self)
    }

    pub fn write(&self, f: Frame) -> Frame {
        f.str16(&self.request_key)
            .str16(&self.payload_hash)
            .str16(&self.attempt_id)
            .u8(self.phase as u8)
            .u8(self.result as u8)
            .str16(&self.ingress_node)
            .str16(&self.owner_node)
            .str16(&self.replica_node)
            .u64(self.replication_count)
            .u8(self.replica_status as u8)
            .u8(self.cluster_role as u8)
            .u64(self.promotion_epoch)
            .u8(self.replication_health as u8)
            .str16(&self.execution_node)
            .str16(&self.declared_handler_runtime_name)
            .u8(self.routed_remotely as u8)
            .u8(self.fell_back_locally as u8)
            .str16(&self.error)
    }

    /// A record as a peer sent it; `None` for anything malformed or breaking §13.1's
    /// invariants.
    pub fn read(r: &mut In) -> Option<Record> {
        let s = |r: &mut In| r.str16().map(str::to_string);
        let rec = Record {
            request_key: s(r)?,
            payload_hash: s(r)?,
            attempt_id: s(r)?,
            phase: Phase::from_u8(r.u8()?)?,
            result: Outcome::from_u8(r.u8()?)?,
            ingress_node: s(r)?,
            owner_node: s(r)?,
            replica_node: s(r)?,
            replication_count: r.u64()?,
            replica_status: ReplicaStatus::from_u8(r.u8()?)?,
            cluster_role: Role::from_u8(r.u8()?)?,
            promotion_epoch: r.u64()?,
            replication_health: Health::from_u8(r.u8()?)?,
            execution_node: s(r)?,
            declared_handler_runtime_name: s(r)?,
            routed_remotely: r.u8()? != 0,
            fell_back_locally: r.u8()? != 0,
            error: s(r)?,
        };
        let valid = !rec.request_key.is_empty()
            && !rec.payload_hash.is_empty()
            && token(&rec.attempt_id).is_some()
            && !rec.owner_node.is_empty()
            && rec.replication_count >= 1
            && rec.replica_node != rec.owner_node;
        valid.then_some(rec)
    }
}
