//! The real-browser check against Debian's Chromium. Skipped (with a printed reason) only when
//! Chromium is absent and `CI` is unset; under CI a missing Chromium fails the test.

use std::path::{Path, PathBuf};
use std::time::Duration;

use cistern_extension::ExtensionFile;
use cistern_extension::chromium::{BrowserCheck, ChromiumOptions, check, check_files};
use serde_json::json;

use crate::fixtures::{good, with, with_manifest};

/// One Chromium at a time: the machine has two cores and the checks are bounded by time.
static SERIAL: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

fn chromium() -> Option<ChromiumOptions> {
    let options = ChromiumOptions {
        timeout: Duration::from_secs(45),
        ..ChromiumOptions::default()
    };
    if options.path.is_file() {
        return Some(options);
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "CI must have Chromium at {}",
        options.path.display()
    );
    println!(
        "skipped: Chromium not found at {} (install Debian's `chromium`)",
        options.path.display()
    );
    None
}

fn write(files: &[ExtensionFile]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    for f in files {
        let target = dir.path().join(&f.path);
        std::fs::create_dir_all(target.parent().expect("parent")).expect("mkdir");
        std::fs::write(target, &f.content).expect("write");
    }
    dir
}

/// Processes whose command line mentions `needle` (to prove none outlive the check).
fn processes_mentioning(needle: &Path) -> Vec<PathBuf> {
    let needle = needle.to_string_lossy().into_owned();
    std::fs::read_dir("/proc")
        .map(|entries| {
            entries
                .flatten()
                .filter(|e| {
                    e.file_name()
                        .to_string_lossy()
                        .chars()
                        .all(|c| c.is_ascii_digit())
                })
                .filter(|e| {
                    std::fs::read(e.path().join("cmdline"))
                        .is_ok_and(|c| String::from_utf8_lossy(&c).contains(&needle))
                })
                .map(|e| e.path())
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn a_good_extension_loads_and_its_service_worker_starts() {
    let Some(options) = chromium() else { return };
    let _serial = SERIAL.lock().await;
    let dir = write(&good());
    let result = check(dir.path(), &options).await;
    match &result {
        BrowserCheck::Loaded {
            extension_id,
            service_worker_url,
            ..
        } => {
            assert_eq!(extension_id.len(), 32, "{result:?}");
            assert_eq!(
                service_worker_url,
                &format!("chrome-extension://{extension_id}/background.js")
            );
        }
        other => panic!("expected loaded, got {other:?}"),
    }
    // Killed and reaped, Chromium's helpers included; the profile is gone.
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        processes_mentioning(dir.path()),
        Vec::<PathBuf>::new(),
        "Chromium outlived the check"
    );
    let json = serde_json::to_value(&result).expect("serialize");
    assert_eq!(json["status"], "loaded");
}

#[tokio::test]
async fn a_service_worker_with_a_syntax_error_fails_with_chromiums_message() {
    let Some(options) = chromium() else { return };
    let _serial = SERIAL.lock().await;
    let files = with(
        good(),
        "background.js",
        "chrome.runtime.onInstalled.addListener(() => {\n  console.log('oops'\n});\n",
    );
    match check_files(&files, &options).await {
        BrowserCheck::Failed { errors, .. } => {
            assert!(
                errors
                    .iter()
                    .any(|e| e.contains("SyntaxError") && e.contains("background.js")),
                "{errors:?}"
            );
        }
        other => panic!("expected failed, got {other:?}"),
    }
}

#[tokio::test]
async fn a_manifest_chrome_refuses_fails_with_the_load_error() {
    let Some(options) = chromium() else { return };
    let _serial = SERIAL.lock().await;
    let files = with_manifest(|m| m["version"] = json!("1.0.0.0.1"));
    match check_files(&files, &options).await {
        BrowserCheck::Failed { errors, .. } => {
            assert!(
                errors
                    .iter()
                    .any(|e| e.contains("Failed to load extension") && e.contains("'version'")),
                "{errors:?}"
            );
        }
        other => panic!("expected failed, got {other:?}"),
    }
}

#[tokio::test]
async fn without_chromium_the_report_says_not_checked() {
    let options = ChromiumOptions {
        path: "/nonexistent/chromium".into(),
        timeout: Duration::from_secs(1),
    };
    let result = check_files(&good(), &options).await;
    assert!(
        matches!(&result, BrowserCheck::NotChecked { reason } if reason.contains("/nonexistent/chromium")),
        "{result:?}"
    );
    assert_eq!(
        serde_json::to_value(&result).expect("json")["status"],
        "not_checked"
    );
}

#[tokio::test]
async fn a_browser_that_dies_at_start_is_not_checked_rather_than_failed() {
    // `/bin/false` stands for a Chromium that cannot start (no sandbox, missing libraries).
    let options = ChromiumOptions {
        path: "/bin/false".into(),
        timeout: Duration::from_secs(10),
    };
    let result = check_files(&good(), &options).await;
    assert!(
        matches!(&result, BrowserCheck::NotChecked { reason } if reason.contains("exited early")),
        "{result:?}"
    );
}

#[tokio::test]
async fn the_whole_pipeline_from_tool_arguments_to_a_zip_that_loads() {
    use cistern_extension::contract::parse_submission;
    use cistern_extension::package::{unzip, zip_files};
    use cistern_extension::{ChangeKind, icons, validate, version};

    // A model's reply: no icons (they are drawn), the manifest as an object, a stale version.
    let files: Vec<serde_json::Value> = good()
        .into_iter()
        .filter(|f| !f.path.starts_with("icons/"))
        .map(|f| {
            let content = if f.path == "manifest.json" {
                let mut m: serde_json::Value = serde_json::from_slice(&f.content).expect("json");
                if let Some(m) = m.as_object_mut() {
                    m.remove("icons");
                    m.insert("version".into(), json!("0.0.1"));
                }
                m
            } else {
                json!(f.text().expect("text"))
            };
            json!({"path": f.path, "content": content})
        })
        .collect();
    let arguments = json!({
        "blueprint": {"purpose": "Counts tabs.", "features": ["badge"],
            "permissions": [{"permission": "tabs", "reason": "count them"}],
            "file_plan": [], "change_kind": "major"},
        "files": files
    })
    .to_string();
    let submission = parse_submission(&arguments).expect("parse");
    assert_eq!(submission.blueprint.change_kind, ChangeKind::Major);
    let mut files = submission.extension_files();
    assert_eq!(icons::generate_missing(&mut files).expect("icons").len(), 4);
    let v = version::next_version(None, submission.blueprint.change_kind).expect("version");
    version::set_manifest_version(&mut files, &v).expect("set");
    let report = validate(&files);
    assert!(report.findings.is_empty(), "{:#?}", report.findings);
    let unzipped = unzip(&zip_files(&files).expect("zip")).expect("unzip");
    assert_eq!(unzipped.len(), files.len());

    let Some(options) = chromium() else { return };
    let _serial = SERIAL.lock().await;
    let result = check_files(&unzipped, &options).await;
    assert!(result.is_loaded(), "{result:?}");
}
