//! Deep copies of messages. Processes share nothing (spec 04 §6) and reference counts
//! are not atomic, so a message, a spawned closure or a reply is copied cell by cell
//! into cells only the receiver owns. Immortal cells (literals) are shared: nobody
//! counts them. Foreign cells copy themselves (`memory::Foreign`). The walk uses a
//! work list, so a million-element list does not overflow a small actor stack.

use crate::memory::{alloc_bytes, usable_size, FOREIGN_TAG, IMMORTAL, STR_TAG};

const ONE: u64 = 1 << 32;
const MASK_BITS: u64 = (1 << 62) - 1;

/// A copy of `word`, which is a counted pointer when `counted` (else it is returned as
/// it is). The original is only read.
///
/// # Safety
/// When `counted`, `word` is null or a live cell.
pub unsafe fn deep_copy(word: u64, counted: bool) -> u64 {
    if !counted || word == 0 {
        return word;
    }
    let mut root = 0u64;
    let mut work: Vec<(*mut u64, *const u8)> = vec![(&mut root, word as *const u8)];
    while let Some((dst, src)) = work.pop() {
        // SAFETY: `dst` is `root` or a slot of a copy made below; `src` is a live cell.
        unsafe { *dst = copy_one(src, &mut work) as u64 };
    }
    root
}

/// A copy of the cell `src` whose counted slots still point at the originals; they are
/// pushed on `work` to be copied in turn.
unsafe fn copy_one(src: *const u8, work: &mut Vec<(*mut u64, *const u8)>) -> *mut u8 {
    if src.is_null() {
        return std::ptr::null_mut();
    }
    let h = src as *const u64;
    // SAFETY: a live cell has a header; the layouts are those of `memory.rs`.
    unsafe {
        if (*h >> 32) == IMMORTAL {
            return src as *mut u8;
        }
        let tag = *h & 0xFFFF_FFFF;
        if tag == STR_TAG {
            let n = 16 + *h.add(1) as usize;
            let p = alloc_bytes(n);
            std::ptr::copy_nonoverlapping(src, p, n);
            (p as *mut u64).write(tag | ONE);
            return p;
        }
        if tag == FOREIGN_TAG {
            let p = alloc_bytes(48) as *mut u64;
            let copy: unsafe fn(*mut u8) -> *mut u8 = std::mem::transmute(*h.add(4) as usize);
            p.write(tag | ONE);
            p.add(1).write(0);
            p.add(2).write(copy(*h.add(2) as *mut u8) as u64);
            p.add(3).write(*h.add(3));
            p.add(4).write(*h.add(4));
            p.add(5).write(*h.add(5));
            return p as *mut u8;
        }
        let n = usable_size(src as *mut u8);
        let p = alloc_bytes(n);
        std::ptr::copy_nonoverlapping(src, p, n);
        let w = p as *mut u64;
        w.write(tag | ONE);
        let mut mask = *h.add(1) & MASK_BITS;
        while mask != 0 {
            let i = mask.trailing_zeros() as usize;
            mask &= mask - 1;
            work.push((w.add(2 + i), *h.add(2 + i) as *const u8));
        }
        p
    }
}
