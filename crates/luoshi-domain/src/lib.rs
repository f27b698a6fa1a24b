//! Pure domain rules. No I/O, no clock: storage and HTTP build on these. Modules go by the same
//! feature words as every crate above, with three shared ones:
//!
//! - `accounts`: roles, what each may see and change, the password policy;
//! - `registry`: unit kinds, how a unit's name is keyed, the registry Luoshi ships (aliases,
//!   successors, the three areas), the office's own unit;
//! - `ledger`: which task of a new version is which task of the stored one;
//! - `reporting`: what a report holds, its review state machine, the quarterly round, where an
//!   obligation stands, scorecards and a task's light;
//! - `supervision`: the state machine of a supervision item, its grades, reminder schedule and
//!   light;
//! - `group`: the leading group's meetings;
//! - `indicators`: which way a target is met, the level a milestone asks for, the path to it, the
//!   light and projection with their reasons, and the checks on a filed value;
//! - `replication`: 制度创新成果 — a batch's level, the places a 推广范围 asks for, the checks on
//!   a replication record, and what an achievement's records add up to;
//! - `notify`: what a notification says and the typed target it points at;
//! - `settings`: the office's settings and their rules;
//! - `audit`: the audit log's actions and objects in Chinese;
//! - shared: `calendar` (civil dates), `periods` (reporting periods and their deadlines), `lights`
//!   (red/yellow/green from time left and lag behind expected progress).
//!
//! Closed sets of values that are stored and sent as codes are declared with [`codes!`].

pub mod accounts;
pub mod audit;
pub mod calendar;
pub mod group;
pub mod indicators;
pub mod ledger;
pub mod lights;
pub mod limits;
pub mod notify;
pub mod periods;
pub mod registry;
pub mod replication;
pub mod reporting;
pub mod settings;
pub mod supervision;

/// Declares a closed set of values, each with a stable code (what the database stores and JSON
/// carries) and a Chinese label: `ALL`, `code()`, `from_code()`, `label()` and serde by code.
#[macro_export]
macro_rules! codes {
    ($(#[$m:meta])* pub enum $name:ident {
        $($(#[$vm:meta])* $v:ident = ($code:literal, $label:literal)),+ $(,)?
    }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        pub enum $name {
            $($(#[$vm])* #[serde(rename = $code)] $v),+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$v),+];

            pub fn code(self) -> &'static str {
                match self {
                    $($name::$v => $code),+
                }
            }

            pub fn from_code(code: &str) -> Option<$name> {
                match code {
                    $($code => Some($name::$v),)+
                    _ => None,
                }
            }

            pub fn label(self) -> &'static str {
                match self {
                    $($name::$v => $label),+
                }
            }
        }
    };
}

#[cfg(test)]
mod tests {
    codes! {
        /// A test set.
        pub enum Sample {
            One = ("one", "一"),
            /// The second.
            Two = ("two", "二"),
        }
    }

    #[test]
    fn codes_round_trip_and_serialise_by_code() {
        for (v, code, label) in [(Sample::One, "one", "一"), (Sample::Two, "two", "二")] {
            assert_eq!((v.code(), v.label()), (code, label));
            assert_eq!(Sample::from_code(code), Some(v));
            assert_eq!(serde_json::to_string(&v).unwrap(), format!("\"{code}\""));
        }
        assert_eq!(Sample::from_code("three"), None);
        assert_eq!(Sample::ALL.len(), 2);
    }
}
