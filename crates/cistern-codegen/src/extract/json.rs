//! Replies that are JSON: `{"files": [{"path": "…", "content": "…"}]}`, bare or as the
//! reply's only fenced block (models asked for JSON often fence it).

use serde::Deserialize;

use super::{Error, blocks};

#[derive(Deserialize)]
struct Reply {
    files: Vec<Entry>,
}

#[derive(Deserialize)]
struct Entry {
    path: String,
    content: String,
}

/// `Ok(None)` when the reply is not a files object (it is then read as Markdown).
pub(super) fn files(reply: &str) -> Result<Option<Vec<(String, String)>>, Error> {
    let trimmed = reply.trim();
    let fenced;
    let text = if trimmed.starts_with('{') {
        trimmed
    } else {
        let blocks = blocks::fenced_blocks(reply);
        match blocks.as_slice() {
            [only] if super::fence_word(&only.info).eq_ignore_ascii_case("json") => {
                if !only.closed && only.content.contains("\"files\"") {
                    return Err(Error::Truncated { path: None });
                }
                fenced = only.content.clone();
                fenced.trim()
            }
            _ => return Ok(None),
        }
    };
    if !text.contains("\"files\"") {
        return Ok(None);
    }
    match serde_json::from_str::<serde_json::Value>(text) {
        Err(error) if error.is_eof() => Err(Error::Truncated { path: None }),
        Err(_) => Ok(None),
        Ok(value) if value.get("files").is_none() => Ok(None),
        Ok(value) => {
            let reply: Reply =
                serde_json::from_value(value).map_err(|e| Error::Json(e.to_string()))?;
            Ok(Some(
                reply
                    .files
                    .into_iter()
                    .map(|e| (e.path, e.content.replace("\r\n", "\n")))
                    .collect(),
            ))
        }
    }
}
