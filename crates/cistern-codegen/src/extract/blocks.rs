//! Fenced code blocks of a CommonMark reply, with what surrounds them.
//!
//! pulldown-cmark decides what is a block (fences of any length, backticks or tildes, inside
//! lists and quotes; indented code is left out: prose indented by four spaces is not a file).
//! This module adds what CommonMark does not say: whether the closing fence was really
//! written, and the line just before the fence (where models name the file).

use std::ops::Range;

use pulldown_cmark::{CodeBlockKind, Event, Parser, Tag, TagEnd};

/// A fenced code block as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Block {
    /// The info string after the opening fence, trimmed (`python:src/main.py`).
    pub info: String,
    /// The code, container prefixes removed, ending with a newline unless empty.
    pub content: String,
    /// 1-based line of the opening fence in the reply.
    pub line: usize,
    /// The closest non-blank line above the fence (at most one blank line between), when
    /// it is not inside an earlier block.
    pub label: Option<String>,
    /// `false` when the reply ends inside this block (no closing fence before the end).
    pub closed: bool,
}

/// Every fenced block in `reply` (which uses `\n` line ends), in order.
pub(crate) fn fenced_blocks(reply: &str) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut current: Option<(String, Range<usize>, String)> = None;
    let mut previous_end = 0;
    // Lines are counted incrementally: recounting from the start for each block would make a
    // reply with many blocks quadratic.
    let (mut counted_to, mut line_count) = (0usize, 1usize);
    for (event, range) in Parser::new(reply).into_offset_iter() {
        match event {
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info))) => {
                current = Some((info.trim().to_owned(), range, String::new()));
            }
            Event::Text(text) => {
                if let Some((_, _, content)) = current.as_mut() {
                    content.push_str(&text);
                }
            }
            Event::End(TagEnd::CodeBlock) => {
                let Some((info, range, content)) = current.take() else {
                    continue;
                };
                line_count += newlines(&reply.as_bytes()[counted_to..range.start]);
                counted_to = range.start;
                let line = line_count;
                let label = label_above(reply, previous_end, range.start);
                let closed =
                    has_closing_fence(&reply[range.clone()]) || range.end < reply.trim_end().len();
                previous_end = range.end;
                blocks.push(Block {
                    info,
                    content,
                    line,
                    label,
                    closed,
                });
            }
            _ => {}
        }
    }
    blocks
}

fn newlines(bytes: &[u8]) -> usize {
    bytes.iter().filter(|b| **b == b'\n').count()
}

/// Whether `reply` ends inside a fenced block (the model was cut off mid-file).
pub(crate) fn ends_inside_fence(reply: &str) -> bool {
    fenced_blocks(reply)
        .last()
        .is_some_and(|block| !block.closed)
}

/// The fence characters opening a block's source (after container prefixes), e.g. "````".
pub(crate) fn fence_of(line: &str) -> Option<(char, usize)> {
    let stripped = strip_container(line);
    let marker = stripped.chars().next().filter(|c| matches!(c, '`' | '~'))?;
    let count = stripped.chars().take_while(|c| *c == marker).count();
    (count >= 3).then_some((marker, count))
}

/// Removes the indentation and `>` quote markers in front of a line.
fn strip_container(line: &str) -> &str {
    line.trim_start_matches([' ', '\t', '>'])
}

/// Whether a block's source ends with a closing fence matching its opening one.
fn has_closing_fence(source: &str) -> bool {
    let mut lines = source.trim_end_matches('\n').lines();
    let Some((marker, count)) = lines.next().and_then(fence_of) else {
        return false;
    };
    let Some(last) = lines.next_back() else {
        return false;
    };
    let last = strip_container(last);
    let run = last.chars().take_while(|c| *c == marker).count();
    run >= count && last[run..].trim().is_empty()
}

/// The closest non-blank line above `start`, skipping at most one blank line, and never
/// reaching back before `floor` (the end of the previous block).
fn label_above(reply: &str, floor: usize, start: usize) -> Option<String> {
    let before = reply.get(floor..start)?;
    // `start` may sit after a list marker on the fence's own line ("1. ```js").
    let before = before.rsplit_once('\n').map_or("", |(head, _)| head);
    let mut blanks = 0;
    for line in before.rsplit('\n') {
        let line = line.trim();
        if !line.is_empty() {
            return Some(line.to_owned());
        }
        blanks += 1;
        if blanks > 1 {
            return None;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fences_of_any_length_and_kind() {
        let reply = "a\n\n```py\nx = 1\n```\n\n~~~~ js\nlet a;\n~~~~\n";
        let blocks = fenced_blocks(reply);
        assert_eq!(blocks.len(), 2);
        assert_eq!(
            (blocks[0].info.as_str(), blocks[0].content.as_str()),
            ("py", "x = 1\n")
        );
        assert_eq!((blocks[1].info.as_str(), blocks[1].line), ("js", 7));
        assert!(blocks.iter().all(|b| b.closed));
    }

    #[test]
    fn a_longer_fence_holds_a_shorter_one() {
        let reply = "````markdown\n# App\n```bash\nnpm start\n```\n````\n";
        let blocks = fenced_blocks(reply);
        assert_eq!(blocks.len(), 1);
        assert_eq!(blocks[0].content, "# App\n```bash\nnpm start\n```\n");
    }

    #[test]
    fn indented_code_is_not_a_block() {
        assert!(fenced_blocks("Text\n\n    indented code\n").is_empty());
    }

    #[test]
    fn an_unclosed_fence_at_the_end_is_open() {
        let blocks = fenced_blocks("**a.py**\n```python\nprint(1\n");
        assert!(!blocks[0].closed);
        assert!(ends_inside_fence("```python\nprint(1)\n"));
        assert!(!ends_inside_fence("```python\nprint(1)\n```"));
        assert!(ends_inside_fence("```python"));
        assert!(ends_inside_fence("````\n```\n"));
    }

    #[test]
    fn the_label_is_the_line_above() {
        let reply =
            "Intro\n\n**src/a.js**\n```js\n1\n```\n`b.js`:\n\n```js\n2\n```\n```js\n3\n```\n";
        let labels: Vec<_> = fenced_blocks(reply).into_iter().map(|b| b.label).collect();
        assert_eq!(
            labels,
            [Some("**src/a.js**".into()), Some("`b.js`:".into()), None]
        );
    }

    #[test]
    fn blocks_in_lists_and_quotes() {
        let reply = "1. `a.py`\n   ```py\n   x = 1\n   ```\n> ```js\n> y\n> ```\n";
        let blocks = fenced_blocks(reply);
        assert_eq!(blocks.len(), 2);
        assert_eq!(blocks[0].content, "x = 1\n");
        assert_eq!(blocks[0].label.as_deref(), Some("1. `a.py`"));
        assert!(blocks.iter().all(|b| b.closed));
    }
}
