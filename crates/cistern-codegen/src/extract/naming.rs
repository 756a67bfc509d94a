//! Where a block's file name comes from: its info string, the line above it, or a path
//! comment on its first line — in that order — and the default name of a lone block.

use cistern_syntax::Language;

/// File names without an extension that are still files of a project.
const BARE_NAMES: [&str; 10] = [
    "Dockerfile",
    "Makefile",
    "Procfile",
    "LICENSE",
    "Gemfile",
    "Rakefile",
    "Justfile",
    "Containerfile",
    "Pipfile",
    "Caddyfile",
];

/// Words in front of a path in a label ("File: x", "Filename: `x`").
const LABEL_PREFIXES: [&str; 6] = [
    "file:",
    "filename:",
    "path:",
    "file name:",
    "create",
    "update",
];

/// The file path in an info string: `lang:path`, `path=…`, `file=…`, `filename=…`,
/// `title="…"`, `name=…`, a second word that is a path (`python src/main.py`) or a first word
/// that is one (`src/main.py`). Returns the raw path, not yet validated.
pub(crate) fn from_info(info: &str) -> Option<String> {
    for key in ["path", "file", "filename", "title", "name"] {
        if let Some(value) = attribute(info, key) {
            return Some(value);
        }
    }
    let mut words = info.split_whitespace();
    let first = words.next()?.trim_matches(|c| c == '{' || c == '}');
    if let Some((language, path)) = first.split_once(':')
        && !language.is_empty()
        && !language.contains(['/', '.'])
        && !path.is_empty()
    {
        return Some(path.to_owned());
    }
    if looks_like_path(first) && Language::from_name(first).is_none() {
        return Some(first.to_owned());
    }
    words
        .next()
        .filter(|word| looks_like_path(word))
        .map(str::to_owned)
}

/// `key=value`, `key="value with spaces"` or `key='value'` anywhere in the info string.
fn attribute(info: &str, key: &str) -> Option<String> {
    let lower = info.to_ascii_lowercase();
    let mut from = 0;
    while let Some(found) = lower[from..].find(key) {
        let start = from + found;
        from = start + key.len();
        let boundary = start == 0 || !lower.as_bytes()[start - 1].is_ascii_alphanumeric();
        let rest = info[from..].trim_start();
        let Some(value) = rest.strip_prefix('=').map(str::trim_start) else {
            continue;
        };
        if !boundary {
            continue;
        }
        let value = match value.chars().next() {
            Some(quote @ ('"' | '\'')) => value[1..].split(quote).next().unwrap_or(""),
            _ => value
                .split(|c: char| c.is_whitespace() || c == '}' || c == ',')
                .next()
                .unwrap_or(""),
        };
        if !value.is_empty() {
            return Some(value.to_owned());
        }
    }
    None
}

/// The path in the line above a fence: `**src/a.js**`, `` `a.js`: ``, `### src/a.js`,
/// `File: a.js`, `1. **a.js**`, `Create \`a.js\`:`. Returns `None` for prose.
pub(crate) fn from_label(label: &str) -> Option<String> {
    let text = label.trim().trim_start_matches('#').trim();
    let text = strip_list_marker(text);
    let text = text.trim_end_matches(':').trim();
    // "**src/App.jsx** (updated)": a trailing remark in parentheses.
    let text = match text.rfind(" (") {
        Some(at) if text.ends_with(')') => text[..at].trim_end(),
        _ => text,
    };
    let text = text.trim_end_matches(':').trim();
    let undecorated = strip_decoration(text);
    let mut candidate = strip_list_marker(undecorated.as_str());
    let mut declared = false;
    if let Some(rest) = strip_label_prefix(candidate) {
        declared = is_declaration(candidate);
        candidate = rest;
    }
    let candidate = strip_decoration(candidate.trim_end_matches(':'));
    let candidate = candidate.trim_end_matches(':').trim();
    if looks_like_path(candidate) || (declared && is_declared_path(candidate)) {
        return Some(candidate.to_owned());
    }
    // "Now update `src/main.rs`:" — one backticked path in a short line ending in a colon.
    if label.trim_end().ends_with(':') && label.len() < 120 {
        let quoted: Vec<&str> = label.split('`').skip(1).step_by(2).collect();
        if let [only] = quoted.as_slice()
            && looks_like_path(only)
        {
            return Some((*only).to_owned());
        }
    }
    None
}

/// Whether `text` starts with a word that declares a file name ("File:", "Path:"), after
/// which any single word is taken as the path — so `File: ~/.ssh/keys` is refused rather
/// than ignored.
fn is_declaration(text: &str) -> bool {
    LABEL_PREFIXES.iter().filter(|p| p.ends_with(':')).any(|p| {
        text.get(..p.len())
            .is_some_and(|head| head.eq_ignore_ascii_case(p))
    })
}

/// A declared path: one word, no URL.
fn is_declared_path(word: &str) -> bool {
    !word.is_empty()
        && word.len() <= 255
        && !word.contains(char::is_whitespace)
        && !word.contains("://")
}

/// `text` after a [`LABEL_PREFIXES`] word (ASCII case ignored), when it starts with one.
fn strip_label_prefix(text: &str) -> Option<&str> {
    LABEL_PREFIXES.iter().find_map(|prefix| {
        let head = text.get(..prefix.len())?;
        let after = text.get(prefix.len()..)?;
        let boundary = prefix.ends_with(':') || after.starts_with(char::is_whitespace);
        let rest = after.trim_start();
        (head.eq_ignore_ascii_case(prefix) && boundary && !rest.is_empty()).then_some(rest)
    })
}

/// `text` without a leading list marker: "-", "*", "+", "1.", "2)".
fn strip_list_marker(text: &str) -> &str {
    if let Some(rest) = text
        .strip_prefix(['-', '*', '+'])
        .filter(|r| r.starts_with(' '))
    {
        return rest.trim_start();
    }
    match text.find(['.', ')']) {
        Some(at) if at > 0 && at < 4 && text[..at].bytes().all(|b| b.is_ascii_digit()) => {
            text[at + 1..].trim_start()
        }
        _ => text,
    }
}

/// Removes Markdown emphasis and code marks around a label.
fn strip_decoration(text: &str) -> String {
    text.trim_matches(|c| matches!(c, '*' | '_' | '`' | '"' | ' '))
        .to_owned()
}

/// A path comment on the first line of a block: `// src/a.js`, `# app/main.py`,
/// `<!-- index.html -->`, `/* style.css */`, `-- db.sql`, optionally `File: …` inside.
/// Returns the path and the content with that line removed.
pub(crate) fn from_first_line(content: &str) -> Option<(String, String)> {
    let (first, rest) = content.split_once('\n').unwrap_or((content, ""));
    let line = first.trim();
    if line.starts_with("#!") {
        return None;
    }
    let inner = ["//", "#", "--", ";"]
        .iter()
        .find_map(|open| line.strip_prefix(open))
        .or_else(|| {
            line.strip_prefix("<!--")
                .and_then(|l| l.strip_suffix("-->"))
        })
        .or_else(|| line.strip_prefix("/*").and_then(|l| l.strip_suffix("*/")))?;
    let mut inner = inner.trim();
    let mut declared = false;
    if let Some(rest) = strip_label_prefix(inner) {
        declared = is_declaration(inner);
        inner = rest;
    }
    let inner = inner.trim_matches('`');
    let path_like = looks_like_path(inner) && (inner.contains('.') || inner.contains('/'));
    (path_like || (declared && is_declared_path(inner)))
        .then(|| (inner.to_owned(), rest.to_owned()))
}

/// Whether a word reads as a file path: no spaces or URL scheme, and either a file
/// extension, a directory, or a well-known bare name.
pub(crate) fn looks_like_path(word: &str) -> bool {
    if word.is_empty()
        || word.len() > 200
        || word.contains(char::is_whitespace)
        || word.contains("://")
    {
        return false;
    }
    if !word
        .chars()
        .all(|c| c.is_alphanumeric() || "._-/\\@+~$:[]()".contains(c))
    {
        return false;
    }
    let name = word.rsplit(['/', '\\']).next().unwrap_or(word);
    if BARE_NAMES.contains(&name) || (name.starts_with('.') && name.len() > 1) {
        return true;
    }
    match name.rsplit_once('.') {
        Some((stem, extension)) => {
            !stem.is_empty()
                && (1..=10).contains(&extension.len())
                && extension.chars().all(|c| c.is_ascii_alphanumeric())
                && extension.chars().any(|c| c.is_ascii_alphabetic())
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn info_strings() {
        let cases = [
            ("python:src/main.py", Some("src/main.py")),
            ("js path=src/a.js", Some("src/a.js")),
            ("tsx title=\"src/App.tsx\"", Some("src/App.tsx")),
            ("json filename='package.json'", Some("package.json")),
            ("{.python file=app.py}", Some("app.py")),
            ("python src/main.py", Some("src/main.py")),
            ("src/main.py", Some("src/main.py")),
            ("Dockerfile", Some("Dockerfile")),
            ("python", None),
            ("json", None),
            ("js filepath=x", None),
            ("", None),
        ];
        for (info, path) in cases {
            assert_eq!(from_info(info).as_deref(), path, "{info}");
        }
    }

    #[test]
    fn labels_above_a_fence() {
        let cases = [
            ("**src/App.jsx**", Some("src/App.jsx")),
            ("`src/App.jsx`:", Some("src/App.jsx")),
            ("### src/App.jsx", Some("src/App.jsx")),
            ("## File: `server.js`", Some("server.js")),
            ("File: app/main.py", Some("app/main.py")),
            ("**File: package.json**", Some("package.json")),
            ("1. **index.html**", Some("index.html")),
            ("- `style.css`", Some("style.css")),
            ("Now update `src/main.rs`:", Some("src/main.rs")),
            ("Dockerfile:", Some("Dockerfile")),
            ("**createApp.js**", Some("createApp.js")),
            ("Create src/db.py:", Some("src/db.py")),
            (
                "File: `~/.ssh/authorized_keys`",
                Some("~/.ssh/authorized_keys"),
            ),
            ("Path: bin/run", Some("bin/run")),
            ("Here is the code:", None),
            ("Run it with:", None),
            ("See https://example.com/a.js", None),
            ("Install the deps (see `package.json`) and run", None),
        ];
        for (label, path) in cases {
            assert_eq!(from_label(label).as_deref(), path, "{label}");
        }
    }

    #[test]
    fn first_line_comments() {
        let (path, rest) = from_first_line("// src/a.js\nlet a;\n").unwrap_or_default();
        assert_eq!((path.as_str(), rest.as_str()), ("src/a.js", "let a;\n"));
        assert_eq!(
            from_first_line("# app/main.py\nx\n")
                .map(|p| p.0)
                .as_deref(),
            Some("app/main.py")
        );
        assert_eq!(
            from_first_line("<!-- index.html -->\n<p>")
                .map(|p| p.0)
                .as_deref(),
            Some("index.html")
        );
        assert_eq!(
            from_first_line("/* File: style.css */\nb{}")
                .map(|p| p.0)
                .as_deref(),
            Some("style.css")
        );
        assert_eq!(from_first_line("#!/usr/bin/env python\n"), None);
        assert_eq!(from_first_line("# Compute the totals\nx = 1\n"), None);
        assert_eq!(from_first_line("// TODO: fix.\n"), None);
    }
}
