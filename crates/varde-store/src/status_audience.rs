//! Audience-specific notices: an incident or maintenance on a component whose service (at its
//! site) an organisation has on a contract in force is told to the organisation's technical
//! contacts, without their having subscribed: by e-mail, and by SMS for major and critical
//! impact, in the contact's language. An organisation turns this off in its portal settings
//! (`portal_settings.incident_notices`).
//!
//! Each contact is told through a subscriber row of its address (`audience_only` until the
//! address subscribes on the public page itself), so a contact who also subscribed is told
//! once, an unsubscribe link in a notice works, and the notices go through the same claimed,
//! retried delivery as every other status notification.

use std::sync::LazyLock;

use varde_core::catalogue::{CATALOGUE, ProductKind};

/// An update older than this when it is fanned out (the demo's history, a backlog after a
/// long stop) is not told to the audience: it is news no more.
const FRESH_MICROS: i64 = 24 * 3600 * 1_000_000;

/// The impacts told by SMS as well as by e-mail.
const SMS_IMPACTS: &str = "('major', 'critical')";

/// The contacts told of update `$1` at `$2` (now), on day `$3` (`YYYY-MM-DD`): one row per
/// contact and organisation, with its address, phone, language and the event's impact.
static AUDIENCE: LazyLock<String> = LazyLock::new(|| {
    let service_of_product: String = CATALOGUE
        .iter()
        .filter_map(|p| match p.kind {
            ProductKind::Service(s) => Some(format!(" WHEN '{}' THEN '{}'", p.code, s.code())),
            ProductKind::Support(_) => None,
        })
        .collect();
    format!(
        "SELECT DISTINCT c.email, c.phone, c.language, e.impact FROM status_updates u \
         JOIN status_events e ON e.id = u.event_id \
         JOIN status_event_components ec ON ec.event_id = e.id \
         JOIN status_components comp ON comp.id = ec.component_id \
         JOIN product_lines pl ON comp.service = (CASE pl.product_code{service_of_product} END) \
              AND (comp.site IS NULL OR pl.site IS NULL OR pl.site = comp.site) \
         JOIN contracts k ON k.id = pl.contract_id AND k.starts_on <= $3 AND (k.ends_on IS NULL OR k.ends_on >= $3) \
         JOIN contacts c ON c.organization_id = k.organization_id \
         WHERE u.id = $1 AND u.created_at >= $2 - {FRESH_MICROS} AND (' ' || c.roles || ' ') LIKE '% technical %' \
           AND NOT EXISTS (SELECT 1 FROM portal_settings ps WHERE ps.organization_id = c.organization_id AND NOT ps.incident_notices)"
    )
});

/// Makes the subscriber rows the audience of update `$1` lacks (`$2`: now), e-mail and SMS.
pub(crate) static AUDIENCE_SUBSCRIBERS: LazyLock<[String; 2]> = LazyLock::new(|| {
    let insert = "INSERT INTO status_subscribers (channel, target, language, all_components, confirmed_at, created_at, audience_only)";
    let audience = AUDIENCE.as_str();
    [
        format!(
            "{insert} SELECT DISTINCT 'email', a.email, a.language, FALSE, $2, $2, TRUE FROM ({audience}) a WHERE TRUE \
             ON CONFLICT (channel, target) DO NOTHING"
        ),
        format!(
            "{insert} SELECT DISTINCT 'sms', a.phone, a.language, FALSE, $2, $2, TRUE FROM ({audience}) a \
             WHERE a.phone IS NOT NULL AND a.impact IN {SMS_IMPACTS} ON CONFLICT (channel, target) DO NOTHING"
        ),
    ]
});

/// Queues update `$1` for its audience (`$2`: now), once per subscriber.
pub(crate) static AUDIENCE_NOTIFICATIONS: LazyLock<String> = LazyLock::new(|| {
    format!(
        "INSERT INTO status_notifications (kind, update_id, subscriber_id, next_attempt_at, created_at) \
         SELECT DISTINCT 'update', $1, s.id, $2, $2 FROM ({}) a JOIN status_subscribers s \
           ON (s.channel = 'email' AND s.target = a.email) \
           OR (s.channel = 'sms' AND s.target = a.phone AND a.impact IN {SMS_IMPACTS}) \
         WHERE s.disabled_at IS NULL AND s.unsubscribed_at IS NULL \
         ON CONFLICT (update_id, subscriber_id) DO NOTHING",
        AUDIENCE.as_str()
    )
});
