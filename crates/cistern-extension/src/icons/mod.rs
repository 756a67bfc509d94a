//! Icons: Chrome shows a grey puzzle piece for an extension without them, and a model cannot
//! write PNG bytes inside JSON, so Cistern draws them itself — a coloured square with the
//! extension's initial — at the four sizes Chrome uses (16 toolbar, 32 Windows, 48 management
//! page, 128 install dialog and Web Store), and lists them in the manifest's `icons`.

mod draw;

use serde_json::{Map, Value};

use crate::validate::{Ctx, MANIFEST};
use crate::{Error, ExtensionFile};
pub use draw::render_icon;

/// The icon sizes every extension gets, in pixels.
pub const ICON_SIZES: [u32; 4] = [16, 32, 48, 128];

const PNG_SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";

/// Width and height from a PNG's IHDR chunk, or `None` when the bytes are not a PNG.
pub fn png_dimensions(bytes: &[u8]) -> Option<(u32, u32)> {
    if bytes.len() < 24 || !bytes.starts_with(PNG_SIGNATURE) || &bytes[12..16] != b"IHDR" {
        return None;
    }
    let be =
        |at: usize| u32::from_be_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]]);
    Some((be(16), be(20)))
}

/// Why the icon at `path` is not a usable `size`×`size` PNG: `(code, message)`.
fn icon_problem(files: &[ExtensionFile], path: &str, size: u32) -> Option<(&'static str, String)> {
    let resolved = crate::validate::resolve("", path).unwrap_or_default();
    let Some(file) = crate::find_file(files, &resolved) else {
        return Some((
            "icons.file_missing",
            format!("`icons.{size}` names `{path}`, which does not exist."),
        ));
    };
    match png_dimensions(&file.content) {
        None => Some((
            "icons.not_png",
            format!("`{path}` (icon {size}) is not a PNG file; Chrome needs PNG icons."),
        )),
        Some((w, h)) if (w, h) != (size, size) => Some((
            "icons.wrong_size",
            format!("`{path}` is {w}×{h} but is listed as the {size}×{size} icon."),
        )),
        Some(_) => None,
    }
}

/// The icon rule: the manifest's `icons` lists a PNG of the right size for 16, 32, 48 and 128.
pub(crate) fn check(manifest: &Map<String, Value>, files: &[ExtensionFile], ctx: &mut Ctx<'_>) {
    let icons = manifest.get("icons").and_then(Value::as_object);
    for size in ICON_SIZES {
        match icons.and_then(|i| i.get(&size.to_string())).and_then(Value::as_str) {
            None => ctx.error(
                "icons.missing",
                Some(MANIFEST),
                format!("`icons` has no {size}×{size} PNG; list one as `\"icons\": {{\"{size}\": \"icons/icon{size}.png\"}}`."),
            ),
            Some(path) => {
                if let Some((code, message)) = icon_problem(files, path, size) {
                    ctx.error(code, Some(MANIFEST), message);
                }
            }
        }
    }
}

/// Draws every icon the manifest lacks (missing from `icons`, missing file, not a PNG, wrong
/// size) as `icons/icon{size}.png`, lists it in `icons` (and in `action.default_icon` when the
/// action has none), and rewrites `manifest.json`. Returns the paths it wrote, empty when
/// nothing was missing. A missing or unparseable manifest is left for validation to report.
pub fn generate_missing(files: &mut Vec<ExtensionFile>) -> Result<Vec<String>, Error> {
    let Some(Value::Object(mut manifest)) =
        crate::find_file(files, MANIFEST).and_then(|f| serde_json::from_slice(&f.content).ok())
    else {
        return Ok(Vec::new());
    };
    let name = manifest
        .get("name")
        .and_then(Value::as_str)
        .unwrap_or("Extension")
        .to_owned();
    let mut icons = manifest
        .get("icons")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let mut written = Vec::new();
    for size in ICON_SIZES {
        let listed = icons.get(&size.to_string()).and_then(Value::as_str);
        if listed.is_some_and(|p| icon_problem(files, p, size).is_none()) {
            continue;
        }
        let path = format!("icons/icon{size}.png");
        let png = render_icon(&name, size)?;
        match crate::files::find_file_mut(files, &path) {
            Some(existing) => existing.content = png,
            None => files.push(ExtensionFile::new(path.clone(), png)),
        }
        icons.insert(size.to_string(), Value::String(path.clone()));
        written.push(path);
    }
    if written.is_empty() {
        return Ok(written);
    }
    if let Some(Value::Object(action)) = manifest.get_mut("action") {
        action.entry("default_icon").or_insert_with(|| {
            Value::Object(
                [16, 32]
                    .iter()
                    .filter_map(|s| Some((s.to_string(), icons.get(&s.to_string())?.clone())))
                    .collect(),
            )
        });
    }
    manifest.insert("icons".into(), Value::Object(icons));
    crate::version::write_manifest(files, &manifest)?;
    Ok(written)
}
