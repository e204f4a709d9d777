//! Authentication: API key (header, parameter, Basic user name), login/password,
//! switch user, anonymous, and the rest_api_enabled / login_required settings.

mod common;
use common::*;

async fn keys_basic_and_anonymous(b: Backend) {
    let s = Server::start(b).await;
    let cur = "/users/current.json";
    assert_eq!(
        s.req(Method::GET, cur).key(ADMIN_KEY).send().await.json()["user"]["login"],
        "admin",
        "{b:?}"
    );
    assert_eq!(
        s.req(Method::GET, &format!("{cur}?key={ADMIN_KEY}"))
            .send()
            .await
            .json()["user"]["id"],
        1
    );
    assert_eq!(
        s.req(Method::GET, cur)
            .basic(ADMIN_KEY, "anything")
            .send()
            .await
            .json()["user"]["id"],
        1
    );
    assert_eq!(
        s.req(Method::GET, cur)
            .basic("admin", ADMIN_PASSWORD)
            .send()
            .await
            .json()["user"]["id"],
        1
    );
    assert_eq!(
        s.req(Method::GET, cur)
            .basic("ADMIN", ADMIN_PASSWORD)
            .send()
            .await
            .json()["user"]["id"],
        1,
        "login is case-insensitive"
    );
    assert_eq!(
        s.req(Method::GET, cur)
            .basic("admin", "wrong")
            .send()
            .await
            .status,
        401
    );
    // a key sent in the body counts too
    let r = s
        .req(Method::PUT, "/my/account.json")
        .json(json!({"key": ADMIN_KEY, "user": {"firstname": "Redmine"}}))
        .send()
        .await;
    assert_eq!(r.status, 204);
    // a bad key parameter wins over a good header; a bad header stops Basic
    assert_eq!(
        s.req(Method::GET, &format!("{cur}?key=bad"))
            .key(ADMIN_KEY)
            .send()
            .await
            .status,
        401
    );
    assert_eq!(
        s.req(Method::GET, cur)
            .basic("admin", ADMIN_PASSWORD)
            .header("X-Redmine-API-Key", "bad")
            .send()
            .await
            .status,
        401
    );
    // a bad key is just anonymous: public data still served
    assert_eq!(
        s.req(Method::GET, "/trackers.json?key=bad")
            .send()
            .await
            .status,
        200
    );
    // other schemes are ignored
    assert_eq!(
        s.req(Method::GET, cur)
            .header("Authorization", "Bearer abc")
            .send()
            .await
            .status,
        401
    );
    assert_eq!(
        s.req(Method::GET, cur)
            .header("Authorization", "Basic !!!notbase64")
            .send()
            .await
            .status,
        401
    );
    let anon = s.req(Method::GET, cur).send().await;
    assert_eq!((anon.status, anon.text.as_str()), (401, ""));
    assert_eq!(
        anon.header("www-authenticate").as_deref(),
        Some("Basic realm=\"Redmine API\"")
    );
}

async fn switch_user(b: Backend) {
    let s = Server::start(b).await;
    s.create_user("jsmith", "secret-pass1").await;
    let locked = s.create_user("locked", "secret-pass1").await;
    s.put(
        &format!("/users/{locked}.json"),
        json!({"user": {"status": 3}}),
    )
    .send()
    .await;
    let r = s
        .get("/users/current.json")
        .header("X-Redmine-Switch-User", "jsmith")
        .send()
        .await;
    assert_eq!(r.json()["user"]["login"], "jsmith", "{b:?}");
    assert_eq!(
        s.get("/users/current.json")
            .header("X-Redmine-Switch-User", "nobody")
            .send()
            .await
            .status,
        412
    );
    assert_eq!(
        s.get("/users/current.json")
            .header("X-Redmine-Switch-User", "locked")
            .send()
            .await
            .status,
        412
    );
    assert_eq!(
        s.get("/users/current.json")
            .header("X-Redmine-Switch-User", "")
            .send()
            .await
            .json()["user"]["id"],
        1
    );
    // ignored for non-admins
    let r = s
        .req(Method::GET, "/users/current.json")
        .basic("jsmith", "secret-pass1")
        .header("X-Redmine-Switch-User", "admin")
        .send()
        .await;
    assert_eq!(r.json()["user"]["login"], "jsmith");
}

async fn login_required_setting(b: Backend) {
    let s = Server::start_with(
        b,
        Options {
            settings: vec![("login_required", "1")],
            ..Default::default()
        },
    )
    .await;
    let r = s.req(Method::GET, "/trackers.json").send().await;
    assert_eq!(r.status, 401, "{b:?}");
    assert!(r.header("www-authenticate").is_some());
    assert_eq!(s.get("/trackers.json").send().await.status, 200);
}

async fn rest_api_disabled_ignores_credentials(b: Backend) {
    let s = Server::start_with(
        b,
        Options {
            settings: vec![("rest_api_enabled", "0")],
            ..Default::default()
        },
    )
    .await;
    let r = s.get("/users/current.json").send().await;
    assert_eq!(r.status, 403, "{b:?}: keys are ignored, login needed: 403");
    assert!(r.header("www-authenticate").is_none());
    assert_eq!(
        s.get("/trackers.json").send().await.status,
        200,
        "anonymous access still works"
    );
}

/// Requests that come at once with different keys (on PostgreSQL their keys are read
/// together, in one statement) are each answered as their own key's user, an unknown key
/// as one; one issue shown to several at once shows each what that user may see.
async fn keys_sent_at_once_answer_each_as_its_own(b: Backend) {
    use futures_util::future::join_all;
    let s = Server::start(b).await;
    let project = "keys-at-once";
    s.create_project(project, false).await;
    let issue = s
        .create_issue(json!({"project_id": project, "subject": "seen by members"}))
        .await;
    let mut keys = vec![(ADMIN_KEY.to_owned(), "admin".to_owned(), true)];
    for i in 0..5 {
        let login = format!("at-once{i}");
        let id = s.create_user(&login, "secret-pass1").await;
        if i % 2 == 0 {
            s.add_member(project, id, &[4]).await; // Developer
        }
        let key = s
            .get("/my/account.json")
            .anonymous()
            .basic(&login, "secret-pass1")
            .send()
            .await
            .json()["user"]["api_key"]
            .as_str()
            .unwrap()
            .to_owned();
        keys.push((key, login, i % 2 == 0));
    }
    keys.push(("0".repeat(40), String::new(), false));
    for round in 0..3 {
        let answers = join_all((0..48).map(|n| {
            let (key, _, _) = &keys[n % keys.len()];
            let path = if n % 2 == 0 {
                "/users/current.json".to_owned()
            } else {
                format!("/issues/{issue}.json?include=watchers")
            };
            s.get(&path).anonymous().key(key).send()
        }))
        .await;
        for (n, r) in answers.iter().enumerate() {
            let (_, login, member) = &keys[n % keys.len()];
            let what = format!("{b:?} round {round} request {n}");
            match (login.is_empty(), n % 2 == 0) {
                (true, _) => assert_eq!(r.status, 401, "{what}"),
                (false, true) => assert_eq!(r.json()["user"]["login"], *login, "{what}"),
                (false, false) if *member => {
                    assert_eq!(r.json()["issue"]["id"], issue, "{what}")
                }
                (false, false) => assert_eq!(r.status, 403, "{what}"),
            }
        }
    }
}

per_backend!(
    keys_sent_at_once_answer_each_as_its_own,
    keys_basic_and_anonymous,
    switch_user,
    login_required_setting,
    rest_api_disabled_ignores_credentials,
);
