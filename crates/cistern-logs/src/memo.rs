//! A small cache from a message's exact text to its signature.
//!
//! About half the messages of a typical log repeat an earlier message exactly
//! (`Connection closed`, `Verification succeeded for blk_…` aside, most
//! services say the same things again and again): for those, one hash of the
//! raw text and one compare replace tokenising, masking and hashing the masked
//! signature. The cache is direct-mapped with a fixed number of slots and only
//! holds short messages, so its memory is bounded (at most
//! [`SLOTS`] × [`MAX_TEXT`] bytes of text) whatever the stream.
//!
//! **Invariant:** a hit returns exactly what [`crate::Miner::add`] would have
//! returned for that text — signatures are a function of the text, and only
//! texts whose signature is indexed are cached.

use crate::miner::SigId;

/// Number of slots (a power of two).
pub(crate) const SLOTS: usize = 4096;
/// Longest message cached, in bytes; longer ones are rarely repeated verbatim.
pub(crate) const MAX_TEXT: usize = 256;

#[derive(Debug, Default)]
pub(crate) struct Memo {
    /// `(hash of the text, signature, text)`; allocated on first use.
    slots: Vec<(u64, SigId, Box<str>)>,
}

impl Memo {
    /// The signature cached for `text` (whose hash is `hash`).
    #[inline]
    pub fn get(&self, hash: u64, text: &str) -> Option<SigId> {
        let (h, sig, t) = self.slots.get(hash as usize & (SLOTS - 1))?;
        (*h == hash && **t == *text).then_some(*sig)
    }

    /// Remembers that `text` has signature `sig`.
    pub fn put(&mut self, hash: u64, text: &str, sig: SigId) {
        if text.len() > MAX_TEXT {
            return;
        }
        if self.slots.is_empty() {
            self.slots.resize_with(SLOTS, || (0, 0, Box::default()));
        }
        let slot = &mut self.slots[hash as usize & (SLOTS - 1)];
        if slot.2.len() == text.len() {
            // Reuse the allocation when the lengths agree.
            let mut owned = std::mem::take(&mut slot.2).into_string();
            owned.clear();
            owned.push_str(text);
            slot.2 = owned.into_boxed_str();
        } else {
            slot.2 = text.into();
        }
        slot.0 = hash;
        slot.1 = sig;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hits_only_the_exact_text() {
        let mut m = Memo::default();
        assert_eq!(m.get(7, "a b"), None);
        m.put(7, "a b", 3);
        assert_eq!(m.get(7, "a b"), Some(3));
        // Same slot, same hash, other text (a collision): a miss, never a wrong signature.
        assert_eq!(m.get(7, "a c"), None);
        // Same slot, other hash: the newer entry replaces the older.
        m.put(7 + SLOTS as u64, "x", 4);
        assert_eq!(m.get(7, "a b"), None);
        assert_eq!(m.get(7 + SLOTS as u64, "x"), Some(4));
    }

    #[test]
    fn long_texts_are_not_kept() {
        let mut m = Memo::default();
        let long = "x".repeat(MAX_TEXT + 1);
        m.put(1, &long, 9);
        assert_eq!(m.get(1, &long), None);
    }
}
