use super::*;
use proptest::prelude::*;

struct NoPids;

impl Pids for NoPids {
    fn name(&self, pid: i64) -> Option<(String, u64)> {
        Some(("a@h".into(), pid as u64))
    }
    fn pid(&self, node: &str, id: u64) -> Option<i64> {
        (node == "a@h").then_some(id as i64)
    }
}

fn schema(s: &str) -> Schema {
    Schema::parse(s).unwrap_or_else(|| panic!("schema {s}"))
}

#[test]
fn schemas_parse() {
    let tree = schema("UTree;2;Leaf;0;Node;3;^0;i^0;");
    let Schema::Sum(name, vs) = &tree else {
        panic!()
    };
    assert_eq!((name.as_str(), vs.len()), ("Tree", 2));
    assert!(Schema::parse("L").is_none());
    assert!(Schema::parse("ii").is_none());
    assert_eq!(
        schema("SPt;2;x;iy;i"),
        Schema::Struct(
            "Pt".into(),
            vec![("x".into(), Schema::Int), ("y".into(), Schema::Int)]
        )
    );
}

#[test]
fn values_round_trip() {
    let _g = crate::memory::TEST_LOCK
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    let s = schema("T3;sLOiSPt;2;x;fy;b");
    let text = new_str(b"hello") as u64;
    let list = words_list(
        vec![obj(0, &[7], 0) as u64, obj(1, &[], 0) as u64].into_iter(),
        true,
    ) as u64;
    let pt = obj(0, &[2.5f64.to_bits(), 1], 0) as u64;
    let v = obj(0, &[text, list, pt], 0b111) as u64;
    // SAFETY: `v` has the schema's type.
    let bytes = unsafe { encode(v, &s, &NoPids) }.unwrap();
    let back = decode(&bytes, &s, &NoPids).unwrap();
    // SAFETY: both are live values of the schema's type.
    let again = unsafe { encode(back, &s, &NoPids) }.unwrap();
    assert_eq!(bytes, again);
    assert!(decode(&bytes, &schema("T3;sLOiSPt;2;x;fz;b"), &NoPids).is_err());
    assert!(decode(&bytes[..bytes.len() - 1], &s, &NoPids).is_err());
    // SAFETY: cells made here, dropped once.
    unsafe {
        mesh_rt_drop(v as *mut u8);
        mesh_rt_drop(back as *mut u8);
    }
}

proptest! {
    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
        let _g = crate::memory::TEST_LOCK.lock().unwrap_or_else(|e| e.into_inner());
        for s in ["i", "s", "LLs", "Msi", "UTree;2;Leaf;0;Node;3;^0;i^0;", "T2;OsRib", "Ei"] {
            if let Ok(w) = decode(&bytes, &schema(s), &NoPids) {
                release(w, &schema(s));
            }
        }
    }

    #[test]
    fn prefixed_garbage_never_panics(tail in proptest::collection::vec(any::<u8>(), 0..128), tag in prop_oneof![Just(10u8), Just(20), Just(21), Just(11), Just(13)]) {
        let _g = crate::memory::TEST_LOCK.lock().unwrap_or_else(|e| e.into_inner());
        let mut bytes = vec![VERSION, tag];
        bytes.extend(tail);
        for s in ["Li", "SPt;2;x;iy;i", "UTree;2;Leaf;0;Node;3;^0;i^0;", "Msi", "T2;is"] {
            if let Ok(w) = decode(&bytes, &schema(s), &NoPids) {
                release(w, &schema(s));
            }
        }
    }
}
