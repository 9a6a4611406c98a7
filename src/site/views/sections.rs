//! Render stage: sections several pages of a change share: the team to
//! call, the backup, the communication plan (runbook, rollback checklist,
//! announcements) and past incidents (runbook, system pages).

use serde::Serialize;

use super::{AudienceView, ChangeCtx, LIST_LIMIT, code_spans};
use crate::model::{Backup, Change, Model};
use crate::site::markdown::{to_html, to_inline_html};

/// A team to reach during a change: the owner in the runbook's head, the
/// rollback owner on the checklist, the contact of an announcement.
#[derive(Serialize)]
pub struct TeamView {
    /// Its inventory id.
    pub id: String,
    /// Its display name.
    pub name: String,
    /// Its e-mail address, as written.
    pub email: Option<String>,
    /// Its chat channel, as written.
    pub chat: Option<String>,
    /// How to reach whoever is on call, as written.
    pub oncall: Option<String>,
}

/// The team at index `ix` of the model.
pub fn team(model: &Model, ix: usize) -> TeamView {
    let team = &model.teams[ix];
    TeamView {
        id: team.id.value.clone(),
        name: team.name.clone(),
        email: team.email.clone(),
        chat: team.chat.clone(),
        oncall: team.oncall.clone(),
    }
}

/// A past incident, under "Known risks and past incidents" of a runbook
/// and on the pages of the systems it hit.
#[derive(Serialize)]
pub struct IncidentView {
    /// Its inventory id.
    pub id: String,
    /// The day it happened: `2026-03-14`.
    pub date: String,
    /// The ids of the systems it hit.
    pub systems: Vec<String>,
    /// What happened, plain text.
    pub summary: String,
    /// What was learnt, as sanitized HTML.
    pub lesson: Option<String>,
}

/// The incident `i` as pages list it.
pub fn incident_view(i: &crate::model::Incident) -> IncidentView {
    IncidentView {
        id: i.id.value.clone(),
        date: i.date.value.to_string(),
        systems: i.systems.iter().map(|s| s.id.value.clone()).collect(),
        summary: i.summary.clone(),
        lesson: i.lesson.as_deref().map(to_html),
    }
}

/// The backup before a change, as the runbook's checklist and the
/// rollback checklist give it: either why there is none, or how it is
/// taken and restored.
#[derive(Serialize)]
pub struct BackupView {
    /// Why no backup is taken (`none = "reason"` in the `backup` table), as
    /// sanitized inline HTML; the other fields are then empty.
    pub none: Option<String>,
    /// Method, scope and location: escaped HTML with `names` as code.
    pub method: Option<String>,
    /// What the backup holds; see `method`.
    pub scope: Option<String>,
    /// Where it is kept; see `method`.
    pub location: Option<String>,
    /// How long restoring it takes, written back: "30m".
    pub restore_time: Option<String>,
    /// The day a restore was last tested; none is shown as "never".
    pub restore_tested: Option<String>,
}

pub(super) fn backup(change: &Change) -> Option<BackupView> {
    Some(match change.backup.as_ref()? {
        Backup::None { reason, .. } => BackupView {
            none: Some(to_inline_html(&reason.value)),
            method: None,
            scope: None,
            location: None,
            restore_time: None,
            restore_tested: None,
        },
        Backup::Plan {
            method,
            scope,
            location,
            restore_time,
            restore_tested,
            ..
        } => BackupView {
            none: None,
            method: method.as_deref().map(code_spans),
            scope: scope.as_deref().map(code_spans),
            location: location.as_deref().map(code_spans),
            restore_time: restore_time.as_ref().map(|d| d.value.to_string()),
            restore_tested: restore_tested.as_ref().map(|d| d.value.to_string()),
        },
    })
}

/// Who is told about a change, how and by whom: the communication
/// checklist at the end of the runbook and on the rollback checklist.
#[derive(Serialize)]
pub struct CommunicationView {
    /// The first [`LIST_LIMIT`] audiences to tell, and how many more.
    pub audiences: Vec<AudienceView>,
    /// Audiences to tell past those in `audiences`.
    pub more_audiences: usize,
    /// The channels announcements go out on: mail, chat, intranet.
    pub channels: Vec<String>,
    /// Whom users contact with questions, as written.
    pub contact: Option<String>,
    /// New guidelines for users afterwards, as sanitized HTML.
    pub guidelines: Option<String>,
}

/// The change's communication plan, when it has one.
pub fn communication(cx: &ChangeCtx) -> Option<CommunicationView> {
    let c = cx.change.communication.as_ref()?;
    let model = cx.model();
    Some(CommunicationView {
        more_audiences: c.audiences.len().saturating_sub(LIST_LIMIT),
        audiences: c
            .audiences
            .iter()
            .take(LIST_LIMIT)
            .map(|a| {
                let audience = &model.audiences[a.ix];
                AudienceView {
                    id: audience.id.value.clone(),
                    name: audience.name.clone(),
                    criticality: audience.criticality.value,
                    contact: audience.contact.clone(),
                    notified: true,
                }
            })
            .collect(),
        channels: c.channels.clone(),
        contact: c.contact.clone(),
        guidelines: c.guidelines.as_deref().map(to_html),
    })
}
