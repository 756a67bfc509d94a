//! Arbitrary model replies through extraction, continuation and assembly: no panic, and no
//! file path that leaves the project.
#![no_main]

use std::path::{Component, Path};

use cistern_codegen::continuation::{is_cut_off, stitch};
use cistern_codegen::framework::{Framework, detect};
use cistern_codegen::{assemble, extract};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    // The first half as a cut-off reply, the second as its continuation.
    let split = text
        .char_indices()
        .nth(text.chars().count() / 2)
        .map_or(0, |(i, _)| i);
    let stitched = stitch(&text[..split], &text[split..]);
    let _ = is_cut_off(&stitched, Some("length"));
    let detection = detect(&text, None);
    assert!((0.0..=1.0).contains(&detection.confidence));
    for reply in [text.as_ref(), stitched.as_str()] {
        let Ok(extraction) = extract(reply) else {
            continue;
        };
        for file in &extraction.files {
            let path = Path::new(file.path.as_str());
            assert!(
                path.components().all(|c| matches!(c, Component::Normal(_))),
                "{path:?}"
            );
            assert!(!file.path.as_str().contains(['\\', ':']));
        }
        let project = assemble(extraction.files, Framework::Generic);
        assert!(project.files.iter().all(|f| f.size == f.content.len()));
    }
});
