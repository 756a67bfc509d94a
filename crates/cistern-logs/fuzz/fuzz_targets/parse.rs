//! Arbitrary bytes through every entry point that eats user text: no panic, one
//! template per input line, no stored line longer than the cap.
#![no_main]

use cistern_logs::lines::{MAX_LINE_BYTES, decode_bytes, lines};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = decode_bytes(data) else {
        return; // a corrupt gzip stream is an I/O error, not a panic
    };
    let out = cistern_logs::parse_text(&text);
    assert_eq!(out.line_templates.len(), lines(&text).count());
    for t in &out.templates {
        assert!(t.template.len() <= 2 * MAX_LINE_BYTES);
    }
    let streamed = cistern_logs::parse_reader(data).expect("in-memory read");
    assert_eq!(streamed.line_templates.len(), out.line_templates.len());
    let _ = cistern_logs::analyze(&text, cistern_logs::WindowSpec::Lines(50));
    let report = cistern_logs::score(&cistern_logs::ScoreInput {
        logs: text.clone(),
        baseline: None,
        known_templates: Vec::new(),
        window_seconds: Some(60),
    });
    assert!(report.score <= 100);
});
