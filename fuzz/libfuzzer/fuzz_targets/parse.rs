#![no_main]
//! The parser (and its validator) on arbitrary bytes.
mod common;
libfuzzer_sys::fuzz_target!(|data: &[u8]| common::run_until(data, "parse"));
