//! The CRM part of a rule: what to create in amoCRM for a matched mail.
//!
//! The rules module only parses and validates these values (with their
//! locations); `crm` resolves names to ids and reports unknown names at the
//! stored `Loc`, so an admin sees `path:line:col` for a misspelt stage.

use serde::{Deserialize, Serialize};

use crate::diag::Located;

/// A pipeline, status, user, field or loss reason, written by name or id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum NameOrId {
    Name(String),
    Id(i64),
}

/// How the lead enters amoCRM.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum CreateMode {
    /// `POST /api/v4/leads/unsorted/forms`: «Неразобранное» (the default).
    #[default]
    Unsorted,
    /// `POST /api/v4/leads/complex`: straight into a pipeline stage.
    Complex,
}

/// A custom field to fill: field (by name or id) and a `{placeholder}` template.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldSpec {
    pub field: Located<NameOrId>,
    pub template: Located<String>,
}

/// The `[crm]` table of a rule. Everything is optional: shipped rules name
/// nothing account-specific (pipelines, users and fields differ per account).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct CrmSpec {
    pub create: CreateMode,
    /// Lead name template, e.g. "Заявка на замер: {name} {phone}".
    pub lead_name: Option<Located<String>>,
    /// Tag templates.
    pub tags: Vec<Located<String>>,
    pub pipeline: Option<Located<NameOrId>>,
    pub status: Option<Located<NameOrId>>,
    /// One user, or several for round-robin.
    pub responsible: Vec<Located<NameOrId>>,
    pub lead_fields: Vec<FieldSpec>,
    pub contact_fields: Vec<FieldSpec>,
    /// Loss reason for `trash` leads.
    pub loss_reason: Option<Located<NameOrId>>,
    /// Per-rule SLA override in seconds (`sla = "15m"`).
    pub sla_secs: Option<u64>,
    /// Task text override (default «Перезвонить клиенту»).
    pub task_text: Option<String>,
}
