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

/// Dev's API key, as its account shows it.
async fn dev_key(s: &Server) -> String {
    s.get("/my/account.json")
        .anonymous()
        .basic("dev", "secret-pass1")
        .send()
        .await
        .json()["user"]["api_key"]
        .as_str()
        .unwrap()
        .to_owned()
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
    let key = dev_key(&two).await;
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

/// One issue's answer is kept whole (by caller, format and includes) while nothing it
/// shows changes: each change below, made through one process, shows in the other's next
/// answer, by key and by password; and a kept answer by key costs the key's own statement alone (on SQLite, while nothing was
/// committed since the key was read, none).
async fn a_kept_issue_follows_every_change(b: Backend) {
    let one = Server::with_setting(b, "admin_api_enabled", "1").await;
    let two = Server::restart(&one).await;
    one.create_project("alpha", true).await;
    let dev = one.create_user("dev", "secret-pass1").await;
    one.add_member("alpha", dev, &[4]).await;
    let key = dev_key(&two).await;
    let x = one
        .create_issue(json!({"project_id": "alpha", "subject": "Kept"}))
        .await;
    let y = one
        .create_issue(json!({"project_id": "alpha", "subject": "Other"}))
        .await;
    let path = format!("/issues/{x}.json?include=journals,watchers,relations,attachments,children");
    let view = || async {
        let first = as_dev(&two, &key, &path).await;
        // asked twice: the second answer is the kept one
        let again = as_dev(&two, &key, &path).await;
        assert_eq!(first.text, again.text);
        first.json()["issue"].clone()
    };
    let one = &one;
    let put = |path: String, body: Value| async move {
        let r = one.put(&path, body).send().await;
        assert_eq!(r.status, 204, "{path}: {}", r.text);
    };
    let issue = |id: i64| format!("/issues/{id}.json");
    assert_eq!(view().await["journals"], json!([]));
    // the key's own statement reads the issue's stamps too: nothing else runs; on SQLite
    // not even that, while nothing was committed since the key was last read
    let warm = two.get(&path).anonymous().key(&key).send().await;
    assert_eq!(queries(&warm), 0, "{b:?}");
    let identifying: u32 = warm
        .header("x-carmine-auth-queries")
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(identifying, u32::from(b == Backend::Postgres), "{b:?}");

    put(issue(x), json!({"issue": {"notes": "First note"}})).await;
    assert_eq!(view().await["journals"][0]["notes"], "First note");
    let r = one
        .post(
            &format!("/issues/{x}/watchers.json"),
            json!({"user_id": dev}),
        )
        .send()
        .await;
    assert_eq!(r.status, 204, "{}", r.text);
    // (a Developer does not see watchers: the administrator does)
    assert!(view().await.get("watchers").is_none());
    two.get(&path).send().await;
    let watchers = two.get_json(&path).await["issue"]["watchers"].clone();
    assert!(
        watchers.as_array().unwrap().iter().any(|w| w["id"] == dev),
        "{watchers}"
    );
    assert_eq!(one.relate(x, json!(y), "relates").await.status, 201);
    assert_eq!(view().await["relations"][0]["issue_to_id"], y);
    // the other issue becomes private: dev no longer sees it, nor the relation to it
    put(issue(y), json!({"issue": {"is_private": true}})).await;
    assert!(view()
        .await
        .get("relations")
        .is_none_or(|r| r == &json!([])));
    put(issue(y), json!({"issue": {"is_private": false}})).await;
    put(issue(x), json!({"issue": {"parent_issue_id": y}})).await;
    assert_eq!(view().await["parent"]["id"], y);
    put(issue(y), json!({"issue": {"is_private": true}})).await;
    assert!(view().await.get("parent").is_none());

    let activity = one
        .get_json("/enumerations/time_entry_activities.json")
        .await["time_entry_activities"][0]["id"]
        .clone();
    let r = one
        .post(
            "/time_entries.json",
            json!({"time_entry": {"issue_id": x, "hours": 2.5, "activity_id": activity}}),
        )
        .send()
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(view().await["spent_hours"], 2.5);
    put(issue(x), json!({"issue": {"assigned_to_id": dev}})).await;
    put(
        format!("/users/{dev}.json"),
        json!({"user": {"lastname": "Renamed"}}),
    )
    .await;
    assert!(view().await["assigned_to"]["name"]
        .as_str()
        .unwrap()
        .ends_with(" Renamed"));
    let r = one
        .post(
            "/projects/alpha/issue_categories.json",
            json!({"issue_category": {"name": "Backend"}}),
        )
        .send()
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let category = r.json()["issue_category"]["id"].as_i64().unwrap();
    put(issue(x), json!({"issue": {"category_id": category}})).await;
    put(
        format!("/issue_categories/{category}.json"),
        json!({"issue_category": {"name": "Frontend"}}),
    )
    .await;
    assert_eq!(view().await["category"]["name"], "Frontend");
    let field = one
        .create_custom_field(json!({"name": "Customer", "customized_type": "issue",
            "field_format": "string", "is_for_all": true, "visible": true,
            "tracker_ids": [1, 2, 3]}))
        .await;
    put(
        issue(x),
        json!({"issue": {"custom_fields": [{"id": field, "value": "ACME"}]}}),
    )
    .await;
    assert_eq!(view().await["custom_fields"][0]["value"], "ACME");
    let (_, token) = one.upload("notes.txt", b"some notes").await;
    put(
        issue(x),
        json!({"issue": {"uploads": [{"token": token, "filename": "notes.txt"}]}}),
    )
    .await;
    assert_eq!(view().await["attachments"][0]["filename"], "notes.txt");
    let child = one
        .create_issue(json!({"project_id": "alpha", "subject": "Part", "parent_issue_id": x}))
        .await;
    assert_eq!(view().await["children"][0]["id"], child);
    put(issue(child), json!({"issue": {"subject": "Part two"}})).await;
    assert_eq!(view().await["children"][0]["subject"], "Part two");
    let r = one.delete(&issue(x)).send().await;
    assert_eq!(r.status, 204, "{}", r.text);
    assert_eq!(as_dev(&two, &key, &path).await.status, 404);
}

per_backend!(
    a_kept_issue_follows_every_change,
    a_kept_project_follows_its_changes,
    a_key_reads_the_change_counter_with_it,
    a_change_through_one_process_shows_in_another,
    warm_requests_run_few_statements,
);
