//! Render stage: the rollback checklist of a change
//! (`changes/<slug>/rollback.html`).

use serde::Serialize;

use super::{
    BackupView, ChangeCtx, ChangeRow, ChangeShared, CommunicationView, TeamView, communication,
    sections::backup, team,
};
use crate::site::markdown::{to_html, to_inline_html};
use crate::site::status::StatusNotice;

/// The rollback checklist of a change.
#[derive(Serialize)]
pub struct RollbackView<'a> {
    /// The change as lists show it.
    pub row: &'a ChangeRow,
    /// The status banner at the top of the page.
    pub status: StatusNotice,
    /// The change has a `rollback` table; without one the page says to
    /// write it before the change runs.
    pub present: bool,
    /// What makes the team roll back, as sanitized inline HTML.
    pub triggers: Vec<String>,
    /// The team that decides and rolls back; when none is named, the
    /// change's owner decides.
    pub owner: Option<TeamView>,
    /// How long a rollback takes, written back: "45m".
    pub time: Option<String>,
    /// After what it can no longer be undone, as sanitized inline HTML.
    pub point_of_no_return: Option<String>,
    /// What is done to undo the change, in order, as sanitized inline HTML.
    pub steps: Vec<String>,
    /// How users go back to the stable environment, as sanitized HTML.
    pub switch_back: Option<String>,
    /// The backup to restore from, or why there is none.
    pub backup: Option<BackupView>,
    /// The audiences to notify of the rollback.
    pub communication: Option<CommunicationView>,
    /// The change's owner, always notified (and the decider when `owner`
    /// is none).
    pub change_owner: TeamView,
}

/// The rollback checklist of the change (`changes/<slug>/rollback.html`),
/// its row that of `shared` (of the same change, linked from the change's
/// folder).
pub fn rollback_view<'a>(cx: &ChangeCtx, shared: &'a ChangeShared<'a>) -> RollbackView<'a> {
    let model = cx.model();
    let rollback = cx.change.rollback.as_ref();
    RollbackView {
        row: &shared.row,
        status: cx.status(),
        present: rollback.is_some(),
        triggers: rollback
            .map(|r| r.triggers.iter().map(|t| to_inline_html(t)).collect())
            .unwrap_or_default(),
        owner: rollback
            .and_then(|r| r.owner.as_ref())
            .map(|o| team(model, o.ix)),
        time: rollback
            .and_then(|r| r.time.as_ref())
            .map(|t| t.value.to_string()),
        point_of_no_return: rollback
            .and_then(|r| r.point_of_no_return.as_deref())
            .map(to_inline_html),
        steps: rollback
            .map(|r| r.steps.iter().map(|s| to_inline_html(s)).collect())
            .unwrap_or_default(),
        switch_back: rollback.and_then(|r| r.switch_back.as_deref()).map(to_html),
        backup: backup(cx.change),
        communication: communication(cx),
        change_owner: team(model, cx.change.owner.ix),
    }
}
