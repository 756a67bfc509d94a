//! Three-way merge of one file, line by line (diff3's idea on similar's Myers diff): for a
//! file changed in the workspace since the agent read it. Each side's changes against the base
//! are found; changes that touch disjoint base lines are all taken; where the two sides' changes
//! overlap (or insert at the same place) and do not say the same thing, that region is a
//! [`Conflict`] and nothing is merged.
//!
//! diffy's `merge` was considered: it reports conflicts only as conflict markers in a string,
//! while the server answers a conflict with the regions themselves.

use similar::DiffTag;

use crate::diff::{lines, ops};

/// One region both sides changed differently. Line texts keep their endings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conflict {
    /// 1-based first base line of the region (the line before, for an empty region, as in a
    /// unified diff's header).
    pub base_start: usize,
    /// How many base lines the region covers (0: both sides insert at the same place).
    pub base_lines: usize,
    /// The base's lines there.
    pub base: String,
    /// What "ours" (the first changed side) has there.
    pub ours: String,
    /// What "theirs" has there.
    pub theirs: String,
}

/// Merges the changes `ours` and `theirs` each made to `base`: the merged text, or every
/// conflicting region. Changes to disjoint base lines merge cleanly, and so do identical
/// changes on both sides; `merge3(b, x, b) == Ok(x)` and `merge3(b, b, y) == Ok(y)`. Bytes are
/// kept as each side has them (CRLF, a missing final newline).
pub fn merge3(base: &str, ours: &str, theirs: &str) -> Result<String, Vec<Conflict>> {
    let base_lines = lines(base);
    let ours_lines = lines(ours);
    let theirs_lines = lines(theirs);
    let mut changes = changes_of(&base_lines, &ours_lines, Side::Ours);
    changes.extend(changes_of(&base_lines, &theirs_lines, Side::Theirs));
    changes.sort_by_key(|c| (c.start, c.end));

    let mut out = String::with_capacity(base.len().max(ours.len()).max(theirs.len()));
    let mut conflicts = Vec::new();
    let mut at = 0; // next base line to copy
    let mut i = 0;
    while i < changes.len() {
        // A cluster: changes that touch each other's base lines, transitively.
        let mut j = i + 1;
        let (start, mut end) = (changes[i].start, changes[i].end);
        while j < changes.len() && touches(start, end, &changes[j]) {
            end = end.max(changes[j].end);
            j += 1;
        }
        let cluster = &changes[i..j];
        base_lines[at..start].iter().for_each(|l| out.push_str(l));
        let mine = splice(&base_lines, start, end, &ours_lines, cluster, Side::Ours);
        let yours = splice(
            &base_lines,
            start,
            end,
            &theirs_lines,
            cluster,
            Side::Theirs,
        );
        let has = |side: Side| cluster.iter().any(|c| c.side == side);
        if !has(Side::Theirs) || mine == yours {
            out.push_str(&mine);
        } else if !has(Side::Ours) {
            out.push_str(&yours);
        } else {
            conflicts.push(Conflict {
                base_start: if end > start { start + 1 } else { start },
                base_lines: end - start,
                base: base_lines[start..end].concat(),
                ours: mine,
                theirs: yours,
            });
        }
        at = end;
        i = j;
    }
    base_lines[at..].iter().for_each(|l| out.push_str(l));
    if conflicts.is_empty() {
        Ok(out)
    } else {
        Err(conflicts)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Side {
    Ours,
    Theirs,
}

/// One side's change: base lines `start..end` become that side's lines `new_start..new_end`.
#[derive(Debug, Clone, Copy)]
struct Change {
    side: Side,
    start: usize,
    end: usize,
    new_start: usize,
    new_end: usize,
}

/// A side's changes against the base: runs of non-equal operations, in base order.
fn changes_of(base: &[&str], side: &[&str], which: Side) -> Vec<Change> {
    let mut out: Vec<Change> = Vec::new();
    for op in ops(base, side) {
        if op.tag() == DiffTag::Equal {
            continue;
        }
        let (old, new) = (op.old_range(), op.new_range());
        match out.last_mut() {
            Some(last) if last.end == old.start && last.new_end == new.start => {
                last.end = old.end;
                last.new_end = new.end;
            }
            _ => out.push(Change {
                side: which,
                start: old.start,
                end: old.end,
                new_start: new.start,
                new_end: new.end,
            }),
        }
    }
    out
}

/// Whether `change` shares base lines with the region `start..end`, or inserts where the
/// region starts or ends, or the region is an insertion where `change` starts or ends:
/// where the two would go relative to each other is then undetermined.
fn touches(start: usize, end: usize, change: &Change) -> bool {
    let overlap = change.start < end && start < change.end;
    let empty_region = start == end && change.start <= start && start <= change.end;
    let empty_change = change.start == change.end && start <= change.start && change.start <= end;
    overlap || empty_region || empty_change
}

/// The region `start..end` of the base with `which`'s changes in `cluster` applied.
fn splice(
    base: &[&str],
    start: usize,
    end: usize,
    text: &[&str],
    cluster: &[Change],
    which: Side,
) -> String {
    let mut out = String::new();
    let mut at = start;
    for change in cluster.iter().filter(|c| c.side == which) {
        base[at..change.start].iter().for_each(|l| out.push_str(l));
        text[change.new_start..change.new_end]
            .iter()
            .for_each(|l| out.push_str(l));
        at = change.end;
    }
    base[at..end].iter().for_each(|l| out.push_str(l));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_region_touches_a_change_at_its_edge() {
        let change = |start, end| Change {
            side: Side::Theirs,
            start,
            end,
            new_start: 0,
            new_end: 0,
        };
        assert!(touches(4, 4, &change(4, 4)));
        assert!(touches(4, 4, &change(2, 4)));
        assert!(touches(2, 4, &change(4, 4)));
        assert!(!touches(2, 4, &change(4, 6)));
        assert!(!touches(2, 4, &change(5, 5)));
    }
}
