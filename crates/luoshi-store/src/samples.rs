//! The project's own sample documents (written for Luoshi, not taken from the seeds): the demo
//! database and the storage story are built from them.

/// (file name, bytes). The first two are two versions of one document.
pub const SAMPLES: &[(&str, &[u8])] = &[
    (
        "01_digital_trade_plan_v1.txt",
        include_bytes!("../../../samples/01_digital_trade_plan_v1.txt"),
    ),
    (
        "02_port_logistics_plan.txt",
        include_bytes!("../../../samples/02_port_logistics_plan.txt"),
    ),
    (
        "01_digital_trade_plan_v2.txt",
        include_bytes!("../../../samples/01_digital_trade_plan_v2.txt"),
    ),
];

/// A sample by file name.
pub fn sample(name: &str) -> &'static [u8] {
    SAMPLES
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, b)| *b)
        .unwrap_or_else(|| panic!("no sample {name}"))
}
