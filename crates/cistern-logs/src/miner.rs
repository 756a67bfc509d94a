//! Online template mining.
//!
//! Each message is tokenised on whitespace and masked ([`crate::mask`]); the
//! masked token sequence is its *signature*. Identical signatures are found in
//! a hash map, so a repeated message costs one tokenise-and-hash. A new
//! signature joins the most similar *cluster* of the same token count (Drain's
//! rule: share of equal positions ≥ a threshold), or starts a cluster.
//!
//! [`Miner::finish`] turns clusters into templates: within a cluster, a
//! position whose literal values vary is a variable unless its values look
//! like a small closed set of constants (see [`crate::refine`]).

use crate::hash::{FxMap, hash_bytes};
use crate::mask::{WILDCARD, mask_token};
use crate::memo::Memo;

/// Most tokens a message keeps; the rest is folded into one final wildcard.
pub const MAX_TOKENS: usize = 256;
/// Most distinct signatures kept with their text (bounds memory on endless unique lines).
pub const MAX_SIGNATURES: usize = 1 << 20;

/// Identifier of a distinct masked message (a signature).
pub type SigId = u32;

#[derive(Debug)]
pub(crate) struct Sig {
    pub cluster: u32,
    pub count: u64,
    /// Masked tokens joined by single spaces.
    pub text: Box<str>,
}

#[derive(Debug)]
pub(crate) struct Cluster {
    /// `None` is a wildcard.
    pub tokens: Vec<Option<Box<str>>>,
    pub count: u64,
    pub sigs: Vec<SigId>,
}

/// Tunables of the miner; [`MinerConfig::default`] is the one global configuration.
#[derive(Debug, Clone, Copy)]
pub struct MinerConfig {
    /// Share of equal positions for a message to join a cluster.
    pub similarity: f64,
}

impl Default for MinerConfig {
    fn default() -> Self {
        Self { similarity: 0.5 }
    }
}

/// The online miner.
#[derive(Debug, Default)]
pub struct Miner {
    config: MinerConfig,
    index: FxMap<u64, SigId>,
    pub(crate) sigs: Vec<Sig>,
    pub(crate) clusters: Vec<Cluster>,
    by_len: FxMap<usize, Vec<u32>>,
    buf: String,
    spans: Vec<(u32, u32)>,
    /// Scratch for [`Miner::mask_dates`].
    masked: Vec<bool>,
    spare: String,
    spare_spans: Vec<(u32, u32)>,
    /// Exact repeats of recent messages.
    memo: Memo,
}

impl Miner {
    /// Creates a miner.
    pub fn new(config: MinerConfig) -> Self {
        Self {
            config,
            ..Self::default()
        }
    }

    /// Number of distinct signatures seen.
    pub fn signature_count(&self) -> usize {
        self.sigs.len()
    }

    /// Number of clusters so far.
    pub fn cluster_count(&self) -> usize {
        self.clusters.len()
    }

    /// The cluster a signature belongs to.
    pub fn cluster_of(&self, sig: SigId) -> u32 {
        self.sigs[sig as usize].cluster
    }

    /// The current template of a cluster (`<*>` for variables).
    pub fn cluster_template(&self, cluster: u32) -> String {
        join_tokens(&self.clusters[cluster as usize].tokens)
    }

    /// Adds one message; returns its signature.
    pub fn add(&mut self, content: &str) -> SigId {
        let raw_hash = hash_bytes(content.as_bytes());
        if let Some(id) = self.memo.get(raw_hash, content) {
            self.bump(id);
            return id;
        }
        self.tokenize(content);
        let h = hash_bytes(self.buf.as_bytes());
        if let Some(&id) = self.index.get(&h)
            && *self.sigs[id as usize].text == *self.buf
        {
            self.bump(id);
            self.memo.put(raw_hash, content, id);
            return id;
        }
        let cluster = self.place();
        let id = self.sigs.len() as SigId;
        let keep = self.sigs.len() < MAX_SIGNATURES;
        self.sigs.push(Sig {
            cluster,
            count: 1,
            text: if keep {
                self.buf.as_str().into()
            } else {
                "".into()
            },
        });
        if keep {
            if *self.index.entry(h).or_insert(id) == id {
                self.memo.put(raw_hash, content, id);
            }
            self.clusters[cluster as usize].sigs.push(id);
        }
        self.clusters[cluster as usize].count += 1;
        id
    }

    /// Counts one more message of signature `id`.
    fn bump(&mut self, id: SigId) {
        let sig = &mut self.sigs[id as usize];
        sig.count += 1;
        self.clusters[sig.cluster as usize].count += 1;
    }

    /// Masks `content` into `self.buf`, recording token spans.
    fn tokenize(&mut self, content: &str) {
        self.buf.clear();
        self.spans.clear();
        for (n, tok) in content.split_ascii_whitespace().enumerate() {
            if n > 0 {
                self.buf.push(' ');
            }
            let s = self.buf.len();
            if n + 1 == MAX_TOKENS {
                self.buf.push_str(WILDCARD);
                self.spans.push((s as u32, self.buf.len() as u32));
                break;
            }
            mask_token(tok, &mut self.buf);
            self.spans.push((s as u32, self.buf.len() as u32));
        }
        self.mask_dates();
    }

    /// Month and weekday names next to masked numbers are part of a date value:
    /// `at Sun Jul 10 03:55:15 2005` → `at <*> <*> <*> <*>:<*>:<*> <*>`.
    fn mask_dates(&mut self) {
        let n = self.spans.len();
        let mut hit = false;
        for i in (0..n).rev() {
            let next_wild = i + 1 < n
                && ((hit && self.masked[i + 1]) || self.token(i + 1).starts_with(WILDCARD));
            let prev_wild = i > 0 && self.token(i - 1) == WILDCARD;
            if (next_wild && crate::kind::is_date_word(self.token(i)))
                || (prev_wild && is_unit(self.token(i)))
            {
                if !hit {
                    self.masked.clear();
                    self.masked.resize(n, false);
                    hit = true;
                }
                self.masked[i] = true;
            }
        }
        if !hit {
            return;
        }
        // Rebuild into the spare buffers, then swap: no allocation once they have grown.
        self.spare.clear();
        self.spare_spans.clear();
        for (i, &(s, e)) in self.spans.iter().enumerate() {
            if i > 0 {
                self.spare.push(' ');
            }
            let start = self.spare.len();
            self.spare.push_str(if self.masked[i] {
                WILDCARD
            } else {
                &self.buf[s as usize..e as usize]
            });
            self.spare_spans
                .push((start as u32, self.spare.len() as u32));
        }
        std::mem::swap(&mut self.buf, &mut self.spare);
        std::mem::swap(&mut self.spans, &mut self.spare_spans);
    }

    fn token(&self, i: usize) -> &str {
        let (s, e) = self.spans[i];
        &self.buf[s as usize..e as usize]
    }

    /// Finds or creates the cluster for the signature in `self.buf`.
    fn place(&mut self) -> u32 {
        let n = self.spans.len();
        let mut best: Option<(u32, f64, usize)> = None;
        if let Some(cands) = self.by_len.get(&n) {
            for &c in cands {
                let (sim, params) = self.similarity(&self.clusters[c as usize].tokens);
                let better = match best {
                    None => true,
                    Some((_, bs, bp)) => sim > bs || (sim == bs && params > bp),
                };
                if better {
                    best = Some((c, sim, params));
                }
            }
        }
        if let Some((c, sim, _)) = best
            && sim >= self.config.similarity
        {
            self.generalise(c);
            return c;
        }
        let tokens = (0..n)
            .map(|i| {
                let t = self.token(i);
                (t != WILDCARD).then(|| t.into())
            })
            .collect();
        let id = self.clusters.len() as u32;
        self.clusters.push(Cluster {
            tokens,
            count: 0,
            sigs: Vec::new(),
        });
        self.by_len.entry(n).or_default().push(id);
        id
    }

    /// Drain's similarity: share of positions equal to the template; wildcards count half.
    fn similarity(&self, tpl: &[Option<Box<str>>]) -> (f64, usize) {
        if tpl.is_empty() {
            return (1.0, 0);
        }
        let mut same = 0usize;
        let mut params = 0usize;
        for (i, t) in tpl.iter().enumerate() {
            match t {
                None => params += 1,
                Some(t) if **t == *self.token(i) => same += 1,
                Some(_) => {}
            }
        }
        (
            (same as f64 + params as f64 * 0.5) / tpl.len() as f64,
            params,
        )
    }

    fn generalise(&mut self, c: u32) {
        let n = self.spans.len();
        for i in 0..n {
            let differs = match &self.clusters[c as usize].tokens[i] {
                Some(t) => **t != *self.token(i),
                None => false,
            };
            if differs {
                self.clusters[c as usize].tokens[i] = None;
            }
        }
    }
}

/// Unit abbreviations that belong to the number before them (`12.5 KB`, `30 ms`).
fn is_unit(t: &str) -> bool {
    let t = t.trim_end_matches([')', ']', ',', ';', '.']);
    matches!(
        t,
        "B" | "KB"
            | "MB"
            | "GB"
            | "TB"
            | "PB"
            | "kB"
            | "KiB"
            | "MiB"
            | "GiB"
            | "TiB"
            | "K"
            | "M"
            | "G"
            | "ms"
            | "us"
            | "µs"
            | "ns"
            | "s"
            | "sec"
            | "secs"
            | "%"
    )
}

/// Joins template tokens with spaces, `None` as `<*>`.
pub(crate) fn join_tokens(tokens: &[Option<Box<str>>]) -> String {
    let mut s = String::new();
    for (i, t) in tokens.iter().enumerate() {
        if i > 0 {
            s.push(' ');
        }
        s.push_str(t.as_deref().unwrap_or(WILDCARD));
    }
    s
}
