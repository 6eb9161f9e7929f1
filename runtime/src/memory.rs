//! Memory: reference-counted cells. Every heap value starts with a header word holding
//! its tag (low 32 bits) and its reference count (high 32 bits); an object's second word
//! is a mask of which slots hold counted pointers, so `drop` can release its children.
//! Strings have the tag `STR_TAG` and hold their length in the second word. Constants
//! emitted by the compiler (literals, payload-less variants) are immortal.
//!
//! With `MESH_CHECK_LEAKS=1`, the process fails at exit if any cell is still alive.

use std::sync::atomic::{AtomicI64, Ordering};

pub const STR_TAG: u64 = 0xFFFF;
/// A foreign cell holds a Rust value the runtime made (a compiled regex, …): slot 0 is
/// the boxed value, slot 1 the function that frees it when the last reference goes.
pub const FOREIGN_TAG: u64 = 0xFFFE;

/// A Rust value the runtime keeps in a foreign cell. Messages between processes are
/// deep copies (actors share nothing, and reference counts are not atomic), so every
/// foreign value says how to copy itself without sharing a counted cell.
pub trait Foreign: Sized + 'static {
    /// A copy sharing no counted cell with `self`.
    fn deep_copy(&self) -> Self;

    /// Makes the counted cells `self` holds immortal (`immortalize`).
    fn immortalize(&self) {}
}

/// Wraps `value` in a counted foreign cell; the runtime reads it back with `foreign`.
/// Layout: header, mask (0), the boxed value, the function that frees it, the
/// function that deep-copies it (`process::copy`), and the one that makes what it holds
/// immortal (`immortalize`).
pub fn foreign_cell<T: Foreign>(value: T) -> *mut u8 {
    unsafe fn free_box<T>(p: *mut u8) {
        // SAFETY: `p` came from `Box::into_raw` in `foreign_cell::<T>`.
        drop(unsafe { Box::from_raw(p as *mut T) });
    }
    unsafe fn copy_box<T: Foreign>(p: *mut u8) -> *mut u8 {
        // SAFETY: `p` came from `Box::into_raw` in `foreign_cell::<T>`.
        let v = unsafe { &*(p as *const T) };
        Box::into_raw(Box::new(v.deep_copy())) as *mut u8
    }
    unsafe fn immortalize_box<T: Foreign>(p: *mut u8) {
        // SAFETY: `p` came from `Box::into_raw` in `foreign_cell::<T>`.
        unsafe { &*(p as *const T) }.immortalize()
    }
    let p = cell(6, FOREIGN_TAG);
    let free: unsafe fn(*mut u8) = free_box::<T>;
    let copy: unsafe fn(*mut u8) -> *mut u8 = copy_box::<T>;
    let fix: unsafe fn(*mut u8) = immortalize_box::<T>;
    // SAFETY: the cell has a mask word and four slots.
    unsafe {
        let w = p as *mut u64;
        w.add(1).write(0);
        w.add(2).write(Box::into_raw(Box::new(value)) as u64);
        w.add(3).write(free as usize as u64);
        w.add(4).write(copy as usize as u64);
        w.add(5).write(fix as usize as u64);
    }
    p
}

/// The value inside a foreign cell made by `foreign_cell::<T>`.
///
/// # Safety
/// `p` is a live foreign cell holding a `T`.
pub unsafe fn foreign<'a, T>(p: *const u8) -> &'a T {
    // SAFETY: forwarded contract.
    unsafe { &*(*(p as *const u64).add(2) as *const T) }
}
/// True when `p` (a live counted cell) has exactly one reference, which the caller
/// owns: the cell may then be changed in place.
///
/// # Safety
/// `p` is a live cell.
pub unsafe fn is_unique(p: *const u8) -> bool {
    // SAFETY: a live cell has a header.
    unsafe { (*(p as *const u64) >> 32) == 1 }
}

pub const IMMORTAL: u64 = 0xFFFF_FFFF;
const ONE: u64 = 1 << 32;

static LIVE: AtomicI64 = AtomicI64::new(0);

thread_local! {
    /// The running process's count of live cells (null on the main thread): cells a
    /// process still holds when the program ends blocked are not leaks (spec 04 §17).
    static OWNER: std::cell::Cell<*const AtomicI64> = const { std::cell::Cell::new(std::ptr::null()) };
}

/// Cells are counted only for `MESH_CHECK_LEAKS=1` (set at start-up; always in the
/// runtime's own tests): two atomic updates per allocation are worth avoiding.
pub static COUNTING: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(cfg!(test));

#[inline(always)]
fn count(delta: i64) {
    if !COUNTING.load(Ordering::Relaxed) {
        return;
    }
    LIVE.fetch_add(delta, Ordering::Relaxed);
    let o = OWNER.with(|o| o.get());
    if !o.is_null() {
        // SAFETY: the owner's counter outlives its time as owner (`set_owner`).
        unsafe { (*o).fetch_add(delta, Ordering::Relaxed) };
    }
}

/// Charges this thread's cell allocations and frees to `owner` (null: to nobody) from
/// now on; returns the previous owner.
pub(crate) fn set_owner(owner: *const AtomicI64) -> *const AtomicI64 {
    OWNER.with(|o| o.replace(owner))
}

/// Tests that allocate hold this lock, so that counting live cells is exact.
#[cfg(test)]
pub static TEST_LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());

// Cells come from mimalloc, as does everything the runtime's Rust code allocates.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// `MESH_SYSTEM_ALLOC=1` (read at start-up): cells come from libc's malloc instead,
/// so that tools such as valgrind can see them.
pub static SYSTEM_ALLOC: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

mod libc_alloc {
    unsafe extern "C" {
        pub fn malloc(n: usize) -> *mut u8;
        pub fn free(p: *mut u8);
    }
}

pub(crate) unsafe fn malloc(n: usize) -> *mut u8 {
    // SAFETY: forwarded to a malloc-compatible allocator.
    unsafe {
        if SYSTEM_ALLOC.load(Ordering::Relaxed) {
            libc_alloc::malloc(n)
        } else {
            libmimalloc_sys::mi_malloc(n) as *mut u8
        }
    }
}

unsafe fn free(p: *mut u8) {
    // SAFETY: `p` came from `malloc` above, under the same (start-up) setting.
    unsafe {
        if SYSTEM_ALLOC.load(Ordering::Relaxed) {
            libc_alloc::free(p)
        } else {
            libmimalloc_sys::mi_free(p as *mut std::ffi::c_void)
        }
    }
}

/// A new cell of `words` 8-byte words with its header (count 1).
pub fn cell(words: usize, tag: u64) -> *mut u8 {
    // SAFETY: plain allocation; checked for null below.
    let p = unsafe { malloc(8 * words.max(1)) };
    if p.is_null() {
        crate::elog!("error: out of memory");
        std::process::exit(1);
    }
    // SAFETY: at least one word.
    unsafe { (p as *mut u64).write(tag | ONE) };
    count(1);
    p
}

/// Makes `p` and every cell it reaches immortal: shared read-only by every thread
/// (reference counts are not atomic, and immortal cells are never counted), never
/// freed. For values the whole program keeps, such as `HTTP.serve`'s handler.
///
/// # Safety
/// `p` is null or a live cell; nothing else changes the cells meanwhile.
pub unsafe fn immortalize(p: *mut u8) {
    let mut work = vec![p];
    while let Some(p) = work.pop() {
        if p.is_null() {
            continue;
        }
        let h = p as *mut u64;
        // SAFETY: a live cell; children listed by its mask are live cells.
        unsafe {
            if *h >> 32 == IMMORTAL {
                continue;
            }
            *h = (*h & 0xFFFF_FFFF) | IMMORTAL << 32;
            count(-1);
            let tag = *h & 0xFFFF_FFFF;
            if tag == FOREIGN_TAG {
                let fix: unsafe fn(*mut u8) = std::mem::transmute(*h.add(5) as usize);
                fix(*h.add(2) as *mut u8);
            } else if tag != STR_TAG {
                let mut mask = *h.add(1) & ((1 << 62) - 1);
                while mask != 0 {
                    let i = mask.trailing_zeros() as usize;
                    mask &= mask - 1;
                    work.push(*h.add(2 + i) as *mut u8);
                }
            }
        }
    }
}

/// `n` uninitialised bytes counted as one live cell (message copies fill them in).
pub(crate) fn alloc_bytes(n: usize) -> *mut u8 {
    // SAFETY: plain allocation; checked for null below.
    let p = unsafe { malloc(n.max(8)) };
    if p.is_null() {
        crate::elog!("error: out of memory");
        std::process::exit(1);
    }
    count(1);
    p
}

/// An object with `slots` fields after the header and the pointer mask.
#[unsafe(no_mangle)]
pub extern "C" fn mesh_rt_alloc(slots: i64, tag: i64, mask: i64) -> *mut u8 {
    let p = cell(slots.max(0) as usize + 2, tag as u64 & 0xFFFF_FFFF);
    // SAFETY: the cell has room for the mask word.
    unsafe { (p as *mut u64).add(1).write(mask as u64) };
    p
}

/// Takes one more reference.
///
/// # Safety
/// `p` is null or a live cell.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mesh_rt_dup(p: *mut u8) {
    if p.is_null() {
        return;
    }
    let h = p as *mut u64;
    // SAFETY: a live cell has a header.
    unsafe {
        if (*h >> 32) != IMMORTAL {
            *h += ONE;
        }
    }
}

/// Gives one reference back; the last one frees the cell and releases its children.
///
/// # Safety
/// `p` is null or a live cell to which the caller owns a reference.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mesh_rt_drop(p: *mut u8) {
    // the common case, a shared or immortal cell, touches only its header
    // SAFETY: forwarded contract.
    if unsafe { release(p) } {
        // SAFETY: the last reference was ours.
        unsafe { free_tree(p) }
    }
}

/// Drops one reference to `p` unless it is the last; true when it is (the caller frees).
///
/// # Safety
/// `p` is null or a live cell to which the caller owns a reference.
#[inline(always)]
unsafe fn release(p: *mut u8) -> bool {
    if p.is_null() {
        return false;
    }
    let h = p as *mut u64;
    // SAFETY: a live cell has a header.
    unsafe {
        let rc = *h >> 32;
        if rc == IMMORTAL {
            return false;
        }
        if rc > 1 {
            *h -= ONE;
            return false;
        }
    }
    true
}

/// Frees `p`, whose last reference was released, and every child whose last reference
/// it held — iteratively (a work list, allocated only when a freed cell has children
/// that die with it), so a million-element list does not overflow the stack.
///
/// # Safety
/// `p` is a live cell with no other references.
#[cold]
unsafe fn free_tree(p: *mut u8) {
    let mut work: Vec<*mut u8> = Vec::new();
    let mut next = Some(p);
    while let Some(p) = next.take().or_else(|| work.pop()) {
        let h = p as *mut u64;
        // SAFETY: a dying cell; children listed by its mask are live cells.
        unsafe {
            let tag = *h & 0xFFFF_FFFF;
            if tag == FOREIGN_TAG {
                let free: unsafe fn(*mut u8) = std::mem::transmute(*h.add(3) as usize);
                free(*h.add(2) as *mut u8);
            } else if tag != STR_TAG {
                let mut mask = *h.add(1) & ((1 << 62) - 1);
                while mask != 0 {
                    let i = mask.trailing_zeros() as usize;
                    mask &= mask - 1;
                    let child = *h.add(2 + i) as *mut u8;
                    if release(child) {
                        // continue with the first dying child without pushing it
                        match next {
                            None => next = Some(child),
                            Some(_) => work.push(child),
                        }
                    }
                }
            }
            free(p);
        }
        count(-1);
    }
}

/// How often at most a worker hands freed memory back to the operating system.
const RELEASE_EVERY: std::time::Duration = std::time::Duration::from_millis(100);

thread_local! {
    /// When this worker last handed memory back, and whether a release is owed.
    static RELEASED: std::cell::Cell<(Option<std::time::Instant>, bool)> = const { std::cell::Cell::new((None, false)) };
    /// Wakes this worker's `janitor` for a release that was not due yet.
    static OWED: std::rc::Rc<tokio::sync::Notify> = std::rc::Rc::new(tokio::sync::Notify::new());
}

/// A worker is about to sleep (nothing to run; tokio's `on_thread_park`): the memory
/// its thread freed goes back to the operating system. mimalloc keeps freed pages for
/// reuse and purges them lazily, on later allocations of the same thread — so a worker
/// that went quiet after a burst (connections gone, their queues freed) would hold that
/// memory for ever. At most every `RELEASE_EVERY`; a release that is not due yet is
/// owed, and the worker's `janitor` wakes it up once it is.
pub fn release_idle_memory() {
    unsafe extern "C" {
        fn mi_collect(force: bool);
    }
    if SYSTEM_ALLOC.load(Ordering::Relaxed) {
        return;
    }
    let now = std::time::Instant::now();
    let (last, owed) = RELEASED.with(|r| r.get());
    if last.is_none_or(|t| now - t >= RELEASE_EVERY) {
        RELEASED.with(|r| r.set((Some(now), false)));
        // SAFETY: a plain call into the allocator for the calling thread's heap.
        unsafe { mi_collect(true) }
    } else if !owed {
        RELEASED.with(|r| r.set((last, true)));
        OWED.with(|n| n.notify_one());
    }
}

/// A task of every worker: sleeps until a release is owed, waits until it is due, and
/// lets the worker go idle again (which releases).
pub async fn janitor() {
    let owed = OWED.with(|n| n.clone());
    loop {
        owed.notified().await;
        tokio::time::sleep(RELEASE_EVERY).await;
    }
}

/// The bytes usable in the block `p` came from (at least what was asked for).
pub(crate) unsafe fn usable_size(p: *mut u8) -> usize {
    unsafe extern "C" {
        fn malloc_usable_size(p: *mut u8) -> usize;
        fn mi_usable_size(p: *const u8) -> usize;
    }
    // SAFETY: `p` came from `malloc` above, under the same (start-up) setting.
    unsafe {
        if SYSTEM_ALLOC.load(Ordering::Relaxed) {
            malloc_usable_size(p)
        } else {
            mi_usable_size(p)
        }
    }
}

/// Gives back one reference to object `p` like `mesh_rt_drop`, but when it was the last
/// one keeps the cell (after releasing its children) and returns it as a *reuse
/// token* for `mesh_rt_alloc_at`; otherwise returns null (Perceus `drop-reuse`).
///
/// # Safety
/// `p` is null or a live cell to which the caller owns a reference.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mesh_rt_drop_reuse(p: *mut u8) -> *mut u8 {
    // SAFETY: forwarded contract.
    unsafe {
        if !release(p) {
            return std::ptr::null_mut();
        }
        let h = p as *mut u64;
        let tag = *h & 0xFFFF_FFFF;
        if tag == STR_TAG || tag == FOREIGN_TAG {
            free_tree(p);
            return std::ptr::null_mut();
        }
        let mut mask = *h.add(1) & ((1 << 62) - 1);
        while mask != 0 {
            let i = mask.trailing_zeros() as usize;
            mask &= mask - 1;
            mesh_rt_drop(*h.add(2 + i) as *mut u8);
        }
        p
    }
}

/// `mesh_rt_drop_reuse` after *drop specialisation* (`specialise-drops`): the caller
/// has read the counted fields at the slots in bit set `moved` without taking references
/// to them. When `p` was unique those fields' references pass to the caller (only the
/// other children are released); when it is shared the caller takes one reference to
/// each of them. Codegen inlines the common cases and calls this for the rest.
///
/// # Safety
/// `p` is null or a live cell to which the caller owns a reference; `moved` names
/// counted slots of it.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mesh_rt_drop_reuse_moved(p: *mut u8, moved: i64) -> *mut u8 {
    // SAFETY: forwarded contract.
    unsafe {
        if p.is_null() {
            return std::ptr::null_mut();
        }
        let h = p as *mut u64;
        if !release(p) {
            // shared: the cell (so its fields) stays alive; the caller's copies count
            let mut m = moved as u64;
            while m != 0 {
                let i = m.trailing_zeros() as usize;
                m &= m - 1;
                mesh_rt_dup(*h.add(2 + i) as *mut u8);
            }
            return std::ptr::null_mut();
        }
        let mut mask = *h.add(1) & ((1 << 62) - 1) & !(moved as u64);
        while mask != 0 {
            let i = mask.trailing_zeros() as usize;
            mask &= mask - 1;
            mesh_rt_drop(*h.add(2 + i) as *mut u8);
        }
        p
    }
}

/// `mesh_rt_drop` after drop specialisation: as `mesh_rt_drop_reuse_moved`, then the
/// cell, if it was the last reference, is freed.
///
/// # Safety
/// As `mesh_rt_drop_reuse_moved`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mesh_rt_drop_moved(p: *mut u8, moved: i64) -> u8 {
    // SAFETY: forwarded contract; the token is used once.
    unsafe { mesh_rt_free_reuse(mesh_rt_drop_reuse_moved(p, moved)) }
}

/// An object with `slots` fields like `mesh_rt_alloc`, in the cell of reuse token `tok`
/// when there is one and it is big enough (else that cell is freed).
///
/// # Safety
/// `tok` is null or a token from `mesh_rt_drop_reuse`, used once.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mesh_rt_alloc_at(
    tok: *mut u8,
    slots: i64,
    tag: i64,
    mask: i64,
) -> *mut u8 {
    if !tok.is_null() {
        // SAFETY: a token is a live block of ours; it is big enough to hold the object.
        unsafe {
            if usable_size(tok) >= 8 * (slots.max(0) as usize + 2) {
                let h = tok as *mut u64;
                h.write(tag as u64 & 0xFFFF_FFFF | ONE);
                h.add(1).write(mask as u64);
                return tok;
            }
            mesh_rt_free_reuse(tok);
        }
    }
    mesh_rt_alloc(slots, tag, mask)
}

/// Like `mesh_rt_alloc_at` for a token whose cell is known (by `reuse-cells`) to have
/// room for `slots` fields: no size check.
///
/// # Safety
/// `tok` is null or a token from `mesh_rt_drop_reuse` of a cell with at least `slots`
/// slots, used once.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mesh_rt_alloc_fit(
    tok: *mut u8,
    slots: i64,
    tag: i64,
    mask: i64,
) -> *mut u8 {
    if tok.is_null() {
        return mesh_rt_alloc(slots, tag, mask);
    }
    let h = tok as *mut u64;
    // SAFETY: forwarded contract.
    unsafe {
        h.write(tag as u64 & 0xFFFF_FFFF | ONE);
        h.add(1).write(mask as u64);
    }
    tok
}

/// Frees an unused reuse token.
///
/// # Safety
/// `tok` is null or a token from `mesh_rt_drop_reuse`, used once.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mesh_rt_free_reuse(tok: *mut u8) -> u8 {
    if !tok.is_null() {
        // SAFETY: forwarded contract.
        unsafe { free(tok) };
        count(-1);
    }
    0
}

/// Cells alive now.
pub fn live() -> i64 {
    LIVE.load(Ordering::Relaxed)
}

/// `MESH_CHECK_LEAKS=1`: report cells still alive at exit; true when there are some.
pub fn check_leaks() -> bool {
    if std::env::var("MESH_CHECK_LEAKS").is_ok_and(|v| v == "1") {
        let n = live() - crate::process::cells_of_waiting_processes();
        if n != 0 {
            crate::elog!("error: {n} heap object(s) still alive at exit (MESH_CHECK_LEAKS=1)");
            return true;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_last_drop_frees_children_too() {
        let _serial = crate::memory::TEST_LOCK
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        let before = live();
        let s = crate::strings::new_str(b"hi");
        let inner = mesh_rt_alloc(1, 3, 0b1);
        // SAFETY: fresh cells with the slots written below.
        unsafe {
            (inner as *mut u64).add(2).write(s as u64);
            let outer = mesh_rt_alloc(2, 0, 0b01);
            (outer as *mut u64).add(2).write(inner as u64);
            (outer as *mut u64).add(3).write(42);
            assert_eq!(live(), before + 3);
            mesh_rt_dup(outer);
            mesh_rt_drop(outer);
            assert_eq!(live(), before + 3);
            mesh_rt_drop(outer);
        }
        assert_eq!(live(), before);
    }
}
