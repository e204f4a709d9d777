//! Users: which attributes a caller may set, validation with Redmine's messages and
//! order, and which users a caller may see.

use serde_json::Value;

use super::Caller;
use crate::domain::values::text;

/// An active account (Redmine's `User::STATUS_ACTIVE`).
pub const STATUS_ACTIVE: i64 = 1;

/// The attributes a create or update writes; `None` leaves a column as it is.
#[derive(Debug, Default, Clone)]
pub struct UserChanges {
    pub login: Option<String>,
    pub firstname: Option<String>,
    pub lastname: Option<String>,
    pub mail: Option<String>,
    pub admin: Option<bool>,
    pub status: Option<i64>,
    pub language: Option<String>,
    pub mail_notification: Option<String>,
    pub must_change_passwd: Option<bool>,
    /// A new password hash (argon2 PHC string).
    pub hashed_password: Option<String>,
    pub hide_mail: Option<bool>,
    pub time_zone: Option<String>,
    pub group_ids: Option<Vec<i64>>,
    /// Custom field values to store, by field.
    pub custom: Vec<(i64, Vec<String>)>,
    /// Stored files of attachment fields these values replace, removed once saved.
    pub replaced_files: Vec<(String, String)>,
}

pub const MAIL_NOTIFICATIONS: &[&str] = &[
    "all",
    "selected",
    "only_my_events",
    "only_assigned",
    "only_owner",
    "none",
];

/// Which endpoint is writing, since the safe attributes differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Writer {
    /// `POST /users` (admin)
    AdminCreate,
    /// `PUT /users/:id` (admin)
    AdminUpdate,
    /// `PUT /my/account`, by the user himself (admin or not)
    Own { admin: bool },
}

/// The user as it would be after the write, for validation.
#[derive(Debug, Default, Clone)]
pub struct Candidate {
    pub login: String,
    pub firstname: String,
    pub lastname: String,
    pub mail: Option<String>,
    pub status: Option<i64>,
    pub mail_notification: String,
    /// A password being set now (None: unchanged or none).
    pub password: Option<String>,
    pub password_confirmation: Option<String>,
}

/// The parts of the request the caller may change, read from the `user` hash.
pub struct Input {
    pub changes: UserChanges,
    pub password: Option<String>,
    pub password_confirmation: Option<String>,
    pub generate_password: bool,
    pub status_given: bool,
}

/// Rails' boolean cast: "1", "true", "t", "on" (any case) and true are true; blank is nil.
pub fn cast_bool(v: &Value) -> Option<bool> {
    match v {
        Value::Bool(b) => Some(*b),
        Value::Number(n) => Some(n.as_i64() != Some(0)),
        Value::String(s) if s.trim().is_empty() => None,
        Value::String(s) => Some(!matches!(
            s.trim().to_ascii_lowercase().as_str(),
            "0" | "f" | "false" | "off"
        )),
        _ => None,
    }
}

/// Reads the safe attributes of `user` (and `pref`) for this writer; everything else is
/// silently ignored, as Redmine does.
pub fn read_input(writer: Writer, user: &Value, pref: Option<&Value>) -> Input {
    let admin = match writer {
        Writer::AdminCreate | Writer::AdminUpdate => true,
        Writer::Own { admin } => admin,
    };
    let get = |k: &str| user.get(k);
    let mut c = UserChanges::default();
    let string = |k: &str| get(k).map(|v| text(v).unwrap_or_default());
    c.firstname = string("firstname");
    c.lastname = string("lastname");
    c.mail = string("mail").map(|m| m.trim().to_owned());
    c.mail_notification = string("mail_notification");
    c.language = string("language");
    let mut status_given = false;
    let mut password = None;
    let mut password_confirmation = None;
    let mut generate_password = false;
    if admin {
        c.login = string("login");
        c.admin = get("admin").map(|v| cast_bool(v).unwrap_or(false));
        if let Some(s) = get("status") {
            status_given = true;
            c.status = Some(
                text(s)
                    .map(|t| crate::domain::values::ruby_to_i(&t))
                    .unwrap_or(0),
            );
        }
        c.must_change_passwd = get("must_change_passwd").map(|v| cast_bool(v).unwrap_or(false));
        generate_password = get("generate_password")
            .and_then(cast_bool)
            .unwrap_or(false);
        if matches!(writer, Writer::AdminCreate | Writer::AdminUpdate) {
            let pw = get("password").and_then(text);
            let confirmation = get("password_confirmation").and_then(text);
            match writer {
                // on create a given password is validated even when blank
                Writer::AdminCreate => {
                    password = pw;
                    password_confirmation = confirmation;
                }
                _ if pw.as_deref().is_some_and(|p| !p.is_empty()) => {
                    password = pw;
                    password_confirmation = confirmation;
                }
                _ => {}
            }
        }
        // a user of an external authentication source keeps no password here
        let external = get("auth_source_id")
            .and_then(text)
            .is_some_and(|t| crate::domain::values::ruby_to_i(&t) > 0);
        if external {
            password = None;
            password_confirmation = None;
            generate_password = false;
        }
        if writer != Writer::AdminCreate {
            if let Some(Value::Array(ids)) = get("group_ids") {
                c.group_ids = Some(
                    ids.iter()
                        .filter_map(|v| text(v).map(|t| crate::domain::values::ruby_to_i(&t)))
                        .filter(|id| *id > 0)
                        .collect(),
                );
            } else if get("group_ids").is_some() {
                c.group_ids = Some(Vec::new());
            }
        }
    }
    if let Some(pref) = pref {
        c.hide_mail = pref.get("hide_mail").and_then(cast_bool);
        c.time_zone = pref.get("time_zone").and_then(text);
    }
    Input {
        changes: c,
        password,
        password_confirmation,
        generate_password,
        status_given,
    }
}

/// Whether an address matches Redmine's e-mail format:
/// `local@label.label…` with a last label of two or more letters or an `xn--` label.
pub fn valid_mail(mail: &str) -> bool {
    let Some((local, domain)) = mail.split_once('@') else {
        return false;
    };
    if local.is_empty() || local.chars().any(char::is_whitespace) || domain.contains('@') {
        return false;
    }
    let domain = domain.to_ascii_lowercase();
    let labels: Vec<&str> = domain.split('.').collect();
    if labels.len() < 2 {
        return false;
    }
    let (last, rest) = labels.split_last().expect("two labels");
    let label_ok = |l: &str| {
        !l.is_empty()
            && l.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    };
    let last_ok = if let Some(puny) = last.strip_prefix("xn--") {
        !puny.is_empty() && label_ok(puny)
    } else {
        last.len() >= 2 && last.bytes().all(|b| b.is_ascii_lowercase())
    };
    last_ok && rest.iter().all(|l| label_ok(l))
}

fn valid_login(login: &str) -> bool {
    login
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'@' | b'.'))
}

/// Results of the uniqueness checks, done by the store.
#[derive(Debug, Default, Clone, Copy)]
pub struct Taken {
    pub login: bool,
    pub mail: bool,
}

/// Validation messages in the order Redmine 5.0.4 produces them (users.md §5.3).
pub fn validate(
    c: &Candidate,
    taken: Taken,
    status_given: bool,
    password_min_length: usize,
) -> Vec<String> {
    let mut e = Vec::new();
    if status_given && !matches!(c.status, Some(1..=3)) {
        e.push("Status is invalid".to_owned());
    }
    match c.mail.as_deref() {
        None | Some("") => e.push("Email cannot be blank".to_owned()),
        Some(m) => {
            if !valid_mail(m) {
                e.push("Email is invalid".to_owned());
            }
            if m.chars().count() > 254 {
                e.push("Email is too long (maximum is 254 characters)".to_owned());
            }
            if taken.mail {
                e.push("Email has already been taken".to_owned());
            }
        }
    }
    let blank = |s: &str| s.trim().is_empty();
    if blank(&c.login) {
        e.push("Login cannot be blank".to_owned());
    }
    if blank(&c.firstname) {
        e.push("First name cannot be blank".to_owned());
    }
    if blank(&c.lastname) {
        e.push("Last name cannot be blank".to_owned());
    }
    if !c.login.is_empty() {
        if taken.login {
            e.push("Login has already been taken".to_owned());
        }
        if !valid_login(&c.login) {
            e.push("Login is invalid".to_owned());
        }
        if c.login.chars().count() > 60 {
            e.push("Login is too long (maximum is 60 characters)".to_owned());
        }
    }
    if c.firstname.chars().count() > 30 {
        e.push("First name is too long (maximum is 30 characters)".to_owned());
    }
    if c.lastname.chars().count() > 30 {
        e.push("Last name is too long (maximum is 30 characters)".to_owned());
    }
    if !c.mail_notification.is_empty()
        && !MAIL_NOTIFICATIONS.contains(&c.mail_notification.as_str())
    {
        e.push("Email notifications is not included in the list".to_owned());
    }
    if let Some(pw) = &c.password {
        if pw.chars().count() < password_min_length {
            e.push(format!(
                "Password is too short (minimum is {password_min_length} characters)"
            ));
        }
        if c.password_confirmation.as_ref().is_some_and(|pc| pc != pw) {
            e.push("Password doesn't match confirmation".to_owned());
        }
    }
    e
}

/// What a caller may see of a user (users.md §2.2).
#[derive(Debug, Clone, Copy)]
pub struct Exposure {
    pub admin_flag: bool,
    pub mail: bool,
    pub private: bool,
    pub status: bool,
}

pub fn exposure(caller: &Caller, target_id: i64, target_hide_mail: bool) -> Exposure {
    let own = caller.logged && caller.user_id == target_id;
    Exposure {
        admin_flag: caller.admin || own,
        mail: caller.admin || !target_hide_mail,
        private: caller.admin || own,
        status: caller.admin,
    }
}

/// Deleting oneself needs the `unsubscribe` setting and, for an admin, another active admin.
pub fn may_delete_self(caller: &Caller, unsubscribe: bool, other_admin: bool) -> bool {
    unsubscribe && (!caller.admin || other_admin)
}

/// The name a principal is shown with: a user's first and last name (Redmine's default
/// format), a group's (or a builtin principal's) name, kept in `lastname`.
pub fn principal_name(kind: &str, first: &str, last: &str) -> String {
    match kind {
        "User" => format!("{first} {last}"),
        _ => last.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mail_format() {
        assert!(valid_mail("a@example.net"));
        assert!(valid_mail("A.B+c@sub.Example.COM"));
        assert!(valid_mail("x@xn--bcher-kva.xn--p1ai"));
        assert!(!valid_mail("a@b"));
        assert!(!valid_mail("not-an-address"));
        assert!(!valid_mail("a b@example.net"));
        assert!(!valid_mail("a@example.n"));
        assert!(!valid_mail("a@@example.net"));
        assert!(!valid_mail("a@exa_mple.net"));
    }

    #[test]
    fn messages_in_redmine_order() {
        let c = Candidate {
            login: "taken".into(),
            mail: Some("x".into()),
            password: Some("1".into()),
            ..Default::default()
        };
        let taken = Taken {
            login: true,
            mail: false,
        };
        assert_eq!(
            validate(&c, taken, false, 8),
            vec![
                "Email is invalid",
                "First name cannot be blank",
                "Last name cannot be blank",
                "Login has already been taken",
                "Password is too short (minimum is 8 characters)"
            ]
        );
    }
}
