//! Render stage: the rollback checklist of a change
//! (`changes/<slug>/rollback.html`).

use serde::Serialize;

use super::{
    BackupView, ChangeCtx, ChangeRow, CommunicationView, TeamView, communication, sections::backup,
    team,
};
use crate::site::markdown::{to_html, to_inline_html};
use crate::site::status::StatusNotice;

/// The rollback checklist of a change.
#[derive(Serialize)]
pub struct RollbackView {
    pub row: ChangeRow,
    pub status: StatusNotice,
    pub present: bool,
    pub triggers: Vec<String>,
    pub owner: Option<TeamView>,
    pub time: Option<String>,
    pub point_of_no_return: Option<String>,
    pub steps: Vec<String>,
    pub switch_back: Option<String>,
    pub backup: Option<BackupView>,
    pub communication: Option<CommunicationView>,
    pub change_owner: TeamView,
}

pub fn rollback_view(cx: &ChangeCtx, root: &str) -> RollbackView {
    let model = cx.model();
    let rollback = cx.change.rollback.as_ref();
    RollbackView {
        row: cx.row(root),
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
