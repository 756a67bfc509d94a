//! System prompts: one for a first generation, one for an iteration on existing files.
//!
//! Iterations ask for **only the new or changed files plus `deleted_paths`**, not the whole
//! file set. A reply then costs tokens in proportion to the change, not to the extension:
//! smaller output is faster, cheaper, and far less likely to hit the output token limit —
//! the main cause of truncated tool JSON — and unchanged files cannot be damaged by being
//! retyped. [`super::merge`] lays the reply onto the base version on the server. The price is
//! that the model must not send a file it only saw truncated; the prompt says so and `merge`
//! refuses a file that still contains the truncation marker.

use std::fmt::Write as _;

use crate::ExtensionFile;

/// Files larger than this (30 KB) are truncated in the iteration prompt.
pub const TRUNCATE_ABOVE_BYTES: usize = 30 * 1024;

/// The visible marker that ends a truncated file in the prompt; a submitted file containing it
/// is refused by [`super::merge`].
pub const TRUNCATION_MARKER: &str = "TRUNCATED BY CISTERN";

const MV3_RULES: &str = "\
Rules — the extension is validated automatically and must load in Chrome without errors:
1. Manifest V3: `\"manifest_version\": 3`, a short `name`, `version` \"1.0.0\", a `description`.
2. Background logic goes in one service worker: `\"background\": {\"service_worker\": \"background.js\"}`. \
Never `background.scripts`, `background.page` or `persistent`. Service workers have no DOM and no `window`; \
register listeners at the top level and keep state in `chrome.storage`.
3. Permissions: only real Chrome permission names (storage, tabs, activeTab, scripting, alarms, \
contextMenus, notifications, …), as few as the features need, each explained in the blueprint. URL \
patterns go in `host_permissions`, never in `permissions`, and follow the match-pattern grammar \
(`https://*.example.com/*`, `<all_urls>`).
4. No remote code: no `<script src=\"https://…\">`, no `importScripts`/`import` from URLs, no CDNs. \
Write what you need yourself; never use eval, new Function, or setTimeout with a string.
5. Extension pages (popup, options, side panel) may contain no inline `<script>` code and no `onclick=` \
(or any `on…=`) attributes — Chrome's CSP blocks them. Put code in .js files loaded with \
`<script src=\"popup.js\"></script>` and attach listeners with addEventListener.
6. If you set `content_security_policy`, it is an object (`{\"extension_pages\": \"script-src 'self'; object-src 'self'\"}`) \
without remote hosts, 'unsafe-eval' or 'unsafe-inline'.
7. `web_accessible_resources` uses the MV3 form: `[{\"resources\": [\"img/*.png\"], \"matches\": [\"<all_urls>\"]}]`.
8. Every file the manifest or a page references must be in `files`; paths are relative with `/` \
(`popup/popup.html`), never absolute, never `..`, each path once.
9. Do not write icons: Cistern draws PNG icons and adds them to the manifest. Do not reference \
other images you do not write yourself (inline SVG in HTML is fine).
10. Every file complete and working — no placeholders, no \"TODO\", no \"rest of the code here\".";

/// The system prompt of a first generation.
pub fn first_system_prompt() -> String {
    format!(
        "You build Google Chrome extensions. Given the user's request, design a small, working \
         Manifest V3 extension and submit it by calling the `submit_extension` tool exactly once: \
         first the blueprint (purpose, features, permissions with reasons, file plan, change_kind \
         \"major\"), then every file.\n\n{MV3_RULES}\n"
    )
}

/// The system prompt of an iteration: the rules, the current files of `version` (files over
/// [`TRUNCATE_ABOVE_BYTES`] cut with a visible marker and their size; binary files named only),
/// and the instruction to send only changed files and `deleted_paths`.
pub fn iteration_system_prompt(current: &[ExtensionFile], version: &str) -> String {
    let mut out = format!(
        "You maintain a Google Chrome extension, currently version {version}. The user asks for a \
         change. Call the `submit_extension` tool exactly once with:\n\
         - a blueprint for the whole extension after the change (its file_plan lists every file \
         that will exist), with change_kind patch (fixes, polish), minor (new features) or major \
         (redesign, removed features);\n\
         - in `files`, only the files you add or change, each complete — unchanged files are kept \
         automatically, so do not send them;\n\
         - in `deleted_paths`, the paths of files to remove (empty if none).\n\
         A file shown below as truncated must not be sent back unless you change it, and then \
         complete, never with the truncation marker. Cistern sets the version number itself.\n\n\
         {MV3_RULES}\n\nThe current files:\n"
    );
    let mut sorted: Vec<&ExtensionFile> = current.iter().collect();
    sorted.sort_by(|a, b| a.path.cmp(&b.path));
    for file in sorted {
        let Some(text) = file.text() else {
            writeln!(
                out,
                "\n=== {} ===\n[binary file, {} bytes — kept as is]",
                file.path,
                file.content.len()
            )
            .ok();
            continue;
        };
        writeln!(out, "\n=== {} ===", file.path).ok();
        if text.len() > TRUNCATE_ABOVE_BYTES {
            let cut = text.floor_char_boundary(TRUNCATE_ABOVE_BYTES);
            writeln!(
                out,
                "{}\n[… {TRUNCATION_MARKER}: this file is {} bytes; only the first {cut} are shown …]",
                &text[..cut],
                text.len()
            ).ok();
        } else {
            out.push_str(text);
            if !text.ends_with('\n') {
                out.push('\n');
            }
        }
    }
    out
}
