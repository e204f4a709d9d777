//! The rules, without HTTP and without SQL: who may do what, and what is valid.

pub mod access;
pub mod attachments;
pub mod custom_fields;
pub mod files;
pub mod issue_changes;
pub mod issue_create;
pub mod issue_query;
pub mod issue_update;
pub mod issues;
pub mod news;
pub mod oauth;
pub mod password;
pub mod permissions;
pub mod projects;
pub mod query;
pub mod reference;
pub mod relations;
pub mod roles;
pub mod search;
pub mod settings;
pub mod thumbnails;
pub mod time_entries;
pub mod trackers;
pub mod users;
pub mod values;
pub mod wiki;

/// Why a request is refused; the HTTP layer turns it into 401/403.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Denial {
    /// Anonymous caller where a login is needed (401, or 403 with the REST API off).
    LoginRequired,
    Forbidden,
}

/// Who is asking, as the rules see it.
#[derive(Debug, Clone, Copy)]
pub struct Caller {
    pub user_id: i64,
    pub logged: bool,
    pub admin: bool,
    /// An OAuth token's scopes (`permissions::scope_bits`): the permissions it may use,
    /// whatever the roles grant. None: not limited.
    pub scopes: Option<u128>,
}

impl Caller {
    /// The names among `names` this caller may use at all (all of them unless an OAuth
    /// token limits it).
    pub fn in_scope<'a>(&self, names: &[&'a str]) -> Vec<&'a str> {
        match self.scopes {
            None => names.to_vec(),
            Some(bits) => names
                .iter()
                .copied()
                .filter(|n| permissions::in_scope(bits, n))
                .collect(),
        }
    }

    /// Redmine's `deny_access`: 403 for a logged-in user, "login required" otherwise.
    pub fn deny(&self) -> Denial {
        if self.logged {
            Denial::Forbidden
        } else {
            Denial::LoginRequired
        }
    }

    pub fn require_login(&self) -> Result<(), Denial> {
        if self.logged {
            Ok(())
        } else {
            Err(Denial::LoginRequired)
        }
    }

    pub fn require_admin(&self) -> Result<(), Denial> {
        if self.logged && self.admin {
            Ok(())
        } else {
            Err(self.deny())
        }
    }
}
