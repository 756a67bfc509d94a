//! A realistic model submission for benchmarks and examples (the server's and this crate's).

use serde_json::json;

/// `submit_extension` arguments for a 16-file extension (the 4 icons drawn for it make it 20):
/// a manifest with a popup, options page, content script and module service worker, and seven
/// 5 KB helper modules.
pub fn submission() -> String {
    let module = |i: usize| {
        let mut s = format!("// Helpers, part {i}.\nexport const PART = {i};\n");
        for f in 0..40 {
            s.push_str(&format!(
                "export function helper{i}_{f}(items) {{\n  return items.filter((x) => x.id !== {f}).map((x) => ({{ ...x, seen: true }}));\n}}\n"
            ));
        }
        s
    };
    let mut files = vec![
        json!({"path": "manifest.json", "content": json!({
            "manifest_version": 3, "name": "Reading List Plus", "version": "1.0.0",
            "description": "Save pages to read later.",
            "permissions": ["storage", "tabs", "contextMenus", "alarms"],
            "host_permissions": ["https://*/*"],
            "background": {"service_worker": "background.js", "type": "module"},
            "action": {"default_popup": "popup/popup.html"},
            "options_ui": {"page": "options/options.html"},
            "content_scripts": [{"matches": ["https://*/*"], "js": ["content/content.js"], "css": ["content/content.css"]}]
        }).to_string()}),
        json!({"path": "background.js", "content": "import { helper0_1 } from './lib/part0.js';\nchrome.runtime.onInstalled.addListener(() => chrome.contextMenus.create({ id: 'save', title: 'Save for later' }));\nchrome.contextMenus.onClicked.addListener(async (info, tab) => { const { list = [] } = await chrome.storage.local.get('list'); list.push({ id: Date.now(), url: tab.url }); await chrome.storage.local.set({ list: helper0_1(list) }); });\n"}),
        json!({"path": "popup/popup.html", "content": "<!doctype html><html><head><meta charset=utf-8><link rel=stylesheet href=popup.css></head><body><ul id=list></ul><button id=clear>Clear</button><script type=module src=popup.js></script></body></html>\n"}),
        json!({"path": "popup/popup.js", "content": "const { list = [] } = await chrome.storage.local.get('list');\nfor (const item of list) { const li = document.createElement('li'); li.textContent = item.url; document.getElementById('list').append(li); }\ndocument.getElementById('clear').addEventListener('click', () => chrome.storage.local.clear());\n"}),
        json!({"path": "popup/popup.css", "content": "body { width: 320px; font: 14px system-ui; }\nli { margin: 4px 0; }\n"}),
        json!({"path": "options/options.html", "content": "<!doctype html><html><body><label><input id=days type=number> days</label><script src=options.js></script></body></html>\n"}),
        json!({"path": "options/options.js", "content": "document.getElementById('days').addEventListener('change', (e) => chrome.storage.sync.set({ days: Number(e.target.value) }));\n"}),
        json!({"path": "content/content.js", "content": "document.documentElement.dataset.readingList = 'on';\n"}),
        json!({"path": "content/content.css", "content": "[data-reading-list] { scroll-behavior: smooth; }\n"}),
    ];
    for i in 0..7 {
        files.push(json!({"path": format!("lib/part{i}.js"), "content": module(i)}));
    }
    json!({
        "blueprint": {
            "purpose": "Save pages to read later.", "features": ["context menu", "popup list"],
            "permissions": [{"permission": "storage", "reason": "keep the list"}],
            "file_plan": [{"path": "manifest.json", "role": "manifest"}],
            "change_kind": "minor"
        },
        "files": files
    })
    .to_string()
}
