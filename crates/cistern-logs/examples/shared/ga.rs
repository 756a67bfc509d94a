//! Grouping accuracy and the corpus/ground-truth readers shared by the examples and the
//! accuracy tests (included with `#[path]`: test support, so it stays out of the library).

// Each includer uses part of this module.
#![allow(dead_code)]

use std::collections::HashMap;
use std::hash::Hash;
use std::path::{Path, PathBuf};

/// GA (Zhu et al., ICSE-SEIP 2019): a line is correct iff its predicted group holds exactly
/// the lines of its true group.
pub fn grouping_accuracy<T: Eq + Hash, P: Eq + Hash + Copy>(truth: &[T], pred: &[P]) -> f64 {
    assert_eq!(truth.len(), pred.len(), "one prediction per line");
    if truth.is_empty() {
        return 1.0;
    }
    let mut by_truth: HashMap<&T, Vec<usize>> = HashMap::new();
    let mut by_pred: HashMap<P, Vec<usize>> = HashMap::new();
    for (i, t) in truth.iter().enumerate() {
        by_truth.entry(t).or_default().push(i);
        by_pred.entry(pred[i]).or_default().push(i);
    }
    let correct: usize = by_pred
        .values()
        .filter(|members| by_truth[&truth[members[0]]] == **members)
        .map(Vec::len)
        .sum();
    correct as f64 / truth.len() as f64
}

/// Minimal CSV reader (quoted fields, doubled quotes) — enough for the ground-truth files.
pub fn csv_rows(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => row.push(std::mem::take(&mut field)),
            ('\n', false) => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            ('\r', false) => {}
            _ => field.push(c),
        }
    }
    if !field.is_empty() || !row.is_empty() {
        row.push(field);
        rows.push(row);
    }
    rows
}

/// One Loghub-2k system: the raw text and, per ground-truth row, its 0-based line and template.
pub struct Truth {
    /// The raw log as a user would paste it.
    pub text: String,
    /// `(line index, true template)` for each ground-truth row.
    pub rows: Vec<(usize, String)>,
}

impl Truth {
    /// Reads `<root>/<s>/<s>_2k.log` and its corrected ground truth.
    pub fn load(root: &Path, s: &str) -> std::io::Result<Truth> {
        let dir = root.join(s);
        let raw = std::fs::read(dir.join(format!("{s}_2k.log")))?;
        let text = cistern_logs::lines::decode_bytes(&raw)?;
        let gt = std::fs::read_to_string(dir.join(format!("{s}_2k.log_structured_corrected.csv")))?;
        let rows = csv_rows(&gt);
        let col = |name: &str| rows[0].iter().position(|h| h == name);
        let (Some(id), Some(tpl)) = (col("LineId"), col("EventTemplate")) else {
            return Err(std::io::Error::other(
                "ground truth without LineId/EventTemplate",
            ));
        };
        let rows = rows
            .iter()
            .skip(1)
            .filter(|r| r.len() > tpl)
            .filter_map(|r| Some((r[id].parse::<usize>().ok()? - 1, r[tpl].clone())))
            .collect();
        Ok(Truth { text, rows })
    }

    /// GA of a parse (`line_templates` as in `ParseOutput`).
    pub fn ga(&self, line_templates: &[u32]) -> f64 {
        let truth: Vec<&str> = self.rows.iter().map(|(_, t)| t.as_str()).collect();
        let pred: Vec<u32> = self.rows.iter().map(|&(l, _)| line_templates[l]).collect();
        grouping_accuracy(&truth, &pred)
    }
}

/// `tests/corpus`: the hand-labelled format corpus.
pub fn corpus_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/corpus")
}

/// One corpus file: its text and one expected event id per line.
pub struct CorpusFile {
    /// The format's name (the file stem).
    pub name: String,
    /// The log.
    pub text: String,
    /// Expected event id of every line (continuation lines carry their record's id).
    pub events: Vec<String>,
}

impl CorpusFile {
    /// GA of a parse (`line_templates` as in `ParseOutput`).
    pub fn ga(&self, line_templates: &[u32]) -> f64 {
        grouping_accuracy(&self.events, line_templates)
    }
}

/// Every `<name>.log` with its `<name>.events` in the corpus, sorted by name.
pub fn corpus() -> std::io::Result<Vec<CorpusFile>> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(corpus_dir())? {
        let path = entry?.path();
        if path.extension().is_none_or(|e| e != "log") {
            continue;
        }
        let name = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default()
            .to_owned();
        let text = std::fs::read_to_string(&path)?;
        let events: Vec<String> = std::fs::read_to_string(path.with_extension("events"))?
            .lines()
            .map(str::to_owned)
            .collect();
        let lines = cistern_logs::lines::lines(&text).count();
        if lines != events.len() {
            return Err(std::io::Error::other(format!(
                "{name}: {lines} lines but {} events",
                events.len()
            )));
        }
        out.push(CorpusFile { name, text, events });
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(out)
}
