//! `string_enum!`: server-valued string enums that never fail on a new value.

/// Declares a string enum whose values come from a server: the known values
/// as variants, plus `Unknown(String)` keeping any value this library does
/// not know yet, so a new value from the platform never breaks decoding.
///
/// Generates `as_str`, `parse`, `From<&str>`, `FromStr` (infallible),
/// `Display`, `Serialize` and `Deserialize` (as the plain string).
///
/// ```
/// creator_core::string_enum! {
///     /// A connection's state.
///     pub enum Status {
///         /// Ready.
///         Active = "ACTIVE",
///         /// Waiting for the user.
///         Pending = "PENDING",
///     }
/// }
///
/// assert_eq!(Status::parse("ACTIVE"), Status::Active);
/// assert_eq!(Status::from("REVOKED"), Status::Unknown("REVOKED".into()));
/// assert_eq!(Status::Pending.to_string(), "PENDING");
/// let s: Status = serde_json::from_str(r#""GONE""#).unwrap();
/// assert_eq!(serde_json::to_string(&s).unwrap(), r#""GONE""#);
/// ```
#[macro_export]
macro_rules! string_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $wire:literal ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        $vis enum $name {
            $( $(#[$vmeta])* $variant, )+
            /// A value this library does not know yet, kept exactly as sent.
            Unknown(::std::string::String),
        }

        impl $name {
            /// The value exactly as the platform spells it.
            pub fn as_str(&self) -> &str {
                match self {
                    $( Self::$variant => $wire, )+
                    Self::Unknown(other) => other,
                }
            }

            /// Reads a value; one this library does not know becomes `Unknown`.
            pub fn parse(value: &str) -> Self {
                match value {
                    $( $wire => Self::$variant, )+
                    other => Self::Unknown(other.to_owned()),
                }
            }
        }

        impl ::std::convert::From<&str> for $name {
            fn from(value: &str) -> Self {
                Self::parse(value)
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = ::std::convert::Infallible;
            fn from_str(value: &str) -> ::std::result::Result<Self, Self::Err> {
                Ok(Self::parse(value))
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl $crate::__private::serde::Serialize for $name {
            fn serialize<S: $crate::__private::serde::Serializer>(
                &self,
                serializer: S,
            ) -> ::std::result::Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> $crate::__private::serde::Deserialize<'de> for $name {
            fn deserialize<D: $crate::__private::serde::Deserializer<'de>>(
                deserializer: D,
            ) -> ::std::result::Result<Self, D::Error> {
                let raw = <::std::string::String as $crate::__private::serde::Deserialize>::deserialize(deserializer)?;
                Ok(Self::parse(&raw))
            }
        }
    };
}
