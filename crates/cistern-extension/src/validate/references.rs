//! Files the manifest names: content scripts, pages, icons, rule files, locales. Each must be
//! a local file of the extension; remote URLs are remote code, which MV3 forbids.

use serde_json::{Map, Value};

use super::manifest::{pattern, sandbox_pages, strings};
use super::{Ctx, MANIFEST, is_remote};

const M: Option<&str> = Some(MANIFEST);

pub(super) fn content_scripts(manifest: &Map<String, Value>, ctx: &mut Ctx<'_>) {
    let Some(scripts) = manifest.get("content_scripts") else {
        return;
    };
    let Some(scripts) = scripts.as_array() else {
        ctx.error(
            "manifest.field_invalid",
            M,
            "`content_scripts` must be an array of objects.",
        );
        return;
    };
    for (i, cs) in scripts.iter().enumerate() {
        let matches = strings(cs.get("matches"));
        if matches.is_empty() {
            ctx.error(
                "content_scripts.matches_missing",
                M,
                format!("`content_scripts[{i}]` needs a non-empty `matches` list."),
            );
        }
        for key in ["matches", "exclude_matches"] {
            for p in strings(cs.get(key)) {
                pattern(ctx, &p, &format!("content_scripts[{i}].{key}"));
            }
        }
        for key in ["js", "css"] {
            for path in strings(cs.get(key)) {
                reference(ctx, &path, &format!("content_scripts[{i}].{key}"));
            }
        }
    }
}

/// Every other field that names a file of the extension.
pub(super) fn references(manifest: &Map<String, Value>, ctx: &mut Ctx<'_>) {
    let at = |path: &[&str]| {
        let (first, rest) = path.split_first()?;
        rest.iter()
            .try_fold(manifest.get(*first)?, |v, k| v.get(*k))
    };
    let single: [(&[&str], &str); 7] = [
        (&["action", "default_popup"], "action.default_popup"),
        (&["options_page"], "options_page"),
        (&["options_ui", "page"], "options_ui.page"),
        (&["side_panel", "default_path"], "side_panel.default_path"),
        (&["devtools_page"], "devtools_page"),
        (
            &["chrome_url_overrides", "newtab"],
            "chrome_url_overrides.newtab",
        ),
        (
            &["chrome_url_overrides", "history"],
            "chrome_url_overrides.history",
        ),
    ];
    for (path, field) in single {
        if let Some(Value::String(p)) = at(path) {
            reference(ctx, p, field);
        }
    }
    match at(&["action", "default_icon"]) {
        Some(Value::String(p)) => reference(ctx, p, "action.default_icon"),
        Some(Value::Object(icons)) => {
            for (size, p) in icons {
                if let Some(p) = p.as_str() {
                    reference(ctx, p, &format!("action.default_icon.{size}"));
                }
            }
        }
        _ => {}
    }
    for p in sandbox_pages(manifest) {
        reference(ctx, &p, "sandbox.pages");
    }
    if let Some(Value::Array(rules)) = at(&["declarative_net_request", "rule_resources"]) {
        for rule in rules {
            if let Some(p) = rule.get("path").and_then(Value::as_str) {
                reference(ctx, p, "declarative_net_request.rule_resources");
            }
        }
    }
    if let Some(locale) = manifest.get("default_locale").and_then(Value::as_str) {
        reference(
            ctx,
            &format!("_locales/{locale}/messages.json"),
            "default_locale",
        );
    }
}

/// A file named by the manifest must be local and exist.
pub(crate) fn reference(ctx: &mut Ctx<'_>, path: &str, field: &str) {
    if is_remote(path) {
        ctx.error("reference.remote", M, format!("`{field}` points at `{path}`; MV3 extensions cannot load remote code — ship the file inside the extension."));
        return;
    }
    match super::resolve("", path) {
        Some(resolved) if ctx.exists(&resolved) => {}
        _ => ctx.error(
            "reference.missing",
            M,
            format!("`{field}` names `{path}`, but there is no such file; add it or fix the path."),
        ),
    }
}
