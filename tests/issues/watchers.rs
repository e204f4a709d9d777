//! Watchers, watched-issue filters and saved queries.

use crate::common::*;
use crate::per_backend;
use crate::{issue, setup, with_developer};

async fn watchers_and_saved_queries(b: Backend) {
    let s = Server::start(b).await;
    setup(&s).await;
    let zed = s.create_user("zed", "secret-pass1").await;
    let amy = s.create_user("amy", "secret-pass1").await;
    let i = issue(
        &s,
        json!({"project_id": 1, "subject": "Watched", "watcher_user_ids": [amy]}),
    )
    .await
    .json()["issue"]["id"]
        .as_i64()
        .unwrap();
    let w = |v: Value| -> Vec<i64> {
        v["issue"]["watchers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x["id"].as_i64().unwrap())
            .collect()
    };
    assert_eq!(
        w(s.get(&format!("/issues/{i}.json?include=watchers"))
            .send()
            .await
            .json()),
        [amy],
        "{b:?}"
    );
    let add = |body: Value| {
        let s = &s;
        async move {
            s.req(Method::POST, &format!("/issues/{i}/watchers.json"))
                .key(ADMIN_KEY)
                .json(body)
                .send()
                .await
                .status
        }
    };
    assert_eq!(add(json!({"user_id": zed})).await, 204);
    assert_eq!(add(json!({"user_id": zed})).await, 204, "no duplicate");
    assert_eq!(
        add(json!({"user_id": 999999})).await,
        204,
        "unknown: skipped"
    );
    assert_eq!(
        w(s.get(&format!("/issues/{i}.json?include=watchers"))
            .send()
            .await
            .json()),
        [amy, zed]
    );
    assert_eq!(
        s.delete(&format!("/issues/{i}/watchers/{zed}.json"))
            .send()
            .await
            .status,
        204
    );
    assert_eq!(
        s.delete(&format!("/issues/{i}/watchers/999999.json"))
            .send()
            .await
            .status,
        404
    );
    assert_eq!(
        s.req(Method::POST, "/issues/999999/watchers.json")
            .key(ADMIN_KEY)
            .json(json!({"user_id": zed}))
            .send()
            .await
            .status,
        403
    );
    assert_eq!(
        s.req(Method::POST, &format!("/issues/{i}/watchers.json"))
            .json(json!({"user_id": zed}))
            .send()
            .await
            .status,
        401
    );
    assert!(
        s.req(Method::GET, &format!("/issues/{i}.json?include=watchers"))
            .send()
            .await
            .json()["issue"]
            .get("watchers")
            .is_none(),
        "anonymous lacks view_issue_watchers"
    );
    assert_eq!(
        issue(
            &s,
            json!({"project_id": 1, "subject": "x", "watcher_user_ids": [999]})
        )
        .await
        .status,
        404
    );
    // saved queries: the defaults, and query_id applying them for the caller
    let q = s.get("/queries.json").send().await.json();
    let names: Vec<&str> = q["queries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "Issues assigned to me",
            "Reported issues",
            "Updated issues",
            "Watched issues"
        ]
    );
    assert_eq!(
        s.get("/queries.json?type=TimeEntryQuery")
            .send()
            .await
            .json()["queries"][0]["name"],
        "Spent time"
    );
    assert_eq!(s.get("/queries.json?type=Foo").send().await.status, 404);
    s.add_member("alpha", amy, &[4]).await;
    let watched = s
        .req(Method::GET, "/issues.json?query_id=4&subject=~nothing")
        .basic("amy", "secret-pass1")
        .send()
        .await
        .json();
    let ids: Vec<i64> = watched["issues"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, [i], "the saved filters apply, the URL's are ignored");
    assert_eq!(
        s.get("/issues.json?query_id=7").send().await.status,
        404,
        "a time entry query is not an issue query"
    );
    assert_eq!(s.get("/issues.json?query_id=").send().await.status, 200);
}

async fn watcher_filter_hides_other_users_watches(b: Backend) {
    let s = with_developer(b).await;
    let rep = s.create_user("rep", "secret-pass1").await;
    s.add_member("alpha", rep, &[5]).await;
    let r = issue(
        &s,
        json!({"project_id": "alpha", "subject": "watched", "watcher_user_ids": [rep]}),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let count = |login: &'static str, q: String| {
        let s = &s;
        async move {
            s.get(&format!("/issues.json?{q}"))
                .basic(login, "secret-pass1")
                .send()
                .await
                .json()["total_count"]
                .clone()
        }
    };
    // Developers lack view_issue_watchers: whom others watch stays hidden from them
    assert_eq!(count("dev", format!("watcher_id={rep}")).await, 0, "{b:?}");
    assert_eq!(count("dev", format!("watcher_id=!{rep}")).await, 1);
    // one's own watches are always one's own to filter by
    assert_eq!(count("rep", "watcher_id=me".into()).await, 1);
    assert_eq!(count("rep", format!("watcher_id={rep}")).await, 1);
    // the admin sees every watch
    let all = s
        .get(&format!("/issues.json?watcher_id={rep}"))
        .send()
        .await;
    assert_eq!(all.json()["total_count"], 1);
}

async fn writing_a_journal_makes_the_writer_a_watcher_where_allowed(b: Backend) {
    let s = with_developer(b).await;
    let mgr = s.create_user("mgr", "mgr-pass-123").await;
    s.add_member("alpha", mgr, &[3]).await;
    let i = s
        .create_issue(json!({"project_id": "alpha", "subject": "w"}))
        .await;
    let path = format!("/issues/{i}.json?include=watchers");
    let watchers = || async {
        s.get(&path).send().await.json()["issue"]["watchers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|w| w["id"].as_i64().unwrap())
            .collect::<Vec<i64>>()
    };
    assert_eq!(
        watchers().await,
        Vec::<i64>::new(),
        "{b:?}: creating is not contributing"
    );
    // a Developer has no add_issue_watchers: a note does not make it watch
    let r = s
        .put(
            &format!("/issues/{i}.json"),
            json!({"issue": {"notes": "dev note"}}),
        )
        .basic("dev", "secret-pass1")
        .send()
        .await;
    assert_eq!(r.status, 204, "{}", r.text);
    assert_eq!(watchers().await, Vec::<i64>::new());
    // a Manager has it
    let r = s
        .put(
            &format!("/issues/{i}.json"),
            json!({"issue": {"subject": "w2"}}),
        )
        .basic("mgr", "mgr-pass-123")
        .send()
        .await;
    assert_eq!(r.status, 204);
    assert_eq!(watchers().await, vec![mgr]);
    // an update that changes nothing writes no journal, so no watch either
    s.put(&format!("/issues/{i}.json"), json!({"issue": {}}))
        .send()
        .await;
    assert_eq!(watchers().await, vec![mgr]);
    // the admin's relation journal counts too
    let other = s
        .create_issue(json!({"project_id": "alpha", "subject": "o"}))
        .await;
    let r = s
        .post(
            &format!("/issues/{other}/relations.json"),
            json!({"relation": {"issue_to_id": i}}),
        )
        .send()
        .await;
    assert_eq!(r.status, 201);
    assert_eq!(watchers().await, vec![mgr, 1]);
}

per_backend!(
    watchers_and_saved_queries,
    watcher_filter_hides_other_users_watches,
    writing_a_journal_makes_the_writer_a_watcher_where_allowed,
);
