//! Roles, and what each may see and change.
//!
//! Visibility is decided here and enforced by storage queries: a unit-scoped role sees the tasks of
//! its own unit (and of the units its unit succeeded), an area committee the tasks of its area;
//! anything else answers "not found", so a user cannot even learn that another unit's object exists.

pub mod password;

use serde::{Deserialize, Serialize};

/// A user's role. Every account belongs to a unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// 领导小组办公室: imports documents, edits the registry, manages users.
    Admin,
    /// 信息联络员 of a department: its own unit's work.
    Liaison,
    /// 领导: reads everything, changes nothing.
    Leader,
    /// 片区管委会: its area's work.
    AreaCommittee,
    /// 设区市人民政府: its own unit's work.
    CityGov,
}

impl Role {
    pub const ALL: [Role; 5] = [
        Role::Admin,
        Role::Liaison,
        Role::Leader,
        Role::AreaCommittee,
        Role::CityGov,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Role::Admin => "领导小组办公室",
            Role::Liaison => "信息联络员",
            Role::Leader => "领导",
            Role::AreaCommittee => "片区管委会",
            Role::CityGov => "设区市人民政府",
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Liaison => "liaison",
            Role::Leader => "leader",
            Role::AreaCommittee => "area_committee",
            Role::CityGov => "city_gov",
        }
    }

    pub fn from_code(code: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.code() == code)
    }

    /// Whether this role reads the whole ledger.
    pub fn sees_everything(self) -> bool {
        matches!(self, Role::Admin | Role::Leader)
    }
}

/// What a request needs before its handler runs. Every route names one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone, signed in or not (login page, assets, health).
    Public,
    /// Any signed-in user; the handler scopes what it shows.
    Reader,
    /// Signed in and allowed to do their unit's work (file reports, answer supervision items):
    /// every role but the read-only leader. The handler checks the object is the unit's own.
    Writer,
    /// Signed in and allowed to change the ledger (import, registry edits, users).
    Admin,
    /// A leader's 批示 on a task (it becomes a supervision item), or the office recording one.
    Instruct,
}

impl Access {
    /// Whether a signed-in user of `role` passes.
    pub fn allows(self, role: Role) -> bool {
        match self {
            Access::Public | Access::Reader => true,
            Access::Writer => role != Role::Leader,
            Access::Admin => role == Role::Admin,
            Access::Instruct => matches!(role, Role::Admin | Role::Leader),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_admin_changes_the_ledger() {
        for role in Role::ALL {
            assert_eq!(Access::Admin.allows(role), role == Role::Admin);
            assert!(Access::Reader.allows(role));
            assert_eq!(Access::Writer.allows(role), role != Role::Leader);
            assert_eq!(
                Access::Instruct.allows(role),
                matches!(role, Role::Admin | Role::Leader)
            );
            assert_eq!(Role::from_code(role.code()), Some(role));
        }
        assert!(Role::Leader.sees_everything());
        assert!(!Role::Liaison.sees_everything());
    }
}
