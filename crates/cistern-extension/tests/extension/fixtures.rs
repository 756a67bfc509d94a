//! A good extension, and helpers to break it one rule at a time.

use cistern_extension::ExtensionFile;
use cistern_extension::icons::{ICON_SIZES, render_icon};
use serde_json::{Value, json};

pub fn good_manifest() -> Value {
    json!({
        "manifest_version": 3,
        "name": "Tab Counter",
        "version": "1.0.0",
        "description": "Counts your open tabs.",
        "permissions": ["storage", "tabs"],
        "host_permissions": ["https://*.example.com/*"],
        "background": {"service_worker": "background.js"},
        "action": {"default_popup": "popup/popup.html", "default_title": "Tab Counter"},
        "options_ui": {"page": "options.html", "open_in_tab": false},
        "content_scripts": [{
            "matches": ["https://*.example.com/*"],
            "js": ["content.js"],
            "css": ["content.css"]
        }],
        "web_accessible_resources": [{"resources": ["icons/*.png"], "matches": ["<all_urls>"]}],
        "content_security_policy": {"extension_pages": "script-src 'self'; object-src 'self'"},
        "icons": {
            "16": "icons/icon16.png", "32": "icons/icon32.png",
            "48": "icons/icon48.png", "128": "icons/icon128.png"
        }
    })
}

const BACKGROUND: &str = r#"// Keeps the badge in sync with the number of open tabs.
async function update() {
  const tabs = await chrome.tabs.query({});
  await chrome.action.setBadgeText({ text: String(tabs.length) });
  await chrome.storage.local.set({ count: tabs.length, note: "never eval( anything" });
}
chrome.runtime.onInstalled.addListener(update);
chrome.tabs.onCreated.addListener(update);
chrome.tabs.onRemoved.addListener(update);
"#;

const POPUP_HTML: &str = r#"<!doctype html>
<html>
  <head>
    <meta charset="utf-8">
    <link rel="stylesheet" href="popup.css">
  </head>
  <body>
    <h1>Open tabs: <span id="count">?</span></h1>
    <button id="refresh" type="button">Refresh</button>
    <script type="application/json" id="config">{"theme": "light"}</script>
    <script src="popup.js"></script>
  </body>
</html>
"#;

const POPUP_JS: &str = r#"document.getElementById('refresh').addEventListener('click', async () => {
  const { count } = await chrome.storage.local.get('count');
  document.getElementById('count').textContent = count ?? '?';
});
"#;

const OPTIONS_HTML: &str = r#"<!doctype html>
<html><head><meta charset="utf-8"><title>Options</title></head>
<body><label><input id="badge" type="checkbox"> Show badge</label>
<img src="icons/icon48.png" alt="">
<script src="/options.js"></script></body></html>
"#;

pub fn good() -> Vec<ExtensionFile> {
    let mut files = vec![
        ExtensionFile::new("manifest.json", pretty(&good_manifest())),
        ExtensionFile::new("background.js", BACKGROUND),
        ExtensionFile::new("popup/popup.html", POPUP_HTML),
        ExtensionFile::new("popup/popup.js", POPUP_JS),
        ExtensionFile::new("popup/popup.css", "body { min-width: 200px; }\n"),
        ExtensionFile::new("options.html", OPTIONS_HTML),
        ExtensionFile::new("options.js", "chrome.storage.sync.get('badge');\n"),
        ExtensionFile::new("content.js", "console.log('Tab Counter content script');\n"),
        ExtensionFile::new("content.css", ".tab-counter { display: none; }\n"),
    ];
    for size in ICON_SIZES {
        let png = render_icon("Tab Counter", size).expect("icon");
        files.push(ExtensionFile::new(format!("icons/icon{size}.png"), png));
    }
    files
}

pub fn pretty(v: &Value) -> String {
    serde_json::to_string_pretty(v).expect("json")
}

/// `files` with `path` replaced (or added).
pub fn with(
    mut files: Vec<ExtensionFile>,
    path: &str,
    content: impl Into<Vec<u8>>,
) -> Vec<ExtensionFile> {
    let content = content.into();
    match files.iter_mut().find(|f| f.path == path) {
        Some(f) => f.content = content,
        None => files.push(ExtensionFile::new(path, content)),
    }
    files
}

/// The good extension with its manifest changed by `edit`.
pub fn with_manifest(edit: impl FnOnce(&mut Value)) -> Vec<ExtensionFile> {
    let mut manifest = good_manifest();
    edit(&mut manifest);
    with(good(), "manifest.json", pretty(&manifest))
}

pub fn without(files: Vec<ExtensionFile>, path: &str) -> Vec<ExtensionFile> {
    files.into_iter().filter(|f| f.path != path).collect()
}
