//! Projects as models hand them back, completed.

use super::*;
use crate::warning::WarningKind;

fn file(path: &str, content: &str) -> File {
    File::new(
        ProjectPath::parse(path).unwrap_or_else(|e| panic!("{e}")),
        content.to_owned(),
    )
}

fn content<'a>(files: &'a [File], path: &str) -> &'a str {
    files
        .iter()
        .find(|f| f.path.as_str() == path)
        .map_or("", |f| f.content.as_str())
}

fn kinds(warnings: &[Warning]) -> Vec<WarningKind> {
    warnings.iter().map(|w| w.kind).collect()
}

#[test]
fn package_json_gets_the_packages_the_code_imports() {
    let mut files = vec![
        file(
            "package.json",
            "{\n  \"name\": \"shop\",\n  \"dependencies\": {\n    \"react\": \"^18.2.0\",\n    \"react-dom\": \"^18.2.0\"\n  },\n  \"devDependencies\": {\"vite\": \"^5\", \"@vitejs/plugin-react\": \"^4\"}\n}\n",
        ),
        file(
            "src/main.jsx",
            "import React from 'react';\nimport { createRoot } from 'react-dom/client';\nimport App from './App';\nimport './index.css';\n",
        ),
        file(
            "src/App.jsx",
            "import { useQuery } from '@tanstack/react-query';\nimport axios from \"axios\";\nimport fs from 'node:fs';\nimport path from 'path';\nconst x = await import('lodash/fp');\nimport Button from 'components/Button';\n",
        ),
        file("src/components/Button.jsx", "export default () => null;\n"),
        file("README.md", "# Shop\n"),
    ];
    let warnings = complete(&mut files, Framework::ReactVite);
    let package: serde_json::Value =
        serde_json::from_str(content(&files, "package.json")).unwrap_or_default();
    let dependencies: Vec<&String> = package["dependencies"]
        .as_object()
        .map(|o| o.keys().collect())
        .unwrap_or_default();
    assert_eq!(
        dependencies,
        [
            "@tanstack/react-query",
            "axios",
            "lodash",
            "react",
            "react-dom"
        ]
    );
    assert_eq!(kinds(&warnings), [WarningKind::DependencyAdded; 3]);
    assert!(
        warnings[1].message.contains("`axios`") && warnings[1].message.contains("src/App.jsx"),
        "{warnings:?}"
    );
}

#[test]
fn a_missing_package_json_is_created() {
    let mut files = vec![file(
        "server.js",
        "const express = require('express');\nconst cors = require('cors');\n",
    )];
    let warnings = complete(&mut files, Framework::Express);
    let package: serde_json::Value =
        serde_json::from_str(content(&files, "package.json")).unwrap_or_default();
    assert_eq!(package["scripts"]["start"], "node server.js");
    assert_eq!(package["dependencies"]["cors"], "latest");
    assert_eq!(kinds(&warnings)[0], WarningKind::ManifestCreated);
    assert!(kinds(&warnings).contains(&WarningKind::ReadmeAdded));
}

#[test]
fn requirements_come_from_python_imports() {
    let mut files = vec![
        file(
            "app/main.py",
            "import os, sys\nimport numpy as np, cv2\nfrom PIL import Image\nfrom fastapi import FastAPI\nfrom .models import Item\nfrom app.db import session\nimport yaml\nfrom sklearn.linear_model import LinearRegression\nfrom bs4 import BeautifulSoup\nfrom __future__ import annotations\napp = FastAPI()\n",
        ),
        file("app/db.py", "import sqlite3\nimport utils\n"),
        file("utils.py", "import json\n"),
    ];
    let warnings = complete(&mut files, Framework::FastApi);
    let requirements: Vec<&str> = content(&files, "requirements.txt").lines().collect();
    assert_eq!(
        requirements,
        [
            "Pillow",
            "PyYAML",
            "beautifulsoup4",
            "fastapi",
            "numpy",
            "opencv-python",
            "scikit-learn",
            "uvicorn"
        ]
    );
    assert_eq!(
        warnings
            .iter()
            .filter(|w| w.kind == WarningKind::DependencyAdded)
            .count(),
        8
    );
    assert!(content(&files, "README.md").contains("uvicorn app.main:app --reload"));
}

#[test]
fn cargo_toml_gets_the_crates_the_code_uses() {
    let mut files = vec![
        file(
            "Cargo.toml",
            "[package]\nname = \"todo-api\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\n# the web framework\naxum = \"0.7\"\n",
        ),
        file(
            "src/main.rs",
            "use axum::Router;\nuse serde::Serialize;\nuse todo_api::x;\nmod db;\nuse db::Pool;\n#[tokio::main]\nasync fn main() {}\n",
        ),
        file("src/db.rs", "use sqlx::SqlitePool;\n"),
    ];
    let warnings = complete(&mut files, Framework::Axum);
    let manifest = content(&files, "Cargo.toml");
    assert!(
        manifest.contains("# the web framework\naxum = \"0.7\"\n"),
        "formatting kept: {manifest}"
    );
    assert!(
        manifest.contains("serde = { version = \"1\", features = [\"derive\"] }"),
        "{manifest}"
    );
    assert!(
        manifest.contains("tokio = { version = \"1\", features = [\"full\"] }"),
        "{manifest}"
    );
    assert!(manifest.contains("sqlx = "), "{manifest}");
    assert!(
        !manifest.contains("todo_api") && !manifest.contains("\ndb"),
        "{manifest}"
    );
    assert_eq!(
        warnings
            .iter()
            .filter(|w| w.kind == WarningKind::DependencyAdded)
            .count(),
        3
    );
}

#[test]
fn a_lone_main_rs_gets_a_manifest_that_builds_it() {
    let mut files = vec![file("main.rs", "use clap::Parser;\nfn main() {}\n")];
    complete(&mut files, Framework::RustCli);
    let manifest = content(&files, "Cargo.toml");
    assert!(
        manifest.contains("[[bin]]\nname = \"app\"\npath = \"main.rs\""),
        "{manifest}"
    );
    assert!(
        manifest.contains("clap = { version = \"4\", features = [\"derive\"] }"),
        "{manifest}"
    );
}

#[test]
fn complete_projects_are_left_alone() {
    let mut files = vec![
        file("main.py", "import requests\n"),
        file("requirements.txt", "requests==2.31\n"),
        file("README.md", "# Tool\n"),
    ];
    let before = files.clone();
    assert!(complete(&mut files, Framework::PythonCli).is_empty());
    assert_eq!(files, before);
}

#[test]
fn unreadable_manifests_are_reported_not_rewritten() {
    let mut files = vec![
        file("package.json", "{ \"name\": "),
        file("a.js", "import x from 'x';\n"),
        file("README.md", ""),
    ];
    let warnings = complete(&mut files, Framework::Generic);
    assert_eq!(kinds(&warnings), [WarningKind::ManifestUnreadable]);
    assert_eq!(content(&files, "package.json"), "{ \"name\": ");
}

#[test]
fn readmes_say_how_to_run_each_kind_of_project() {
    let cases = [
        (Framework::ReactVite, "npm run dev"),
        (Framework::Flask, "flask --app app run"),
        (Framework::Django, "python manage.py runserver"),
        (Framework::GoNetHttp, "go run ."),
        (Framework::PlainWeb, "http.server"),
        (Framework::RustCli, "cargo run"),
    ];
    for (framework, command) in cases {
        let text = readme::readme(&[file("index.html", "")], framework);
        assert!(text.contains(command), "{framework:?}: {text}");
    }
}

#[test]
fn constant_paths_are_valid() {
    for name in [
        "package.json",
        "requirements.txt",
        "Cargo.toml",
        "README.md",
    ] {
        assert_eq!(
            fixed_path(name),
            ProjectPath::parse(name).unwrap_or_else(|e| panic!("{e}"))
        );
    }
}
