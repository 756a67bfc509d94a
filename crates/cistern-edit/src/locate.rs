//! Where a SEARCH is in a file, tier by tier: exactly, then ignoring trailing whitespace,
//! then indentation-relative. The first tier with any match decides: one match is used, more
//! than one is ambiguous — unless a diff hunk's header line number is where exactly one of
//! them starts. Lines are never matched beyond whitespace.

use crate::error::Closest;
use crate::indent::{self, Unit};

/// A located block: the file lines it replaces and the lines to put there, already in the
/// file's indentation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Located {
    pub start: usize,
    pub end: usize,
    pub replace: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Found {
    One(Located),
    /// 1-based first lines of every match of the deciding tier.
    Many(Vec<usize>),
    None,
}

/// Locates a non-empty `search` in `file` and prepares its `replace`. `hint` (a 1-based line)
/// picks among several matches of the deciding tier only when exactly one starts there.
pub(crate) fn locate(
    file: &[String],
    search: &[String],
    replace: &[String],
    hint: Option<usize>,
) -> Found {
    let m = search.len();
    if m == 0 || m > file.len() {
        return Found::None;
    }
    let starts = 0..=file.len() - m;
    let window = |s: usize| &file[s..s + m];

    let exact: Vec<usize> = starts.clone().filter(|&s| window(s) == search).collect();
    let trailing: Vec<usize> = if exact.is_empty() {
        starts
            .clone()
            .filter(|&s| {
                window(s)
                    .iter()
                    .zip(search)
                    .all(|(a, b)| a.trim_end() == b.trim_end())
            })
            .collect()
    } else {
        Vec::new()
    };
    let pick = |starts: &[usize]| -> Option<usize> {
        let h = hint?;
        let mut at = starts.iter().filter(|&&s| s + 1 == h);
        match (at.next(), at.next()) {
            (Some(&s), None) => Some(s),
            _ => None,
        }
    };
    for tier in [exact, trailing] {
        let tier = match pick(&tier) {
            Some(s) => vec![s],
            None => tier,
        };
        match tier.as_slice() {
            [] => continue,
            [start] => {
                let replace = keep_unchanged(window(*start), search, replace, replace.to_vec());
                return Found::One(Located {
                    start: *start,
                    end: start + m,
                    replace,
                });
            }
            many => return Found::Many(many.iter().map(|s| s + 1).collect()),
        }
    }

    let file_unit = Unit::of_file(file);
    let model_unit =
        Unit::of(search.iter().chain(replace).map(String::as_str)).unwrap_or(file_unit);
    let mut shifted: Vec<(usize, isize)> = starts
        .filter_map(|s| shift(window(s), search, file_unit, model_unit).map(|d| (s, d)))
        .collect();
    let shifted_starts: Vec<usize> = shifted.iter().map(|(s, _)| *s).collect();
    if let Some(s) = pick(&shifted_starts) {
        shifted.retain(|(start, _)| *start == s);
    }
    match shifted.as_slice() {
        [] => Found::None,
        [(start, d)] => {
            let reindented = replace
                .iter()
                .map(|line| reindent(line, *d, file_unit, model_unit))
                .collect();
            Found::One(Located {
                start: *start,
                end: start + m,
                replace: keep_unchanged(window(*start), search, replace, reindented),
            })
        }
        many => Found::Many(many.iter().map(|(s, _)| s + 1).collect()),
    }
}

/// A REPLACE line equal to exactly one SEARCH line is that file line unchanged: context the
/// model copied keeps the file's own bytes (trailing spaces, odd indentation). `prepared` is
/// `replace` as it would be written otherwise (re-indented in the indentation tier).
pub(crate) fn keep_unchanged(
    window: &[String],
    search: &[String],
    replace: &[String],
    mut prepared: Vec<String>,
) -> Vec<String> {
    for (line, out) in replace.iter().zip(&mut prepared) {
        let mut same = search.iter().enumerate().filter(|(_, s)| *s == line);
        if let (Some((j, _)), None) = (same.next(), same.next()) {
            out.clone_from(&window[j]);
        }
    }
    prepared
}

/// The constant level shift (file minus model) under which `window` equals `search`, if any.
fn shift(window: &[String], search: &[String], file_unit: Unit, model_unit: Unit) -> Option<isize> {
    let mut d = None;
    for (f, s) in window.iter().zip(search) {
        let (f_indent, f_rest) = indent::split(f.trim_end());
        let (s_indent, s_rest) = indent::split(s.trim_end());
        if f_rest.is_empty() || s_rest.is_empty() {
            if f_rest.is_empty() != s_rest.is_empty() {
                return None;
            }
            continue;
        }
        if f_rest != s_rest {
            return None;
        }
        let fi = file_unit.measure(f_indent);
        let si = model_unit.measure(s_indent);
        if fi.rem != si.rem {
            return None;
        }
        let here = fi.level - si.level;
        if *d.get_or_insert(here) != here {
            return None;
        }
    }
    d
}

fn reindent(line: &str, d: isize, file_unit: Unit, model_unit: Unit) -> String {
    let (indent, rest) = indent::split(line);
    if rest.trim().is_empty() {
        return String::new();
    }
    let mut level = model_unit.measure(indent);
    level.level += d;
    format!("{}{rest}", file_unit.render(level))
}

/// Comparisons of line pairs allowed for similarity before falling back to equality of
/// trimmed lines (a refusal of a huge SEARCH in a huge file stays fast).
const SIMILARITY_BUDGET: usize = 200_000;

/// The window of the file most like `search`: each line pair scored by normalised
/// Levenshtein similarity of the trimmed lines (strsim), averaged.
pub(crate) fn closest(file: &[String], search: &[String]) -> Option<Closest> {
    if file.is_empty() || search.is_empty() {
        return None;
    }
    let m = search.len().min(file.len());
    let windows = file.len() - m + 1;
    let precise = windows.saturating_mul(m) <= SIMILARITY_BUDGET;
    let score = |a: &str, b: &str| {
        let (a, b) = (cap(a.trim()), cap(b.trim()));
        if precise {
            strsim::normalized_levenshtein(a, b)
        } else if a == b {
            1.0
        } else {
            0.0
        }
    };
    let mut best = (0usize, -1.0f64);
    for start in 0..windows {
        let total: f64 = file[start..start + m]
            .iter()
            .zip(search)
            .map(|(a, b)| score(a, b))
            .sum();
        let mean = total / search.len() as f64;
        if mean > best.1 {
            best = (start, mean);
        }
    }
    let (start, mean) = best;
    Some(Closest {
        start: start + 1,
        lines: file[start..start + m].to_vec(),
        percent: (mean * 100.0).round().clamp(0.0, 100.0) as u8,
    })
}

/// At most 200 characters of a line (similarity is quadratic in length).
fn cap(s: &str) -> &str {
    match s.char_indices().nth(200) {
        Some((at, _)) => &s[..at],
        None => s,
    }
}
