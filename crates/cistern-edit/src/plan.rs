//! One file's new content from its blocks (SEARCH/REPLACE blocks and diff hunks) or its whole
//! new text: every block located against the original first, then all spliced in, or every
//! problem returned.

use crate::elision::{self, Anchored};
use crate::error::{Block, Error};
use crate::locate::{self, Found, Located};
use crate::parse::{Edit, EditKind};
use crate::text::Text;

/// A block's lines, whatever it was written as.
struct Lines<'a> {
    search: &'a [String],
    replace: &'a [String],
    hint: Option<usize>,
    final_newline: Option<bool>,
}

impl<'a> Lines<'a> {
    fn of(edit: &'a Edit) -> Option<Lines<'a>> {
        match &edit.kind {
            EditKind::SearchReplace { search, replace } => Some(Lines {
                search,
                replace,
                hint: None,
                final_newline: None,
            }),
            EditKind::Hunk {
                search,
                replace,
                old_start,
                final_newline,
            } => Some(Lines {
                search,
                replace,
                hint: *old_start,
                final_newline: *final_newline,
            }),
            _ => None,
        }
    }
}

/// The reply line of a block's `i`th REPLACE (or SEARCH) line; a diff hunk's lines are
/// interleaved, so its header line stands for them.
fn reply_line(edit: &Edit, lines: &Lines<'_>, i: usize, in_replace: bool) -> usize {
    match (&edit.kind, in_replace) {
        (EditKind::SearchReplace { .. }, true) => edit.line + lines.search.len() + 2 + i,
        (EditKind::SearchReplace { .. }, false) => edit.line + 1 + i,
        _ => edit.line,
    }
}

/// The new content of one file (`old`: its content, `None` when it does not exist), or every
/// problem with its `edits` (blocks, hunks and whole files; file operations are not here).
pub(crate) fn plan(path: &str, old: Option<&str>, edits: &[&Edit]) -> Result<String, Vec<Error>> {
    let wholes: Vec<&Vec<String>> = edits
        .iter()
        .filter_map(|e| match &e.kind {
            EditKind::WholeFile { lines } => Some(lines),
            _ => None,
        })
        .collect();
    if let Some(first) = wholes.first() {
        if wholes.len() != edits.len() || wholes.iter().any(|w| w != first) {
            let lines = edits.iter().map(|e| e.line).collect();
            return Err(vec![Error::Conflict {
                path: path.to_owned(),
                lines,
            }]);
        }
        return whole_file(path, old, edits[0], first);
    }
    let mut text = Text::parse(old.unwrap_or(""));
    let mut located = Vec::new();
    let mut errors = Vec::new();
    // Whether the file ends with a newline, when a hunk that reaches its end says so.
    let mut final_newline = None;
    for (index, edit) in edits.iter().enumerate() {
        let block = Block {
            index: index + 1,
            line: edit.line,
        };
        let Some(lines) = Lines::of(edit) else {
            continue;
        };
        if let Some((i, text)) = elision::find(lines.replace, lines.search) {
            errors.push(Error::Elision {
                path: path.to_owned(),
                block,
                line: reply_line(edit, &lines, i, true),
                text: text.to_owned(),
            });
            continue;
        }
        match locate_block(path, old, &text, block, edit, &lines) {
            Ok(found) => {
                for l in &found {
                    if l.end == text.lines.len() && lines.final_newline.is_some() {
                        final_newline = lines.final_newline;
                    }
                }
                located.extend(found.into_iter().map(|l| (block, l)));
            }
            Err(error) => errors.push(error),
        }
    }
    errors.extend(overlaps(path, &mut located));
    if !errors.is_empty() {
        return Err(errors);
    }
    if located.iter().all(|(_, l)| l.start == 0 && l.end == 0) && !located.is_empty() {
        // A new (or blank) file: the blocks' REPLACE texts, in reply order.
        let lines = located
            .iter()
            .flat_map(|(_, l)| l.replace.clone())
            .collect();
        let bom = text.bom;
        text = Text::parse(&new_file(lines));
        text.bom = bom;
        if let Some(yes) = final_newline {
            text.set_final_newline(yes);
        }
        return Ok(text.render());
    }
    for (_, block) in located.into_iter().rev() {
        text.splice(block.start, block.end, block.replace);
    }
    if let Some(yes) = final_newline {
        text.set_final_newline(yes);
    }
    Ok(text.render())
}

/// Where a block goes: one place (several, for a SEARCH whose elisions are applied between
/// anchors).
fn locate_block(
    path: &str,
    old: Option<&str>,
    text: &Text,
    block: Block,
    edit: &Edit,
    lines: &Lines<'_>,
) -> Result<Vec<Located>, Error> {
    let path = path.to_owned();
    let (search, replace) = (lines.search, lines.replace);
    let blank = text.lines.iter().all(|l| l.trim().is_empty());
    if search.is_empty() {
        return if old.is_none() || blank {
            Ok(vec![Located {
                start: 0,
                end: 0,
                replace: replace.to_vec(),
            }])
        } else {
            Err(Error::EmptySearch { path, block })
        };
    }
    if old.is_none() {
        return Err(Error::NoSuchFile { path, block });
    }
    let not_found = |path: String| Error::NotFound {
        path,
        block,
        closest: locate::closest(&text.lines, search),
    };
    match locate::locate(&text.lines, search, replace, lines.hint) {
        Found::One(located) => Ok(vec![located]),
        Found::Many(lines) => Err(Error::Ambiguous { path, block, lines }),
        Found::None if elision::any(search) => {
            match elision::place(&text.lines, search, replace, lines.hint) {
                Anchored::One(located) => Ok(located),
                Anchored::Many(lines) => Err(Error::Ambiguous { path, block, lines }),
                Anchored::None => Err(not_found(path)),
                Anchored::Undetermined(i) => Err(Error::Elision {
                    path,
                    block,
                    line: reply_line(edit, lines, i, false),
                    text: search.get(i).map_or("", |l| l.trim()).to_owned(),
                }),
            }
        }
        Found::None => Err(not_found(path)),
    }
}

/// Sorts `located` into file order and reports blocks whose lines overlap.
fn overlaps(path: &str, located: &mut [(Block, Located)]) -> Vec<Error> {
    located.sort_by_key(|(block, l)| (l.start, l.end, block.index));
    located
        .windows(2)
        .filter(|pair| pair[1].1.start < pair[0].1.end)
        .map(|pair| {
            let ((a, la), (b, lb)) = (&pair[0], &pair[1]);
            Error::Overlap {
                path: path.to_owned(),
                first: *a,
                first_lines: (la.start + 1, la.end),
                second: *b,
                second_lines: (lb.start + 1, lb.end),
            }
        })
        .collect()
}

fn whole_file(
    path: &str,
    old: Option<&str>,
    edit: &Edit,
    lines: &[String],
) -> Result<String, Vec<Error>> {
    let old_text = old.map(Text::parse);
    let old_lines = old_text.as_ref().map_or(&[][..], |t| t.lines.as_slice());
    if let Some((i, text)) = elision::find(lines, old_lines) {
        return Err(vec![Error::Elision {
            path: path.to_owned(),
            block: Block {
                index: 1,
                line: edit.line,
            },
            line: edit.line + 1 + i,
            text: text.to_owned(),
        }]);
    }
    match old_text {
        None => Ok(new_file(lines.to_vec())),
        Some(mut text) => {
            let end = text.lines.len();
            text.splice(0, end, lines.to_vec());
            Ok(text.render())
        }
    }
}

/// A new file's text: LF endings and a final newline.
fn new_file(lines: Vec<String>) -> String {
    lines.into_iter().map(|l| l + "\n").collect()
}
