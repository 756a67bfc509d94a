//! Per-hunk accept: a file with some of its diff's hunks taken and the others left as they were.

use crate::diff::{grouped_ops, lines};

/// `before` with only the hunks whose ids are in `accepted` applied — the ids of
/// [`unified_diff`](crate::unified_diff)`(_, Some(before), Some(after))`'s hunks — and the
/// others reverted. Every line keeps its bytes (CRLF, a missing final newline): all ids give
/// `after`, none give `before`. Ids that are not hunks are ignored.
pub fn apply_hunks(before: &str, after: &str, accepted: &[usize]) -> String {
    let old = lines(before);
    let new = lines(after);
    let mut out = String::with_capacity(before.len().max(after.len()));
    let mut at = 0; // next old line to copy
    for (i, ops) in grouped_ops(&old, &new).iter().enumerate() {
        let (Some(first), Some(last)) = (ops.first(), ops.last()) else {
            continue;
        };
        let (start, end) = (first.old_range().start, last.old_range().end);
        old[at..start].iter().for_each(|l| out.push_str(l));
        if accepted.contains(&(i + 1)) {
            let new_range = first.new_range().start..last.new_range().end;
            new[new_range].iter().for_each(|l| out.push_str(l));
        } else {
            old[start..end].iter().for_each(|l| out.push_str(l));
        }
        at = end;
    }
    old[at..].iter().for_each(|l| out.push_str(l));
    out
}

#[cfg(test)]
mod tests {
    use similar::DiffOp;

    use super::*;

    fn bounds(ops: &[DiffOp]) -> Option<(usize, usize)> {
        Some((ops.first()?.old_range().start, ops.last()?.old_range().end))
    }

    #[test]
    fn groups_are_in_file_order_and_disjoint() {
        let before: String = (1..=30).map(|i| format!("{i}\n")).collect();
        let after = before.replacen("3\n", "three\n", 1).replace("25\n", "");
        let (old, new) = (lines(&before), lines(&after));
        let groups = grouped_ops(&old, &new);
        let spans: Vec<_> = groups.iter().filter_map(|g| bounds(g)).collect();
        assert_eq!(spans.len(), 2);
        assert!(spans[0].1 <= spans[1].0, "{spans:?}");
    }

    #[test]
    fn one_hunk_of_two() {
        let before: String = (1..=30).map(|i| format!("{i}\r\n")).collect();
        let after = before
            .replace("\r\n3\r\n", "\r\nthree\r\n")
            .replace("\r\n25\r\n", "\r\n");
        assert_eq!(
            apply_hunks(&before, &after, &[1]),
            before.replace("\r\n3\r\n", "\r\nthree\r\n")
        );
        assert_eq!(
            apply_hunks(&before, &after, &[2]),
            before.replace("\r\n25\r\n", "\r\n")
        );
        assert_eq!(apply_hunks(&before, &after, &[1, 2, 7]), after);
        assert_eq!(apply_hunks(&before, &after, &[]), before);
    }
}
