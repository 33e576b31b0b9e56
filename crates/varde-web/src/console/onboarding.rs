//! Onboarding in the console: the board of runs in progress (what is blocked and on whom,
//! what is overdue), a run's page with its steps and timeline, the actions people take on a
//! step (tick off, skip with a reason, retry, confirm a removal), starting an offboarding,
//! and the templates administrators edit. The customer's one-time link page is here too.

use askama::Template;
use axum::extract::{Form, Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use jiff::civil::Date;
use varde_app::AppError;
use varde_app::onboarding::{OrganizationRuns, RunDetails, StepChoice};
use varde_core::access::{Action, Resource, can};
use varde_core::catalogue::{Service, SupportTier};
use varde_core::form::FieldErrors;
use varde_core::ids::OrganizationId;
use varde_core::onboarding::{
    RunKind, RunStatus, StepAction, StepState, Template as RunTemplate, default_templates,
    next_automated, overdue, parse_steps, steps_text,
};
use varde_store::onboarding::{Run, Step};

use super::{FormMap, Nav, PageError, PageResult, app_err, checked, form_value, render};
use crate::api::authorize;
use crate::app::AppState;
use crate::auth::Caller;
use crate::error::ApiError;

fn today(state: &AppState) -> Date {
    state.now().to_zoned(varde_app::office_zone()).date()
}

fn local(t: jiff::Timestamp) -> String {
    super::when(&varde_app::office_zone(), t)
}

/// A step as the pages show it.
pub struct StepView {
    pub id: i64,
    pub title: String,
    pub action: &'static str,
    pub automated: bool,
    pub owner: String,
    pub due: String,
    pub state: &'static str,
    pub state_label: &'static str,
    pub required: bool,
    pub overdue: bool,
    pub reason: String,
    pub finished: String,
    /// What people may do with it now.
    pub can_complete: bool,
    pub can_skip: bool,
    pub can_retry: bool,
    pub can_confirm: bool,
    pub waiting_for_confirmation: bool,
}

fn step_view(run: &Run, s: &Step, today: Date, may_write: bool, may_delete: bool) -> StepView {
    let open = matches!(s.state, StepState::Pending | StepState::Failed);
    let confirm =
        s.action.needs_confirmation() && s.confirmed_by.is_none() && s.state == StepState::Pending;
    StepView {
        id: s.id,
        title: s.title.clone(),
        action: s.action.code(),
        automated: s.action.is_automated(),
        owner: s.owner.clone(),
        due: s.due_on.to_string(),
        state: s.state.code(),
        state_label: s.state.label(),
        required: s.required,
        overdue: overdue(&s.facts(), today),
        reason: s.reason.clone(),
        finished: match (&s.finished_at, &s.finished_by, &s.confirmed_by) {
            (Some(at), Some(by), _) => format!("{} by {by}", local(*at)),
            (None, _, Some(by)) => format!("confirmed by {by}"),
            _ => String::new(),
        },
        can_complete: may_write
            && run.status == RunStatus::Running
            && open
            && !s.action.is_automated(),
        can_skip: may_write
            && run.status == RunStatus::Running
            && open
            && !s.action.needs_confirmation(),
        can_retry: may_write
            && run.status == RunStatus::Running
            && s.state == StepState::Failed
            && s.action.is_automated(),
        can_confirm: may_delete && run.status == RunStatus::Running && confirm,
        waiting_for_confirmation: confirm,
    }
}

/// One run on the board or an organisation's page.
pub struct RunSummary {
    pub id: i64,
    pub organization: i64,
    pub organization_name: String,
    pub kind: &'static str,
    pub status: &'static str,
    pub started: String,
    pub done: usize,
    pub total: usize,
    /// Failed steps: (title, owner, reason).
    pub blocked: Vec<(String, String, String)>,
    /// Overdue steps: (title, owner, due).
    pub overdue: Vec<(String, String, String)>,
    /// The next thing: what is running or waiting.
    pub next: String,
}

pub fn summarize(run: &Run, today: Date) -> RunSummary {
    let facts = run.facts();
    let next = match next_automated(&facts, today) {
        Some(i) => format!("{} (Varde)", run.steps[i].title),
        None => run
            .steps
            .iter()
            .find(|s| {
                s.state == StepState::Pending
                    && (!s.action.is_automated() || s.action.needs_confirmation())
            })
            .map(|s| {
                if s.action.needs_confirmation() && s.confirmed_by.is_none() {
                    format!("{}: waiting for a confirmation", s.title)
                } else {
                    format!("{} ({})", s.title, s.owner)
                }
            })
            .unwrap_or_default(),
    };
    RunSummary {
        id: run.id,
        organization: run.organization.0,
        organization_name: run.organization_name.clone(),
        kind: run.kind.label(),
        status: run.status.label(),
        started: local(run.started_at),
        done: run.steps.iter().filter(|s| s.state.is_settled()).count(),
        total: run.steps.len(),
        blocked: run
            .steps
            .iter()
            .filter(|s| s.state == StepState::Failed)
            .map(|s| {
                // A failed automated step waits on whoever started the run (who signed the
                // contract) to retry or skip it.
                let owner = if s.action.is_automated() {
                    run.started_by.clone()
                } else {
                    s.owner.clone()
                };
                (s.title.clone(), owner, s.reason.clone())
            })
            .collect(),
        // Automated steps behind a failed one wait for it: it is listed as blocked, they
        // are not listed again.
        overdue: run
            .steps
            .iter()
            .filter(|s| overdue(&s.facts(), today))
            .filter(|s| {
                !s.action.is_automated()
                    || s.state == StepState::Failed
                    || !run.steps.iter().any(|f| {
                        f.action.is_automated()
                            && f.state == StepState::Failed
                            && f.position < s.position
                    })
            })
            .map(|s| (s.title.clone(), s.owner.clone(), s.due_on.to_string()))
            .collect(),
        next,
    }
}

#[derive(Template)]
#[template(path = "onboarding_board.html")]
struct BoardPage {
    nav: Nav,
    runs: Vec<RunSummary>,
    blocked: usize,
    overdue: usize,
    can_edit_templates: bool,
}

/// Every run in progress.
pub async fn board(State(state): State<AppState>, caller: Caller) -> PageResult {
    let today = today(&state);
    let runs: Vec<RunSummary> = state
        .app
        .onboarding_board(&caller.actor)
        .await
        .map_err(app_err(&caller))?
        .iter()
        .map(|r| summarize(r, today))
        .collect();
    Ok(render(&BoardPage {
        nav: Nav::of(&caller),
        blocked: runs.iter().filter(|r| !r.blocked.is_empty()).count(),
        overdue: runs.iter().filter(|r| !r.overdue.is_empty()).count(),
        runs,
        can_edit_templates: can(&caller.actor, Action::Write, &Resource::OnboardingTemplates),
    }))
}

#[derive(Template)]
#[template(path = "onboarding_run.html")]
struct RunPage {
    nav: Nav,
    run: RunSummary,
    contract: String,
    steps: Vec<StepView>,
    events: Vec<(String, String, String)>,
    notice: String,
}

fn run_page(state: &AppState, caller: &Caller, details: RunDetails, notice: String) -> Response {
    let today = today(state);
    let RunDetails {
        run,
        contract,
        events,
    } = details;
    let may_write = can(
        &caller.actor,
        Action::Write,
        &Resource::Onboarding(run.organization),
    );
    let may_delete = can(
        &caller.actor,
        Action::Delete,
        &Resource::Onboarding(run.organization),
    );
    let events = events
        .into_iter()
        .map(|e| {
            let step = e
                .step
                .and_then(|id| run.step(id))
                .map(|s| format!("{}: ", s.title))
                .unwrap_or_default();
            (local(e.at), e.actor, format!("{step}{}", e.message))
        })
        .collect();
    render(&RunPage {
        nav: Nav::of(caller),
        steps: run
            .steps
            .iter()
            .map(|s| step_view(&run, s, today, may_write, may_delete))
            .collect(),
        run: summarize(&run, today),
        contract: contract.unwrap_or_default(),
        events,
        notice,
    })
}

pub async fn show_run(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> PageResult {
    let details = state
        .app
        .onboarding_run(&caller.actor, id, Action::Read)
        .await
        .map_err(app_err(&caller))?;
    Ok(run_page(&state, &caller, details, String::new()))
}

/// A person acts on a step: `complete`, `skip` (with a reason), `retry` or `confirm` (a
/// removal, by typing the organisation's name).
pub async fn act(
    State(state): State<AppState>,
    caller: Caller,
    Path((run_id, step_id, act)): Path<(i64, i64, String)>,
    Form(form): Form<FormMap>,
) -> PageResult {
    checked(&caller, &form)?;
    let choice = match act.as_str() {
        "complete" => StepChoice::Complete,
        "retry" => StepChoice::Retry,
        "skip" => StepChoice::Skip(form_value(&form, "reason")),
        "confirm" => StepChoice::Confirm {
            typed_name: form_value(&form, "confirmation"),
        },
        _ => return Err(PageError::new(ApiError::not_found(), &caller)),
    };
    match state
        .app
        .act_on_step(&caller.acting(), run_id, step_id, &choice)
        .await
    {
        Ok(()) => Ok(Redirect::to(&format!("/console/onboarding/runs/{run_id}")).into_response()),
        Err(AppError::Refused(why)) => {
            let details = state
                .app
                .onboarding_run(&caller.actor, run_id, Action::Read)
                .await
                .map_err(app_err(&caller))?;
            let page = run_page(&state, &caller, details, why);
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(app_err(&caller)(e)),
    }
}

/// What an organisation's page shows of its runs and its timeline.
pub struct OrganizationOnboarding {
    pub runs: Vec<RunSummary>,
    /// (when, what), oldest first: contracts signed, steps done, the first tickets.
    pub timeline: Vec<(String, String)>,
    /// Contracts that can start an offboarding: (id, reference).
    pub can_offboard: Vec<(i64, String)>,
}

pub async fn of_organization(
    state: &AppState,
    caller: &Caller,
    org: OrganizationId,
) -> Result<OrganizationOnboarding, AppError> {
    let Some(OrganizationRuns {
        runs,
        contracts,
        first_tickets,
    }) = state.app.organization_runs(&caller.actor, org).await?
    else {
        return Ok(OrganizationOnboarding {
            runs: vec![],
            timeline: vec![],
            can_offboard: vec![],
        });
    };
    let today = today(state);
    let mut timeline: Vec<(String, String)> = Vec::new();
    for c in &contracts {
        if let Some(d) = c.details.signed_on {
            timeline.push((
                d.to_string(),
                format!("Contract {} signed", c.details.reference),
            ));
        }
    }
    for r in &runs {
        timeline.push((local(r.started_at), format!("{} started", r.kind.label())));
        for s in r.steps.iter().filter(|s| s.state.is_settled()) {
            if let Some(at) = s.finished_at {
                timeline.push((
                    local(at),
                    format!("{}: {}", s.title, s.state.label().to_lowercase()),
                ));
            }
        }
        if let Some(at) = r.finished_at {
            timeline.push((local(at), format!("{} complete", r.kind.label())));
        }
    }
    for t in first_tickets {
        timeline.push((
            local(t.created),
            format!("Ticket #{}: {}", t.id.0, t.subject),
        ));
    }
    timeline.sort();
    let may_offboard = can(&caller.actor, Action::Delete, &Resource::Onboarding(org));
    let can_offboard = contracts
        .iter()
        .filter(|c| may_offboard && c.details.signed_on.is_some())
        .filter(|c| {
            !runs
                .iter()
                .any(|r| r.kind == RunKind::Offboarding && r.contract == Some(c.id))
        })
        .map(|c| (c.id.0, c.details.reference.clone()))
        .collect();
    Ok(OrganizationOnboarding {
        runs: runs.iter().map(|r| summarize(r, today)).collect(),
        timeline,
        can_offboard,
    })
}

struct TemplateView {
    id: i64,
    name: String,
    tiers: String,
    services: String,
    steps: String,
    updated: String,
    error: String,
}

#[derive(Template)]
#[template(path = "onboarding_templates.html")]
struct TemplatesPage {
    nav: Nav,
    admin: bool,
    templates: Vec<TemplateView>,
    tiers: String,
    services: String,
    actions: Vec<(&'static str, &'static str)>,
}

async fn templates_page(
    state: &AppState,
    caller: &Caller,
    edited: Option<TemplateView>,
) -> PageResult {
    let stored = state
        .store
        .onboarding_templates(&default_templates())
        .await
        .map_err(|e| PageError::new(e.into(), caller))?;
    let mut templates: Vec<TemplateView> = stored
        .into_iter()
        .map(|t| TemplateView {
            id: t.id,
            name: t.template.name.clone(),
            tiers: t
                .template
                .tiers
                .iter()
                .map(|x| x.code())
                .collect::<Vec<_>>()
                .join(" "),
            services: t
                .template
                .services
                .iter()
                .map(|x| x.code())
                .collect::<Vec<_>>()
                .join(" "),
            steps: steps_text(&t.template.steps),
            updated: if t.updated_by == "varde" {
                "as shipped".into()
            } else {
                format!("{} by {}", local(t.updated_at), t.updated_by)
            },
            error: String::new(),
        })
        .collect();
    let new = TemplateView {
        id: 0,
        name: String::new(),
        tiers: String::new(),
        services: String::new(),
        steps: String::new(),
        updated: String::new(),
        error: String::new(),
    };
    match edited {
        Some(e) => match templates.iter_mut().find(|t| t.id == e.id && e.id != 0) {
            Some(t) => *t = e,
            None => templates.push(e),
        },
        None => templates.push(new),
    }
    Ok(render(&TemplatesPage {
        nav: Nav::of(caller),
        admin: can(&caller.actor, Action::Write, &Resource::OnboardingTemplates),
        templates,
        tiers: SupportTier::ALL
            .iter()
            .map(|t| t.code())
            .collect::<Vec<_>>()
            .join(", "),
        services: Service::ALL
            .iter()
            .map(|t| t.code())
            .collect::<Vec<_>>()
            .join(", "),
        actions: StepAction::ALL
            .iter()
            .map(|a| (a.code(), a.label()))
            .collect(),
    }))
}

pub async fn templates(State(state): State<AppState>, caller: Caller) -> PageResult {
    authorize(&caller, Action::Read, Resource::OnboardingTemplates)
        .map_err(|e| PageError::new(e, &caller))?;
    templates_page(&state, &caller, None).await
}

/// Saves a template (id 0 adds one).
pub async fn save_template(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Form(form): Form<FormMap>,
) -> PageResult {
    checked(&caller, &form)?;
    authorize(&caller, Action::Write, Resource::OnboardingTemplates)
        .map_err(|e| PageError::new(e, &caller))?;
    let mut view = TemplateView {
        id,
        name: form_value(&form, "name").trim().to_string(),
        tiers: form_value(&form, "tiers"),
        services: form_value(&form, "services"),
        steps: form_value(&form, "steps"),
        updated: String::new(),
        error: String::new(),
    };
    let mut errors = FieldErrors::new();
    if view.name.is_empty() {
        errors.add("name", "a template needs a name");
    }
    let tiers = view
        .tiers
        .split([' ', ','])
        .filter(|s| !s.is_empty())
        .map(SupportTier::parse)
        .collect::<Result<Vec<_>, _>>();
    let services = view
        .services
        .split([' ', ','])
        .filter(|s| !s.is_empty())
        .map(Service::parse)
        .collect::<Result<Vec<_>, _>>();
    let tiers = errors.take("tiers", tiers.map_err(|e| e.0));
    let services = errors.take("services", services.map_err(|e| e.0));
    let steps = errors.take(
        "steps",
        parse_steps(&view.steps).map_err(|e| e.get("steps").unwrap_or_default().to_string()),
    );
    if let (true, Some(tiers), Some(services), Some(steps)) =
        (errors.is_empty(), tiers, services, steps)
    {
        let template = RunTemplate {
            name: view.name.clone(),
            tiers,
            services,
            steps,
        };
        match state
            .store
            .save_onboarding_template(
                (id != 0).then_some(id),
                &template,
                &caller.audit_name(),
                state.now(),
            )
            .await
        {
            Ok(_) => return Ok(Redirect::to("/console/onboarding/templates").into_response()),
            Err(varde_store::StoreError::Conflict(f)) => errors = f,
            Err(e) => return Err(PageError::new(e.into(), &caller)),
        }
    }
    view.error = errors
        .iter()
        .map(|(f, m)| format!("{f}: {m}"))
        .collect::<Vec<_>>()
        .join("\n");
    let page = templates_page(&state, &caller, Some(view)).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

#[derive(Template)]
#[template(path = "welcome.html")]
struct WelcomePage {
    lang: &'static str,
    w: [&'static str; 6],
    open: bool,
    revealed: Vec<(String, String, String)>,
    token: String,
}

fn private(page: Response) -> Response {
    let mut page = page;
    let h = page.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert("x-robots-tag", HeaderValue::from_static("noindex"));
    page
}

/// The link's contact's language (English for a link that never was).
async fn link_language(state: &AppState, digest: &str) -> (varde_core::values::Language, bool) {
    let link = state
        .store
        .secret_link(digest, state.now())
        .await
        .ok()
        .flatten();
    let language = match link {
        Some((contact, _)) => state
            .store
            .contact(contact)
            .await
            .ok()
            .flatten()
            .map(|c| c.details.language)
            .unwrap_or(varde_core::values::Language::English),
        None => varde_core::values::Language::English,
    };
    (language, link.is_some_and(|(_, open)| open))
}

fn welcome_page(
    language: varde_core::values::Language,
    open: bool,
    revealed: Vec<(String, String, String)>,
    token: String,
) -> WelcomePage {
    WelcomePage {
        lang: language.code(),
        w: varde_core::onboarding::link_page_words(language),
        open,
        revealed,
        token,
    }
}

/// The customer's one-time link: a page with a button, so a link scanner that follows it
/// reveals nothing. In the contact's language.
pub async fn welcome(State(state): State<AppState>, Path(token): Path<String>) -> Response {
    let digest = varde_notify::vault::token_digest(&token);
    let (language, open) = link_language(&state, &digest).await;
    let status = if open {
        StatusCode::OK
    } else {
        StatusCode::GONE
    };
    private((status, render(&welcome_page(language, open, vec![], token))).into_response())
}

/// Shows the secrets once, and wipes them.
pub async fn reveal(State(state): State<AppState>, Path(token): Path<String>) -> Response {
    let digest = varde_notify::vault::token_digest(&token);
    let (language, _) = link_language(&state, &digest).await;
    let secrets = match state.store.reveal_secrets(&digest, state.now()).await {
        Ok(Some(s)) => s,
        Ok(None) => {
            let page = render(&welcome_page(language, false, vec![], String::new()));
            return private((StatusCode::GONE, page).into_response());
        }
        Err(e) => return crate::error::ApiError::from(e).into_response(),
    };
    let revealed = secrets
        .iter()
        .map(|s| {
            let (what, public_name) = match s.label.as_str() {
                "keystone_password" => ("OpenStack (Keystone) user name / password", "User name"),
                "application_credential" => ("Application credential", "ID"),
                "ec2" => ("S3 (EC2) access key / secret key", "Access key"),
                other => (other, "Name"),
            };
            let secret = state
                .vault
                .open(&s.sealed)
                .unwrap_or_else(|| "(cannot be opened: ask support for a new one)".into());
            (
                what.to_string(),
                format!("{public_name}: {}", s.public_part),
                secret,
            )
        })
        .collect();
    private(render(&welcome_page(
        language,
        false,
        revealed,
        String::new(),
    )))
}
