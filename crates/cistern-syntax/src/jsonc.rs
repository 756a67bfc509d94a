//! JSON with comments and trailing commas ("JSONC"), as TypeScript and VS Code read
//! `tsconfig.json`, `jsconfig.json` and `.vscode/*.json`. The JSON grammar accepts the
//! comments already; trailing commas are blanked (replaced by a space, so positions stay) before
//! parsing. Strict JSON files (`package.json`, whose readers refuse trailing commas) are not
//! touched.

use std::borrow::Cow;

/// Whether the file at `path` is read as JSONC by the tools that use it.
pub(crate) fn is_jsonc(path: &str) -> bool {
    let normal = path.replace('\\', "/").to_ascii_lowercase();
    let name = normal.rsplit('/').next().unwrap_or(&normal);
    name.ends_with(".jsonc")
        || (name.starts_with("tsconfig") && name.ends_with(".json"))
        || (name.starts_with("jsconfig") && name.ends_with(".json"))
        || name == "devcontainer.json"
        || name == ".eslintrc.json"
        || normal.starts_with(".vscode/")
        || normal.contains("/.vscode/")
}

/// `source` with every comma that only a `}` or `]` follows (whitespace and comments aside)
/// replaced by a space.
pub(crate) fn blank_trailing_commas(source: &str) -> Cow<'_, str> {
    let bytes = source.as_bytes();
    let mut blank: Vec<usize> = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => i = skip_string(bytes, i),
            b'/' if bytes.get(i + 1) == Some(&b'/') || bytes.get(i + 1) == Some(&b'*') => {
                i = skip_comment(bytes, i)
            }
            b',' => {
                let next = skip_insignificant(bytes, i + 1);
                if matches!(bytes.get(next), Some(b'}' | b']')) {
                    blank.push(i);
                }
                i += 1;
            }
            _ => i += 1,
        }
    }
    if blank.is_empty() {
        return Cow::Borrowed(source);
    }
    let mut out = bytes.to_vec();
    for at in blank {
        out[at] = b' ';
    }
    // Only ASCII commas were replaced by ASCII spaces: still UTF-8.
    Cow::Owned(String::from_utf8(out).unwrap_or_else(|_| source.to_owned()))
}

fn skip_string(bytes: &[u8], mut i: usize) -> usize {
    i += 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'"' | b'\n' => return i + 1,
            _ => i += 1,
        }
    }
    i
}

fn skip_comment(bytes: &[u8], i: usize) -> usize {
    if bytes.get(i + 1) == Some(&b'/') {
        bytes[i..]
            .iter()
            .position(|b| *b == b'\n')
            .map_or(bytes.len(), |p| i + p)
    } else {
        bytes[i + 2..]
            .windows(2)
            .position(|w| w == b"*/")
            .map_or(bytes.len(), |p| i + 2 + p + 2)
    }
}

fn skip_insignificant(bytes: &[u8], mut i: usize) -> usize {
    loop {
        while bytes.get(i).is_some_and(u8::is_ascii_whitespace) {
            i += 1;
        }
        if bytes.get(i) == Some(&b'/') && matches!(bytes.get(i + 1), Some(b'/' | b'*')) {
            i = skip_comment(bytes, i);
        } else {
            return i;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jsonc_files() {
        for path in [
            "tsconfig.json",
            "tsconfig.node.json",
            "web/jsconfig.json",
            ".vscode/settings.json",
            "a.jsonc",
        ] {
            assert!(is_jsonc(path), "{path}");
        }
        for path in ["package.json", "data.json", "composer.json"] {
            assert!(!is_jsonc(path), "{path}");
        }
    }

    #[test]
    fn trailing_commas_are_blanked_and_nothing_else() {
        let source = "{\"a\": [1, 2,], \"s\": \",]\", // x,]\n \"b\": 1, /* c */ }";
        assert_eq!(
            blank_trailing_commas(source),
            "{\"a\": [1, 2 ], \"s\": \",]\", // x,]\n \"b\": 1  /* c */ }"
        );
        assert!(matches!(
            blank_trailing_commas("{\"a\": 1}"),
            Cow::Borrowed(_)
        ));
    }
}
