//! `Cargo.toml` from Rust `use` declarations, `extern crate` and well-known crate paths.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use regex::Regex;
use toml_edit::{Array, DocumentMut, InlineTable, Item, Table, Value};

use super::{find, fixed_path};
use crate::framework::Framework;
use crate::warning::{Warning, WarningKind};
use crate::{File, ProjectPath};

/// `use x::…`, `pub(crate) use ::x`, `extern crate x`: group 1 is the crate's name.
static USE: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(r"(?m)^\s*(?:pub(?:\([^)]*\))?\s+)?(?:use\s+(?:::)?|extern\s+crate\s+)([A-Za-z_][A-Za-z0-9_]*)").ok()
});
/// A lowercase path root used in code (`serde_json::to_string`, `#[tokio::main]`); only
/// crates in [`KNOWN`] are taken from these, as a local module looks the same.
static PATH_ROOT: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"\b([a-z_][a-z0-9_]*)::").ok());
/// `mod x;` or `mod x {`: local modules.
static MOD: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(r"(?m)^\s*(?:pub(?:\([^)]*\))?\s+)?mod\s+([A-Za-z_][A-Za-z0-9_]*)").ok()
});

/// Names that are never crates.io dependencies.
const BUILTIN: &[&str] = &[
    "std",
    "core",
    "alloc",
    "crate",
    "self",
    "super",
    "proc_macro",
    "test",
    "Self",
];

/// Well-known crates: the name in code, the name on crates.io, a version requirement and the
/// features generated code usually relies on (`#[derive(Serialize)]`, `#[tokio::main]`).
const KNOWN: &[(&str, &str, &str, &[&str])] = &[
    ("anyhow", "anyhow", "1", &[]),
    ("async_trait", "async-trait", "0.1", &[]),
    ("axum", "axum", "0.8", &[]),
    ("bytes", "bytes", "1", &[]),
    ("chrono", "chrono", "0.4", &["serde"]),
    ("clap", "clap", "4", &["derive"]),
    ("futures", "futures", "0.3", &[]),
    ("hyper", "hyper", "1", &[]),
    ("log", "log", "0.4", &[]),
    ("env_logger", "env_logger", "0.11", &[]),
    ("once_cell", "once_cell", "1", &[]),
    ("rand", "rand", "0.9", &[]),
    ("regex", "regex", "1", &[]),
    ("reqwest", "reqwest", "0.12", &["json"]),
    ("serde", "serde", "1", &["derive"]),
    ("serde_json", "serde_json", "1", &[]),
    ("sqlx", "sqlx", "0.8", &["runtime-tokio", "sqlite"]),
    ("thiserror", "thiserror", "2", &[]),
    ("tokio", "tokio", "1", &["full"]),
    ("tokio_stream", "tokio-stream", "0.1", &[]),
    ("tokio_util", "tokio-util", "0.7", &[]),
    ("tower", "tower", "0.5", &[]),
    ("tower_http", "tower-http", "0.6", &["cors", "trace"]),
    ("tracing", "tracing", "0.1", &[]),
    (
        "tracing_subscriber",
        "tracing-subscriber",
        "0.3",
        &["env-filter"],
    ),
    ("uuid", "uuid", "1", &["v4", "serde"]),
    ("walkdir", "walkdir", "2", &[]),
    ("wasm_bindgen", "wasm-bindgen", "0.2", &[]),
];

/// What each Rust framework needs whatever its code names.
fn framework_crates(framework: Framework) -> &'static [&'static str] {
    match framework {
        Framework::Axum => &["axum", "tokio"],
        _ => &[],
    }
}

/// Crates the code uses (by name in code), each with the first file using it.
fn used(files: &[File], own_name: Option<&str>) -> BTreeMap<String, String> {
    let rust: Vec<&File> = files
        .iter()
        .filter(|f| f.language == cistern_syntax::Language::Rust)
        .collect();
    let mut local: Vec<String> = rust
        .iter()
        .map(|f| f.path.file_name().trim_end_matches(".rs").to_owned())
        .chain(rust.iter().flat_map(|f| {
            f.path
                .ancestors()
                .map(|a| a.rsplit('/').next().unwrap_or(a).to_owned())
                .collect::<Vec<_>>()
        }))
        .collect();
    if let Some(pattern) = MOD.as_ref() {
        for file in &rust {
            local.extend(
                pattern
                    .captures_iter(&file.content)
                    .filter_map(|c| c.get(1))
                    .map(|m| m.as_str().to_owned()),
            );
        }
    }
    if let Some(own) = own_name {
        local.push(own.replace('-', "_"));
    }
    let mut found = BTreeMap::new();
    for file in &rust {
        let from_use = USE
            .as_ref()
            .into_iter()
            .flat_map(|p| p.captures_iter(&file.content))
            .filter_map(|c| c.get(1));
        let from_paths = PATH_ROOT
            .as_ref()
            .into_iter()
            .flat_map(|p| p.captures_iter(&file.content))
            .filter_map(|c| c.get(1))
            .filter(|m| KNOWN.iter().any(|(name, ..)| *name == m.as_str()));
        for name in from_use.chain(from_paths).map(|m| m.as_str()) {
            if BUILTIN.contains(&name) || local.iter().any(|l| l == name) {
                continue;
            }
            found
                .entry(name.to_owned())
                .or_insert_with(|| file.path.to_string());
        }
    }
    found
}

/// The dependency entry for a name used in code: (crates.io name, value).
fn entry(name: &str) -> (String, Item) {
    match KNOWN.iter().find(|(code, ..)| *code == name) {
        Some((_, krate, version, [])) => ((*krate).to_owned(), toml_edit::value(*version)),
        Some((_, krate, version, features)) => {
            let mut table = InlineTable::new();
            table.insert("version", (*version).into());
            table.insert(
                "features",
                Value::Array(features.iter().copied().collect::<Array>()),
            );
            ((*krate).to_owned(), Item::Value(Value::InlineTable(table)))
        }
        None => (name.to_owned(), toml_edit::value("*")),
    }
}

pub(super) fn complete(files: &mut Vec<File>, framework: Framework, warnings: &mut Vec<Warning>) {
    let has_rust = files
        .iter()
        .any(|f| f.language == cistern_syntax::Language::Rust);
    if !has_rust {
        return;
    }
    let existing = find(files, "Cargo.toml");
    let mut document: DocumentMut = match existing {
        Some(index) => match files[index].content.parse() {
            Ok(document) => document,
            Err(_) => {
                warnings.push(Warning::new(
                    WarningKind::ManifestUnreadable,
                    &files[index].path,
                    "Cargo.toml does not parse, so its dependencies were not completed",
                ));
                return;
            }
        },
        None => new_manifest(files),
    };
    let own_name = document
        .get("package")
        .and_then(|p| p.get("name"))
        .and_then(Item::as_str)
        .map(str::to_owned);
    let mut wanted: Vec<(String, String)> = used(files, own_name.as_deref())
        .into_iter()
        .map(|(name, by)| (name, format!("used in {by}")))
        .collect();
    for name in framework_crates(framework) {
        if !wanted.iter().any(|(n, _)| n == name) {
            wanted.push((
                (*name).to_owned(),
                format!("needed to run an {} project", framework.display_name()),
            ));
        }
    }
    let dependencies = document
        .entry("dependencies")
        .or_insert(Item::Table(Table::new()));
    let Some(dependencies) = dependencies.as_table_like_mut() else {
        return;
    };
    let mut added = Vec::new();
    for (name, why) in &wanted {
        let (krate, item) = entry(name);
        let present = dependencies.iter().any(|(key, value)| {
            key == krate
                || key.replace('-', "_") == *name
                || value.get("package").and_then(Item::as_str) == Some(krate.as_str())
        });
        if !present {
            let version = item
                .as_str()
                .map(str::to_owned)
                .unwrap_or_else(|| item.to_string().trim().to_owned());
            dependencies.insert(&krate, item);
            added.push((krate, version, why.clone()));
        }
    }
    let path = fixed_path("Cargo.toml");
    match existing {
        Some(index) => files[index].content = document.to_string(),
        None => {
            files.push(File::new(path.clone(), document.to_string()));
            warnings.push(Warning::new(
                WarningKind::ManifestCreated,
                &path,
                "Cargo.toml was missing: created with the crates the code uses",
            ));
        }
    }
    report(&added, &path, warnings);
}

/// A minimal manifest; a `main.rs` outside `src/` gets a `[[bin]]` pointing at it.
fn new_manifest(files: &[File]) -> DocumentMut {
    let mut document = DocumentMut::new();
    let mut package = Table::new();
    package.insert("name", toml_edit::value("app"));
    package.insert("version", toml_edit::value("0.1.0"));
    package.insert("edition", toml_edit::value("2021"));
    document.insert("package", Item::Table(package));
    let standard = ["src/main.rs", "src/lib.rs"]
        .iter()
        .any(|p| find(files, p).is_some());
    if !standard && let Some(main) = files.iter().find(|f| f.path.file_name() == "main.rs") {
        // Built with toml_edit, not formatted text: a path is a value, whatever it holds.
        let mut bin = Table::new();
        bin.insert("name", toml_edit::value("app"));
        bin.insert("path", toml_edit::value(main.path.as_str()));
        let mut bins = toml_edit::ArrayOfTables::new();
        bins.push(bin);
        document.insert("bin", Item::ArrayOfTables(bins));
    }
    document.insert("dependencies", Item::Table(Table::new()));
    document
}

fn report(added: &[(String, String, String)], path: &ProjectPath, warnings: &mut Vec<Warning>) {
    for (krate, version, why) in added {
        let advice = if version == "*" {
            ": check the name and pin a version"
        } else {
            ""
        };
        warnings.push(Warning::new(
            WarningKind::DependencyAdded,
            path,
            format!("added `{krate} = {version}` to [dependencies] ({why}){advice}"),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path: &str, content: &str) -> File {
        File::new(
            ProjectPath::parse(path).unwrap_or_else(|e| panic!("{e}")),
            content.to_owned(),
        )
    }

    #[test]
    fn uses_name_crates_and_local_modules_do_not() {
        let files = vec![
            file(
                "src/main.rs",
                "mod routes;\nuse std::io;\nuse crate::routes::x;\nuse axum::Router;\nuse serde::{Deserialize};\nextern crate rand;\nfn main() { let v = serde_json::json!({}); let t = models::T; }\n#[tokio::main]\nasync fn f() {}\n",
            ),
            file(
                "src/models.rs",
                "use super::*;\nuse self::inner::X;\nuse ::itertools::Itertools;\n",
            ),
        ];
        let names: Vec<String> = used(&files, Some("my-app")).into_keys().collect();
        assert_eq!(
            names,
            ["axum", "itertools", "rand", "serde", "serde_json", "tokio"]
        );
    }

    #[test]
    fn a_new_manifest_quotes_odd_paths() {
        let files = vec![file("we\"ird/main.rs", "fn main() {}\n")];
        let text = new_manifest(&files).to_string();
        let parsed: DocumentMut = text.parse().unwrap_or_default();
        assert_eq!(
            parsed["bin"][0]["path"].as_str(),
            Some("we\"ird/main.rs"),
            "{text}"
        );
        assert_eq!(parsed["package"]["name"].as_str(), Some("app"));
    }

    #[test]
    fn entries_use_crates_io_names_and_features() {
        assert_eq!(entry("tower_http").0, "tower-http");
        assert_eq!(
            entry("serde").1.to_string().trim(),
            "{ version = \"1\", features = [\"derive\"] }"
        );
        assert_eq!(entry("some_crate").1.as_str(), Some("*"));
    }
}
