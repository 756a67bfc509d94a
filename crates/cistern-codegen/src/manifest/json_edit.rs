//! Adding dependencies to a `package.json` by editing its text, so the model's key order,
//! indentation and formatting stay as they were (a re-serialised file would reorder keys).
//! The file is validated with serde_json before and after the edit.

use serde_json::Value;

/// Sections a package may already be listed in.
const SECTIONS: [&str; 4] = [
    "dependencies",
    "devDependencies",
    "peerDependencies",
    "optionalDependencies",
];

/// `text` with the `wanted` packages (name, dev?, why) it lacks added at `"latest"`, and the
/// names added; `None` when `text` is not a JSON object.
pub(super) fn add_dependencies(
    text: &str,
    wanted: &[(String, bool, String)],
) -> Option<(String, Vec<String>)> {
    let value: Value = serde_json::from_str(text).ok()?;
    let object = value.as_object()?;
    let present = |name: &str| {
        SECTIONS
            .iter()
            .any(|s| object.get(*s).and_then(|d| d.get(name)).is_some())
    };
    let mut text = text.to_owned();
    let mut added = Vec::new();
    for (section, dev) in [("dependencies", false), ("devDependencies", true)] {
        let names: Vec<&str> = wanted
            .iter()
            .filter(|(name, d, _)| *d == dev && !present(name))
            .map(|(name, _, _)| name.as_str())
            .collect();
        if !names.is_empty() {
            text = insert(&text, section, &names)?;
            added.extend(names.iter().map(|n| (*n).to_owned()));
        }
    }
    serde_json::from_str::<Value>(&text).ok()?;
    Some((text, added))
}

/// A new `package.json` with these scripts and packages.
pub(super) fn new_package(scripts: &[(&str, String)], wanted: &[(String, bool, String)]) -> String {
    let quote = |s: &str| serde_json::to_string(s).unwrap_or_else(|_| format!("\"{s}\""));
    let object = |entries: Vec<(String, String)>| -> String {
        let lines: Vec<String> = entries
            .iter()
            .map(|(k, v)| format!("    {}: {}", quote(k), quote(v)))
            .collect();
        format!("{{\n{}\n  }}", lines.join(",\n"))
    };
    let mut members = vec![
        "  \"name\": \"app\"".to_owned(),
        "  \"version\": \"0.1.0\"".to_owned(),
        "  \"private\": true".to_owned(),
        "  \"type\": \"module\"".to_owned(),
    ];
    if !scripts.is_empty() {
        let entries = scripts
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect();
        members.push(format!("  \"scripts\": {}", object(entries)));
    }
    for (section, dev) in [("dependencies", false), ("devDependencies", true)] {
        let entries: Vec<(String, String)> = wanted
            .iter()
            .filter(|(_, d, _)| *d == dev)
            .map(|(n, _, _)| (n.clone(), "latest".to_owned()))
            .collect();
        if !entries.is_empty() {
            members.push(format!("  \"{section}\": {}", object(entries)));
        }
    }
    format!("{{\n{}\n}}\n", members.join(",\n"))
}

/// One top-level member: its key (raw, between the quotes), where the key starts, and the
/// byte range of its value.
struct Member<'a> {
    key: &'a str,
    key_start: usize,
    value: std::ops::Range<usize>,
}

/// Adds `names` at `"latest"` to `section`, creating the section when missing.
fn insert(text: &str, section: &str, names: &[&str]) -> Option<String> {
    let (close, members) = top_level(text)?;
    let unit = members
        .first()
        .map_or("  ", |m| indentation(text, m.key_start));
    let entry = |name: &str, indent: &str| format!("{indent}\"{name}\": \"latest\"");
    let mut out = text.to_owned();
    match members.iter().find(|m| m.key == section) {
        Some(member) if text[member.value.clone()].starts_with('{') => {
            let open = member.value.start;
            let inner = &text[open + 1..member.value.end - 1];
            if inner.trim().is_empty() {
                let entries: Vec<String> =
                    names.iter().map(|n| entry(n, &unit.repeat(2))).collect();
                let body = format!("{{\n{}\n{unit}}}", entries.join(",\n"));
                out.replace_range(member.value.clone(), &body);
            } else if let Some(newline) =
                inner[..inner.len() - inner.trim_start().len()].rfind('\n')
            {
                let indent = &inner[newline + 1..inner.len() - inner.trim_start().len()];
                let entries: String = names
                    .iter()
                    .map(|n| format!("\n{},", entry(n, indent)))
                    .collect();
                out.insert_str(open + 1, &entries);
            } else {
                let entries: String = names
                    .iter()
                    .map(|n| format!("{}, ", entry(n, "")))
                    .collect();
                out.insert_str(
                    open + 1 + (inner.len() - inner.trim_start().len()),
                    &entries,
                );
            }
        }
        Some(_) => return None,
        None => {
            let entries: Vec<String> = names.iter().map(|n| entry(n, &unit.repeat(2))).collect();
            let body = format!("{unit}\"{section}\": {{\n{}\n{unit}}}", entries.join(",\n"));
            let last = text[..close].trim_end().len();
            let separator = if members.is_empty() { "\n" } else { ",\n" };
            out.replace_range(last..close, &format!("{separator}{body}\n"));
        }
    }
    Some(out)
}

/// The whitespace in front of `at` on its line (`"  "` when there is none).
fn indentation(text: &str, at: usize) -> &str {
    let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let indent = &text[line_start..at];
    if indent.is_empty() || !indent.chars().all(char::is_whitespace) {
        "  "
    } else {
        indent
    }
}

/// The top-level object's closing brace and its members. The text is valid JSON (checked
/// by the caller), so the scan only needs to skip strings and nested values.
fn top_level(text: &str) -> Option<(usize, Vec<Member<'_>>)> {
    let bytes = text.as_bytes();
    let mut i = skip_ws(bytes, 0);
    if bytes.get(i) != Some(&b'{') {
        return None;
    }
    i += 1;
    let mut members = Vec::new();
    loop {
        i = skip_ws(bytes, i);
        match bytes.get(i)? {
            b'}' => return Some((i, members)),
            b',' => i += 1,
            b'"' => {
                let key_end = skip_string(bytes, i)?;
                let key = &text[i + 1..key_end - 1];
                let colon = skip_ws(bytes, key_end);
                let start = skip_ws(bytes, colon + 1);
                let end = skip_value(bytes, start)?;
                members.push(Member {
                    key,
                    key_start: i,
                    value: start..end,
                });
                i = end;
            }
            _ => return None,
        }
    }
}

fn skip_ws(bytes: &[u8], mut i: usize) -> usize {
    while bytes.get(i).is_some_and(u8::is_ascii_whitespace) {
        i += 1;
    }
    i
}

/// The index after the string starting at `i` (a `"`).
fn skip_string(bytes: &[u8], mut i: usize) -> Option<usize> {
    i += 1;
    loop {
        match bytes.get(i)? {
            b'\\' => i += 2,
            b'"' => return Some(i + 1),
            _ => i += 1,
        }
    }
}

/// The index after the value starting at `i`.
fn skip_value(bytes: &[u8], mut i: usize) -> Option<usize> {
    match bytes.get(i)? {
        b'"' => skip_string(bytes, i),
        b'{' | b'[' => {
            let mut depth = 0usize;
            loop {
                match bytes.get(i)? {
                    b'"' => {
                        i = skip_string(bytes, i)?;
                        continue;
                    }
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth -= 1;
                        if depth == 0 {
                            return Some(i + 1);
                        }
                    }
                    _ => {}
                }
                i += 1;
            }
        }
        _ => {
            while bytes
                .get(i)
                .is_some_and(|b| !matches!(b, b',' | b'}' | b']') && !b.is_ascii_whitespace())
            {
                i += 1;
            }
            Some(i)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wanted(names: &[(&str, bool)]) -> Vec<(String, bool, String)> {
        names
            .iter()
            .map(|(n, d)| ((*n).to_owned(), *d, String::new()))
            .collect()
    }

    #[test]
    fn adds_to_an_existing_section_keeping_the_rest() {
        let text =
            "{\n  \"name\": \"x\",\n  \"dependencies\": {\n    \"react\": \"^18.2.0\"\n  }\n}\n";
        let (out, added) = add_dependencies(text, &wanted(&[("react", false), ("axios", false)]))
            .unwrap_or_default();
        assert_eq!(added, ["axios"]);
        assert_eq!(
            out,
            "{\n  \"name\": \"x\",\n  \"dependencies\": {\n    \"axios\": \"latest\",\n    \"react\": \"^18.2.0\"\n  }\n}\n"
        );
    }

    #[test]
    fn creates_missing_sections() {
        let text = "{\n    \"name\": \"x\",\n    \"scripts\": {\"dev\": \"vite\"}\n}";
        let (out, _) =
            add_dependencies(text, &wanted(&[("vite", true), ("vue", false)])).unwrap_or_default();
        let value: Value = serde_json::from_str(&out).unwrap_or_default();
        assert_eq!(value["dependencies"]["vue"], "latest");
        assert_eq!(value["devDependencies"]["vite"], "latest");
        assert!(
            out.starts_with("{\n    \"name\": \"x\",\n    \"scripts\""),
            "{out}"
        );
        assert!(
            out.contains("\n    \"dependencies\": {\n        \"vue\": \"latest\"\n    }"),
            "{out}"
        );
    }

    #[test]
    fn empty_and_single_line_objects() {
        for text in [
            "{}",
            "{\"dependencies\": {}}",
            "{\"dependencies\": {\"a\": \"1\"}}",
        ] {
            let (out, _) = add_dependencies(text, &wanted(&[("b", false)])).unwrap_or_default();
            let value: Value = serde_json::from_str(&out).unwrap_or_default();
            assert_eq!(value["dependencies"]["b"], "latest", "{text} → {out}");
        }
    }

    #[test]
    fn keys_with_escapes_and_nested_braces_in_strings() {
        let text =
            r#"{"description": "a \"}{\" b", "x": [1, {"y": "}"}], "dependencies": {"a": "1"}}"#;
        let (out, added) = add_dependencies(text, &wanted(&[("b", false)])).unwrap_or_default();
        assert_eq!(added, ["b"]);
        let value: Value = serde_json::from_str(&out).unwrap_or_default();
        assert_eq!(value["description"], "a \"}{\" b");
    }

    #[test]
    fn not_an_object_is_refused() {
        assert!(add_dependencies("[1]", &wanted(&[("b", false)])).is_none());
        assert!(add_dependencies("{", &wanted(&[("b", false)])).is_none());
    }

    #[test]
    fn a_new_package_parses() {
        let text = new_package(
            &[("dev", "vite".to_owned())],
            &wanted(&[("react", false), ("vite", true)]),
        );
        let value: Value = serde_json::from_str(&text).unwrap_or_default();
        assert_eq!(value["scripts"]["dev"], "vite");
        assert_eq!(value["devDependencies"]["vite"], "latest");
    }
}
