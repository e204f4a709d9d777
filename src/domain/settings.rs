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
