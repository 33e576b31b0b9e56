//! Users and queues written through RT's APIs (REST 1.0's forms, REST2's JSON): one
//! translation of what RT's clients ask into the use cases, shared by both. RT's privileged
//! users are agents' accounts (RT's `Name` kept as the login name); its unprivileged users
//! are requestors, which Varde keeps as contacts of the organisation of their mail domain.

use varde_app::{Acting, AppError};
use varde_core::account::Account;
use varde_core::form::FieldErrors;
use varde_core::ticket::queue::{QueueChange, QueueForm};
use varde_core::values::EmailAddress;
use varde_rt::records::{QueueEdit, UserEdit, changed};
use varde_store::tickets::Queue;

use crate::app::AppState;

/// The name RT's clients know an account by: its login name, or its address.
pub(crate) fn rt_name(a: &Account) -> String {
    a.login.clone().unwrap_or_else(|| a.email.to_string())
}

/// What a user made through RT's APIs became.
pub(crate) enum MadeUser {
    /// A privileged user: an agent's account.
    Account(Account),
    /// An unprivileged user: a requestor, kept as a contact; RT's clients name it by address.
    Requestor(EmailAddress),
}

fn invalid(field: &str, message: &str) -> AppError {
    let mut errors = FieldErrors::new();
    errors.add(field, message);
    AppError::Invalid(errors)
}

/// Makes the user an RT client asks for. Its address is `EmailAddress`, or `Name` when that
/// is an address (RT names a user without a `Name` by its address, and the other way round).
pub(crate) async fn create_user(
    state: &AppState,
    by: &Acting,
    edit: &UserEdit,
) -> Result<MadeUser, AppError> {
    let name = edit.name.clone().unwrap_or_default();
    let address = edit
        .email
        .clone()
        .filter(|e| !e.is_empty())
        .unwrap_or_else(|| name.clone());
    let Ok(email) = EmailAddress::parse(&address) else {
        return Err(invalid(
            "EmailAddress",
            "a user needs an e-mail address (EmailAddress): Varde writes to people and logs them in by it",
        ));
    };
    let real_name = edit
        .real_name
        .clone()
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| {
            if name.is_empty() {
                address.clone()
            } else {
                name.clone()
            }
        });
    if edit.privileged != Some(true) {
        if edit.password.is_some() {
            return Err(invalid(
                "Password",
                "a customer gets a portal login through an invitation from the organisation's contacts page, not a password set here",
            ));
        }
        state.app.add_requestor(by, &email, &real_name).await?;
        return Ok(MadeUser::Requestor(email));
    }
    let account = state
        .app
        .add_agent(
            by,
            email.as_str(),
            &real_name,
            &name,
            edit.password.clone(),
            edit.disabled == Some(true),
        )
        .await?;
    Ok(MadeUser::Account(account))
}

/// Changes what an RT client asks of an account, and says what changed in RT's words.
/// An account keeps its address and login name, and Varde's role decides whether it is
/// privileged: asking to change those is refused, naming the current value is no change.
pub(crate) async fn change_user(
    state: &AppState,
    by: &Acting,
    via: &super::Via,
    account: &Account,
    edit: &UserEdit,
) -> Result<Vec<String>, AppError> {
    // A password is set by someone who proved one (Basic, a REST 1.0 login, the console), not
    // with a token alone, which would turn a leaked token into a login.
    if edit.password.is_some() && account.role == varde_core::access::Role::Customer {
        return Err(invalid(
            "Password",
            "a customer sets a password through the portal's invitation or reset link, not here",
        ));
    }
    if edit.password.is_some() && *via == super::Via::Token {
        return Err(invalid(
            "Password",
            "a password is not changed with an API token; use your password (Basic or a login)",
        ));
    }
    if let Some(e) = edit.email.as_deref().filter(|e| !e.is_empty())
        && !e.eq_ignore_ascii_case(account.email.as_str())
    {
        return Err(invalid(
            "EmailAddress",
            "an account keeps its e-mail address; make an account for the new address",
        ));
    }
    if let Some(n) = edit.name.as_deref().filter(|n| !n.is_empty())
        && !n.eq_ignore_ascii_case(&rt_name(account))
        && !n.eq_ignore_ascii_case(account.email.as_str())
    {
        return Err(invalid("Name", "an account keeps its login name"));
    }
    let staff = account.role != varde_core::access::Role::Customer;
    if edit.privileged.is_some_and(|p| p != staff) {
        return Err(invalid(
            "Privileged",
            "an account's role decides whether it is staff; an administrator changes it in the console",
        ));
    }
    let after = state
        .app
        .change_account(
            by,
            account.id,
            edit.real_name.as_deref(),
            edit.disabled,
            edit.password.clone(),
        )
        .await?;
    let mut said = Vec::new();
    let label = format!("User {}", rt_name(account));
    if after.name != account.name {
        said.push(format!(
            "{label}: {}",
            changed("RealName", &account.name, &after.name, '\'')
        ));
    }
    if edit.password.is_some() {
        said.push(format!("{label}: Password changed"));
    }
    if after.disabled != account.disabled {
        said.push(
            if after.disabled {
                "User disabled"
            } else {
                "User enabled"
            }
            .to_string(),
        );
    }
    Ok(said)
}

/// Makes the queue an RT client asks for (disabled, if it asks for that too).
pub(crate) async fn create_queue(
    state: &AppState,
    by: &Acting,
    edit: &QueueEdit,
) -> Result<Queue, AppError> {
    let form = QueueForm {
        name: edit.name.clone().unwrap_or_default(),
        description: edit.description.clone().unwrap_or_default(),
        correspond_address: edit.correspond_address.clone().unwrap_or_default(),
        comment_address: edit.comment_address.clone().unwrap_or_default(),
    };
    let queue = state.app.add_queue(&by.actor, &form).await?;
    if edit.disabled != Some(true) {
        return Ok(queue);
    }
    let change = QueueChange {
        disabled: Some(true),
        ..QueueChange::default()
    };
    state
        .app
        .change_queue(&by.actor, &queue.id.to_string(), &change)
        .await
}

/// Changes what an RT client asks of a queue, and says what changed in RT's words.
pub(crate) async fn change_queue(
    state: &AppState,
    by: &Acting,
    queue: &Queue,
    edit: &QueueEdit,
) -> Result<Vec<String>, AppError> {
    let change = QueueChange {
        name: edit.name.clone(),
        description: edit.description.clone(),
        correspond_address: edit.correspond_address.clone(),
        comment_address: edit.comment_address.clone(),
        disabled: edit.disabled,
    };
    let after = state
        .app
        .change_queue(&by.actor, &queue.id.to_string(), &change)
        .await?;
    let label = format!("Queue {}", queue.id);
    let mut said: Vec<String> = [
        ("Description", &queue.description, &after.description),
        (
            "CorrespondAddress",
            &queue.correspond_address,
            &after.correspond_address,
        ),
        (
            "CommentAddress",
            &queue.comment_address,
            &after.comment_address,
        ),
    ]
    .into_iter()
    .filter(|(_, old, new)| old != new)
    .map(|(field, old, new)| format!("{label}: {}", changed(field, old, new, '"')))
    .collect();
    if after.disabled != queue.disabled {
        let flag = |d: bool| if d { "1" } else { "0" };
        said.push(format!(
            "Queue {}: {}",
            queue.name,
            changed("Disabled", flag(queue.disabled), flag(after.disabled), '"')
        ));
    }
    Ok(said)
}
