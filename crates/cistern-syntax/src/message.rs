//! Messages for ERROR and MISSING nodes that say what is wrong in the source's own terms.
//!
//! An ERROR node wraps everything the parser could not fit, often starting well before the
//! real mistake (a whole `function f( { … }`). To point at the culprit, the leaves from the
//! ERROR's start on are replayed against the grammar's parse table: the first leaf that is not
//! a valid lookahead in the state after the leaf before it is what the parser choked on. When
//! that leaf opens a line and `;` would have been accepted after the previous leaf, the
//! mistake is reported as a missing `;` at the end of the line before.

use tree_sitter::{Language, Node};

/// Longest token quoted in a message, in characters.
const QUOTE_MAX: usize = 24;
/// Most "expected" alternatives named in a message.
const EXPECTED_MAX: usize = 3;

/// Where a problem node is reported (a byte offset) and what to say about it.
pub(crate) fn describe(node: Node<'_>, leaves: &[Node<'_>], source: &str) -> (usize, String) {
    if node.is_missing() {
        return (node.start_byte(), missing(node));
    }
    let language = node.language();
    let language: &Language = &language;
    let first = leaves.partition_point(|leaf| leaf.start_byte() < node.start_byte());
    // Leaves inside the ERROR node, and the one after it.
    let end = leaves.partition_point(|leaf| leaf.start_byte() < node.end_byte());
    let window = first..(end + 1).min(leaves.len());
    for index in window.clone() {
        let Some(previous) = index.checked_sub(1).map(|i| leaves[i]) else {
            continue;
        };
        let leaf = leaves[index];
        let state = previous.next_parse_state();
        if state == 0 || accepts(language, state, leaf.grammar_id()) {
            continue;
        }
        let starts_line = previous.end_position().row < leaf.start_position().row;
        let semicolon = language.id_for_node_kind(";", false);
        if starts_line && semicolon != 0 && accepts(language, state, semicolon) {
            return (previous.end_byte(), "missing `;`".to_owned());
        }
        return (
            leaf.start_byte(),
            unexpected(leaf, source, &expected(language, state)),
        );
    }
    if end == first + 1 {
        // One stray token the parse table cannot judge (state 0): that is the culprit.
        return (
            leaves[first].start_byte(),
            unexpected(leaves[first], source, &[]),
        );
    }
    // A closing bracket left over at the end: the classic unmatched `)`.
    if let Some(last) = node.child(node.child_count().saturating_sub(1))
        && last.child_count() == 0
        && matches!(last.kind(), ")" | "]" | "}")
    {
        return (last.start_byte(), unexpected(last, source, &[]));
    }
    // Every token fitted: the input stopped before a construct was closed.
    if node.end_byte() >= source.trim_end().len() {
        return (source.trim_end().len(), "unexpected end of file".to_owned());
    }
    match window.clone().next().map(|i| leaves[i]) {
        Some(leaf) if leaf.end_byte() <= node.end_byte() => {
            (leaf.start_byte(), unexpected(leaf, source, &[]))
        }
        _ => (node.start_byte(), "unexpected end of file".to_owned()),
    }
}

fn unexpected(leaf: Node<'_>, source: &str, expected: &[String]) -> String {
    let text = source.get(leaf.byte_range()).unwrap_or("").trim();
    let mut message = if text.is_empty() {
        "unexpected end of file".to_owned()
    } else {
        format!("unexpected {}", quote(text))
    };
    if !expected.is_empty() && expected.len() <= EXPECTED_MAX {
        let list: Vec<String> = expected.iter().map(|e| format!("`{e}`")).collect();
        message.push_str(&format!(", expected {}", list.join(" or ")));
    }
    message
}

fn accepts(language: &Language, state: u16, symbol: u16) -> bool {
    language
        .lookahead_iterator(state)
        .is_none_or(|mut symbols| symbols.any(|s| s == symbol))
}

/// The punctuation and keywords acceptable in `state` (named symbols such as `identifier`
/// and hidden helper symbols are left out: they make noise, not advice).
fn expected(language: &Language, state: u16) -> Vec<String> {
    let Some(mut symbols) = language.lookahead_iterator(state) else {
        return Vec::new();
    };
    let mut names: Vec<String> = Vec::new();
    for symbol in symbols.by_ref() {
        if language.node_kind_is_named(symbol) || !language.node_kind_is_visible(symbol) {
            continue;
        }
        let Some(name) = language.node_kind_for_id(symbol) else {
            continue;
        };
        if name.is_empty()
            || name.chars().any(char::is_whitespace)
            || names.iter().any(|n| n == name)
        {
            continue;
        }
        names.push(name.to_owned());
        if names.len() > EXPECTED_MAX {
            break;
        }
    }
    names
}

fn missing(node: Node<'_>) -> String {
    let kind = node.kind();
    if node.is_named() {
        format!("missing {}", kind.replace('_', " "))
    } else {
        format!("missing `{kind}`")
    }
}

/// The token in backticks, cut to its first line and [`QUOTE_MAX`] characters.
fn quote(text: &str) -> String {
    let line = text.lines().next().unwrap_or("");
    let mut quoted: String = line.chars().take(QUOTE_MAX).collect();
    if quoted.len() < line.len() {
        quoted.push('…');
    }
    format!("`{quoted}`")
}

/// Every leaf (token) of the tree in source order, iteratively.
pub(crate) fn leaves(root: Node<'_>) -> Vec<Node<'_>> {
    let mut out = Vec::new();
    let mut cursor = root.walk();
    loop {
        if cursor.goto_first_child() {
            continue;
        }
        out.push(cursor.node());
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
