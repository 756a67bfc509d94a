//! Property tests: validation and argument parsing never panic on arbitrary input.

use cistern_extension::contract::parse_submission;
use cistern_extension::validate::paths::split_by_path;
use cistern_extension::{ExtensionFile, validate};
use proptest::prelude::*;

fn path() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("manifest.json".to_owned()),
        Just("popup.html".to_owned()),
        Just("background.js".to_owned()),
        "[a-zA-Z0-9_./\\\\:~-]{0,20}",
        any::<String>(),
    ]
}

fn content() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        any::<Vec<u8>>(),
        any::<String>().prop_map(String::into_bytes),
        "[<>a-z =\"'/{}:\\[\\],0-9*.\\n]{0,200}".prop_map(String::into_bytes),
        Just(br#"{"manifest_version":3,"name":"x","version":"1","background":{"service_worker":"background.js"},"icons":{"16":"/"},"content_scripts":[{"matches":["*://[/*"],"js":[""]}],"web_accessible_resources":[{"resources":["*"],"matches":["http://[::1]:/"]}]}"#.to_vec()),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn validate_never_panics(files in prop::collection::vec((path(), content()), 0..8)) {
        let files: Vec<ExtensionFile> = files.into_iter().map(|(p, c)| ExtensionFile::new(p, c)).collect();
        let report = validate(&files);
        for f in &report.findings {
            prop_assert!(f.code.contains('.'));
        }
    }

    /// What a repair round keeps as its base draws no path finding, and nothing else is lost.
    #[test]
    fn files_kept_by_the_path_split_draw_no_path_findings(files in prop::collection::vec((path(), content()), 0..8)) {
        let files: Vec<ExtensionFile> = files.into_iter().map(|(p, c)| ExtensionFile::new(p, c)).collect();
        let (accepted, refused) = split_by_path(files.clone());
        prop_assert_eq!(accepted.len() + refused.len(), files.len());
        let report = validate(&accepted);
        prop_assert!(!report.findings.iter().any(|f| f.code.starts_with("path.")), "{:?}", report.codes());
        let report = validate(&files);
        for file in &refused {
            prop_assert!(report.findings.iter().any(|f| f.code.starts_with("path.")), "{} refused silently", file.path);
        }
    }

    #[test]
    fn parse_submission_never_panics(text in any::<String>()) {
        // Never panics, whatever the verdict.
        parse_submission(&text).ok();
    }
}
