//! JavaScript: no `eval`/`new Function` (MV3's CSP throws on them) and no remote code
//! (`importScripts`/`import` of a URL). A small lexer blanks comments first — and string
//! contents for the `eval` rule — so `// never use eval()` or `"eval("` in a string are not
//! findings. Regular-expression literals are not lexed (telling them from division needs a
//! parser); a quote inside one can at worst hide a later finding, never invent one in a string.

use std::sync::LazyLock;

use regex::Regex;

use super::Ctx;
use crate::ExtensionFile;

static EVAL: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"(?:^|[^\w$.])eval\s*\(|\.eval\s*\(").ok());
static NEW_FUNCTION: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"\bnew\s+Function\s*\(").ok());
static STRING_TIMER: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r#"\bset(?:Timeout|Interval)\s*\(\s*['"`]"#).ok());
static REMOTE_IMPORT: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(r#"(?:\bimportScripts\s*\(|\bimport\s*\(|\bfrom|\bimport)\s*['"`](?:https?:)?//"#)
        .ok()
});

/// Checks one script file.
pub(crate) fn check(file: &ExtensionFile, ctx: &mut Ctx<'_>) {
    let Some(source) = file.text() else {
        ctx.warn(
            "js.not_utf8",
            Some(&file.path),
            "This script is not UTF-8 text; Chrome expects UTF-8.",
        );
        return;
    };
    let path = Some(file.path.as_str());
    let code = blank(source, false);
    let bare = blank(source, true);
    let found = |re: &LazyLock<Option<Regex>>, text: &str| {
        re.as_ref()
            .and_then(|re| re.find(text))
            .map(|m| line_of(text, m.start()))
    };
    if let Some(line) = found(&EVAL, &bare) {
        ctx.error("js.eval", path, format!("Line {line} calls `eval`, which MV3's CSP forbids (it throws). Parse data with JSON.parse or write the logic directly."));
    }
    if let Some(line) = found(&NEW_FUNCTION, &bare) {
        ctx.error("js.new_function", path, format!("Line {line} uses `new Function(…)`, which MV3's CSP forbids (it throws). Write the function in the source instead."));
    }
    if let Some(line) = found(&STRING_TIMER, &code) {
        ctx.error("js.string_timer", path, format!("Line {line} passes a string to setTimeout/setInterval, which is eval; pass a function."));
    }
    if let Some(line) = found(&REMOTE_IMPORT, &code) {
        ctx.error("js.remote_import", path, format!("Line {line} loads a script from a URL; MV3 extensions cannot run remote code — ship the library inside the extension and import the local file."));
    }
}

/// 1-based line of a byte offset.
fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// Replaces comments (and, with `strings`, string and template contents) by spaces, keeping
/// every newline and the quotes themselves, so offsets and line numbers stay the same.
fn blank(source: &str, strings: bool) -> String {
    #[derive(PartialEq)]
    enum S {
        Code,
        Line,
        Block,
        Str(char),
    }
    let mut out = String::with_capacity(source.len());
    let mut state = S::Code;
    let mut chars = source.chars().peekable();
    while let Some(c) = chars.next() {
        let keep_or_blank =
            |c: char, out: &mut String| out.push(if c == '\n' { '\n' } else { ' ' });
        match state {
            S::Code => match c {
                '/' if chars.peek() == Some(&'/') => {
                    state = S::Line;
                    out.push(' ');
                }
                '/' if chars.peek() == Some(&'*') => {
                    state = S::Block;
                    out.push(' ');
                }
                '"' | '\'' | '`' => {
                    state = S::Str(c);
                    out.push(c);
                }
                _ => out.push(c),
            },
            S::Line => {
                if c == '\n' {
                    state = S::Code;
                }
                keep_or_blank(c, &mut out);
            }
            S::Block => {
                if c == '*' && chars.peek() == Some(&'/') {
                    chars.next();
                    out.push_str("  ");
                    state = S::Code;
                } else {
                    keep_or_blank(c, &mut out);
                }
            }
            S::Str(q) => {
                if c == '\\' {
                    let next = chars.next();
                    for ch in std::iter::once(c).chain(next) {
                        if strings {
                            keep_or_blank(ch, &mut out)
                        } else {
                            out.push(ch)
                        }
                    }
                } else if c == q || (c == '\n' && q != '`') {
                    out.push(c);
                    state = S::Code;
                } else if strings {
                    keep_or_blank(c, &mut out);
                } else {
                    out.push(c);
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::blank;

    #[test]
    fn comments_and_strings_are_blanked_but_lines_kept() {
        let src = "a(); // eval(x)\nb(\"eval(\") /* new Function( */\n`x${1}`";
        let bare = blank(src, true);
        assert!(!bare.contains("eval"));
        assert!(!bare.contains("Function"));
        assert_eq!(bare.lines().count(), 3);
        assert!(blank(src, false).contains("\"eval(\""));
    }
}
