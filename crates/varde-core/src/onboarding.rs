//! Onboarding and offboarding runs: which steps a signed contract calls for, in what order they
//! run, when each is due, when a run is complete, and the names Varde gives the customer's
//! objects in OpenStack.
//!
//! A run is planned once, when the contract is signed, from the templates that apply to the
//! organisation's support tier and the services on its contracts. Automated steps run in
//! order (each waits for the automated steps before it); manual steps are checklist items a
//! person ticks off and never hold up the automated ones.

use jiff::civil::Date;

use crate::catalogue::{Service, SupportTier};
use crate::form::FieldErrors;
use crate::ids::OrganizationId;
use crate::vocabulary;

vocabulary!(
    /// What a step does. Every action but `manual` is carried out by Varde.
    StepAction, "step action" {
        KeystoneDomain => "keystone_domain", "Keystone domain";
        KeystoneProject => "keystone_project", "Keystone project";
        KeystoneUsers => "keystone_users", "Keystone users and roles";
        ApplicationCredentials => "application_credentials", "Application credentials";
        Ec2Credentials => "ec2_credentials", "EC2 credentials for S3";
        Quotas => "quotas", "Quotas";
        WelcomeMail => "welcome_mail", "Welcome mail";
        ChatInvite => "chat_invite", "Chat room invitation";
        MeetingInvite => "meeting_invite", "First quarterly meeting";
        DisableAccess => "disable_access", "Disable access";
        RemoveAccess => "remove_access", "Remove access";
        Manual => "manual", "Checklist item";
    }
);

impl StepAction {
    pub fn is_automated(self) -> bool {
        self != StepAction::Manual
    }

    /// Whether the step waits for a person to confirm it before it runs (it destroys data).
    pub fn needs_confirmation(self) -> bool {
        self == StepAction::RemoveAccess
    }

    /// The order automated steps run in: each needs what the ones before it made.
    fn rank(self) -> u8 {
        StepAction::ALL
            .iter()
            .position(|a| *a == self)
            .unwrap_or(usize::MAX) as u8
    }
}

vocabulary!(
    /// Where a step stands.
    StepState, "step state" {
        Pending => "pending", "Pending";
        Running => "running", "Running";
        Done => "done", "Done";
        Failed => "failed", "Failed";
        Skipped => "skipped", "Skipped";
    }
);

impl StepState {
    /// Done or skipped: nothing more will happen to the step.
    pub fn is_settled(self) -> bool {
        matches!(self, StepState::Done | StepState::Skipped)
    }
}

vocabulary!(
    /// Which way a run goes.
    RunKind, "run kind" {
        Onboarding => "onboarding", "Onboarding";
        Offboarding => "offboarding", "Offboarding";
    }
);

vocabulary!(
    /// Where a run stands.
    RunStatus, "run status" {
        Running => "running", "In progress";
        Done => "done", "Done";
        Cancelled => "cancelled", "Cancelled";
    }
);

/// The owner of every automated step.
pub const VARDE: &str = "varde";

/// One step of a template.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TemplateStep {
    pub action: StepAction,
    /// Days after the signing (or, offboarding, after the contract's end) it is due.
    pub days: u32,
    /// Whether the run can complete without it.
    pub required: bool,
    /// Who does it: `varde` for automated steps, else a role (`customer-success`,
    /// `service-manager`) or a staff member's e-mail address.
    pub owner: String,
    pub title: String,
}

/// A template: the steps a run gets when the organisation's tier and services match.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Template {
    pub name: String,
    /// The tiers it applies to; empty means every tier.
    pub tiers: Vec<SupportTier>,
    /// It applies only if the contracts include one of these services; empty means always.
    pub services: Vec<Service>,
    pub steps: Vec<TemplateStep>,
}

impl Template {
    pub fn applies(&self, tier: SupportTier, services: &[Service]) -> bool {
        (self.tiers.is_empty() || self.tiers.contains(&tier))
            && (self.services.is_empty() || self.services.iter().any(|s| services.contains(s)))
    }
}

/// Reads a template's steps as an administrator types them, one per line:
///
/// ```text
/// keystone_domain +0d : Create the customer's Keystone domain
/// manual +5d optional owner=service-manager : Introduce the service manager
/// ```
///
/// Blank lines and lines starting with `#` are ignored. Errors name the line.
pub fn parse_steps(text: &str) -> Result<Vec<TemplateStep>, FieldErrors> {
    let mut problems = Vec::new();
    let mut steps = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        match parse_step(line) {
            Ok(s) => steps.push(s),
            Err(e) => problems.push(format!("line {}: {e}", n + 1)),
        }
    }
    if steps.is_empty() && problems.is_empty() {
        problems.push("a template needs at least one step".into());
    }
    if problems.is_empty() {
        return Ok(steps);
    }
    let mut errors = FieldErrors::new();
    errors.add("steps", problems.join("\n"));
    Err(errors)
}

fn parse_step(line: &str) -> Result<TemplateStep, String> {
    let (head, title) = line
        .split_once(':')
        .ok_or("write `action +Nd [optional] [owner=…] : title`")?;
    let title = title.trim();
    if title.is_empty() {
        return Err("the step needs a title after ':'".into());
    }
    let mut words = head.split_whitespace();
    let action = StepAction::parse(words.next().unwrap_or_default()).map_err(|e| e.0)?;
    let days = words
        .next()
        .and_then(|w| w.strip_prefix('+'))
        .and_then(|w| w.strip_suffix('d'))
        .and_then(|w| w.parse::<u32>().ok())
        .filter(|d| *d <= 365)
        .ok_or("after the action, give the due day as +Nd (0 to 365)")?;
    let mut required = true;
    let mut owner = None;
    for w in words {
        if w == "optional" {
            required = false;
        } else if let Some(o) = w.strip_prefix("owner=") {
            owner = Some(o.to_string());
        } else {
            return Err(format!("'{w}' is neither `optional` nor `owner=…`"));
        }
    }
    let owner = match (action.is_automated(), owner) {
        (true, Some(_)) => return Err("automated steps are owned by varde".into()),
        (true, None) => VARDE.to_string(),
        (false, Some(o)) if !o.is_empty() => o,
        (false, _) => return Err("a checklist item needs owner=…".into()),
    };
    Ok(TemplateStep {
        action,
        days,
        required,
        owner,
        title: title.to_string(),
    })
}

/// The text `parse_steps` reads back into the same steps.
pub fn steps_text(steps: &[TemplateStep]) -> String {
    steps
        .iter()
        .map(|s| {
            let mut head = format!("{} +{}d", s.action, s.days);
            if !s.required {
                head.push_str(" optional");
            }
            if !s.action.is_automated() {
                head.push_str(&format!(" owner={}", s.owner));
            }
            format!("{head} : {}\n", s.title)
        })
        .collect()
}

/// The templates a new installation starts with; administrators edit them.
pub fn default_templates() -> Vec<Template> {
    let t = |text: &str| parse_steps(text).expect("the default templates parse");
    vec![
        Template {
            name: "OpenStack identity".into(),
            tiers: vec![],
            services: vec![],
            steps: t(
                "keystone_domain +0d : Create the customer's Keystone domain\n\
                      keystone_project +0d : Create the customer's project\n\
                      keystone_users +0d : A Keystone user per technical contact, member of the project\n\
                      application_credentials +1d : An application credential per user, made as that user\n\
                      welcome_mail +1d : Welcome mail with the documentation and login details\n\
                      manual +10d owner=customer-success : Check in: has the customer logged in and started?\n",
            ),
        },
        Template {
            name: "Compute".into(),
            tiers: vec![],
            services: vec![Service::Compute],
            steps: t("quotas +1d : Compute quotas from the contract\n"),
        },
        Template {
            name: "S3 storage".into(),
            tiers: vec![],
            services: vec![Service::Storage],
            steps: t("ec2_credentials +1d : EC2-style credentials for S3\n"),
        },
        Template {
            name: "Backup".into(),
            tiers: vec![],
            services: vec![Service::Backup],
            steps: t(
                "manual +5d owner=customer-success : Enrol the customer's projects in backup\n",
            ),
        },
        Template {
            name: "Back-channel chat".into(),
            tiers: vec![SupportTier::Standard, SupportTier::Premium],
            services: vec![],
            steps: t("chat_invite +2d : Invite the technical contacts to the chat room\n"),
        },
        Template {
            name: "Premium service".into(),
            tiers: vec![SupportTier::Premium],
            services: vec![],
            steps: t(
                "manual +3d owner=customer-success : Assign the service manager\n\
                      meeting_invite +5d : Book the first quarterly operations meeting\n",
            ),
        },
    ]
}

/// A step of a run as planned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlannedStep {
    pub action: StepAction,
    pub title: String,
    pub owner: String,
    pub due_on: Date,
    pub required: bool,
}

/// The steps of an onboarding run: every applying template's steps, automated ones in the
/// order they must run, each automated action once; checklist items by due date.
pub fn plan(
    templates: &[Template],
    tier: SupportTier,
    services: &[Service],
    signed_on: Date,
) -> Vec<PlannedStep> {
    let mut steps: Vec<PlannedStep> = Vec::new();
    for s in templates
        .iter()
        .filter(|t| t.applies(tier, services))
        .flat_map(|t| &t.steps)
    {
        if s.action.is_automated() && steps.iter().any(|p| p.action == s.action) {
            continue;
        }
        if matches!(
            s.action,
            StepAction::DisableAccess | StepAction::RemoveAccess
        ) {
            continue;
        }
        steps.push(PlannedStep {
            action: s.action,
            title: s.title.clone(),
            owner: s.owner.clone(),
            due_on: signed_on.saturating_add(jiff::Span::new().days(i64::from(s.days))),
            required: s.required,
        });
    }
    // Stable: automated steps by their rank, checklist items after them by due date.
    steps.sort_by_key(|s| {
        (
            !s.action.is_automated(),
            if s.action.is_automated() {
                s.action.rank()
            } else {
                0
            },
            s.due_on,
        )
    });
    steps
}

/// Days between disabling a leaving customer's access and removing it.
pub const GRACE_DAYS: u32 = 30;

/// The reverse run at a contract's end: disable at once, remove after the grace period, and
/// only when someone confirms it.
pub fn offboarding_plan(ends_on: Date) -> Vec<PlannedStep> {
    let day = |n: u32| ends_on.saturating_add(jiff::Span::new().days(i64::from(n)));
    vec![
        PlannedStep {
            action: StepAction::DisableAccess,
            title: "Disable the customer's Keystone domain, its users and projects".into(),
            owner: VARDE.into(),
            due_on: day(0),
            required: true,
        },
        PlannedStep {
            action: StepAction::Manual,
            title: "Tell the customer when its data will be removed".into(),
            owner: "customer-success".into(),
            due_on: day(1),
            required: true,
        },
        PlannedStep {
            action: StepAction::RemoveAccess,
            title: format!(
                "Remove the domain and everything in it ({GRACE_DAYS} days' grace, needs confirmation)"
            ),
            owner: VARDE.into(),
            due_on: day(GRACE_DAYS),
            required: true,
        },
    ]
}

/// What the rules need to know of a step in a run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StepFacts {
    pub action: StepAction,
    pub state: StepState,
    pub required: bool,
    pub due_on: Date,
    /// For steps that need it: whether a person confirmed it.
    pub confirmed: bool,
}

/// The automated step that may run next, by index: the first unsettled automated step, if
/// every automated step before it is settled, it is pending (not failed, not waiting for a
/// retry) and, if it needs one, confirmed and past its due day.
pub fn next_automated(steps: &[StepFacts], today: Date) -> Option<usize> {
    let (i, s) = steps
        .iter()
        .enumerate()
        .find(|(_, s)| s.action.is_automated() && !s.state.is_settled())?;
    let ready = matches!(s.state, StepState::Pending | StepState::Running)
        && (!s.action.needs_confirmation() || (s.confirmed && today >= s.due_on));
    ready.then_some(i)
}

/// A run is complete when every required step is done or skipped.
pub fn complete(steps: &[StepFacts]) -> bool {
    steps.iter().all(|s| !s.required || s.state.is_settled())
}

/// A step is overdue when it is not settled and its due day has passed.
pub fn overdue(step: &StepFacts, today: Date) -> bool {
    !step.state.is_settled() && step.due_on < today
}

/// The names Varde gives a customer's objects in OpenStack. They derive from the
/// organisation's id, which never changes, so a renamed customer keeps its domain; the
/// organisation's name goes in the description. The prefix (`varde` unless configured)
/// keeps installations that share a Keystone apart.
pub mod names {
    use super::OrganizationId;

    /// The Keystone domain: `<prefix>-<organisation id>`.
    pub fn domain(prefix: &str, org: OrganizationId) -> String {
        format!("{prefix}-{}", org.0)
    }

    /// The first project in that domain: `<domain>-prod`.
    pub fn project(prefix: &str, org: OrganizationId) -> String {
        format!("{}-prod", domain(prefix, org))
    }

    /// A technical contact's Keystone user: their e-mail address, lower-cased.
    pub fn user(email: &str) -> String {
        email.trim().to_lowercase()
    }

    /// Each user's application credential.
    pub const APPLICATION_CREDENTIAL: &str = "varde-onboarding";
}

/// What one COMPUTE unit on a contract buys: Keystone unified limits (as Nova reads them
/// with `[quota] driver = nova.quota.UnifiedLimitsDriver`) and the same in Nova's legacy
/// `os-quota-sets` names.
pub mod quotas {
    /// Per unit: 16 vCPUs, 64 GiB of memory, 10 instances.
    pub const VCPUS: i64 = 16;
    pub const MEMORY_MB: i64 = 64 * 1024;
    pub const INSTANCES: i64 = 10;
    /// The default a registered limit gets when the cloud has none: nothing without a
    /// contract.
    pub const REGISTERED_DEFAULT: i64 = 0;

    /// Keystone unified limits for `units` (resource name, limit), sorted by name.
    pub fn unified(units: u32) -> Vec<(String, i64)> {
        let u = i64::from(units);
        vec![
            ("class:MEMORY_MB".into(), MEMORY_MB * u),
            ("class:VCPU".into(), VCPUS * u),
            ("servers".into(), INSTANCES * u),
        ]
    }

    /// Nova `os-quota-sets` values for `units`, sorted by name.
    pub fn nova(units: u32) -> Vec<(String, i64)> {
        let u = i64::from(units);
        vec![
            ("cores".into(), VCPUS * u),
            ("instances".into(), INSTANCES * u),
            ("ram".into(), MEMORY_MB * u),
        ]
    }
}

/// The first quarterly operations meeting: 10:00–11:00 Stockholm time on the first weekday
/// at least four weeks after the signing.
pub fn first_meeting(signed_on: Date) -> jiff::civil::DateTime {
    let mut day = signed_on.saturating_add(jiff::Span::new().days(28));
    while matches!(
        day.weekday(),
        jiff::civil::Weekday::Saturday | jiff::civil::Weekday::Sunday
    ) {
        day = day.tomorrow().unwrap_or(day);
    }
    day.at(10, 0, 0, 0)
}

/// An iCalendar (RFC 5545) meeting request, `METHOD:REQUEST`. `uid` stays the same when it
/// is sent again, so calendars update the one event. Times are UTC (`…Z`).
pub struct Invitation<'a> {
    pub uid: &'a str,
    pub stamp: jiff::Timestamp,
    pub start: jiff::Timestamp,
    pub minutes: i64,
    pub summary: &'a str,
    pub description: &'a str,
    pub organizer: &'a str,
    pub attendees: &'a [(String, String)],
}

impl Invitation<'_> {
    pub fn to_ics(&self) -> String {
        let utc = |t: jiff::Timestamp| t.strftime("%Y%m%dT%H%M%SZ").to_string();
        let end = self
            .start
            .saturating_add(jiff::SignedDuration::from_mins(self.minutes))
            .unwrap_or(self.start);
        let mut lines = vec![
            "BEGIN:VCALENDAR".to_string(),
            "VERSION:2.0".into(),
            "PRODID:-//Varde//Onboarding//EN".into(),
            "METHOD:REQUEST".into(),
            "BEGIN:VEVENT".into(),
            format!("UID:{}", self.uid),
            format!("DTSTAMP:{}", utc(self.stamp)),
            format!("DTSTART:{}", utc(self.start)),
            format!("DTEND:{}", utc(end)),
            format!("SUMMARY:{}", ics_text(self.summary)),
            format!("DESCRIPTION:{}", ics_text(self.description)),
            format!("ORGANIZER:mailto:{}", self.organizer),
        ];
        for (name, email) in self.attendees {
            lines.push(format!(
                "ATTENDEE;CN=\"{}\";ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:{email}",
                name.replace('"', "'")
            ));
        }
        lines.extend([
            "SEQUENCE:0".to_string(),
            "STATUS:CONFIRMED".into(),
            "END:VEVENT".into(),
            "END:VCALENDAR".into(),
        ]);
        lines
            .iter()
            .map(|l| fold(l))
            .collect::<Vec<_>>()
            .join("\r\n")
            + "\r\n"
    }
}

/// Escapes text for an iCalendar value.
fn ics_text(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace(';', "\\;")
        .replace(',', "\\,")
        .replace('\n', "\\n")
}

/// Folds a content line at 75 octets (RFC 5545 §3.1), never inside a character.
fn fold(line: &str) -> String {
    let mut out = String::new();
    let mut width = 0;
    for c in line.chars() {
        if width + c.len_utf8() > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += c.len_utf8();
    }
    out
}

/// The words of the one-time link page, in the contact's language: title, explanation,
/// button, "used or expired", "save these now", "secret".
pub fn link_page_words(lang: crate::values::Language) -> [&'static str; 6] {
    use crate::values::Language::*;
    match lang {
        English => [
            "Your login details",
            "This link shows your OpenStack password, application credential and S3 keys once. Have a password manager ready, then press the button. Afterwards the link no longer works and we no longer hold the secrets.",
            "Show my login details",
            "This link has been used or has expired. If you did not save your login details, write to support and we will make new ones.",
            "Save these now. This page is the only time they are shown.",
            "Secret",
        ],
        Swedish => [
            "Dina inloggningsuppgifter",
            "Den här länken visar ditt OpenStack-lösenord, din applikationsnyckel och dina S3-nycklar en gång. Ha en lösenordshanterare redo och tryck sedan på knappen. Efteråt fungerar länken inte längre och vi har inte kvar hemligheterna.",
            "Visa mina inloggningsuppgifter",
            "Länken har redan använts eller har gått ut. Om du inte sparade uppgifterna, skriv till supporten så skapar vi nya.",
            "Spara dem nu. Det här är enda gången de visas.",
            "Hemlighet",
        ],
        NorwegianBokmal => [
            "Dine innloggingsopplysninger",
            "Denne lenken viser OpenStack-passordet, applikasjonsnøkkelen og S3-nøklene dine én gang. Ha en passordbehandler klar, og trykk så på knappen. Etterpå virker ikke lenken lenger, og vi har ikke lenger hemmelighetene.",
            "Vis innloggingsopplysningene mine",
            "Lenken er allerede brukt eller har utløpt. Hvis du ikke lagret opplysningene, skriv til kundestøtte, så lager vi nye.",
            "Lagre dem nå. Dette er eneste gang de vises.",
            "Hemmelighet",
        ],
        Danish => [
            "Dine loginoplysninger",
            "Dette link viser din OpenStack-adgangskode, applikationsnøgle og S3-nøgler én gang. Hav en adgangskodeadministrator klar, og tryk så på knappen. Bagefter virker linket ikke længere, og vi har ikke længere hemmelighederne.",
            "Vis mine loginoplysninger",
            "Linket er allerede brugt eller er udløbet. Hvis du ikke gemte oplysningerne, så skriv til support, så laver vi nye.",
            "Gem dem nu. Det er den eneste gang, de vises.",
            "Hemmelighed",
        ],
    }
}

/// What the welcome mail says, in the contact's language.
pub struct Welcome<'a> {
    pub organization: &'a str,
    pub contact: &'a str,
    pub docs_url: &'a str,
    pub support_address: &'a str,
    /// The contact's Keystone user name and their one-time link, for technical contacts.
    pub login: Option<(&'a str, &'a str)>,
    pub link_days: u32,
    pub chat_room: bool,
}

impl Welcome<'_> {
    /// The subject and plain-text body.
    pub fn text(&self, lang: crate::values::Language) -> (String, String) {
        use crate::values::Language::*;
        let w = match lang {
            English => [
                "Welcome to the cloud",
                "Hello",
                "Welcome! Your organisation's cloud account is ready.",
                "Documentation and configuration examples",
                "Your login",
                "user name",
                "Your password, application credential and S3 keys are shown once, at this link (valid for",
                "days):",
                "Your team will be invited to our shared chat room.",
                "Questions? Write to",
                "Kind regards",
            ],
            Swedish => [
                "Välkommen till molnet",
                "Hej",
                "Välkommen! Er organisations molnkonto är klart.",
                "Dokumentation och konfigurationsexempel",
                "Din inloggning",
                "användarnamn",
                "Ditt lösenord, din applikationsnyckel och dina S3-nycklar visas en gång, på den här länken (giltig i",
                "dagar):",
                "Ert team bjuds in till vårt gemensamma chattrum.",
                "Frågor? Skriv till",
                "Vänliga hälsningar",
            ],
            NorwegianBokmal => [
                "Velkommen til skyen",
                "Hei",
                "Velkommen! Organisasjonens skykonto er klar.",
                "Dokumentasjon og konfigurasjonseksempler",
                "Din innlogging",
                "brukernavn",
                "Passordet ditt, applikasjonsnøkkelen og S3-nøklene vises én gang, på denne lenken (gyldig i",
                "dager):",
                "Teamet deres blir invitert til vårt felles chatterom.",
                "Spørsmål? Skriv til",
                "Vennlig hilsen",
            ],
            Danish => [
                "Velkommen til skyen",
                "Hej",
                "Velkommen! Jeres organisations skykonto er klar.",
                "Dokumentation og konfigurationseksempler",
                "Dit login",
                "brugernavn",
                "Din adgangskode, applikationsnøgle og S3-nøgler vises én gang, på dette link (gyldigt i",
                "dage):",
                "Jeres team bliver inviteret til vores fælles chatrum.",
                "Spørgsmål? Skriv til",
                "Venlig hilsen",
            ],
        };
        let mut body = format!(
            "{} {},\n\n{}\n\n{}: {}\n",
            w[1], self.contact, w[2], w[3], self.docs_url
        );
        if let Some((user, link)) = self.login {
            body.push_str(&format!(
                "\n{}: {} {}\n{} {} {}\n{}\n",
                w[4], w[5], user, w[6], self.link_days, w[7], link
            ));
        }
        if self.chat_room {
            body.push_str(&format!("\n{}\n", w[8]));
        }
        body.push_str(&format!(
            "\n{} {}\n\n{}\n",
            w[9], self.support_address, w[10]
        ));
        (format!("{}, {}", w[0], self.organization), body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn facts(action: StepAction, state: StepState) -> StepFacts {
        StepFacts {
            action,
            state,
            required: true,
            due_on: date(2026, 1, 1),
            confirmed: false,
        }
    }

    #[test]
    fn premium_with_storage_gets_every_step_in_dependency_order() {
        let steps = plan(
            &default_templates(),
            SupportTier::Premium,
            &[Service::Compute, Service::Storage],
            date(2026, 3, 2),
        );
        let actions: Vec<&str> = steps.iter().map(|s| s.action.code()).collect();
        assert_eq!(
            actions,
            [
                "keystone_domain",
                "keystone_project",
                "keystone_users",
                "application_credentials",
                "ec2_credentials",
                "quotas",
                "welcome_mail",
                "chat_invite",
                "meeting_invite",
                "manual",
                "manual"
            ]
        );
        let manual: Vec<(&str, Date)> = steps
            .iter()
            .filter(|s| s.action == StepAction::Manual)
            .map(|s| (s.title.as_str(), s.due_on))
            .collect();
        assert_eq!(
            manual,
            [
                ("Assign the service manager", date(2026, 3, 5)),
                (
                    "Check in: has the customer logged in and started?",
                    date(2026, 3, 12)
                )
            ]
        );
        assert!(
            steps
                .iter()
                .all(|s| s.action.is_automated() == (s.owner == VARDE))
        );
    }

    #[test]
    fn base_tier_without_storage_gets_no_chat_meeting_or_s3_keys() {
        let steps = plan(
            &default_templates(),
            SupportTier::Base,
            &[Service::Compute],
            date(2026, 3, 2),
        );
        for a in [
            StepAction::ChatInvite,
            StepAction::MeetingInvite,
            StepAction::Ec2Credentials,
        ] {
            assert!(steps.iter().all(|s| s.action != a), "{a} planned");
        }
        assert!(steps.iter().any(|s| s.action == StepAction::Quotas));
    }

    #[test]
    fn templates_read_back_what_they_write_and_errors_name_the_line() {
        for t in default_templates() {
            assert_eq!(parse_steps(&steps_text(&t.steps)).unwrap(), t.steps);
        }
        let e =
            parse_steps("keystone_domain +0d : ok\nmanual +2d : no owner\nfrobnicate +1d : x\n")
                .unwrap_err();
        let messages: Vec<&str> = e.get("steps").unwrap().lines().collect();
        assert_eq!(messages.len(), 2, "{messages:?}");
        assert!(messages[0].starts_with("line 2: a checklist item needs owner"));
        assert!(messages[1].starts_with("line 3: 'frobnicate' is not a step action"));
        assert!(parse_steps("# nothing\n\n").is_err());
        assert!(parse_steps("quotas +0d owner=x : no").is_err());
        assert!(parse_steps("quotas 3 : no").is_err());
    }

    #[test]
    fn automated_steps_wait_for_the_ones_before_them_but_not_for_checklist_items() {
        let today = date(2026, 1, 1);
        let mut steps = vec![
            facts(StepAction::KeystoneDomain, StepState::Done),
            facts(StepAction::Manual, StepState::Pending),
            facts(StepAction::KeystoneProject, StepState::Pending),
            facts(StepAction::KeystoneUsers, StepState::Pending),
        ];
        assert_eq!(next_automated(&steps, today), Some(2));
        steps[2].state = StepState::Failed;
        assert_eq!(
            next_automated(&steps, today),
            None,
            "a failure holds the rest"
        );
        steps[2].state = StepState::Skipped;
        assert_eq!(next_automated(&steps, today), Some(3));
        steps[3].state = StepState::Running;
        assert_eq!(
            next_automated(&steps, today),
            Some(3),
            "an expired claim resumes"
        );
        steps[3].state = StepState::Done;
        assert_eq!(next_automated(&steps, today), None);
        assert!(!complete(&steps), "the checklist item is required");
        steps[1].required = false;
        assert!(complete(&steps));
    }

    #[test]
    fn removal_waits_for_confirmation_and_the_grace_period() {
        let plan = offboarding_plan(date(2026, 6, 30));
        let mut steps: Vec<StepFacts> = plan
            .iter()
            .map(|p| StepFacts {
                action: p.action,
                state: StepState::Pending,
                required: p.required,
                due_on: p.due_on,
                confirmed: false,
            })
            .collect();
        assert_eq!(next_automated(&steps, date(2026, 6, 30)), Some(0));
        steps[0].state = StepState::Done;
        let after_grace = date(2026, 7, 30);
        assert_eq!(next_automated(&steps, after_grace), None, "not confirmed");
        steps[2].confirmed = true;
        assert_eq!(next_automated(&steps, date(2026, 7, 29)), None, "in grace");
        assert_eq!(next_automated(&steps, after_grace), Some(2));
        assert!(overdue(&steps[1], date(2026, 7, 2)));
        assert!(!overdue(&steps[1], date(2026, 7, 1)));
    }

    #[test]
    fn the_first_meeting_is_a_weekday_four_weeks_on() {
        // 2026-03-07 + 28 days = Saturday 2026-04-04 → Monday 2026-04-06.
        assert_eq!(
            first_meeting(date(2026, 3, 7)),
            date(2026, 4, 6).at(10, 0, 0, 0)
        );
        assert_eq!(
            first_meeting(date(2026, 3, 2)),
            date(2026, 3, 30).at(10, 0, 0, 0)
        );
    }

    #[test]
    fn invitations_are_rfc5545_requests_with_folded_lines() {
        let start: jiff::Timestamp = "2026-03-30T08:00:00Z".parse().unwrap();
        let attendees = vec![("Åsa \"Ops\" Berg".to_string(), "asa@kth.se".to_string())];
        let ics = Invitation {
            uid: "varde-meeting-7@example",
            stamp: start,
            start,
            minutes: 60,
            summary: "Quarterly operations meeting, KTH; agenda",
            description: "Agenda:\n1. Incidents",
            organizer: "support@example.com",
            attendees: &attendees,
        }
        .to_ics();
        assert!(ics.starts_with("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"));
        assert!(ics.contains("\r\nMETHOD:REQUEST\r\n"));
        assert!(ics.contains("\r\nDTSTART:20260330T080000Z\r\nDTEND:20260330T090000Z\r\n"));
        assert!(ics.contains("SUMMARY:Quarterly operations meeting\\, KTH\\; agenda"));
        assert!(ics.contains("DESCRIPTION:Agenda:\\n1. Incidents"));
        assert!(ics.ends_with("END:VCALENDAR\r\n"));
        for line in ics.split("\r\n") {
            assert!(line.len() <= 75, "unfolded: {line}");
        }
        let unfolded = ics.replace("\r\n ", "");
        assert!(unfolded.contains("ATTENDEE;CN=\"Åsa 'Ops' Berg\";ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:asa@kth.se"));
    }

    #[test]
    fn welcome_mail_speaks_the_contacts_language_and_gives_the_link_to_technical_contacts() {
        let w = Welcome {
            organization: "KTH",
            contact: "Åsa",
            docs_url: "https://docs.example.com",
            support_address: "support@example.com",
            login: Some(("asa@kth.se", "https://varde.example.com/welcome/abc")),
            link_days: 7,
            chat_room: true,
        };
        let (subject, body) = w.text(crate::values::Language::Swedish);
        assert_eq!(subject, "Välkommen till molnet, KTH");
        assert!(body.starts_with("Hej Åsa,"));
        assert!(body.contains("användarnamn asa@kth.se"));
        assert!(body.contains("(giltig i 7 dagar):\nhttps://varde.example.com/welcome/abc"));
        assert!(body.contains("chattrum"));
        let plain = Welcome {
            login: None,
            chat_room: false,
            ..w
        };
        let (_, body) = plain.text(crate::values::Language::English);
        assert!(!body.contains("welcome/abc"));
        assert!(!body.contains("chat"));
        assert!(
            body.contains("Documentation and configuration examples: https://docs.example.com")
        );
    }

    #[test]
    fn quotas_scale_with_the_units_on_contract() {
        assert_eq!(
            quotas::unified(2),
            [
                ("class:MEMORY_MB".to_string(), 131072),
                ("class:VCPU".to_string(), 32),
                ("servers".to_string(), 20)
            ]
        );
        assert_eq!(quotas::nova(1)[0], ("cores".to_string(), 16));
    }

    #[test]
    fn names_follow_the_organisation_id() {
        assert_eq!(names::domain("varde", OrganizationId(42)), "varde-42");
        assert_eq!(names::project("varde", OrganizationId(42)), "varde-42-prod");
        assert_eq!(names::user(" Ops@Example.SE "), "ops@example.se");
    }
}
