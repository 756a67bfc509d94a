//! [`TimeCursor`]: where a page of rows ordered by `(time, id)` descending ends. Every such list
//! (LLM calls, extensions, an agent's facts and summaries) pages on it, so pages neither skip nor
//! repeat rows that share a millisecond.

use std::fmt;
use std::str::FromStr;

/// The last row's `(time, id)`; its text form `<time>_<id>` is the opaque cursor of the API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimeCursor {
    /// The last row's time (Unix milliseconds: `created_at`, or `updated_at` for lists ordered
    /// by activity).
    pub at: i64,
    /// The last row's id.
    pub id: String,
}

impl TimeCursor {
    /// The bound values of `(time, id) < ($n, $m)`: the cursor, or past every row when there is
    /// none (so the statement needs no `IS NULL` branch).
    pub fn bounds(cursor: Option<&TimeCursor>) -> (i64, &str) {
        cursor.map_or((i64::MAX, ""), |c| (c.at, c.id.as_str()))
    }
}

impl fmt::Display for TimeCursor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}_{}", self.at, self.id)
    }
}

/// Text that is not a cursor [`TimeCursor`]'s `Display` produced.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("malformed cursor {0:?}")]
pub struct MalformedCursor(pub String);

impl FromStr for TimeCursor {
    type Err = MalformedCursor;

    fn from_str(s: &str) -> Result<Self, MalformedCursor> {
        let bad = || MalformedCursor(s.to_owned());
        let (at, id) = s.split_once('_').ok_or_else(bad)?;
        let at = at.parse().map_err(|_| bad())?;
        if id.is_empty() {
            return Err(bad());
        }
        Ok(TimeCursor {
            at,
            id: id.to_owned(),
        })
    }
}
