//! The agent's messages: the instructions of each mode and the context of a task — the
//! workspace's files, what the user has open, their cursor and selection, the diagnostics
//! (`lint_fix`) and their earlier rejections in this workspace.

use super::model::{Mode, Request};

/// Most characters of an open file put into the first message (the model reads the rest).
const OPEN_FILE_CHARS: usize = 12_000;
/// Most files listed in the first message.
const LISTED_FILES: usize = 200;
/// Most characters of earlier rejections.
const REJECTIONS_CHARS: usize = 4_000;

const COMMON: &str = "You are a coding agent working in the user's workspace through tools. \
Read before you change: use list_files, read_file and search to find the code that matters. \
Keep changes small and in the project's own style (indentation, naming, quotes). \
When you change code, call propose_edits with SEARCH/REPLACE blocks:\n\n\
path/to/file.py\n<<<<<<< SEARCH\nthe exact current lines, enough to be unique\n=======\nthe new lines\n>>>>>>> REPLACE\n\n\
Never write placeholders such as `# ... existing code ...` in REPLACE unless the same line is in SEARCH. \
To create a file, use an empty SEARCH. If an edit is refused, read the reason, read the file again and retry. \
When you are done, call finish with a short explanation for the user in Markdown.";

/// The system message of `mode`.
pub fn system(mode: Mode) -> String {
    let task = match mode {
        Mode::Patch => {
            "Your task: make the change the user asks for, with the fewest edits that do it completely."
        }
        Mode::Explain => {
            "Your task: answer the user's question about the code. Do not change any file: read, then call finish with the answer (Markdown, cite paths and line numbers)."
        }
        Mode::GenerateTest => {
            "Your task: write tests for the code the user names. Find how the project tests already (framework, folder, file naming) and follow it; if it has no tests, use the language's usual framework and layout (pytest in tests/, Jest or Vitest next to the source, #[cfg(test)] modules or tests/ in Rust, *_test.go in Go). Create new test files rather than changing the code under test."
        }
        Mode::LintFix => {
            "Your task: fix the problems the diagnostics below report, without changing what the code does otherwise."
        }
    };
    format!("{COMMON}\n\n{task}")
}

/// Everything the first user message says besides the prompt.
pub struct Context<'a> {
    /// The request (open files, cursor, selection).
    pub request: &'a Request,
    /// Every path of the workspace.
    pub paths: Vec<String>,
    /// Open files with their content (as far as loaded).
    pub open: Vec<(String, String)>,
    /// `lint_fix`: the diagnostics, one per line.
    pub diagnostics: Option<String>,
    /// Earlier rejected hunks of this workspace, described.
    pub rejections: Vec<String>,
}

/// The first user message: the request and its context.
pub fn user(mode: Mode, prompt: &str, ctx: &Context<'_>) -> String {
    let mut out = String::new();
    out.push_str(&format!("Workspace files ({}):\n", ctx.paths.len()));
    for path in ctx.paths.iter().take(LISTED_FILES) {
        out.push_str(&format!("- {path}\n"));
    }
    if ctx.paths.len() > LISTED_FILES {
        out.push_str(&format!(
            "- … ({} more: use list_files)\n",
            ctx.paths.len() - LISTED_FILES
        ));
    }
    for (path, content) in &ctx.open {
        let shown: String = content.chars().take(OPEN_FILE_CHARS).collect();
        let more = if shown.len() < content.len() {
            "\n(cut here: read_file for the rest)"
        } else {
            ""
        };
        out.push_str(&format!("\nOpen file {path}:\n```\n{shown}\n```{more}\n"));
    }
    if let Some(c) = &ctx.request.cursor {
        out.push_str(&format!(
            "\nThe cursor is in {} at line {}, column {}.\n",
            c.path, c.line, c.column
        ));
    }
    if let Some(s) = &ctx.request.selection {
        out.push_str(&format!(
            "\nThe user selected {} lines {}–{}.\n",
            s.path, s.start_line, s.end_line
        ));
    }
    if let Some(d) = &ctx.diagnostics {
        out.push_str(&format!("\nDiagnostics:\n{d}\n"));
    }
    if !ctx.rejections.is_empty() {
        out.push_str(
            "\nThe user rejected these earlier proposals in this workspace; do not propose them again:\n",
        );
        let mut used = 0;
        for r in &ctx.rejections {
            used += r.len();
            if used > REJECTIONS_CHARS {
                break;
            }
            out.push_str(&format!("{r}\n"));
        }
    }
    let ask = match (mode, prompt.is_empty()) {
        (Mode::LintFix, true) => "Fix the problems the diagnostics report.",
        _ => prompt,
    };
    out.push_str(&format!("\nTask ({}): {ask}", mode.as_str()));
    out
}

/// One rejected hunk, for the next task's context: where, the reason, and its lines.
pub fn rejection(path: &str, hunk_text: &str, reason: Option<&str>) -> String {
    let reason = reason.map_or(String::new(), |r| format!(" — reason: {r}"));
    format!("- {path}{reason}\n```diff\n{}\n```", hunk_text.trim_end())
}

/// The text of hunk `id` (1-based) of a unified diff, `@@` line included.
pub fn hunk_text(patch: &str, id: usize) -> Option<String> {
    let mut n = 0;
    let mut out: Option<String> = None;
    for line in patch.lines() {
        if line.starts_with("@@") {
            n += 1;
            if out.is_some() {
                break;
            }
            if n == id {
                out = Some(String::new());
            }
        }
        if let Some(text) = out.as_mut() {
            text.push_str(line);
            text.push('\n');
        }
    }
    out
}

/// A reply that wrote its edits as text, without them: the SEARCH/REPLACE blocks (with the
/// path line and the fence around them) and ```` ```diff ```` / ```` ```patch ```` fences
/// removed, for the task's explanation. What is left is the model's prose.
pub fn prose(reply: &str) -> String {
    let lines: Vec<&str> = reply.lines().collect();
    let mut keep = vec![true; lines.len()];
    let is_fence = |l: &str| l.trim_start().starts_with("```");
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i].trim();
        if line.starts_with("<<<<<<< SEARCH") {
            let end = (i..lines.len())
                .find(|&j| lines[j].trim().starts_with(">>>>>>> REPLACE"))
                .unwrap_or(lines.len() - 1);
            // Back over an opening fence and the path line before the block.
            let mut start = i;
            for _ in 0..2 {
                match start.checked_sub(1) {
                    Some(p) if is_fence(lines[p]) || is_path(lines[p]) => start = p,
                    _ => break,
                }
            }
            let mut stop = end;
            if lines.get(end + 1).is_some_and(|l| l.trim() == "```") {
                stop = end + 1;
            }
            keep[start..=stop].iter_mut().for_each(|k| *k = false);
            i = stop + 1;
            continue;
        }
        let info = line.trim_start_matches('`').trim();
        if line.starts_with("```") && (info.starts_with("diff") || info.starts_with("patch")) {
            let end = (i + 1..lines.len())
                .find(|&j| lines[j].trim() == "```")
                .unwrap_or(lines.len() - 1);
            keep[i..=end].iter_mut().for_each(|k| *k = false);
            i = end + 1;
            continue;
        }
        i += 1;
    }
    let kept: Vec<&str> = lines
        .iter()
        .zip(&keep)
        .filter_map(|(l, k)| k.then_some(*l))
        .collect();
    // Blank runs left where blocks were become one blank line.
    let mut out = String::new();
    let mut blank = false;
    for line in kept {
        if line.trim().is_empty() {
            blank = !out.is_empty();
            continue;
        }
        if blank {
            out.push('\n');
            blank = false;
        }
        out.push_str(line);
        out.push('\n');
    }
    out.trim_end().to_owned()
}

/// A line that is only a file path (`src/app.py`, `**app.py**`, `` `app.py`: ``).
fn is_path(line: &str) -> bool {
    let t = line
        .trim()
        .trim_matches(|c| matches!(c, '*' | '`' | ':' | '#' | ' '));
    !t.is_empty() && !t.contains(' ') && (t.contains('.') || t.contains('/'))
}

#[cfg(test)]
mod tests {
    use super::prose;

    #[test]
    fn the_edits_written_as_text_are_left_out_of_the_explanation() {
        let reply = "I made the greeting louder.\n\napp.py\n```python\n<<<<<<< SEARCH\n    return 'hi'\n=======\n    return 'HI'\n>>>>>>> REPLACE\n```\n\n**app.py**\n<<<<<<< SEARCH\nx = 1\n=======\nx = 2\n>>>>>>> REPLACE\n\nAnd a diff:\n```diff\n--- a/b.py\n+++ b/b.py\n@@ -1 +1 @@\n-a\n+b\n```\nDone.";
        assert_eq!(
            prose(reply),
            "I made the greeting louder.\n\nAnd a diff:\nDone."
        );
        assert_eq!(prose("Just words."), "Just words.");
    }
}
