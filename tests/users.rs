//! `/users`: create, show, list with filters and pagination, update, delete.

mod common;
use common::*;

async fn create(s: &Server, user: Value) -> Resp {
    s.post("/users.json", json!({ "user": user })).send().await
}

async fn create_and_show_with_what_each_caller_may_see(b: Backend) {
    let s = Server::start(b).await;
    let r = create(&s, json!({"login": "full", "firstname": "Full", "lastname": "Fields", "mail": "full@example.net", "password": "secret-pass1", "mail_notification": "only_my_events"})).await;
    assert_eq!(r.status, 201, "{b:?} {}", r.text);
    let u = r.json()["user"].clone();
    assert_eq!(u["id"], 5, "the first user gets id 5");
    assert_eq!(r.header("location").unwrap(), format!("{}/users/5", s.base));
    let keys: Vec<&String> = u.as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        [
            "id",
            "login",
            "admin",
            "firstname",
            "lastname",
            "mail",
            "created_on",
            "updated_on",
            "last_login_on",
            "passwd_changed_on",
            "twofa_scheme",
            "api_key",
            "status"
        ]
    );
    assert_eq!(u["api_key"].as_str().unwrap().len(), 40);
    assert_eq!(u["last_login_on"], Value::Null);

    let x = s.get("/users/5.xml").send().await;
    assert!(
        x.text.contains("<login>full</login><admin>false</admin>"),
        "{}",
        x.text
    );
    assert!(x.text.contains("<last_login_on/>"));

    // the user himself: no mail (hidden by default), no status, but his key
    let own = s
        .req(Method::GET, "/users/current.json")
        .basic("full", "secret-pass1")
        .send()
        .await
        .json();
    assert!(own["user"].get("mail").is_none());
    assert!(own["user"].get("status").is_none());
    assert_eq!(own["user"]["api_key"], u["api_key"]);
    assert!(
        own["user"]["last_login_on"].is_string(),
        "Basic login records last_login_on"
    );

    // another user sees only the public part
    create(&s, json!({"login": "other", "firstname": "O", "lastname": "T", "mail": "o@example.net", "password": "secret-pass1"})).await;
    let seen = s
        .req(Method::GET, "/users/1.json")
        .basic("other", "secret-pass1")
        .send()
        .await
        .json();
    let keys: Vec<&String> = seen["user"].as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        [
            "id",
            "login",
            "firstname",
            "lastname",
            "created_on",
            "updated_on",
            "last_login_on",
            "passwd_changed_on"
        ]
    );

    // anonymous sees active users too (Anonymous role: users_visibility all)
    assert_eq!(s.req(Method::GET, "/users/5.json").send().await.status, 200);
    // but never the anonymous user, locked users or groups
    assert_eq!(s.req(Method::GET, "/users/4.json").send().await.status, 404);
    assert_eq!(
        s.get("/users/2.json").send().await.status,
        404,
        "groups are not users"
    );
    assert_eq!(s.get("/users/999.json").send().await.status, 404);
    assert_eq!(s.get("/users/abc.json").send().await.status, 404);

    let inc = s
        .get("/users/5.json?include=memberships,groups")
        .send()
        .await
        .json();
    assert_eq!(inc["user"]["groups"], json!([]));
    assert_eq!(inc["user"]["memberships"], json!([]));
    let inc = s.get("/users/5.json?include[]=groups").send().await.json();
    assert!(inc["user"].get("memberships").is_none());
}

async fn validation_messages_in_redmine_order(b: Backend) {
    let s = Server::start(b).await;
    let r = create(&s, json!({})).await;
    assert_eq!(r.status, 422);
    assert_eq!(
        r.json(),
        json!({"errors": ["Email cannot be blank", "Login cannot be blank", "First name cannot be blank", "Last name cannot be blank"]}),
        "{b:?}"
    );
    assert_eq!(create(&s, json!({"login": "ok", "firstname": "A", "lastname": "B", "mail": "a@b", "password": "secret-pass1"})).await.json()["errors"], json!(["Email is invalid"]));
    assert_eq!(create(&s, json!({"login": "ok", "firstname": "A", "lastname": "B", "mail": "ok@example.net", "password": "short"})).await.json()["errors"], json!(["Password is too short (minimum is 8 characters)"]));
    assert_eq!(create(&s, json!({"login": "bad login!", "firstname": "A", "lastname": "B", "mail": "ok@example.net"})).await.json()["errors"], json!(["Login is invalid"]));
    assert_eq!(create(&s, json!({"login": "x".repeat(61), "firstname": "A".repeat(31), "lastname": "B", "mail": "ok@example.net"})).await.json()["errors"], json!(["Login is too long (maximum is 60 characters)", "First name is too long (maximum is 30 characters)"]));
    assert_eq!(create(&s, json!({"login": "ok", "firstname": "A", "lastname": "B", "mail": "ok@example.net", "status": 7, "mail_notification": "sometimes"})).await.json()["errors"], json!(["Status is invalid", "Email notifications is not included in the list"]));
    assert_eq!(create(&s, json!({"login": "taken", "firstname": "A", "lastname": "B", "mail": "taken@example.net", "password": "secret-pass1"})).await.status, 201);
    assert_eq!(create(&s, json!({"login": "TAKEN", "firstname": "A", "lastname": "B", "mail": "TAKEN@example.net"})).await.json()["errors"], json!(["Email has already been taken", "Login has already been taken"]));
    let x = s
        .post(
            "/users.xml",
            json!({"user": {"login": "taken", "mail": "x", "password": "1"}}),
        )
        .send()
        .await;
    assert_eq!(x.text, "<?xml version=\"1.0\" encoding=\"UTF-8\"?><errors type=\"array\"><error>Email is invalid</error><error>First name cannot be blank</error><error>Last name cannot be blank</error><error>Login has already been taken</error><error>Password is too short (minimum is 8 characters)</error></errors>");
    assert_eq!(create(&s, json!({"login": "conf", "firstname": "A", "lastname": "B", "mail": "conf@example.net", "password": "secret-pass1", "password_confirmation": "other-pass1"})).await.json()["errors"], json!(["Password doesn't match confirmation"]));
    let nopass = create(&s, json!({"login": "nopass", "firstname": "No", "lastname": "Pass", "mail": "nopass@example.net"})).await;
    assert_eq!(nopass.status, 201);
    assert_eq!(nopass.json()["user"]["passwd_changed_on"], Value::Null);
    // a user without password cannot log in with an empty one
    assert_eq!(
        s.req(Method::GET, "/users/current.json")
            .basic("nopass", "")
            .send()
            .await
            .status,
        401
    );
    // hostile strings are stored and escaped, never a 500
    let hostile = create(&s, json!({"login": "h", "firstname": "<script>&\"'", "lastname": "\u{1}\u{2028}x", "mail": "h@example.net"})).await;
    assert_eq!(hostile.status, 201, "{}", hostile.text);
    assert!(hostile.text.contains("\\u003cscript\\u003e\\u0026"));
    let hx = s
        .get(&format!("/users/{}.xml", hostile.json()["user"]["id"]))
        .send()
        .await;
    assert!(
        hx.text.contains(
            "<firstname>&lt;script&gt;&amp;\"'</firstname><lastname>\u{fffd}\u{2028}x</lastname>"
        ),
        "{}",
        hx.text
    );
    // wrong types do not crash
    for body in [
        json!({"user": "string"}),
        json!({"user": [1, 2]}),
        json!({"user": {"login": ["a"], "admin": {"x": 1}, "status": [], "mail": 5}}),
        json!([1]),
    ] {
        let r = s.post("/users.json", body).send().await;
        assert_eq!(r.status, 422, "{}", r.text);
    }
}

async fn list_filters_sort_and_pagination(b: Backend) {
    let s = Server::start(b).await;
    for (login, first, last, status) in [
        ("ann", "Ann", "Archer", 1),
        ("ben", "Ben", "Baker", 3),
        ("cat", "Cat", "Cooper", 2),
        ("dan", "Dan", "Archer", 1),
    ] {
        let r = create(&s, json!({"login": login, "firstname": first, "lastname": last, "mail": format!("{login}@example.net"), "status": status})).await;
        assert_eq!(r.status, 201);
    }
    let logins = |v: Value| -> Vec<String> {
        v["users"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| u["login"].as_str().unwrap().to_owned())
            .collect()
    };
    let all = s.get("/users.json").send().await.json();
    assert_eq!(
        logins(all.clone()),
        ["admin", "ann", "dan"],
        "{b:?}: active only by default, by login"
    );
    assert_eq!(all["total_count"], 3);
    assert_eq!(
        logins(s.get("/users.json?status=3").send().await.json()),
        ["ben"]
    );
    assert_eq!(
        logins(s.get("/users.json?status=").send().await.json()),
        ["admin", "ann", "ben", "cat", "dan"]
    );
    assert_eq!(
        logins(s.get("/users.json?status=abc").send().await.json()),
        Vec::<String>::new()
    );
    assert_eq!(
        logins(s.get("/users.json?name=archer&status=").send().await.json()),
        ["ann", "dan"]
    );
    assert_eq!(
        logins(s.get("/users.json?name=Dan%20Archer").send().await.json()),
        ["dan"]
    );
    assert_eq!(
        logins(
            s.get("/users.json?name=example.net&status=2")
                .send()
                .await
                .json()
        ),
        ["cat"]
    );
    assert_eq!(
        logins(s.get("/users.json?name=%25").send().await.json()),
        Vec::<String>::new(),
        "LIKE wildcards are literal"
    );
    assert_eq!(
        logins(
            s.get("/users.json?sort=lastname:desc,login")
                .send()
                .await
                .json()
        ),
        ["ann", "dan", "admin"]
    );
    assert_eq!(
        logins(s.get("/users.json?sort=firstname:desc").send().await.json()),
        ["admin", "dan", "ann"]
    );
    assert_eq!(
        logins(s.get("/users.json?group_id=999").send().await.json()),
        Vec::<String>::new()
    );
    let page = s
        .get("/users.json?status=&limit=2&offset=2")
        .send()
        .await
        .json();
    assert_eq!(logins(page.clone()), ["ben", "cat"]);
    assert_eq!(
        (
            page["total_count"].clone(),
            page["offset"].clone(),
            page["limit"].clone()
        ),
        (json!(5), json!(2), json!(2))
    );
    let p2 = s
        .get("/users.json?status=&page=2&limit=2")
        .send()
        .await
        .json();
    assert_eq!(p2["offset"], 2);
    let capped = s
        .get("/users.json?limit=1000&offset=-5")
        .send()
        .await
        .json();
    assert_eq!(
        (capped["limit"].clone(), capped["offset"].clone()),
        (json!(100), json!(0))
    );
    let x = s.get("/users.xml?offset=40").send().await;
    assert_eq!(x.text, "<?xml version=\"1.0\" encoding=\"UTF-8\"?><users total_count=\"3\" offset=\"40\" limit=\"25\" type=\"array\"></users>");
    let nometa = s.get("/users.json?nometa=1").send().await.json();
    assert!(nometa.get("total_count").is_none());
    let nometa = s
        .get("/users.xml")
        .header("X-Redmine-Nometa", "")
        .send()
        .await;
    assert!(nometa.text.contains("<users type=\"array\">"));
    let listed = all["users"][0]
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect::<Vec<_>>();
    assert_eq!(
        listed,
        [
            "id",
            "login",
            "admin",
            "firstname",
            "lastname",
            "mail",
            "created_on",
            "updated_on",
            "last_login_on",
            "passwd_changed_on",
            "twofa_scheme"
        ]
    );
    assert_eq!(
        s.req(Method::GET, "/users.json")
            .basic("ann", "x")
            .send()
            .await
            .status,
        401,
        "ann has no password"
    );
    let ann_key = s.get("/users/5.json").send().await.json()["user"]["api_key"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        s.req(Method::GET, "/users.json")
            .key(&ann_key)
            .send()
            .await
            .status,
        403
    );
    assert_eq!(s.req(Method::GET, "/users.json").send().await.status, 401);
}

async fn update_password_admin_flag_and_lock(b: Backend) {
    let s = Server::start(b).await;
    let id = s.create_user("upd", "secret-pass1").await;
    s.create_user("other", "secret-pass1").await;
    let path = format!("/users/{id}.json");
    assert_eq!(
        s.put(
            &path,
            json!({"user": {"firstname": "Updated", "mail": "updated@example.net"}})
        )
        .send()
        .await
        .status,
        204,
        "{b:?}"
    );
    let u = s.get(&path).send().await.json();
    assert_eq!(
        (u["user"]["firstname"].clone(), u["user"]["mail"].clone()),
        (json!("Updated"), json!("updated@example.net"))
    );
    assert_eq!(
        s.put(&path, json!({"user": {"mail": "broken"}}))
            .send()
            .await
            .json(),
        json!({"errors": ["Email is invalid"]})
    );
    assert_eq!(
        s.put(&path, json!({"user": {"login": "OTHER"}}))
            .send()
            .await
            .json(),
        json!({"errors": ["Login has already been taken"]})
    );
    assert_eq!(
        s.put(
            &path,
            json!({"user": {"login": "renamed", "password": "brand-new-pass"}})
        )
        .send()
        .await
        .status,
        204
    );
    assert_eq!(
        s.req(Method::GET, "/users/current.json")
            .basic("renamed", "brand-new-pass")
            .send()
            .await
            .status,
        200
    );
    assert_eq!(
        s.req(Method::GET, "/users/current.json")
            .basic("renamed", "secret-pass1")
            .send()
            .await
            .status,
        401
    );
    assert_eq!(
        s.req(Method::PATCH, &path)
            .key(ADMIN_KEY)
            .json(json!({"user": {"admin": true}}))
            .send()
            .await
            .status,
        204
    );
    assert_eq!(
        s.req(Method::GET, "/users.json")
            .basic("renamed", "brand-new-pass")
            .send()
            .await
            .status,
        200,
        "now an admin"
    );
    assert_eq!(
        s.put(&path, json!({"user": {"admin": false}}))
            .send()
            .await
            .status,
        204
    );
    assert_eq!(
        s.req(Method::PUT, "/users/1.json")
            .basic("other", "secret-pass1")
            .json(json!({"user": {"firstname": "Hacked"}}))
            .send()
            .await
            .status,
        403
    );
    assert_eq!(s.req(Method::PUT, &path).send().await.status, 401);
    assert_eq!(s.put("/users.json", json!({})).send().await.status, 404);
    assert_eq!(
        s.put("/users/4.json", json!({"user": {"firstname": "A"}}))
            .send()
            .await
            .status,
        404,
        "the anonymous user cannot be updated"
    );
    assert_eq!(
        s.put("/users/999.json", json!({"user": {"firstname": "A"}}))
            .send()
            .await
            .status,
        404
    );
    assert_eq!(
        s.put(&path, json!({"nothing": 1})).send().await.status,
        204,
        "no user hash: nothing changes"
    );
    // group_ids naming no group are ignored
    assert_eq!(
        s.put(&path, json!({"user": {"group_ids": [1, 999, "x"]}}))
            .send()
            .await
            .status,
        204
    );
    // lock: Basic and the API key stop working
    let key = s.get(&path).send().await.json()["user"]["api_key"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        s.put(&path, json!({"user": {"status": 3}}))
            .send()
            .await
            .status,
        204
    );
    assert_eq!(
        s.req(Method::GET, "/users/current.json")
            .basic("renamed", "brand-new-pass")
            .send()
            .await
            .status,
        401
    );
    assert_eq!(
        s.req(Method::GET, "/users/current.json")
            .key(&key)
            .send()
            .await
            .status,
        401
    );
    assert_eq!(
        s.req(Method::GET, &path)
            .basic("other", "secret-pass1")
            .send()
            .await
            .status,
        404,
        "locked users are hidden from non-admins"
    );
    assert_eq!(s.get(&path).send().await.json()["user"]["status"], 3);
    // must_change_passwd: refused on Basic, accepted with the key
    let other = s.create_user("mustchange", "secret-pass1").await;
    s.put(
        &format!("/users/{other}.json"),
        json!({"user": {"must_change_passwd": true}}),
    )
    .send()
    .await;
    assert_eq!(
        s.req(Method::GET, "/users/current.json")
            .basic("mustchange", "secret-pass1")
            .send()
            .await
            .status,
        403
    );
}

async fn delete_users(b: Backend) {
    let s = Server::start(b).await;
    let gone = s.create_user("gone", "secret-pass1").await;
    s.create_user("stays", "secret-pass1").await;
    let path = format!("/users/{gone}.json");
    assert_eq!(
        s.req(Method::DELETE, &path)
            .basic("stays", "secret-pass1")
            .send()
            .await
            .status,
        403
    );
    assert_eq!(s.req(Method::DELETE, &path).send().await.status, 401);
    let r = s.delete(&path).send().await;
    assert_eq!(r.status, 204, "{b:?}");
    assert_eq!(r.content_type(), None);
    assert_eq!(s.get(&path).send().await.status, 404);
    assert_eq!(s.delete(&path).send().await.status, 404);
    assert_eq!(
        s.req(Method::GET, "/users/current.json")
            .basic("gone", "secret-pass1")
            .send()
            .await
            .status,
        401
    );
    assert_eq!(s.delete("/users/4.json").send().await.status, 404);
    // the only active admin cannot delete himself
    let r = s.delete("/users/1.json").send().await;
    assert_eq!((r.status, r.text.as_str()), (422, ""));
    // the next user gets a fresh id: users and groups share one sequence that never reuses
    assert_eq!(s.create_user("next", "secret-pass1").await, gone + 2);
}

/// Parallel creates never fail with a 500, and a login raced for by several requests
/// goes to exactly one of them.
async fn concurrent_creates(b: Backend) {
    use futures_util::future::join_all;
    let s = Server::start(b).await;
    let distinct = join_all((0..24).map(|i| {
        create(&s, json!({"login": format!("par{i}"), "firstname": "P", "lastname": "Q", "mail": format!("par{i}@example.net"), "password": "secret-pass1"}))
    }))
    .await;
    assert!(
        distinct.iter().all(|r| r.status == 201),
        "{b:?} {:?}",
        distinct.iter().map(|r| &r.text).collect::<Vec<_>>()
    );
    let same = join_all((0..12).map(|i| {
        create(&s, json!({"login": "race", "firstname": "R", "lastname": "C", "mail": format!("race{i}@example.net")}))
    }))
    .await;
    assert_eq!(same.iter().filter(|r| r.status == 201).count(), 1, "{b:?}");
    for r in same.iter().filter(|r| r.status != 201) {
        assert_eq!(
            (r.status, r.json()),
            (422, json!({"errors": ["Login has already been taken"]}))
        );
    }
    let total = s.get("/users.json?limit=1").send().await.json()["total_count"]
        .as_i64()
        .unwrap();
    assert_eq!(total, 1 + 24 + 1);
}

async fn deleting_a_user_leaves_its_writing_to_the_anonymous_user(b: Backend) {
    let s = Server::start(b).await;
    s.create_project("alpha", true).await;
    let dev = s.create_user("dev", "dev-pass-123").await;
    s.add_member("alpha", dev, &[4]).await;
    let r = s
        .post(
            "/issues.json",
            json!({"issue": {"project_id": "alpha", "subject": "by dev", "assigned_to_id": dev}}),
        )
        .basic("dev", "dev-pass-123")
        .send()
        .await;
    assert_eq!(r.status, 201, "{b:?} {}", r.text);
    let id = r.json()["issue"]["id"].as_i64().unwrap();
    let r = s
        .put(
            &format!("/issues/{id}.json"),
            json!({"issue": {"notes": "dev was here"}}),
        )
        .basic("dev", "dev-pass-123")
        .send()
        .await;
    assert_eq!(r.status, 204);
    assert_eq!(
        s.delete(&format!("/users/{dev}.json")).send().await.status,
        204
    );
    let i = s
        .get_json(&format!("/issues/{id}.json?include=journals"))
        .await["issue"]
        .clone();
    assert_eq!(i["author"], json!({"id": 4, "name": "Anonymous"}), "{b:?}");
    assert!(i.get("assigned_to").is_none());
    assert_eq!(
        i["journals"][0]["user"],
        json!({"id": 4, "name": "Anonymous"})
    );
    let l = s.get_json("/issues.json?author_id=4").await;
    assert_eq!(l["total_count"], 1);
}

per_backend!(
    create_and_show_with_what_each_caller_may_see,
    validation_messages_in_redmine_order,
    list_filters_sort_and_pagination,
    update_password_admin_flag_and_lock,
    delete_users,
    deleting_a_user_leaves_its_writing_to_the_anonymous_user,
);

mod concurrent_creates {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        if crate::common::enabled(crate::common::Backend::Sqlite) {
            super::concurrent_creates(crate::common::Backend::Sqlite).await
        }
    }
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        if crate::common::enabled(crate::common::Backend::Postgres) {
            super::concurrent_creates(crate::common::Backend::Postgres).await
        }
    }
}
