//! Memberships, groups and their propagation.

mod common;
use common::*;

async fn setup(s: &Server) {
    s.post(
        "/projects.json",
        json!({"project": {"name": "Parent", "identifier": "parent"}}),
    )
    .send()
    .await;
}

fn roles_of(list: &Value, principal: &str, id: i64) -> Vec<Value> {
    list["memberships"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m[principal]["id"] == id)
        .map(|m| m["roles"].as_array().unwrap().clone())
        .unwrap_or_default()
}

async fn create_update_delete_and_validation(b: Backend) {
    let s = Server::start(b).await;
    setup(&s).await;
    let jdoe = s.create_user("jdoe", "secret-pass1").await;
    let ann = s.create_user("ann", "secret-pass1").await;
    let r = s
        .post(
            "/projects/parent/memberships.json",
            json!({"membership": {"user_id": jdoe, "role_ids": [5, "3", 1, 999]}}),
        )
        .send()
        .await;
    assert_eq!(r.status, 201, "{b:?} {}", r.text);
    let m = r.json()["membership"].clone();
    assert_eq!(
        m["roles"],
        json!([{"id": 5, "name": "Reporter"}, {"id": 3, "name": "Manager"}]),
        "builtin and unknown roles dropped, order kept"
    );
    let mid = m["id"].as_i64().unwrap();
    for (body, errors) in [
        (
            json!({"membership": {"user_id": jdoe, "role_ids": [4]}}),
            json!(["User has already been taken"]),
        ),
        (
            json!({"membership": {"user_id": ann, "role_ids": [1, 2]}}),
            json!(["Role cannot be empty"]),
        ),
        (
            json!({"membership": {"user_id": 999, "role_ids": [4]}}),
            json!(["Principal cannot be blank"]),
        ),
        (
            json!({"membership": {"user_id": 4, "role_ids": [4]}}),
            json!(["Principal cannot be blank"]),
        ),
        (
            json!({}),
            json!(["Principal cannot be blank", "Role cannot be empty"]),
        ),
    ] {
        let r = s
            .post("/projects/parent/memberships.json", body.clone())
            .send()
            .await;
        assert_eq!(
            (r.status, r.json()["errors"].clone()),
            (422, errors),
            "{body}"
        );
    }
    // update: kept roles first, new ones in the order given
    assert_eq!(
        s.put(
            &format!("/memberships/{mid}.json"),
            json!({"membership": {"role_ids": [4, 3]}})
        )
        .send()
        .await
        .status,
        204
    );
    assert_eq!(
        s.get(&format!("/memberships/{mid}.json"))
            .send()
            .await
            .json()["membership"]["roles"],
        json!([{"id": 3, "name": "Manager"}, {"id": 4, "name": "Developer"}])
    );
    let r = s
        .put(
            &format!("/memberships/{mid}.json"),
            json!({"membership": {"role_ids": [999]}}),
        )
        .send()
        .await;
    assert_eq!(r.json(), json!({"errors": ["Role cannot be empty"]}));
    assert_eq!(
        s.get(&format!("/memberships/{mid}.json"))
            .send()
            .await
            .json()["membership"]["roles"]
            .as_array()
            .unwrap()
            .len(),
        2,
        "a refused update changes nothing"
    );
    let list = s
        .get("/projects/parent/memberships.json?limit=1")
        .send()
        .await
        .json();
    assert_eq!(
        (list["total_count"].clone(), list["limit"].clone()),
        (json!(1), json!(1))
    );
    // user_ids: one membership each
    let carl = s.create_user("carl", "secret-pass1").await;
    let r = s
        .post(
            "/projects/parent/memberships.json",
            json!({"membership": {"user_ids": [ann, carl], "role_ids": [4]}}),
        )
        .send()
        .await;
    assert_eq!(r.json()["membership"]["user"]["id"], ann);
    assert_eq!(
        s.get("/projects/parent/memberships.json")
            .send()
            .await
            .json()["total_count"],
        3
    );
    assert_eq!(
        s.delete(&format!("/memberships/{mid}.json"))
            .send()
            .await
            .status,
        204
    );
    assert_eq!(
        s.get(&format!("/memberships/{mid}.json"))
            .send()
            .await
            .status,
        404
    );
    assert_eq!(
        s.delete(&format!("/memberships/{mid}.json"))
            .send()
            .await
            .status,
        404
    );
}

async fn group_and_subproject_inheritance(b: Backend) {
    let s = Server::start(b).await;
    setup(&s).await;
    let alice = s.create_user("alice", "secret-pass1").await;
    let bob = s.create_user("bob", "secret-pass1").await;
    let team = s
        .post(
            "/groups.json",
            json!({"group": {"name": "Team", "user_ids": [alice]}}),
        )
        .send()
        .await
        .json()["group"]["id"]
        .as_i64()
        .unwrap();
    s.post("/projects.json", json!({"project": {"name": "Child", "identifier": "child", "parent_id": 1, "inherit_members": true}})).send().await;
    let gm = s
        .post(
            "/projects/parent/memberships.json",
            json!({"membership": {"user_id": team, "role_ids": [4]}}),
        )
        .send()
        .await
        .json()["membership"]["id"]
        .as_i64()
        .unwrap();
    let parent = s
        .get("/projects/parent/memberships.json")
        .send()
        .await
        .json();
    assert_eq!(
        roles_of(&parent, "user", alice),
        [json!({"id": 4, "name": "Developer", "inherited": true})],
        "{b:?}"
    );
    let child = s
        .get("/projects/child/memberships.json")
        .send()
        .await
        .json();
    assert_eq!(roles_of(&child, "user", alice).len(), 1);
    assert_eq!(roles_of(&child, "group", team).len(), 1);
    // alice may now read the private-to-her child through the inherited role
    assert_eq!(
        s.req(Method::GET, "/projects/child/memberships.json")
            .basic("alice", "secret-pass1")
            .send()
            .await
            .status,
        200
    );
    // bob joins: roles arrive; he leaves: they go with his memberships
    assert_eq!(
        s.req(Method::POST, &format!("/groups/{team}/users.json"))
            .key(ADMIN_KEY)
            .json(json!({"user_id": bob}))
            .send()
            .await
            .status,
        204
    );
    let child = s
        .get("/projects/child/memberships.json")
        .send()
        .await
        .json();
    assert_eq!(
        roles_of(&child, "user", bob).len(),
        2,
        "through the group's copy and his parent copy"
    );
    assert_eq!(
        s.delete(&format!("/groups/{team}/users/{bob}.json"))
            .send()
            .await
            .status,
        204
    );
    assert!(roles_of(
        &s.get("/projects/child/memberships.json")
            .send()
            .await
            .json(),
        "user",
        bob
    )
    .is_empty());
    assert!(roles_of(
        &s.get("/projects/parent/memberships.json")
            .send()
            .await
            .json(),
        "user",
        bob
    )
    .is_empty());
    // inherited memberships cannot be deleted directly
    let alice_m = s
        .get("/projects/parent/memberships.json")
        .send()
        .await
        .json()["memberships"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["user"]["id"] == alice)
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let r = s
        .delete(&format!("/memberships/{alice_m}.json"))
        .send()
        .await;
    assert_eq!((r.status, r.text.as_str()), (422, ""));
    // turning inheritance off removes the copies in the child
    assert_eq!(
        s.put(
            "/projects/child.json",
            json!({"project": {"inherit_members": false}})
        )
        .send()
        .await
        .status,
        204
    );
    assert_eq!(
        s.get("/projects/child/memberships.json")
            .send()
            .await
            .json()["total_count"],
        0
    );
    assert_eq!(
        s.put(
            "/projects/child.json",
            json!({"project": {"inherit_members": true}})
        )
        .send()
        .await
        .status,
        204
    );
    assert_eq!(
        s.get("/projects/child/memberships.json")
            .send()
            .await
            .json()["total_count"],
        2
    );
    // deleting the group's membership removes alice's copies everywhere
    assert_eq!(
        s.delete(&format!("/memberships/{gm}.json"))
            .send()
            .await
            .status,
        204
    );
    assert_eq!(
        s.get("/projects/parent/memberships.json")
            .send()
            .await
            .json()["total_count"],
        0
    );
    assert_eq!(
        s.get("/projects/child/memberships.json")
            .send()
            .await
            .json()["total_count"],
        0
    );
    // the user's own view of memberships
    let u = s
        .get(&format!("/users/{alice}.json?include=memberships,groups"))
        .send()
        .await
        .json();
    assert_eq!(u["user"]["memberships"], json!([]));
    assert_eq!(u["user"]["groups"], json!([{"id": team, "name": "Team"}]));
}

async fn a_manager_manages_members_of_its_project_only(b: Backend) {
    let s = Server::start(b).await;
    setup(&s).await;
    s.post(
        "/projects.json",
        json!({"project": {"name": "Other", "identifier": "other"}}),
    )
    .send()
    .await;
    let boss = s.create_user("boss", "secret-pass1").await;
    let dev = s.create_user("dev", "secret-pass1").await;
    s.add_member("parent", boss, &[3]).await;
    let boss_req = |m: Method, p: &str| s.req(m, p).basic("boss", "secret-pass1");
    let r = boss_req(Method::POST, "/projects/parent/memberships.json")
        .json(json!({"membership": {"user_id": dev, "role_ids": [4]}}))
        .send()
        .await;
    assert_eq!(r.status, 201, "{b:?} {}", r.text);
    let r = boss_req(Method::POST, "/projects/other/memberships.json")
        .json(json!({"membership": {"user_id": dev, "role_ids": [4]}}))
        .send()
        .await;
    assert_eq!(r.status, 403, "not a member of other");
    // a developer may read members but not manage them
    let r = s
        .req(Method::POST, "/projects/parent/memberships.json")
        .basic("dev", "secret-pass1")
        .json(json!({"membership": {"user_id": boss, "role_ids": [4]}}))
        .send()
        .await;
    assert_eq!(r.status, 403);
    assert_eq!(
        s.req(Method::GET, "/projects/parent/memberships.json")
            .basic("dev", "secret-pass1")
            .send()
            .await
            .json()["total_count"],
        2
    );
    assert_eq!(
        s.req(Method::GET, "/projects/parent/memberships.json")
            .send()
            .await
            .status,
        200,
        "public project: anonymous may read members"
    );
}

async fn groups_crud(b: Backend) {
    let s = Server::start(b).await;
    let a = s.create_user("a", "secret-pass1").await;
    let r = s
        .post(
            "/groups.json",
            json!({"group": {"name": "Zeta", "user_ids": [a]}}),
        )
        .send()
        .await;
    assert_eq!(
        (r.status, r.json()["group"]["name"].clone()),
        (201, json!("Zeta")),
        "{b:?}"
    );
    let gid = r.json()["group"]["id"].as_i64().unwrap();
    s.post("/groups.json", json!({"group": {"name": "alpha"}}))
        .send()
        .await;
    assert_eq!(
        s.post("/groups.json", json!({"group": {"name": "ZETA"}}))
            .send()
            .await
            .json(),
        json!({"errors": ["Name has already been taken"]})
    );
    assert_eq!(
        s.post(
            "/groups.json",
            json!({"group": {"name": "Non member users"}})
        )
        .send()
        .await
        .json(),
        json!({"errors": ["Name has already been taken"]})
    );
    assert_eq!(
        s.post(
            "/groups.json",
            json!({"group": {"name": "X", "user_ids": [999]}})
        )
        .send()
        .await
        .status,
        404
    );
    let names = |v: Value| -> Vec<String> {
        v["groups"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| g["name"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(
        names(s.get("/groups.json").send().await.json()),
        ["Zeta", "alpha"]
    );
    assert_eq!(
        names(s.get("/groups.json?builtin=1").send().await.json()),
        ["Zeta", "alpha", "Anonymous users", "Non member users"]
    );
    let g = s
        .get(&format!("/groups/{gid}.json?include=users"))
        .send()
        .await
        .json();
    assert_eq!(g["group"]["users"], json!([{"id": a, "name": "F L"}]));
    assert_eq!(
        s.req(Method::GET, &format!("/groups/{gid}.json"))
            .send()
            .await
            .status,
        200,
        "anonymous may see groups"
    );
    assert_eq!(s.req(Method::GET, "/groups.json").send().await.status, 401);
    assert_eq!(
        s.get("/groups/1.json").send().await.status,
        404,
        "a user is not a group"
    );
    assert_eq!(
        s.put(
            &format!("/groups/{gid}.json"),
            json!({"group": {"name": "Renamed", "user_ids": []}})
        )
        .send()
        .await
        .status,
        204
    );
    assert_eq!(
        s.get(&format!("/groups/{gid}.json?include=users"))
            .send()
            .await
            .json()["group"]["users"],
        json!([])
    );
    let r = s
        .req(Method::POST, &format!("/groups/{gid}/users.json"))
        .key(ADMIN_KEY)
        .json(json!({"user_ids": [999]}))
        .send()
        .await;
    assert_eq!(r.json(), json!({"errors": ["User is invalid"]}));
    assert_eq!(
        s.delete(&format!("/groups/{gid}/users/999.json"))
            .send()
            .await
            .json(),
        json!({"status": 404, "error": "Not Found"})
    );
    assert_eq!(
        s.put("/groups/3.json", json!({"group": {"name": "Hacked"}}))
            .send()
            .await
            .status,
        204
    );
    assert_eq!(
        s.get("/groups/3.json").send().await.json()["group"],
        json!({"id": 3, "name": "Non member users", "builtin": "non_member"})
    );
    assert_eq!(s.delete("/groups/3.json").send().await.status, 204);
    assert_eq!(
        s.get("/groups/3.json").send().await.status,
        200,
        "builtin groups are never deleted"
    );
    assert_eq!(
        s.delete(&format!("/groups/{gid}.json")).send().await.status,
        204
    );
    assert_eq!(
        s.get(&format!("/groups/{gid}.json")).send().await.status,
        404
    );
}

/// Group custom fields: written on create and update like a user's, shown in lists and
/// show when the field is visible, never on the built-in groups.
async fn group_custom_values(b: Backend) {
    let s = Server::with_setting(b, "admin_api_enabled", "1").await;
    let cost = s.create_custom_field(json!({"customized_type": "group", "name": "Cost center", "field_format": "string", "is_required": true})).await;
    let hidden = s.create_custom_field(json!({"customized_type": "group", "name": "Secret", "field_format": "string", "visible": false})).await;
    let r = s
        .post("/groups.json", json!({"group": {"name": "Ops"}}))
        .send()
        .await;
    assert_eq!(
        (r.status, r.json()["errors"].clone()),
        (422, json!(["Cost center cannot be blank"]))
    );
    let r = s
        .post(
            "/groups.json",
            json!({"group": {"name": "", "custom_fields": [{"id": cost, "value": ""}]}}),
        )
        .send()
        .await;
    assert_eq!(
        r.json()["errors"],
        json!(["Cost center cannot be blank", "Name cannot be blank"])
    );
    let r = s
        .post(
            "/groups.json",
            json!({"group": {"name": "Ops", "custom_fields": [{"id": cost, "value": "CC-1"}, {"id": hidden, "value": "x"}]}}),
        )
        .send()
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let id = r.json()["group"]["id"].as_i64().unwrap();
    let shown = json!([{"id": cost, "name": "Cost center", "value": "CC-1"}]);
    assert_eq!(r.json()["group"]["custom_fields"], shown);
    let one = s.get(&format!("/groups/{id}.json")).send().await;
    assert_eq!(one.json()["group"]["custom_fields"], shown);
    let r = s
        .put(
            &format!("/groups/{id}.json"),
            json!({"group": {"custom_field_values": {cost.to_string(): "CC-2"}}}),
        )
        .send()
        .await;
    assert_eq!(r.status, 204, "{}", r.text);
    let list = s.get("/groups.json?builtin=1").send().await;
    for g in list.json()["groups"].as_array().unwrap() {
        if g["id"] == id {
            assert_eq!(g["custom_fields"][0]["value"], "CC-2");
        } else {
            assert!(g.get("custom_fields").is_none(), "{g}");
        }
    }
    let xml = s.get(&format!("/groups/{id}.xml")).send().await;
    assert!(
        xml.text.contains(&format!(
            "<custom_fields type=\"array\"><custom_field id=\"{cost}\" name=\"Cost center\"><value>CC-2</value></custom_field></custom_fields>"
        )),
        "{}",
        xml.text
    );
    let r = s
        .put(
            &format!("/groups/{id}.json"),
            json!({"group": {"custom_fields": [{"id": cost, "value": ""}]}}),
        )
        .send()
        .await;
    assert_eq!(r.status, 422);
    assert_eq!(
        s.delete(&format!("/groups/{id}.json")).send().await.status,
        204
    );
}

per_backend!(
    group_custom_values,
    create_update_delete_and_validation,
    group_and_subproject_inheritance,
    a_manager_manages_members_of_its_project_only,
    groups_crud,
);
