//! The validator: a good extension is clean; each broken fixture fails with the expected code.

use cistern_extension::icons::{self, ICON_SIZES, png_dimensions};
use cistern_extension::validate::{MAX_FILE_BYTES, MAX_TOTAL_BYTES};
use cistern_extension::{ExtensionFile, Report, Severity, find_file, validate};
use serde_json::{Value, json};

use crate::fixtures::{good, with, with_manifest, without};

/// Asserts that `files` fail validation with an error of `code` (and shows the report if not).
pub fn assert_error(files: &[ExtensionFile], code: &str) -> Report {
    let report = validate(files);
    assert!(
        report.errors().any(|f| f.code == code),
        "expected an error `{code}`, got {:#?}",
        report.findings
    );
    report
}

#[test]
fn a_good_extension_passes_clean() {
    let report = validate(&good());
    assert!(report.findings.is_empty(), "{:#?}", report.findings);
    assert!(!report.has_errors());
}

#[test]
fn path_traversal_absolute_and_duplicates_are_errors() {
    let r = assert_error(
        &with(good(), "../../etc/cron.d/evil", "x"),
        "path.traversal",
    );
    assert_eq!(
        r.errors()
            .find(|f| f.code == "path.traversal")
            .and_then(|f| f.file.as_deref()),
        Some("../../etc/cron.d/evil")
    );
    assert_error(&with(good(), "/abs/path.js", "x"), "path.absolute");
    let mut dup = good();
    dup.push(ExtensionFile::new("content.js", "// again"));
    assert_error(&dup, "path.duplicate");
    assert_error(
        &with(good(), "Content.JS", "// case"),
        "path.duplicate_case",
    );
}

#[test]
fn oversize_files_and_extensions_are_errors() {
    assert_error(
        &with(good(), "big.txt", vec![b'a'; MAX_FILE_BYTES + 1]),
        "size.file_too_large",
    );
    let mut files = good();
    for i in 0..=(MAX_TOTAL_BYTES / MAX_FILE_BYTES) {
        files.push(ExtensionFile::new(
            format!("data/{i}.txt"),
            vec![b'a'; MAX_FILE_BYTES],
        ));
    }
    assert_error(&files, "size.total_too_large");
}

#[test]
fn an_mv2_manifest_is_refused_with_every_mv2_field_named() {
    let files = with_manifest(|m| {
        m["manifest_version"] = json!(2);
        m["background"] = json!({"scripts": ["background.js"], "persistent": false});
        m["web_accessible_resources"] = json!(["icons/icon16.png"]);
        m["content_security_policy"] = json!("script-src 'self' 'unsafe-eval'; object-src 'self'");
    });
    let report = assert_error(&files, "manifest.manifest_version");
    for code in [
        "background.scripts",
        "background.persistent",
        "background.missing",
        "war.mv2_form",
        "csp.mv2_form",
    ] {
        assert!(
            report.has_code(code),
            "missing {code}: {:#?}",
            report.findings
        );
    }
}

#[test]
fn manifest_fields_are_checked() {
    assert_error(
        &with_manifest(|m| m["version"] = json!("1.0.0-beta")),
        "manifest.version_invalid",
    );
    assert_error(
        &with_manifest(|m| m["version"] = json!("1.2.3.4.5")),
        "manifest.version_invalid",
    );
    assert_error(
        &with_manifest(|m| m["version"] = json!("70000")),
        "manifest.version_invalid",
    );
    assert_error(
        &with_manifest(|m| m["version"] = json!(1)),
        "manifest.version_invalid",
    );
    assert_error(
        &with_manifest(|m| m["name"] = json!("  ")),
        "manifest.name_missing",
    );
    assert_error(&without(good(), "manifest.json"), "manifest.missing");
    assert_error(
        &with(good(), "manifest.json", "{\"manifest_version\": 3,}"),
        "manifest.json_invalid",
    );
}

#[test]
fn permissions_and_match_patterns_are_checked() {
    let r = assert_error(
        &with_manifest(|m| m["permissions"] = json!(["storage", "fullInternetAccess"])),
        "permissions.unknown",
    );
    assert!(
        r.findings
            .iter()
            .any(|f| f.message.contains("fullInternetAccess"))
    );
    assert_error(
        &with_manifest(|m| m["permissions"] = json!(["https://*/*"])),
        "permissions.host_in_permissions",
    );
    assert_error(
        &with_manifest(|m| m["host_permissions"] = json!(["*.example.com"])),
        "match_pattern.invalid",
    );
    assert_error(
        &with_manifest(|m| m["content_scripts"][0]["matches"] = json!(["https://www.*.com/*"])),
        "match_pattern.invalid",
    );
    let ok = validate(&with_manifest(|m| {
        m["host_permissions"] = json!(["<all_urls>", "http://localhost:8080/*"])
    }));
    assert!(!ok.has_errors(), "{:#?}", ok.findings);
}

#[test]
fn the_service_worker_must_be_declared_and_exist() {
    assert_error(&without(good(), "background.js"), "reference.missing");
    assert_error(
        &with_manifest(|m| m["background"] = json!({"page": "bg.html"})),
        "background.page",
    );
    assert_error(
        &with_manifest(|m| {
            m.as_object_mut().map(|o| o.remove("background"));
        }),
        "background.missing",
    );
    assert_error(
        &with_manifest(|m| m["background"]["type"] = json!("classic")),
        "background.type_invalid",
    );
}

#[test]
fn every_referenced_file_must_exist() {
    for missing in [
        "popup/popup.html",
        "options.html",
        "content.js",
        "content.css",
        "popup/popup.js",
        "popup/popup.css",
        "options.js",
    ] {
        let r = assert_error(&without(good(), missing), "reference.missing");
        assert!(
            r.findings.iter().any(|f| f.message.contains(missing)),
            "{missing}: {:#?}",
            r.findings
        );
    }
    assert_error(
        &with_manifest(|m| {
            m["web_accessible_resources"][0]["resources"] = json!(["fonts/missing.woff2"])
        }),
        "reference.missing",
    );
    assert_error(
        &with_manifest(|m| m["default_locale"] = json!("en")),
        "reference.missing",
    );
}

#[test]
fn missing_icons_are_reported_then_generated_and_listed() {
    let mut files = with_manifest(|m| {
        m.as_object_mut().map(|o| o.remove("icons"));
    });
    for size in ICON_SIZES {
        files = without(files, &format!("icons/icon{size}.png"));
    }
    assert_error(&files, "icons.missing");
    let written = icons::generate_missing(&mut files).expect("generate");
    assert_eq!(written.len(), 4);
    let report = validate(&files);
    assert!(report.findings.is_empty(), "{:#?}", report.findings);
    let manifest: Value = serde_json::from_slice(
        &find_file(&files, "manifest.json")
            .expect("manifest")
            .content,
    )
    .expect("json");
    for size in ICON_SIZES {
        let path = manifest["icons"][size.to_string()]
            .as_str()
            .expect("listed");
        let png = &find_file(&files, path).expect("written").content;
        assert_eq!(png_dimensions(png), Some((size, size)));
    }
    assert!(
        manifest["action"]["default_icon"]["16"].is_string(),
        "the toolbar icon is set too"
    );
    assert!(
        icons::generate_missing(&mut files)
            .expect("again")
            .is_empty(),
        "nothing left to generate"
    );
}

#[test]
fn bad_icons_are_named_and_replaced() {
    let files = with(good(), "icons/icon48.png", b"GIF89a not a png".to_vec());
    assert_error(&files, "icons.not_png");
    let mut files = with(
        good(),
        "icons/icon128.png",
        icons::render_icon("x", 16).expect("png"),
    );
    assert_error(&files, "icons.wrong_size");
    assert_eq!(
        icons::generate_missing(&mut files).expect("fix"),
        vec!["icons/icon128.png"]
    );
    assert!(validate(&files).findings.is_empty());
}

#[test]
fn the_report_serializes_and_renders_a_repair_prompt() {
    let report = validate(&with(
        with(good(), "../x.js", "x"),
        "content.js",
        "eval('1')",
    ));
    let json = serde_json::to_value(&report).expect("serialize");
    let first = &json["findings"][0];
    assert!(first["code"].is_string() && first["message"].is_string());
    assert_eq!(first["severity"], "error");
    let back: Report = serde_json::from_value(json).expect("round trip");
    assert_eq!(back, report);
    let prompt = report.repair_prompt();
    assert!(prompt.contains("[path.traversal] ../x.js:"), "{prompt}");
    assert!(prompt.contains("[js.eval] content.js:"), "{prompt}");
    assert!(prompt.contains("submit_extension"));
    assert!(
        report
            .findings
            .iter()
            .all(|f| f.severity == Severity::Error)
    );
}
