//! Console pages for the ticket queues: views (new, open, mine, unowned …), search
//! (TicketSQL, a ticket number or plain words), paging, sorting and saved searches.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Form, Query, State};
use axum::response::{IntoResponse, Redirect};
use varde_app::sla::SlaList;
use varde_core::access::visibility;
use varde_store::ticket_search::SearchRequest;

use super::tickets::staff;
use super::{FormMap, Nav, PageError, PageResult, checked, form_value, render};
use crate::app::AppState;
use crate::auth::Caller;
use crate::error::ApiError;

const PAGE: i64 = 50;

/// The TicketSQL a search box means: a number is a ticket, TicketSQL is itself, and anything
/// else is words to find in subjects and messages.
pub fn search_query(input: &str) -> String {
    let s = input.trim();
    if s.is_empty() {
        return String::new();
    }
    if s.trim_start_matches('#')
        .chars()
        .all(|c| c.is_ascii_digit())
    {
        return format!("id = {}", s.trim_start_matches('#'));
    }
    if varde_rt::ticketsql::parse(s).is_ok() {
        return s.to_string();
    }
    words_query(s)
}

/// TicketSQL that finds words in subjects and messages.
fn words_query(s: &str) -> String {
    let quoted = s.replace('\\', "\\\\").replace('\'', "\\'");
    format!("Subject LIKE '{quoted}' OR Content LIKE '{quoted}'")
}

/// What the search box understood, said to the agent, and the other reading when there is
/// one: a number is a ticket (or the words), and what is not TicketSQL but looks like it is
/// searched for as words, saying why it was not read as TicketSQL.
fn reading(input: &str) -> (String, Option<(String, String)>) {
    let s = input.trim();
    if s.is_empty() {
        return (String::new(), None);
    }
    let number = s.trim_start_matches('#');
    if number.chars().all(|c| c.is_ascii_digit()) {
        return (
            format!("Read as ticket {number}."),
            Some((
                format!("Search for the words \"{s}\" instead"),
                words_query(s),
            )),
        );
    }
    match varde_rt::ticketsql::parse(s) {
        Ok(_) => (String::new(), None),
        Err(e) if s.contains(['=', '<', '>']) || s.to_ascii_uppercase().contains(" LIKE ") => (
            format!("This is not TicketSQL ({e}), so it was searched for as words."),
            None,
        ),
        Err(_) => (String::new(), None),
    }
}

fn view_query(view: &str, me: &str) -> (String, &'static str) {
    match view {
        "new" => ("Status = 'new'".into(), "New"),
        "open" => ("Status = 'open'".into(), "Open"),
        "mine" => (format!("Owner = '{me}' AND Status = '__Active__'"), "Mine"),
        "unowned" => (
            "Owner = 'Nobody' AND Status = '__Active__'".into(),
            "Unowned",
        ),
        "stalled" => ("Status = 'stalled'".into(), "Stalled"),
        // The SLA views read the active tickets' clocks (see `SlaView`).
        "soon" => ("Status = '__Active__'".into(), "Breaching soon"),
        "breached" => ("Status = '__Active__'".into(), "Breached"),
        _ => ("Status = '__Active__'".into(), "All active"),
    }
}

/// A ticket's SLA as a list shows it: (due, time left or overdue, breached).
fn sla_cells(
    t: &varde_core::ticket::Ticket,
    sla: Option<&varde_app::sla::TicketSla>,
) -> (Option<jiff::Timestamp>, Option<jiff::SignedDuration>, bool) {
    let clock = sla
        .and_then(|s| s.clock.as_ref())
        .filter(|c| c.ended.is_none());
    let due = varde_app::sla::due(t, sla);
    let breached = clock.is_some_and(|c| c.breached());
    let left = clock
        .and_then(|c| c.open_targets().min_by_key(|x| x.due))
        .map(|x| x.left);
    (due, left, breached)
}

fn fmt_left(d: jiff::SignedDuration, breached: bool) -> String {
    let m = d.as_mins().abs();
    let hm = format!("{}h {:02}m", m / 60, m % 60);
    if breached || d.is_negative() {
        format!("overdue {hm}")
    } else {
        format!("{hm} left")
    }
}

pub struct TicketRow {
    pub id: i64,
    pub subject: String,
    pub status: String,
    pub priority: i64,
    pub due: String,
    pub left: String,
    pub breached: bool,
    pub queue: String,
    pub owner: String,
    pub requestors: String,
    pub organization: String,
    pub updated: String,
}

#[derive(Template)]
#[template(path = "tickets.html")]
struct ListPage {
    nav: Nav,
    views: Vec<(String, String)>,
    view: String,
    q: String,
    query: String,
    /// What the search box understood, when it could have meant something else.
    understood: String,
    /// (label, TicketSQL) of the other reading.
    other: Option<(String, String)>,
    error: String,
    saved: Vec<(String, String)>,
    total: i64,
    headings: Vec<(String, String)>,
    rows: Vec<TicketRow>,
    prev: String,
    next: String,
    bulk: super::bulk::BulkBar,
}

/// One page of a TicketSQL search as the caller sees it: the ids, how many match, and what
/// to say when the query could not be read or run (then nothing is found).
async fn search_page(
    state: &AppState,
    caller: &Caller,
    query: &str,
    order: &str,
    descending: bool,
    offset: i64,
) -> Result<(Vec<varde_core::ticket::TicketId>, i64, String), varde_store::StoreError> {
    let parsed = match varde_rt::ticketsql::parse(query) {
        Ok(p) => p,
        Err(e) => return Ok((vec![], 0, format!("The search could not be read: {e}"))),
    };
    let request = SearchRequest {
        query: &parsed,
        visibility: visibility(&caller.actor),
        order_by: order,
        descending,
        offset,
        limit: PAGE,
        now: state.now(),
    };
    Ok(match state.store.search_tickets(&request).await? {
        Ok(r) => (r.ids, r.total, String::new()),
        Err(e) => (vec![], 0, format!("The search could not run: {e}")),
    })
}

pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Query(p): Query<HashMap<String, String>>,
) -> PageResult {
    staff(&caller)?;
    let me = caller.audit_name();
    let zone = super::zone_of(&caller);
    let view = p.get("view").cloned().unwrap_or_else(|| "active".into());
    let q = p.get("q").cloned().unwrap_or_default();
    let (understood, other) = reading(&q);
    let other = other.map(|(label, sql)| {
        (
            label,
            format!("/console/tickets?q={}", crate::query_value(&sql)),
        )
    });
    let query = if q.trim().is_empty() {
        view_query(&view, &me).0
    } else {
        search_query(&q)
    };
    let order = p
        .get("order")
        .cloned()
        .unwrap_or_else(|| "LastUpdated".into());
    let desc = p.get("desc").map(|d| d == "1").unwrap_or(true);
    let page: i64 = p
        .get("page")
        .and_then(|x| x.parse().ok())
        .unwrap_or(1)
        .max(1);
    let sla_view = match (q.trim().is_empty(), view.as_str()) {
        (true, "breached") => Some(SlaList::Breached),
        (true, "soon") => Some(SlaList::DueSoon),
        _ => None,
    };
    let fail = |e: varde_app::AppError| PageError::new(e.into(), &caller);
    let (found, error) = match sla_view {
        Some(list) => {
            let offset = ((page - 1) * PAGE) as usize;
            let p = state
                .app
                .sla_list(&caller.actor, list, offset, PAGE as usize)
                .await
                .map_err(fail)?;
            ((p.tickets, p.slas, p.total as i64), String::new())
        }
        None => {
            let from = (page - 1) * PAGE;
            let (ids, total, error) = search_page(&state, &caller, &query, &order, desc, from)
                .await
                .map_err(|e| fail(e.into()))?;
            let tickets = state
                .store
                .tickets(&ids)
                .await
                .map_err(|e| fail(e.into()))?;
            let slas = state.app.sla_of(&tickets).await.map_err(fail)?;
            ((tickets, slas, total), error)
        }
    };
    let (tickets, slas, total) = found;
    let mut rows = Vec::new();
    let mut org_names: HashMap<i64, String> = HashMap::new();
    for t in tickets {
        let organization = match t.organization {
            Some(o) => match org_names.get(&o.0) {
                Some(n) => n.clone(),
                None => {
                    let n = state
                        .store
                        .organization(o)
                        .await
                        .ok()
                        .flatten()
                        .map(|x| x.details.name)
                        .unwrap_or_default();
                    org_names.insert(o.0, n.clone());
                    n
                }
            },
            None => String::new(),
        };
        let (due, left, breached) = sla_cells(&t, slas.get(&t.id));
        rows.push(TicketRow {
            priority: t.priority,
            due: due
                .map(|d| super::when(&zone, d))
                .unwrap_or_else(|| "—".into()),
            left: left.map(|l| fmt_left(l, breached)).unwrap_or_default(),
            breached,
            id: t.id.0,
            subject: if t.subject.is_empty() {
                "(no subject)".into()
            } else {
                t.subject.clone()
            },
            status: t.status.code().into(),
            queue: t.queue.clone(),
            owner: t.owner_name().into(),
            requestors: t.requestors.join(", "),
            organization,
            updated: super::when(&zone, t.last_updated),
        });
    }
    let base = format!(
        "/console/tickets?view={}&q={}",
        crate::query_value(&view),
        crate::query_value(&q)
    );
    let headings = [
        ("#", "id"),
        ("Subject", "Subject"),
        ("Status", "Status"),
        ("Priority", "Priority"),
        ("Due", ""),
        ("Time left", ""),
        ("Queue", "Queue"),
        ("Owner", "Owner"),
        ("Requestors", ""),
        ("Organisation", ""),
        ("Updated", "LastUpdated"),
    ]
    .iter()
    .map(|(label, field)| {
        let href = if field.is_empty() {
            String::new()
        } else {
            let flip = if order.eq_ignore_ascii_case(field) && desc {
                "0"
            } else {
                "1"
            };
            format!("{base}&order={field}&desc={flip}")
        };
        (label.to_string(), href)
    })
    .collect();
    let paged = |n: i64| {
        format!(
            "{base}&order={}&desc={}&page={n}",
            crate::query_value(&order),
            if desc { "1" } else { "0" }
        )
    };
    let saved = match caller.account.as_ref() {
        Some(a) => state
            .store
            .saved_searches(a.id)
            .await
            .unwrap_or_default()
            .into_iter()
            .map(|s| {
                (
                    s.name,
                    format!("/console/tickets?q={}", crate::query_value(&s.query)),
                )
            })
            .collect(),
        None => vec![],
    };
    let bulk = super::bulk::bar(&state, &caller, &p).await?;
    Ok(render(&ListPage {
        bulk,
        nav: Nav::of(&caller),
        views: [
            "active", "new", "open", "mine", "unowned", "stalled", "soon", "breached",
        ]
        .iter()
        .map(|v| (v.to_string(), view_query(v, &me).1.to_string()))
        .collect(),
        view: if q.trim().is_empty() {
            view
        } else {
            String::new()
        },
        q,
        query,
        understood,
        other,
        error,
        saved,
        total,
        headings,
        rows,
        prev: if page > 1 {
            paged(page - 1)
        } else {
            String::new()
        },
        next: if page * PAGE < total {
            paged(page + 1)
        } else {
            String::new()
        },
    }))
}

pub async fn save_search(
    State(state): State<AppState>,
    caller: Caller,
    Form(form): Form<FormMap>,
) -> PageResult {
    checked(&caller, &form)?;
    staff(&caller)?;
    let name = form_value(&form, "name");
    let query = form_value(&form, "query");
    if name.trim().is_empty() {
        return Err(PageError::new(
            ApiError::bad_request("give the search a name"),
            &caller,
        ));
    }
    if let Some(a) = caller.account.as_ref() {
        state
            .store
            .save_search(a.id, &name, &query, state.now())
            .await
            .map_err(|e| PageError::new(e.into(), &caller))?;
    }
    Ok(Redirect::to(&format!(
        "/console/tickets?q={}",
        crate::query_value(&query)
    ))
    .into_response())
}

#[cfg(test)]
mod tests {
    use super::search_query;

    #[test]
    fn the_search_box_says_what_it_understood() {
        let (said, other) = super::reading("503");
        assert_eq!(said, "Read as ticket 503.");
        assert!(other.is_some_and(|(_, q)| q.contains("LIKE '503'")));
        let (said, other) = super::reading("Status = open'");
        assert!(said.starts_with("This is not TicketSQL ("), "{said}");
        assert!(other.is_none());
        assert_eq!(super::reading("Status = 'open'").0, "");
        assert_eq!(super::reading("disk full").0, "");
    }

    #[test]
    fn the_search_box_takes_numbers_ticketsql_and_words() {
        assert_eq!(search_query("42"), "id = 42");
        assert_eq!(search_query("#42"), "id = 42");
        assert_eq!(search_query("Status = 'open'"), "Status = 'open'");
        assert_eq!(
            search_query("disk full"),
            "Subject LIKE 'disk full' OR Content LIKE 'disk full'"
        );
        assert_eq!(
            search_query("it's down"),
            "Subject LIKE 'it\\'s down' OR Content LIKE 'it\\'s down'"
        );
        assert!(varde_rt::ticketsql::parse(&search_query("it's down")).is_ok());
        assert_eq!(search_query("  "), "");
    }
}
