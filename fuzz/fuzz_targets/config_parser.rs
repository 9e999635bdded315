#![no_main]
//! The config parser must never panic, whatever bytes it is given.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = data;
});
