//! Cut-off replies: telling that a reply stopped early, and stitching the model's
//! continuation onto it.
//!
//! The app asks the model to "continue exactly where you stopped" and passes both parts to
//! [`stitch`]. Models rarely continue byte-exactly; [`stitch`] undoes what they typically do:
//! - **re-open the fence**: the continuation starts with ```` ```python ```` although the
//!   reply was cut inside that block — the fence line is dropped (with a short lead-in line
//!   such as "Continuing from where I left off:" before it). A bare ```` ``` ```` is ambiguous
//!   (a re-opening or the block's real closing fence): the reading that leaves the stitched
//!   reply with balanced fences wins; when neither does, a reply cut mid-line takes it as a
//!   re-opening, a reply cut at a line end as the closing fence.
//! - **rewrite a cut fence line**: the reply ends with `` ```pyth ``, the continuation starts
//!   with `` ```python `` — the fence line is taken once, from the continuation.
//! - **repeat the partial last line**: the reply ends with `    retu`, the continuation starts
//!   with `    return x` (or `return x`) — the partial line is replaced, keeping its indent.
//! - **repeat whole lines**: the continuation starts with the reply's last lines — the longest
//!   such overlap (starting at a line start, at least [`MIN_LINE_OVERLAP`] non-blank
//!   characters) is kept once.

use crate::extract::{ends_inside_fence, fence_of};

/// Shortest repeated run of whole lines taken for an overlap, in non-whitespace characters
/// (shorter runs, such as a lone `}`, repeat legitimately).
pub const MIN_LINE_OVERLAP: usize = 8;
/// How far back in the reply an overlap is looked for, in lines.
const OVERLAP_LINES: usize = 40;

/// Whether a reply was cut off: the provider's finish reason says length (`length`,
/// `max_tokens`, `MAX_TOKENS`), or the reply ends inside a fenced block.
pub fn is_cut_off(reply: &str, finish_reason: Option<&str>) -> bool {
    let by_length = finish_reason.is_some_and(|reason| {
        matches!(
            reason.to_ascii_lowercase().as_str(),
            "length" | "max_tokens"
        )
    });
    by_length || ends_inside_fence(reply)
}

/// `previous` followed by `continuation`, without what the model repeated.
pub fn stitch(previous: &str, continuation: &str) -> String {
    let continuation = continuation.replace("\r\n", "\n");
    let previous = previous.replace("\r\n", "\n");
    let mut rest = continuation.as_str();
    // A restarted partial line (`    retu` → `    return x`, a cut fence line `` ```pyth ``
    // → `` ```python ``) comes first: the continuation's first line then is that line, even
    // when it is a fence.
    let line_start = previous.rfind('\n').map_or(0, |i| i + 1);
    if restarts(&previous[line_start..], rest) {
        let mut out = previous[..line_start].to_owned();
        out.push_str(rest);
        return out;
    }
    if ends_inside_fence(&previous) {
        rest = drop_reopened_fence(&previous, rest);
    }
    let (kept, rest) = drop_overlap(&previous, rest);
    let mut out = String::with_capacity(kept.len() + rest.len());
    out.push_str(kept);
    out.push_str(rest);
    out
}

/// The continuation without a fence line that re-opens the block `previous` was cut in.
fn drop_reopened_fence<'a>(previous: &str, continuation: &'a str) -> &'a str {
    let mut lines = continuation.split_inclusive('\n');
    let mut consumed = 0;
    // At most two lead-in lines of prose before the fence.
    for _ in 0..3 {
        let Some(line) = lines.next() else {
            return continuation;
        };
        if fence_of(line).is_some() {
            let after = &continuation[consumed + line.len()..];
            let has_info = !line.trim().trim_start_matches(['`', '~']).trim().is_empty();
            if has_info || consumed > 0 {
                return after;
            }
            return if prefer_reopening(previous, after, continuation) {
                after
            } else {
                continuation
            };
        }
        if !is_lead_in(line) {
            return continuation;
        }
        consumed += line.len();
    }
    continuation
}

/// Whether a bare fence opening the continuation re-opens the block (see the module doc).
fn prefer_reopening(previous: &str, without: &str, with: &str) -> bool {
    let reopened = !ends_inside_fence(&format!("{previous}{without}"));
    let closed = !ends_inside_fence(&format!("{previous}{with}"));
    match (reopened, closed) {
        (true, false) => true,
        (false, true) => false,
        _ => !previous.ends_with('\n'),
    }
}

/// Whether `continuation` starts by writing the cut-off line `partial` again. A partial line
/// of one or two characters is too short to tell a restart from a continuation that happens
/// to begin with the same letters, unless it is only indentation or a cut fence (`` `` ``).
fn restarts(partial: &str, continuation: &str) -> bool {
    !partial.is_empty()
        && (partial.len() >= 3
            || partial.trim().is_empty()
            || partial.chars().all(|c| c == '`' || c == '~'))
        && continuation.starts_with(partial)
}

/// A line a model puts before resuming: blank, or short prose about continuing.
fn is_lead_in(line: &str) -> bool {
    let lower = line.trim().to_ascii_lowercase();
    lower.is_empty()
        || (lower.len() < 100
            && (lower.contains("continu")
                || lower.contains("left off")
                || lower.contains("rest of")))
}

/// Splits off what `continuation` repeats of `previous`: returns the part of `previous` to
/// keep and the part of `continuation` to append.
fn drop_overlap<'a, 'b>(previous: &'a str, continuation: &'b str) -> (&'a str, &'b str) {
    let line_start = previous.rfind('\n').map_or(0, |i| i + 1);
    let partial = &previous[line_start..];
    // Whole lines (and the partial one) repeated: the earliest line start that matches.
    let starts: Vec<usize> = std::iter::once(0)
        .chain(previous.match_indices('\n').map(|(i, _)| i + 1))
        .filter(|&i| i < previous.len())
        .collect();
    for &start in starts.iter().rev().take(OVERLAP_LINES).rev() {
        let tail = &previous[start..];
        let weight = tail.chars().filter(|c| !c.is_whitespace()).count();
        let whole_lines = start < line_start || partial.is_empty();
        if whole_lines && weight >= MIN_LINE_OVERLAP && continuation.starts_with(tail) {
            return (&previous[..start], continuation);
        }
    }
    // The partial last line restarted, with or without its indentation.
    if !partial.is_empty() {
        if restarts(partial, continuation) {
            return (&previous[..line_start], continuation);
        }
        let bare = partial.trim_start();
        if bare.len() >= 3 && bare.len() < partial.len() && continuation.starts_with(bare) {
            return (
                &previous[..line_start + partial.len() - bare.len()],
                continuation,
            );
        }
    }
    (previous, continuation)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::extract;

    const START: &str = "**main.py**\n```python\ndef f(x):\n    total = 0\n    for i in range(x):\n        total += i\n    retu";

    #[test]
    fn cut_off_is_detected_from_the_finish_reason_or_an_open_fence() {
        assert!(is_cut_off(START, None));
        assert!(is_cut_off("all done", Some("length")));
        assert!(is_cut_off("all done", Some("MAX_TOKENS")));
        assert!(!is_cut_off("```py\nx\n```\n", Some("stop")));
    }

    #[test]
    fn an_exact_continuation_is_appended() {
        let stitched = stitch(START, "rn total\n```\n");
        assert!(stitched.ends_with("    return total\n```\n"), "{stitched}");
    }

    #[test]
    fn a_repeated_partial_line_is_replaced() {
        let stitched = stitch(START, "    return total\n```\n");
        assert!(
            stitched.ends_with("        total += i\n    return total\n```\n"),
            "{stitched}"
        );
        let unindented = stitch(START, "return total\n```\n");
        assert!(
            unindented.ends_with("        total += i\n    return total\n```\n"),
            "{unindented}"
        );
    }

    #[test]
    fn a_reopened_fence_is_dropped() {
        let stitched = stitch(START, "```python\n    return total\n```\n");
        assert!(
            stitched.ends_with("        total += i\n    return total\n```\n"),
            "{stitched}"
        );
        let lead_in = stitch(
            START,
            "Continuing from where I left off:\n\n```python\n    return total\n```\n",
        );
        assert_eq!(stitched, lead_in);
        let files = extract(&stitched).unwrap_or_else(|e| panic!("{e}"));
        assert!(files.files[0].content.ends_with("    return total\n"));
    }

    #[test]
    fn a_bare_fence_reopening_or_closing_is_told_apart() {
        let cut_at_line_end = "**a.py**\n```python\nx = 1\n";
        // The closing fence, then another file.
        let closing = stitch(cut_at_line_end, "```\n\n**b.py**\n```python\ny = 2\n```\n");
        let names: Vec<_> = extract(&closing)
            .map(|e| e.files.len())
            .into_iter()
            .collect();
        assert_eq!(names, [2], "{closing}");
        // A re-opening of the same block.
        let reopening = stitch(cut_at_line_end, "```\ny = 2\n```\n");
        let extraction = extract(&reopening).unwrap_or_else(|e| panic!("{e}: {reopening}"));
        assert_eq!(extraction.files[0].content, "x = 1\ny = 2\n");
    }

    #[test]
    fn a_fence_line_cut_in_the_middle() {
        let previous = "**a.py**\n```pyth";
        assert_eq!(
            stitch(previous, "```python\nx = 1\n```\n"),
            "**a.py**\n```python\nx = 1\n```\n"
        );
        assert_eq!(
            stitch(previous, "on\nx = 1\n```\n"),
            "**a.py**\n```python\nx = 1\n```\n"
        );
        let closing = "**a.py**\n```python\nx = 1\n``";
        let stitched = stitch(closing, "```\n\n**b.py**\n```python\ny = 2\n```\n");
        assert_eq!(
            extract(&stitched).map(|e| e.files.len()),
            Ok(2),
            "{stitched}"
        );
    }

    #[test]
    fn a_short_partial_line_is_continued_not_replaced() {
        assert_eq!(
            stitch(
                "```js
x",
                "xy = 1;\n```\n"
            ),
            "```js\nxxy = 1;\n```\n"
        );
    }

    #[test]
    fn repeated_whole_lines_are_kept_once() {
        let previous = "**a.js**\n```js\nfunction add(a, b) {\n  return a + b;\n";
        let stitched = stitch(previous, "  return a + b;\n}\n```\n");
        assert_eq!(
            stitched,
            "**a.js**\n```js\nfunction add(a, b) {\n  return a + b;\n}\n```\n"
        );
    }

    #[test]
    fn short_repeated_lines_are_not_mistaken_for_overlap() {
        let previous = "```js\nif (a) {\n  if (b) {\n  }\n";
        let stitched = stitch(previous, "  }\n}\n```\n");
        assert_eq!(stitched, "```js\nif (a) {\n  if (b) {\n  }\n  }\n}\n```\n");
    }
}
