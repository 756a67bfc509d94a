//! The manifest: required fields, the service worker, permissions, and every file it references.

use serde_json::{Map, Value};

use super::permissions::{check_match_pattern, is_known_permission};
use super::{Ctx, MANIFEST, csp, references};
use crate::ExtensionFile;

const M: Option<&str> = Some(MANIFEST);

/// Parses `manifest.json` and runs every manifest rule; returns the manifest object for the
/// rules that need it afterwards (icons, sandbox pages), or `None` when there is none to use.
pub(crate) fn check(files: &[ExtensionFile], ctx: &mut Ctx<'_>) -> Option<Map<String, Value>> {
    let Some(file) = crate::find_file(files, MANIFEST) else {
        ctx.error(
            "manifest.missing",
            M,
            "There is no `manifest.json` at the extension root; add one.",
        );
        return None;
    };
    let manifest = match serde_json::from_slice::<Value>(&file.content) {
        Ok(Value::Object(map)) => map,
        Ok(_) => {
            ctx.error(
                "manifest.json_invalid",
                M,
                "`manifest.json` must be a JSON object.",
            );
            return None;
        }
        Err(e) => {
            ctx.error("manifest.json_invalid", M, format!("`manifest.json` is not valid JSON: {e}. Comments and trailing commas are not allowed."));
            return None;
        }
    };
    match manifest.get("manifest_version") {
        Some(Value::Number(n)) if n.as_u64() == Some(3) => {}
        other => ctx.error(
            "manifest.manifest_version",
            M,
            format!("`manifest_version` must be 3 (found {}); Chrome no longer loads Manifest V2 extensions.", show(other)),
        ),
    }
    match manifest.get("name").and_then(Value::as_str).map(str::trim) {
        Some(name) if !name.is_empty() => {
            if name.chars().count() > 75 {
                ctx.warn(
                    "manifest.name_too_long",
                    M,
                    "`name` is longer than 75 characters; the Chrome Web Store refuses it.",
                );
            }
        }
        _ => ctx.error(
            "manifest.name_missing",
            M,
            "`name` is missing or empty; give the extension a short name.",
        ),
    }
    match manifest.get("version") {
        Some(Value::String(v)) => {
            if let Err(why) = crate::version::check_manifest_version(v) {
                ctx.error(
                    "manifest.version_invalid",
                    M,
                    format!("`version` \"{v}\" is invalid: {why}."),
                );
            }
        }
        other => ctx.error(
            "manifest.version_invalid",
            M,
            format!(
                "`version` must be a string such as \"1.0.0\" (found {}).",
                show(other)
            ),
        ),
    }
    background(&manifest, ctx);
    permission_lists(&manifest, ctx);
    references::content_scripts(&manifest, ctx);
    references::references(&manifest, ctx);
    csp::check_csp(&manifest, ctx);
    csp::check_web_accessible_resources(&manifest, ctx);
    Some(manifest)
}

/// `sandbox.pages`: pages Chrome runs sandboxed, where inline scripts are allowed.
pub(crate) fn sandbox_pages(manifest: &Map<String, Value>) -> Vec<String> {
    strings(manifest.get("sandbox").and_then(|s| s.get("pages")))
}

fn background(manifest: &Map<String, Value>, ctx: &mut Ctx<'_>) {
    let Some(bg) = manifest.get("background") else {
        ctx.error("background.missing", M, "Add `\"background\": {\"service_worker\": \"background.js\"}` and that file; Cistern checks that the service worker starts.");
        return;
    };
    if bg.get("scripts").is_some() {
        ctx.error("background.scripts", M, "`background.scripts` is Manifest V2; use one `background.service_worker` file (import others with `importScripts` or `\"type\": \"module\"`).");
    }
    if bg.get("page").is_some() {
        ctx.error("background.page", M, "`background.page` is Manifest V2; MV3 has no background pages — use `background.service_worker`.");
    }
    if bg.get("persistent").is_some() {
        ctx.error("background.persistent", M, "`background.persistent` is Manifest V2; remove it (service workers are never persistent).");
    }
    match bg.get("service_worker") {
        Some(Value::String(sw)) => references::reference(ctx, sw, "background.service_worker"),
        Some(_) => ctx.error(
            "background.missing",
            M,
            "`background.service_worker` must be a path string.",
        ),
        None => ctx.error(
            "background.missing",
            M,
            "`background.service_worker` is missing; name the service worker file.",
        ),
    }
    if let Some(kind) = bg.get("type")
        && kind.as_str() != Some("module")
    {
        ctx.error(
            "background.type_invalid",
            M,
            "`background.type` may only be \"module\"; remove it for a classic service worker.",
        );
    }
}

fn permission_lists(manifest: &Map<String, Value>, ctx: &mut Ctx<'_>) {
    for key in ["permissions", "optional_permissions"] {
        let Some(list) = array_of_strings(manifest, key, ctx) else {
            continue;
        };
        for p in list {
            if is_known_permission(&p) {
                continue;
            }
            if p.contains("://") || p == "<all_urls>" {
                ctx.error("permissions.host_in_permissions", M, format!("`{p}` in `{key}` is a host pattern; in MV3 it belongs in `host_permissions`."));
            } else {
                ctx.error("permissions.unknown", M, format!("`{p}` in `{key}` is not a Chrome permission; remove it or use the right name (e.g. `storage`, `tabs`, `activeTab`, `scripting`)."));
            }
        }
    }
    for key in ["host_permissions", "optional_host_permissions"] {
        let Some(list) = array_of_strings(manifest, key, ctx) else {
            continue;
        };
        for p in list {
            pattern(ctx, &p, key);
        }
    }
}

pub(super) fn pattern(ctx: &mut Ctx<'_>, p: &str, field: &str) {
    if let Err(why) = check_match_pattern(p) {
        ctx.error(
            "match_pattern.invalid",
            M,
            format!("`{p}` in `{field}` is not a valid match pattern: {why}."),
        );
    }
}

fn array_of_strings(
    manifest: &Map<String, Value>,
    key: &str,
    ctx: &mut Ctx<'_>,
) -> Option<Vec<String>> {
    let value = manifest.get(key)?;
    if !value
        .as_array()
        .is_some_and(|a| a.iter().all(Value::is_string))
    {
        ctx.error(
            "manifest.field_invalid",
            M,
            format!("`{key}` must be an array of strings."),
        );
        return None;
    }
    Some(strings(Some(value)))
}

/// The strings of a JSON array (anything else: none).
pub(crate) fn strings(value: Option<&Value>) -> Vec<String> {
    value
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

fn show(value: Option<&Value>) -> String {
    match value {
        None => "nothing".into(),
        Some(v) => {
            let s = v.to_string();
            if s.len() > 40 {
                format!("{}…", &s[..s.floor_char_boundary(40)])
            } else {
                s
            }
        }
    }
}
