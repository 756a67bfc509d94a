//! [`Warning`]: something the generator changed or noticed in a project, never silently.

use serde::{Deserialize, Serialize};

use crate::ProjectPath;

/// What kind of change or notice a [`Warning`] reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum WarningKind {
    /// A dependency the code imports was added to a manifest.
    DependencyAdded,
    /// A manifest (`package.json`, `requirements.txt`, `Cargo.toml`) was created.
    ManifestCreated,
    /// A manifest could not be read, so it was left as it was.
    ManifestUnreadable,
    /// A README with how to run the project was added.
    ReadmeAdded,
}

/// One change or notice, for the user to see next to the files.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Warning {
    /// What happened.
    pub kind: WarningKind,
    /// The file it concerns.
    pub path: ProjectPath,
    /// A sentence for a person.
    pub message: String,
}

impl Warning {
    /// A warning about `path`.
    pub fn new(kind: WarningKind, path: &ProjectPath, message: impl Into<String>) -> Warning {
        Warning {
            kind,
            path: path.clone(),
            message: message.into(),
        }
    }
}
