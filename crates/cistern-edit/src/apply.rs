//! Applying edits: every block of every file located against the original first, then all
//! applied, or none.

use std::collections::BTreeMap;

use crate::elision;
use crate::error::{Block, Error, Refusal};
use crate::locate::{self, Found, Located};
use crate::parse::{Edit, EditKind, parse};
use crate::text::Text;
use crate::tree::{Change, Changes, Tree};

/// Parses `reply` and applies every edit in it to `tree`, all or nothing: the changed files,
/// or every problem found (and no change).
pub fn apply(tree: &Tree, reply: &str) -> Result<Changes, Refusal> {
    let edits = parse(reply).map_err(Refusal::one)?;
    if edits.is_empty() {
        return Err(Refusal::one(Error::NoEdits));
    }
    apply_edits(tree, &edits)
}

/// Applies already parsed `edits` to `tree`, all or nothing.
pub fn apply_edits(tree: &Tree, edits: &[Edit]) -> Result<Changes, Refusal> {
    let mut by_path: BTreeMap<&str, Vec<&Edit>> = BTreeMap::new();
    for edit in edits {
        by_path.entry(edit.path.as_str()).or_default().push(edit);
    }
    let mut changes = Changes::default();
    let mut errors = Vec::new();
    for (path, edits) in by_path {
        let old = tree.get(path);
        match plan(path, old, &edits) {
            Ok(new) if old == Some(new.as_str()) => {}
            Ok(new) => {
                let change = match old {
                    Some(_) => Change::Modified(new),
                    None => Change::Created(new),
                };
                changes.files.insert(path.to_owned(), change);
            }
            Err(mut found) => errors.append(&mut found),
        }
    }
    if errors.is_empty() {
        Ok(changes)
    } else {
        Err(Refusal { errors })
    }
}

/// The new content of one file, or every problem with its edits.
fn plan(path: &str, old: Option<&str>, edits: &[&Edit]) -> Result<String, Vec<Error>> {
    let wholes: Vec<&Vec<String>> = edits
        .iter()
        .filter_map(|e| match &e.kind {
            EditKind::WholeFile { lines } => Some(lines),
            EditKind::SearchReplace { .. } => None,
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
    for (index, edit) in edits.iter().enumerate() {
        let block = Block {
            index: index + 1,
            line: edit.line,
        };
        let EditKind::SearchReplace { search, replace } = &edit.kind else {
            continue;
        };
        if let Some((i, text)) = elision::find(replace, search) {
            errors.push(Error::Elision {
                path: path.to_owned(),
                block,
                line: edit.line + search.len() + 2 + i,
                text: text.to_owned(),
            });
            continue;
        }
        match locate_block(path, old, &text, block, search, replace) {
            Ok(found) => located.push((block, found)),
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
        return Ok(text.render());
    }
    for (_, block) in located.into_iter().rev() {
        text.splice(block.start, block.end, block.replace);
    }
    Ok(text.render())
}

fn locate_block(
    path: &str,
    old: Option<&str>,
    text: &Text,
    block: Block,
    search: &[String],
    replace: &[String],
) -> Result<Located, Error> {
    let path = path.to_owned();
    let blank = text.lines.iter().all(|l| l.trim().is_empty());
    if search.is_empty() {
        return if old.is_none() || blank {
            Ok(Located {
                start: 0,
                end: 0,
                replace: replace.to_vec(),
            })
        } else {
            Err(Error::EmptySearch { path, block })
        };
    }
    if old.is_none() {
        return Err(Error::NoSuchFile { path, block });
    }
    match locate::locate(&text.lines, search, replace) {
        Found::One(located) => Ok(located),
        Found::Many(lines) => Err(Error::Ambiguous { path, block, lines }),
        Found::None => Err(Error::NotFound {
            path,
            block,
            closest: locate::closest(&text.lines, search),
        }),
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
