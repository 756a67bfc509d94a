//! Whether a varying position of a cluster is a variable or a constant that
//! splits the cluster (see the parent module for the rules in prose).

use crate::mask::{QUOTED_SPACE, WILDCARD};
use crate::miner::MinerConfig;

use super::{is_punct, segments};

/// How a varying position splits a cluster.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Grouping {
    /// Each distinct value is a constant: one template per value.
    Value,
    /// `key=value` tokens with different keys: one template per key.
    Key,
    /// Values of one punctuation skeleton (`"GET <*> HTTP/<*>"`, `"POST <*> HTTP/<*>"`):
    /// one template per value of this word segment (the rest stays variable).
    Segment(usize),
}

impl Grouping {
    /// The part of `v` that names the template (the whole value, its key, one segment).
    pub(super) fn key(self, v: &str) -> &str {
        match self {
            Grouping::Value => v,
            Grouping::Key => key_of(v).unwrap_or(v),
            Grouping::Segment(j) => segments(v).get(j).copied().unwrap_or(v),
        }
    }
}

/// The segments of values that share one punctuation skeleton (same number of
/// segments, the same punctuation at the same places, at least one punctuation
/// segment); `None` otherwise.
fn common_skeleton<'a>(values: &[&'a str]) -> Option<Vec<Vec<&'a str>>> {
    let segs: Vec<Vec<&str>> = values.iter().map(|v| segments(v)).collect();
    let first = &segs[0];
    let compound = first.iter().any(|s| is_punct(s) && *s != WILDCARD);
    let same = segs.iter().all(|s| {
        s.len() == first.len()
            && s.iter()
                .zip(first)
                .all(|(x, y)| is_punct(x) == is_punct(y) && (!is_punct(x) || x == y))
    });
    (compound && same).then_some(segs)
}

/// Words after which a token names an entity (a value), whatever it looks like.
const NAMING_WORDS: &[&str] = &[
    "user",
    "users",
    "username",
    "account",
    "host",
    "hostname",
    "file",
    "filename",
    "path",
    "dir",
    "directory",
    "node",
    "job",
    "task",
    "table",
    "database",
    "db",
    "queue",
    "topic",
    "key",
    "id",
    "name",
    "uid",
    "pid",
    "session",
    "client",
    "domain",
    "device",
    "container",
    "application",
    "app",
    "package",
    "volume",
    "instance",
    "thread",
    "process",
    "for",
];

/// Literal values that are data, never structure.
const VALUE_WORDS: &[&str] = &["true", "false", "null", "nil", "undefined", "nan"];

/// `uid=0` → `uid=`, `ret:false` → `ret:`; `None` for tokens without a key, and for
/// `judy:` (a word before a colon is a label or a value, not a key: nothing follows).
pub(super) fn key_of(v: &str) -> Option<&str> {
    let i = v.find(['=', ':'])?;
    let k = &v[..i];
    (i > 0
        && i + 1 < v.len()
        && k.bytes()
            .all(|c| c.is_ascii_alphanumeric() || b"_.-".contains(&c)))
    .then(|| &v[..=i])
}

/// Decides whether a varying position is a variable (`None`) or splits the cluster.
pub(super) fn position_grouping<'a>(
    cfg: &MinerConfig,
    prev: Option<&str>,
    values: impl Iterator<Item = &'a str>,
) -> Option<Grouping> {
    let mut distinct: Vec<&str> = Vec::new();
    for v in values {
        if !distinct.contains(&v) {
            distinct.push(v);
        }
    }
    grouping_of(cfg, prev, &distinct)
}

/// [`position_grouping`] on the distinct values of a position.
fn grouping_of(cfg: &MinerConfig, prev: Option<&str>, distinct: &[&str]) -> Option<Grouping> {
    if distinct.len() < 2 {
        return None;
    }
    // `-` is how many formats write "no value" (access logs, squid, syslog): a position
    // that may be empty is a field, never a constant that names the event.
    if distinct.iter().any(|v| is_nil(v)) {
        return None;
    }
    let keys: Vec<Option<&str>> = distinct.iter().map(|v| key_of(v)).collect();
    if keys.iter().all(Option::is_some) {
        let first = keys[0];
        if !keys.iter().all(|k| *k == first) {
            return Some(Grouping::Key);
        }
        // Same key: a few plain words are constants (`user=root`), anything else a value.
        let words = distinct.iter().all(|v| {
            let val = &v[first.map_or(0, str::len)..];
            !val.is_empty() && val.bytes().all(|c| c.is_ascii_alphabetic())
        });
        let few = distinct.len() < cfg.many_values;
        let data = distinct.iter().any(|v| {
            VALUE_WORDS.contains(&v[first.map_or(0, str::len)..].to_ascii_lowercase().as_str())
        });
        return (words && few && !data).then_some(Grouping::Value);
    }
    // One skeleton, a varying word inside (`"GET <*> HTTP/<*>"` / `"POST <*> HTTP/<*>"`):
    // the word segments decide, each by the rules for a whole position.
    if let Some(segs) = common_skeleton(distinct) {
        let quoted = distinct.iter().any(|v| v.contains(QUOTED_SPACE));
        // `failure;` / `failures;`, `BLOCK]` / `ALLOW]`: a word and trailing punctuation is a
        // word (the rules below decide). Otherwise a word inside punctuation (`(root)`,
        // `$id`, `minecraft:the_end`, `:<*>/staging`) is data, unless it is written like an
        // enumerated constant, in capitals (`TCP_HIT/<*>`, `TCP_MISS/<*>`).
        let trailing_only = segs[0].len() >= 2
            && !is_punct(segs[0][0])
            && segs[0][1..].iter().all(|s| is_punct(s) && *s != WILDCARD);
        if !quoted && !trailing_only {
            let capitals = (0..segs[0].len()).all(|j| {
                segs.iter().all(|s| s[j] == segs[0][j])
                    || segs
                        .iter()
                        .all(|s| !s[j].bytes().any(|c| c.is_ascii_lowercase()))
            });
            if !capitals {
                return None;
            }
        }
        for j in 0..segs[0].len() {
            if is_punct(segs[0][j]) {
                continue;
            }
            let prev_seg = j
                .checked_sub(1)
                .map(|p| segs[0][p])
                .filter(|s| !is_punct(s));
            let mut at_j: Vec<&str> = segs.iter().map(|s| s[j]).collect();
            at_j.sort_unstable();
            at_j.dedup();
            if grouping_of(cfg, prev_seg.or(if j == 0 { prev } else { None }), &at_j)
                == Some(Grouping::Value)
            {
                return Some(Grouping::Segment(j));
            }
        }
        return None;
    }
    // A quoted string of several words whose words differ in number is free text (a user
    // agent, a query): a value.
    if distinct.iter().any(|v| v.contains(QUOTED_SPACE)) {
        return None;
    }
    // Differently shaped masked values (`(uid=<*>)` / `LOGIN(uid=<*>)`) are different structures.
    if distinct
        .iter()
        .all(|v| v.contains(WILDCARD) && *v != WILDCARD)
        && distinct.len() < cfg.many_values
    {
        return Some(Grouping::Value);
    }
    let digits = distinct
        .iter()
        .any(|v| v.bytes().any(|c| c.is_ascii_digit()));
    if distinct.len()
        >= if digits {
            cfg.many_values
        } else {
            cfg.many_words
        }
        || distinct
            .iter()
            .any(|v| v.contains(WILDCARD) || VALUE_WORDS.contains(&v.to_ascii_lowercase().as_str()))
    {
        return None;
    }
    if let Some(prev) = prev {
        // `user root`, `EventType: CONTAINER_LAUNCH`: a label, then its value.
        let label = prev.ends_with(':') && prev.len() > 1 && !prev.contains(WILDCARD);
        let p = prev.trim_end_matches([':', '=']).to_ascii_lowercase();
        if label || NAMING_WORDS.contains(&p.as_str()) {
            return None;
        }
    }
    Some(Grouping::Value)
}

/// `-` on its own or quoted (`"-"`).
fn is_nil(v: &str) -> bool {
    let core = v.trim_matches(['"', '\'', ',', ';']);
    !core.is_empty() && core.bytes().all(|c| c == b'-')
}
