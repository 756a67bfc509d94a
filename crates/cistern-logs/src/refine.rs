//! Final templates from the miner's clusters.
//!
//! Drain-style clustering merges messages that differ in a few positions, which
//! is right for values (`user root` / `user admin`) and wrong for constants
//! (`Failed password` / `Accepted password`, `from RUNNING to SUCCEEDED`). At the
//! end of a stream each cluster's varying positions are examined:
//!
//! * a position holding a masked value, a digit, or many distinct words is a
//!   **variable** (`<*>`);
//! * a position holding a few distinct plain words is a **constant**: the
//!   cluster is split by its value.
//!
//! This needs only the distinct signatures of each cluster, never the lines,
//! so it stays cheap on long streams.

use crate::hash::FxMap;
use crate::mask::QUOTED_SPACE;
use crate::mask::WILDCARD;
use crate::miner::{Cluster, Miner, MinerConfig, is_value_token, join_tokens, unquote_spaces};

/// Final templates and the map from signatures to them.
#[derive(Debug, Clone, Default)]
pub struct Templates {
    /// Template texts.
    pub texts: Vec<String>,
    /// For each signature id, its index in `texts`.
    pub of_sig: Vec<u32>,
}

impl Templates {
    /// Builds final templates from the clusters of `miner`.
    pub fn build(miner: &Miner) -> Templates {
        let cfg = *miner.config();
        let mut out = Templates {
            texts: Vec::new(),
            of_sig: vec![u32::MAX; miner.sigs.len()],
        };
        let cover = covers(&miner.clusters);
        let mut joined: Vec<Vec<usize>> = vec![Vec::new(); miner.clusters.len()];
        for (j, &c) in cover.iter().enumerate() {
            joined[c].push(j);
        }
        for (ci, c) in miner.clusters.iter().enumerate() {
            if c.sigs.is_empty() {
                // Signatures past the memory cap: the cluster template as is.
                out.texts.push(join_tokens(&c.tokens));
                continue;
            }
            if cover[ci] != ci {
                continue; // refined with the cluster that covers it
            }
            let sigs: Vec<(u32, Vec<&str>)> = joined[ci]
                .iter()
                .flat_map(|&j| &miner.clusters[j].sigs)
                .map(|&s| (s, miner.sigs[s as usize].text.split(' ').collect()))
                .collect();
            let n = c.tokens.len();
            let splits: Vec<(usize, Grouping)> = (0..n)
                .filter(|&p| c.tokens[p].is_none())
                .filter_map(|p| {
                    let prev = if p > 0 {
                        c.tokens[p - 1].as_deref()
                    } else {
                        None
                    };
                    position_grouping(&cfg, prev, sigs.iter().map(|(_, t)| t[p])).map(|g| (p, g))
                })
                .collect();
            // Group signatures by their values at constant positions.
            let mut groups: FxMap<Vec<&str>, Vec<usize>> = FxMap::default();
            let mut order = Vec::new();
            for (i, (_, toks)) in sigs.iter().enumerate() {
                let key: Vec<&str> = splits.iter().map(|&(p, g)| g.key(toks[p])).collect();
                let e = groups.entry(key.clone()).or_default();
                if e.is_empty() {
                    order.push(key);
                }
                e.push(i);
            }
            for key in order {
                let members = &groups[&key];
                let id = out.texts.len() as u32;
                let mut tokens: Vec<String> =
                    sigs[members[0]].1.iter().map(|t| (*t).to_owned()).collect();
                for &m in &members[1..] {
                    for (p, t) in sigs[m].1.iter().enumerate() {
                        if tokens[p] != *t {
                            tokens[p] = merge_tokens(&tokens[p], t);
                        }
                    }
                }
                out.texts.push(unquote_spaces(tokens.join(" ")));
                for &m in members {
                    out.of_sig[sigs[m].0 as usize] = id;
                }
            }
        }
        // Signatures beyond the cap were not recorded in their cluster: use the cluster template.
        for (s, slot) in out.of_sig.iter_mut().enumerate() {
            if *slot == u32::MAX {
                let c = miner.sigs[s].cluster as usize;
                *slot = out.texts.len() as u32;
                out.texts.push(join_tokens(&miner.clusters[c].tokens));
            }
        }
        out
    }
}

/// Clusters of one length tried as covers, the most general first.
const MAX_COVERS: usize = 64;

/// For each cluster, the cluster it is refined with: the most general other cluster
/// of its length that *covers* it (a wildcard, the same word, or a value where it
/// has a value, at every position), else itself.
///
/// Online clustering depends on order: a message that came before its cluster had
/// generalised started a cluster of its own (an early `DELETE` request with a rare
/// user agent), which nothing later joins. Refining it with its cover lets the
/// position rules decide it like the rest.
fn covers(clusters: &[Cluster]) -> Vec<usize> {
    let wild = |c: &Cluster| c.tokens.iter().filter(|t| t.is_none()).count();
    let covered_by = |a: &Cluster, b: &Cluster| {
        a.tokens.iter().zip(&b.tokens).all(|(x, y)| match (x, y) {
            (_, None) => true,
            (Some(x), Some(y)) => x == y || (is_value_token(x) && is_value_token(y)),
            (None, Some(_)) => false,
        })
    };
    let mut by_len: FxMap<usize, Vec<usize>> = FxMap::default();
    for (i, c) in clusters.iter().enumerate() {
        if !c.sigs.is_empty() {
            by_len.entry(c.tokens.len()).or_default().push(i);
        }
    }
    let mut cover: Vec<usize> = (0..clusters.len()).collect();
    for ids in by_len.values_mut() {
        // The most general clusters first; only they are tried as covers (bounds the cost
        // on logs with very many clusters of one length).
        ids.sort_by_key(|&i| std::cmp::Reverse(wild(&clusters[i])));
        let candidates = &ids[..ids.len().min(MAX_COVERS)];
        for &a in ids.iter() {
            let wa = wild(&clusters[a]);
            let mut best: Option<(usize, usize)> = None;
            for &b in candidates {
                let wb = wild(&clusters[b]);
                if wb > wa
                    && best.is_none_or(|(_, w)| wb > w)
                    && covered_by(&clusters[a], &clusters[b])
                {
                    best = Some((b, wb));
                }
            }
            if let Some((b, _)) = best {
                cover[a] = b;
            }
        }
    }
    // A cover may be covered in turn (wildcards only increase along the chain: no cycle).
    for i in 0..cover.len() {
        let mut c = cover[i];
        while cover[c] != c {
            c = cover[c];
        }
        cover[i] = c;
    }
    cover
}

/// How a varying position splits a cluster.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Grouping {
    /// Each distinct value is a constant: one template per value.
    Value,
    /// `key=value` tokens with different keys: one template per key.
    Key,
    /// Values of one punctuation skeleton (`"GET <*> HTTP/<*>"`, `"POST <*> HTTP/<*>"`):
    /// one template per value of this word segment (the rest stays variable).
    Segment(usize),
}

impl Grouping {
    fn key(self, v: &str) -> &str {
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
fn key_of(v: &str) -> Option<&str> {
    let i = v.find(['=', ':'])?;
    let k = &v[..i];
    (i > 0
        && i + 1 < v.len()
        && k.bytes()
            .all(|c| c.is_ascii_alphanumeric() || b"_.-".contains(&c)))
    .then(|| &v[..=i])
}

/// Decides whether a varying position is a variable (`None`) or splits the cluster.
fn position_grouping<'a>(
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

/// Generalises two differing tokens, keeping their shared punctuation skeleton:
/// `tag="View",` + `tag="Lock",` → `tag="<*>",`; otherwise the shared `key=` prefix; else `<*>`.
fn merge_tokens(a: &str, b: &str) -> String {
    let (sa, sb) = (segments(a), segments(b));
    if sa.len() == sb.len()
        && sa
            .iter()
            .zip(&sb)
            .all(|(x, y)| is_punct(x) == is_punct(y) && (!is_punct(x) || x == y))
    {
        let mut out = String::new();
        for (x, y) in sa.iter().zip(&sb) {
            out.push_str(if x == y { x } else { WILDCARD });
        }
        return collapse(out);
    }
    match (key_of(a), key_of(b)) {
        (Some(ka), Some(kb)) if ka == kb => format!("{ka}{WILDCARD}"),
        _ => WILDCARD.to_owned(),
    }
}

fn is_punct(s: &str) -> bool {
    s.len() == 1
        && !s.as_bytes()[0].is_ascii_alphanumeric()
        && !matches!(s.as_bytes()[0], b'_' | b'-' | b'.' | b'*')
        || s == WILDCARD
}

/// Cuts a token into alternating word and single-punctuation segments; `<*>` stays whole.
fn segments(t: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let b = t.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i..].starts_with(WILDCARD.as_bytes()) {
            if start < i {
                out.push(&t[start..i]);
            }
            out.push(WILDCARD);
            i += WILDCARD.len();
            start = i;
            continue;
        }
        let c = b[i];
        if !c.is_ascii_alphanumeric() && !matches!(c, b'_' | b'-' | b'.' | b'*') && c.is_ascii() {
            if start < i {
                out.push(&t[start..i]);
            }
            out.push(&t[i..=i]);
            start = i + 1;
        }
        i += 1;
    }
    if start < b.len() {
        out.push(&t[start..]);
    }
    out
}

/// `<*><*>` → `<*>`.
fn collapse(mut s: String) -> String {
    while s.contains("<*><*>") {
        s = s.replace("<*><*>", WILDCARD);
    }
    s
}
