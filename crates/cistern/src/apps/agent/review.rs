//! Accepting and rejecting a task's proposal, per task, file or hunk.
//!
//! Each hunk is decided once. An accept applies the chosen hunks and rejects every other
//! undecided one; a reject rejects the chosen hunks (all undecided ones when none is named)
//! and leaves the rest for later. An accept writes the tree all or nothing: for a file changed
//! in the workspace since the task read it, a three-way merge (the base, the file now, the
//! proposal with the chosen hunks) — a clean merge applies, a conflict changes nothing and
//! answers with the conflicting regions. A snapshot is taken before and after, so restoring
//! the one before undoes the accept.

use std::collections::{BTreeMap, BTreeSet};

use cistern_store::AgentStore;
use cistern_store::sql::{Expect, Task, now_ms};
use serde::Deserialize;
use utoipa::ToSchema;

use super::error::{Error, MergeConflict, Result, invalid};
use super::model::{Decision, ProposedFile, Review, TaskResult};
use super::workspaces::FileChange;
use super::{Tasks, blobs, prompt};
use crate::platform::audit::{Action, RequestContext};

/// Tasks whose rejections the next task is told about.
const REJECTION_TASKS: i64 = 20;

/// Some hunks of one file, by id.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FileHunks {
    /// The file.
    pub path: String,
    /// Hunk ids, as in the task's `hunks`.
    pub ids: Vec<usize>,
}

/// Which hunks an accept or reject decides: whole files, some hunks, or (neither) all that are
/// still undecided.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewRequest {
    /// Every hunk of these files.
    #[serde(default)]
    pub files: Option<Vec<String>>,
    /// These hunks.
    #[serde(default)]
    pub hunks: Option<Vec<FileHunks>>,
    /// Why (kept with rejections and told to the next task).
    #[serde(default)]
    pub reason: Option<String>,
}

/// Longest reason, in characters.
pub const MAX_REASON_CHARS: usize = 1_000;

/// What a review did.
#[derive(Debug, Clone)]
pub struct Reviewed {
    /// The task's review now.
    pub review: Review,
    /// Files the accept wrote.
    pub written: Vec<String>,
}

impl Tasks {
    /// Accepts the chosen hunks into the workspace and rejects the other undecided ones.
    pub async fn accept(
        &self,
        owner: &str,
        task_id: &str,
        request: ReviewRequest,
        ctx: &RequestContext,
    ) -> Result<Reviewed> {
        let (task, result, old, chosen) = self.reviewable(owner, task_id, &request).await?;
        let workspace = self.workspaces.get(owner, &task.workspace_id).await?;
        let tree = self.tree_hashes(&task.workspace_id).await?;
        let mut changes = Vec::new();
        let mut conflicts = Vec::new();
        for file in &result.files_modified {
            let Some(ids) = chosen.get(&file.path).filter(|ids| !ids.is_empty()) else {
                continue;
            };
            let ids: Vec<usize> = ids.iter().copied().collect();
            let current = tree.get(&file.path).cloned();
            match self
                .merged(&task.workspace_id, file, &ids, current.as_deref())
                .await?
            {
                Merged::Write(content) => changes.push(FileChange {
                    path: file.path.clone(),
                    expect: current.map_or(Expect::Absent, Expect::Hash),
                    content,
                }),
                Merged::AlreadyThere => {}
                Merged::Conflicts(found) => conflicts.extend(found),
            }
        }
        if !conflicts.is_empty() {
            return Err(Error::MergeConflicts(conflicts));
        }
        let mut review = decide(&result, &old, &chosen, true, None);
        let old_json = task.review.clone();
        let short: String = task.prompt.chars().take(60).collect();
        let before = self
            .workspaces
            .snapshot(
                owner,
                &task.workspace_id,
                &format!("Before accepting task: {short}"),
            )
            .await?;
        review.snapshot_before = Some(before.id);
        self.swap_review(&task, old_json.as_deref(), &review)
            .await?;
        let written: Vec<String> = changes.iter().map(|c| c.path.clone()).collect();
        if let Err(e) = self.workspaces.write(&workspace, changes).await {
            // Give the decisions back: the tree did not change.
            if let Err(error) = self
                .db
                .set_task_review(
                    &task.id,
                    Some(&to_json(&review)?),
                    old_json.as_deref().unwrap_or("null"),
                    now_ms(),
                )
                .await
            {
                tracing::warn!(task.id = %task.id, %error, "cannot give the review back after a failed accept");
            }
            return Err(e);
        }
        let after = self
            .workspaces
            .snapshot(
                owner,
                &task.workspace_id,
                &format!("Accepted task: {short}"),
            )
            .await?;
        let expected = to_json(&review)?;
        review.snapshot_after = Some(after.id);
        self.swap_review(&task, Some(&expected), &review).await?;
        let (accepted, rejected) = counts(&review);
        self.audit(
            ctx,
            owner,
            Action::AgentPatchAccepted,
            &task,
            serde_json::json!({"files": written, "hunks_accepted": accepted, "hunks_rejected": rejected}),
        )
        .await?;
        Ok(Reviewed { review, written })
    }

    /// What accepting every undecided hunk would write into each file changed in the
    /// workspace since the task read it: the three-way merge, or its conflicts. Files still as
    /// the task read them, or with every hunk decided, are left out (an accept writes the
    /// proposal as is, or nothing). Changes nothing.
    pub async fn merge_preview(&self, owner: &str, task_id: &str) -> Result<Vec<StaleMerge>> {
        let (task, result, review) = self.proposal(owner, task_id).await?;
        let undecided = choose(&result, &review, &ReviewRequest::default())?;
        let tree = self.tree_hashes(&task.workspace_id).await?;
        let mut stale = Vec::new();
        for file in &result.files_modified {
            let Some(ids) = undecided.get(&file.path).filter(|ids| !ids.is_empty()) else {
                continue;
            };
            let current = tree.get(&file.path).cloned();
            if current == file.base_hash {
                continue;
            }
            let ids: Vec<usize> = ids.iter().copied().collect();
            let merged = self
                .merged(&task.workspace_id, file, &ids, current.as_deref())
                .await?;
            stale.push(StaleMerge {
                path: file.path.clone(),
                current_hash: current,
                merged,
            });
        }
        Ok(stale)
    }

    /// Rejects the chosen hunks (every undecided one when none is named).
    pub async fn reject(
        &self,
        owner: &str,
        task_id: &str,
        request: ReviewRequest,
        ctx: &RequestContext,
    ) -> Result<Reviewed> {
        let reason = match request.reason.as_deref().map(str::trim) {
            Some(r) if r.chars().count() > MAX_REASON_CHARS => {
                return Err(invalid(
                    "reason",
                    format!("reason is longer than {MAX_REASON_CHARS} characters"),
                ));
            }
            Some("") | None => None,
            Some(r) => Some(r.to_owned()),
        };
        let (task, result, old, chosen) = self.reviewable(owner, task_id, &request).await?;
        let review = decide(&result, &old, &chosen, false, reason.clone());
        self.swap_review(&task, task.review.as_deref(), &review)
            .await?;
        let rejected: usize = chosen.values().map(BTreeSet::len).sum();
        self.audit(
            ctx,
            owner,
            Action::AgentPatchRejected,
            &task,
            serde_json::json!({"hunks_rejected": rejected, "reason": reason}),
        )
        .await?;
        Ok(Reviewed {
            review,
            written: Vec::new(),
        })
    }

    /// The task, its proposal, its review so far, and the undecided hunks `request` chooses
    /// (at least one).
    async fn reviewable(
        &self,
        owner: &str,
        task_id: &str,
        request: &ReviewRequest,
    ) -> Result<(Task, TaskResult, Review, Chosen)> {
        let (task, result, review) = self.proposal(owner, task_id).await?;
        let chosen = choose(&result, &review, request)?;
        if chosen.values().all(BTreeSet::is_empty) {
            return Err(Error::Conflict(
                "every hunk of this task is already decided".into(),
            ));
        }
        Ok((task, result, review, chosen))
    }

    /// A done task with a proposal, the proposal, and its review so far.
    async fn proposal(&self, owner: &str, task_id: &str) -> Result<(Task, TaskResult, Review)> {
        let task = self.get(owner, task_id).await?;
        if task.status != "done" {
            return Err(Error::Conflict(format!(
                "the task is {}; only a done task's proposal can be reviewed",
                task.status
            )));
        }
        let result: TaskResult = parse(task.result.as_deref())?;
        if result.files_modified.is_empty() {
            return Err(Error::Conflict("the task proposes no changes".into()));
        }
        // `null` is a review given back after a failed accept: none yet.
        let review: Review = parse::<Option<Review>>(task.review.as_deref())?.unwrap_or_default();
        Ok((task, result, review))
    }

    /// The working tree's hash of each path.
    async fn tree_hashes(&self, workspace_id: &str) -> Result<BTreeMap<String, String>> {
        Ok(self
            .db
            .tree(workspace_id)
            .await?
            .into_iter()
            .map(|f| (f.path, f.hash))
            .collect())
    }

    async fn swap_review(&self, task: &Task, old: Option<&str>, review: &Review) -> Result<()> {
        if self
            .db
            .set_task_review(&task.id, old, &to_json(review)?, now_ms())
            .await?
        {
            Ok(())
        } else {
            Err(Error::Conflict(
                "the task was reviewed meanwhile; read it again".into(),
            ))
        }
    }

    /// The content to write for a file's chosen hunks, given the file now.
    async fn merged(
        &self,
        workspace_id: &str,
        file: &ProposedFile,
        ids: &[usize],
        current: Option<&str>,
    ) -> Result<Merged> {
        let read = |hash: Option<String>| async move {
            match hash {
                Some(h) => blobs::read(&self.blobs, workspace_id, &h).await.map(Some),
                None => Ok(None),
            }
        };
        let base = read(file.base_hash.clone()).await?;
        let after = read(file.new_hash.clone()).await?;
        let all = ids.len() == file.hunks.len();
        let proposed: Option<String> = if all {
            after.clone()
        } else {
            Some(cistern_edit::apply_hunks(
                base.as_deref().unwrap_or(""),
                after.as_deref().unwrap_or(""),
                ids,
            ))
        };
        let proposed_hash = proposed.as_deref().map(blobs::hash);
        if current.map(str::to_owned) == file.base_hash {
            return Ok(Merged::Write(proposed));
        }
        if current.map(str::to_owned) == proposed_hash {
            return Ok(Merged::AlreadyThere);
        }
        let now = read(current.map(str::to_owned)).await?;
        let conflict = |now: &Option<String>, proposed: &Option<String>| MergeConflict {
            path: file.path.clone(),
            base_start: 1,
            base_lines: base.as_deref().map_or(0, |b| b.lines().count()),
            current: now.clone().unwrap_or_default(),
            proposed: proposed.clone().unwrap_or_default(),
        };
        match (&base, &now, &proposed) {
            (Some(b), Some(n), Some(p)) => match cistern_edit::merge3(b, n, p) {
                Ok(merged) => Ok(Merged::Write(Some(merged))),
                Err(found) => Ok(Merged::Conflicts(
                    found
                        .into_iter()
                        .map(|c| MergeConflict {
                            path: file.path.clone(),
                            base_start: c.base_start,
                            base_lines: c.base_lines,
                            current: c.ours,
                            proposed: c.theirs,
                        })
                        .collect(),
                )),
            },
            // Created, deleted or re-created on one side since: no common text to merge on.
            _ => Ok(Merged::Conflicts(vec![conflict(&now, &proposed)])),
        }
    }
}

/// A file's chosen hunks against the file now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Merged {
    /// Write this (`None`: delete the file).
    Write(Option<String>),
    /// The file already is what the hunks make it.
    AlreadyThere,
    /// The file changed where the hunks change it.
    Conflicts(Vec<MergeConflict>),
}

/// A file changed since its task read it, and what an accept would make of it.
#[derive(Debug, Clone)]
pub struct StaleMerge {
    /// The file.
    pub path: String,
    /// Its hash now (`None`: deleted since).
    pub current_hash: Option<String>,
    /// The merge of every undecided hunk into it.
    pub merged: Merged,
}

fn parse<T: serde::de::DeserializeOwned>(json: Option<&str>) -> Result<T> {
    serde_json::from_str(json.unwrap_or("null")).map_err(|e| Error::Corrupt(e.to_string()))
}

fn to_json(review: &Review) -> Result<String> {
    serde_json::to_string(review).map_err(|e| Error::Corrupt(e.to_string()))
}

/// Path → hunk ids.
type Chosen = BTreeMap<String, BTreeSet<usize>>;

/// Path → the undecided hunk ids a request chooses; unknown paths or ids are the caller's
/// error, decided ones a conflict.
fn choose(
    result: &TaskResult,
    review: &Review,
    request: &ReviewRequest,
) -> Result<BTreeMap<String, BTreeSet<usize>>> {
    let undecided = |file: &ProposedFile| -> BTreeSet<usize> {
        let decided = review.files.get(&file.path);
        file.hunks
            .iter()
            .map(|h| h.id)
            .filter(|id| decided.is_none_or(|d| !d.contains_key(id)))
            .collect()
    };
    let find = |path: &str, field: &'static str| {
        result
            .files_modified
            .iter()
            .find(|f| f.path == path)
            .ok_or_else(|| invalid(field, format!("the task proposes no change to {path:?}")))
    };
    let mut chosen: BTreeMap<String, BTreeSet<usize>> = BTreeMap::new();
    if request.files.is_none() && request.hunks.is_none() {
        for file in &result.files_modified {
            chosen.insert(file.path.clone(), undecided(file));
        }
        return Ok(chosen);
    }
    for path in request.files.iter().flatten() {
        let file = find(path, "files")?;
        chosen
            .entry(file.path.clone())
            .or_default()
            .extend(undecided(file));
    }
    for pick in request.hunks.iter().flatten() {
        let file = find(&pick.path, "hunks")?;
        let open = undecided(file);
        for id in &pick.ids {
            if !file.hunks.iter().any(|h| h.id == *id) {
                return Err(invalid("hunks", format!("{} has no hunk {id}", pick.path)));
            }
            if !open.contains(id) {
                return Err(Error::Conflict(format!(
                    "hunk {id} of {} is already decided",
                    pick.path
                )));
            }
            chosen.entry(file.path.clone()).or_default().insert(*id);
        }
    }
    Ok(chosen)
}

/// The review after a decision: the chosen hunks decided `accepted`; on an accept, every other
/// undecided hunk rejected.
fn decide(
    result: &TaskResult,
    old: &Review,
    chosen: &BTreeMap<String, BTreeSet<usize>>,
    accept: bool,
    reason: Option<String>,
) -> Review {
    let mut review = old.clone();
    for file in &result.files_modified {
        let picked = chosen.get(&file.path);
        let decisions = review.files.entry(file.path.clone()).or_default();
        for hunk in &file.hunks {
            if decisions.contains_key(&hunk.id) {
                continue;
            }
            let is_chosen = picked.is_some_and(|p| p.contains(&hunk.id));
            let decision = match (accept, is_chosen) {
                (true, true) => Some(Decision {
                    accepted: true,
                    reason: None,
                }),
                (true, false) => Some(Decision {
                    accepted: false,
                    reason: None,
                }),
                (false, true) => Some(Decision {
                    accepted: false,
                    reason: reason.clone(),
                }),
                (false, false) => None,
            };
            if let Some(d) = decision {
                decisions.insert(hunk.id, d);
            }
        }
    }
    review.files.retain(|_, d| !d.is_empty());
    review
}

fn counts(review: &Review) -> (usize, usize) {
    let all = review.files.values().flat_map(BTreeMap::values);
    all.fold(
        (0, 0),
        |(a, r), d| if d.accepted { (a + 1, r) } else { (a, r + 1) },
    )
}

/// The user's rejections in a workspace, described for the next task (newest tasks first).
pub async fn rejections(tasks: &Tasks, owner: &str, workspace_id: &str) -> Result<Vec<String>> {
    let recent = tasks
        .db
        .tasks_of(owner, Some(workspace_id), None, REJECTION_TASKS)
        .await?;
    let mut out = Vec::new();
    for task in recent {
        let (Some(review), Some(result)) = (task.review.as_deref(), task.result.as_deref()) else {
            continue;
        };
        let (Ok(review), Ok(result)) = (
            serde_json::from_str::<Review>(review),
            serde_json::from_str::<TaskResult>(result),
        ) else {
            continue;
        };
        for file in &result.files_modified {
            let Some(decisions) = review.files.get(&file.path) else {
                continue;
            };
            for (id, d) in decisions.iter().filter(|(_, d)| !d.accepted) {
                if let Some(text) = prompt::hunk_text(&file.patch, *id) {
                    out.push(prompt::rejection(&file.path, &text, d.reason.as_deref()));
                }
            }
        }
    }
    Ok(out)
}
