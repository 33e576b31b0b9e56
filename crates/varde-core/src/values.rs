//! Small values that are parsed once at the edge and trusted afterwards ("parse, don't validate").

use std::fmt;

/// Why a value was refused. The message is meant for the person who typed it.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Invalid(pub String);

fn invalid<T>(msg: impl Into<String>) -> Result<T, Invalid> {
    Err(Invalid(msg.into()))
}

/// An e-mail address: `local@domain`, domain lowercased, at most 254 characters.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EmailAddress(String);

impl EmailAddress {
    pub fn parse(raw: &str) -> Result<EmailAddress, Invalid> {
        let s = raw.trim();
        if s.is_empty() {
            return invalid("an e-mail address is required");
        }
        if s.len() > 254 {
            return invalid("an e-mail address has at most 254 characters");
        }
        let Some((local, domain)) = s.rsplit_once('@') else {
            return invalid(format!("'{s}' is not an e-mail address (no @)"));
        };
        let local_ok = !local.is_empty()
            && local.len() <= 64
            && !local.starts_with('.')
            && !local.ends_with('.')
            && !local.contains("..")
            && local
                .chars()
                .all(|c| c.is_alphanumeric() || "!#$%&'*+-/=?^_`{|}~.".contains(c));
        if !local_ok {
            return invalid(format!("'{s}' is not an e-mail address (bad local part)"));
        }
        let domain = MailDomain::parse(domain)
            .map_err(|_| Invalid(format!("'{s}' is not an e-mail address (bad domain)")))?;
        Ok(EmailAddress(format!("{local}@{}", domain.as_str())))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The part after the `@`, used to match incoming mail to an organisation.
    pub fn domain(&self) -> MailDomain {
        let d = self.0.rsplit_once('@').map(|(_, d)| d).unwrap_or_default();
        MailDomain(d.to_string())
    }
}

impl fmt::Display for EmailAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A mail domain such as `kth.se`: lowercase labels separated by dots, at least two labels.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MailDomain(String);

impl MailDomain {
    pub fn parse(raw: &str) -> Result<MailDomain, Invalid> {
        let d = raw.trim().trim_end_matches('.').to_lowercase();
        let labels: Vec<&str> = d.split('.').collect();
        let ok = d.len() <= 253
            && labels.len() >= 2
            && labels.iter().all(|l| {
                !l.is_empty()
                    && l.len() <= 63
                    && !l.starts_with('-')
                    && !l.ends_with('-')
                    && l.chars().all(|c| c.is_alphanumeric() || c == '-')
            });
        if ok {
            Ok(MailDomain(d))
        } else {
            invalid(format!("'{}' is not a mail domain", raw.trim()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for MailDomain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A phone number in E.164 form: `+` and 8 to 15 digits. Spaces, dashes and brackets are
/// accepted on input and removed.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct PhoneNumber(String);

impl PhoneNumber {
    pub fn parse(raw: &str) -> Result<PhoneNumber, Invalid> {
        let compact: String = raw
            .trim()
            .chars()
            .filter(|c| !matches!(c, ' ' | '-' | '(' | ')' | '.'))
            .collect();
        let Some(digits) = compact.strip_prefix('+') else {
            return invalid(
                "a phone number is written in E.164 form, starting with + and the country code",
            );
        };
        if !(8..=15).contains(&digits.len())
            || !digits.chars().all(|c| c.is_ascii_digit())
            || digits.starts_with('0')
        {
            return invalid(format!(
                "'{}' is not an E.164 phone number (+ then 8 to 15 digits)",
                raw.trim()
            ));
        }
        Ok(PhoneNumber(compact))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An ISO 3166-1 alpha-2 country code, uppercase (`SE`, `NO`, `DK`, `FI`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Country([u8; 2]);

impl Country {
    pub fn parse(raw: &str) -> Result<Country, Invalid> {
        let s = raw.trim().to_ascii_uppercase();
        let b = s.as_bytes();
        if b.len() == 2 && b.iter().all(|c| c.is_ascii_uppercase()) {
            Ok(Country([b[0], b[1]]))
        } else {
            invalid(format!(
                "'{}' is not a two-letter ISO 3166 country code",
                raw.trim()
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).unwrap_or("??")
    }
}

impl fmt::Display for Country {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A national organisation number. Swedish (10 digits, Luhn) and Norwegian (9 digits,
/// modulus 11) numbers are checked; others are kept as written.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct OrganizationNumber(String);

impl OrganizationNumber {
    pub fn parse(raw: &str, country: Country) -> Result<OrganizationNumber, Invalid> {
        let s = raw.trim();
        let digits: String = s.chars().filter(|c| c.is_ascii_digit()).collect();
        match country.as_str() {
            "SE" => {
                if digits.len() != 10 || !luhn_ok(&digits) {
                    return invalid(format!(
                        "'{s}' is not a Swedish organisation number (NNNNNN-NNNN with a valid check digit)"
                    ));
                }
                Ok(OrganizationNumber(format!(
                    "{}-{}",
                    &digits[..6],
                    &digits[6..]
                )))
            }
            "NO" => {
                if digits.len() != 9 || !mod11_ok(&digits) {
                    return invalid(format!(
                        "'{s}' is not a Norwegian organisation number (9 digits with a valid check digit)"
                    ));
                }
                Ok(OrganizationNumber(digits))
            }
            _ => {
                if s.is_empty() || s.len() > 32 {
                    return invalid("an organisation number has 1 to 32 characters");
                }
                Ok(OrganizationNumber(s.to_string()))
            }
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn luhn_ok(digits: &str) -> bool {
    let sum: u32 = digits
        .chars()
        .rev()
        .enumerate()
        .map(|(i, c)| {
            let d = c.to_digit(10).unwrap_or(0);
            if i % 2 == 1 {
                let x = d * 2;
                if x > 9 { x - 9 } else { x }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

fn mod11_ok(digits: &str) -> bool {
    const WEIGHTS: [u32; 8] = [3, 2, 7, 6, 5, 4, 3, 2];
    let d: Vec<u32> = digits.chars().filter_map(|c| c.to_digit(10)).collect();
    if d.len() != 9 {
        return false;
    }
    let sum: u32 = d.iter().zip(WEIGHTS).map(|(a, w)| a * w).sum();
    let check = match 11 - (sum % 11) {
        11 => 0,
        10 => return false,
        c => c,
    };
    check == d[8]
}

/// A language Varde writes notifications in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Language {
    English,
    Swedish,
    NorwegianBokmal,
    Danish,
}

impl Language {
    pub const ALL: [Language; 4] = [
        Language::English,
        Language::Swedish,
        Language::NorwegianBokmal,
        Language::Danish,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Language::English => "en",
            Language::Swedish => "sv",
            Language::NorwegianBokmal => "nb",
            Language::Danish => "da",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Language::English => "English",
            Language::Swedish => "Svenska",
            Language::NorwegianBokmal => "Norsk (bokmål)",
            Language::Danish => "Dansk",
        }
    }

    pub fn parse(raw: &str) -> Result<Language, Invalid> {
        let s = raw.trim().to_ascii_lowercase();
        Language::ALL
            .into_iter()
            .find(|l| l.code() == s || (s == "no" && *l == Language::NorwegianBokmal))
            .ok_or_else(|| Invalid(format!("'{}' is not one of en, sv, nb, da", raw.trim())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_addresses() {
        assert_eq!(
            EmailAddress::parse(" Ada@Example.SE ").unwrap().as_str(),
            "Ada@example.se"
        );
        assert_eq!(
            EmailAddress::parse("a@kth.se").unwrap().domain().as_str(),
            "kth.se"
        );
        for bad in [
            "",
            "ada",
            "ada@",
            "@kth.se",
            "a b@kth.se",
            "a@localhost",
            "a..b@x.se",
        ] {
            assert!(EmailAddress::parse(bad).is_err(), "{bad} accepted");
        }
    }

    #[test]
    fn phone_numbers() {
        assert_eq!(
            PhoneNumber::parse("+46 8-790 60 00").unwrap().as_str(),
            "+4687906000"
        );
        for bad in [
            "0701234567",
            "+0701234567",
            "+46",
            "+46abc12345",
            "+1234567890123456",
        ] {
            assert!(PhoneNumber::parse(bad).is_err(), "{bad} accepted");
        }
    }

    #[test]
    fn organisation_numbers() {
        let se = Country::parse("se").unwrap();
        let no = Country::parse("NO").unwrap();
        // KTH's organisation number.
        assert_eq!(
            OrganizationNumber::parse("2021003054", se)
                .unwrap()
                .as_str(),
            "202100-3054"
        );
        assert!(OrganizationNumber::parse("202100-3055", se).is_err());
        // Sikt's organisation number.
        assert_eq!(
            OrganizationNumber::parse("919 477 822", no)
                .unwrap()
                .as_str(),
            "919477822"
        );
        assert!(OrganizationNumber::parse("919477823", no).is_err());
        let dk = Country::parse("DK").unwrap();
        assert!(OrganizationNumber::parse("DK-12345678", dk).is_ok());
    }

    #[test]
    fn countries_and_languages() {
        assert_eq!(Country::parse("se").unwrap().as_str(), "SE");
        assert!(Country::parse("SWE").is_err());
        assert_eq!(Language::parse("NB").unwrap(), Language::NorwegianBokmal);
        assert!(Language::parse("de").is_err());
    }
}
