//! Whatever bytes arrive, the frame reader and the readers of payloads return an error
//! or a value — never a panic, never an allocation beyond the frame limit.

use super::*;
use proptest::prelude::*;

fn read(bytes: &[u8], limit: usize) -> Result<Vec<u8>, String> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let mut r = bytes;
    rt.block_on(read_frame(&mut r, limit))
}

#[test]
fn frames_are_bounded() {
    let mut ok = 3u32.to_le_bytes().to_vec();
    ok.extend_from_slice(b"abc");
    assert_eq!(read(&ok, 16), Ok(b"abc".to_vec()));
    // a length beyond the limit is refused before anything is allocated
    assert!(read(&u32::MAX.to_le_bytes(), HANDSHAKE_LIMIT).is_err());
    assert!(read(&0u32.to_le_bytes(), 16).is_err());
    assert_eq!(read(&[5, 0, 0, 0, 1], 16), Err("connection closed".into()));
    let f = Frame::new(7)
        .u8(1)
        .u16(2)
        .u32(3)
        .u64(4)
        .str16("é")
        .bytes32(b"xy")
        .done();
    let payload = read(&f, 64).unwrap();
    let mut r = In { b: &payload, i: 0 };
    assert_eq!(
        (
            r.u8(),
            r.u8(),
            r.u16(),
            r.u32(),
            r.u64(),
            r.str16(),
            r.bytes32()
        ),
        (
            Some(7),
            Some(1),
            Some(2),
            Some(3),
            Some(4),
            Some("é"),
            Some(&b"xy"[..])
        )
    );
    assert_eq!(r.u8(), None);
}

proptest! {
    #[test]
    fn arbitrary_streams_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512), limit in 1usize..300) {
        if let Ok(p) = read(&bytes, limit) {
            prop_assert!(p.len() <= limit && !p.is_empty());
        }
    }

    #[test]
    fn arbitrary_payloads_read_to_none_not_panics(bytes in proptest::collection::vec(any::<u8>(), 0..256), ops in proptest::collection::vec(0u8..7, 0..24)) {
        let mut r = In { b: &bytes, i: 0 };
        for op in ops {
            let _ = match op {
                0 => r.u8().map(|_| ()),
                1 => r.u16().map(|_| ()),
                2 => r.u32().map(|_| ()),
                3 => r.u64().map(|_| ()),
                4 => r.str16().map(|_| ()),
                5 => r.bytes32().map(|_| ()),
                _ => Some(r.rest()).map(|_| ()),
            };
            prop_assert!(r.i <= bytes.len());
        }
    }
}
