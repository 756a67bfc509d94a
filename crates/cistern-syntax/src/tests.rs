//! Per-language checks: a valid file passes, a typical mistake is found where a person would
//! look for it.

use crate::{Language, Options, check, check_language, check_with};

fn first_error(path: &str, source: &str) -> (u32, u32, String) {
    let report = check(path, source);
    assert!(report.checked, "{path} was not checked");
    assert!(!report.ok, "{path} passed: {source}");
    let error = &report.errors[0];
    (error.line, error.column, error.message.clone())
}

#[test]
fn valid_files_pass_in_every_checked_language() {
    let cases = [
        (
            "index.js",
            "import React from 'react';\nconst App = () => <div className=\"a\">{1}</div>;\nexport default App;\n",
        ),
        (
            "main.ts",
            "interface A { x: number }\nexport function f(a: A): number { return a.x; }\n",
        ),
        (
            "App.tsx",
            "export const App = (): JSX.Element => <main>{[1].map((n) => <b key={n}>{n}</b>)}</main>;\n",
        ),
        (
            "main.py",
            "from fastapi import FastAPI\n\napp = FastAPI()\n\n@app.get('/')\nasync def root():\n    return {'ok': True}\n",
        ),
        (
            "main.rs",
            "use std::io;\n\nfn main() -> io::Result<()> {\n    println!(\"{}\", 1);\n    Ok(())\n}\n",
        ),
        (
            "main.go",
            "package main\n\nimport \"fmt\"\n\nfunc main() {\n\tfmt.Println(\"hi\")\n}\n",
        ),
        (
            "App.java",
            "public class App {\n  public static void main(String[] args) {\n    System.out.println(1);\n  }\n}\n",
        ),
        (
            "index.html",
            "<!DOCTYPE html>\n<html><head><title>x</title></head><body><p>hi</p></body></html>\n",
        ),
        (
            "style.css",
            "body { margin: 0; }\n.a > .b:hover { color: #fff; }\n",
        ),
        (
            "package.json",
            "{\n  \"name\": \"x\",\n  \"dependencies\": {\"react\": \"^18\"}\n}\n",
        ),
        (
            "Cargo.toml",
            "[package]\nname = \"x\"\nversion = \"0.1.0\"\n\n[dependencies]\nserde = { version = \"1\", features = [\"derive\"] }\n",
        ),
        (
            "ci.yml",
            "on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: make\n",
        ),
    ];
    for (path, source) in cases {
        let report = check(path, source);
        assert!(report.checked, "{path} not checked (grammar did not load?)");
        assert!(report.ok, "{path}: {:?}", report.errors);
    }
    let checked = Language::ALL.iter().filter(|l| l.is_checked()).count();
    assert_eq!(cases.len(), checked, "one case per checked language");
}

#[test]
fn javascript_stray_brace() {
    let (line, column, message) = first_error("a.js", "function f() {\n  return 1;\n}}\n");
    assert_eq!((line, column, message.as_str()), (3, 2, "unexpected `}`"));
}

#[test]
fn javascript_missing_paren() {
    let (line, column, message) = first_error("a.js", "const x = foo(1, 2;\n");
    assert_eq!((line, column, message.as_str()), (1, 19, "missing `)`"));
}

#[test]
fn typescript_missing_expression() {
    let (line, column, message) = first_error("a.ts", "let x: number = ;\n");
    assert_eq!((line, column), (1, 15));
    assert!(message.starts_with("unexpected"), "{message}");
}

#[test]
fn tsx_unclosed_expression() {
    let (line, _, _) = first_error("A.tsx", "export const A = () => <div>{x</div>;\n");
    assert_eq!(line, 1);
}

#[test]
fn python_missing_paren_in_parameters() {
    let (line, column, message) = first_error("a.py", "def f(:\n    pass\n");
    assert_eq!((line, column, message.as_str()), (1, 7, "missing `)`"));
}

#[test]
fn python_missing_colon() {
    let (line, _, message) = first_error("a.py", "if x\n    pass\n");
    assert_eq!(line, 2, "{message}");
}

#[test]
fn rust_missing_semicolon_is_reported_at_the_end_of_its_line() {
    let source = "fn main() {\n    let x = 1\n    println!(\"{x}\");\n}\n";
    let (line, column, message) = first_error("a.rs", source);
    assert_eq!((line, column, message.as_str()), (2, 14, "missing `;`"));
}

#[test]
fn rust_unclosed_block() {
    let (line, _, message) = first_error("a.rs", "fn main() {\n    let x = 1;\n");
    assert_eq!((line, message.as_str()), (2, "unexpected end of file"));
}

#[test]
fn go_missing_paren() {
    let source = "package main\n\nfunc main() {\n\tfmt.Println(\"x\"\n}\n";
    let (line, column, message) = first_error("main.go", source);
    assert_eq!((line, column, message.as_str()), (4, 17, "missing `)`"));
}

#[test]
fn java_missing_semicolon() {
    let source = "class A {\n  void f() {\n    int x = 1\n  }\n}\n";
    let (line, column, message) = first_error("A.java", source);
    assert_eq!((line, column, message.as_str()), (3, 14, "missing `;`"));
}

#[test]
fn html_broken_tag() {
    let (line, _, _) = first_error("a.html", "<p>ok</p>\n<div class=\"x\" <p>\n");
    assert_eq!(line, 2);
}

#[test]
fn css_unclosed_rule() {
    let (line, column, message) = first_error("a.css", "body { color: red;\n");
    assert_eq!((line, column, message.as_str()), (1, 19, "missing `}`"));
}

#[test]
fn json_trailing_comma() {
    let (line, column, message) = first_error("a.json", "{\"a\": 1,}\n");
    assert_eq!((line, column, message.as_str()), (1, 8, "unexpected `,`"));
}

#[test]
fn toml_unclosed_table_header() {
    let (line, _, message) = first_error("Cargo.toml", "[package\nname = \"x\"\n");
    assert!(line <= 2 && message.contains('`'), "{line} {message}");
}

#[test]
fn yaml_bad_mapping() {
    let (line, column, message) = first_error("a.yaml", "key: value: other\n");
    assert_eq!((line, column, message.as_str()), (1, 11, "unexpected `:`"));
}

#[test]
fn columns_count_characters_not_bytes() {
    let (line, column, _) = first_error("a.js", "const s = 'é';\n}\n");
    assert_eq!((line, column), (2, 1));
    let (_, column, _) = first_error("a.js", "const é = 'ééé'; }\n");
    assert_eq!(column, 18);
}

#[test]
fn unchecked_languages_pass_without_parsing() {
    let report = check("README.md", "```\nunclosed");
    assert!(report.ok && !report.checked);
    assert_eq!(report.language, Language::Markdown);
    assert!(check("Dockerfile", "FROM x").ok);
}

#[test]
fn errors_are_capped_and_the_cap_is_reported() {
    let source = "const a = ;\nconst b = 1;\n".repeat(20);
    let options = Options {
        max_errors: 3,
        ..Options::default()
    };
    let report = check_with(Language::Javascript, &source, &options);
    assert_eq!(report.errors.len(), 3);
    assert!(report.more_errors);
    let report = check_language(Language::Javascript, "}\n");
    assert!(!report.more_errors);
}

#[test]
fn parsers_are_reused_across_calls_and_threads() {
    let handles: Vec<_> = (0..4)
        .map(|_| {
            std::thread::spawn(|| {
                (0..20).all(|_| check("a.py", "x = 1\n").ok && !check("a.py", "x = (\n").ok)
            })
        })
        .collect();
    for handle in handles {
        assert!(handle.join().unwrap_or(false));
    }
}

#[test]
fn reports_serialise_with_api_names() {
    let report = check("a.json", "{,}");
    let json = serde_json::to_value(&report).unwrap_or_default();
    assert_eq!(json["language"], "json");
    assert_eq!(json["ok"], false);
    assert_eq!(json["errors"][0]["line"], 1);
    assert_eq!(
        report.errors[0].to_string(),
        "line 1, column 2: unexpected `,`, expected `\"` or `}`"
    );
}

proptest::proptest! {
    #[test]
    fn python_shaped_input_never_panics(
        lines in proptest::collection::vec(
            (0..12usize, proptest::sample::select(vec![
                "def f():", "class A:", "if x:", "else:", "x = 1", "return (1,", ")", "pass",
                "# c", "", "for i in y: z()", "é = 'ü'", "\\", "try:", "except E as e:",
            ])),
            0..12,
        ),
    ) {
        let source: String = lines.iter().map(|(indent, line)| format!("{}{line}\n", " ".repeat(*indent))).collect();
        let report = check_language(Language::Python, &source);
        proptest::prop_assert_eq!(report.ok, report.errors.is_empty());
    }

    #[test]
    fn arbitrary_input_never_panics_and_positions_are_in_range(
        source in "(?s).{0,200}",
        language in proptest::sample::select(Language::ALL.to_vec()),
    ) {
        let report = check_language(language, &source);
        let lines = u32::try_from(source.split('\n').count()).unwrap_or(u32::MAX);
        for error in &report.errors {
            proptest::prop_assert!(error.line >= 1 && error.line <= lines);
            proptest::prop_assert!(error.column >= 1);
        }
        proptest::prop_assert_eq!(report.ok, report.errors.is_empty());
    }
}

#[test]
fn tsconfig_with_comments_and_trailing_commas_passes_but_package_json_does_not() {
    let source = "{\n  \"compilerOptions\": {\n    /* Bundler mode */\n    \"target\": \"ES2020\", // x\n    \"lib\": [\"DOM\",],\n  },\n}\n";
    assert!(
        check("tsconfig.json", source).ok,
        "{:?}",
        check("tsconfig.json", source).errors
    );
    let strict = check("package.json", source);
    assert!(!strict.ok);
    assert_eq!((strict.errors[0].line, strict.errors[0].column), (5, 18));
}

#[test]
fn python_indentation_errors() {
    let (line, column, message) = first_error("a.py", "def f():\nreturn 1\n");
    assert_eq!(
        (line, column, message.as_str()),
        (2, 1, "expected an indented block")
    );
    let (line, column, message) = first_error("a.py", "def f():\n    x = 1\n      y = 2\n");
    assert_eq!(
        (line, column, message.as_str()),
        (3, 7, "unexpected indent")
    );
    let (line, _, message) = first_error(
        "a.py",
        "class A:\n    def f(self):\n        x = 1\n      y = 2\n",
    );
    assert_eq!(
        (line, message.as_str()),
        (4, "unindent does not match any outer indentation level")
    );
    // One-line bodies, comments and continuation lines are fine.
    let fine = "if x: y = 1\nwhile a:\n    # note\n    b = (1 +\n         2)\n    c = 3; d = 4\n";
    assert!(check("a.py", fine).ok, "{:?}", check("a.py", fine).errors);
}

#[test]
fn python_extra_closing_paren() {
    let (line, column, message) = first_error("a.py", "print('a'))\n");
    assert_eq!((line, column, message.as_str()), (1, 11, "unexpected `)`"));
}
