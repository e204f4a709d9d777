//! What a Redmine row needs, beyond its columns, to be carmine's: YAML turned into
//! carmine's text, the tree paths carmine keeps instead of nested sets, wiki texts out of
//! their (possibly compressed) versions.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::Read;

use super::plan::Fix;
use super::source::Cell;
use super::yaml;

/// A row by column name.
pub type Named = Vec<(String, Cell)>;

pub enum Fixed {
    Keep(Named),
    /// Not imported, and why.
    Skip(String),
}

pub fn get<'r>(row: &'r Named, name: &str) -> Option<&'r Cell> {
    row.iter().find(|(n, _)| n == name).map(|(_, c)| c)
}

fn text<'r>(row: &'r Named, name: &str) -> Option<&'r str> {
    get(row, name).and_then(Cell::text)
}

fn int(row: &Named, name: &str) -> Option<i64> {
    get(row, name).and_then(Cell::int)
}

pub fn set(row: &mut Named, name: &str, value: Cell) {
    match row.iter_mut().find(|(n, _)| n == name) {
        Some((_, c)) => *c = value,
        None => row.push((name.to_owned(), value)),
    }
}

fn some(t: String) -> Cell {
    Cell::Text(t)
}

/// Carries what one row's fix needs from the rows before it.
#[derive(Default)]
pub struct Fixer {
    /// Each project's id and name paths, its parent's extended.
    project_paths: HashMap<i64, (String, String)>,
    /// Projects whose parents made a loop, made top-level.
    project_roots: HashSet<i64>,
    /// Subtasks' parents, read before the issues.
    pub issue_parents: HashMap<i64, i64>,
    /// `(page, version)` of every wiki version read, and the highest id among them.
    versions_seen: HashSet<(i64, i64)>,
    last_version_id: i64,
    /// Versions Redmine kept only as a page's current text.
    pub extra_versions: Vec<Named>,
    /// What was carried, but not entirely: message → examples.
    pub notes: BTreeMap<String, Vec<String>>,
}

impl Fixer {
    pub fn note(&mut self, message: impl Into<String>, example: impl Into<String>) {
        self.notes
            .entry(message.into())
            .or_default()
            .push(example.into());
    }

    /// Every project's id and name paths, from the parent links rather than Redmine's
    /// nested set (whose numbers are sometimes damaged): a loop or a missing parent makes
    /// a root.
    pub fn plan_projects(&mut self, projects: Vec<(i64, Option<i64>, String)>) {
        let mut by_id: HashMap<i64, (Option<i64>, String)> = projects
            .into_iter()
            .map(|(id, parent, name)| (id, (parent, name)))
            .collect();
        // a loop of parents: its smallest id becomes a top-level project
        let ids: Vec<i64> = by_id.keys().copied().collect();
        for &id in &ids {
            let (chain, looped) = ancestry(id, |p| parent_in(&by_id, p));
            if let Some(at) = looped.and_then(|p| chain.iter().position(|c| *c == p)) {
                let root = *chain[at..].iter().min().expect("a loop");
                by_id.get_mut(&root).expect("in the loop").0 = None;
                self.project_roots.insert(root);
            }
        }
        for &id in &ids {
            let (chain, _) = ancestry(id, |p| parent_in(&by_id, p));
            let names: String = chain
                .iter()
                .rev()
                .map(|p| crate::store::projects::tree_key(&by_id[p].1, *p))
                .collect();
            self.project_paths.insert(id, (path_of(&chain), names));
        }
    }

    pub fn fix(&mut self, fix: Fix, mut row: Named) -> Fixed {
        match fix {
            Fix::None => {}
            Fix::Settings => {
                let name = text(&row, "name").unwrap_or_default().to_owned();
                if !crate::domain::settings::Settings::is_known(&name) {
                    return Fixed::Skip("not a setting carmine uses".into());
                }
                let value = text(&row, "value").unwrap_or_default();
                if value.starts_with("---") {
                    let list = yaml::list(value).unwrap_or_default().join(",");
                    set(&mut row, "value", some(list));
                }
            }
            Fix::Users => {
                if int(&row, "auth_source_id").is_some() {
                    let login = text(&row, "login").unwrap_or_default().to_owned();
                    self.note(
                        "signed in through LDAP, which carmine does not offer: they sign in with an API key, or after an administrator sets a password",
                        login,
                    );
                }
            }
            Fix::Tokens => {
                let action = text(&row, "action").unwrap_or_default();
                if action != "api" {
                    return Fixed::Skip(format!(
                        "`{action}` tokens serve Redmine's web pages, feeds or mails"
                    ));
                }
            }
            Fix::Preferences => {
                let others = text(&row, "others")
                    .and_then(yaml::parse)
                    .map(|y| yaml::to_json(&y))
                    .filter(serde_json::Value::is_object)
                    .unwrap_or_else(|| serde_json::json!({}));
                set(&mut row, "others", some(others.to_string()));
            }
            Fix::Roles => {
                let mut permissions = text(&row, "permissions")
                    .and_then(yaml::list)
                    .unwrap_or_default();
                let name = text(&row, "name").unwrap_or_default().to_owned();
                // Redmine may grant an issue permission on some trackers only; carmine
                // cannot, and rather than grant it on all (showing what Redmine hid) the
                // role loses it
                let settings = text(&row, "settings")
                    .and_then(yaml::parse)
                    .map(|s| yaml::to_json(&s))
                    .unwrap_or_default();
                let limited: Vec<String> = permissions
                    .iter()
                    .filter(|p| settings["permissions_all_trackers"][p.as_str()] == "0")
                    .cloned()
                    .collect();
                for p in &limited {
                    let some = settings["permissions_tracker_ids"][p.as_str()]
                        .as_array()
                        .is_some_and(|ids| ids.iter().any(|i| i != ""));
                    if some {
                        self.note(
                            format!(
                                "`{p}` granted on some trackers only, which carmine cannot limit: \
                                 removed from these roles (grant it again to give it on every tracker)"
                            ),
                            name.clone(),
                        );
                    }
                }
                permissions.retain(|p| !limited.contains(p));
                set(&mut row, "permissions", some(permissions.join("\n")));
            }
            Fix::CustomFields => {
                let format = text(&row, "field_format").unwrap_or_default();
                if !crate::domain::reference::FIELD_FORMATS.contains(&format) {
                    return Fixed::Skip(format!("format `{format}` is not one carmine knows"));
                }
                let name = text(&row, "name").unwrap_or_default().to_owned();
                let possible = text(&row, "possible_values")
                    .and_then(yaml::list)
                    .unwrap_or_default();
                set(&mut row, "possible_values", some(possible.join("\n")));
                let store = text(&row, "format_store").and_then(yaml::parse);
                let option = |key: &str| {
                    store
                        .as_ref()
                        .and_then(|s| yaml::field(s, key))
                        .map(yaml::to_json)
                };
                if let Some(serde_json::Value::String(ext)) = option("extensions_allowed") {
                    set(&mut row, "extensions_allowed", some(ext));
                }
                for key in ["user_role", "version_status"] {
                    if option(key).is_some_and(|v| v.as_array().is_some_and(|a| !a.is_empty())) {
                        self.note(
                            format!("custom fields limited by `{key}`: carmine offers every user or version"),
                            name.clone(),
                        );
                    }
                }
                // the other options shape Redmine's web pages (a link's URL pattern, the
                // text formatting, check boxes or a select): named, not kept
                let shown_only = store
                    .as_ref()
                    .map(yaml::to_json)
                    .and_then(|j| j.as_object().cloned())
                    .unwrap_or_default();
                for (key, value) in shown_only {
                    let set = match &value {
                        serde_json::Value::String(t) => !t.is_empty(),
                        serde_json::Value::Array(a) => !a.is_empty(),
                        serde_json::Value::Null => false,
                        _ => true,
                    };
                    if set
                        && !["extensions_allowed", "user_role", "version_status"]
                            .contains(&key.as_str())
                    {
                        self.note(
                            format!(
                                "custom field options of Redmine's web pages, not kept: `{key}`"
                            ),
                            name.clone(),
                        );
                    }
                }
            }
            Fix::Projects => {
                let id = int(&row, "id").unwrap_or_default();
                if self.project_roots.contains(&id) {
                    let name = text(&row, "name").unwrap_or_default().to_owned();
                    self.note("projects whose parents made a loop: made top-level", name);
                    set(&mut row, "parent_id", Cell::Null);
                }
                let (ids, names) = self.project_paths.get(&id).cloned().unwrap_or_else(|| {
                    let name = text(&row, "name").unwrap_or_default();
                    (
                        format!("/{id}/"),
                        crate::store::projects::tree_key(name, id),
                    )
                });
                set(&mut row, "id_path", some(ids));
                set(&mut row, "tree_path", some(names));
            }
            Fix::Issues => {
                let id = int(&row, "id").unwrap_or_default();
                set(&mut row, "id_path", some(self.issue_path(id)));
            }
            Fix::CustomValues => {
                // Redmine shows a NULL value as no value: carmine keeps no row for it
                if get(&row, "value").is_none_or(|c| *c == Cell::Null) {
                    return Fixed::Skip("no value (carmine keeps no row for it)".into());
                }
            }
            Fix::WikiPages => {
                let key = crate::domain::wiki::title_key(text(&row, "title").unwrap_or_default());
                set(&mut row, "title_key", some(key));
            }
            Fix::WikiRedirects => {
                let key = crate::domain::wiki::title_key(text(&row, "title").unwrap_or_default());
                set(&mut row, "title_key", some(key));
            }
            Fix::WikiVersions => {
                let data = get(&row, "data").cloned().unwrap_or(Cell::Null);
                let compressed = text(&row, "compression") == Some("gzip");
                let body = match data {
                    Cell::Null => Cell::Null,
                    Cell::Text(t) if !compressed => Cell::Text(t),
                    other => {
                        let bytes = match other {
                            Cell::Bytes(b) => b,
                            Cell::Text(t) => t.into_bytes(),
                            Cell::Null => vec![],
                        };
                        match inflate(&bytes, compressed) {
                            Some(t) => Cell::Text(t),
                            None => return Fixed::Skip("its compressed text is damaged".into()),
                        }
                    }
                };
                set(&mut row, "text", body);
                if let (Some(page), Some(version)) = (int(&row, "page_id"), int(&row, "version")) {
                    self.versions_seen.insert((page, version));
                }
                self.last_version_id = self.last_version_id.max(int(&row, "id").unwrap_or(0));
            }
            Fix::WikiContents => {
                let (Some(page), Some(version)) = (int(&row, "page_id"), int(&row, "version"))
                else {
                    return Fixed::Skip("it names no page or version".into());
                };
                if self.versions_seen.insert((page, version)) {
                    // the page's current text, which Redmine kept without its version row
                    self.last_version_id += 1;
                    let mut v = row.clone();
                    set(&mut v, "id", some(self.last_version_id.to_string()));
                    self.extra_versions.push(v);
                }
            }
            Fix::Queries => {
                if let Some(f) = text(&row, "filters").and_then(yaml::filters) {
                    set(&mut row, "filters", some(f.to_string()));
                }
                if let Some(s) = text(&row, "sort_criteria").and_then(yaml::parse) {
                    let json = yaml::to_json(&s);
                    let json = if json.is_array() {
                        json
                    } else {
                        serde_json::json!([])
                    };
                    set(&mut row, "sort_criteria", some(json.to_string()));
                }
            }
        }
        Fixed::Keep(row)
    }

    /// `/root/…/id/` through the subtask parents (a loop in them stops at the repeat).
    fn issue_path(&self, id: i64) -> String {
        path_of(&ancestry(id, |at| self.issue_parents.get(&at).copied()).0)
    }
}

/// A project's parent, when it is among them.
fn parent_in(projects: &HashMap<i64, (Option<i64>, String)>, id: i64) -> Option<i64> {
    projects[&id].0.filter(|p| projects.contains_key(p))
}

/// `id` and its ancestors through `parent_of`, nearest first, up to a missing parent or
/// one already met (then also that one: where the loop closed). 10,000 deep at most.
fn ancestry(id: i64, parent_of: impl Fn(i64) -> Option<i64>) -> (Vec<i64>, Option<i64>) {
    let mut chain = vec![id];
    while let Some(parent) = parent_of(*chain.last().expect("not empty")) {
        if chain.contains(&parent) {
            return (chain, Some(parent));
        }
        if chain.len() > 10_000 {
            break;
        }
        chain.push(parent);
    }
    (chain, None)
}

/// `/root/…/id/` of an ancestry, nearest first.
fn path_of(chain: &[i64]) -> String {
    let mut path = String::from("/");
    for i in chain.iter().rev() {
        path.push_str(&format!("{i}/"));
    }
    path
}

/// Redmine compresses wiki versions with zlib when `wiki_compression` is `gzip`.
fn inflate(bytes: &[u8], compressed: bool) -> Option<String> {
    if !compressed {
        return Some(String::from_utf8_lossy(bytes).into_owned());
    }
    let mut out = Vec::new();
    flate2::read::ZlibDecoder::new(bytes)
        .take(256 << 20)
        .read_to_end(&mut out)
        .ok()?;
    Some(String::from_utf8_lossy(&out).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(pairs: &[(&str, &str)]) -> Named {
        pairs
            .iter()
            .map(|(n, v)| (n.to_string(), Cell::Text(v.to_string())))
            .collect()
    }

    fn kept(f: Fixed) -> Named {
        match f {
            Fixed::Keep(r) => r,
            Fixed::Skip(why) => panic!("skipped: {why}"),
        }
    }

    #[test]
    fn project_paths_extend_the_parents_whatever_the_order() {
        let mut f = Fixer::default();
        // the child comes first, as a damaged nested set may order it; 7 and 8 loop
        f.plan_projects(vec![
            (1, Some(3), "B".into()),
            (3, None, "A".into()),
            (7, Some(8), "C".into()),
            (8, Some(7), "D".into()),
        ]);
        let b = kept(f.fix(Fix::Projects, row(&[("id", "1"), ("name", "B")])));
        assert_eq!(text(&b, "id_path"), Some("/3/1/"));
        let a = kept(f.fix(Fix::Projects, row(&[("id", "3"), ("name", "A")])));
        assert_eq!(text(&a, "id_path"), Some("/3/"));
        assert!(text(&b, "tree_path")
            .unwrap()
            .starts_with(text(&a, "tree_path").unwrap()));
        // the loop is broken at its smallest id
        let c = kept(f.fix(
            Fix::Projects,
            row(&[("id", "7"), ("name", "C"), ("parent_id", "8")]),
        ));
        assert_eq!(text(&c, "id_path"), Some("/7/"));
        assert_eq!(get(&c, "parent_id"), Some(&Cell::Null));
        let d = kept(f.fix(
            Fix::Projects,
            row(&[("id", "8"), ("name", "D"), ("parent_id", "7")]),
        ));
        assert_eq!(text(&d, "id_path"), Some("/7/8/"));
        assert_eq!(text(&d, "parent_id"), Some("7"));
    }

    #[test]
    fn issue_paths_follow_parents_even_in_a_loop() {
        let f = Fixer {
            issue_parents: HashMap::from([(7, 3), (3, 1), (8, 9), (9, 8)]),
            ..Default::default()
        };
        assert_eq!(f.issue_path(7), "/1/3/7/");
        assert_eq!(f.issue_path(1), "/1/");
        assert_eq!(f.issue_path(8), "/9/8/");
    }

    #[test]
    fn compressed_wiki_text_and_the_current_version() {
        use std::io::Write;
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
        z.write_all("h1. Grüße".as_bytes()).unwrap();
        let mut f = Fixer::default();
        let mut v = row(&[("page_id", "4"), ("version", "1"), ("compression", "gzip")]);
        v.push(("data".into(), Cell::Bytes(z.finish().unwrap())));
        let v = kept(f.fix(Fix::WikiVersions, v));
        assert_eq!(text(&v, "text"), Some("h1. Grüße"));
        kept(f.fix(
            Fix::WikiContents,
            row(&[("id", "1"), ("page_id", "4"), ("version", "1")]),
        ));
        assert!(f.extra_versions.is_empty());
        kept(f.fix(
            Fix::WikiContents,
            row(&[("id", "2"), ("page_id", "5"), ("version", "2")]),
        ));
        assert_eq!(f.extra_versions.len(), 1);
    }

    #[test]
    fn yaml_columns_become_carmines() {
        let mut f = Fixer::default();
        let r = kept(f.fix(
            Fix::Roles,
            row(&[
                ("name", "Dev"),
                ("permissions", "---\n- :view_issues\n- :add_issues\n"),
            ]),
        ));
        assert_eq!(text(&r, "permissions"), Some("view_issues\nadd_issues"));
        let s = kept(f.fix(
            Fix::Settings,
            row(&[
                ("name", "non_working_week_days"),
                ("value", "---\n- '6'\n- '7'\n"),
            ]),
        ));
        assert_eq!(text(&s, "value"), Some("6,7"));
        assert!(matches!(
            f.fix(Fix::Settings, row(&[("name", "app_title"), ("value", "x")])),
            Fixed::Skip(_)
        ));
        assert!(matches!(
            f.fix(Fix::Tokens, row(&[("action", "feeds")])),
            Fixed::Skip(_)
        ));
    }

    #[test]
    fn permissions_limited_to_some_trackers_are_not_widened() {
        let mut f = Fixer::default();
        let settings = "--- !ruby/hash:ActiveSupport::HashWithIndifferentAccess\n\
            permissions_all_trackers: !ruby/hash:ActiveSupport::HashWithIndifferentAccess\n  \
            view_issues: '0'\n  add_issues: '1'\n  edit_issues: '0'\n\
            permissions_tracker_ids: !ruby/hash:ActiveSupport::HashWithIndifferentAccess\n  \
            view_issues:\n  - '2'\n  add_issues: []\n  edit_issues: []\n";
        let r = kept(f.fix(
            Fix::Roles,
            row(&[
                ("name", "Support"),
                (
                    "permissions",
                    "---\n- :view_issues\n- :add_issues\n- :edit_issues\n- :view_news\n",
                ),
                ("settings", settings),
            ]),
        ));
        assert_eq!(text(&r, "permissions"), Some("add_issues\nview_news"));
        // only the one given on some trackers is worth a note; on none, nothing was granted
        assert_eq!(f.notes.len(), 1);
        let (message, roles) = f.notes.iter().next().unwrap();
        assert!(message.starts_with("`view_issues` granted on some trackers only"));
        assert_eq!(roles, &["Support"]);
    }
}
