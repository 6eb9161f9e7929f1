//! The continuity registry (spec 05 §11.2–§13): one record per request key of clustered
//! work and clustered routes, the submit algorithm that makes a key run at most once per
//! attempt, its mirroring to a replica node, what a node does when a peer is lost
//! (promotion, recovery, fencing), and the diagnostics ring. It works standalone too
//! (no peers: nothing is broadcast). `startup.rs` runs `@cluster` work, `peer.rs` speaks
//! the registry's frames with other nodes, `ffi.rs` is the `Continuity` module.
//! Paper: `papers/continuity.md`.

pub mod diag;
mod ffi;
pub mod operator;
pub(crate) mod peer;
pub mod record;
pub mod startup;

use diag::{Entry, Ring};
use record::{token, Health, Outcome, Phase, Record, ReplicaStatus, Role};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::sync::{LazyLock, Mutex, MutexGuard};

pub struct Registry {
    pub role: Role,
    pub epoch: u64,
    pub records: BTreeMap<String, Record>,
    /// The next attempt token: above every token seen, so ids are never reused.
    pub watermark: u64,
    pub diags: Ring,
    /// Finished route records, oldest first: the registry keeps the last
    /// `ROUTE_RECORDS_KEPT` (decision 61) so a busy server's memory stays bounded.
    finished_routes: std::collections::VecDeque<String>,
}

/// How many finished `http-route::` records a node keeps.
pub const ROUTE_RECORDS_KEPT: usize = 10_000;

static REG: LazyLock<Mutex<Registry>> = LazyLock::new(|| {
    let (role, epoch) = authority_from_env().unwrap_or((Role::Primary, 0));
    Mutex::new(Registry::new(role, epoch))
});

pub fn reg() -> MutexGuard<'static, Registry> {
    REG.lock().unwrap_or_else(|e| e.into_inner())
}

/// `MESH_CONTINUITY_ROLE` and `MESH_CONTINUITY_PROMOTION_EPOCH` (spec 05 §3.1; blank ⇒
/// the default), or the bootstrap's fail-closed message.
pub fn authority_from_env() -> Result<(Role, u64), String> {
    authority(&|k: &str| std::env::var(k).unwrap_or_default().trim().to_string())
}

/// The same from trimmed values.
pub fn authority(get: &dyn Fn(&str) -> String) -> Result<(Role, u64), String> {
    let role = match get("MESH_CONTINUITY_ROLE").as_str() {
        "" | "primary" => Role::Primary,
        "standby" => Role::Standby,
        _ => return Err("Invalid MESH_CONTINUITY_ROLE: expected primary or standby".into()),
    };
    let epoch = match get("MESH_CONTINUITY_PROMOTION_EPOCH").as_str() {
        "" => 0,
        e => e.parse::<u64>().map_err(|_| {
            "Invalid MESH_CONTINUITY_PROMOTION_EPOCH: expected a non-negative integer".to_string()
        })?,
    };
    Ok((role, epoch))
}

/// A submission (§13.3).
#[derive(Clone, Debug, Default)]
pub struct Submit {
    pub key: String,
    pub hash: String,
    pub ingress: String,
    pub owner: String,
    pub replica: String,
    pub count: i64,
    pub required: i64,
    pub routed_remotely: bool,
    pub fell_back_locally: bool,
    pub runtime_name: String,
}

#[derive(Clone, Debug)]
pub struct Decision {
    pub outcome: &'static str,
    pub conflict_reason: String,
    pub record: Record,
}

/// What a submission led to: a decision, or a new record whose replica must acknowledge
/// a prepare before it is `created`.
pub enum Step {
    Done(Decision),
    Prepare(Record),
}

/// First 8 bytes of SHA-256, big-endian (§11.2's `H`).
pub fn h(s: &str) -> u64 {
    let d = Sha256::digest(s.as_bytes());
    u64::from_be_bytes(d[..8].try_into().expect("8 bytes"))
}

/// Placement (§11.2): (owner, replica) of `key` among `members`.
pub fn place(key: &str, members: &[String]) -> (String, String) {
    let mut m: Vec<String> = members.iter().map(|s| s.trim().to_string()).collect();
    m.sort();
    m.dedup();
    m.sort_by(|a, b| (h(a), a).cmp(&(h(b), b)));
    if m.is_empty() {
        return (String::new(), String::new());
    }
    let i = (h(&format!("request::{key}")) % m.len() as u64) as usize;
    let replica = if m.len() > 1 {
        m[(i + 1) % m.len()].clone()
    } else {
        String::new()
    };
    (m[i].clone(), replica)
}

/// This node's name for placement, and the members it places over (sorted by §11.2).
pub fn membership() -> (String, Vec<String>) {
    match super::node() {
        None => ("standalone@local".into(), vec!["standalone@local".into()]),
        Some(n) => {
            let mut m = n.peer_names();
            m.push(n.name.clone());
            m.sort_by(|a, b| (h(a), a).cmp(&(h(b), b)));
            (n.name.clone(), m)
        }
    }
}

/// Logs a `[mesh-rt continuity]` line.
pub fn log(line: std::fmt::Arguments<'_>) {
    super::session::init_logs();
    tracing::info!("[mesh-rt continuity] {line}");
}

impl Registry {
    pub fn new(role: Role, epoch: u64) -> Registry {
        Registry {
            role,
            epoch,
            records: BTreeMap::new(),
            watermark: 0,
            diags: Ring::default(),
            finished_routes: Default::default(),
        }
    }

    pub fn diag(&mut self, e: Entry) {
        self.diags.push(e);
    }

    /// §13.2: the worst health of any record.
    pub fn health(&self) -> Health {
        let has = |h: Health| self.records.values().any(|r| r.replication_health == h);
        [Health::Unavailable, Health::Degraded, Health::Healthy]
            .into_iter()
            .find(|h| has(*h))
            .unwrap_or(Health::LocalOnly)
    }

    fn store(&mut self, r: Record) -> Record {
        if let Some(t) = token(&r.attempt_id) {
            self.watermark = self.watermark.max(t + 1);
        }
        self.records.insert(r.request_key.clone(), r.clone());
        self.finished(&r);
        r
    }

    /// Counts a finished route record, letting the oldest go past the bound.
    fn finished(&mut self, r: &Record) {
        if !(r.is_route() && r.terminal()) {
            return;
        }
        self.finished_routes.push_back(r.request_key.clone());
        while self.finished_routes.len() > ROUTE_RECORDS_KEPT {
            if let Some(old) = self.finished_routes.pop_front() {
                if self.records.get(&old).is_some_and(|o| o.terminal()) {
                    self.records.remove(&old);
                }
            }
        }
    }

    /// §13.3.
    pub fn submit(&mut self, s: &Submit) -> Result<Step, String> {
        if s.key.is_empty() {
            return Err("request_key_missing".into());
        }
        if s.hash.is_empty() {
            return Err("payload_hash_missing".into());
        }
        if s.owner.is_empty() {
            return Err("owner_node_missing".into());
        }
        if s.count < 1 {
            return Err("invalid_replication_count".into());
        }
        if s.required < 0 || s.required > s.count - 1 {
            return Err("invalid_required_replica_count".into());
        }
        if !s.replica.is_empty() && s.replica == s.owner {
            return Err("replica_matches_owner".into());
        }
        let mut rolled = None;
        if let Some(old) = self.records.get(&s.key) {
            if old.payload_hash != s.hash {
                let d = Decision {
                    outcome: "conflict",
                    conflict_reason: "request_key_conflict".into(),
                    record: old.clone(),
                };
                let e = Entry::of("conflict", old).reason("request_key_conflict");
                self.diag(e);
                return Ok(Step::Done(d));
            }
            let recoverable = old.cluster_role == Role::Primary
                && self.role == Role::Primary
                && old.pending()
                && old.replica_status == ReplicaStatus::OwnerLost
                && self.epoch >= old.promotion_epoch
                && old.owner_node != s.owner;
            if !recoverable {
                let d = Decision {
                    outcome: "duplicate",
                    conflict_reason: String::new(),
                    record: old.clone(),
                };
                let e = Entry::of("duplicate", old);
                self.diag(e);
                return Ok(Step::Done(d));
            }
            rolled = Some((old.attempt_id.clone(), old.owner_node.clone()));
        }
        let t = self.watermark;
        self.watermark += 1;
        let rec = Record {
            request_key: s.key.clone(),
            payload_hash: s.hash.clone(),
            attempt_id: format!("attempt-{t}"),
            phase: Phase::Submitted,
            result: Outcome::Pending,
            ingress_node: s.ingress.clone(),
            owner_node: s.owner.clone(),
            replica_node: s.replica.clone(),
            replication_count: s.count as u64,
            replica_status: if s.replica.is_empty() {
                ReplicaStatus::Unassigned
            } else {
                ReplicaStatus::Preparing
            },
            cluster_role: self.role,
            promotion_epoch: self.epoch,
            replication_health: Health::LocalOnly,
            execution_node: String::new(),
            declared_handler_runtime_name: s.runtime_name.clone(),
            routed_remotely: s.routed_remotely,
            fell_back_locally: s.fell_back_locally,
            error: String::new(),
        };
        if let Some((prev, prev_owner)) = rolled {
            log(format_args!(
                "transition=recovery_rollover request_key={} previous_attempt_id={prev} next_attempt_id={} previous_owner={prev_owner} next_owner={} next_replica={} required_replicas={}",
                rec.request_key, rec.attempt_id, rec.owner_node, rec.replica_node, s.required
            ));
            let e = Entry::of("recovery_rollover", &rec)
                .meta("previous_attempt_id", prev)
                .meta("previous_owner", prev_owner);
            self.diag(e);
        }
        let e = Entry::of("submit", &rec)
            .meta("required_replicas", s.required.to_string())
            .meta("declared_handler_runtime_name", s.runtime_name.clone());
        self.diag(e);
        if s.required > 1 {
            let why = format!("unsupported_replication_count:{}", s.count);
            return Ok(Step::Done(self.reject_new(rec, &why)));
        }
        if s.required == 0 {
            let rec = self.store(rec);
            peer::broadcast(&rec);
            return Ok(Step::Done(Decision {
                outcome: "created",
                conflict_reason: String::new(),
                record: rec,
            }));
        }
        if s.replica.is_empty() {
            return Ok(Step::Done(
                self.reject_new(rec, "replica_required_unavailable"),
            ));
        }
        Ok(Step::Prepare(self.store(rec)))
    }

    fn reject_new(&mut self, rec: Record, why: &str) -> Decision {
        self.store(rec.clone());
        let record = self
            .reject(&rec.request_key, &rec.attempt_id, why)
            .unwrap_or(rec);
        Decision {
            outcome: "rejected",
            conflict_reason: String::new(),
            record,
        }
    }

    /// §13.3 step 5.
    pub fn reject(&mut self, key: &str, attempt: &str, why: &str) -> Result<Record, String> {
        let r = self.current(key, attempt)?;
        if r.phase == Phase::Completed {
            return Err("transition_rejected:already_completed".into());
        }
        r.phase = Phase::Rejected;
        r.result = Outcome::Rejected;
        r.replica_status = ReplicaStatus::Rejected;
        r.replication_health = Health::Unavailable;
        r.error = why.to_string();
        let r = r.clone();
        self.finished(&r);
        self.diag(Entry::of("rejected", &r));
        peer::broadcast(&r);
        Ok(r)
    }

    fn current(&mut self, key: &str, attempt: &str) -> Result<&mut Record, String> {
        let r = self
            .records
            .get_mut(key)
            .ok_or("request_key_not_found".to_string())?;
        if r.attempt_id != attempt {
            return Err("attempt_id_mismatch".into());
        }
        Ok(r)
    }

    /// §13.3 step 4.
    pub fn complete(&mut self, key: &str, attempt: &str, node: &str) -> Result<Record, String> {
        let r = self.current(key, attempt)?;
        if node.is_empty() {
            return Err("execution_node_missing".into());
        }
        match r.phase {
            Phase::Completed if r.execution_node == node => return Ok(r.clone()),
            Phase::Completed => return Err("transition_rejected:already_completed".into()),
            Phase::Rejected => return Err("transition_rejected:phase".into()),
            Phase::Submitted => {}
        }
        r.phase = Phase::Completed;
        r.result = Outcome::Succeeded;
        r.execution_node = node.to_string();
        r.error.clear();
        let r = r.clone();
        self.finished(&r);
        let e = Entry::of("completed", &r);
        self.diag(e);
        peer::broadcast(&r);
        Ok(r)
    }

    /// The replica acknowledged the prepare: mirrored and healthy (§13.4: nothing changes
    /// for a rejected, degraded or owner-lost record).
    pub fn acknowledge(&mut self, key: &str, attempt: &str) -> Result<Record, String> {
        let r = self.current(key, attempt)?;
        if matches!(
            r.replica_status,
            ReplicaStatus::Unassigned | ReplicaStatus::Preparing | ReplicaStatus::Mirrored
        ) && r.phase != Phase::Rejected
        {
            r.replica_status = ReplicaStatus::Mirrored;
            r.replication_health = Health::Healthy;
            let r = r.clone();
            self.diag(Entry::of("replica_ack", &r));
            peer::broadcast(&r);
            return Ok(r);
        }
        Ok(r.clone())
    }

    /// A record a peer sent (upsert, sync or prepare), stored under the local authority
    /// (§12.3): a higher epoch fences this node first; a lower one is refused. Whether
    /// the record was taken.
    pub fn merge(&mut self, mut incoming: Record) -> bool {
        if incoming.promotion_epoch > self.epoch {
            let (role, epoch) = (self.role, self.epoch);
            self.role = Role::Standby;
            self.epoch = incoming.promotion_epoch;
            self.reproject(role);
            log(format_args!(
                "transition=fenced_rejoin request_key={} attempt_id={} previous_role={} previous_epoch={epoch} next_role=standby next_epoch={}",
                incoming.request_key,
                incoming.attempt_id,
                role.as_str(),
                self.epoch
            ));
            let e = Entry::of("fenced_rejoin", &incoming)
                .meta("previous_role", role.as_str())
                .meta("previous_epoch", epoch.to_string());
            self.diag(e);
        } else if incoming.promotion_epoch < self.epoch {
            let e = Entry::of("stale_epoch_rejected", &incoming).reason(format!(
                "stale_epoch:{}<{}",
                incoming.promotion_epoch, self.epoch
            ));
            self.diag(e);
            return false;
        }
        if let Some(t) = token(&incoming.attempt_id) {
            self.watermark = self.watermark.max(t + 1);
        }
        if let Some(old) = self.records.get(&incoming.request_key) {
            if old.payload_hash != incoming.payload_hash || !old.yields_to(&incoming) {
                return false;
            }
        }
        if incoming.cluster_role != self.role {
            incoming.replication_health = Health::Healthy;
        }
        incoming.cluster_role = self.role;
        if self.role == Role::Standby && incoming.replica_status == ReplicaStatus::OwnerLost {
            incoming.replica_status = ReplicaStatus::Mirrored;
            if incoming.error.starts_with("owner_lost:") {
                incoming.error.clear();
            }
        }
        self.store(incoming);
        true
    }

    /// Re-projection (§12.1) after the local authority moved from `from`.
    fn reproject(&mut self, from: Role) {
        let (role, epoch) = (self.role, self.epoch);
        for r in self.records.values_mut() {
            r.cluster_role = role;
            r.promotion_epoch = epoch;
            if from == Role::Standby && role == Role::Primary {
                if r.pending() && !r.replica_node.is_empty() {
                    r.replica_status = ReplicaStatus::OwnerLost;
                    r.replication_health = Health::Unavailable;
                    r.error = format!("owner_lost:{}", r.owner_node);
                } else if r.replica_node.is_empty() {
                    r.replication_health = Health::LocalOnly;
                } else if r.replication_health == Health::Healthy {
                    r.replication_health = Health::Unavailable;
                }
            } else if role == Role::Standby {
                r.replication_health = Health::Healthy;
                if r.replica_status == ReplicaStatus::OwnerLost {
                    r.replica_status = ReplicaStatus::Mirrored;
                    if r.error.starts_with("owner_lost:") {
                        r.error.clear();
                    }
                }
            }
        }
    }

    /// §12 steps 1–4 for the lost node `x` (`peers_left`: peers still connected). The
    /// records to recover once promoted (§12.2).
    pub fn node_lost(&mut self, x: &str, peers_left: usize) -> Vec<Record> {
        let mut changed = Vec::new();
        let mut owner_lost = false;
        for r in self.records.values_mut() {
            if !r.pending() {
                continue;
            }
            if r.cluster_role == Role::Primary
                && r.owner_node == x
                && !r.replica_node.is_empty()
                && matches!(
                    r.replica_status,
                    ReplicaStatus::Preparing | ReplicaStatus::Mirrored
                )
            {
                r.replica_status = ReplicaStatus::OwnerLost;
                r.replication_health = Health::Unavailable;
                r.error = format!("owner_lost:{x}");
                owner_lost = true;
                changed.push(("owner_lost", r.clone()));
            } else if r.cluster_role == Role::Primary
                && r.replica_node == x
                && r.replica_status == ReplicaStatus::Mirrored
            {
                r.replica_status = ReplicaStatus::DegradedContinuing;
                r.replication_health = Health::Degraded;
                r.error = format!("replica_lost:{x}");
                changed.push(("degraded", r.clone()));
            } else if r.cluster_role == Role::Standby
                && (r.owner_node == x || r.replica_node == x)
                && r.replication_health != Health::Unavailable
            {
                r.replication_health = Health::Degraded;
                r.error = format!("replication_source_lost:{x}");
                changed.push(("replication_degraded", r.clone()));
            }
        }
        for (t, r) in &changed {
            self.diag(Entry::of(t, r));
            peer::broadcast(r);
        }
        if !(owner_lost || self.role == Role::Standby) {
            return Vec::new();
        }
        match self.promotion_check(x, peers_left) {
            Err(why) => {
                let health = self.health();
                log(format_args!(
                    "transition=automatic_promotion_rejected disconnected_node={x} cluster_role={} promotion_epoch={} replication_health={} reason={why}",
                    self.role.as_str(),
                    self.epoch,
                    health.as_str()
                ));
                let mut e = Entry::new("automatic_promotion_rejected")
                    .reason(why)
                    .meta("disconnected_node", x);
                e.cluster_role = Some(self.role.as_str().into());
                e.promotion_epoch = Some(self.epoch);
                e.replication_health = Some(health.as_str().into());
                self.diag(e);
                Vec::new()
            }
            Ok(()) => self.promote(x),
        }
    }

    /// §12.1's four checks, in order (route records are left out of the last two).
    fn promotion_check(&self, x: &str, peers_left: usize) -> Result<(), String> {
        let no = |why: &str| Err(format!("automatic_promotion_rejected:{why}"));
        if self.role != Role::Standby {
            return no("not_standby");
        }
        if peers_left > 0 {
            return no("peers_remaining");
        }
        let me = membership().0;
        let work: Vec<&Record> = self
            .records
            .values()
            .filter(|r| r.pending() && !r.is_route())
            .collect();
        let promotable = |r: &&Record| {
            r.cluster_role == Role::Standby
                && r.owner_node == x
                && r.replica_node == me
                && matches!(
                    r.replica_status,
                    ReplicaStatus::Preparing | ReplicaStatus::Mirrored
                )
        };
        if !work.iter().all(promotable) {
            return no("ambiguous_pending_state");
        }
        if work.is_empty() {
            return no("no_mirrored_state");
        }
        Ok(())
    }

    fn promote(&mut self, x: &str) -> Vec<Record> {
        let previous = self.epoch;
        self.role = Role::Primary;
        self.epoch += 1;
        self.reproject(Role::Standby);
        log(format_args!(
            "transition=promote previous_role=standby previous_epoch={previous} next_role=primary next_epoch={}",
            self.epoch
        ));
        log(format_args!(
            "transition=automatic_promotion disconnected_node={x} previous_epoch={previous} next_epoch={}",
            self.epoch
        ));
        let e = Entry::new("automatic_promotion")
            .meta("disconnected_node", x)
            .meta("previous_epoch", previous.to_string())
            .meta("next_epoch", self.epoch.to_string());
        self.diag(e);
        let e = Entry::new("promote")
            .meta("previous_epoch", previous.to_string())
            .meta("next_epoch", self.epoch.to_string());
        self.diag(e);
        let all: Vec<Record> = self.records.values().cloned().collect();
        for r in &all {
            peer::broadcast(r);
        }
        all.into_iter()
            .filter(|r| {
                r.pending()
                    && r.owner_node == x
                    && r.replica_status == ReplicaStatus::OwnerLost
                    && !r.is_route()
            })
            .collect()
    }
}

#[cfg(test)]
mod tests;
