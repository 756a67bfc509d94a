//! Replies shaped like real models' answers.

use super::*;
use crate::path::PathError;

fn paths(extraction: &Extraction) -> Vec<&str> {
    extraction.files.iter().map(|f| f.path.as_str()).collect()
}

fn ok(reply: &str) -> Extraction {
    extract(reply).unwrap_or_else(|e| panic!("{e}: {reply}"))
}

#[test]
fn a_react_project_with_a_nested_fence_in_its_readme() {
    let reply = "Here is your app.\n\n**package.json**\n```json\n{\"name\": \"app\"}\n```\n\n\
                 **src/App.jsx**\n```jsx\nexport default () => <h1>Hi</h1>;\n```\n\n\
                 **README.md**\n````markdown\n# App\n\n```bash\nnpm install\nnpm run dev\n```\n````\n\n\
                 Run it:\n\n```bash\nnpm run dev\n```\n";
    let extraction = ok(reply);
    assert_eq!(
        paths(&extraction),
        ["package.json", "src/App.jsx", "README.md"]
    );
    assert_eq!(
        extraction.files[2].content,
        "# App\n\n```bash\nnpm install\nnpm run dev\n```\n"
    );
    assert_eq!(extraction.files[1].language, Language::Javascript);
    assert_eq!(extraction.skipped.len(), 1);
    assert_eq!(extraction.skipped[0].reason, SkipReason::Command);
}

#[test]
fn tilde_fences_and_info_string_paths() {
    let reply = "~~~python:app/main.py\nprint(1)\n~~~\n\n~~~ js path=web/a.js\nlet a;\n~~~\n\n\
                 ```css title=\"web/style.css\"\nb{}\n```\n```toml filename=pyproject.toml\n[project]\n```\n";
    let extraction = ok(reply);
    assert_eq!(
        paths(&extraction),
        ["app/main.py", "web/a.js", "web/style.css", "pyproject.toml"]
    );
}

#[test]
fn labels_and_path_comments_name_blocks() {
    let reply = "### `server.js`\n```js\nconst x = 1;\n```\nFile: lib/util.js\n```js\nexport {};\n```\n\
                 ```python\n# tools/run.py\nprint(2)\n```\n";
    let extraction = ok(reply);
    assert_eq!(
        paths(&extraction),
        ["server.js", "lib/util.js", "tools/run.py"]
    );
    assert_eq!(
        extraction.files[2].content, "print(2)\n",
        "the path comment is removed"
    );
}

#[test]
fn a_single_unnamed_block_gets_a_default_name() {
    let extraction = ok("Sure!\n\n```python\nprint('hi')\n```\n\nRun `python main.py`.");
    assert_eq!(paths(&extraction), ["main.py"]);
    assert_eq!(
        ok("```html\n<p>x</p>\n```").files[0].path.as_str(),
        "index.html"
    );
    assert_eq!(
        ok("```rust\nfn main() {}\n```").files[0].path.as_str(),
        "main.rs"
    );
}

#[test]
fn unnamed_code_without_named_files_gets_default_names_and_commands_are_skipped() {
    let reply = "```html\n<p>x</p>\n```\n```css\np{}\n```\n```js\nlet a;\n```\n```bash\nopen index.html\n```\n";
    let extraction = ok(reply);
    assert_eq!(paths(&extraction), ["index.html", "style.css", "index.js"]);
    assert_eq!(extraction.skipped[0].reason, SkipReason::Command);
}

#[test]
fn unnamed_blocks_beside_named_files_are_not_files() {
    let reply = "**main.py**\n```python\nimport x\n```\nExample:\n```python\nmain()\n```\n```\napp/\n  main.py\n```\n";
    let extraction = ok(reply);
    assert_eq!(paths(&extraction), ["main.py"]);
    let reasons: Vec<_> = extraction
        .skipped
        .iter()
        .map(|s| s.reason.clone())
        .collect();
    assert_eq!(reasons, [SkipReason::Unnamed, SkipReason::Command]);
}

#[test]
fn indented_code_is_not_a_file() {
    let reply = "**a.py**\n```python\nx = 1\n```\n\nAlso:\n\n    rm -rf /\n";
    assert_eq!(paths(&ok(reply)), ["a.py"]);
}

#[test]
fn crlf_replies() {
    let reply = "**a.py**\r\n```python\r\nx = 1\r\ny = 2\r\n```\r\n";
    let extraction = ok(reply);
    assert_eq!(extraction.files[0].content, "x = 1\ny = 2\n");
}

#[test]
fn json_replies() {
    let reply = r#"{"files": [{"path": "src/a.js", "content": "let a;\n"}, {"path": "b.py", "content": "x"}]}"#;
    assert_eq!(paths(&ok(reply)), ["src/a.js", "b.py"]);
    let fenced = format!("Here:\n```json\n{reply}\n```\n");
    assert_eq!(paths(&ok(&fenced)), ["src/a.js", "b.py"]);
    let cut = &reply[..40];
    assert_eq!(extract(cut), Err(Error::Truncated { path: None }));
    let bad = r#"{"files": [{"name": "a"}]}"#;
    assert_eq!(extract(bad).map_err(|e| e.kind()), Err("json"));
}

#[test]
fn hostile_paths_are_refused() {
    let cases = [
        ("**/etc/cron.d/x.sh**", PathError::Absolute),
        ("**../outside.py**", PathError::ParentDir),
        ("**src/../../x.py**", PathError::ParentDir),
        ("**..\\..\\x.py**", PathError::ParentDir),
        ("**C:\\x.py**", PathError::WindowsDrive),
        ("**.git/hooks/pre-commit.sh**", PathError::VersionControl),
    ];
    for (label, reason) in cases {
        let reply = format!("**ok.py**\n```python\n1\n```\n{label}\n```python\nx\n```\n");
        match extract(&reply) {
            Err(Error::Path {
                reason: got,
                line: 6,
                ..
            }) => assert_eq!(got, reason, "{label}"),
            other => panic!("{label}: {other:?}"),
        }
    }
    let json = r#"{"files": [{"path": "/abs.txt", "content": ""}]}"#;
    assert!(matches!(
        extract(json),
        Err(Error::Path {
            reason: PathError::Absolute,
            ..
        })
    ));
}

#[test]
fn duplicates_collapse_and_conflicts_are_refused() {
    let same = "**a.py**\n```python\nx\n```\n**a.py**\n```python\nx\n```\n";
    let extraction = ok(same);
    assert_eq!(paths(&extraction), ["a.py"]);
    assert!(matches!(
        extraction.skipped[0].reason,
        SkipReason::Duplicate { .. }
    ));
    let different = "**a.py**\n```python\nx\n```\n**A.py**\n```python\ny\n```\n";
    assert!(matches!(
        extract(different),
        Err(Error::Conflict {
            first_line: 2,
            second_line: 6,
            ..
        })
    ));
    let clash = "**src**\n```text\nx\n```\n**src/a.py**\n```python\ny\n```\n"
        .replace("**src**", "`src.d/x`");
    assert!(extract(&clash).is_ok());
    let clash = "**lib.rs/x.rs**\n```rust\n\n```\n**lib.rs**\n```rust\n\n```\n";
    assert!(matches!(
        extract(clash),
        Err(Error::FileDirectoryClash { .. })
    ));
}

#[test]
fn a_reply_cut_off_inside_a_block_is_truncated() {
    let reply = "**a.py**\n```python\nx = 1\n```\n**b.py**\n```python\ndef f(\n";
    let error = extract(reply).err();
    assert_eq!(error.as_ref().map(Error::kind), Some("truncated"));
    assert!(matches!(error, Some(Error::Truncated { path: Some(p) }) if p.as_str() == "b.py"));
    let complete = "**a.py**\n```python\nx = 1\n```\n";
    let extraction =
        extract_with(complete, Options { cut_off: true }).unwrap_or_else(|e| panic!("{e}"));
    assert!(
        extraction.truncated,
        "cut off between files: whole files, maybe not all"
    );
}

#[test]
fn no_files_is_an_error() {
    assert_eq!(extract("I cannot help with that."), Err(Error::NoFiles));
    assert_eq!(extract(""), Err(Error::NoFiles));
}

#[test]
fn a_readme_fenced_like_its_own_blocks_stays_whole() {
    let reply = "**README.md**\n```markdown\n# App\n\n```bash\nnpm start\n```\n\nEnjoy.\n```\n\n**index.js**\n```js\nlet a;\n```\n";
    let extraction = ok(reply);
    assert_eq!(paths(&extraction), ["README.md", "index.js"]);
    assert_eq!(
        extraction.files[0].content,
        "# App\n\n```bash\nnpm start\n```\n\nEnjoy.\n"
    );
}

#[test]
fn a_reply_cut_off_in_a_trailing_command_keeps_its_files() {
    let reply = "**a.py**\n```python\nx = 1\n```\nRun it:\n```bash\npython a.";
    let extraction = ok(reply);
    assert_eq!(paths(&extraction), ["a.py"]);
    assert!(extraction.truncated);
    assert!(extraction.skipped.is_empty());
}

#[test]
fn indented_fences_up_to_three_spaces() {
    let reply = "   **a.py**\n   ```python\n   x = 1\n   ```\n";
    let extraction = ok(reply);
    assert_eq!(extraction.files[0].content, "x = 1\n");
}

#[test]
fn a_command_under_a_label_naming_a_file_is_not_that_file() {
    let reply = "**config.py**\n```python\nDEBUG = True\n```\nEdit `config.py`, then run:\n```bash\npython config.py\n```\n";
    let extraction = ok(reply);
    assert_eq!(paths(&extraction), ["config.py"]);
    assert_eq!(extraction.skipped[0].reason, SkipReason::Command);
}
