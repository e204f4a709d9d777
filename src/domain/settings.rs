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
    (
        "timelog_required_fields",
        "",
        "time entry fields that must be given: issue_id, comments (comma-separated)",
    ),
    (
        "timelog_accept_0_hours",
        "1",
        "a time entry may log 0 hours (1/0)",
    ),
    (
        "timelog_max_hours_per_day",
        "999",
        "most hours a user may log on one day (0: no limit)",
    ),
    (
        "timelog_accept_future_dates",
        "1",
        "time may be logged on future dates (1/0)",
    ),
    (
        "attachment_max_size",
        "5120",
        "largest file accepted by POST /uploads, in KiB",
    ),
    (
        "attachment_extensions_allowed",
        "",
        "file extensions an attachment may have, comma-separated (empty: any)",
    ),
    (
        "attachment_extensions_denied",
        "",
        "file extensions an attachment may not have, comma-separated",
    ),
    (
        "thumbnails_size",
        "100",
        "default thumbnail size, in pixels (the bounding square)",
    ),
    (
        "timespan_format",
        "minutes",
        "how hours are written in messages: minutes (1:30) or decimal (1.50)",
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
    pub timelog: Timelog,
    /// KiB.
    pub attachment_max_size: u64,
    /// Pixels.
    pub thumbnails_size: u32,
    /// Comma-separated extensions.
    pub attachment_extensions_allowed: String,
    pub attachment_extensions_denied: String,
}

/// The settings that decide what a time entry may log.
#[derive(Debug, Clone)]
pub struct Timelog {
    pub required_issue: bool,
    pub required_comments: bool,
    pub accept_0_hours: bool,
    /// 0 or less: no limit.
    pub max_hours_per_day: f64,
    pub accept_future_dates: bool,
    /// Hours written `1.50` rather than `1:30`.
    pub decimal_timespans: bool,
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
            attachment_max_size: values["attachment_max_size"].trim().parse().unwrap_or(5120),
            thumbnails_size: values["thumbnails_size"].trim().parse().unwrap_or(100),
            attachment_extensions_allowed: values["attachment_extensions_allowed"].to_owned(),
            attachment_extensions_denied: values["attachment_extensions_denied"].to_owned(),
            timelog: Timelog {
                required_issue: values["timelog_required_fields"].contains("issue_id"),
                required_comments: values["timelog_required_fields"].contains("comments"),
                accept_0_hours: flag("timelog_accept_0_hours"),
                max_hours_per_day: values["timelog_max_hours_per_day"]
                    .trim()
                    .parse()
                    .unwrap_or(999.0),
                accept_future_dates: flag("timelog_accept_future_dates"),
                decimal_timespans: values["timespan_format"].trim() == "decimal",
            },
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
