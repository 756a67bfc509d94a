//! Muting false alarms: feedback on a forecast may name labels that were false alarms for a
//! template; a label marked so on [`MUTE_MARKS`] forecasts is muted for the project — its
//! factor no longer counts in the project's scores ([`cistern_logs::ScoreReport::mute`]) — and
//! the mute is listed and can be lifted.

use std::collections::HashSet;

use cistern_logs::Factor;
use cistern_store::FalseAlarmStore;
use cistern_store::sql::FalseAlarmRow;

use super::Sage;
use super::error::{Error, Result, invalid};

/// Forecasts a label must be marked wrong on (for one template) to be muted.
pub const MUTE_MARKS: i64 = 3;

/// Longest template named in a false alarm, in characters.
const MAX_TEMPLATE: usize = 2_000;

/// A label and template the user says were a false alarm.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FalseAlarm {
    /// A label's name (`High Error Rate`, …).
    pub label: String,
    /// The template it fired for; empty: the label whatever the template.
    pub template: String,
}

/// A label and template with its marks, and whether they mute it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mute {
    /// The marks.
    pub row: FalseAlarmRow,
    /// Marked on enough forecasts to be muted.
    pub muted: bool,
}

impl Sage {
    /// Records `alarms` as false for `forecast_id` (each once per forecast).
    pub(super) async fn mark_false_alarms(
        &self,
        project_id: &str,
        forecast_id: &str,
        alarms: &[FalseAlarm],
        now: i64,
    ) -> Result<()> {
        for a in alarms {
            self.db
                .mark_false_alarm(
                    project_id,
                    forecast_id,
                    &a.label,
                    &template_hash(&a.template),
                    &a.template,
                    now,
                )
                .await?;
        }
        Ok(())
    }

    /// A project's marked labels, and which of them are muted.
    pub async fn mutes(&self, owner: &str, project_id: &str) -> Result<Vec<Mute>> {
        self.get(owner, project_id).await?;
        Ok(self
            .db
            .false_alarms(project_id)
            .await?
            .into_iter()
            .map(|row| Mute {
                muted: row.marks >= MUTE_MARKS,
                row,
            })
            .collect())
    }

    /// Lifts a mute (forgets the label's marks for the template).
    pub async fn unmute(&self, owner: &str, project_id: &str, alarm: &FalseAlarm) -> Result<()> {
        self.get(owner, project_id).await?;
        if self
            .db
            .clear_false_alarm(project_id, &alarm.label, &template_hash(&alarm.template))
            .await?
        {
            Ok(())
        } else {
            Err(Error::NotFound("mute"))
        }
    }

    /// The muted (label, template) pairs of a project.
    pub(super) async fn muted(&self, project_id: &str) -> Result<HashSet<(String, String)>> {
        Ok(self
            .db
            .false_alarms(project_id)
            .await?
            .into_iter()
            .filter(|r| r.marks >= MUTE_MARKS)
            .map(|r| (r.label, r.template))
            .collect())
    }
}

/// Checks the false alarms of a feedback: known labels, templates of sane length.
pub(super) fn checked(alarms: Vec<(String, Option<String>)>) -> Result<Vec<FalseAlarm>> {
    alarms
        .into_iter()
        .map(|(label, template)| {
            if serde_json::from_value::<cistern_logs::Label>(serde_json::Value::String(
                label.clone(),
            ))
            .is_err()
            {
                return Err(invalid(
                    "false_alarms",
                    format!("{label:?} is not a Sage label"),
                ));
            }
            let template = template.unwrap_or_default();
            if template.chars().count() > MAX_TEMPLATE {
                return Err(invalid(
                    "false_alarms",
                    format!("a template is at most {MAX_TEMPLATE} characters"),
                ));
            }
            Ok(FalseAlarm { label, template })
        })
        .collect()
}

/// Whether a factor is muted: its label is muted for every template it names (or, for a
/// factor naming none, for the label itself).
pub(super) fn is_muted(f: &Factor, muted: &HashSet<(String, String)>) -> bool {
    if muted.is_empty() {
        return false;
    }
    let label = label_name(f);
    if muted.contains(&(label.clone(), String::new())) {
        return true;
    }
    !f.templates.is_empty()
        && f.templates
            .iter()
            .all(|t| muted.contains(&(label.clone(), t.clone())))
}

/// A label's name as the API writes it.
pub(super) fn label_name(f: &Factor) -> String {
    serde_json::to_value(f.label)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

fn template_hash(template: &str) -> String {
    crate::platform::auth::keys::sha256_hex(template)
}
