//! `package.json` from JavaScript and TypeScript imports.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use regex::Regex;

use super::{find, fixed_path, is_local, json_edit};
use crate::File;
use crate::framework::Framework;
use crate::warning::{Warning, WarningKind};

/// `import … from "x"`, `import "x"`, `export … from "x"`, `require("x")`, `import("x")`.
static IMPORT: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(
        r#"(?:\bimport\s+(?:type\s+)?(?:[\w*{}\s,$]+?\s+from\s+)?|\bexport\s+[\w*{}\s,$]*?\s*from\s+|\brequire\s*\(\s*|\bimport\s*\(\s*)["']([^"'\n]+)["']"#,
    )
    .ok()
});

/// Node's built-in modules (importable without `node:`).
const NODE_BUILTINS: &[&str] = &[
    "assert",
    "async_hooks",
    "buffer",
    "child_process",
    "cluster",
    "console",
    "constants",
    "crypto",
    "dgram",
    "diagnostics_channel",
    "dns",
    "domain",
    "events",
    "fs",
    "http",
    "http2",
    "https",
    "inspector",
    "module",
    "net",
    "os",
    "path",
    "perf_hooks",
    "process",
    "punycode",
    "querystring",
    "readline",
    "repl",
    "stream",
    "string_decoder",
    "sys",
    "timers",
    "tls",
    "trace_events",
    "tty",
    "url",
    "util",
    "v8",
    "vm",
    "wasi",
    "worker_threads",
    "zlib",
];

/// What each JavaScript framework needs to run, as (package, dev dependency?).
fn framework_packages(framework: Framework) -> &'static [(&'static str, bool)] {
    match framework {
        Framework::ReactVite => &[
            ("react", false),
            ("react-dom", false),
            ("vite", true),
            ("@vitejs/plugin-react", true),
        ],
        Framework::NextJs => &[("next", false), ("react", false), ("react-dom", false)],
        Framework::Vue => &[("vue", false), ("vite", true), ("@vitejs/plugin-vue", true)],
        Framework::Svelte => &[
            ("svelte", false),
            ("vite", true),
            ("@sveltejs/vite-plugin-svelte", true),
        ],
        Framework::Express => &[("express", false)],
        _ => &[],
    }
}

fn scripts(framework: Framework, entry: &str) -> Vec<(&'static str, String)> {
    match framework {
        Framework::ReactVite | Framework::Vue | Framework::Svelte => vec![
            ("dev", "vite".to_owned()),
            ("build", "vite build".to_owned()),
            ("preview", "vite preview".to_owned()),
        ],
        Framework::NextJs => vec![
            ("dev", "next dev".to_owned()),
            ("build", "next build".to_owned()),
            ("start", "next start".to_owned()),
        ],
        _ => vec![("start", format!("node {entry}"))],
    }
}

fn is_script(file: &File) -> bool {
    use cistern_syntax::Language::{Javascript, Tsx, Typescript};
    matches!(file.language, Javascript | Typescript | Tsx)
        || file.path.as_str().ends_with(".vue")
        || file.path.as_str().ends_with(".svelte")
}

/// The package a bare import specifier names (`lodash/fp` → `lodash`, `@a/b/c` → `@a/b`),
/// or `None` for relative paths, URLs, `node:` and other schemes, aliases and built-ins.
pub(super) fn package_of(specifier: &str) -> Option<&str> {
    if specifier.starts_with(['.', '/', '#', '~', '$'])
        || specifier.contains(':')
        || specifier.starts_with("@/")
    {
        return None;
    }
    let mut parts = specifier.splitn(3, '/');
    let first = parts.next()?;
    let name = if first.starts_with('@') {
        let second = parts.next().filter(|s| !s.is_empty())?;
        &specifier[..first.len() + 1 + second.len()]
    } else {
        first
    };
    let valid = !name.is_empty()
        && name.len() <= 214
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "-._~@/".contains(c));
    (valid && !NODE_BUILTINS.contains(&name)).then_some(name)
}

/// Packages imported by the project's scripts, each with the first file importing it.
fn imported(files: &[File]) -> BTreeMap<String, String> {
    let mut packages = BTreeMap::new();
    let Some(pattern) = IMPORT.as_ref() else {
        return packages;
    };
    for file in files.iter().filter(|f| is_script(f)) {
        for capture in pattern.captures_iter(&file.content) {
            let Some(package) = capture.get(1).and_then(|m| package_of(m.as_str())) else {
                continue;
            };
            if package.starts_with('@') || !is_local(files, package) {
                packages
                    .entry(package.to_owned())
                    .or_insert_with(|| file.path.to_string());
            }
        }
    }
    packages
}

pub(super) fn complete(files: &mut Vec<File>, framework: Framework, warnings: &mut Vec<Warning>) {
    let mut wanted: Vec<(String, bool, String)> = imported(files)
        .into_iter()
        .map(|(package, by)| (package, false, format!("imported by {by}")))
        .collect();
    if wanted.is_empty() && framework_packages(framework).is_empty() {
        return;
    }
    for (package, dev) in framework_packages(framework) {
        if let Some(entry) = wanted.iter_mut().find(|(p, _, _)| p == package) {
            entry.1 = *dev;
        } else {
            wanted.push((
                (*package).to_owned(),
                *dev,
                format!("needed to run a {} project", framework.display_name()),
            ));
        }
    }
    let path = fixed_path("package.json");
    match find(files, "package.json") {
        Some(index) => {
            let Some((text, added)) = json_edit::add_dependencies(&files[index].content, &wanted)
            else {
                warnings.push(Warning::new(
                    WarningKind::ManifestUnreadable,
                    &path,
                    "package.json is not a JSON object, so its dependencies were not completed",
                ));
                return;
            };
            files[index].content = text;
            report(&added, &wanted, &path, warnings);
        }
        None => {
            let entry = ["server.js", "index.js", "app.js", "src/index.js", "main.js"]
                .into_iter()
                .find(|name| find(files, name).is_some())
                .unwrap_or("index.js");
            let text = json_edit::new_package(&scripts(framework, entry), &wanted);
            files.push(File::new(path.clone(), text));
            warnings.push(Warning::new(
                WarningKind::ManifestCreated,
                &path,
                "package.json was missing: created with the packages the code imports",
            ));
            let all: Vec<String> = wanted.iter().map(|(p, _, _)| p.clone()).collect();
            report(&all, &wanted, &path, warnings);
        }
    }
}

fn report(
    added: &[String],
    wanted: &[(String, bool, String)],
    path: &crate::ProjectPath,
    warnings: &mut Vec<Warning>,
) {
    for package in added {
        let Some((_, dev, why)) = wanted.iter().find(|(p, _, _)| p == package) else {
            continue;
        };
        let section = if *dev {
            "devDependencies"
        } else {
            "dependencies"
        };
        warnings.push(Warning::new(
            WarningKind::DependencyAdded,
            path,
            format!("added `{package}` to {section} ({why}) at version \"latest\": pin it"),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bare_specifiers_name_packages() {
        let cases = [
            ("react", Some("react")),
            ("react-dom/client", Some("react-dom")),
            ("@tanstack/react-query", Some("@tanstack/react-query")),
            ("@mui/material/Button", Some("@mui/material")),
            ("./App", None),
            ("../lib/x", None),
            ("/abs", None),
            ("node:fs", None),
            ("fs", None),
            ("fs/promises", None),
            ("@/components/X", None),
            ("~/utils", None),
            ("$lib/x", None),
            // A URL specifier is not a package (and nothing is fetched: this is only parsed).
            ("https://example.com/x.js", None),
            ("@scope", None),
            ("virtual:pwa", None),
        ];
        for (specifier, package) in cases {
            assert_eq!(package_of(specifier), package, "{specifier}");
        }
    }
}
