//! Nothing hidden shows through a reference: a parent, a subtask, a journal detail or a
//! membership naming an object the caller may not see leaves it out, for an anonymous
//! user, a user who is a member of nothing, and a member without the permission.

mod common;
use common::*;

/// Who looks: anonymous, a user of no project, a member of the private project whose
/// role may see the project but not its issues.
struct Callers {
    outsider: (String, String),
    viewer: (String, String),
}

struct World {
    s: Server,
    callers: Callers,
    /// in the private project
    hidden_parent: i64,
    /// in the public subproject, under `hidden_parent`
    child: i64,
    /// in the private project, under `child`
    hidden_grandchild: i64,
    /// a visible subtask of `child`, under which a hidden one sits
    visible_grandchild: i64,
    /// moved from the private project to the public one, leaving its category behind
    moved: i64,
    group: i64,
}

async fn world(b: Backend) -> World {
    let s = Server::with_setting(b, "admin_api_enabled", "1").await;
    let secret = s.create_project("secret", false).await;
    let r = s
        .post(
            "/projects.json",
            json!({"project": {"name": "open", "identifier": "open", "is_public": true, "parent_id": secret}}),
        )
        .send()
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let outsider = s.create_user("outsider", "outsider-pass1").await;
    let viewer = s.create_user("viewer", "viewer-pass1").await;
    let r = s
        .post(
            "/roles.json",
            json!({"role": {"name": "Project viewer", "permissions": ["view_project"]}}),
        )
        .send()
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let viewer_role = r.json()["role"]["id"].as_i64().unwrap();
    s.add_member("secret", viewer, &[viewer_role]).await;
    let _ = outsider;

    let hidden_parent = s
        .create_issue(json!({"project_id": "secret", "subject": "Hidden parent"}))
        .await;
    let child = s
        .create_issue(
            json!({"project_id": "open", "subject": "Child", "parent_issue_id": hidden_parent, "estimated_hours": 1}),
        )
        .await;
    let visible_grandchild = s
        .create_issue(json!({"project_id": "open", "subject": "Visible grandchild", "parent_issue_id": child, "estimated_hours": 2}))
        .await;
    let hidden_grandchild = s
        .create_issue(json!({"project_id": "secret", "subject": "Hidden grandchild", "parent_issue_id": child, "estimated_hours": 5}))
        .await;
    // a hidden subtask under a visible one: its whole subtree stays hidden
    s.create_issue(json!({"project_id": "secret", "subject": "Hidden great-grandchild", "parent_issue_id": visible_grandchild, "estimated_hours": 7}))
        .await;
    // parent_id details naming the hidden parent: detach, then attach again
    for parent in [json!(""), json!(hidden_parent)] {
        let r = s
            .put(
                &format!("/issues/{child}.json"),
                json!({"issue": {"parent_issue_id": parent}}),
            )
            .send()
            .await;
        assert_eq!(r.status, 204, "{}", r.text);
    }
    let r = s
        .post(
            "/projects/secret/issue_categories.json",
            json!({"issue_category": {"name": "Secret category"}}),
        )
        .send()
        .await;
    let category = r.json()["issue_category"]["id"].as_i64().unwrap();
    let moved = s
        .create_issue(json!({"project_id": "secret", "subject": "Moved", "category_id": category}))
        .await;
    let r = s
        .put(
            &format!("/issues/{moved}.json"),
            json!({"issue": {"project_id": "open", "notes": "moved out"}}),
        )
        .send()
        .await;
    assert_eq!(r.status, 204, "{}", r.text);

    let r = s
        .post(
            "/projects/secret/versions.json",
            json!({"version": {"name": "Shared from secret", "sharing": "system"}}),
        )
        .send()
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let r = s
        .post("/groups.json", json!({"group": {"name": "Insiders"}}))
        .send()
        .await;
    let group = r.json()["group"]["id"].as_i64().unwrap();
    s.add_member("secret", group, &[3]).await;
    World {
        s,
        callers: Callers {
            outsider: ("outsider".into(), "outsider-pass1".into()),
            viewer: ("viewer".into(), "viewer-pass1".into()),
        },
        hidden_parent,
        child,
        hidden_grandchild,
        visible_grandchild,
        moved,
        group,
    }
}

impl World {
    /// GET as anonymous (`None`) or as one of the callers.
    async fn get(&self, who: Option<&(String, String)>, path: &str) -> Resp {
        let req = self.s.req(Method::GET, path);
        match who {
            None => req.anonymous().send().await,
            Some((login, password)) => req.basic(login, password).send().await,
        }
    }

    fn everyone(&self) -> Vec<(&'static str, Option<&(String, String)>)> {
        vec![
            ("anonymous", None),
            ("outsider", Some(&self.callers.outsider)),
            ("viewer", Some(&self.callers.viewer)),
        ]
    }
}

/// Whether any journal detail has this id as its old or new value.
fn detail_names(journals: &Value, id: i64) -> bool {
    journals.as_array().into_iter().flatten().any(|j| {
        j["details"].as_array().into_iter().flatten().any(|d| {
            [&d["old_value"], &d["new_value"]]
                .iter()
                .any(|v| v.as_str() == Some(id.to_string().as_str()))
        })
    })
}

fn mentions(v: &Value, id: i64) -> bool {
    let text = id.to_string();
    match v {
        Value::Number(n) => n.as_i64() == Some(id),
        Value::String(s) => *s == text,
        Value::Array(a) => a.iter().any(|x| mentions(x, id)),
        Value::Object(o) => o.values().any(|x| mentions(x, id)),
        _ => false,
    }
}

/// The parent in another project the caller cannot see is not shown, in show and lists.
async fn hidden_parent(b: Backend) {
    let w = world(b).await;
    for (who, caller) in w.everyone() {
        let r = w.get(caller, &format!("/issues/{}.json", w.child)).await;
        assert_eq!(r.status, 200, "{b:?} {who}: {}", r.text);
        assert!(
            r.json()["issue"].get("parent").is_none(),
            "{b:?} {who}: {}",
            r.text
        );
        let r = w
            .get(caller, "/issues.json?project_id=open&status_id=*")
            .await;
        let issues = r.json()["issues"].as_array().unwrap().clone();
        let child = issues
            .iter()
            .find(|i| i["id"] == w.child)
            .expect("child listed");
        assert!(child.get("parent").is_none(), "{b:?} {who}: {child}");
        // the visible parent of a visible issue is still shown
        let grand = issues
            .iter()
            .find(|i| i["id"] == w.visible_grandchild)
            .unwrap();
        assert_eq!(grand["parent"]["id"], w.child, "{b:?} {who}");
        // totals count only the subtasks the caller sees
        assert_eq!(
            child["total_estimated_hours"],
            json!(3.0),
            "{b:?} {who}: {child}"
        );
        assert_eq!(
            grand["total_estimated_hours"],
            json!(2.0),
            "{b:?} {who}: {grand}"
        );
        let r = w.get(caller, &format!("/issues/{}.json", w.child)).await;
        assert_eq!(
            r.json()["issue"]["total_estimated_hours"],
            json!(3.0),
            "{b:?} {who}"
        );
        let r = w.get(caller, &format!("/issues/{}.xml", w.child)).await;
        assert!(!r.text.contains("<parent"), "{b:?} {who}: {}", r.text);
    }
    // the admin still sees it
    let r = w.s.get(&format!("/issues/{}.json", w.child)).send().await;
    assert_eq!(r.json()["issue"]["parent"]["id"], w.hidden_parent);
    assert_eq!(r.json()["issue"]["total_estimated_hours"], json!(15.0));
    // a manager of the public project copies the child: the hidden parent is not copied
    let copier = w.s.create_user("copier", "copier-pass1").await;
    w.s.add_member("open", copier, &[3]).await;
    let r =
        w.s.req(
            Method::POST,
            &format!("/projects/open/issues.json?copy_from={}", w.child),
        )
        .basic("copier", "copier-pass1")
        .json(json!({"issue": {"subject": "Copy"}}))
        .send()
        .await;
    assert_eq!(r.status, 201, "{b:?}: {}", r.text);
    assert!(
        r.json()["issue"].get("parent").is_none(),
        "{b:?}: {}",
        r.text
    );
}

/// `include=children` lists only the subtasks the caller sees, and nothing under a
/// hidden one.
async fn hidden_children(b: Backend) {
    let w = world(b).await;
    for (who, caller) in w.everyone() {
        let r = w
            .get(
                caller,
                &format!("/issues/{}.json?include=children", w.child),
            )
            .await;
        let children = r.json()["issue"]["children"].clone();
        assert_eq!(
            children.as_array().map(Vec::len),
            Some(1),
            "{b:?} {who}: {children}"
        );
        assert_eq!(children[0]["id"], w.visible_grandchild);
        assert!(
            children[0].get("children").is_none(),
            "{b:?} {who}: {children}"
        );
        assert!(!r.text.contains("Hidden"), "{b:?} {who}: {}", r.text);
    }
    let r =
        w.s.get(&format!("/issues/{}.json?include=children", w.child))
            .send()
            .await;
    let children = r.json()["issue"]["children"].clone();
    assert_eq!(children.as_array().unwrap().len(), 2);
    assert!(mentions(&children, w.hidden_grandchild));
}

/// Journal details whose values name a hidden issue, project or category are left out.
async fn hidden_journal_details(b: Backend) {
    let w = world(b).await;
    for (who, caller) in w.everyone() {
        let r = w
            .get(
                caller,
                &format!("/issues/{}.json?include=journals", w.child),
            )
            .await;
        let journals = r.json()["issue"]["journals"].clone();
        assert!(
            !detail_names(&journals, w.hidden_parent),
            "{b:?} {who}: {journals}"
        );
        assert!(
            !detail_names(&journals, w.hidden_grandchild),
            "{b:?} {who}: {journals}"
        );
        assert!(
            detail_names(&journals, w.visible_grandchild),
            "{b:?} {who}: {journals}"
        );
        let r = w
            .get(
                caller,
                &format!("/issues/{}.json?include=journals", w.moved),
            )
            .await;
        let journals = r.json()["issue"]["journals"].clone();
        let details: Vec<&Value> = journals
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|j| j["details"].as_array().unwrap().iter())
            .collect();
        if who == "viewer" {
            // a member sees its own project named
            assert!(
                details.iter().any(|d| d["name"] == "project_id"),
                "{b:?}: {journals}"
            );
        } else {
            assert!(
                details
                    .iter()
                    .all(|d| d["name"] != "project_id" && d["name"] != "category_id"),
                "{b:?} {who}: {journals}"
            );
            // the notes of the journal remain
            assert_eq!(journals[0]["notes"], "moved out", "{b:?} {who}");
        }
    }
    let r =
        w.s.get(&format!("/issues/{}.json?include=journals", w.moved))
            .send()
            .await;
    assert!(r.text.contains("category_id") && r.text.contains("project_id"));
    let r =
        w.s.get(&format!("/issues/{}.json?include=journals", w.child))
            .send()
            .await;
    let journals = r.json()["issue"]["journals"].clone();
    assert!(
        detail_names(&journals, w.hidden_parent) && detail_names(&journals, w.hidden_grandchild)
    );
}

/// A group's memberships name only projects the caller sees.
async fn hidden_group_memberships(b: Backend) {
    let w = world(b).await;
    let path = format!("/groups/{}.json?include=memberships", w.group);
    let r = w.get(Some(&w.callers.outsider), &path).await;
    assert_eq!(r.status, 200, "{b:?}: {}", r.text);
    assert_eq!(
        r.json()["group"]["memberships"],
        json!([]),
        "{b:?}: {}",
        r.text
    );
    let r = w.get(None, &path).await;
    assert!(!r.text.contains("secret"), "{b:?}: {}", r.text);
    let r = w.get(Some(&w.callers.viewer), &path).await;
    assert!(
        r.text.contains("secret"),
        "{b:?} a member sees its project: {}",
        r.text
    );
    let r = w.s.get(&path).send().await;
    assert!(r.text.contains("secret"));
}

/// Filters through parents and subtasks only count those the caller sees; a project
/// filter by parent likewise; a version shared out of a hidden project does not name it.
async fn hidden_through_filters(b: Backend) {
    let w = world(b).await;
    for (who, caller) in [("anonymous", None), ("outsider", Some(&w.callers.outsider))] {
        let ids = |r: &Resp| -> Vec<i64> {
            r.json()["issues"]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| i["id"].as_i64().unwrap())
                .collect()
        };
        let r = w
            .get(
                caller,
                &format!("/issues.json?status_id=*&parent_id={}", w.hidden_parent),
            )
            .await;
        assert_eq!(ids(&r), Vec::<i64>::new(), "{b:?} {who}");
        let r = w
            .get(
                caller,
                &format!("/issues.json?status_id=*&parent_id=~{}", w.hidden_parent),
            )
            .await;
        assert_eq!(ids(&r), Vec::<i64>::new(), "{b:?} {who}");
        let r = w.get(caller, "/issues.json?status_id=*&parent_id=*").await;
        assert_eq!(ids(&r), vec![w.visible_grandchild], "{b:?} {who}");
        let r = w
            .get(caller, "/issues.json?status_id=*&parent_id=!*&sort=id")
            .await;
        assert!(ids(&r).contains(&w.child), "{b:?} {who}: {}", r.text);
        let r = w
            .get(
                caller,
                &format!("/issues.json?status_id=*&child_id={}", w.hidden_grandchild),
            )
            .await;
        assert_eq!(ids(&r), Vec::<i64>::new(), "{b:?} {who}");
        let r = w.get(caller, "/issues.json?status_id=*&child_id=*").await;
        assert_eq!(ids(&r), vec![w.child], "{b:?} {who}");
        let r = w
            .get(caller, "/projects.json?f[]=parent_id&op[parent_id]=*")
            .await;
        assert_eq!(r.json()["projects"], json!([]), "{b:?} {who}: {}", r.text);
        let r = w.get(caller, "/projects/open/versions.json").await;
        let versions = r.json()["versions"].clone();
        assert_eq!(
            versions.as_array().map(Vec::len),
            Some(1),
            "{b:?} {who}: {versions}"
        );
        assert!(
            versions[0].get("project").is_none(),
            "{b:?} {who}: {versions}"
        );
    }
    // a project's default version must be one it uses: no reading names through it
    let private_version = w.s.create_version("secret", "Private plan").await;
    let r =
        w.s.put(
            "/projects/open.json",
            json!({"project": {"default_version_id": private_version}}),
        )
        .send()
        .await;
    assert_eq!(r.status, 422, "{b:?}: {}", r.text);
    assert_eq!(
        r.json()["errors"],
        json!(["Default version is not included in the list"])
    );
    // who updated an issue last counts only journals the caller may read
    let noted =
        w.s.create_issue(json!({"project_id": "open", "subject": "Noted"}))
            .await;
    let r =
        w.s.put(
            &format!("/issues/{noted}.json"),
            json!({"issue": {"notes": "between us", "private_notes": true}}),
        )
        .send()
        .await;
    assert_eq!(r.status, 204, "{}", r.text);
    let q = format!("/issues.json?issue_id={noted}&last_updated_by=1");
    let r = w.get(Some(&w.callers.outsider), &q).await;
    assert_eq!(r.json()["issues"], json!([]), "{b:?}: {}", r.text);
    assert_eq!(ids_in(&w.s.get(&q).send().await), vec![noted]);
    let r = w.s.get("/projects/open/versions.json").send().await;
    assert_eq!(r.json()["versions"][0]["project"]["name"], "secret");
    // a custom field visible to managers only is not listed to others
    let field =
        w.s.create_custom_field(json!({"customized_type": "issue", "name": "Managers only",
            "field_format": "string", "visible": false, "role_ids": [3],
            "tracker_ids": [1, 2, 3]}))
            .await;
    let r =
        w.s.put(
            "/projects/open.json",
            json!({"project": {"issue_custom_field_ids": [field]}}),
        )
        .send()
        .await;
    assert_eq!(r.status, 204, "{}", r.text);
    let path = "/projects/open.json?include=issue_custom_fields";
    let r = w.get(Some(&w.callers.outsider), path).await;
    assert_eq!(
        r.json()["project"]["issue_custom_fields"],
        json!([]),
        "{b:?}: {}",
        r.text
    );
    let r = w.s.get(path).send().await;
    assert_eq!(
        r.json()["project"]["issue_custom_fields"][0]["name"],
        "Managers only"
    );
    let r =
        w.s.get(&format!(
            "/issues.json?status_id=*&parent_id={}",
            w.hidden_parent
        ))
        .send()
        .await;
    assert_eq!(ids_in(&r), vec![w.child]);
}

/// A role that sees only members of visible projects: other users, groups and watchers
/// beyond those are unknown to its holder, even where the Non member role sees everyone.
async fn users_of_visible_projects(b: Backend) {
    let s = Server::with_setting(b, "admin_api_enabled", "1").await;
    s.create_project("pub", true).await;
    s.create_project("priv", false).await;
    let r = s
        .post(
            "/roles.json",
            json!({"role": {"name": "Limited", "users_visibility": "members_of_visible_projects",
                   "permissions": ["view_issues", "add_issue_watchers", "view_issue_watchers"]}}),
        )
        .send()
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let limited_role = r.json()["role"]["id"].as_i64().unwrap();
    let limited = s.create_user("limited", "limited-pass1").await;
    let colleague = s.create_user("colleague", "colleague-pass1").await;
    let stranger = s.create_user("stranger", "stranger-pass1").await;
    let lonely = s.create_user("lonely", "lonely-pass1").await;
    s.add_member("pub", limited, &[limited_role]).await;
    s.add_member("pub", colleague, &[4]).await;
    s.add_member("priv", stranger, &[4]).await;
    let group = |name: &'static str| {
        let s = &s;
        async move {
            let r = s
                .post("/groups.json", json!({"group": {"name": name}}))
                .send()
                .await;
            r.json()["group"]["id"].as_i64().unwrap()
        }
    };
    let (outside, inside) = (group("Outside").await, group("Inside").await);
    s.add_member("priv", outside, &[4]).await;
    s.add_member("pub", inside, &[4]).await;
    let s = &s;
    let get = |path: String| async move {
        s.req(Method::GET, &path)
            .basic("limited", "limited-pass1")
            .send()
            .await
            .status
    };
    assert_eq!(get(format!("/users/{colleague}.json")).await, 200, "{b:?}");
    assert_eq!(get(format!("/users/{limited}.json")).await, 200, "{b:?}");
    assert_eq!(get(format!("/users/{stranger}.json")).await, 404, "{b:?}");
    assert_eq!(get(format!("/users/{lonely}.json")).await, 404, "{b:?}");
    assert_eq!(get(format!("/groups/{inside}.json")).await, 200, "{b:?}");
    assert_eq!(get(format!("/groups/{outside}.json")).await, 404, "{b:?}");
    // the admin and a user judged by the Non member role (all users) see them all
    assert_eq!(
        s.get(&format!("/users/{stranger}.json"))
            .send()
            .await
            .status,
        200
    );
    let r = s
        .req(Method::GET, &format!("/users/{stranger}.json"))
        .basic("lonely", "lonely-pass1")
        .send()
        .await;
    assert_eq!(r.status, 200, "{b:?}");
    // watchers: an invisible user is skipped like an unknown one
    let issue = s
        .create_issue(json!({"project_id": "pub", "subject": "Watched"}))
        .await;
    let r = s
        .req(Method::POST, &format!("/issues/{issue}/watchers.json"))
        .basic("limited", "limited-pass1")
        .json(json!({"watcher": {"user_ids": [colleague, stranger]}}))
        .send()
        .await;
    assert_eq!(r.status, 204, "{b:?}: {}", r.text);
    let w = s
        .get_json(&format!("/issues/{issue}.json?include=watchers"))
        .await;
    let ids: Vec<i64> = w["issue"]["watchers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, vec![colleague], "{b:?}");
}

per_backend!(
    users_of_visible_projects,
    hidden_through_filters,
    hidden_parent,
    hidden_children,
    hidden_journal_details,
    hidden_group_memberships
);
