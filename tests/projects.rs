//! `/projects`: create, show, list (filters, order, pagination), update, hierarchy,
//! close/reopen, archive/unarchive, delete.

mod common;
use common::*;

async fn project(s: &Server, body: Value) -> Resp {
    s.post("/projects.json", json!({ "project": body }))
        .send()
        .await
}

fn names(v: &Value) -> Vec<String> {
    v["projects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap().to_owned())
        .collect()
}

async fn create_show_and_validate(b: Backend) {
    let s = Server::start(b).await;
    let r = project(&s, json!({"name": "Alpha", "identifier": "alpha"})).await;
    assert_eq!(r.status, 201, "{b:?} {}", r.text);
    let p = r.json()["project"].clone();
    let keys: Vec<&String> = p.as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        [
            "id",
            "name",
            "identifier",
            "description",
            "homepage",
            "status",
            "is_public",
            "inherit_members",
            "created_on",
            "updated_on"
        ]
    );
    assert_eq!(
        (
            p["description"].clone(),
            p["homepage"].clone(),
            p["is_public"].clone()
        ),
        (Value::Null, json!(""), json!(true))
    );
    assert_eq!(
        r.header("location").unwrap(),
        format!("{}/projects/{}", s.base, p["id"])
    );
    assert_eq!(
        s.get("/projects/alpha.json").send().await.json()["project"]["id"],
        p["id"]
    );
    assert_eq!(s.get("/projects/ALPHA.json").send().await.status, 404);
    let inc = s.get("/projects/alpha.json?include=trackers,enabled_modules,time_entry_activities,issue_categories,issue_custom_fields").send().await.json();
    assert_eq!(inc["project"]["trackers"].as_array().unwrap().len(), 3);
    assert_eq!(
        inc["project"]["enabled_modules"].as_array().unwrap().len(),
        10
    );
    assert_eq!(
        inc["project"]["time_entry_activities"],
        json!([{"id": 8, "name": "Design"}, {"id": 9, "name": "Development"}])
    );
    assert_eq!(inc["project"]["issue_categories"], json!([]));

    for (body, errors) in [
        (
            json!({}),
            json!(["Name cannot be blank", "Identifier cannot be blank"]),
        ),
        (
            json!({"name": "X", "identifier": "alpha"}),
            json!(["Identifier has already been taken"]),
        ),
        (
            json!({"name": "X", "identifier": "Upper"}),
            json!(["Identifier is invalid"]),
        ),
        (
            json!({"name": "X", "identifier": "123"}),
            json!(["Identifier is invalid"]),
        ),
        (
            json!({"name": "X", "identifier": "new"}),
            json!(["Identifier is reserved"]),
        ),
        (
            json!({"name": "X", "identifier": "x", "parent_id": "alpha"}),
            json!(["Subproject of is invalid"]),
        ),
        (
            json!({"name": "X", "identifier": "x", "parent_id": 9999}),
            json!(["Subproject of is invalid"]),
        ),
        (
            json!({"name": "X", "identifier": "x", "is_public": null}),
            json!(["Public is not included in the list"]),
        ),
        (
            json!({"name": "x".repeat(256), "identifier": "x", "homepage": "h".repeat(256)}),
            json!([
                "Name is too long (maximum is 255 characters)",
                "Homepage is too long (maximum is 255 characters)"
            ]),
        ),
    ] {
        let r = project(&s, body.clone()).await;
        assert_eq!(
            (r.status, r.json()["errors"].clone()),
            (422, errors),
            "{body}"
        );
    }
    let r = project(
        &s,
        json!({"name": "T", "identifier": "t", "tracker_ids": [1, 999]}),
    )
    .await;
    assert_eq!(
        (r.status, r.json()),
        (404, json!({"status": 404, "error": "Not Found"}))
    );
    assert_eq!(
        s.get("/projects/t.json").send().await.status,
        404,
        "nothing created"
    );

    let odd = project(&s, json!({"name": "Odd", "identifier": "odd", "enabled_module_names": ["no_such", "wiki", "issue_tracking"], "tracker_ids": [3, 1]})).await;
    assert_eq!(odd.status, 201);
    let inc = s
        .get("/projects/odd.json?include=enabled_modules,trackers")
        .send()
        .await
        .json();
    let mods: Vec<&str> = inc["project"]["enabled_modules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["name"].as_str().unwrap())
        .collect();
    assert_eq!(mods, ["issue_tracking", "wiki", "no_such"]);
    let trackers: Vec<i64> = inc["project"]["trackers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_i64().unwrap())
        .collect();
    assert_eq!(trackers, [1, 3]);
    let x = s.get("/projects/odd.xml").send().await;
    assert!(
        x.text
            .contains("<description/><homepage></homepage><status>1</status>"),
        "{}",
        x.text
    );
}

async fn list_tree_order_filters_and_paging(b: Backend) {
    let s = Server::start(b).await;
    let id = |r: Resp| r.json()["project"]["id"].as_i64().unwrap();
    let beta = id(project(&s, json!({"name": "Beta", "identifier": "beta"})).await);
    let alpha = id(project(
        &s,
        json!({"name": "Alpha", "identifier": "alpha", "description": "first one"}),
    )
    .await);
    project(
        &s,
        json!({"name": "Alpha Child", "identifier": "alpha-child"}),
    )
    .await;
    project(
        &s,
        json!({"name": "Kid", "identifier": "kid", "parent_id": alpha}),
    )
    .await;
    project(
        &s,
        json!({"name": "charlie", "identifier": "charlie", "is_public": false}),
    )
    .await;
    let all = s.get("/projects.json").send().await.json();
    assert_eq!(
        names(&all),
        ["Alpha", "Kid", "Alpha Child", "Beta", "charlie"],
        "{b:?}: tree order, byte order"
    );
    assert_eq!(
        all["projects"][1]["parent"],
        json!({"id": alpha, "name": "Alpha"})
    );
    assert_eq!(
        names(
            &s.get("/projects.json?sort=name:desc&limit=2")
                .send()
                .await
                .json()
        ),
        ["charlie", "Kid"]
    );
    assert_eq!(
        names(&s.get("/projects.json?name=~child").send().await.json()),
        ["Alpha Child"]
    );
    assert_eq!(
        names(
            &s.get("/projects.json?description=~first")
                .send()
                .await
                .json()
        ),
        ["Alpha"]
    );
    assert_eq!(
        names(&s.get("/projects.json?parent_id=!*").send().await.json()),
        ["Alpha", "Alpha Child", "Beta", "charlie"]
    );
    assert_eq!(
        names(
            &s.get(&format!("/projects.json?parent_id={alpha}"))
                .send()
                .await
                .json()
        ),
        ["Kid"]
    );
    assert_eq!(
        names(&s.get("/projects.json?is_public=0").send().await.json()),
        ["charlie"]
    );
    assert_eq!(
        names(
            &s.get(&format!("/projects.json?f[]=id&op[id]=%3D&v[id][]={beta}"))
                .send()
                .await
                .json()
        ),
        ["Beta"]
    );
    let page = s.get("/projects.json?limit=2&offset=3").send().await.json();
    assert_eq!(
        (names(&page), page["total_count"].clone()),
        (vec!["Beta".to_string(), "charlie".to_string()], json!(5))
    );
    // moving a subtree and renaming keep the order right
    assert_eq!(
        s.put(
            "/projects/alpha.json",
            json!({"project": {"name": "Zulu", "parent_id": beta}})
        )
        .send()
        .await
        .status,
        204
    );
    assert_eq!(
        names(&s.get("/projects.json").send().await.json()),
        ["Alpha Child", "Beta", "Zulu", "Kid", "charlie"]
    );
    // a project cannot move under its own descendant
    let r = s.put("/projects/alpha.json", json!({"project": {"parent_id": s.get("/projects/kid.json").send().await.json()["project"]["id"]}})).send().await;
    assert_eq!(r.json(), json!({"errors": ["Subproject of is invalid"]}));
    // anonymous sees public projects only
    assert_eq!(
        names(&s.req(Method::GET, "/projects.json").send().await.json()),
        ["Alpha Child", "Beta", "Zulu", "Kid"]
    );
}

async fn update_status_changes_and_delete(b: Backend) {
    let s = Server::start(b).await;
    let root = project(&s, json!({"name": "Root", "identifier": "root"}))
        .await
        .json()["project"]["id"]
        .as_i64()
        .unwrap();
    project(
        &s,
        json!({"name": "Kid", "identifier": "kid", "parent_id": root}),
    )
    .await;
    assert_eq!(s.put("/projects/root.json", json!({"project": {"identifier": "changed", "homepage": "http://x", "enabled_module_names": ["wiki", "issue_tracking"], "tracker_ids": [2]}})).send().await.status, 204, "{b:?}");
    let p = s
        .get("/projects/root.json?include=enabled_modules,trackers")
        .send()
        .await
        .json()["project"]
        .clone();
    assert_eq!(
        (p["identifier"].clone(), p["homepage"].clone()),
        (json!("root"), json!("http://x"))
    );
    assert_eq!(p["trackers"], json!([{"id": 2, "name": "Feature"}]));
    assert_eq!(p["enabled_modules"].as_array().unwrap().len(), 2);
    assert_eq!(
        s.put("/projects/root.json", json!({"project": {"name": ""}}))
            .send()
            .await
            .json(),
        json!({"errors": ["Name cannot be blank"]})
    );
    // close: the subtree closes; writes refused even for admins; reads fine
    assert_eq!(
        s.req(Method::POST, "/projects/root/close.json")
            .key(ADMIN_KEY)
            .send()
            .await
            .status,
        204
    );
    assert_eq!(
        s.get("/projects/kid.json").send().await.json()["project"]["status"],
        5
    );
    assert_eq!(
        s.put("/projects/kid.json", json!({"project": {"name": "K"}}))
            .send()
            .await
            .status,
        403
    );
    assert_eq!(
        names(&s.get("/projects.json").send().await.json()),
        Vec::<String>::new()
    );
    assert_eq!(
        names(&s.get("/projects.json?status=5").send().await.json()),
        ["Root", "Kid"]
    );
    assert_eq!(
        project(
            &s,
            json!({"name": "Late", "identifier": "late", "parent_id": root})
        )
        .await
        .json(),
        json!({"errors": ["Subproject of is invalid"]})
    );
    assert_eq!(
        s.req(Method::PUT, "/projects/kid/reopen.json")
            .key(ADMIN_KEY)
            .send()
            .await
            .status,
        204
    );
    assert_eq!(
        s.get("/projects/root.json").send().await.json()["project"]["status"],
        5
    );
    s.req(Method::PUT, "/projects/root/reopen.json")
        .key(ADMIN_KEY)
        .send()
        .await;
    // archive hides everything, even from admins; unarchive brings the project back
    assert_eq!(
        s.req(Method::PUT, "/projects/root/archive.json")
            .key(ADMIN_KEY)
            .send()
            .await
            .status,
        204
    );
    assert_eq!(s.get("/projects/root.json").send().await.status, 403);
    assert_eq!(s.get("/projects/kid.json").send().await.status, 403);
    assert_eq!(
        s.get("/projects.json?status=9").send().await.json()["total_count"],
        0
    );
    assert_eq!(
        s.req(Method::PUT, "/projects/root/unarchive.json")
            .key(ADMIN_KEY)
            .send()
            .await
            .status,
        204
    );
    assert_eq!(
        s.get("/projects/root.json").send().await.json()["project"]["status"],
        1
    );
    assert_eq!(
        s.get("/projects/kid.json").send().await.status,
        403,
        "descendants stay archived"
    );
    // non-admins cannot archive; anonymous gets 401
    let u = s.create_user("plain", "secret-pass1").await;
    let _ = u;
    assert_eq!(
        s.req(Method::PUT, "/projects/root/archive.json")
            .basic("plain", "secret-pass1")
            .send()
            .await
            .status,
        403
    );
    assert_eq!(
        s.req(Method::PUT, "/projects/root/archive.json")
            .send()
            .await
            .status,
        401
    );
    assert_eq!(
        s.req(Method::DELETE, "/projects/root.json")
            .basic("plain", "secret-pass1")
            .send()
            .await
            .status,
        403
    );
    // delete takes the subtree
    assert_eq!(s.delete("/projects/root.json").send().await.status, 204);
    assert_eq!(s.get("/projects/kid.json").send().await.status, 404);
    assert_eq!(s.delete("/projects/root.json").send().await.status, 404);
}

fn maker(r: Req<'_>) -> Req<'_> {
    r.basic("maker", "secret-pass1")
}

/// A user with add_project (through a role on some project) creates projects and becomes
/// their Manager.
async fn non_admin_creator_becomes_manager(b: Backend) {
    let s = Server::start(b).await;
    let uid = s.create_user("maker", "secret-pass1").await;
    let r = maker(s.req(Method::POST, "/projects.json"))
        .json(json!({"project": {"name": "Mine", "identifier": "mine"}}))
        .send()
        .await;
    assert_eq!(r.status, 403, "{b:?}: no add_project anywhere");
    assert_eq!(
        s.req(Method::POST, "/projects.json")
            .json(json!({"project": {"name": "Mine", "identifier": "mine"}}))
            .send()
            .await
            .status,
        401
    );
    project(&s, json!({"name": "Home", "identifier": "home"})).await;
    s.add_member("home", uid, &[3]).await;
    let r = maker(s.req(Method::POST, "/projects.json"))
        .json(json!({"project": {"name": "Mine", "identifier": "mine"}}))
        .send()
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let m = s.get("/projects/mine/memberships.json").send().await.json();
    assert_eq!(m["memberships"][0]["user"]["id"], uid);
    assert_eq!(
        m["memberships"][0]["roles"],
        json!([{"id": 3, "name": "Manager"}])
    );
    // as Manager of home it may create a subproject there
    let r = maker(s.req(Method::POST, "/projects.json"))
        .json(json!({"project": {"name": "Sub", "identifier": "sub", "parent_id": "1"}}))
        .send()
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
}

async fn listing_trackers_costs_the_same_for_any_page_size(b: Backend) {
    let s = Server::start(b).await;
    s.create_user("dev", "secret-pass1").await;
    for k in 0..12 {
        let r = project(
            &s,
            json!({"name": format!("P{k}"), "identifier": format!("p{k}"), "tracker_ids": [1, 2]}),
        )
        .await;
        assert_eq!(r.status, 201, "{}", r.text);
    }
    let get = |limit: u32| {
        s.get(&format!("/projects.json?include=trackers&limit={limit}"))
            .basic("dev", "secret-pass1")
            .send()
    };
    // the first request reads what the server then keeps (the caller's access)
    get(1).await;
    let (small, large) = (get(2).await, get(12).await);
    assert_eq!(large.json()["projects"].as_array().unwrap().len(), 12);
    assert_eq!(
        large.json()["projects"][11]["trackers"],
        json!([{"id": 1, "name": "Bug"}, {"id": 2, "name": "Feature"}]),
        "{b:?}"
    );
    assert_eq!(
        small.header("x-carmine-queries"),
        large.header("x-carmine-queries"),
        "{b:?}"
    );
}

per_backend!(
    create_show_and_validate,
    list_tree_order_filters_and_paging,
    update_status_changes_and_delete,
    non_admin_creator_becomes_manager,
    listing_trackers_costs_the_same_for_any_page_size,
);
