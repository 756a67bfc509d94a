//! Python's indentation rules, which tree-sitter's Python grammar recovers from without an
//! ERROR node: a compound statement with no indented body ("expected an indented block") and
//! a statement indented differently from the ones before it in the same block ("unexpected
//! indent", "unindent does not match"). Messages follow CPython's.

use tree_sitter::Node;

/// `(byte offset, message)` for each indentation error, in tree order.
pub(crate) fn indentation(root: Node<'_>, source: &str) -> Vec<(usize, &'static str)> {
    let mut out = Vec::new();
    let mut cursor = root.walk();
    loop {
        let node = cursor.node();
        if node.kind() == "block" && !node.is_error() {
            check_block(node, source, &mut out);
        }
        if cursor.goto_first_child() {
            continue;
        }
        loop {
            if cursor.goto_next_sibling() {
                break;
            }
            if !cursor.goto_parent() {
                return out;
            }
        }
    }
}

fn check_block(block: Node<'_>, source: &str, out: &mut Vec<(usize, &'static str)>) {
    let bytes = source.as_bytes();
    if block.start_byte() == block.end_byte() {
        // The header's colon was the last thing: report where the body should have started.
        let at = source[block.start_byte()..]
            .find('\n')
            .map_or(source.len(), |i| block.start_byte() + i + 1);
        let at = at + source[at..].len() - source[at..].trim_start().len();
        out.push((at.min(source.len()), "expected an indented block"));
        return;
    }
    let mut column: Option<usize> = None;
    let mut cursor = block.walk();
    for statement in block.named_children(&mut cursor) {
        if statement.kind() == "comment" || statement.is_error() {
            continue;
        }
        let start = statement.start_byte();
        let line_start = source[..start].rfind('\n').map_or(0, |i| i + 1);
        // Only statements that begin their line (not `if x: y` bodies or `a; b`).
        if !bytes[line_start..start]
            .iter()
            .all(|b| *b == b' ' || *b == b'\t')
        {
            continue;
        }
        let indent = start - line_start;
        match column {
            None => column = Some(indent),
            // Deeper than its block: after a deeper line it is a dedent that stopped between
            // two levels (CPython's "unindent does not match"), else an indent from nowhere.
            Some(expected) if indent > expected && previous_indent(source, line_start) > indent => {
                out.push((start, "unindent does not match any outer indentation level"));
            }
            Some(expected) if indent > expected => out.push((start, "unexpected indent")),
            Some(expected) if indent < expected => {
                out.push((start, "unindent does not match any outer indentation level"));
            }
            Some(_) => {}
        }
    }
}

/// The indentation of the last non-blank line before `line_start`.
fn previous_indent(source: &str, line_start: usize) -> usize {
    source[..line_start]
        .lines()
        .rev()
        .find(|line| !line.trim().is_empty())
        .map_or(0, |line| line.len() - line.trim_start().len())
}
