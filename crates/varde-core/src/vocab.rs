//! A small helper for closed vocabularies that are stored and sent as fixed strings.

/// Declares an enum whose variants each have a stable code (stored and sent on the wire) and a
/// human label (shown in the console), with `ALL`, `code()`, `label()` and `parse()`.
#[macro_export]
macro_rules! vocabulary {
    ($(#[$doc:meta])* $name:ident, $what:literal { $($variant:ident => $code:literal, $label:literal;)+ }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }

            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label),+ }
            }

            pub fn parse(raw: &str) -> Result<$name, $crate::values::Invalid> {
                let s = raw.trim();
                Self::ALL
                    .iter()
                    .copied()
                    .find(|v| v.code().eq_ignore_ascii_case(s))
                    .ok_or_else(|| {
                        let codes: Vec<&str> = Self::ALL.iter().map(|v| v.code()).collect();
                        $crate::values::Invalid(format!(
                            "'{}' is not a {}; use one of {}", s, $what, codes.join(", ")
                        ))
                    })
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.code())
            }
        }
    };
}
