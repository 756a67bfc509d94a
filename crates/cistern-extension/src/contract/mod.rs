//! The generation contract: what the model must send (`submit_extension`), how its arguments
//! become a typed [`Submission`], the prompts that ask for it, and how an iteration's partial
//! file set is merged onto its base version.

mod derive;
mod lenient;
mod merge;
mod parse;
mod prompt;
mod schema;

use serde::{Deserialize, Deserializer, Serialize};

pub use merge::merge;
pub use parse::{ArgumentsError, ArgumentsErrorKind, parse_submission};
pub use prompt::{
    TRUNCATE_ABOVE_BYTES, TRUNCATION_MARKER, first_system_prompt, iteration_system_prompt,
};
pub use schema::{TOOL_DESCRIPTION, TOOL_NAME, tool_parameters_schema};

/// The model's `submit_extension` call, parsed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Submission {
    /// The model's plan, shown to the user and kept with the version.
    pub blueprint: Blueprint,
    /// Files written: all of them on a first generation, only new or changed ones on an
    /// iteration (see [`merge`]).
    pub files: Vec<SubmittedFile>,
    /// Iterations only: paths of the base version to delete.
    #[serde(default)]
    pub deleted_paths: Vec<String>,
}

/// The model's reasoning about the extension, written before the code.
///
/// Deserializing is lenient (see `lenient.rs`): other common names for the permission list,
/// entries as bare strings, unknown keys and a missing file plan are accepted; what is missing
/// is listed in [`Blueprint::derived`] and filled in from the files ([`Blueprint::fill_in`]).
/// Serializing always writes the preferred shape.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "lenient::BlueprintInput")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Blueprint {
    /// One or two sentences: what the extension does for the user.
    pub purpose: String,
    /// User-visible features.
    pub features: Vec<String>,
    /// Every permission (API or host pattern) the manifest asks for, each with its reason
    /// (empty when the model gave none).
    pub permissions: Vec<PermissionReason>,
    /// Every file of the extension and its role.
    pub file_plan: Vec<PlannedFile>,
    /// How big the change is; decides the version bump.
    pub change_kind: ChangeKind,
    /// What Cistern filled in because the model left it out; empty when the model wrote it all.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub derived: Vec<Derived>,
}

/// A part of the blueprint Cistern filled in from the files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Derived {
    /// The model sent no file plan: it lists the version's files, roles from the manifest.
    FilePlan,
    /// Some planned files came without a role; theirs are from the manifest or file kind.
    FileRoles,
    /// The model sent no permission list: it is the manifest's, without reasons.
    Permissions,
}

/// A permission and why the extension needs it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PermissionReason {
    /// The permission name or host match pattern, as in the manifest.
    pub permission: String,
    /// Why the extension needs it, in words a user understands.
    pub reason: String,
}

/// One entry of the file plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PlannedFile {
    /// Path relative to the extension root.
    pub path: String,
    /// What the file does.
    pub role: String,
}

/// A file the model wrote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SubmittedFile {
    /// Path relative to the extension root.
    pub path: String,
    /// The whole file. Models often send `manifest.json` as a JSON object instead of a string;
    /// that is accepted and pretty-printed rather than failing the round.
    #[serde(deserialize_with = "text_or_json")]
    pub content: String,
}

/// The size of a change, from the blueprint; decides the semantic version bump.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum ChangeKind {
    /// Fixes, wording, styling: x.y.Z+1.
    Patch,
    /// A new feature, backwards compatible: x.Y+1.0.
    Minor,
    /// A redesign or removed features: X+1.0.0.
    Major,
}

impl Submission {
    /// The submitted files as [`crate::ExtensionFile`]s, in order.
    pub fn extension_files(&self) -> Vec<crate::ExtensionFile> {
        self.files
            .iter()
            .map(|f| crate::ExtensionFile::new(f.path.clone(), f.content.clone()))
            .collect()
    }
}

fn text_or_json<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    match serde_json::Value::deserialize(d)? {
        serde_json::Value::String(s) => Ok(s),
        v @ (serde_json::Value::Object(_) | serde_json::Value::Array(_)) => {
            serde_json::to_string_pretty(&v).map_err(serde::de::Error::custom)
        }
        other => Err(serde::de::Error::custom(format!(
            "`content` must be the file's text as a string, found {other}"
        ))),
    }
}
