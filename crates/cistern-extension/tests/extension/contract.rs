//! The generation contract: schema, argument parsing, prompts, merge, and versions.

use cistern_extension::contract::{
    ArgumentsErrorKind, TRUNCATE_ABOVE_BYTES, TRUNCATION_MARKER, first_system_prompt,
    iteration_system_prompt, merge, parse_submission, tool_parameters_schema,
};
use cistern_extension::version::{ensure_increasing, next_version, set_manifest_version};
use cistern_extension::{ChangeKind, ExtensionFile, find_file, validate};
use serde_json::{Value, json};

use crate::fixtures::{good, pretty};

/// `submit_extension` arguments with a complete blueprint, `files` and `extra` top-level keys.
pub fn arguments(files: Value, extra: Value) -> String {
    let mut args = json!({
        "blueprint": {
            "purpose": "Counts open tabs.",
            "features": ["badge with the tab count"],
            "permissions": [{"permission": "tabs", "reason": "to count tabs"}],
            "file_plan": [{"path": "manifest.json", "role": "manifest"}],
            "change_kind": "minor"
        },
        "files": files
    });
    if let (Some(a), Some(e)) = (args.as_object_mut(), extra.as_object()) {
        a.extend(e.clone());
    }
    args.to_string()
}

#[test]
fn valid_arguments_parse_into_a_typed_submission() {
    let args = arguments(
        json!([{"path": "background.js", "content": "let a = \"q\";\nconsole.log(a);\n"}]),
        json!({}),
    );
    let s = parse_submission(&args).expect("parse");
    assert_eq!(s.blueprint.change_kind, ChangeKind::Minor);
    assert_eq!(s.blueprint.permissions[0].permission, "tabs");
    assert_eq!(s.files[0].content, "let a = \"q\";\nconsole.log(a);\n");
    assert!(s.deleted_paths.is_empty());
}

#[test]
fn a_manifest_sent_as_an_object_is_accepted() {
    let args = arguments(
        json!([{"path": "manifest.json", "content": {"manifest_version": 3, "name": "X"}}]),
        json!({}),
    );
    let s = parse_submission(&args).expect("parse");
    let manifest: Value = serde_json::from_str(&s.files[0].content).expect("json text");
    assert_eq!(manifest["name"], "X");
}

#[test]
fn truncated_arguments_say_so() {
    let args = arguments(
        json!([{"path": "background.js", "content": "console.log('a long file');"}]),
        json!({}),
    );
    let cut = &args[..args.len() - 20];
    let e = parse_submission(cut).expect_err("truncated");
    assert_eq!(e.kind, ArgumentsErrorKind::Truncated);
    assert!(e.message.contains("cut off"), "{e}");
    assert!(e.line.is_some());
    assert!(e.repair_prompt().contains("submit_extension"));
}

#[test]
fn raw_newlines_are_escaped_but_raw_quotes_get_an_escaping_hint() {
    let raw_newline = "{\"blueprint\": {\"purpose\": \"x\", \"features\": [], \"permissions\": [], \"file_plan\": [], \"change_kind\": \"patch\"}, \"files\": [{\"path\": \"a.js\", \"content\": \"line one\n\tline two\\n\"}]}";
    let s = parse_submission(raw_newline).expect("raw newline and tab can only mean themselves");
    assert_eq!(s.files[0].content, "line one\n\tline two\n");
    let raw_quote = r#"{"blueprint": {"purpose": "x", "features": [], "permissions": [], "file_plan": [], "change_kind": "patch"}, "files": [{"path": "a.js", "content": "say "hi""}]}"#;
    let e = parse_submission(raw_quote).expect_err("quote");
    assert_eq!(e.kind, ArgumentsErrorKind::Syntax);
    assert!(e.message.contains("\\\""), "{e}");
    let both = "{\"blueprint\": {\"purpose\": \"x\nsay \"hi\"\"}}";
    let e = parse_submission(both).expect_err("newline and quote");
    assert_eq!(e.kind, ArgumentsErrorKind::Syntax);
}

#[test]
fn missing_unknown_and_mistyped_fields_are_named() {
    let e =
        parse_submission(r#"{"blueprint": {"purpose": "x"}, "files": []}"#).expect_err("missing");
    assert_eq!(e.kind, ArgumentsErrorKind::Shape);
    assert!(e.message.contains("missing field `features`"), "{e}");
    let e = parse_submission(&arguments(json!([]), json!({"notes": "hi"}))).expect_err("unknown");
    assert!(e.message.contains("unknown field `notes`"), "{e}");
    let mut bad_kind: Value = serde_json::from_str(&arguments(json!([]), json!({}))).expect("json");
    bad_kind["blueprint"]["change_kind"] = json!("huge");
    let e = parse_submission(&bad_kind.to_string()).expect_err("enum");
    assert!(e.message.contains("huge"), "{e}");
    assert_eq!(
        parse_submission("  ").expect_err("empty").kind,
        ArgumentsErrorKind::Empty
    );
}

#[test]
fn double_encoded_and_fenced_arguments_are_unwrapped() {
    let args = arguments(json!([]), json!({}));
    let twice = serde_json::to_string(&args).expect("encode");
    assert!(parse_submission(&twice).is_ok());
    assert!(parse_submission(&format!("```json\n{args}\n```")).is_ok());
}

#[test]
fn the_schema_requires_blueprint_and_files() {
    let first = tool_parameters_schema(false);
    assert_eq!(first["required"], json!(["blueprint", "files"]));
    assert_eq!(
        first["properties"]["blueprint"]["properties"]["change_kind"]["enum"],
        json!(["patch", "minor", "major"])
    );
    // The preferred shape is described, but nothing the parser can fill in is required.
    let blueprint = &first["properties"]["blueprint"];
    assert_eq!(
        blueprint["required"],
        json!(["purpose", "features", "change_kind"])
    );
    let permission = &blueprint["properties"]["permissions"]["items"]["anyOf"][0];
    assert!(
        permission["properties"]["permission"].is_object()
            && permission["properties"]["reason"].is_object()
    );
    let planned = &blueprint["properties"]["file_plan"]["items"]["anyOf"][0];
    assert!(planned["properties"]["path"].is_object() && planned["properties"]["role"].is_object());
    assert!(first["properties"].get("deleted_paths").is_none());
    let iteration = tool_parameters_schema(true);
    assert_eq!(
        iteration["required"],
        json!(["blueprint", "files", "deleted_paths"])
    );
}

#[test]
fn prompts_carry_the_rules_and_the_current_files() {
    let first = first_system_prompt();
    for rule in [
        "manifest_version\": 3",
        "service_worker",
        "host_permissions",
        "onclick",
        "eval",
        "web_accessible_resources",
    ] {
        assert!(first.contains(rule), "first prompt lacks {rule}");
    }
    let big = "x".repeat(TRUNCATE_ABOVE_BYTES + 5000);
    let files = vec![
        ExtensionFile::new("manifest.json", "{\"name\": \"X\"}"),
        ExtensionFile::new("lib/big.js", big.clone()),
        ExtensionFile::new("icons/icon16.png", vec![0x89, b'P', b'N', b'G', 0, 1]),
    ];
    let p = iteration_system_prompt(&files, "1.2.0");
    assert!(p.contains("version 1.2.0"));
    assert!(p.contains("=== manifest.json ===\n{\"name\": \"X\"}"));
    assert!(p.contains(&format!("{TRUNCATION_MARKER}: this file is {} bytes; only the first {TRUNCATE_ABOVE_BYTES} are shown", big.len())));
    assert!(!p.contains(&big), "the big file is cut");
    assert!(p.contains("=== icons/icon16.png ===\n[binary file, 6 bytes"));
    assert!(p.contains("deleted_paths"));
}

#[test]
fn an_iteration_merges_changed_files_and_deletions_onto_the_base() {
    let base = good();
    let args = arguments(
        json!([
            {"path": "content.js", "content": "console.log('v2');\n"},
            {"path": "popup/extra.js", "content": "export {};\n"}
        ]),
        json!({"deleted_paths": ["content.css"]}),
    );
    let s = parse_submission(&args).expect("parse");
    let merged = merge(&base, &s).expect("merge");
    assert_eq!(merged.len(), base.len());
    assert_eq!(
        find_file(&merged, "content.js").and_then(|f| f.text()),
        Some("console.log('v2');\n")
    );
    assert!(find_file(&merged, "popup/extra.js").is_some());
    assert!(find_file(&merged, "content.css").is_none());
    assert_eq!(
        find_file(&merged, "background.js"),
        find_file(&base, "background.js"),
        "unchanged files kept"
    );
    // The manifest still names content.css: validation catches what the model forgot.
    assert!(validate(&merged).has_code("reference.missing"));
}

#[test]
fn merge_refuses_truncated_copies_and_unknown_deletions() {
    let base = good();
    let copied = arguments(
        json!([{"path": "background.js", "content": format!("x\n[… {TRUNCATION_MARKER}: …]")}]),
        json!({}),
    );
    let e = merge(&base, &parse_submission(&copied).expect("parse")).expect_err("marker");
    assert!(e.to_string().contains("background.js"), "{e}");
    let unknown = arguments(json!([]), json!({"deleted_paths": ["nope.js", "../x"]}));
    let e = merge(&base, &parse_submission(&unknown).expect("parse")).expect_err("unknown");
    assert!(
        e.to_string().contains("nope.js") && e.to_string().contains(".."),
        "{e}"
    );
    let twice = arguments(
        json!([{"path": "new.js", "content": "1"}, {"path": "new.js", "content": "2"}]),
        json!({}),
    );
    let merged = merge(&base, &parse_submission(&twice).expect("parse")).expect("merge");
    assert!(
        validate(&merged).has_code("path.duplicate"),
        "duplicates survive the merge for validation"
    );
}

#[test]
fn versions_bump_from_the_change_kind_and_land_in_the_manifest() {
    let mut files = good();
    let v1 = next_version(None, ChangeKind::Major).expect("first");
    assert_eq!(v1, "1.0.0");
    let v2 = next_version(Some(&v1), ChangeKind::Minor).expect("minor");
    assert_eq!(v2, "1.1.0");
    set_manifest_version(&mut files, &v2).expect("set");
    let manifest: Value =
        serde_json::from_slice(&find_file(&files, "manifest.json").expect("m").content)
            .expect("json");
    assert_eq!(manifest["version"], "1.1.0");
    assert!(validate(&files).findings.is_empty());
    assert!(ensure_increasing(&v2, &v1).is_err());
    assert!(set_manifest_version(&mut files, "1.0.0-rc1").is_err());
    let _ = pretty(&manifest);
}
