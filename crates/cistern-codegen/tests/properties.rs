//! Extraction never panics and never yields a path outside the project — on arbitrary text
//! and on replies built like a model's, with hostile paths mixed in.

use std::path::{Component, Path};

use cistern_codegen::continuation::stitch;
use cistern_codegen::framework::Framework;
use cistern_codegen::{Extraction, ProjectPath, assemble, extract};
use proptest::prelude::*;

/// A path that, joined under a project directory, stays under it on any platform.
fn assert_inside(path: &ProjectPath) -> Result<(), TestCaseError> {
    let text = path.as_str();
    prop_assert!(!text.is_empty());
    prop_assert!(
        !text.contains('\\') && !text.contains(':') && !text.starts_with('~'),
        "{text}"
    );
    prop_assert!(!text.chars().any(char::is_control), "{text:?}");
    for component in Path::new(text).components() {
        prop_assert!(
            matches!(component, Component::Normal(_)),
            "{text}: {component:?}"
        );
    }
    prop_assert!(Path::new("/project").join(text).starts_with("/project"));
    prop_assert!(
        text.split('/')
            .all(|part| !part.eq_ignore_ascii_case(".git"))
    );
    Ok(())
}

fn check(extraction: &Extraction) -> Result<(), TestCaseError> {
    for file in &extraction.files {
        assert_inside(&file.path)?;
    }
    Ok(())
}

fn hostile_path() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z]{1,8}(/[a-z]{1,8}){0,2}\\.(py|js|rs|md|json)",
        Just("/etc/passwd".to_owned()),
        Just("../../.bashrc".to_owned()),
        Just("src/../../escape.py".to_owned()),
        Just("..\\..\\win.ini".to_owned()),
        Just("C:\\Windows\\system.ini".to_owned()),
        Just("C:relative.txt".to_owned()),
        Just("\\\\server\\share\\x.txt".to_owned()),
        Just("~/.ssh/authorized_keys".to_owned()),
        Just(".git/hooks/pre-commit".to_owned()),
        Just("./a/./b//c.py".to_owned()),
        Just("a/..".to_owned()),
        Just("NUL.txt".to_owned()),
        Just("file.txt:stream".to_owned()),
        "[ -~]{0,20}",
    ]
}

fn block() -> impl Strategy<Value = String> {
    let content = "[a-z =()\\n{};'\"`~]{0,60}";
    (
        hostile_path(),
        content,
        0..6u8,
        prop_oneof![Just("```"), Just("~~~"), Just("````")],
    )
        .prop_map(|(path, content, style, fence)| match style {
            0 => format!("{fence}python:{path}\n{content}\n{fence}\n"),
            1 => format!("**{path}**\n{fence}js\n{content}\n{fence}\n"),
            2 => format!("{fence}json title=\"{path}\"\n{content}\n{fence}\n"),
            3 => format!("{fence}python\n# {path}\n{content}\n{fence}\n"),
            4 => format!("`{path}`:\r\n{fence}\r\n{content}\r\n{fence}\r\n"),
            _ => format!("{fence}bash\n{content}\n{fence}\n"),
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_text_never_panics_nor_escapes(reply in "(?s).{0,400}") {
        if let Ok(extraction) = extract(&reply) {
            check(&extraction)?;
        }
    }

    #[test]
    fn fence_heavy_text_never_panics_nor_escapes(reply in "([`~]{0,5}[a-z:/.=\" ]{0,12}\r?\n){0,30}") {
        if let Ok(extraction) = extract(&reply) {
            check(&extraction)?;
        }
    }

    #[test]
    fn model_like_replies_with_hostile_paths(blocks in prop::collection::vec(block(), 1..8), prose in "[A-Za-z .:]{0,30}") {
        let reply = blocks.iter().fold(String::new(), |reply, block| format!("{reply}{prose}\n\n{block}\n"));
        if let Ok(extraction) = extract(&reply) {
            check(&extraction)?;
        }
        let json = format!(
            "{{\"files\": [{}]}}",
            blocks.iter().map(|b| format!("{{\"path\": {}, \"content\": \"x\"}}", serde_json::to_string(&b[..b.len().min(30)]).unwrap_or_default())).collect::<Vec<_>>().join(",")
        );
        if let Ok(extraction) = extract(&json) {
            check(&extraction)?;
        }
    }

    #[test]
    fn stitching_and_assembling_never_panic(a in "(?s).{0,200}", b in "(?s).{0,200}", package in "(?s)\\{.{0,80}") {
        let stitched = stitch(&a, &b);
        if let Ok(extraction) = extract(&stitched) {
            check(&extraction)?;
            let mut files = extraction.files;
            if let Ok(path) = ProjectPath::parse("package.json") {
                files.retain(|f| f.path != path);
                files.push(cistern_codegen::File::new(path, package));
            }
            let project = assemble(files, Framework::ReactVite);
            for file in &project.files {
                assert_inside(&file.path)?;
            }
        }
    }
}

fn refused_path() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "/etc/passwd",
        "../../.bashrc",
        "src/../../escape.py",
        "a/../b.py",
        "..\\..\\win.ini",
        "C:\\Windows\\system.ini",
        "D:relative.txt",
        "\\\\server\\share\\x.txt",
        "~/.ssh/authorized_keys",
        ".git/hooks/pre-commit",
        "src/.GIT/config",
        "NUL.txt",
        "file.txt:stream",
    ])
    .prop_map(str::to_owned)
}

proptest! {
    /// One refused path anywhere among good files, in any naming style, refuses the reply
    /// with its reason: nothing is extracted.
    #[test]
    fn one_hostile_path_refuses_the_whole_reply(
        good in prop::collection::vec("[a-z]{1,8}/[a-z]{1,8}\\.py", 0..5),
        bad in refused_path(),
        at in 0..6usize,
        style in 0..3u8,
    ) {
        let mut blocks: Vec<String> = good.iter().map(|p| format!("```python:{p}\nx = 1\n```\n")).collect();
        let hostile = match style {
            0 => format!("```python:{bad}\nowned = True\n```\n"),
            1 => format!("```python path=\"{bad}\"\nowned = True\n```\n"),
            _ => format!("File: `{bad}`\n```python\nowned = True\n```\n"),
        };
        blocks.insert(at.min(blocks.len()), hostile);
        let reply = blocks.join("\n");
        match extract(&reply) {
            // The raw path may differ from `bad`: CommonMark unescapes `\.` in info strings.
            Err(cistern_codegen::extract::Error::Path { .. }) => {}
            other => prop_assert!(false, "{reply}\n→ {other:?}"),
        }
    }
}
