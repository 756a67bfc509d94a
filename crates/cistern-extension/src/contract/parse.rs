//! Parsing the model's tool arguments. Code inside JSON is where models fail most: raw
//! newlines (escaped here and parsed again — they can only mean a newline) or quotes inside strings, output cut off at the token limit, arguments encoded
//! twice, a Markdown fence around the JSON. Each failure gets an [`ArgumentsError`] whose
//! message tells the model exactly what to do differently in the repair round.

use serde::{Deserialize, Serialize};
use serde_json::error::Category;

use super::Submission;

/// What kind of failure, for metrics and for choosing between a repair round and giving up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ArgumentsErrorKind {
    /// No arguments at all.
    Empty,
    /// The JSON ends before it is complete — usually the output token limit.
    Truncated,
    /// Not JSON — usually an unescaped newline or quote inside a file's content.
    Syntax,
    /// Valid JSON of the wrong shape: a missing, unknown or mistyped field.
    Shape,
}

/// The model's arguments could not be parsed; `Display` is the message for the model.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{message}")]
pub struct ArgumentsError {
    /// The kind of failure.
    pub kind: ArgumentsErrorKind,
    /// Where the parser stopped (1-based), when known.
    pub line: Option<usize>,
    /// Column of that position (1-based), when known.
    pub column: Option<usize>,
    /// What went wrong and how to fix it, addressed to the model.
    pub message: String,
}

impl ArgumentsError {
    /// The user message of a repair round for this failure.
    pub fn repair_prompt(&self) -> String {
        format!(
            "Your `submit_extension` call could not be used: {self}\nCall `submit_extension` again with valid arguments."
        )
    }
}

/// Parses the raw `arguments` string of a `submit_extension` call. What the blueprint left out
/// and the submitted files tell is filled in ([`Submission::fill_in`]).
pub fn parse_submission(arguments: &str) -> Result<Submission, ArgumentsError> {
    let text = strip_fence(arguments.trim());
    if text.is_empty() {
        return Err(error(
            ArgumentsErrorKind::Empty,
            None,
            "the tool call had no arguments. Send the JSON object with `blueprint` and `files`."
                .into(),
        ));
    }
    // Some models encode the arguments twice: a JSON string holding the JSON object.
    if text.starts_with('"')
        && let Ok(inner) = serde_json::from_str::<String>(text)
    {
        return parse_submission(&inner);
    }
    let mut submission = match serde_json::from_str::<Submission>(text) {
        Ok(submission) => submission,
        // A raw newline or tab inside a string can only mean that character: escape it and
        // try again rather than spend a repair round on it.
        Err(e)
            if e.classify() == Category::Syntax && e.to_string().contains("control character") =>
        {
            serde_json::from_str::<Submission>(&escape_raw_controls(text))
                .map_err(|e2| classify(&e2))?
        }
        Err(e) => return Err(classify(&e)),
    };
    submission.fill_in();
    Ok(submission)
}

/// Escapes control characters that appear raw inside JSON strings (outside strings they are
/// whitespace or errors, and are left alone).
fn escape_raw_controls(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 64);
    let (mut in_string, mut escaped) = (false, false);
    for c in text.chars() {
        if in_string && !escaped && c.is_control() {
            match c {
                '\n' => out.push_str("\\n"),
                '\r' => out.push_str("\\r"),
                '\t' => out.push_str("\\t"),
                c => out.push_str(&format!("\\u{:04x}", c as u32)),
            }
            continue;
        }
        out.push(c);
        if escaped {
            escaped = false;
        } else if in_string && c == '\\' {
            escaped = true;
        } else if c == '"' {
            in_string = !in_string;
        }
    }
    out
}

fn classify(e: &serde_json::Error) -> ArgumentsError {
    let at = Some((e.line(), e.column()));
    let (kind, hint) = match e.classify() {
        Category::Eof => (
            ArgumentsErrorKind::Truncated,
            format!(
                "the arguments end at line {} column {} before the JSON is complete — the output was probably cut off. Send fewer or shorter files (no comments, no unused code) so the whole call fits.",
                e.line(),
                e.column()
            ),
        ),
        Category::Syntax | Category::Io => {
            let raw = e.to_string();
            let escape = if raw.contains("control character") {
                " A raw newline or tab inside a string: inside `content`, write newlines as \\n, tabs as \\t."
            } else {
                " Inside `content`, escape every double quote as \\\" and every backslash as \\\\."
            };
            (
                ArgumentsErrorKind::Syntax,
                format!("the arguments are not valid JSON ({raw}).{escape}"),
            )
        }
        Category::Data => (
            ArgumentsErrorKind::Shape,
            format!(
                "the arguments do not match the `submit_extension` schema ({e}). Send exactly `blueprint` {{purpose, features, permissions: [{{permission, reason}}], file_plan: [{{path, role}}], change_kind}} and `files` [{{path, content}}]."
            ),
        ),
    };
    error(kind, at, hint)
}

fn error(kind: ArgumentsErrorKind, at: Option<(usize, usize)>, message: String) -> ArgumentsError {
    ArgumentsError {
        kind,
        line: at.map(|a| a.0),
        column: at.map(|a| a.1),
        message,
    }
}

/// Removes a Markdown code fence wrapped around the whole text (```json … ```).
fn strip_fence(text: &str) -> &str {
    let Some(rest) = text.strip_prefix("```") else {
        return text;
    };
    let Some((_, body)) = rest.split_once('\n') else {
        return text;
    };
    body.trim_end().strip_suffix("```").unwrap_or(body).trim()
}
