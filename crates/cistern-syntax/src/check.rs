//! Parsing with tree-sitter and turning ERROR/MISSING nodes into [`SyntaxError`]s.

use std::cell::RefCell;
use std::ops::ControlFlow;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use tree_sitter::{Node, ParseOptions, Parser, Tree};

use crate::Language;
use crate::message;

/// One syntax error: where it is and what to do about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SyntaxError {
    /// 1-based line.
    pub line: u32,
    /// 1-based column, counted in characters (Unicode scalar values), not bytes.
    pub column: u32,
    /// A message a person can act on: ``"unexpected `}`"``, ``"missing `)`"``.
    pub message: String,
}

impl std::fmt::Display for SyntaxError {
    /// `line 3, column 2: unexpected `}`` — the form a repair prompt or a log line quotes.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "line {}, column {}: {}",
            self.line, self.column, self.message
        )
    }
}

/// The outcome of checking one file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SyntaxReport {
    /// The language the file was checked as.
    pub language: Language,
    /// Whether a parser ran to the end (`false` for unchecked languages and for a parse that
    /// ran out of its time budget).
    pub checked: bool,
    /// `true` when no error was found (always `true` when not checked).
    pub ok: bool,
    /// The first errors in source order, at most [`Options::max_errors`].
    pub errors: Vec<SyntaxError>,
    /// `true` when there were more errors than `errors` holds.
    pub more_errors: bool,
}

impl SyntaxReport {
    fn unchecked(language: Language) -> SyntaxReport {
        SyntaxReport {
            language,
            checked: false,
            ok: true,
            errors: Vec::new(),
            more_errors: false,
        }
    }
}

/// Limits for one check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    /// Errors reported per file; the rest only set [`SyntaxReport::more_errors`].
    pub max_errors: usize,
    /// Parse time allowed for one file; past it the file is reported as not checked.
    pub budget: Duration,
}

impl Default for Options {
    /// 10 errors per file, 500 ms per file (a 100 kB file parses in a few ms).
    fn default() -> Self {
        Options {
            max_errors: 10,
            budget: Duration::from_millis(500),
        }
    }
}

const CHECKED: usize = 12;

thread_local! {
    /// One parser per checked language and thread: creating a parser and loading a grammar
    /// costs more than parsing a small file.
    static PARSERS: RefCell<[Option<Parser>; CHECKED]> = RefCell::new(Default::default());
}

fn grammar(language: Language) -> Option<(usize, tree_sitter::Language)> {
    let (slot, grammar) = match language {
        Language::Javascript => (0, tree_sitter_javascript::LANGUAGE),
        Language::Typescript => (1, tree_sitter_typescript::LANGUAGE_TYPESCRIPT),
        Language::Tsx => (2, tree_sitter_typescript::LANGUAGE_TSX),
        Language::Python => (3, tree_sitter_python::LANGUAGE),
        Language::Rust => (4, tree_sitter_rust::LANGUAGE),
        Language::Go => (5, tree_sitter_go::LANGUAGE),
        Language::Java => (6, tree_sitter_java::LANGUAGE),
        Language::Html => (7, tree_sitter_html::LANGUAGE),
        Language::Css => (8, tree_sitter_css::LANGUAGE),
        Language::Json => (9, tree_sitter_json::LANGUAGE),
        Language::Toml => (10, tree_sitter_toml_ng::LANGUAGE),
        Language::Yaml => (11, tree_sitter_yaml::LANGUAGE),
        Language::Markdown | Language::Text => return None,
    };
    Some((slot, grammar.into()))
}

/// Checks `source` as `language` within `options`' limits.
pub fn check_with(language: Language, source: &str, options: &Options) -> SyntaxReport {
    let Some(tree) = parse(language, source, options.budget) else {
        return SyntaxReport::unchecked(language);
    };
    let mut errors = Vec::new();
    let mut more_errors = collect(tree.root_node(), source, options.max_errors, &mut errors);
    if language == Language::Python {
        // Indentation is Python's syntax, but tree-sitter's grammar recovers from it silently.
        for (byte, message) in crate::python::indentation(tree.root_node(), source) {
            let (line, column) = position(source, byte);
            errors.push(SyntaxError {
                line,
                column,
                message: message.to_owned(),
            });
        }
        errors.sort_by_key(|e| (e.line, e.column));
        errors.dedup_by_key(|e| (e.line, e.column));
        if errors.len() > options.max_errors {
            errors.truncate(options.max_errors);
            more_errors = true;
        }
    }
    SyntaxReport {
        language,
        checked: true,
        ok: errors.is_empty(),
        errors,
        more_errors,
    }
}

/// Parses with this thread's parser for `language`; `None` for an unchecked language, a
/// grammar the core refuses (an ABI mismatch, caught by the tests) or a blown budget.
fn parse(language: Language, source: &str, budget: Duration) -> Option<Tree> {
    let (slot, grammar) = grammar(language)?;
    PARSERS.with(|parsers| {
        let mut parsers = parsers.borrow_mut();
        let parser = match &mut parsers[slot] {
            Some(parser) => parser,
            empty => {
                let mut parser = Parser::new();
                parser.set_language(&grammar).ok()?;
                empty.insert(parser)
            }
        };
        let started = Instant::now();
        let mut over_budget = |_: &tree_sitter::ParseState| {
            if started.elapsed() > budget {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        };
        let options = ParseOptions::new().progress_callback(&mut over_budget);
        let bytes = source.as_bytes();
        let tree = parser.parse_with_options(
            &mut |offset, _| bytes.get(offset..).unwrap_or_default(),
            None,
            Some(options),
        );
        // A cancelled parse leaves state behind that would resume on the next call.
        if tree.is_none() {
            parser.reset();
        }
        tree
    })
}

/// Walks the nodes that contain errors, in source order, without recursion (generated code
/// can nest deeply). Returns whether errors were left out.
fn collect(root: Node<'_>, source: &str, max: usize, out: &mut Vec<SyntaxError>) -> bool {
    if !root.has_error() {
        return false;
    }
    let leaves = message::leaves(root);
    let mut cursor = root.walk();
    let mut found = 0usize;
    loop {
        let node = cursor.node();
        let is_problem = node.is_error() || node.is_missing();
        if is_problem {
            found += 1;
            if found <= max {
                let (byte, message) = message::describe(node, &leaves, source);
                let (line, column) = position(source, byte);
                if out
                    .last()
                    .is_none_or(|last| (last.line, last.column) != (line, column))
                {
                    out.push(SyntaxError {
                        line,
                        column,
                        message,
                    });
                } else {
                    found -= 1;
                }
            }
        }
        // Descend only into subtrees that hold an error, and never into an ERROR node: its
        // inside is what could not be parsed, reported once at its start.
        if !is_problem && node.has_error() && cursor.goto_first_child() {
            continue;
        }
        loop {
            if cursor.goto_next_sibling() {
                break;
            }
            if !cursor.goto_parent() {
                return found > max;
            }
        }
    }
}

/// 1-based line and character column of a byte offset.
fn position(source: &str, byte: usize) -> (u32, u32) {
    let mut byte = byte.min(source.len());
    while !source.is_char_boundary(byte) {
        byte -= 1;
    }
    let before = &source[..byte];
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let line = before.bytes().filter(|b| *b == b'\n').count() + 1;
    let column = before[line_start..].chars().count() + 1;
    (
        u32::try_from(line).unwrap_or(u32::MAX),
        u32::try_from(column).unwrap_or(u32::MAX),
    )
}
