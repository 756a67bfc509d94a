//! Server-side overhead of one generation, everything but the model: parse the tool arguments
//! of a 20-file extension, draw its icons, set its version, validate it, zip it and diff it
//! against the previous version; then the real-browser check's duration.
//!
//! ```text
//! cargo run --release -p cistern-extension --example extension_bench [rounds] [browser-runs]
//! ```
//! Prints median and p95 per generation (default 200 rounds) and each Chromium check's time
//! (default 3 runs; 0 skips them). Figures: docs/benchmarks.md, "Extension builder".

use std::time::{Duration, Instant};

use cistern_extension::chromium::{ChromiumOptions, check_files};
use cistern_extension::contract::{merge, parse_submission};
use cistern_extension::package::{unified_diff, zip_files};
use cistern_extension::{icons, validate, version};
use serde_json::json;

/// `submit_extension` arguments for a 16-file extension (the 4 icons make it 20).
fn arguments() -> String {
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

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn main() {
    let mut args = std::env::args().skip(1);
    let rounds: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(200);
    let browser_runs: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(3);
    let raw = arguments();
    let previous = {
        let mut files = parse_submission(&raw).expect("parse").extension_files();
        icons::generate_missing(&mut files).expect("icons");
        files
    };
    let mut times = Vec::with_capacity(rounds);
    let mut last = Vec::new();
    for _ in 0..rounds {
        let start = Instant::now();
        let submission = parse_submission(&raw).expect("parse");
        let mut files = merge(&previous, &submission).expect("merge");
        icons::generate_missing(&mut files).expect("icons");
        let next = version::next_version(Some("1.0.0"), submission.blueprint.change_kind)
            .expect("version");
        version::set_manifest_version(&mut files, &next).expect("set version");
        let report = validate(&files);
        assert!(!report.has_errors(), "{:#?}", report.findings);
        let zip = zip_files(&files).expect("zip");
        let diff = unified_diff(&previous, &files);
        times.push(start.elapsed());
        std::hint::black_box((zip.len(), diff.len()));
        last = files;
    }
    report("iteration (merge, validate, zip, diff)", &mut times, &last);
    // A first generation also draws the four icons.
    let mut times = Vec::with_capacity(rounds);
    for _ in 0..rounds {
        let start = Instant::now();
        let mut files = parse_submission(&raw).expect("parse").extension_files();
        icons::generate_missing(&mut files).expect("icons");
        version::set_manifest_version(&mut files, version::FIRST_VERSION).expect("set version");
        let report = validate(&files);
        assert!(!report.has_errors(), "{:#?}", report.findings);
        std::hint::black_box(zip_files(&files).expect("zip").len());
        times.push(start.elapsed());
    }
    report(
        "first generation (icons drawn, validate, zip)",
        &mut times,
        &last,
    );
    if browser_runs == 0 {
        return;
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let options = ChromiumOptions::default();
    for run in 1..=browser_runs {
        let start = Instant::now();
        let result = runtime.block_on(check_files(&last, &options));
        println!(
            "browser check {run}: {:?} in {} ms",
            status(&result),
            start.elapsed().as_millis()
        );
    }
}

fn report(what: &str, times: &mut [Duration], files: &[cistern_extension::ExtensionFile]) {
    times.sort();
    let bytes: usize = files.iter().map(|f| f.content.len()).sum();
    println!(
        "{what}, {} files, {bytes} bytes: median {:.2} ms, p95 {:.2} ms ({} rounds)",
        files.len(),
        percentile(times, 0.5).as_secs_f64() * 1e3,
        percentile(times, 0.95).as_secs_f64() * 1e3,
        times.len()
    );
}

fn status(check: &cistern_extension::chromium::BrowserCheck) -> String {
    serde_json::to_value(check)
        .ok()
        .and_then(|v| v["status"].as_str().map(str::to_owned))
        .unwrap_or_default()
}
