//! Final templates from the miner's clusters.
//!
//! Drain-style clustering merges messages that differ in a few positions, which
//! is right for values (`user root` / `user admin`) and wrong for constants
//! (`Failed password` / `Accepted password`, `from RUNNING to SUCCEEDED`). At the
//! end of a stream each cluster's varying positions are examined:
//!
//! * a position holding a masked value, a digit, many distinct words, a nil `-`,
//!   or a lower-case word inside punctuation (`(root)`, `$id`) is a **variable** (`<*>`);
//! * a position holding a few distinct plain words is a **constant**: the
//!   cluster is split by its value; values of one punctuation skeleton are decided
//!   word segment by word segment (`"GET <*> HTTP/<*>"` splits by the method).
//!
//! The rules are in `refine/position.rs`. A cluster that a more general cluster of its
//! length covers is refined together with it (`covers`), so the order in which
//! lines came does not strand early rare lines in clusters of their own.
//!
//! This needs only the distinct signatures of each cluster, never the lines,
//! so it stays cheap on long streams.

use crate::hash::FxMap;
use crate::mask::WILDCARD;
use crate::miner::{Cluster, Miner, is_value_token, join_tokens, unquote_spaces};

mod position;
use position::{Grouping, key_of, position_grouping};

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
