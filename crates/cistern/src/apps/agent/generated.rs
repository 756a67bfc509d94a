//! A workspace from a code generation: the generator's files become the first tree and the
//! first snapshot, so the coding agent can carry on where the generator stopped.

use cistern_store::VersionStatus;
use cistern_store::sql::{Expect, Snapshot, Workspace};

use super::Workspaces;
use super::error::{Error, Result};
use super::workspaces::{FileChange, file_path, workspace_name};
use crate::apps::codegen::{Codegen, Error as CodegenError};

impl Workspaces {
    /// A new workspace holding the files of one of `owner`'s ready code generations, with a
    /// first snapshot. Another user's generation is [`Error::NotFound`]; a pending or failed
    /// one is [`Error::Conflict`]. If the files do not fit the limits, no workspace is left.
    pub async fn from_generation(
        &self,
        codegen: &Codegen,
        owner: &str,
        generation_id: &str,
        name: Option<&str>,
    ) -> Result<(Workspace, Snapshot)> {
        if let Some(name) = name {
            workspace_name(name)?;
        }
        let (generation, files) = codegen
            .project_files(owner, generation_id)
            .await
            .map_err(from_codegen)?;
        match generation.status {
            VersionStatus::Ready => {}
            VersionStatus::Pending => {
                return Err(Error::Conflict(
                    "the generation is still running; create the workspace once it is ready".into(),
                ));
            }
            VersionStatus::Failed => {
                return Err(Error::Conflict(
                    "the generation failed: it has no files to start a workspace from".into(),
                ));
            }
        }
        let changes = files
            .into_iter()
            .map(|(path, bytes)| {
                let content = String::from_utf8(bytes)
                    .map_err(|_| Error::Corrupt(format!("{path} of a generation is not UTF-8")))?;
                Ok(FileChange {
                    path: file_path(&path)?,
                    expect: Expect::Absent,
                    content: Some(content),
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let name = name.map_or_else(|| name_from_prompt(&generation.prompt), str::to_owned);
        let workspace = self.create(owner, &name).await?;
        let filled = async {
            self.write(&workspace, changes).await?;
            let message = format!("From code generation {}", generation.id);
            self.snapshot(owner, &workspace.id, &message).await
        };
        match filled.await {
            Ok(snapshot) => Ok((self.get(owner, &workspace.id).await?, snapshot)),
            Err(e) => {
                // Nothing half-made stays behind; the first error is the one to report.
                if let Err(cleanup) = self.delete(owner, &workspace.id).await {
                    tracing::warn!(workspace.id = %workspace.id, error = %cleanup,
                        "a workspace from a generation that did not fit was not deleted");
                }
                Err(e)
            }
        }
    }
}

/// A code generator error as this app's: the generation's absence is ours to report.
fn from_codegen(e: CodegenError) -> Error {
    match e {
        CodegenError::NotFound(_) => Error::NotFound("generation"),
        CodegenError::Store(e) => Error::Store(e),
        CodegenError::Blobs(e) => Error::Blobs(e),
        other => Error::Corrupt(other.to_string()),
    }
}

/// A workspace name from a generation's prompt: its first line, shortened.
fn name_from_prompt(prompt: &str) -> String {
    let line = prompt
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("");
    let line: String = line.chars().filter(|c| !c.is_control()).collect();
    let mut name: String = line.chars().take(60).collect();
    if line.chars().count() > 60 {
        name.push('…');
    }
    if name.trim().is_empty() {
        "Generated project".to_owned()
    } else {
        name
    }
}

#[cfg(test)]
mod tests {
    use super::name_from_prompt;

    #[test]
    fn a_name_is_the_prompts_first_line_shortened() {
        assert_eq!(name_from_prompt("\n  a todo app\nwith tags"), "a todo app");
        let long = "x".repeat(80);
        assert_eq!(name_from_prompt(&long).chars().count(), 61);
        assert_eq!(name_from_prompt(" \n"), "Generated project");
    }
}
