//! Nobody reads or changes a private project without being a member of it: every
//! project-scoped endpoint, as anonymous, as a logged-in non-member, and as a member.

mod common;
use common::*;

async fn private_projects_are_closed_to_non_members(b: Backend) {
    let s = Server::start(b).await;
    s.post(
        "/projects.json",
        json!({"project": {"name": "Secret", "identifier": "secret", "is_public": false}}),
    )
    .send()
    .await;
    let member = s.create_user("member", "secret-pass1").await;
    s.create_user("outsider", "secret-pass1").await;
    let m = s
        .post(
            "/projects/secret/memberships.json",
            json!({"membership": {"user_id": member, "role_ids": [5]}}),
        )
        .send()
        .await
        .json()["membership"]["id"]
        .as_i64()
        .unwrap();
    let v = s
        .post(
            "/projects/secret/versions.json",
            json!({"version": {"name": "v"}}),
        )
        .send()
        .await
        .json()["version"]["id"]
        .as_i64()
        .unwrap();
    let c = s
        .post(
            "/projects/secret/issue_categories.json",
            json!({"issue_category": {"name": "c"}}),
        )
        .send()
        .await
        .json()["issue_category"]["id"]
        .as_i64()
        .unwrap();
    let endpoints: Vec<(Method, String, Value)> = vec![
        (Method::GET, "/projects/secret.json".into(), json!({})),
        (
            Method::PUT,
            "/projects/secret.json".into(),
            json!({"project": {"name": "Hacked"}}),
        ),
        (Method::DELETE, "/projects/secret.json".into(), json!({})),
        (Method::PUT, "/projects/secret/close.json".into(), json!({})),
        (
            Method::PUT,
            "/projects/secret/archive.json".into(),
            json!({}),
        ),
        (
            Method::GET,
            "/projects/secret/memberships.json".into(),
            json!({}),
        ),
        (
            Method::POST,
            "/projects/secret/memberships.json".into(),
            json!({"membership": {"user_id": 1, "role_ids": [3]}}),
        ),
        (Method::GET, format!("/memberships/{m}.json"), json!({})),
        (
            Method::PUT,
            format!("/memberships/{m}.json"),
            json!({"membership": {"role_ids": [3]}}),
        ),
        (Method::DELETE, format!("/memberships/{m}.json"), json!({})),
        (
            Method::GET,
            "/projects/secret/versions.json".into(),
            json!({}),
        ),
        (
            Method::POST,
            "/projects/secret/versions.json".into(),
            json!({"version": {"name": "x"}}),
        ),
        (Method::GET, format!("/versions/{v}.json"), json!({})),
        (
            Method::PUT,
            format!("/versions/{v}.json"),
            json!({"version": {"name": "x"}}),
        ),
        (Method::DELETE, format!("/versions/{v}.json"), json!({})),
        (
            Method::GET,
            "/projects/secret/issue_categories.json".into(),
            json!({}),
        ),
        (
            Method::POST,
            "/projects/secret/issue_categories.json".into(),
            json!({"issue_category": {"name": "x"}}),
        ),
        (
            Method::GET,
            format!("/issue_categories/{c}.json"),
            json!({}),
        ),
        (
            Method::PUT,
            format!("/issue_categories/{c}.json"),
            json!({"issue_category": {"name": "x"}}),
        ),
        (
            Method::DELETE,
            format!("/issue_categories/{c}.json"),
            json!({}),
        ),
    ];
    for (method, path, body) in &endpoints {
        let anon = s.req(method.clone(), path).json(body.clone()).send().await;
        assert_eq!(
            anon.status, 401,
            "{b:?} anonymous {method} {path}: {}",
            anon.text
        );
        assert_eq!(anon.text, "");
        let out = s
            .req(method.clone(), path)
            .basic("outsider", "secret-pass1")
            .json(body.clone())
            .send()
            .await;
        assert_eq!(
            out.status, 403,
            "{b:?} outsider {method} {path}: {}",
            out.text
        );
        assert_eq!(out.text, "");
    }
    // lists never show it
    assert_eq!(
        s.req(Method::GET, "/projects.json")
            .basic("outsider", "secret-pass1")
            .send()
            .await
            .json()["total_count"],
        0
    );
    assert_eq!(
        s.req(Method::GET, "/projects.json").send().await.json()["total_count"],
        0
    );
    assert_eq!(
        s.req(Method::GET, "/projects.json")
            .basic("member", "secret-pass1")
            .send()
            .await
            .json()["total_count"],
        1
    );
    // a Reporter member reads but cannot change
    assert_eq!(
        s.req(Method::GET, "/projects/secret.json")
            .basic("member", "secret-pass1")
            .send()
            .await
            .status,
        200
    );
    assert_eq!(
        s.req(Method::GET, "/projects/secret/versions.json")
            .basic("member", "secret-pass1")
            .send()
            .await
            .status,
        200
    );
    assert_eq!(
        s.req(Method::PUT, "/projects/secret.json")
            .basic("member", "secret-pass1")
            .json(json!({"project": {"name": "x"}}))
            .send()
            .await
            .status,
        403
    );
    assert_eq!(
        s.req(Method::POST, "/projects/secret/versions.json")
            .basic("member", "secret-pass1")
            .json(json!({"version": {"name": "x"}}))
            .send()
            .await
            .status,
        403
    );
    // nothing changed
    assert_eq!(
        s.get("/projects/secret.json").send().await.json()["project"]["name"],
        "Secret"
    );
    // the outsider's view of the member hides the private membership
    let seen = s
        .req(
            Method::GET,
            &format!("/users/{member}.json?include=memberships"),
        )
        .basic("outsider", "secret-pass1")
        .send()
        .await
        .json();
    assert_eq!(seen["user"]["memberships"], json!([]));
}

/// Closed projects are read-only for everybody; archived ones are closed to everybody.
async fn closed_and_archived_projects(b: Backend) {
    let s = Server::start(b).await;
    s.post(
        "/projects.json",
        json!({"project": {"name": "P", "identifier": "p"}}),
    )
    .send()
    .await;
    s.req(Method::PUT, "/projects/p/close.json")
        .key(ADMIN_KEY)
        .send()
        .await;
    assert_eq!(
        s.get("/projects/p/memberships.json").send().await.status,
        200,
        "{b:?}"
    );
    assert_eq!(s.get("/projects/p/versions.json").send().await.status, 200);
    assert_eq!(
        s.post(
            "/projects/p/versions.json",
            json!({"version": {"name": "v"}})
        )
        .send()
        .await
        .status,
        403
    );
    assert_eq!(
        s.post(
            "/projects/p/memberships.json",
            json!({"membership": {"user_id": 1, "role_ids": [3]}})
        )
        .send()
        .await
        .status,
        403
    );
    assert_eq!(
        s.req(Method::PUT, "/projects/p.json")
            .json(json!({"project": {"name": "x"}}))
            .send()
            .await
            .status,
        403,
        "anonymous on a closed project: 403, not 401"
    );
    s.req(Method::PUT, "/projects/p/reopen.json")
        .key(ADMIN_KEY)
        .send()
        .await;
    s.req(Method::PUT, "/projects/p/archive.json")
        .key(ADMIN_KEY)
        .send()
        .await;
    for path in [
        "/projects/p.json",
        "/projects/p/memberships.json",
        "/projects/p/versions.json",
    ] {
        assert_eq!(s.get(path).send().await.status, 403, "{path}");
        assert_eq!(
            s.req(Method::GET, path).send().await.status,
            403,
            "anonymous {path}"
        );
    }
}

/// Redmine authorises anonymous lists by the Anonymous role's permissions, not by the
/// existence of a public project: a fresh server answers an empty list.
async fn anonymous_lists_on_a_fresh_server(b: Backend) {
    let s = Server::start(b).await;
    let r = s.req(Method::GET, "/issues.json").anonymous().send().await;
    assert_eq!(r.status, 200, "{b:?}: {}", r.text);
    assert_eq!(
        r.json(),
        json!({"issues": [], "total_count": 0, "offset": 0, "limit": 25})
    );
    let r = s.req(Method::GET, "/issues.xml").anonymous().send().await;
    assert_eq!(r.status, 200);
    for path in [
        "/projects.json",
        "/queries.json",
        "/trackers.json",
        "/issue_statuses.json",
    ] {
        let r = s.req(Method::GET, path).anonymous().send().await;
        assert_eq!(r.status, 200, "{b:?} {path}: {}", r.text);
    }
    // admin-only lists still ask for a login
    for path in ["/users.json", "/groups.json"] {
        let r = s.req(Method::GET, path).anonymous().send().await;
        assert_eq!(r.status, 401, "{b:?} {path}");
    }
    // a logged user of no project: its Non member role decides
    s.create_user("nobody", "nobody-pass1").await;
    let r = s
        .req(Method::GET, "/issues.json")
        .basic("nobody", "nobody-pass1")
        .send()
        .await;
    assert_eq!(r.status, 200, "{b:?}: {}", r.text);
}

per_backend!(anonymous_lists_on_a_fresh_server);

per_backend!(
    private_projects_are_closed_to_non_members,
    closed_and_archived_projects,
);
