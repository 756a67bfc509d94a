//! JavaScript: no `eval`/`Function(…)` (MV3's CSP throws on them) and no remote code
//! (`importScripts`/`import` of a URL). A small lexer blanks comments first — and string
//! contents for the `eval` rule — so `// never use eval()` or `"eval("` in a string are not
//! findings. Regular-expression literals are not lexed (telling them from division needs a
//! parser); a quote inside one can at worst hide a later finding, never invent one in a string.
//!
//! Only the *global* `eval` and `Function` are refused: `eval(…)`, `window.eval(…)`,
//! `globalThis.Function(…)`. A method of another object with the same name is a different
//! function — `chrome.devtools.inspectedWindow.eval(…)` runs code in the inspected page and is
//! how a DevTools panel works — so a member call on anything but a global-object name passes,
//! as does a method definition (`class Calc { eval(src) { … } }`).

use std::sync::LazyLock;

use regex::Regex;

use super::Ctx;
use crate::ExtensionFile;

/// Names of the global object (in pages, workers and frames): a member call on one, or on a
/// chain of them (`window.top.eval(…)`), still reaches the global function.
const GLOBAL_OBJECTS: [&str; 6] = ["window", "self", "globalThis", "top", "parent", "frames"];
/// How far past `name(` a method definition's closing parenthesis is looked for.
const PARAMETERS_SCAN_BYTES: usize = 1024;

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
    if let Some(line) = global_call(&bare, "eval").map(|at| line_of(&bare, at)) {
        ctx.error("js.eval", path, format!("Line {line} calls `eval`, which MV3's CSP forbids (it throws). Parse data with JSON.parse or write the logic directly."));
    }
    if let Some(line) = global_call(&bare, "Function").map(|at| line_of(&bare, at)) {
        ctx.error("js.new_function", path, format!("Line {line} calls the `Function` constructor (`new Function(…)`), which MV3's CSP forbids (it throws). Write the function in the source instead."));
    }
    if let Some(line) = found(&STRING_TIMER, &code) {
        ctx.error("js.string_timer", path, format!("Line {line} passes a string to setTimeout/setInterval, which is eval; pass a function."));
    }
    if let Some(line) = found(&REMOTE_IMPORT, &code) {
        ctx.error("js.remote_import", path, format!("Line {line} loads a script from a URL; MV3 extensions cannot run remote code — ship the library inside the extension and import the local file."));
    }
}

/// Byte offset of the first call of the global function `name` in `bare` (comments and strings
/// blanked): `name(…)` or `window.name(…)`, with any whitespace between the tokens — not
/// another identifier ending in `name` (`my_eval(`), not a method of another object
/// (`x.eval(`, `obj?.eval(`, `getWindow().eval(`), not a method definition (`eval(src) {`).
fn global_call(bare: &str, name: &str) -> Option<usize> {
    bare.match_indices(name).map(|(at, _)| at).find(|&at| {
        let (before, after) = (&bare[..at], &bare[at + name.len()..]);
        !before.ends_with(is_identifier_char)
            && after.trim_start().starts_with('(')
            && reaches_global(before)
            && !is_method_definition(after)
    })
}

fn is_identifier_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '$'
}

/// Whether the identifier right after `before` is a global: no member access precedes it, or
/// only a chain of global-object names does (`window.`, `globalThis?.self.`). A spread (`...`)
/// is not a member access.
fn reaches_global(mut before: &str) -> bool {
    loop {
        let Some(object) = before.trim_end().strip_suffix('.') else {
            return true;
        };
        if object.ends_with('.') {
            return true;
        }
        let object = object.strip_suffix('?').unwrap_or(object).trim_end();
        let start = object.trim_end_matches(is_identifier_char).len();
        if !GLOBAL_OBJECTS.contains(&&object[start..]) {
            return false;
        }
        before = &object[..start];
    }
}

/// Whether `after` (what follows the name: `(params)`) is a parameter list followed by a body,
/// i.e. the name is being defined (`eval(src) {` in a class or object), not called.
fn is_method_definition(after: &str) -> bool {
    let mut depth = 0usize;
    for (i, c) in after
        .char_indices()
        .take_while(|(i, _)| *i < PARAMETERS_SCAN_BYTES)
    {
        match c {
            '(' => depth += 1,
            ')' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return after[i + 1..].trim_start().starts_with('{');
                }
            }
            _ => {}
        }
    }
    false
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
    use super::{blank, global_call};

    fn calls(name: &str, source: &str) -> bool {
        global_call(&blank(source, true), name).is_some()
    }

    #[test]
    fn the_global_eval_is_found_however_it_is_written() {
        for source in [
            "eval(x)",
            "const y = eval ('1');",
            "x = eval\n  (y)",
            "window.eval(x)",
            "window . eval (x)",
            "window\n  .eval(x)",
            "window /* the global */ .eval(x)",
            "globalThis.eval(x)",
            "self.eval(x)",
            "window?.eval(x)",
            "window.top.eval(x)",
            "f(...eval(x))",
            "if (eval(x)) { run(); }",
            "a = b ? eval(x) : c;",
        ] {
            assert!(calls("eval", source), "{source}");
        }
    }

    #[test]
    fn a_method_named_eval_on_another_object_is_not_eval() {
        for source in [
            "chrome.devtools.inspectedWindow.eval('location.href', (r) => show(r));",
            "chrome.devtools.inspectedWindow\n  .eval(expression, { useContentScriptContext: true })",
            "chrome.devtools . inspectedWindow /* page */ . eval(code)",
            "x.eval(1)",
            "obj?.eval(1)",
            "obj ?. eval(1)",
            "frame.window.eval(1)",
            "getWindow().eval(1)",
            "frames[0].eval(1)",
            "my_eval(1); $eval(1); evaluate(1); eval$(1);",
            "class Calc { eval(src) { return parse(src); } }",
            "const calc = { eval (src, opts) {\n return 1; } };",
            "// eval(x)\nconst s = 'eval(';\n/* window.eval( */",
        ] {
            assert!(!calls("eval", source), "{source}");
        }
    }

    #[test]
    fn the_function_constructor_is_found_but_not_a_method_of_that_name() {
        for source in [
            "const f = new Function('a', 'return a');",
            "new Function ('return 1')()",
            "const g = Function('return this')();",
            "new window.Function('x')",
            "new globalThis . Function('x')",
        ] {
            assert!(calls("Function", source), "{source}");
        }
        for source in [
            "x.Function(1)",
            "new MyFunction(1)",
            "isFunction(f)",
            "f instanceof Function",
            "Function.prototype.call.bind(f)",
            "// new Function(",
        ] {
            assert!(!calls("Function", source), "{source}");
        }
    }

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
