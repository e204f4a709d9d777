//! What a server keeps in memory (access maps, roles, custom fields, groups) follows
//! changes made through another server on the same database, on that server's next
//! request; and warm requests run a bounded number of statements.

mod common;
use common::*;

fn queries(r: &Resp) -> u32 {
    r.header("x-carmine-queries")
        .expect("X-Carmine-Queries")
        .parse()
        .expect("a count")
}

/// As dev, by password and by API key (which reads the change counter in its own
/// statement): both answer alike.
async fn as_dev(s: &Server, key: &str, path: &str) -> Resp {
    let by_key = s.get(path).anonymous().key(key).send().await;
    let by_password = s.get(path).basic("dev", "secret-pass1").send().await;
    assert_eq!(
        (by_key.status, &by_key.text),
        (by_password.status, &by_password.text)
    );
    by_password
}

async fn groups(s: &Server, user: i64) -> Value {
    let path = format!("/users/{user}.json?include=groups");
    s.get(&path).send().await.json()["user"]["groups"].clone()
}

async fn a_change_through_one_process_shows_in_another(b: Backend) {
    let one = Server::with_setting(b, "admin_api_enabled", "1").await;
    let two = Server::restart(&one).await;
    one.create_project("hidden", false).await;
    let dev = one.create_user("dev", "secret-pass1").await;
    let key = two
        .get("/my/account.json")
        .anonymous()
        .basic("dev", "secret-pass1")
        .send()
        .await
        .json()["user"]["api_key"]
        .as_str()
        .unwrap()
        .to_owned();
    let issue = one
        .create_issue(json!({"project_id": "hidden", "subject": "Private work"}))
        .await;
    // the second process reads (and keeps) dev's view before each change
    assert_eq!(
        as_dev(&two, &key, "/projects/hidden.json").await.status,
        403
    );
    assert_eq!(
        as_dev(&two, &key, &format!("/issues/{issue}.json"))
            .await
            .status,
        403
    );

    one.add_member("hidden", dev, &[5]).await;
    assert_eq!(
        as_dev(&two, &key, "/projects/hidden.json").await.status,
        200
    );
    let r = as_dev(&two, &key, &format!("/issues/{issue}.json")).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json()["issue"]["subject"], "Private work");

    // a role losing a permission
    let r = one
        .put(
            "/roles/5.json",
            json!({"role": {"permissions": ["view_project"]}}),
        )
        .send()
        .await;
    assert!(
        r.status == 204 || r.status == 200,
        "{}: {}",
        r.status,
        r.text
    );
    assert_eq!(
        as_dev(&two, &key, &format!("/issues/{issue}.json"))
            .await
            .status,
        403
    );

    // a new custom field and a group's name, in what the other process answers
    let field = one
        .create_custom_field(json!({"name": "Customer", "customized_type": "issue",
            "field_format": "string", "is_for_all": true, "tracker_ids": [1, 2, 3]}))
        .await;
    let r = two.get(&format!("/issues/{issue}.json")).send().await;
    assert_eq!(
        r.json()["issue"]["custom_fields"],
        json!([{"id": field, "name": "Customer", "value": null}]),
        "{}",
        r.text
    );
    let r = two
        .get(&format!("/users/{dev}.json?include=groups"))
        .send()
        .await;
    assert_eq!(r.json()["user"]["groups"], json!([]));
    let r = one
        .post(
            "/groups.json",
            json!({"group": {"name": "Crew", "user_ids": [dev]}}),
        )
        .send()
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let group = r.json()["group"]["id"].as_i64().unwrap();
    assert_eq!(
        groups(&two, dev).await,
        json!([{"id": group, "name": "Crew"}])
    );
    let r = one
        .put(
            &format!("/groups/{group}.json"),
            json!({"group": {"name": "Team"}}),
        )
        .send()
        .await;
    assert_eq!(r.status, 204, "{}", r.text);
    assert_eq!(
        groups(&two, dev).await,
        json!([{"id": group, "name": "Team"}])
    );
}

/// Once warm, one issue with its journals, watchers and relations, and a page of issues,
/// each take a fixed, small number of statements.
async fn warm_requests_run_few_statements(b: Backend) {
    let s = Server::start(b).await;
    s.create_project("alpha", true).await;
    let dev = s.create_user("dev", "secret-pass1").await;
    s.add_member("alpha", dev, &[4]).await;
    let mut ids = Vec::new();
    for k in 0..30 {
        ids.push(
            s.create_issue(
                json!({"project_id": "alpha", "subject": format!("Issue {k}"),
                "watcher_user_ids": [dev]}),
            )
            .await,
        );
    }
    for k in 0..5 {
        let r = s
            .put(
                &format!("/issues/{}.json", ids[k]),
                json!({"issue": {"notes": "noted", "status_id": 2}}),
            )
            .send()
            .await;
        assert_eq!(r.status, 204, "{}", r.text);
        let r = s.relate(ids[k], json!(ids[k + 1]), "relates").await;
        assert_eq!(r.status, 201, "{}", r.text);
    }
    for who in [None, Some("dev")] {
        let get = |path: String| {
            let r = s.get(&path);
            let r = match who {
                Some(login) => r.basic(login, "secret-pass1"),
                None => r,
            };
            r.send()
        };
        let one = format!(
            "/issues/{}.json?include=journals,watchers,relations",
            ids[0]
        );
        get(one.clone()).await;
        let r = get(one).await;
        assert_eq!(r.status, 200, "{}", r.text);
        // the note and status change, then the relation
        assert_eq!(r.json()["issue"]["journals"].as_array().unwrap().len(), 2);
        assert!(
            queries(&r) <= 9,
            "{who:?} {b:?}: {} statements",
            queries(&r)
        );

        let page = "/issues.json?limit=25&include=relations".to_string();
        get(page.clone()).await;
        let r = get(page).await;
        assert_eq!(r.json()["issues"].as_array().unwrap().len(), 25);
        assert!(
            queries(&r) <= 12,
            "{who:?} {b:?}: {} statements",
            queries(&r)
        );
    }
}

/// A request signed in with an API key reads the change counter in the key's own
/// statement: a warm reference list is that one statement.
async fn a_key_reads_the_change_counter_with_it(b: Backend) {
    let s = Server::start(b).await;
    s.get("/issue_statuses.json").send().await;
    let r = s.get("/issue_statuses.json").send().await;
    assert_eq!(r.status, 200);
    assert_eq!(queries(&r), 1, "{b:?}");
}

/// A project is kept in each process's memory with its modules, parent and default
/// version and assignee names: a change to any of them through one process shows in the
/// other on its next request.
async fn a_kept_project_follows_its_changes(b: Backend) {
    let one = Server::start(b).await;
    let two = Server::restart(&one).await;
    one.create_project("alpha", true).await;
    let v = one.create_version("alpha", "First").await;
    let r = one
        .put(
            "/projects/alpha.json",
            json!({"project": {"default_version_id": v}}),
        )
        .send()
        .await;
    assert_eq!(r.status, 204, "{}", r.text);
    let show = || async {
        two.get_json("/projects/alpha.json?include=enabled_modules")
            .await["project"]
            .clone()
    };
    assert_eq!(show().await["default_version"]["name"], "First");
    let r = one
        .put(
            &format!("/versions/{v}.json"),
            json!({"version": {"name": "Renamed"}}),
        )
        .send()
        .await;
    assert_eq!(r.status, 204, "{}", r.text);
    assert_eq!(show().await["default_version"]["name"], "Renamed");
    let r = one
        .put(
            "/projects/alpha.json",
            json!({"project": {"name": "Alpha Two", "enabled_module_names": ["wiki"]}}),
        )
        .send()
        .await;
    assert_eq!(r.status, 204, "{}", r.text);
    let p = show().await;
    assert_eq!(p["name"], "Alpha Two");
    assert_eq!(
        p["enabled_modules"],
        json!([{"id": p["enabled_modules"][0]["id"], "name": "wiki"}])
    );
    // and by id, and the issue list of a project without issue tracking
    assert_eq!(
        two.get_json(&format!("/projects/{}.json", p["id"])).await["project"]["name"],
        "Alpha Two"
    );
    assert_eq!(
        two.get("/projects/alpha/issues.json").send().await.status,
        403
    );
}

per_backend!(
    a_kept_project_follows_its_changes,
    a_key_reads_the_change_counter_with_it,
    a_change_through_one_process_shows_in_another,
    warm_requests_run_few_statements,
);
