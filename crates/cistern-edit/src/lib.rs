//! The coding agent's edit engine, pure: no I/O, no async, no model calls. It takes a model's
//! reply and the files it edits, and either returns every changed file or refuses the whole
//! reply with feedback the model can act on. It never applies a change it had to guess.
//!
//! # Use
//!
//! ```
//! use cistern_edit::{Change, Tree, apply, unified_diff};
//!
//! let tree: Tree = [("src/app.py", "def greet():\r\n    return 'hi'\r\n")].into_iter().collect();
//! let reply = "Change the greeting:\n\nsrc/app.py\n```python\n<<<<<<< SEARCH\n    return 'hi'\n=======\n    return 'hello'\n>>>>>>> REPLACE\n```\n";
//!
//! let changes = apply(&tree, reply)?;
//! let new = changes.files["src/app.py"].content().unwrap_or_default();
//! assert_eq!(new, "def greet():\r\n    return 'hello'\r\n"); // CRLF kept
//!
//! let diff = unified_diff("src/app.py", tree.get("src/app.py"), Some(new));
//! assert_eq!(diff.hunks[0].header, "@@ -1,2 +1,2 @@");
//! # Ok::<(), cistern_edit::Refusal>(())
//! ```
//!
//! A refusal ([`Refusal`]) lists every problem in the reply ([`Error`], each with a stable
//! [`Error::kind`] and the file, block, candidate lines or closest lines as fields); its
//! `Display` is the text to send back to the model for a repair round.
//!
//! # What it accepts
//! - **SEARCH/REPLACE blocks**: `<<<<<<< SEARCH`, the lines to find, `=======`, the lines to
//!   put there, `>>>>>>> REPLACE`; the file path alone on the line before the block or before
//!   the ``` fence around it (or in the fence's info string); prose around; several blocks per
//!   file (a block without a path line takes the previous block's path) and several files. An
//!   empty SEARCH on a file that does not exist creates it.
//! - **Unified diffs**: git (`diff --git`, `index`, modes, `rename from`/`rename to`) or plain
//!   (`--- x` / `+++ x`), in a ```` ```diff ```` / ```` ```patch ```` fence or bare, prose
//!   around, several files; `@@` headers with or without numbers (wrong numbers and counts are
//!   fine), context lines that lost their leading space; new files (`--- /dev/null`),
//!   deletions (`+++ /dev/null`, `deleted file mode`), renames (`rename from`/`to`, or different
//!   old and new names, with or without hunks). Each hunk is a search (context + removed lines)
//!   and a replace (context + added lines) located like a SEARCH/REPLACE block.
//! - **Whole files**: a fenced block with a path — ```` ```python src/app.py ```` or the path
//!   alone on the line before the fence — and no SEARCH marker inside. Fenced code without a
//!   path is prose and ignored. The details are in [`parse`](mod@parse).
//!
//! # The rules
//! - **All or nothing.** Every block of every file is located against the original files
//!   before anything is written; one problem anywhere refuses the whole reply, and the
//!   [`Tree`] is never touched ([`apply`] returns [`Changes`]; [`Tree::apply`] writes them).
//! - **Match tiers.** Exactly; else ignoring trailing whitespace; else indentation-relative: the
//!   SEARCH shifted by whole indentation levels (in either direction, tabs or spaces) matches,
//!   and its REPLACE is re-indented by the same shift in the file's own tabs or spaces. The first
//!   tier with a match decides. REPLACE lines that copy a SEARCH line keep the file's own bytes.
//! - **Never guess.** A SEARCH that matches more than once (at its deciding tier) is refused
//!   with the line numbers of every match ([`Error::Ambiguous`]) — a diff hunk's header line
//!   number only picks among them when exactly one starts there; one that matches nowhere is
//!   refused with the closest lines ([`Error::NotFound`], similarity by strsim's normalised
//!   Levenshtein over the trimmed lines). Lines are never matched beyond whitespace, so a
//!   removed line that differs from the file is refused.
//! - **Files.** A new file must not exist ([`Error::FileExists`]), a deleted or renamed one
//!   must ([`Error::FileMissing`]), a rename's new path must be free, a deletion's hunks must
//!   remove every line ([`Error::DeleteIncomplete`]); [`Change::Deleted`] and
//!   [`Change::Renamed`] (keyed by the new path) carry them.
//! - **File order.** Blocks are located against the original file, so their order in the reply
//!   does not matter; two blocks whose matched lines overlap are refused ([`Error::Overlap`]).
//! - **Bytes kept.** Each line keeps its own ending (CRLF stays CRLF when the model writes LF;
//!   new lines get the file's majority ending), a missing final newline stays missing, a UTF-8
//!   BOM stays. Files are UTF-8 text (`String`).
//! - **Elisions only where determined.** A REPLACE line such as `// ... existing code ...`,
//!   `# ... rest unchanged ...` or `/* ... */` is applied only when the SEARCH has the same
//!   elision, between lines that match the file exactly and fit one way only: the elided lines
//!   are then left as they are. Anywhere else — a whole file, an elision only in the REPLACE,
//!   at the SEARCH's edge, or anchors that fit more than one way — it is refused
//!   ([`Error::Elision`], [`Error::Ambiguous`]); never written literally.
//! - **Safe paths.** Absolute paths, `..`, `\`, `:` and `.git` are refused ([`Error::Path`]).
//!
//! # For the server
//! - [`unified_diff`] (and [`renamed_diff`], [`Changes::diffs`]) makes the diff shown to the
//!   user from before and after (similar's Myers diff, 3 lines of context) in git's format —
//!   `git apply` re-applies it (tested) — with each hunk's id and `@@` numbers.
//! - [`apply_hunks`] keeps only the accepted hunks (per-hunk accept), byte for byte.
//! - [`merge3`] merges the agent's version with a file changed since it was read: changes to
//!   disjoint base lines (and identical changes) merge; others are [`Conflict`]s.
//!
//! # Not yet
//! Markdown files whose whole-file block nests ``` fences inside ``` fences (use a longer outer
//! fence, as CommonMark does); a fenced diff of a Markdown file whose hunks hold fence lines;
//! file modes and copies in diffs (copies and binary patches are refused).
//!
//! **Boundary:** no I/O, no async, no clock, no model calls; links no web framework
//! (`scripts/check-boundaries.sh`). The tree is in memory; the app reads and writes files.

mod apply;
pub mod diff;
mod elision;
pub mod error;
mod indent;
mod locate;
mod merge;
pub mod parse;
mod plan;
mod select;
mod text;
pub mod tree;
mod udiff;

pub use apply::{apply, apply_edits};
pub use diff::{FileDiff, Hunk, renamed_diff, unified_diff};
pub use error::{Block, Closest, Error, Refusal};
pub use merge::{Conflict, merge3};
pub use parse::{Edit, EditKind, parse};
pub use select::apply_hunks;
pub use tree::{Change, Changes, Tree};
