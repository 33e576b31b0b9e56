//! Who may do what: the one authorisation function, [`can`], and the organisation visibility
//! that scopes every list.
//!
//! **Architecture Invariant:** handlers never decide access themselves; they ask [`can`] (or
//! [`visibility`] for lists) with the actor of the request.

use crate::ids::{OrganizationId, UserId};
use crate::vocabulary;

vocabulary!(
    /// The role of an account. Every role but `customer` is staff.
    Role, "role" {
        Admin => "admin", "Administrator";
        Agent => "agent", "Support agent";
        ServiceManager => "service_manager", "Service manager";
        ReadOnly => "read_only", "Read-only";
        Customer => "customer", "Customer contact";
    }
);

vocabulary!(
    /// What an API token may do. A browser session always has `write`.
    TokenScope, "token scope" {
        Read => "read", "Read only";
        Write => "write", "Read and write";
    }
);

/// Who is asking.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Actor {
    /// No valid session or token.
    Anonymous,
    Staff {
        user: UserId,
        role: StaffRole,
        scope: TokenScope,
    },
    /// A contact of a customer organisation, using the portal or an API token.
    Customer {
        user: UserId,
        organization: OrganizationId,
        scope: TokenScope,
        tickets: TicketRights,
    },
}

/// Which of its organisation's tickets a customer contact sees: the organisation chooses.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum TicketSight {
    /// Every ticket of the organisation.
    #[default]
    Organization,
    /// Only the tickets the contact asked for or is copied on.
    Own,
}

/// What a customer contact may do with tickets: what its organisation chose it sees, and
/// whether its primary contact lets it open new ones.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TicketRights {
    pub sight: TicketSight,
    pub opens: bool,
}

impl Default for TicketRights {
    /// A contact of an organisation that chose nothing: sees all, opens tickets.
    fn default() -> TicketRights {
        TicketRights {
            sight: TicketSight::Organization,
            opens: true,
        }
    }
}

/// The roles of staff accounts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StaffRole {
    Admin,
    Agent,
    ServiceManager,
    ReadOnly,
}

impl StaffRole {
    pub fn role(self) -> Role {
        match self {
            StaffRole::Admin => Role::Admin,
            StaffRole::Agent => Role::Agent,
            StaffRole::ServiceManager => Role::ServiceManager,
            StaffRole::ReadOnly => Role::ReadOnly,
        }
    }

    pub fn from_role(role: Role) -> Option<StaffRole> {
        match role {
            Role::Admin => Some(StaffRole::Admin),
            Role::Agent => Some(StaffRole::Agent),
            Role::ServiceManager => Some(StaffRole::ServiceManager),
            Role::ReadOnly => Some(StaffRole::ReadOnly),
            Role::Customer => None,
        }
    }
}

impl Actor {
    /// The installation's operator, who holds the database and runs the command line: an
    /// administrator with no account of its own (user 0), for use cases a command runs
    /// (`varde import-rt`).
    pub fn operator() -> Actor {
        Actor::Staff {
            user: UserId(0),
            role: StaffRole::Admin,
            scope: TokenScope::Write,
        }
    }

    pub fn user(&self) -> Option<UserId> {
        match self {
            Actor::Anonymous => None,
            Actor::Staff { user, .. } | Actor::Customer { user, .. } => Some(*user),
        }
    }

    pub fn is_staff(&self) -> bool {
        matches!(self, Actor::Staff { .. })
    }

    /// The account whose own tickets (asked for or copied on) are the only ones this actor
    /// sees: a customer contact whose organisation chose so.
    pub fn sees_only_own(&self) -> Option<UserId> {
        match self {
            Actor::Customer { user, tickets, .. } if tickets.sight == TicketSight::Own => {
                Some(*user)
            }
            _ => None,
        }
    }
}

/// What is being done.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    Read,
    /// Create or change.
    Write,
    Delete,
}

/// What it is being done to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Resource {
    /// The set of all organisations: creating one is a write here.
    OrganizationDirectory,
    /// One organisation's own details and entitlements.
    Organization(OrganizationId),
    /// The contacts of one organisation.
    Contacts(OrganizationId),
    /// The contracts of one organisation.
    Contracts(OrganizationId),
    /// The audit history of one organisation.
    AuditHistory(OrganizationId),
    /// The whole customer base at once: CSV export (read) and import (write).
    CustomerBase,
    /// Every account, and every account's tokens.
    Accounts,
    /// One's own account: its tokens and password.
    OwnAccount(UserId),
    /// Health, readiness and metrics for operators.
    Operations,
    /// The ticket system as a whole: opening tickets in a queue, searching every ticket.
    TicketSystem,
    /// One ticket, by the organisation it belongs to (none for a ticket from an unknown sender)
    /// and whether the asking contact is among its requestors or Cc (`theirs`; staff are never).
    Ticket {
        organization: Option<OrganizationId>,
        theirs: bool,
    },
    /// Queues and their custom fields (administrators change them; staff read them).
    QueueSettings,
    /// The status page's incidents, maintenance and component statuses (staff who work
    /// tickets post them). The public page itself is for everyone and asks nothing.
    StatusPage,
    /// The status page's components and groups (administrators define them).
    StatusComponents,
    /// SLA policies (administrators change them; staff read them).
    SlaPolicies,
    /// Macros, the canned replies agents apply (administrators write them; staff use them).
    Macros,
    /// An organisation's onboarding and offboarding runs (staff only; removing a customer's
    /// cloud identity is a delete).
    Onboarding(OrganizationId),
    /// The templates runs are planned from (administrators change them).
    OnboardingTemplates,
    /// Working a ticket, by its organisation: its fields, owner, links, merges, phone calls
    /// and time worked, and opening one for someone else. Staff only; a customer contact
    /// opens, answers, closes and reopens its own ([`Resource::Ticket`]).
    TicketHandling(Option<OrganizationId>),
    /// The internal comments on a ticket, by its organisation: staff only, never customers.
    InternalComments(Option<OrganizationId>),
    /// The staff side of the console: the ticket queues, onboarding board, status posting,
    /// SLA and template settings, the portfolio.
    StaffConsole,
    /// Request Tracker's REST 1.0 and REST2, for RT's clients: staff only.
    RtApis,
    /// What an organisation's people said, for the roadmap: staff note it, the organisation's
    /// contacts read it.
    Feedback(OrganizationId),
    /// An organisation's quarterly meetings and their action items: service managers and
    /// administrators book and record them, other staff read them, the organisation's contacts
    /// read the minutes shared with them.
    Meetings(OrganizationId),
    /// One meeting of an organisation: as [`Resource::Meetings`] for staff; the
    /// organisation's contacts read it only once its minutes were shared with them.
    Meeting {
        organization: OrganizationId,
        shared: bool,
    },
    /// An organisation's colleagues in the portal: who of its contacts may log in. Staff as
    /// for [`Resource::Contacts`]; the organisation's contacts read the list, and a contact
    /// with the primary role invites and removes colleagues.
    Colleagues {
        organization: OrganizationId,
        primary: bool,
    },
    /// The roadmap register across customers: service managers and administrators file and
    /// weigh the items; other staff read it.
    Roadmap,
}

/// Where someone starts after logging in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Landing {
    Login,
    /// A service manager's day starts with their customers.
    Customers,
    /// Other staff start with the ticket queues.
    Tickets,
    /// A customer contact starts in the portal.
    Portal,
}

/// Where `actor` starts.
pub fn landing(actor: &Actor) -> Landing {
    match actor {
        Actor::Anonymous => Landing::Login,
        Actor::Staff {
            role: StaffRole::ServiceManager,
            ..
        } => Landing::Customers,
        Actor::Staff { .. } => Landing::Tickets,
        Actor::Customer { .. } => Landing::Portal,
    }
}

/// Which organisations, and of their tickets which, an actor may see in a list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Visibility {
    All,
    Only(OrganizationId),
    /// One organisation, and of its tickets only those the account `user` asked for or is
    /// copied on ([`TicketSight::Own`]).
    Theirs {
        organization: OrganizationId,
        user: UserId,
    },
    Nothing,
}

impl Visibility {
    /// The one organisation a customer contact sees, if the list is scoped to one.
    pub fn organization(self) -> Option<OrganizationId> {
        match self {
            Visibility::Only(o)
            | Visibility::Theirs {
                organization: o, ..
            } => Some(o),
            Visibility::All | Visibility::Nothing => None,
        }
    }
}

/// The organisations (and tickets) `actor` may list.
pub fn visibility(actor: &Actor) -> Visibility {
    match actor {
        Actor::Anonymous => Visibility::Nothing,
        Actor::Staff { .. } => Visibility::All,
        Actor::Customer {
            organization,
            user,
            tickets,
            ..
        } => match tickets.sight {
            TicketSight::Organization => Visibility::Only(*organization),
            TicketSight::Own => Visibility::Theirs {
                organization: *organization,
                user: *user,
            },
        },
    }
}

/// Whether `actor` may do `action` to `resource`.
pub fn can(actor: &Actor, action: Action, resource: &Resource) -> bool {
    use Action::*;
    use Resource::*;
    match actor {
        Actor::Anonymous => false,
        Actor::Staff { user, role, scope } => {
            if *scope == TokenScope::Read && action != Read {
                return false;
            }
            if let OwnAccount(owner) = resource {
                return owner == user || *role == StaffRole::Admin;
            }
            if matches!(
                resource,
                QueueSettings | SlaPolicies | Macros | StatusComponents | OnboardingTemplates
            ) {
                // Settings: administrators change them; staff read them.
                return action == Read || *role == StaffRole::Admin;
            }
            if matches!(resource, StaffConsole | RtApis) {
                // Every staff role uses them; what each may change there is decided by the
                // resource it changes.
                return action == Read;
            }
            if let Onboarding(_) = resource {
                // Destroying a customer's cloud identity (offboarding) is confirmed by
                // administrators and service managers only; see `Action::Delete`.
                return match role {
                    StaffRole::Admin | StaffRole::ServiceManager => true,
                    StaffRole::Agent => action != Delete,
                    StaffRole::ReadOnly => action == Read,
                };
            }
            if matches!(
                resource,
                TicketSystem
                    | Ticket { .. }
                    | StatusPage
                    | TicketHandling(_)
                    | InternalComments(_)
                    | Feedback(_)
            ) {
                // Every staff role works tickets; read-only staff only read them.
                return *role != StaffRole::ReadOnly || action == Read;
            }
            if let Meeting { organization, .. } = resource {
                return can(actor, action, &Meetings(*organization));
            }
            if let Colleagues { organization, .. } = resource {
                return can(actor, action, &Contacts(*organization));
            }
            match role {
                StaffRole::Admin => true,
                StaffRole::ServiceManager => match resource {
                    Accounts => false,
                    OrganizationDirectory | Organization(_) => action != Delete,
                    _ => true,
                },
                StaffRole::Agent => match resource {
                    Accounts => false,
                    CustomerBase => action == Read,
                    Contacts(_) => true,
                    _ => action == Read,
                },
                StaffRole::ReadOnly => action == Read && *resource != Accounts,
            }
        }
        Actor::Customer {
            user,
            organization,
            scope,
            tickets,
        } => {
            if *scope == TokenScope::Read && action != Read {
                return false;
            }
            match resource {
                OwnAccount(owner) => owner == user,
                // Its own organisation, contacts, contracts and the roadmap feedback noted for
                // it are shown to a contact; staff change them.
                Organization(o) | Contacts(o) | Contracts(o) | Feedback(o) | Meetings(o) => {
                    o == organization && action == Read
                }
                Meeting {
                    organization: o,
                    shared,
                } => o == organization && action == Read && *shared,
                Colleagues {
                    organization: o,
                    primary,
                } => o == organization && (action == Read || *primary),
                // A contact reads and answers its organisation's tickets (or only its own, as
                // the organisation chose), and opens new ones unless its primary contact said
                // otherwise; it never deletes them.
                Ticket {
                    organization: Some(o),
                    theirs,
                } => {
                    o == organization
                        && (*theirs || tickets.sight == TicketSight::Organization)
                        && action != Delete
                }
                TicketSystem => match action {
                    Read => true,
                    Write => tickets.opens,
                    Delete => false,
                },
                _ => false,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: OrganizationId = OrganizationId(1);
    const B: OrganizationId = OrganizationId(2);

    fn staff(role: StaffRole) -> Actor {
        Actor::Staff {
            user: UserId(10),
            role,
            scope: TokenScope::Write,
        }
    }

    fn customer_of(org: OrganizationId) -> Actor {
        Actor::Customer {
            user: UserId(20),
            organization: org,
            scope: TokenScope::Write,
            tickets: TicketRights::default(),
        }
    }

    fn every_resource() -> Vec<Resource> {
        let mut v = vec![
            Resource::OrganizationDirectory,
            Resource::CustomerBase,
            Resource::Accounts,
            Resource::OwnAccount(UserId(10)),
            Resource::OwnAccount(UserId(20)),
            Resource::Operations,
            Resource::TicketSystem,
            Resource::Ticket {
                organization: None,
                theirs: false,
            },
            Resource::QueueSettings,
            Resource::StatusPage,
            Resource::StatusComponents,
            Resource::SlaPolicies,
            Resource::Macros,
            Resource::OnboardingTemplates,
            Resource::StaffConsole,
            Resource::RtApis,
            Resource::TicketHandling(None),
            Resource::InternalComments(None),
            Resource::Roadmap,
        ];
        for o in [A, B] {
            v.extend([
                Resource::TicketHandling(Some(o)),
                Resource::InternalComments(Some(o)),
                Resource::Feedback(o),
                Resource::Organization(o),
                Resource::Contacts(o),
                Resource::Contracts(o),
                Resource::AuditHistory(o),
                Resource::Ticket {
                    organization: Some(o),
                    theirs: false,
                },
                Resource::Ticket {
                    organization: Some(o),
                    theirs: true,
                },
                Resource::Onboarding(o),
                Resource::Meetings(o),
            ]);
        }
        v
    }

    const ACTIONS: [Action; 3] = [Action::Read, Action::Write, Action::Delete];

    #[test]
    fn anonymous_may_do_nothing() {
        for r in every_resource() {
            for a in ACTIONS {
                assert!(!can(&Actor::Anonymous, a, &r), "{a:?} {r:?}");
            }
        }
        assert_eq!(visibility(&Actor::Anonymous), Visibility::Nothing);
    }

    #[test]
    fn a_customer_reads_only_its_own_organisation() {
        let c = customer_of(A);
        for r in every_resource() {
            for a in ACTIONS {
                let allowed = can(&c, a, &r);
                let expected = a == Action::Read
                    && matches!(
                        r,
                        Resource::Organization(A)
                            | Resource::Contacts(A)
                            | Resource::Contracts(A)
                            | Resource::Feedback(A)
                            | Resource::Meetings(A)
                    )
                    || r == Resource::OwnAccount(UserId(20))
                    || a != Action::Delete
                        && matches!(
                            r,
                            Resource::Ticket {
                                organization: Some(A),
                                ..
                            } | Resource::TicketSystem
                        );
                assert_eq!(allowed, expected, "{a:?} {r:?}");
            }
        }
        assert_eq!(visibility(&c), Visibility::Only(A));
    }

    #[test]
    fn a_contact_of_an_organisation_that_chose_so_sees_only_its_own_tickets() {
        let own = Actor::Customer {
            user: UserId(20),
            organization: A,
            scope: TokenScope::Write,
            tickets: TicketRights {
                sight: TicketSight::Own,
                opens: false,
            },
        };
        let ticket = |o, theirs| Resource::Ticket {
            organization: Some(o),
            theirs,
        };
        for a in [Action::Read, Action::Write] {
            assert!(can(&own, a, &ticket(A, true)), "{a:?}");
            assert!(!can(&own, a, &ticket(A, false)), "{a:?}");
            assert!(!can(&own, a, &ticket(B, true)), "{a:?}");
        }
        // It may not open tickets, but still reads the ticket system (its own search).
        assert!(!can(&own, Action::Write, &Resource::TicketSystem));
        assert!(can(&own, Action::Read, &Resource::TicketSystem));
        assert_eq!(
            visibility(&own),
            Visibility::Theirs {
                organization: A,
                user: UserId(20)
            }
        );
        assert_eq!(visibility(&own).organization(), Some(A));
        // Nothing else about the organisation changes.
        assert!(can(&own, Action::Read, &Resource::Contracts(A)));
    }

    #[test]
    fn a_read_scoped_token_never_writes() {
        for role in [
            StaffRole::Admin,
            StaffRole::ServiceManager,
            StaffRole::Agent,
        ] {
            let actor = Actor::Staff {
                user: UserId(10),
                role,
                scope: TokenScope::Read,
            };
            for r in every_resource() {
                assert!(!can(&actor, Action::Write, &r));
                assert!(!can(&actor, Action::Delete, &r));
            }
        }
    }

    #[test]
    fn staff_roles() {
        let admin = staff(StaffRole::Admin);
        let sm = staff(StaffRole::ServiceManager);
        let agent = staff(StaffRole::Agent);
        let ro = staff(StaffRole::ReadOnly);
        assert!(can(&admin, Action::Write, &Resource::Accounts));
        assert!(!can(&sm, Action::Read, &Resource::Accounts));
        assert!(can(&sm, Action::Write, &Resource::Contracts(A)));
        assert!(can(&sm, Action::Write, &Resource::CustomerBase));
        assert!(!can(&sm, Action::Delete, &Resource::Organization(A)));
        assert!(can(&agent, Action::Write, &Resource::Contacts(A)));
        assert!(!can(&agent, Action::Write, &Resource::Contracts(A)));
        assert!(!can(&agent, Action::Write, &Resource::CustomerBase));
        assert!(can(&ro, Action::Read, &Resource::AuditHistory(B)));
        assert!(!can(&ro, Action::Write, &Resource::Contacts(B)));
        assert!(can(&ro, Action::Write, &Resource::OwnAccount(UserId(10))));
        assert!(!can(&ro, Action::Write, &Resource::OwnAccount(UserId(11))));
        // Agents post incidents; only administrators define the page's components.
        assert!(can(&agent, Action::Write, &Resource::StatusPage));
        assert!(!can(&ro, Action::Write, &Resource::StatusPage));
        assert!(can(&ro, Action::Read, &Resource::StatusPage));
        assert!(!can(&agent, Action::Write, &Resource::StatusComponents));
        assert!(!can(&sm, Action::Write, &Resource::StatusComponents));
        assert!(can(&admin, Action::Write, &Resource::StatusComponents));
        // Every staff role works tickets and reads internal comments; read-only staff only
        // read them. The console's staff side and RT's APIs are open to every staff role.
        for r in [
            Resource::TicketHandling(Some(A)),
            Resource::InternalComments(None),
            Resource::Feedback(B),
        ] {
            assert!(can(&agent, Action::Write, &r) && can(&ro, Action::Read, &r));
            assert!(!can(&ro, Action::Write, &r));
        }
        // Service managers and administrators hold meetings and weigh the roadmap; agents
        // and read-only staff read them.
        for r in [Resource::Meetings(A), Resource::Roadmap] {
            assert!(can(&sm, Action::Write, &r) && can(&admin, Action::Write, &r));
            assert!(can(&agent, Action::Read, &r) && !can(&agent, Action::Write, &r));
            assert!(can(&ro, Action::Read, &r) && !can(&ro, Action::Write, &r));
        }
        // A contact reads the feedback noted for its organisation, and no other's; only
        // staff note it.
        let contact = customer_of(B);
        assert!(can(&contact, Action::Read, &Resource::Feedback(B)));
        assert!(!can(&contact, Action::Write, &Resource::Feedback(B)));
        assert!(!can(&contact, Action::Read, &Resource::Feedback(A)));
        for r in [Resource::StaffConsole, Resource::RtApis] {
            assert!(
                [&admin, &sm, &agent, &ro]
                    .iter()
                    .all(|a| can(a, Action::Read, &r))
            );
            assert!(!can(&admin, Action::Write, &r));
        }
    }

    #[test]
    fn a_contact_reads_a_meeting_only_once_its_minutes_are_shared() {
        let meeting = |organization, shared| Resource::Meeting {
            organization,
            shared,
        };
        let contact = customer_of(A);
        assert!(can(&contact, Action::Read, &meeting(A, true)));
        assert!(!can(&contact, Action::Read, &meeting(A, false)));
        assert!(!can(&contact, Action::Read, &meeting(B, true)));
        assert!(!can(&contact, Action::Write, &meeting(A, true)));
        for role in [
            StaffRole::Admin,
            StaffRole::ServiceManager,
            StaffRole::Agent,
        ] {
            assert!(can(&staff(role), Action::Read, &meeting(A, false)));
        }
        assert!(can(
            &staff(StaffRole::ServiceManager),
            Action::Write,
            &meeting(A, false)
        ));
        assert!(!can(
            &staff(StaffRole::Agent),
            Action::Write,
            &meeting(A, false)
        ));
    }

    #[test]
    fn each_starts_in_their_own_place() {
        assert_eq!(landing(&Actor::Anonymous), Landing::Login);
        assert_eq!(
            landing(&staff(StaffRole::ServiceManager)),
            Landing::Customers
        );
        assert_eq!(landing(&staff(StaffRole::Agent)), Landing::Tickets);
        assert_eq!(landing(&staff(StaffRole::Admin)), Landing::Tickets);
        assert_eq!(landing(&customer_of(A)), Landing::Portal);
    }

    #[test]
    fn a_primary_contact_invites_and_removes_colleagues() {
        let colleagues = |organization, primary| Resource::Colleagues {
            organization,
            primary,
        };
        let contact = customer_of(A);
        assert!(can(&contact, Action::Read, &colleagues(A, false)));
        assert!(!can(&contact, Action::Write, &colleagues(A, false)));
        assert!(can(&contact, Action::Write, &colleagues(A, true)));
        assert!(can(&contact, Action::Delete, &colleagues(A, true)));
        assert!(!can(&contact, Action::Read, &colleagues(B, true)));
        assert!(!can(&contact, Action::Write, &colleagues(B, true)));
        assert!(can(
            &staff(StaffRole::Agent),
            Action::Write,
            &colleagues(A, false)
        ));
        assert!(!can(
            &staff(StaffRole::ReadOnly),
            Action::Write,
            &colleagues(A, false)
        ));
    }
}
