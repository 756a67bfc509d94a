//! What a reply still being streamed holds so far: the files already complete and the one
//! being written — for a live file list and a CLI progress line. Nothing here is a result:
//! the final word is [`extract`](super::extract) on the whole reply.

use serde::{Deserialize, Serialize};

use super::{blocks, name_of, nesting};
use crate::path::ProjectPath;

/// The named files of a partial reply.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Progress {
    /// Files whose block is closed, in reply order, each once.
    pub complete: Vec<ProjectPath>,
    /// The file whose block is open at the end of the partial reply.
    pub writing: Option<ProjectPath>,
}

/// The files of `partial` so far. Parses the whole text on each call (about 100 MB/s), so
/// a caller streaming a long reply calls it on each closing fence or a few times a second,
/// not per token. Unnamed blocks and refused paths are left out.
pub fn progress(partial: &str) -> Progress {
    let partial = partial.replace("\r\n", "\n");
    let partial = nesting::lengthen_outer_fences(&partial);
    let mut out = Progress::default();
    for block in blocks::fenced_blocks(&partial) {
        let Some(path) = name_of(&block).and_then(|(raw, _)| ProjectPath::parse(&raw).ok()) else {
            continue;
        };
        if block.closed {
            if !out.complete.contains(&path) {
                out.complete.push(path);
            }
        } else {
            out.writing = Some(path);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(paths: &[ProjectPath]) -> Vec<&str> {
        paths.iter().map(ProjectPath::as_str).collect()
    }

    #[test]
    fn files_appear_as_the_reply_grows() {
        let reply = "Sure.\n\n**a.py**\n```python\nx = 1\n```\n\n**b.py**\n```python\ny = 2\n```\n";
        let at = |needle: &str| reply.find(needle).map_or(reply.len(), |i| i + needle.len());
        assert_eq!(progress(&reply[..at("Sure.")]), Progress::default());
        let first = progress(&reply[..at("x = 1")]);
        assert!(first.complete.is_empty());
        assert_eq!(
            first.writing.as_ref().map(ProjectPath::as_str),
            Some("a.py")
        );
        let second = progress(&reply[..at("y = ")]);
        assert_eq!(names(&second.complete), ["a.py"]);
        assert_eq!(
            second.writing.as_ref().map(ProjectPath::as_str),
            Some("b.py")
        );
        let done = progress(reply);
        assert_eq!(
            (names(&done.complete), done.writing),
            (vec!["a.py", "b.py"], None)
        );
    }

    #[test]
    fn refused_and_unnamed_blocks_are_left_out() {
        let reply = "**../x.py**\n```python\n1\n```\n```bash\nls\n```\n";
        assert_eq!(progress(reply), Progress::default());
    }
}
