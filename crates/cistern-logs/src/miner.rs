//! Online template mining.
//!
//! Each message is tokenised on whitespace (a quoted string of several words is
//! one token) and masked ([`crate::mask`]); the masked token sequence is its
//! *signature*. Identical signatures are found in a hash map, so a repeated
//! message costs one tokenise-and-hash. A new signature joins the most similar
//! *cluster* of the same token count (Drain's rule: share of equal positions ≥ a
//! threshold, taken over the literal words), or starts a cluster.
//!
//! [`crate::refine::Templates::build`] turns clusters into templates: within a cluster, a
//! position whose literal values vary is a variable unless its values look
//! like a small closed set of constants (see [`crate::refine`]).

use crate::hash::{FxMap, hash_bytes};
use crate::mask::{MaskConfig, QUOTED_SPACE, WILDCARD};
use crate::memo::Memo;
use crate::signature::SigBuf;

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

/// The engine's tunable constants; [`MinerConfig::default`] is the one global
/// configuration every public entry point uses. The other fields exist so that
/// `examples/loghub_heldout.rs` can measure how much the defaults were fitted to
/// the data they were chosen on (see `docs/log-engine.md`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MinerConfig {
    /// Share of equal literal positions for a message to join a cluster (positions
    /// where both the cluster and the message hold a value are left out).
    pub similarity: f64,
    /// A varying position with at least this many distinct plain words is a variable
    /// (fewer are constants that split the cluster).
    pub many_words: usize,
    /// The same for values with an explicit `key=` or holding a digit.
    pub many_values: usize,
    /// Share of sample lines a header position's dominant kind needs to count as stable.
    pub header_share: f64,
    /// Which token segments masking calls values.
    pub mask: MaskConfig,
}

impl Default for MinerConfig {
    fn default() -> Self {
        Self {
            similarity: 0.5,
            many_words: 10,
            many_values: 4,
            header_share: 0.6,
            mask: MaskConfig::default(),
        }
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
    /// The signature of the message being added.
    sig: SigBuf,
    /// Exact repeats of recent messages.
    memo: Memo,
    /// Which tokens of `sig` are values ([`is_value_token`]).
    values: Vec<bool>,
}

impl Miner {
    /// Creates a miner.
    pub fn new(config: MinerConfig) -> Self {
        Self {
            config,
            sig: SigBuf::new(config.mask),
            ..Self::default()
        }
    }

    /// The configuration it was created with.
    pub fn config(&self) -> &MinerConfig {
        &self.config
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
        self.sig.build(content);
        let h = hash_bytes(self.sig.text.as_bytes());
        if let Some(&id) = self.index.get(&h)
            && *self.sigs[id as usize].text == *self.sig.text
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
                self.sig.text.as_str().into()
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

    fn token(&self, i: usize) -> &str {
        self.sig.token(i)
    }

    /// Finds or creates the cluster for the signature in `self.sig`.
    fn place(&mut self) -> u32 {
        let n = self.sig.spans.len();
        self.values.clear();
        self.values
            .extend((0..n).map(|i| is_value_token(self.sig.token(i))));
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
        let tokens = (0..n).map(|i| Some(self.token(i).into())).collect();
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
    ///
    /// A position that has only ever held masked values keeps the literal `<*>` (it is
    /// not a wildcard), and where the message holds a masked value there too the
    /// position says nothing either way: it is left out of the share. So the share
    /// measures the literal words only, and a message that is mostly values (an access
    /// or proxy log line) is neither kept out of its cluster nor pulled into another
    /// one by its values.
    fn similarity(&self, tpl: &[Option<Box<str>>]) -> (f64, usize) {
        let mut same = 0usize;
        let mut params = 0usize;
        let mut values = 0usize;
        for (i, t) in tpl.iter().enumerate() {
            match t {
                None => params += 1,
                Some(t) if **t == *self.token(i) => {
                    if **t == *WILDCARD {
                        values += 1;
                    } else {
                        same += 1;
                    }
                }
                // Two values of different punctuation (`"-"` and `"<*>"`, `<*>` and `[<*>]`).
                Some(t) if self.values[i] && is_value_token(t) => values += 1,
                Some(_) => {}
            }
        }
        let counted = tpl.len() - values;
        if counted == 0 {
            return (1.0, params);
        }
        ((same as f64 + params as f64 * 0.5) / counted as f64, params)
    }

    fn generalise(&mut self, c: u32) {
        let n = self.sig.spans.len();
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

/// Whether a signature token is a value and nothing else: no letter or digit outside
/// its wildcards (`<*>`, `"<*>"`, `[<*>]`, `<*>:<*>`, `-`, `"-"`).
pub(crate) fn is_value_token(t: &str) -> bool {
    if t == WILDCARD {
        return true;
    }
    let b = t.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i..].starts_with(WILDCARD.as_bytes()) {
            i += WILDCARD.len();
        } else if b[i].is_ascii_alphanumeric() || b[i] >= 0x80 || b[i] as char == QUOTED_SPACE {
            return false;
        } else {
            i += 1;
        }
    }
    // Punctuation alone is a value only as a nil (`-`, `"-"`, `--`).
    t.contains(WILDCARD) || t.contains('-')
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
    unquote_spaces(s)
}

/// Template text with [`QUOTED_SPACE`] shown as a space again.
pub(crate) fn unquote_spaces(s: String) -> String {
    if s.contains(QUOTED_SPACE) {
        s.replace(QUOTED_SPACE, " ")
    } else {
        s
    }
}
