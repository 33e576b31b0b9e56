//! Onboarding templates: the steps a run gets when an organisation's tier and services
//! match, as administrators type them, and the templates a new installation starts with.

use super::{StepAction, VARDE};
use crate::catalogue::{Service, SupportTier};
use crate::form::FieldErrors;

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

#[cfg(test)]
mod tests {
    use super::*;

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
}
