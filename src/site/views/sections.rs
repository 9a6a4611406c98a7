//! Render stage: sections several pages of a change share: the team to
//! call, the backup, the communication plan (runbook, rollback checklist,
//! announcements) and past incidents (runbook, system pages).

use serde::Serialize;

use super::{AudienceView, ChangeCtx, LIST_LIMIT, code_spans};
use crate::model::{Backup, Change, Model};
use crate::site::markdown::{to_html, to_inline_html};

#[derive(Serialize)]
pub struct TeamView {
    pub id: String,
    pub name: String,
    pub email: Option<String>,
    pub chat: Option<String>,
    pub oncall: Option<String>,
}

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

#[derive(Serialize)]
pub struct IncidentView {
    pub id: String,
    pub date: String,
    pub systems: Vec<String>,
    pub summary: String,
    pub lesson: Option<String>,
}

pub fn incident_view(i: &crate::model::Incident) -> IncidentView {
    IncidentView {
        id: i.id.value.clone(),
        date: i.date.value.to_string(),
        systems: i.systems.iter().map(|s| s.id.value.clone()).collect(),
        summary: i.summary.clone(),
        lesson: i.lesson.as_deref().map(to_html),
    }
}

#[derive(Serialize)]
pub struct BackupView {
    pub none: Option<String>,
    /// Method, scope and location: escaped HTML with `names` as code.
    pub method: Option<String>,
    pub scope: Option<String>,
    pub location: Option<String>,
    pub restore_time: Option<String>,
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

#[derive(Serialize)]
pub struct CommunicationView {
    /// The first [`LIST_LIMIT`] audiences to tell, and how many more.
    pub audiences: Vec<AudienceView>,
    pub more_audiences: usize,
    pub channels: Vec<String>,
    pub contact: Option<String>,
    pub guidelines: Option<String>,
}

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
