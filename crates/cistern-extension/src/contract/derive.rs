//! Filling in what a blueprint left out, from the extension's files: the file plan from the
//! paths (each role read from where the manifest uses the file, else from its kind), and the
//! permissions from the manifest (without reasons: only the model knows those).

use serde_json::Value;

use super::{Blueprint, Derived, PermissionReason, PlannedFile, Submission};
use crate::ExtensionFile;
use crate::validate::{MANIFEST, resolve};

impl Blueprint {
    /// Fills in what the model left out from `files`, the extension's files: the fields listed
    /// in [`Blueprint::derived`] are rebuilt from them, and a planned file without a role gets
    /// one (then [`Derived::FileRoles`] is listed).
    ///
    /// Call it again with the version's final files (after an iteration's merge, with
    /// generated icons) so a derived plan lists every file of the version, not only the ones
    /// the model sent.
    pub fn fill_in(&mut self, files: &[ExtensionFile]) {
        let paths: Vec<&str> = files.iter().map(|f| f.path.as_str()).collect();
        let manifest = crate::find_file(files, MANIFEST)
            .and_then(|m| serde_json::from_slice::<Value>(&m.content).ok());
        self.fill(&paths, manifest.as_ref());
    }

    fn fill(&mut self, paths: &[&str], manifest: Option<&Value>) {
        if self.derived.contains(&Derived::FilePlan) {
            self.file_plan = paths
                .iter()
                .map(|path| PlannedFile {
                    path: (*path).to_owned(),
                    role: role_of(path, manifest),
                })
                .collect();
        } else {
            let mut filled = false;
            for planned in self
                .file_plan
                .iter_mut()
                .filter(|p| p.role.trim().is_empty())
            {
                planned.role = role_of(&planned.path, manifest);
                filled = true;
            }
            if filled && !self.derived.contains(&Derived::FileRoles) {
                self.derived.push(Derived::FileRoles);
            }
        }
        if self.derived.contains(&Derived::Permissions) {
            self.permissions = manifest_permissions(manifest);
        }
    }
}

impl Submission {
    /// [`Blueprint::fill_in`] from the submitted files (the whole extension on a first
    /// generation; an iteration fills in again after its merge).
    pub fn fill_in(&mut self) {
        let paths: Vec<&str> = self.files.iter().map(|f| f.path.as_str()).collect();
        let manifest = self
            .files
            .iter()
            .find(|f| f.path == MANIFEST)
            .and_then(|m| serde_json::from_str::<Value>(&m.content).ok());
        self.blueprint.fill(&paths, manifest.as_ref());
    }
}

/// The manifest's `permissions` and `host_permissions`, without reasons.
fn manifest_permissions(manifest: Option<&Value>) -> Vec<PermissionReason> {
    ["permissions", "host_permissions"]
        .into_iter()
        .filter_map(|key| manifest?.get(key)?.as_array())
        .flatten()
        .filter_map(Value::as_str)
        .map(|permission| PermissionReason {
            permission: permission.to_owned(),
            reason: String::new(),
        })
        .collect()
}

/// Where the manifest names a file, and what that makes it.
const MANIFEST_ROLES: [(&str, &str); 9] = [
    ("/background/service_worker", "background service worker"),
    ("/action/default_popup", "popup page"),
    ("/options_ui/page", "options page"),
    ("/options_page", "options page"),
    ("/side_panel/default_path", "side panel page"),
    ("/devtools_page", "DevTools page"),
    ("/chrome_url_overrides/newtab", "new tab page"),
    ("/chrome_url_overrides/history", "history page"),
    ("/chrome_url_overrides/bookmarks", "bookmarks page"),
];

/// A short role for `path`: what the manifest uses it for, else what kind of file it is.
fn role_of(path: &str, manifest: Option<&Value>) -> String {
    if path == MANIFEST {
        return "the extension's manifest".into();
    }
    let names = |value: Option<&Value>| {
        value
            .and_then(Value::as_str)
            .and_then(|r| resolve("", r))
            .is_some_and(|r| r == path)
    };
    if let Some(manifest) = manifest {
        if let Some((_, role)) = MANIFEST_ROLES
            .iter()
            .find(|(pointer, _)| names(manifest.pointer(pointer)))
        {
            return (*role).into();
        }
        let lists = |value: Option<&Value>| {
            value
                .and_then(Value::as_array)
                .is_some_and(|l| l.iter().any(|v| names(Some(v))))
        };
        let scripts = manifest.get("content_scripts").and_then(Value::as_array);
        for script in scripts.into_iter().flatten() {
            if lists(script.get("js")) {
                return "content script".into();
            }
            if lists(script.get("css")) {
                return "content script styles".into();
            }
        }
        let icons = |value: Option<&Value>| {
            value
                .and_then(Value::as_object)
                .is_some_and(|m| m.values().any(|v| names(Some(v))))
        };
        if icons(manifest.get("icons")) || icons(manifest.pointer("/action/default_icon")) {
            return "icon".into();
        }
    }
    kind_of(path).into()
}

fn kind_of(path: &str) -> &'static str {
    if path.starts_with("_locales/") {
        return "translated strings";
    }
    let extension = path
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    match extension.as_str() {
        "html" | "htm" => "page",
        "js" | "mjs" => "script",
        "css" => "stylesheet",
        "json" => "data",
        "png" | "svg" | "jpg" | "jpeg" | "gif" | "webp" | "ico" => "image",
        "woff" | "woff2" | "ttf" | "otf" => "font",
        _ => "file",
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::role_of;

    #[test]
    fn a_role_comes_from_the_manifest_else_from_the_file_kind() {
        let manifest = json!({
            "background": {"service_worker": "sw.js"},
            "action": {"default_popup": "/popup/popup.html", "default_icon": {"16": "i/16.png"}},
            "content_scripts": [{"matches": ["<all_urls>"], "js": ["c.js"], "css": ["./c.css"]}],
            "devtools_page": "devtools.html"
        });
        let role = |path: &str| role_of(path, Some(&manifest));
        assert_eq!(role("manifest.json"), "the extension's manifest");
        assert_eq!(role("sw.js"), "background service worker");
        assert_eq!(role("popup/popup.html"), "popup page");
        assert_eq!(role("c.js"), "content script");
        assert_eq!(role("c.css"), "content script styles");
        assert_eq!(role("i/16.png"), "icon");
        assert_eq!(role("devtools.html"), "DevTools page");
        assert_eq!(role("lib/util.js"), "script");
        assert_eq!(role("_locales/en/messages.json"), "translated strings");
        assert_eq!(role_of("panel.html", None), "page");
        assert_eq!(role_of("README", None), "file");
    }
}
