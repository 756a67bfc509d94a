//! Lines that stand for code the model left out: `// ... existing code ...`,
//! `# ... rest unchanged ...`, `/* ... */`, `<!-- ... -->`. Written literally they would
//! delete the code they stand for, so they are never written: an elision in a REPLACE is
//! applied only when its SEARCH has the same elision between lines that match the file exactly,
//! in one place only ([`place`]) — then what it stands for is determined, and kept verbatim.
//! Otherwise it is refused.

use std::sync::LazyLock;

use regex::Regex;

use crate::locate::Located;

/// A comment that starts with an ellipsis, or a comment that says code was kept or left out.
static ELISION: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(
        r"(?ix)^\s*(//+|\#+|--|;+|/\*+|\*|<!--|\{/\*)\s*
        (
          (\.\.\.|…)
        | .*\b(existing\s+code|rest\s+of\s+(the\s+)?(file|code|function|class|method|module|component)
              |(remains?|stays?|is)\s+(the\s+same|unchanged)|omitted\s+for|for\s+brevity
              |same\s+as\s+(before|above)|previous\s+code|other\s+(code|methods|functions|fields))\b
        )",
    )
    .ok()
});

/// Whether `line` is an elision marker.
pub(crate) fn is_elision(line: &str) -> bool {
    ELISION.as_ref().is_some_and(|re| re.is_match(line))
}

/// The first elision in `new` that is not a line already present in `old` (a comment that is
/// really in the file is content, not an elision): its index and trimmed text.
pub(crate) fn find<'a>(new: &'a [String], old: &[String]) -> Option<(usize, &'a str)> {
    new.iter().enumerate().find_map(|(i, line)| {
        let text = line.trim();
        (is_elision(line) && !old.iter().any(|o| o.trim() == text)).then_some((i, text))
    })
}

/// Whether any of `lines` is an elision.
pub(crate) fn any(lines: &[String]) -> bool {
    lines.iter().any(|l| is_elision(l))
}

/// Where a SEARCH with elisions goes, determined by its anchors.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Anchored {
    /// One place: each anchor (the SEARCH lines between elisions) located with the REPLACE
    /// lines between the same elisions; the elided lines between them are left untouched.
    One(Vec<Located>),
    /// Several: 1-based lines where the first anchor with several placements could go.
    Many(Vec<usize>),
    /// No placement: an anchor matches nowhere exactly (or not in order).
    None,
    /// The elisions are not determined: not the same in SEARCH and REPLACE (count, text,
    /// order), or one is at the SEARCH's edge or next to another. The index of the offending
    /// SEARCH line.
    Undetermined(usize),
}

/// Places a SEARCH that has elisions: the SEARCH and REPLACE must have the same elision lines
/// (trimmed), in the same order, each with SEARCH lines on both sides; every anchor must
/// match exactly, in order, and the whole must fit one way only (`hint`, a 1-based line, picks
/// the one way whose first anchor starts there, when there is exactly one).
pub(crate) fn place(
    file: &[String],
    search: &[String],
    replace: &[String],
    hint: Option<usize>,
) -> Anchored {
    let s_at: Vec<usize> = (0..search.len())
        .filter(|&i| is_elision(&search[i]))
        .collect();
    let r_at: Vec<usize> = (0..replace.len())
        .filter(|&i| is_elision(&replace[i]))
        .collect();
    let Some(&first) = s_at.first() else {
        return Anchored::None;
    };
    if s_at.len() != r_at.len() {
        return Anchored::Undetermined(first);
    }
    for (k, (&a, &b)) in s_at.iter().zip(&r_at).enumerate() {
        let at_edge = a == 0 || a + 1 == search.len();
        let next_to_another = k > 0 && s_at[k - 1] + 1 == a;
        if at_edge || next_to_another || search[a].trim() != replace[b].trim() {
            return Anchored::Undetermined(a);
        }
    }
    let anchors = segments(search, &s_at);
    let replaces = segments(replace, &r_at);
    let matches: Vec<Vec<usize>> = anchors
        .iter()
        .map(|a| {
            (0..(file.len() + 1).saturating_sub(a.len()))
                .filter(|&s| file[s..s + a.len()] == **a)
                .collect()
        })
        .collect();
    let mut chains = Chains::count(&matches, &anchors, None);
    if chains.total >= 2 && hint.is_some() {
        let hinted = Chains::count(&matches, &anchors, hint);
        if hinted.total == 1 {
            chains = hinted;
        }
    }
    match chains.total {
        0 => Anchored::None,
        1 => {
            let mut located = Vec::new();
            let mut from = 0;
            for (level, anchor) in anchors.iter().enumerate() {
                let Some(&start) = (0..matches[level].len())
                    .filter(|&j| chains.live(level, j) && matches[level][j] >= from)
                    .map(|j| &matches[level][j])
                    .next()
                else {
                    return Anchored::None; // unreachable: one chain was counted
                };
                from = start + anchor.len();
                located.push(Located {
                    start,
                    end: from,
                    replace: replaces[level].to_vec(),
                });
            }
            Anchored::One(located)
        }
        _ => {
            let lines = (0..anchors.len())
                .map(|level| {
                    (0..matches[level].len())
                        .filter(|&j| chains.live(level, j))
                        .map(|j| matches[level][j] + 1)
                        .collect::<Vec<_>>()
                })
                .find(|lines| lines.len() > 1)
                .unwrap_or_default();
            Anchored::Many(lines)
        }
    }
}

/// The runs of `lines` between the lines at `cuts`.
fn segments<'a>(lines: &'a [String], cuts: &[usize]) -> Vec<&'a [String]> {
    let mut out = Vec::new();
    let mut from = 0;
    for &cut in cuts {
        out.push(&lines[from..cut]);
        from = cut + 1;
    }
    out.push(&lines[from..]);
    out
}

/// How many ways the anchors fit in order (capped at 2), and for each match of each anchor how
/// many ways reach it from the first anchor (`ahead`) and go on from it to the last (`behind`).
struct Chains {
    total: usize,
    ahead: Vec<Vec<usize>>,
    behind: Vec<Vec<usize>>,
}

impl Chains {
    fn count(matches: &[Vec<usize>], anchors: &[&[String]], hint: Option<usize>) -> Chains {
        let levels = matches.len();
        let mut ahead: Vec<Vec<usize>> = matches.iter().map(|m| vec![0; m.len()]).collect();
        let mut behind = ahead.clone();
        for (j, &start) in matches[0].iter().enumerate() {
            ahead[0][j] = usize::from(hint.is_none_or(|h| start + 1 == h));
        }
        for level in 1..levels {
            let gap = anchors[level - 1].len();
            for (q, &start) in matches[level].iter().enumerate() {
                let ways: usize = (0..matches[level - 1].len())
                    .filter(|&j| matches[level - 1][j] + gap <= start)
                    .map(|j| ahead[level - 1][j])
                    .sum();
                ahead[level][q] = ways.min(2);
            }
        }
        let last = levels - 1;
        behind[last].iter_mut().for_each(|b| *b = 1);
        for level in (0..last).rev() {
            let gap = anchors[level].len();
            for (j, &start) in matches[level].iter().enumerate() {
                let ways: usize = (0..matches[level + 1].len())
                    .filter(|&q| matches[level + 1][q] >= start + gap)
                    .map(|q| behind[level + 1][q])
                    .sum();
                behind[level][j] = ways.min(2);
            }
        }
        let total = ahead[last].iter().sum::<usize>().min(2);
        Chains {
            total,
            ahead,
            behind,
        }
    }

    /// Whether the `j`th match of anchor `level` is on some way through all the anchors.
    fn live(&self, level: usize, j: usize) -> bool {
        self.ahead[level][j] > 0 && self.behind[level][j] > 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_regex_compiles() {
        assert!(ELISION.is_some());
    }

    #[test]
    fn elisions_are_recognised() {
        for line in [
            "// ... existing code ...",
            "    // ...",
            "# ... rest unchanged ...",
            "  # rest of the file is unchanged",
            "/* ... */",
            "<!-- ... -->",
            "{/* ... */}",
            "-- ... other queries",
            "// (previous code omitted for brevity)",
            "    # …",
        ] {
            assert!(is_elision(line), "{line}");
        }
    }

    #[test]
    fn ordinary_lines_are_not_elisions() {
        for line in [
            "    ...", // Python's Ellipsis, a real statement
            "// load the config",
            "# TODO: handle errors",
            "x = a ... b",
            "print('...')",
            "/* the same origin policy */",
        ] {
            assert!(!is_elision(line), "{line}");
        }
    }

    fn strings(lines: &[&str]) -> Vec<String> {
        lines.iter().map(|l| (*l).to_owned()).collect()
    }

    #[test]
    fn anchors_place_the_elision() {
        let file = strings(&[
            "def f():",
            "    a = 1",
            "    b = 2",
            "    return x",
            "",
            "def g():",
            "    return z",
        ]);
        let search = strings(&["def f():", "    # ...", "    return x"]);
        let replace = strings(&["def f():", "    # ...", "    return y"]);
        let Anchored::One(located) = place(&file, &search, &replace, None) else {
            panic!("{:?}", place(&file, &search, &replace, None));
        };
        let spans: Vec<_> = located.iter().map(|l| (l.start, l.end)).collect();
        assert_eq!(spans, [(0, 1), (3, 4)]);
        assert_eq!(located[1].replace, ["    return y"]);
    }

    #[test]
    fn a_second_way_through_is_ambiguous() {
        let file = strings(&["def f():", "    return x", "def g():", "    return x"]);
        let search = strings(&["def f():", "    # ...", "    return x"]);
        assert_eq!(
            place(&file, &search, &search, None),
            Anchored::Many(vec![2, 4])
        );
        // A hint at the first anchor does not choose between ways that share it.
        assert_eq!(
            place(&file, &search, &search, Some(1)),
            Anchored::Many(vec![2, 4])
        );
    }

    #[test]
    fn undetermined_elisions() {
        let file = strings(&["a", "b", "c"]);
        let at_edge = strings(&["# ...", "c"]);
        assert_eq!(
            place(&file, &at_edge, &at_edge, None),
            Anchored::Undetermined(0)
        );
        let search = strings(&["a", "# ...", "c"]);
        let other = strings(&["a", "// ... existing code ...", "c"]);
        assert_eq!(
            place(&file, &search, &other, None),
            Anchored::Undetermined(1)
        );
        assert_eq!(
            place(&file, &search, &strings(&["a", "c"]), None),
            Anchored::Undetermined(1)
        );
    }
}
