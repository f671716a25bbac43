//! Import files in every format (the first byte picks JSON, CSV, bill-of-materials CSV or
//! B2MML): any bytes give rows or a file error, never a panic, a stack overflow or a stall.
#![no_main]

use libfuzzer_sys::fuzz_target;
use shopfloor_exchange::{b2mml, csv, json};

fuzz_target!(|data: &[u8]| {
    let Some((&kind, file)) = data.split_first() else {
        return;
    };
    let mut each = |_: u64, _: serde_json::Value| Ok(());
    let _ = match kind % 4 {
        0 => json::for_each_row(file, &mut each),
        1 => csv::for_each_order(file, &mut each).map(drop),
        2 => csv::for_each_bill_of_materials(file, &mut each),
        _ => b2mml::for_each_request(file, &mut each),
    };
});
