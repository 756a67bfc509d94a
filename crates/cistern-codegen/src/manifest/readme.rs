//! A short README saying how to run the project, when the model wrote none.

use super::{find, fixed_path};
use crate::File;
use crate::framework::Framework;
use crate::warning::{Warning, WarningKind};

pub(super) fn complete(files: &mut Vec<File>, framework: Framework, warnings: &mut Vec<Warning>) {
    let has_readme = files.iter().any(|f| {
        !f.path.as_str().contains('/') && f.path.as_str().to_ascii_lowercase().starts_with("readme")
    });
    if has_readme {
        return;
    }
    let text = readme(files, framework);
    let path = fixed_path("README.md");
    files.push(File::new(path.clone(), text));
    warnings.push(Warning::new(
        WarningKind::ReadmeAdded,
        &path,
        "the reply had no README: added one saying how to run the project",
    ));
}

/// The README's text: what it is, the commands to run it, and the files.
pub(super) fn readme(files: &[File], framework: Framework) -> String {
    let mut text = format!(
        "# App\n\nA {} project made by Cistern's code generator.\n\n## Run\n\n",
        framework.display_name()
    );
    let commands = commands(files, framework);
    if commands.is_empty() {
        text.push_str(
            "Open the files below in your editor; this project has no single run command.\n",
        );
    } else {
        text.push_str("```bash\n");
        for command in commands {
            text.push_str(&command);
            text.push('\n');
        }
        text.push_str("```\n");
    }
    text.push_str("\n## Files\n\n");
    for file in files {
        text.push_str(&format!("- `{}`\n", file.path));
    }
    text
}

fn commands(files: &[File], framework: Framework) -> Vec<String> {
    let has = |path: &str| find(files, path).is_some();
    let pip = has("requirements.txt").then(|| "pip install -r requirements.txt".to_owned());
    let module_with = |marker: &str| {
        files
            .iter()
            .find(|f| f.path.as_str().ends_with(".py") && f.content.contains(marker))
            .map(|f| f.path.as_str().trim_end_matches(".py").replace('/', "."))
    };
    let mut out: Vec<String> = Vec::new();
    match framework {
        Framework::ReactVite | Framework::NextJs | Framework::Vue | Framework::Svelte => {
            out.extend(["npm install".to_owned(), "npm run dev".to_owned()]);
        }
        Framework::Express => out.extend(["npm install".to_owned(), "npm start".to_owned()]),
        Framework::FastApi => {
            out.extend(pip);
            let module = module_with("FastAPI(").unwrap_or_else(|| "main".to_owned());
            out.push(format!("uvicorn {module}:app --reload"));
        }
        Framework::Flask => {
            out.extend(pip);
            let module = module_with("Flask(").unwrap_or_else(|| "app".to_owned());
            out.push(format!("flask --app {module} run --debug"));
        }
        Framework::Django => {
            out.extend(pip);
            out.extend([
                "python manage.py migrate".to_owned(),
                "python manage.py runserver".to_owned(),
            ]);
        }
        Framework::Axum | Framework::RustCli => out.push("cargo run".to_owned()),
        Framework::GoNetHttp => out.push("go run .".to_owned()),
        Framework::SpringBoot if has("pom.xml") => out.push("mvn spring-boot:run".to_owned()),
        Framework::SpringBoot => out.push("gradle bootRun".to_owned()),
        Framework::PlainWeb => {
            let page = files
                .iter()
                .find(|f| f.path.as_str().ends_with(".html"))
                .map_or("index.html", |f| f.path.as_str());
            out.push(format!(
                "python3 -m http.server 8000   # then open http://localhost:8000/{page}"
            ));
        }
        Framework::PythonCli | Framework::Generic => {
            if let Some(entry) = files
                .iter()
                .find(|f| f.path.as_str().ends_with(".py") && f.content.contains("__main__"))
            {
                out.extend(pip);
                out.push(format!("python {} --help", entry.path));
            } else if has("package.json") {
                out.extend(["npm install".to_owned(), "npm start".to_owned()]);
            } else if has("Cargo.toml") {
                out.push("cargo run".to_owned());
            } else if has("go.mod") {
                out.push("go run .".to_owned());
            }
        }
    }
    out
}
