//! The messages of a generation's calls, rendered from templates with minijinja: the system
//! prompt of each framework (`templates/{framework}.j2`, extending `base.j2`), the user's
//! request (`user.j2`), "continue" for a cut-off reply (`continue.j2`) and the repair request
//! naming each broken file (`repair.j2`).
//!
//! The templates are embedded in the binary; `codegen.templates_dir` may hold files of the same
//! names that replace them (read once at start; a template that does not parse stops the
//! start). A framework's [`Templates::version`] — a hash of the text its prompts are rendered
//! from — is part of the result-cache key, so changing a template never answers from a result
//! the old text produced.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::Context as _;
use aws_lc_rs::digest;
use cistern_codegen::ProjectFile;
use cistern_codegen::framework::Framework;
use cistern_syntax::Language;
use minijinja::{Environment, context};

/// Every template, by file name, as embedded.
const EMBEDDED: &[(&str, &str)] = &[
    ("base.j2", include_str!("templates/base.j2")),
    ("user.j2", include_str!("templates/user.j2")),
    ("continue.j2", include_str!("templates/continue.j2")),
    ("repair.j2", include_str!("templates/repair.j2")),
    ("react-vite.j2", include_str!("templates/react-vite.j2")),
    ("nextjs.j2", include_str!("templates/nextjs.j2")),
    ("vue.j2", include_str!("templates/vue.j2")),
    ("svelte.j2", include_str!("templates/svelte.j2")),
    ("express.j2", include_str!("templates/express.j2")),
    ("fastapi.j2", include_str!("templates/fastapi.j2")),
    ("flask.j2", include_str!("templates/flask.j2")),
    ("django.j2", include_str!("templates/django.j2")),
    ("axum.j2", include_str!("templates/axum.j2")),
    ("go-net-http.j2", include_str!("templates/go-net-http.j2")),
    ("spring-boot.j2", include_str!("templates/spring-boot.j2")),
    ("plain-web.j2", include_str!("templates/plain-web.j2")),
    ("python-cli.j2", include_str!("templates/python-cli.j2")),
    ("rust-cli.j2", include_str!("templates/rust-cli.j2")),
    ("generic.j2", include_str!("templates/generic.j2")),
];

/// The prompt templates of this process, parsed once.
#[derive(Debug)]
pub struct Templates {
    env: Environment<'static>,
    /// Template text by name (what versions hash).
    sources: BTreeMap<String, String>,
}

impl Templates {
    /// The embedded templates, each replaced by `dir/{name}` when `dir` is given and has it.
    pub fn load(dir: Option<&Path>) -> anyhow::Result<Self> {
        let mut sources = BTreeMap::new();
        for (name, text) in EMBEDDED {
            let text = match dir.map(|d| d.join(name)).filter(|p| p.is_file()) {
                Some(path) => std::fs::read_to_string(&path)
                    .with_context(|| format!("cannot read the template {}", path.display()))?,
                None => (*text).to_owned(),
            };
            sources.insert((*name).to_owned(), text);
        }
        let mut env = Environment::new();
        env.set_keep_trailing_newline(true);
        for (name, text) in &sources {
            env.add_template_owned(name.clone(), text.clone())
                .with_context(|| format!("the codegen template {name} does not parse"))?;
        }
        let templates = Self { env, sources };
        // Render every framework once, so a broken override fails the start, not a job.
        for framework in Framework::ALL {
            templates
                .system(framework, None)
                .with_context(|| format!("the codegen template {} fails", framework.name()))?;
        }
        Ok(templates)
    }

    /// The version of `framework`'s prompts: 16 hex digits of the SHA-256 of the texts they
    /// are rendered from.
    pub fn version(&self, framework: Framework) -> String {
        let mut ctx = digest::Context::new(&digest::SHA256);
        let own = format!("{}.j2", framework.name());
        for name in [
            "base.j2",
            own.as_str(),
            "user.j2",
            "continue.j2",
            "repair.j2",
        ] {
            let text = self.sources.get(name).map_or("", String::as_str);
            ctx.update(name.as_bytes());
            ctx.update(&[0]);
            ctx.update(text.as_bytes());
            ctx.update(&[0]);
        }
        ctx.finish().as_ref()[..8]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    /// The system prompt: how to lay out the reply so every file can be extracted.
    pub fn system(
        &self,
        framework: Framework,
        language: Option<Language>,
    ) -> Result<String, minijinja::Error> {
        let (manifest, example_lang, example_path) = layout(framework);
        self.render(
            &format!("{}.j2", framework.name()),
            context! {
                framework => context! {
                    name => framework.name(),
                    display_name => framework.display_name(),
                    language => framework.language().name(),
                    manifest => manifest,
                    example_lang => example_lang,
                    example_path => example_path,
                },
                language => language.map(Language::name),
            },
        )
    }

    /// The user's message.
    pub fn user(&self, prompt: &str) -> Result<String, minijinja::Error> {
        self.render("user.j2", context! { prompt => prompt })
    }

    /// Asks a cut-off reply to go on.
    pub fn continuation(&self) -> Result<String, minijinja::Error> {
        self.render("continue.j2", context! {})
    }

    /// Asks for the broken files again, naming each file and its errors.
    pub fn repair<'a>(
        &self,
        broken: impl IntoIterator<Item = &'a ProjectFile>,
    ) -> Result<String, minijinja::Error> {
        let files: Vec<_> = broken
            .into_iter()
            .map(|f| {
                let errors: Vec<String> = f.syntax.errors.iter().map(ToString::to_string).collect();
                context! { path => f.path.as_str(), errors => errors }
            })
            .collect();
        self.render("repair.j2", context! { files => files })
    }

    fn render(&self, name: &str, ctx: minijinja::Value) -> Result<String, minijinja::Error> {
        let text = self.env.get_template(name)?.render(ctx)?;
        Ok(text.trim().to_owned())
    }
}

/// A framework's manifest and an example fence (language, path) for the system prompt.
fn layout(framework: Framework) -> (&'static str, &'static str, &'static str) {
    match framework {
        Framework::ReactVite => ("package.json", "jsx", "src/App.jsx"),
        Framework::NextJs => ("package.json", "jsx", "app/page.jsx"),
        Framework::Vue => ("package.json", "vue", "src/App.vue"),
        Framework::Svelte => ("package.json", "svelte", "src/App.svelte"),
        Framework::Express => ("package.json", "js", "server.js"),
        Framework::FastApi | Framework::Flask | Framework::Django => {
            ("requirements.txt", "python", "app/main.py")
        }
        Framework::PythonCli => ("requirements.txt", "python", "main.py"),
        Framework::Axum | Framework::RustCli => ("Cargo.toml", "rust", "src/main.rs"),
        Framework::GoNetHttp => ("go.mod", "go", "main.go"),
        Framework::SpringBoot => (
            "pom.xml",
            "java",
            "src/main/java/com/example/app/Application.java",
        ),
        Framework::PlainWeb => ("", "html", "index.html"),
        Framework::Generic => ("", "python", "main.py"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_framework_renders_with_its_own_guidance_and_layout() {
        let t = Templates::load(None).unwrap();
        let fastapi = t
            .system(Framework::FastApi, Some(Language::Python))
            .unwrap();
        assert!(
            fastapi.starts_with(
                "You are a senior engineer. Write a complete, runnable FastAPI project"
            ),
            "{fastapi}"
        );
        assert!(fastapi.contains("Write it in python."));
        assert!(fastapi.contains("Use FastAPI with Pydantic models"));
        assert!(fastapi.contains("```python app/main.py"));
        let react = t.system(Framework::ReactVite, None).unwrap();
        assert!(react.contains("React 18 with Vite") && !react.contains("Write it in"));
        assert_eq!(t.user("  a todo app ").unwrap(), "a todo app");
        assert!(
            t.continuation()
                .unwrap()
                .contains("Continue exactly where you stopped")
        );
    }

    #[test]
    fn versions_follow_the_text_and_overrides_replace_embedded_templates() {
        let embedded = Templates::load(None).unwrap();
        assert_ne!(
            embedded.version(Framework::FastApi),
            embedded.version(Framework::Flask)
        );
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("fastapi.j2"),
            "{% extends \"base.j2\" %}{% block guidance %}Use FastAPI, async all the way.\n{% endblock %}",
        )
        .unwrap();
        let custom = Templates::load(Some(dir.path())).unwrap();
        assert!(
            custom
                .system(Framework::FastApi, None)
                .unwrap()
                .contains("async all the way")
        );
        assert_ne!(
            custom.version(Framework::FastApi),
            embedded.version(Framework::FastApi)
        );
        assert_eq!(
            custom.version(Framework::Flask),
            embedded.version(Framework::Flask)
        );

        std::fs::write(dir.path().join("flask.j2"), "{% if %}").unwrap();
        let error = Templates::load(Some(dir.path())).unwrap_err();
        assert!(format!("{error:#}").contains("flask.j2"), "{error:#}");
    }
}
