//! A role as the rules see it: its permissions and visibility settings.

#[derive(Debug, Clone)]
pub struct Role {
    pub id: i64,
    pub name: String,
    pub assignable: bool,
    /// 0 for a role given through memberships; 1 Non member, 2 Anonymous.
    pub builtin: i64,
    /// One permission name per line.
    pub permissions: String,
    /// The same as a set (`permissions::bits`), for the checks.
    pub grants: u128,
    pub issues_visibility: String,
    pub users_visibility: String,
    pub time_entries_visibility: String,
    pub all_roles_managed: bool,
}

impl Role {
    pub fn permission_names(&self) -> impl Iterator<Item = &str> {
        self.permissions.lines().filter(|l| !l.is_empty())
    }

    /// Whether the role holds this permission (given to it, not public).
    pub fn holds(&self, name: &str) -> bool {
        super::permissions::in_scope(self.grants, name)
    }
}
