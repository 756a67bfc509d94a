//! The framework a prompt asks for: an explicit choice wins, otherwise a weighted-keyword
//! score over the prompt (`table.rs`), with a confidence and the words that decided it.
//!
//! Confidence is `strength × (½ + ½ × margin)`: strength `s/(s+2)` grows with the winner's
//! score `s` (an explicit name alone scores 6 → 0.75), margin is how far it leads the
//! runner-up (`(s − r)/s`). Below a score of [`MIN_SCORE`] the answer is
//! [`Framework::Generic`], with a confidence of 0.5.

mod table;

use cistern_syntax::Language;
use serde::{Deserialize, Serialize};

/// Lowest winning score that names a framework; below it the prompt is [`Framework::Generic`].
pub const MIN_SCORE: f32 = 1.5;

/// A project kind the generator has a template for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Framework {
    /// React with Vite.
    ReactVite,
    /// Next.js.
    #[serde(rename = "nextjs")]
    NextJs,
    /// Vue 3 with Vite.
    Vue,
    /// Svelte / SvelteKit.
    Svelte,
    /// Express on Node.js.
    Express,
    /// FastAPI.
    #[serde(rename = "fastapi")]
    FastApi,
    /// Flask.
    Flask,
    /// Django.
    Django,
    /// Axum (Rust).
    Axum,
    /// Go's standard `net/http`.
    GoNetHttp,
    /// Spring Boot (Java).
    SpringBoot,
    /// Plain HTML, CSS and JavaScript.
    PlainWeb,
    /// A Python command-line program.
    PythonCli,
    /// A Rust command-line program.
    RustCli,
    /// Anything else.
    Generic,
}

impl Framework {
    /// Every framework, in a stable order.
    pub const ALL: [Framework; 15] = [
        Framework::ReactVite,
        Framework::NextJs,
        Framework::Vue,
        Framework::Svelte,
        Framework::Express,
        Framework::FastApi,
        Framework::Flask,
        Framework::Django,
        Framework::Axum,
        Framework::GoNetHttp,
        Framework::SpringBoot,
        Framework::PlainWeb,
        Framework::PythonCli,
        Framework::RustCli,
        Framework::Generic,
    ];

    /// The API name (`"react-vite"`, `"fastapi"`, …), as serde writes it; also the name of
    /// the app's prompt template.
    pub fn name(self) -> &'static str {
        match self {
            Framework::ReactVite => "react-vite",
            Framework::NextJs => "nextjs",
            Framework::Vue => "vue",
            Framework::Svelte => "svelte",
            Framework::Express => "express",
            Framework::FastApi => "fastapi",
            Framework::Flask => "flask",
            Framework::Django => "django",
            Framework::Axum => "axum",
            Framework::GoNetHttp => "go-net-http",
            Framework::SpringBoot => "spring-boot",
            Framework::PlainWeb => "plain-web",
            Framework::PythonCli => "python-cli",
            Framework::RustCli => "rust-cli",
            Framework::Generic => "generic",
        }
    }

    /// A name for people (`"React + Vite"`).
    pub fn display_name(self) -> &'static str {
        match self {
            Framework::ReactVite => "React + Vite",
            Framework::NextJs => "Next.js",
            Framework::Vue => "Vue",
            Framework::Svelte => "Svelte",
            Framework::Express => "Express",
            Framework::FastApi => "FastAPI",
            Framework::Flask => "Flask",
            Framework::Django => "Django",
            Framework::Axum => "Axum",
            Framework::GoNetHttp => "Go net/http",
            Framework::SpringBoot => "Spring Boot",
            Framework::PlainWeb => "HTML/CSS/JS",
            Framework::PythonCli => "Python CLI",
            Framework::RustCli => "Rust CLI",
            Framework::Generic => "Generic",
        }
    }

    /// Parses an API name or a common spelling (`"react"`, `"nextjs"`, `"Next.js"`,
    /// `"fastapi"`, `"html"`), ignoring case, spaces, dots, `+` and dashes.
    pub fn from_name(name: &str) -> Option<Framework> {
        let key: String = name
            .chars()
            .filter(|c| c.is_alphanumeric() || *c == '/')
            .flat_map(char::to_lowercase)
            .collect();
        let framework = match key.as_str() {
            "reactvite" | "react" | "reactjs" | "vite" => Framework::ReactVite,
            "nextjs" | "next" => Framework::NextJs,
            "vue" | "vuejs" | "vue3" => Framework::Vue,
            "svelte" | "sveltekit" => Framework::Svelte,
            "express" | "expressjs" | "node" | "nodejs" => Framework::Express,
            "fastapi" => Framework::FastApi,
            "flask" => Framework::Flask,
            "django" => Framework::Django,
            "axum" => Framework::Axum,
            "gonethttp" | "go" | "golang" | "net/http" | "gonet/http" => Framework::GoNetHttp,
            "springboot" | "spring" => Framework::SpringBoot,
            "plainweb" | "html" | "htmlcssjs" | "html/css/js" | "vanilla" | "static" => {
                Framework::PlainWeb
            }
            "pythoncli" | "python" => Framework::PythonCli,
            "rustcli" | "rust" => Framework::RustCli,
            "generic" | "other" | "none" => Framework::Generic,
            _ => return None,
        };
        Some(framework)
    }

    /// Whether a project of this framework can be written in `language`: the JavaScript
    /// frameworks in JavaScript, TypeScript or TSX, plain web pages in those or HTML/CSS, and so
    /// on. Data and text languages (JSON, YAML, Markdown, …) restrict nothing.
    pub fn fits(self, language: Language) -> bool {
        use Language::*;
        match language {
            Javascript | Typescript | Tsx => {
                matches!(self.language(), Javascript | Html) || self == Framework::Generic
            }
            Html | Css => matches!(self, Framework::PlainWeb | Framework::Generic),
            Python | Rust | Go | Java => self.language() == language || self == Framework::Generic,
            Json | Toml | Yaml | Markdown | Text => true,
        }
    }

    /// The main language of its projects.
    pub fn language(self) -> Language {
        match self {
            Framework::ReactVite
            | Framework::NextJs
            | Framework::Vue
            | Framework::Svelte
            | Framework::Express => Language::Javascript,
            Framework::FastApi | Framework::Flask | Framework::Django | Framework::PythonCli => {
                Language::Python
            }
            Framework::Axum | Framework::RustCli => Language::Rust,
            Framework::GoNetHttp => Language::Go,
            Framework::SpringBoot => Language::Java,
            Framework::PlainWeb => Language::Html,
            Framework::Generic => Language::Text,
        }
    }
}

/// The framework chosen for a prompt, how sure, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Detection {
    /// The framework.
    pub framework: Framework,
    /// 0..=1; 1 for an explicit choice.
    pub confidence: f32,
    /// The prompt's words that decided it, strongest first (empty for an explicit choice).
    pub evidence: Vec<String>,
    /// The user chose it.
    pub explicit: bool,
}

/// The framework for `prompt`; `explicit` (the user's choice) wins.
pub fn detect(prompt: &str, explicit: Option<Framework>) -> Detection {
    detect_with_language(prompt, explicit, None)
}

/// Like [`detect`], among the frameworks that fit the language the user asked for
/// ([`Framework::fits`]): "a REST API" with `language: "go"` is Go's `net/http`, not FastAPI.
pub fn detect_with_language(
    prompt: &str,
    explicit: Option<Framework>,
    language: Option<Language>,
) -> Detection {
    if let Some(framework) = explicit {
        return Detection {
            framework,
            confidence: 1.0,
            evidence: Vec::new(),
            explicit: true,
        };
    }
    // The chosen language counts as a word of the prompt ("go", "python"): it is evidence.
    let text = match language {
        Some(language) => normalise(&format!("{prompt} {}", language.name())),
        None => normalise(prompt),
    };
    let mut best: Option<Scored> = None;
    let mut runner_up = 0.0f32;
    for (framework, words) in table::TABLE {
        if language.is_some_and(|language| !framework.fits(language)) {
            continue;
        }
        let matched: Vec<(&str, f32)> = words
            .iter()
            .copied()
            .filter(|(word, _)| mentions(&text, word))
            .collect();
        let score: f32 = matched.iter().map(|(_, weight)| weight).sum();
        match &best {
            Some((_, top, _)) if score <= *top => runner_up = runner_up.max(score),
            _ => {
                runner_up = best.as_ref().map_or(0.0, |(_, top, _)| *top);
                best = Some((*framework, score, matched));
            }
        }
    }
    match best {
        Some((framework, score, mut matched)) if score >= MIN_SCORE => {
            matched.sort_by(|a, b| b.1.total_cmp(&a.1));
            let strength = score / (score + 2.0);
            let margin = (score - runner_up) / score;
            Detection {
                framework,
                confidence: round2(strength * (0.5 + 0.5 * margin)),
                evidence: matched
                    .into_iter()
                    .map(|(word, _)| word.to_owned())
                    .collect(),
                explicit: false,
            }
        }
        _ => Detection {
            framework: Framework::Generic,
            confidence: 0.5,
            evidence: Vec::new(),
            explicit: false,
        },
    }
}

/// A framework, its score and the words that matched with their weights.
type Scored = (Framework, f32, Vec<(&'static str, f32)>);

fn round2(value: f32) -> f32 {
    (value * 100.0).round() / 100.0
}

/// Lowercase words separated by single spaces, padded with spaces, punctuation dropped except
/// inside words (`next.js`, `net/http`, `command-line`).
fn normalise(prompt: &str) -> String {
    let lower = prompt.to_lowercase();
    let mut out = String::with_capacity(lower.len() + 2);
    out.push(' ');
    for word in
        lower.split(|c: char| !(c.is_alphanumeric() || matches!(c, '.' | '/' | '-' | '+' | '#')))
    {
        let word = word.trim_matches(|c| matches!(c, '.' | '/' | '-'));
        if !word.is_empty() {
            out.push_str(word);
            out.push(' ');
        }
    }
    out
}

/// Whether the normalised text has `word` (or its plural) as whole words.
fn mentions(text: &str, word: &str) -> bool {
    text.contains(&format!(" {word} ")) || text.contains(&format!(" {word}s "))
}

#[cfg(test)]
mod tests;
