//! Administration settings, stored in the database and read at startup.

use std::collections::BTreeMap;

/// Names, defaults and meaning of the settings carmine honours. Unlike Redmine, the REST
/// API is enabled by default: a server without a web UI is of no use with it off.
pub const KNOWN: &[(&str, &str, &str)] = &[
    (
        "rest_api_enabled",
        "1",
        "accept API keys and HTTP Basic credentials (1/0)",
    ),
    ("login_required", "0", "refuse anonymous requests (1/0)"),
    (
        "jsonp_enabled",
        "0",
        "wrap JSON in the `callback` parameter (1/0)",
    ),
    ("password_min_length", "8", "minimum length of a password"),
    (
        "default_users_hide_mail",
        "1",
        "new users hide their e-mail address (1/0)",
    ),
    (
        "unsubscribe",
        "1",
        "users may delete their own account (1/0)",
    ),
    (
        "admin_api_enabled",
        "0",
        "carmine extension: admins manage trackers, statuses, enumerations, roles, workflows and custom fields through the API (1/0)",
    ),
    (
        "cross_project_issue_relations",
        "0",
        "issues of different projects may be related (1/0)",
    ),
    (
        "close_duplicate_issues",
        "1",
        "closing an issue closes the open issues that duplicate it (1/0)",
    ),
    (
        "link_copied_issue",
        "ask",
        "a copied issue gets a copied_to relation: yes, no, or ask (the request's link_copy=1)",
    ),
    (
        "non_working_week_days",
        "6,7",
        "week days without work when issues are rescheduled (1 = Monday … 7 = Sunday)",
    ),
];

#[derive(Debug, Clone)]
pub struct Settings {
    pub rest_api_enabled: bool,
    pub login_required: bool,
    pub jsonp_enabled: bool,
    pub password_min_length: usize,
    pub default_users_hide_mail: bool,
    pub unsubscribe: bool,
    pub admin_api_enabled: bool,
    pub cross_project_issue_relations: bool,
    pub close_duplicate_issues: bool,
    /// `yes`, `no` or `ask`.
    pub link_copied_issue: String,
    pub calendar: crate::domain::relations::Calendar,
}

impl Settings {
    pub fn from_stored(stored: &[(String, String)]) -> Settings {
        let mut values: BTreeMap<&str, &str> = KNOWN.iter().map(|(n, d, _)| (*n, *d)).collect();
        for (name, value) in stored {
            if let Some(v) = values.get_mut(name.as_str()) {
                *v = value.as_str();
            }
        }
        let flag = |n: &str| matches!(values[n].trim(), "1" | "true");
        Settings {
            rest_api_enabled: flag("rest_api_enabled"),
            login_required: flag("login_required"),
            jsonp_enabled: flag("jsonp_enabled"),
            password_min_length: values["password_min_length"].trim().parse().unwrap_or(8),
            default_users_hide_mail: flag("default_users_hide_mail"),
            unsubscribe: flag("unsubscribe"),
            admin_api_enabled: flag("admin_api_enabled"),
            cross_project_issue_relations: flag("cross_project_issue_relations"),
            close_duplicate_issues: flag("close_duplicate_issues"),
            link_copied_issue: values["link_copied_issue"].trim().to_owned(),
            calendar: crate::domain::relations::Calendar::new(values["non_working_week_days"]),
        }
    }

    pub fn is_known(name: &str) -> bool {
        KNOWN.iter().any(|(n, _, _)| *n == name)
    }
}

impl Default for Settings {
    fn default() -> Self {
        Settings::from_stored(&[])
    }
}
