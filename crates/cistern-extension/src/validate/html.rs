//! Extension pages (popup, options, side panel, …): MV3's CSP runs no inline code, so inline
//! `<script>` bodies, `on*=` handlers and `javascript:` URLs silently do nothing in Chrome —
//! the classic "my popup button does nothing" bug. Every local file a page references must exist.
//!
//! Pages are tokenized with `html5gum`, a WHATWG-compliant tokenizer with no dependencies: a
//! regex would miss unquoted attributes, `<SCRIPT>`, attributes split over lines or `>` inside
//! quoted values, and a full DOM parser (html5ever, scraper) is a much larger dependency for
//! what only needs tags and attributes. Its naive state switching makes `<script>`/`<style>`
//! contents raw text, as a browser would.

use html5gum::{DefaultEmitter, Token, Tokenizer};

use super::{Ctx, dir_of, is_remote, resolve};
use crate::ExtensionFile;

/// Script `type`s that execute (anything else — JSON, templates — is a data block).
const JS_TYPES: &[&str] = &[
    "",
    "module",
    "text/javascript",
    "application/javascript",
    "application/ecmascript",
    "text/ecmascript",
];

/// Checks one HTML page. Sandboxed pages (`sandbox.pages`) may run inline code.
pub(crate) fn check(file: &ExtensionFile, sandboxed: bool, ctx: &mut Ctx<'_>) {
    let path = file.path.as_str();
    let base = dir_of(path);
    let mut emitter = DefaultEmitter::default();
    emitter.naively_switch_states(true);
    // Inside an executable inline `<script>`: the body collected so far.
    let mut inline_body: Option<String> = None;
    for token in Tokenizer::new_with_emitter(file.content.as_slice(), emitter).flatten() {
        match token {
            Token::StartTag(tag) => {
                let name = String::from_utf8_lossy(&tag.name).to_ascii_lowercase();
                let attr = |key: &str| {
                    tag.attributes
                        .iter()
                        .find(|(k, _)| k.eq_ignore_ascii_case(key.as_bytes()))
                        .map(|(_, v)| String::from_utf8_lossy(&v.value).into_owned())
                };
                for (key, value) in &tag.attributes {
                    let key = String::from_utf8_lossy(key).to_ascii_lowercase();
                    let value = String::from_utf8_lossy(&value.value);
                    if sandboxed {
                        continue;
                    }
                    if key.len() > 2 && key.starts_with("on") {
                        ctx.error("html.inline_handler", Some(path), format!("`<{name} {key}=…>` is an inline event handler, which MV3's CSP blocks (it never runs). Give the element an id and call `addEventListener('{}', …)` from a .js file.", &key[2..]));
                    } else if ["href", "src", "action", "formaction"].contains(&key.as_str())
                        && value
                            .trim_start()
                            .to_ascii_lowercase()
                            .starts_with("javascript:")
                    {
                        ctx.error("html.javascript_url", Some(path), format!("`<{name} {key}=\"javascript:…\">` is inline code, which MV3's CSP blocks; use a click listener in a .js file."));
                    }
                }
                match name.as_str() {
                    "script" => {
                        let kind = attr("type").unwrap_or_default().trim().to_ascii_lowercase();
                        match attr("src") {
                            Some(src) if is_remote(&src) => ctx.error("html.remote_script", Some(path), format!("`<script src=\"{src}\">` loads remote code, which MV3 forbids; download the library into the extension and reference the local copy.")),
                            Some(src) => local(ctx, path, base, &src, "script src"),
                            None if !tag.self_closing && JS_TYPES.contains(&kind.as_str()) && !sandboxed => inline_body = Some(String::new()),
                            None => {}
                        }
                    }
                    "link" => {
                        let rel = attr("rel").unwrap_or_default().to_ascii_lowercase();
                        if let Some(href) = attr("href") {
                            if rel.contains("modulepreload") && is_remote(&href) {
                                ctx.error("html.remote_script", Some(path), format!("`<link rel=modulepreload href=\"{href}\">` loads remote code; ship it in the extension."));
                            } else if !is_remote(&href)
                                && rel.split_whitespace().any(|r| {
                                    ["stylesheet", "icon", "modulepreload", "preload", "manifest"]
                                        .contains(&r)
                                })
                            {
                                local(ctx, path, base, &href, "link href");
                            }
                        }
                    }
                    "img" | "iframe" | "source" | "audio" | "video" | "embed" => {
                        if let Some(src) = attr("src") {
                            local(ctx, path, base, &src, &format!("{name} src"));
                        }
                    }
                    _ => {}
                }
            }
            Token::String(text) => {
                if let Some(body) = inline_body.as_mut() {
                    body.push_str(&String::from_utf8_lossy(&text.value));
                }
            }
            Token::EndTag(tag) if tag.name.eq_ignore_ascii_case(b"script") => {
                if let Some(body) = inline_body.take()
                    && !body.trim().is_empty()
                {
                    let preview: String = body.trim().chars().take(60).collect();
                    ctx.error("html.inline_script", Some(path), format!("An inline `<script>` (\"{preview}…\") never runs under MV3's CSP. Move the code into a .js file and load it with `<script src=\"….js\"></script>`."));
                }
            }
            _ => {}
        }
    }
}

/// A local reference from a page must exist (remote images and styles are allowed).
fn local(ctx: &mut Ctx<'_>, page: &str, base: &str, reference: &str, what: &str) {
    if let Some(target) = resolve(base, reference)
        && !ctx.exists(&target)
    {
        ctx.error("reference.missing", Some(page), format!("`{what}=\"{reference}\"` points at `{target}`, which does not exist; add the file or fix the path (paths are relative to the page)."));
    }
}
