//! `content_security_policy` and `web_accessible_resources`: two fields whose MV2 forms Chrome
//! refuses in an MV3 manifest.

use serde_json::{Map, Value};

use super::manifest::strings;
use super::permissions::check_match_pattern;
use super::references::reference;
use super::{Ctx, MANIFEST};

const M: Option<&str> = Some(MANIFEST);

/// Directives that decide where scripts come from (default-src when script-src is absent).
const SCRIPT_DIRECTIVES: &[&str] = &[
    "script-src",
    "script-src-elem",
    "script-src-attr",
    "worker-src",
    "object-src",
    "default-src",
];

/// MV3's `content_security_policy` is an object; its `extension_pages` policy may only allow
/// the extension itself (`'self'`, `'none'`, `'wasm-unsafe-eval'`, localhost for development).
/// Chrome refuses to load a policy with remote hosts or `'unsafe-eval'` there.
pub(crate) fn check_csp(manifest: &Map<String, Value>, ctx: &mut Ctx<'_>) {
    let Some(csp) = manifest.get("content_security_policy") else {
        return;
    };
    let Some(csp) = csp.as_object() else {
        ctx.error("csp.mv2_form", M, "`content_security_policy` must be an object in MV3: `{\"extension_pages\": \"script-src 'self'; object-src 'self'\"}`.");
        return;
    };
    let Some(policy) = csp.get("extension_pages") else {
        return;
    };
    let Some(policy) = policy.as_str() else {
        ctx.error(
            "csp.mv2_form",
            M,
            "`content_security_policy.extension_pages` must be a string.",
        );
        return;
    };
    for directive in policy.split(';') {
        let mut tokens = directive.split_whitespace();
        let Some(name) = tokens.next() else { continue };
        let name = name.to_ascii_lowercase();
        if !SCRIPT_DIRECTIVES.contains(&name.as_str()) {
            continue;
        }
        for source in tokens {
            let lower = source.to_ascii_lowercase();
            match lower.as_str() {
                "'self'" | "'none'" | "'wasm-unsafe-eval'" => {}
                "'unsafe-eval'" => ctx.error("csp.unsafe_eval", M, format!("`{name}` allows 'unsafe-eval'; MV3 forbids it — remove it and do not use eval/new Function.")),
                "'unsafe-inline'" => ctx.error("csp.unsafe_inline", M, format!("`{name}` allows 'unsafe-inline'; MV3 forbids it — move inline code to .js files.")),
                s if is_localhost(s) => {}
                _ => ctx.error("csp.remote_host", M, format!("`{name}` allows `{source}`; MV3 extension pages may only run code shipped in the extension (`'self'`).")),
            }
        }
    }
}

fn is_localhost(source: &str) -> bool {
    ["http://localhost", "http://127.0.0.1"].iter().any(|h| {
        source
            .strip_prefix(h)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with(':') || rest.starts_with('/'))
    })
}

/// MV3 form: `[{"resources": [...], "matches": [...]}]`; the MV2 form (a list of strings) is
/// refused by Chrome.
pub(crate) fn check_web_accessible_resources(manifest: &Map<String, Value>, ctx: &mut Ctx<'_>) {
    let Some(war) = manifest.get("web_accessible_resources") else {
        return;
    };
    let Some(entries) = war.as_array() else {
        ctx.error("war.invalid", M, "`web_accessible_resources` must be an array of `{\"resources\": [...], \"matches\": [...]}` objects.");
        return;
    };
    for (i, entry) in entries.iter().enumerate() {
        let Some(entry) = entry.as_object() else {
            ctx.error("war.mv2_form", M, format!("`web_accessible_resources[{i}]` is a plain string (MV2 form); MV3 wants objects: `{{\"resources\": [\"img/*.png\"], \"matches\": [\"<all_urls>\"]}}`."));
            continue;
        };
        let resources = strings(entry.get("resources"));
        if resources.is_empty() {
            ctx.error(
                "war.invalid",
                M,
                format!("`web_accessible_resources[{i}]` needs a non-empty `resources` list."),
            );
        }
        if entry.get("matches").is_none() && entry.get("extension_ids").is_none() {
            ctx.error("war.invalid", M, format!("`web_accessible_resources[{i}]` needs `matches` (or `extension_ids`) saying who may load the resources."));
        }
        for p in strings(entry.get("matches")) {
            if let Err(why) = check_match_pattern(&p) {
                ctx.error("match_pattern.invalid", M, format!("`{p}` in `web_accessible_resources[{i}].matches` is not a valid match pattern: {why}."));
            }
        }
        let field = format!("web_accessible_resources[{i}].resources");
        for r in resources {
            if r.contains('*') {
                if !ctx
                    .paths()
                    .any(|p| glob_match(r.trim_start_matches('/'), p))
                {
                    ctx.warn(
                        "reference.missing",
                        M,
                        format!("`{field}` pattern `{r}` matches no file."),
                    );
                }
            } else {
                reference(ctx, &r, &field);
            }
        }
    }
}

/// `*` matches any run of characters (including `/`, as Chrome's resource globs do).
fn glob_match(pattern: &str, text: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    let (Some(first), Some(last)) = (parts.first(), parts.last()) else {
        return false;
    };
    if parts.len() == 1 {
        return pattern == text;
    }
    if !text.starts_with(first) || text.len() < first.len() + last.len() || !text.ends_with(last) {
        return false;
    }
    let mut rest = &text[first.len()..text.len() - last.len()];
    for middle in &parts[1..parts.len() - 1] {
        match rest.find(middle) {
            Some(at) => rest = &rest[at + middle.len()..],
            None => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::glob_match;

    #[test]
    fn resource_globs() {
        assert!(glob_match("img/*.png", "img/a.png"));
        assert!(glob_match("*", "x/y.js"));
        assert!(glob_match("a*b*c", "abc"));
        assert!(!glob_match("img/*.png", "img/a.jpg"));
        assert!(!glob_match("ab*ba", "aba"));
    }
}
