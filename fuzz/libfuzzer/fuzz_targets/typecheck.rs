#![no_main]
//! Every pass up to and including exhaustiveness checking (names, inference, traits,
//! patterns) on arbitrary bytes.
mod common;
libfuzzer_sys::fuzz_target!(|data: &[u8]| common::run_until(data, "check-exhaustiveness"));
