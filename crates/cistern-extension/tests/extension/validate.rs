//! The validator: a good extension is clean; each broken fixture fails with the expected code.

use cistern_extension::icons::{self, ICON_SIZES, png_dimensions};
use cistern_extension::validate::{MAX_FILE_BYTES, MAX_TOTAL_BYTES};
use cistern_extension::{ExtensionFile, Report, Severity, find_file, validate};
use serde_json::{Value, json};

use crate::fixtures::{good, with, with_manifest, without};

/// Asserts that `files` fail validation with an error of `code` (and shows the report if not).
fn assert_error(files: &[ExtensionFile], code: &str) -> Report {
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
fn inline_code_in_extension_pages_is_an_error() {
    let page = |body: &str| {
        with(
            good(),
            "popup/popup.html",
            format!(
                "<!doctype html><html><body>{body}<script src=\"popup.js\"></script></body></html>"
            ),
        )
    };
    let r = assert_error(
        &page("<script>\n  document.body.style.color = 'red';\n</script>"),
        "html.inline_script",
    );
    assert_eq!(
        r.errors().next().and_then(|f| f.file.as_deref()),
        Some("popup/popup.html")
    );
    assert_error(
        &page("<button id=b onclick=\"go()\">Go</button>"),
        "html.inline_handler",
    );
    assert_error(&page("<BODY ONLOAD='init()'>"), "html.inline_handler");
    assert_error(
        &page("<a href=\"javascript:go()\">go</a>"),
        "html.javascript_url",
    );
    // A data block and an empty script are not code; a sandboxed page may inline.
    assert!(
        !validate(&page(
            "<script type=\"application/json\">{\"a\": 1}</script><script>  </script>"
        ))
        .has_errors()
    );
    let mut sandboxed = with_manifest(|m| m["sandbox"] = json!({"pages": ["sandbox.html"]}));
    sandboxed.push(ExtensionFile::new(
        "sandbox.html",
        "<script>eval('1')</script><p onclick=\"x()\">",
    ));
    assert!(
        !validate(&sandboxed).has_errors(),
        "{:#?}",
        validate(&sandboxed).findings
    );
}

#[test]
fn remote_code_is_an_error() {
    let html = with(
        good(),
        "popup/popup.html",
        "<script src=\"https://cdn.jsdelivr.net/npm/jquery/dist/jquery.min.js\"></script><script src=\"popup.js\"></script><link rel=stylesheet href=popup.css>",
    );
    assert_error(&html, "html.remote_script");
    assert_error(
        &with(
            good(),
            "background.js",
            "importScripts('https://cdn.example.com/lib.js');\n",
        ),
        "js.remote_import",
    );
    assert_error(
        &with(
            good(),
            "popup/popup.js",
            "import { x } from \"https://esm.sh/x\";\n",
        ),
        "js.remote_import",
    );
    assert_error(
        &with_manifest(|m| m["content_scripts"][0]["js"] = json!(["https://cdn.example.com/c.js"])),
        "reference.remote",
    );
}

#[test]
fn eval_and_new_function_are_errors_but_not_in_comments_or_strings() {
    let r = assert_error(
        &with(
            good(),
            "content.js",
            "const x = 1;\nconst y = eval('x + 1');\n",
        ),
        "js.eval",
    );
    assert!(
        r.findings.iter().any(|f| f.message.contains("Line 2")),
        "{:#?}",
        r.findings
    );
    assert_error(
        &with(
            good(),
            "content.js",
            "const f = new Function('a', 'return a');",
        ),
        "js.new_function",
    );
    assert_error(
        &with(good(), "content.js", "setTimeout(\"alert(1)\", 10);"),
        "js.string_timer",
    );
    let innocent = "// we never eval() here\nconst s = \"new Function(\";\nconst evaluate = (x) => x; evaluate(1);\n/* eval( */\n";
    assert!(!validate(&with(good(), "content.js", innocent)).has_errors());
}

#[test]
fn csp_and_web_accessible_resources_follow_mv3() {
    assert_error(
        &with_manifest(|m| {
            m["content_security_policy"]["extension_pages"] =
                json!("script-src 'self' 'unsafe-eval'; object-src 'self'")
        }),
        "csp.unsafe_eval",
    );
    assert_error(
        &with_manifest(|m| {
            m["content_security_policy"]["extension_pages"] =
                json!("script-src 'self' https://cdn.example.com")
        }),
        "csp.remote_host",
    );
    assert_error(
        &with_manifest(|m| {
            m["content_security_policy"]["extension_pages"] = json!("default-src *")
        }),
        "csp.remote_host",
    );
    assert_error(
        &with_manifest(|m| m["web_accessible_resources"] = json!(["icons/icon16.png"])),
        "war.mv2_form",
    );
    assert_error(
        &with_manifest(|m| {
            m["web_accessible_resources"] = json!([{"resources": ["icons/icon16.png"]}])
        }),
        "war.invalid",
    );
    let ok = with_manifest(|m| {
        m["content_security_policy"]["extension_pages"] =
            json!("script-src 'self' 'wasm-unsafe-eval' http://localhost:5173; object-src 'self'")
    });
    assert!(!validate(&ok).has_errors(), "{:#?}", validate(&ok).findings);
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
