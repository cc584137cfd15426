//! Rule names → amoCRM ids. A name amoCRM doesn't have is a diagnostic at
//! the place the admin wrote it, with the nearest existing name:
//! `rules/tilda.toml:12:10: unknown status «Замерр» in pipeline «Продажи»; did you mean «Замер»?`

use crate::diag::{Diagnostic, Diagnostics, Located};
use crate::rules::RuleSet;
use crate::rules::crm_spec::{CrmSpec, NameOrId};

use super::catalog::Catalog;

pub use crate::diag::{edit_distance, nearest};

fn show(n: &NameOrId) -> String {
    match n {
        NameOrId::Name(s) => format!("«{s}»"),
        NameOrId::Id(id) => format!("id {id}"),
    }
}

fn unknown<'a>(
    out: &mut Diagnostics,
    what: &str,
    at: &Located<NameOrId>,
    context: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) {
    let mut msg = format!("unknown {what} {}{context}", show(&at.value));
    match &at.value {
        NameOrId::Name(s) => match nearest(s, candidates) {
            Some(c) => msg.push_str(&format!("; did you mean «{c}»?")),
            None => msg.push_str("; `amo-intake crm` lists what exists"),
        },
        NameOrId::Id(_) => msg.push_str("; `amo-intake crm` lists what exists"),
    }
    out.push(Diagnostic::new(at.loc.clone(), msg));
}

/// Checks every name in one rule's CRM part against the account.
pub fn validate_spec(spec: &CrmSpec, catalog: &Catalog) -> Diagnostics {
    let mut out = Diagnostics::default();
    let pipeline = match &spec.pipeline {
        Some(p) => match catalog.pipeline(&p.value) {
            Some(found) => Some(found),
            None => {
                unknown(
                    &mut out,
                    "pipeline",
                    p,
                    "",
                    catalog.pipelines.iter().map(|p| p.name.as_str()),
                );
                None
            }
        },
        None => catalog.main_pipeline(),
    };
    if let (Some(st), Some(p)) = (&spec.status, pipeline)
        && p.status(&st.value).is_none()
    {
        let ctx = format!(" in pipeline «{}»", p.name);
        unknown(
            &mut out,
            "status",
            st,
            &ctx,
            p.statuses.iter().map(|s| s.name.as_str()),
        );
    }
    if let (Some(_), None) = (&spec.pipeline, pipeline) {
        // Status cannot be checked without its pipeline; the pipeline error says why.
    }
    for u in &spec.responsible {
        if catalog.user(&u.value).is_none() {
            unknown(
                &mut out,
                "user",
                u,
                "",
                catalog.users.iter().map(|u| u.name.as_str()),
            );
        }
    }
    if let Some(r) = &spec.loss_reason
        && catalog.loss_reason(&r.value).is_none()
    {
        unknown(
            &mut out,
            "loss reason",
            r,
            "",
            catalog.loss_reasons.iter().map(|u| u.name.as_str()),
        );
    }
    for f in &spec.lead_fields {
        if catalog.lead_field(&f.field.value).is_none() {
            unknown(
                &mut out,
                "lead field",
                &f.field,
                "",
                catalog.lead_fields.iter().map(|f| f.name.as_str()),
            );
        }
    }
    for f in &spec.contact_fields {
        if catalog.contact_field(&f.field.value).is_none() {
            unknown(
                &mut out,
                "contact field",
                &f.field,
                "",
                catalog.contact_fields.iter().map(|f| f.name.as_str()),
            );
        }
    }
    out
}

/// Checks every rule of a rule set; all problems at once, sorted.
pub fn validate(rules: &RuleSet, catalog: &Catalog) -> Diagnostics {
    validate_specs(rules.rules().iter().map(|r| &r.crm), catalog)
}

pub fn validate_specs<'a>(
    specs: impl IntoIterator<Item = &'a CrmSpec>,
    catalog: &Catalog,
) -> Diagnostics {
    let mut out = Diagnostics::default();
    for s in specs {
        out.extend(validate_spec(s, catalog));
    }
    out.sorted()
}

/// Checks the `[amocrm]` names of the config (responsible user, request-id
/// field) and returns problems as plain messages (the config has no
/// per-value locations after deserialisation).
pub fn validate_config(cfg: &crate::config::AmoCrmConfig, catalog: &Catalog) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(r) = &cfg.responsible {
        let n = match r {
            toml::Value::Integer(i) => Some(NameOrId::Id(*i)),
            toml::Value::String(s) => Some(NameOrId::Name(s.clone())),
            _ => None,
        };
        match n {
            Some(n) if catalog.user(&n).is_some() => {}
            Some(n) => {
                let hint = match &n {
                    NameOrId::Name(s) => nearest(s, catalog.users.iter().map(|u| u.name.as_str()))
                        .map(|c| format!("; did you mean «{c}»?"))
                        .unwrap_or_default(),
                    NameOrId::Id(_) => String::new(),
                };
                out.push(format!(
                    "[amocrm] responsible: unknown user {}{hint}",
                    show(&n)
                ));
            }
            None => out.push("[amocrm] responsible must be a user name or id".into()),
        }
    }
    if let Some(f) = &cfg.request_id_field
        && catalog.lead_field(&NameOrId::Name(f.clone())).is_none()
    {
        out.push(format!(
            "[amocrm] request_id_field: the account has no lead field «{f}»; create a text field with that name"
        ));
    }
    out
}

/// `check` with an `[amocrm]` section: loads the account's catalog with
/// read-only calls and checks every name of the rules and of the config.
/// Config problems point at the key's line in `config_text`. Nothing is
/// written: the state file is only read (OAuth tokens, opened read-only),
/// never created or migrated, and an expiring OAuth token is not refreshed
/// (that is the daemon's job). `Err` when amoCRM cannot be asked (the
/// caller warns, names unchecked). The catalog comes back too, so the
/// caller can check the names other modules own (`sla`) against it.
pub async fn check_against_account(
    config: &crate::config::Config,
    config_path: &std::path::Path,
    config_text: &str,
    rules: &RuleSet,
) -> Result<(Diagnostics, Option<Catalog>), super::CrmError> {
    let Some(amo) = &config.amocrm else {
        return Ok((Diagnostics::default(), None));
    };
    let catalog = if amo.dry_run {
        Catalog::builtin()
    } else {
        Catalog::load(&read_only_client(config, amo)?).await?
    };
    let mut out = validate(rules, &catalog);
    for msg in validate_config(amo, &catalog) {
        let key = if msg.contains("request_id_field") {
            "request_id_field"
        } else {
            "responsible"
        };
        let offset = config_text
            .find(&format!("\n{key}"))
            .map(|o| o + 1)
            .or_else(|| config_text.find(key))
            .unwrap_or(0);
        out.push(Diagnostic::new(
            crate::diag::Loc::from_offset(config_path, config_text, offset),
            msg,
        ));
    }
    Ok((out.sorted(), Some(catalog)))
}

/// A client for `check`: the long-lived token from its file, or the OAuth
/// access token as stored by the daemon, used as it is; no journal, so it
/// can neither refresh nor store anything.
fn read_only_client(
    config: &crate::config::Config,
    amo: &crate::config::AmoCrmConfig,
) -> Result<super::Client, super::CrmError> {
    use super::client::{AuthConfig, ClientOptions};
    use super::{Client, CrmError};
    let base = ClientOptions::base_url_from(amo)?;
    let token = match &amo.client_id {
        Some(_) => {
            let t = crate::journal::Journal::peek_tokens(&config.state.path)?.ok_or_else(|| {
                CrmError::Config(
                    "no OAuth tokens in the state file yet; run `amo-intake auth --config … --code …`"
                        .into(),
                )
            })?;
            if t.expires_at <= jiff::Timestamp::now().as_second() {
                return Err(CrmError::Config(
                    "the stored OAuth access token has expired; the running daemon refreshes it (check does not write the state file)"
                        .into(),
                ));
            }
            t.access_token
        }
        None => crate::config::read_secret(
            amo.token_file.as_deref(),
            "token_file",
            "amocrm-token",
            "amoCRM long-lived token",
        )
        .map_err(|e| CrmError::Config(e.to_string()))?,
    };
    let limiter = std::sync::Arc::new(super::RateLimiter::new(amo.rate_limit.unwrap_or(6.0)));
    Ok(Client::new(ClientOptions::new(
        &base,
        AuthConfig::LongLived(token),
        limiter,
    ))?
    .with_retries(0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::Loc;

    #[test]
    fn distance() {
        assert_eq!(edit_distance("замер", "замерр"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(nearest("Замерр", ["Думает", "Замер"]), Some("Замер"));
        assert_eq!(nearest("совсем другое", ["Думает", "Замер"]), None);
    }

    #[test]
    fn unknown_status_points_at_its_place() {
        let cat = Catalog::builtin();
        let spec = CrmSpec {
            pipeline: Some(Located::new(
                NameOrId::Name("Воронка".into()),
                Loc::new("rules/t.toml", 3, 12),
            )),
            status: Some(Located::new(
                NameOrId::Name("Замерр".into()),
                Loc::new("rules/t.toml", 4, 10),
            )),
            responsible: vec![Located::new(
                NameOrId::Name("Менеджр".into()),
                Loc::new("rules/t.toml", 5, 16),
            )],
            ..CrmSpec::default()
        };
        let d = validate_specs([&spec], &cat).to_string();
        assert_eq!(
            d,
            "rules/t.toml:4:10: unknown status «Замерр» in pipeline «Воронка»; did you mean «Замер»?\n\
             rules/t.toml:5:16: unknown user «Менеджр»; did you mean «Менеджер»?\n"
        );
    }
}
