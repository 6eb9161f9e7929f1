use super::super::frame::{Frame, In};
use super::record::*;
use super::*;
use proptest::prelude::*;

fn raw(key: &str, hash: &str, replica: &str, required: i64) -> Submit {
    Submit {
        key: key.into(),
        hash: hash.into(),
        ingress: "local".into(),
        owner: "local".into(),
        replica: replica.into(),
        count: required + 1,
        required,
        routed_remotely: false,
        fell_back_locally: true,
        runtime_name: String::new(),
    }
}

fn done(r: Result<Step, String>) -> Decision {
    match r {
        Ok(Step::Done(d)) => d,
        Ok(Step::Prepare(_)) => panic!("a prepare"),
        Err(e) => panic!("{e}"),
    }
}

#[test]
fn the_submit_algorithm_of_section_13_3() {
    let mut g = Registry::new(Role::Primary, 0);
    let d = done(g.submit(&raw("order-1", "hash-a", "", 0)));
    assert_eq!(
        (d.outcome, d.record.attempt_id.as_str()),
        ("created", "attempt-0")
    );
    assert_eq!(
        done(g.submit(&raw("order-1", "hash-a", "", 0))).outcome,
        "duplicate"
    );
    let c = done(g.submit(&raw("order-1", "hash-b", "", 0)));
    assert_eq!(
        (c.outcome, c.conflict_reason.as_str()),
        ("conflict", "request_key_conflict")
    );
    assert_eq!(
        g.complete("order-1", "attempt-9", "local").unwrap_err(),
        "attempt_id_mismatch"
    );
    let r = g.complete("order-1", "attempt-0", "local").unwrap();
    assert_eq!((r.phase, r.result), (Phase::Completed, Outcome::Succeeded));
    assert!(
        g.complete("order-1", "attempt-0", "local").is_ok(),
        "idempotent"
    );
    assert_eq!(
        g.complete("order-1", "attempt-0", "other").unwrap_err(),
        "transition_rejected:already_completed"
    );
    assert_eq!(
        done(g.submit(&raw("order-1", "hash-a", "", 0))).outcome,
        "duplicate"
    );
    let n = done(g.submit(&raw("order-2", "hash-z", "", 1)));
    assert_eq!(n.outcome, "rejected");
    assert_eq!(n.record.attempt_id, "attempt-1");
    assert_eq!(n.record.error, "replica_required_unavailable");
    assert_eq!(g.health(), Health::Unavailable);
    let three = done(g.submit(&Submit {
        count: 3,
        required: 2,
        ..raw("order-3", "h", "x", 2)
    }));
    assert_eq!(three.record.error, "unsupported_replication_count:3");
    for (s, why) in [
        (raw("", "h", "", 0), "request_key_missing"),
        (raw("k", "", "", 0), "payload_hash_missing"),
        (raw("k", "h", "local", 0), "replica_matches_owner"),
        (raw("k", "h", "", -1), "invalid_replication_count"),
    ] {
        assert_eq!(g.submit(&s).err().unwrap(), why);
    }
}

#[test]
fn a_replica_makes_a_prepare_then_the_ack_mirrors() {
    let mut g = Registry::new(Role::Primary, 0);
    let Ok(Step::Prepare(r)) = g.submit(&raw("k", "h", "other", 1)) else {
        panic!("no prepare")
    };
    assert_eq!(r.replica_status, ReplicaStatus::Preparing);
    let r = g.acknowledge("k", &r.attempt_id).unwrap();
    assert_eq!(
        (r.replica_status, r.replication_health),
        (ReplicaStatus::Mirrored, Health::Healthy)
    );
}

#[test]
fn placement_follows_section_11_2() {
    let members = vec![
        "standby@[::1]:4370".to_string(),
        "primary@127.0.0.1:4370".to_string(),
    ];
    let (owner, replica) = place("startup::Work.warm_cache", &members);
    assert_eq!(owner, "primary@127.0.0.1:4370");
    assert_eq!(replica, "standby@[::1]:4370");
    assert_eq!(place("k", &["a".into()]), ("a".into(), String::new()));
}

fn pending_from(owner: &str, replica: &str, role: Role) -> Record {
    let mut g = Registry::new(role, 0);
    let s = Submit {
        owner: owner.into(),
        replica: replica.into(),
        ..raw("startup::W", "h", replica, 1)
    };
    let Ok(Step::Prepare(r)) = g.submit(&s) else {
        panic!()
    };
    g.acknowledge("startup::W", &r.attempt_id).unwrap()
}

#[test]
fn a_standby_promotes_only_with_mirrored_work_of_the_lost_owner() {
    let me = membership().0;
    let mut s = Registry::new(Role::Standby, 0);
    assert!(s.node_lost("P", 0).is_empty());
    assert_eq!(
        s.diags.entries.back().unwrap().reason.as_deref(),
        Some("automatic_promotion_rejected:no_mirrored_state")
    );
    assert!(s.merge(pending_from("P", &me, Role::Primary)));
    assert_eq!(s.records["startup::W"].cluster_role, Role::Standby);
    assert!(s.node_lost("P", 1).is_empty(), "peers remain");
    let recover = s.node_lost("P", 0);
    assert_eq!((s.role, s.epoch), (Role::Primary, 1));
    assert_eq!(recover.len(), 1);
    assert_eq!(recover[0].replica_status, ReplicaStatus::OwnerLost);
    // resubmitted here: a rollover to a new attempt owned by this node
    let step = s.submit(&Submit {
        owner: me.clone(),
        ..raw("startup::W", "h", "", 0)
    });
    let d = done(step);
    assert_eq!(
        (d.outcome, d.record.attempt_id.as_str()),
        ("created", "attempt-1")
    );
    // the old primary comes back at epoch 0: it is fenced by the epoch-1 record
    let mut p = Registry::new(Role::Primary, 0);
    assert!(p.merge(d.record.clone()));
    assert_eq!((p.role, p.epoch), (Role::Standby, 1));
    // and a record of epoch 0 is refused now
    let mut stale = d.record;
    stale.promotion_epoch = 0;
    stale.request_key = "other".into();
    assert!(!p.merge(stale));
    assert_eq!(
        p.diags.entries.back().unwrap().transition,
        "stale_epoch_rejected"
    );
}

#[test]
fn a_lost_replica_degrades_the_primary_record() {
    let mut p = Registry::new(Role::Primary, 0);
    let r = pending_from("me", "S", Role::Primary);
    p.records.insert(r.request_key.clone(), r);
    assert!(p.node_lost("S", 0).is_empty());
    let r = &p.records["startup::W"];
    assert_eq!(r.replica_status, ReplicaStatus::DegradedContinuing);
    assert_eq!(r.error, "replica_lost:S");
}

#[test]
fn finished_route_records_are_bounded_and_work_records_are_kept() {
    let mut g = Registry::new(Role::Primary, 0);
    done(g.submit(&raw("startup::W", "h", "", 0)));
    for i in 0..ROUTE_RECORDS_KEPT + 50 {
        let key = format!("http-route::Api.h::{i}");
        let d = done(g.submit(&raw(&key, "h", "", 0)));
        g.complete(&key, &d.record.attempt_id, "local").unwrap();
    }
    let pending = done(g.submit(&raw("http-route::Api.h::pending", "h", "", 0)));
    assert_eq!(pending.outcome, "created");
    assert_eq!(g.records.len(), ROUTE_RECORDS_KEPT + 2);
    assert!(!g.records.contains_key("http-route::Api.h::0"));
    assert!(g.records.contains_key("startup::W"));
}

#[test]
fn the_ring_keeps_the_last_128() {
    let mut ring = diag::Ring::default();
    for _ in 0..200 {
        ring.push(diag::Entry::new("submit"));
    }
    assert_eq!(ring.entries.len(), 128);
    assert_eq!(ring.dropped, 72);
    assert_eq!(ring.entries.front().unwrap().sequence, 73);
}

fn arb_record() -> impl Strategy<Value = Record> {
    let s = || "[a-z:@.]{1,12}";
    (
        (s(), s(), 0u64..1000, 0u8..3, 0u8..3, s(), s()),
        (
            1u64..4,
            0u8..6,
            0u8..2,
            0u64..5,
            0u8..4,
            any::<bool>(),
            any::<bool>(),
        ),
    )
        .prop_map(
            |((k, h, t, ph, re, own, err), (c, rs, ro, ep, he, a, b))| Record {
                request_key: k,
                payload_hash: h,
                attempt_id: format!("attempt-{t}"),
                phase: Phase::from_u8(ph).unwrap(),
                result: Outcome::from_u8(re).unwrap(),
                ingress_node: "i".into(),
                replica_node: format!("{own}-r"),
                owner_node: own,
                replication_count: c,
                replica_status: ReplicaStatus::from_u8(rs).unwrap(),
                cluster_role: Role::from_u8(ro).unwrap(),
                promotion_epoch: ep,
                replication_health: Health::from_u8(he).unwrap(),
                execution_node: String::new(),
                declared_handler_runtime_name: "Work.w".into(),
                routed_remotely: a,
                fell_back_locally: b,
                error: err,
            },
        )
}

proptest! {
    #[test]
    fn records_cross_the_wire_unchanged(r in arb_record()) {
        let f = r.write(Frame::new(peer::UPSERT)).done();
        let mut i = In { b: &f[5..], i: 0 };
        prop_assert_eq!(Record::read(&mut i), Some(r));
    }

    #[test]
    fn arbitrary_bytes_are_no_record_or_a_valid_one(b in proptest::collection::vec(any::<u8>(), 0..200)) {
        let mut i = In { b: &b, i: 0 };
        if let Some(r) = Record::read(&mut i) {
            prop_assert!(!r.request_key.is_empty() && r.replication_count >= 1);
        }
    }

    /// Merging two copies of one record gives the same winner in either order.
    #[test]
    fn the_merge_winner_does_not_depend_on_arrival_order(a in arb_record(), b in arb_record()) {
        let b = Record { request_key: a.request_key.clone(), payload_hash: a.payload_hash.clone(), promotion_epoch: a.promotion_epoch, ..b };
        let key = |r: &Record| (r.promotion_epoch, token(&r.attempt_id), r.terminal(), r.replica_status, r.replication_health);
        if key(&a) != key(&b) {
            prop_assert_eq!(a.yields_to(&b), !b.yields_to(&a));
        }
    }
}
