//! The blueprint is read leniently: what a model leaves out is filled in from the files, and
//! other common shapes of its lists are understood instead of costing a repair round.

use cistern_extension::contract::{ArgumentsErrorKind, Derived, merge, parse_submission};
use serde_json::{Value, json};

use crate::contract::arguments;
use crate::fixtures::good;

/// Arguments whose blueprint is edited by `edit` (the files: the good fixture's, as text).
fn with_blueprint(edit: impl FnOnce(&mut serde_json::Map<String, Value>)) -> String {
    let files: Vec<Value> = good()
        .iter()
        .filter_map(|f| Some(json!({"path": f.path, "content": f.text()?})))
        .collect();
    let mut args: Value = serde_json::from_str(&arguments(json!(files), json!({}))).expect("json");
    if let Some(blueprint) = args["blueprint"].as_object_mut() {
        edit(blueprint);
    }
    args.to_string()
}

#[test]
fn a_blueprint_without_a_file_plan_gets_one_from_the_files() {
    let args = with_blueprint(|b| {
        b.remove("file_plan");
    });
    let s = parse_submission(&args).expect("a missing file plan is filled in");
    assert_eq!(s.blueprint.derived, [Derived::FilePlan]);
    let plan: Vec<(&str, &str)> = s
        .blueprint
        .file_plan
        .iter()
        .map(|p| (p.path.as_str(), p.role.as_str()))
        .collect();
    let paths: Vec<&str> = s.files.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(plan.iter().map(|p| p.0).collect::<Vec<_>>(), paths);
    for expected in [
        ("background.js", "background service worker"),
        ("popup/popup.html", "popup page"),
        ("options.html", "options page"),
        ("content.js", "content script"),
        ("popup/popup.css", "stylesheet"),
    ] {
        assert!(plan.contains(&expected), "{expected:?} in {plan:?}");
    }
    // The user sees that Cistern wrote it.
    let shown = serde_json::to_value(&s.blueprint).expect("json");
    assert_eq!(shown["derived"], json!(["file_plan"]));
    assert_eq!(shown["file_plan"][0]["path"], "manifest.json");

    // A model-written plan is kept, and says nothing was derived.
    let s = parse_submission(&with_blueprint(|_| {})).expect("parse");
    assert!(s.blueprint.derived.is_empty());
    assert_eq!(s.blueprint.file_plan.len(), 1);
    assert!(
        serde_json::to_value(&s.blueprint)
            .expect("json")
            .get("derived")
            .is_none()
    );
}

#[test]
fn an_iterations_derived_file_plan_lists_the_merged_files() {
    let base = good();
    let mut args: Value = serde_json::from_str(&arguments(
        json!([{"path": "popup/extra.js", "content": "1;\n"}]),
        json!({"deleted_paths": ["content.css"]}),
    ))
    .expect("json");
    args["blueprint"]
        .as_object_mut()
        .map(|b| b.remove("file_plan"));
    let mut s = parse_submission(&args.to_string()).expect("parse");
    let merged = merge(&base, &s).expect("merge");
    s.blueprint.fill_in(&merged);
    let planned: Vec<&str> = s
        .blueprint
        .file_plan
        .iter()
        .map(|p| p.path.as_str())
        .collect();
    let files: Vec<&str> = merged.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(planned, files);
    assert!(planned.contains(&"background.js") && !planned.contains(&"content.css"));
}

#[test]
fn other_names_and_forms_of_the_permission_list_are_accepted() {
    let permissions = |edit: fn(&mut serde_json::Map<String, Value>)| {
        let s = parse_submission(&with_blueprint(edit)).expect("accepted");
        let list: Vec<(String, String)> = s
            .blueprint
            .permissions
            .into_iter()
            .map(|p| (p.permission, p.reason))
            .collect();
        (list, s.blueprint.derived)
    };
    let why = |p: &str, r: &str| (p.to_owned(), r.to_owned());
    let (list, derived) = permissions(|b| {
        let list = b.remove("permissions").unwrap_or_default();
        b.insert("permission".into(), list);
    });
    assert_eq!(list, [why("tabs", "to count tabs")]);
    assert!(derived.is_empty());
    let (list, _) = permissions(|b| {
        b.remove("permissions");
        b.insert("permissions_requested".into(), json!(["storage", "tabs"]));
    });
    assert_eq!(list, [why("storage", ""), why("tabs", "")]);
    let (list, _) = permissions(|b| {
        b.insert(
            "permissions".into(),
            json!([{"name": "storage", "justification": "keeps the badge setting"}]),
        );
        b.insert(
            "host_permissions".into(),
            json!(["https://*.example.com/*"]),
        );
    });
    assert_eq!(
        list,
        [
            why("storage", "keeps the badge setting"),
            why("https://*.example.com/*", "")
        ]
    );
    // Extra keys a model adds to the blueprint are ignored rather than refused.
    let (list, _) = permissions(|b| {
        b.insert("name".into(), json!("Tab Counter"));
    });
    assert_eq!(list, [why("tabs", "to count tabs")]);
    // No list at all: the manifest's, without reasons, and said so.
    let (list, derived) = permissions(|b| {
        b.remove("permissions");
    });
    assert_eq!(
        list,
        [
            why("storage", ""),
            why("tabs", ""),
            why("https://*.example.com/*", "")
        ]
    );
    assert_eq!(derived, [Derived::Permissions]);
    // What cannot be understood is still refused, saying what is expected.
    let e = parse_submission(&with_blueprint(|b| {
        b.insert("permissions".into(), json!([42]));
    }))
    .expect_err("a number is no permission");
    assert_eq!(e.kind, ArgumentsErrorKind::Shape);
    assert!(
        e.message
            .contains("`blueprint.permissions` must be a list of {\"permission\""),
        "{e}"
    );
}
