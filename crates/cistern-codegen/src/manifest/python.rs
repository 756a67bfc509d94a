//! `requirements.txt` (or `pyproject.toml` when the project has one) from Python imports.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use regex::Regex;
use toml_edit::{Array, DocumentMut, Item, Value};

use super::stdlib::is_python_stdlib;
use super::{find, fixed_path, is_local};
use crate::framework::Framework;
use crate::warning::{Warning, WarningKind};
use crate::{File, ProjectPath};

/// `from a.b import c` (group 1) and `import a.b as c, d` (group 2), at the start of a line.
static IMPORT: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(r"(?m)^[ \t]*(?:from[ \t]+([A-Za-z_][\w.]*)[ \t]+import\b|import[ \t]+([A-Za-z_][\w.]*(?:[ \t]+as[ \t]+\w+)?(?:[ \t]*,[ \t]*[A-Za-z_][\w.]*(?:[ \t]+as[ \t]+\w+)?)*))").ok()
});

/// Import names whose distribution on PyPI is called something else.
const DISTRIBUTIONS: &[(&str, &str)] = &[
    ("attr", "attrs"),
    ("Bio", "biopython"),
    ("bs4", "beautifulsoup4"),
    ("bson", "pymongo"),
    ("corsheaders", "django-cors-headers"),
    ("Crypto", "pycryptodome"),
    ("cv2", "opencv-python"),
    ("dateutil", "python-dateutil"),
    ("discord", "discord.py"),
    ("dns", "dnspython"),
    ("docx", "python-docx"),
    ("dotenv", "python-dotenv"),
    ("faiss", "faiss-cpu"),
    ("fitz", "PyMuPDF"),
    ("flask_cors", "flask-cors"),
    ("flask_login", "Flask-Login"),
    ("flask_migrate", "Flask-Migrate"),
    ("flask_socketio", "Flask-SocketIO"),
    ("flask_sqlalchemy", "Flask-SQLAlchemy"),
    ("flask_wtf", "Flask-WTF"),
    ("gi", "PyGObject"),
    ("git", "GitPython"),
    ("github", "PyGithub"),
    ("googleapiclient", "google-api-python-client"),
    ("jose", "python-jose"),
    ("jwt", "PyJWT"),
    ("kafka", "kafka-python"),
    ("Levenshtein", "python-Levenshtein"),
    ("magic", "python-magic"),
    ("mpl_toolkits", "matplotlib"),
    ("multipart", "python-multipart"),
    ("MySQLdb", "mysqlclient"),
    ("nacl", "PyNaCl"),
    ("OpenGL", "PyOpenGL"),
    ("OpenSSL", "pyOpenSSL"),
    ("PIL", "Pillow"),
    ("pkg_resources", "setuptools"),
    ("pptx", "python-pptx"),
    ("psycopg2", "psycopg2-binary"),
    ("pydantic_settings", "pydantic-settings"),
    ("rest_framework", "djangorestframework"),
    ("serial", "pyserial"),
    ("skimage", "scikit-image"),
    ("sklearn", "scikit-learn"),
    ("slugify", "python-slugify"),
    ("socketio", "python-socketio"),
    ("telegram", "python-telegram-bot"),
    ("usb", "pyusb"),
    ("websocket", "websocket-client"),
    ("win32api", "pywin32"),
    ("wx", "wxPython"),
    ("yaml", "PyYAML"),
    ("zmq", "pyzmq"),
];

/// What each Python framework needs to run beyond what its code imports.
fn framework_packages(framework: Framework) -> &'static [&'static str] {
    match framework {
        Framework::FastApi => &["fastapi", "uvicorn"],
        Framework::Flask => &["flask"],
        Framework::Django => &["django"],
        _ => &[],
    }
}

/// The PyPI distribution for a top-level import name.
pub(super) fn distribution(module: &str) -> String {
    DISTRIBUTIONS
        .iter()
        .find(|(import, _)| *import == module)
        .map_or_else(|| module.replace('_', "-"), |(_, dist)| (*dist).to_owned())
}

/// The distribution of a module under a namespace package, where the top-level name says
/// nothing: `google.generativeai` → `google-generativeai`, `google.cloud.storage` →
/// `google-cloud-storage`, `azure.storage.blob` → `azure-storage-blob`.
fn namespaced(module: &str) -> Option<String> {
    let parts: Vec<&str> = module.split('.').collect();
    match parts.as_slice() {
        ["google", "protobuf", ..] => Some("protobuf".to_owned()),
        ["google", "cloud", name, ..] => Some(format!("google-cloud-{}", name.replace('_', "-"))),
        ["google", "oauth2", ..] => Some("google-auth".to_owned()),
        ["google", name, ..] => Some(format!("google-{}", name.replace('_', "-"))),
        ["azure", a, b, ..] => Some(format!("azure-{a}-{b}")),
        ["azure", a] => Some(format!("azure-{a}")),
        _ => None,
    }
}

/// PEP 503 normalisation, to compare names (`Flask_Login` = `flask-login`).
fn normalise(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        if matches!(c, '-' | '_' | '.') {
            if !out.ends_with('-') {
                out.push('-');
            }
        } else {
            out.push(c.to_ascii_lowercase());
        }
    }
    out
}

/// Third-party distributions imported by the project, each with the first importing file.
fn imported(files: &[File]) -> BTreeMap<String, String> {
    let mut found = BTreeMap::new();
    let Some(pattern) = IMPORT.as_ref() else {
        return found;
    };
    for file in files
        .iter()
        .filter(|f| f.language == cistern_syntax::Language::Python)
    {
        for capture in pattern.captures_iter(&file.content) {
            let modules: Vec<&str> = match (capture.get(1), capture.get(2)) {
                (Some(from), _) => vec![from.as_str()],
                (None, Some(list)) => list
                    .as_str()
                    .split(',')
                    .map(|m| m.split_whitespace().next().unwrap_or(""))
                    .collect(),
                _ => continue,
            };
            for module in modules {
                let top = module.split('.').next().unwrap_or(module);
                if top.is_empty()
                    || top == "__future__"
                    || is_python_stdlib(top)
                    || is_local(files, top)
                {
                    continue;
                }
                found
                    .entry(namespaced(module).unwrap_or_else(|| distribution(top)))
                    .or_insert_with(|| file.path.to_string());
            }
        }
    }
    found
}

pub(super) fn complete(files: &mut Vec<File>, framework: Framework, warnings: &mut Vec<Warning>) {
    let mut wanted: Vec<(String, String)> = imported(files)
        .into_iter()
        .map(|(dist, by)| (dist, format!("imported by {by}")))
        .collect();
    for package in framework_packages(framework) {
        if !wanted
            .iter()
            .any(|(d, _)| normalise(d) == normalise(package))
        {
            wanted.push((
                (*package).to_owned(),
                format!("needed to run a {} project", framework.display_name()),
            ));
        }
    }
    if wanted.is_empty() {
        return;
    }
    if let Some(index) = find(files, "requirements.txt") {
        let added = add_requirements(&mut files[index].content, &wanted);
        report(&added, &wanted, &files[index].path.clone(), warnings);
        return;
    }
    if let Some(index) = find(files, "pyproject.toml") {
        let path = files[index].path.clone();
        match add_to_pyproject(&files[index].content, &wanted) {
            Some((text, added)) => {
                files[index].content = text;
                report(&added, &wanted, &path, warnings);
                return;
            }
            None => warnings.push(Warning::new(
                WarningKind::ManifestUnreadable,
                &path,
                "pyproject.toml has no [project] or [tool.poetry] dependencies to complete; requirements.txt was written instead",
            )),
        }
    }
    let path = fixed_path("requirements.txt");
    let mut content = String::new();
    let added = add_requirements(&mut content, &wanted);
    files.push(File::new(path.clone(), content));
    warnings.push(Warning::new(
        WarningKind::ManifestCreated,
        &path,
        "requirements.txt was missing: created with the packages the code imports",
    ));
    report(&added, &wanted, &path, warnings);
}

/// Appends the missing distributions to a requirements file; returns those added.
fn add_requirements(content: &mut String, wanted: &[(String, String)]) -> Vec<String> {
    let present: Vec<String> = content
        .lines()
        .map(|line| line.split('#').next().unwrap_or("").trim())
        .filter(|line| !line.is_empty() && !line.starts_with('-'))
        .map(|line| {
            normalise(
                line.split(|c: char| !(c.is_alphanumeric() || "-_.".contains(c)))
                    .next()
                    .unwrap_or(""),
            )
        })
        .collect();
    let mut added = Vec::new();
    for (dist, _) in wanted {
        if present.contains(&normalise(dist)) || added.contains(dist) {
            continue;
        }
        if !content.is_empty() && !content.ends_with('\n') {
            content.push('\n');
        }
        content.push_str(dist);
        content.push('\n');
        added.push(dist.clone());
    }
    added
}

/// Adds to `[project].dependencies` or `[tool.poetry.dependencies]`, keeping the file's
/// formatting (toml_edit); `None` when it has neither or does not parse.
fn add_to_pyproject(text: &str, wanted: &[(String, String)]) -> Option<(String, Vec<String>)> {
    let mut document: DocumentMut = text.parse().ok()?;
    let mut added = Vec::new();
    if let Some(project) = document
        .get_mut("project")
        .and_then(Item::as_table_like_mut)
    {
        let dependencies = project
            .entry("dependencies")
            .or_insert(Item::Value(Value::Array(Array::new())));
        let array = dependencies.as_array_mut()?;
        let present: Vec<String> = array
            .iter()
            .filter_map(Value::as_str)
            .map(|spec| {
                normalise(
                    spec.split(|c: char| !(c.is_alphanumeric() || "-_.".contains(c)))
                        .next()
                        .unwrap_or(""),
                )
            })
            .collect();
        for (dist, _) in wanted {
            if !present.contains(&normalise(dist)) {
                array.push(dist.as_str());
                added.push(dist.clone());
            }
        }
    } else {
        let poetry = document
            .get_mut("tool")?
            .get_mut("poetry")?
            .get_mut("dependencies")?
            .as_table_like_mut()?;
        let present: Vec<String> = poetry.iter().map(|(k, _)| normalise(k)).collect();
        for (dist, _) in wanted {
            if !present.contains(&normalise(dist)) {
                poetry.insert(dist, toml_edit::value("*"));
                added.push(dist.clone());
            }
        }
    }
    Some((document.to_string(), added))
}

fn report(
    added: &[String],
    wanted: &[(String, String)],
    path: &ProjectPath,
    warnings: &mut Vec<Warning>,
) {
    for dist in added {
        let why = wanted
            .iter()
            .find(|(d, _)| d == dist)
            .map_or("", |(_, why)| why.as_str());
        warnings.push(Warning::new(
            WarningKind::DependencyAdded,
            path,
            format!("added `{dist}` to {path} ({why}) without a version: pin it"),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn import_names_map_to_distributions() {
        assert_eq!(distribution("cv2"), "opencv-python");
        assert_eq!(distribution("PIL"), "Pillow");
        assert_eq!(distribution("sklearn"), "scikit-learn");
        assert_eq!(distribution("requests"), "requests");
        assert_eq!(normalise("Flask_Login"), "flask-login");
        assert_eq!(
            namespaced("google.generativeai").as_deref(),
            Some("google-generativeai")
        );
        assert_eq!(
            namespaced("google.cloud.storage").as_deref(),
            Some("google-cloud-storage")
        );
        assert_eq!(
            namespaced("google.protobuf.json_format").as_deref(),
            Some("protobuf")
        );
        assert_eq!(
            namespaced("azure.storage.blob").as_deref(),
            Some("azure-storage-blob")
        );
        assert_eq!(namespaced("requests"), None);
    }

    #[test]
    fn requirements_keep_what_is_there() {
        let mut content = "Flask==3.0  # web\n-r base.txt\nrequests>=2\n".to_owned();
        let wanted = vec![
            ("flask".to_owned(), String::new()),
            ("PyYAML".to_owned(), String::new()),
        ];
        assert_eq!(add_requirements(&mut content, &wanted), ["PyYAML"]);
        assert_eq!(
            content,
            "Flask==3.0  # web\n-r base.txt\nrequests>=2\nPyYAML\n"
        );
    }

    #[test]
    fn pyproject_project_and_poetry_tables() {
        let wanted = vec![("httpx".to_owned(), String::new())];
        let project = "[project]\nname = \"x\"\ndependencies = [\"fastapi>=0.110\"]\n";
        let (text, added) = add_to_pyproject(project, &wanted).unwrap_or_default();
        assert_eq!(added, ["httpx"]);
        assert!(
            text.contains("dependencies = [\"fastapi>=0.110\", \"httpx\"]"),
            "{text}"
        );
        let poetry = "[tool.poetry.dependencies]\npython = \"^3.11\"\n";
        let (text, _) = add_to_pyproject(poetry, &wanted).unwrap_or_default();
        assert!(text.contains("httpx = \"*\""), "{text}");
        assert!(add_to_pyproject("[build-system]\n", &wanted).is_none());
    }
}
