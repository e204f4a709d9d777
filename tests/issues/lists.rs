//! Issue lists: visibility, filters and operators, grouping, bounded statements per page.

use crate::common::*;
use crate::per_backend;
use crate::{issue, setup};

async fn visibility_and_lists(b: Backend) {
    let s = Server::start(b).await;
    setup(&s).await;
    s.post(
        "/projects.json",
        json!({"project": {"name": "Hidden", "identifier": "hidden", "is_public": false}}),
    )
    .send()
    .await;
    let rep = s.create_user("rep", "secret-pass1").await;
    s.create_user("out", "secret-pass1").await;
    s.add_member("alpha", rep, &[5]).await;
    let public = issue(&s, json!({"project_id": 1, "subject": "Public"}))
        .await
        .json()["issue"]["id"]
        .as_i64()
        .unwrap();
    let private = issue(
        &s,
        json!({"project_id": 1, "subject": "Private", "is_private": true}),
    )
    .await
    .json()["issue"]["id"]
        .as_i64()
        .unwrap();
    let mine = issue(&s, json!({"project_id": 1, "subject": "Private for rep", "is_private": true, "assigned_to_id": rep})).await.json()["issue"]["id"].as_i64().unwrap();
    let hidden = issue(&s, json!({"project_id": "hidden", "subject": "In hidden"}))
        .await
        .json()["issue"]["id"]
        .as_i64()
        .unwrap();
    let closed = issue(
        &s,
        json!({"project_id": 1, "subject": "Closed", "status_id": 1}),
    )
    .await
    .json()["issue"]["id"]
        .as_i64()
        .unwrap();
    s.put(
        &format!("/issues/{closed}.json"),
        json!({"issue": {"status_id": 5}}),
    )
    .send()
    .await;
    let ids = |v: Value| -> Vec<i64> {
        v["issues"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["id"].as_i64().unwrap())
            .collect()
    };
    assert_eq!(
        ids(s.get("/issues.json").send().await.json()),
        [hidden, mine, private, public],
        "{b:?}: open ones, newest first"
    );
    assert_eq!(
        ids(s.get("/issues.json?status_id=c").send().await.json()),
        [closed]
    );
    assert_eq!(
        ids(s
            .get("/issues.json?status_id=*&sort=id")
            .send()
            .await
            .json()),
        [public, private, mine, hidden, closed]
    );
    assert_eq!(
        ids(s
            .req(Method::GET, "/issues.json")
            .basic("rep", "secret-pass1")
            .send()
            .await
            .json()),
        [mine, public]
    );
    assert_eq!(
        ids(s.req(Method::GET, "/issues.json").send().await.json()),
        [public]
    );
    assert_eq!(
        ids(s.get("/issues.json?project_id=hidden").send().await.json()),
        [hidden]
    );
    assert_eq!(
        ids(s
            .get(&format!("/issues.json?assigned_to_id={rep}"))
            .send()
            .await
            .json()),
        [mine]
    );
    assert_eq!(
        ids(s.get("/issues.json?subject=~for%20rep").send().await.json()),
        [mine]
    );
    assert_eq!(
        ids(s.get("/issues.json?is_private=1").send().await.json()),
        [mine, private]
    );
    let page = s
        .get("/issues.json?limit=1&offset=1&status_id=*")
        .send()
        .await
        .json();
    assert_eq!(
        (page["total_count"].clone(), page["limit"].clone()),
        (json!(5), json!(1))
    );
    for (who, id, status) in [
        ("out", hidden, 403),
        ("out", private, 403),
        ("rep", private, 403),
        ("rep", mine, 200),
        ("out", public, 200),
    ] {
        assert_eq!(
            s.req(Method::GET, &format!("/issues/{id}.json"))
                .basic(who, "secret-pass1")
                .send()
                .await
                .status,
            status,
            "{who} {id}"
        );
    }
    assert_eq!(
        s.req(Method::GET, &format!("/issues/{private}.json"))
            .send()
            .await
            .status,
        401
    );
    assert_eq!(
        s.req(Method::PUT, &format!("/issues/{hidden}.json"))
            .basic("out", "secret-pass1")
            .json(json!({"issue": {"subject": "x"}}))
            .send()
            .await
            .status,
        403
    );
    assert_eq!(
        s.req(Method::GET, "/projects/hidden/issues.json")
            .basic("out", "secret-pass1")
            .send()
            .await
            .status,
        403
    );
    assert_eq!(s.get("/issues/999.json").send().await.status, 404);
    // delete: Reporters may not, admins may
    assert_eq!(
        s.req(Method::DELETE, &format!("/issues/{mine}.json"))
            .basic("rep", "secret-pass1")
            .send()
            .await
            .status,
        403
    );
    assert_eq!(
        s.delete(&format!("/issues/{mine}.json"))
            .send()
            .await
            .status,
        204
    );
    assert_eq!(
        s.get(&format!("/issues/{mine}.json")).send().await.status,
        404
    );
}

/// The filter engine: both syntaxes, every operator family, and Redmine's errors.
async fn filters_and_operators(b: Backend) {
    let s = Server::start(b).await;
    setup(&s).await;
    let mk = |body: Value| {
        let s = &s;
        async move { issue(s, body).await.json()["issue"]["id"].as_i64().unwrap() }
    };
    let a = mk(json!({"project_id": 1, "subject": "Login form breaks", "start_date": "2024-01-10", "due_date": "2024-01-20", "done_ratio": 30, "estimated_hours": 2.5})).await;
    let b2 = mk(json!({"project_id": 1, "subject": "Slow search page", "description": "takes \"forever\"", "start_date": "2024-02-01", "done_ratio": 80})).await;
    let c = mk(json!({"project_id": 1, "subject": "Typo"})).await;
    let ids = |v: Value| -> Vec<i64> {
        let mut x: Vec<i64> = v["issues"]
            .as_array()
            .unwrap_or(&vec![])
            .iter()
            .map(|i| i["id"].as_i64().unwrap())
            .collect();
        x.sort();
        x
    };
    let q = |query: &'static str| {
        let s = &s;
        async move { s.get(&format!("/issues.json?{query}")).send().await }
    };
    assert_eq!(ids(q("subject=~login%20breaks").await.json()), [a], "{b:?}");
    assert_eq!(ids(q("subject=!~login").await.json()), [b2, c]);
    assert_eq!(ids(q("subject=^slow").await.json()), [b2]);
    assert_eq!(ids(q("subject=$page").await.json()), [b2]);
    assert_eq!(ids(q("description=~forever").await.json()), [b2]);
    assert_eq!(ids(q("description=!*").await.json()), [a, c]);
    assert_eq!(
        ids(q("start_date=%3E%3D2024-01-15").await.json()),
        [b2, c],
        "c starts today"
    );
    assert_eq!(
        ids(q("start_date=%3E%3C2024-01-01|2024-01-31").await.json()),
        [a]
    );
    assert_eq!(ids(q("due_date=!*").await.json()), [b2, c]);
    assert_eq!(ids(q("created_on=t").await.json()), [a, b2, c]);
    assert_eq!(ids(q("created_on=ld").await.json()), Vec::<i64>::new());
    assert_eq!(ids(q("created_on=%3Et-2").await.json()), [a, b2, c]);
    assert_eq!(ids(q("done_ratio=%3E%3D50").await.json()), [b2]);
    assert_eq!(ids(q("done_ratio=30,80").await.json()), [a, b2]);
    assert_eq!(ids(q("estimated_hours=2.5").await.json()), [a]);
    assert_eq!(ids(q("estimated_hours=!*").await.json()), [b2, c]);
    assert_eq!(
        ids(s
            .get(&format!("/issues.json?issue_id={a},{b2}"))
            .send()
            .await
            .json()),
        [a, b2]
    );
    // trees: a parent takes its dates from its subtask
    let top = mk(json!({"project_id": 1, "subject": "Top"})).await;
    let sub = mk(json!({"project_id": 1, "subject": "Sub", "parent_issue_id": top, "start_date": "2030-01-01", "due_date": "2030-01-02"})).await;
    assert_eq!(
        ids(s
            .get(&format!("/issues.json?parent_id={top}"))
            .send()
            .await
            .json()),
        [sub]
    );
    assert_eq!(ids(q("child_id=*").await.json()), [top]);
    assert_eq!(ids(q("parent_id=!*").await.json()), [a, b2, c, top]);
    let t = s
        .get(&format!("/issues/{top}.json?include=children"))
        .send()
        .await
        .json()["issue"]
        .clone();
    assert_eq!(
        (t["start_date"].clone(), t["due_date"].clone()),
        (json!("2030-01-01"), json!("2030-01-02"))
    );
    assert_eq!(t["children"][0]["id"], sub);
    // long form: no default status filter; missing op; unknown operator; invalid values
    assert_eq!(
        ids(q("f[]=subject&op[subject]=~&v[subject][]=typo")
            .await
            .json()),
        [c]
    );
    assert_eq!(
        ids(q("f[]=subject&op[subject]=~&v[subject]=typo").await.json()).len(),
        5,
        "a plain string value drops the filter"
    );
    let r = q("f[]=status_id&op[status_id]=zz&v[status_id][]=1").await;
    assert_eq!(r.status, 404);
    let r = q("f[]=start_date&op[start_date]=%3D").await;
    assert_eq!(r.json(), json!({"errors": ["Start date cannot be blank"]}));
    assert_eq!(
        q("done_ratio=abc").await.json(),
        json!({"errors": ["% Done is invalid"]})
    );
    assert_eq!(
        q("created_on=2024-02-30").await.json(),
        json!({"errors": ["Created is invalid"]})
    );
    assert_eq!(
        q("status_id=").await.json(),
        json!({"errors": ["Status cannot be blank"]})
    );
}

/// A page of issues costs the same number of statements whatever its size.
async fn list_pages_use_a_bounded_number_of_queries(b: Backend) {
    let s = Server::start(b).await;
    setup(&s).await;
    s.post(
        "/projects.json",
        json!({"project": {"name": "Beta", "identifier": "beta", "is_public": false}}),
    )
    .send()
    .await;
    let dev = s.create_user("dev", "secret-pass1").await;
    s.add_member("beta", dev, &[4]).await;
    for k in 0..40 {
        let project = if k % 2 == 0 { "alpha" } else { "beta" };
        issue(&s, json!({"project_id": project, "subject": format!("Issue {k}"), "assigned_to_id": if k % 3 == 0 && k % 2 == 1 { json!(dev) } else { json!(null) }})).await;
    }
    // relations on the first and the last page, so that both pages look them up
    for (from, to) in [(1, 3), (38, 40)] {
        let r = s.relate(from, json!(to), "relates").await;
        assert_eq!(r.status, 201, "{}", r.text);
    }
    let count = |r: &Resp| {
        r.header("x-carmine-queries")
            .unwrap()
            .parse::<u32>()
            .unwrap()
    };
    for who in [None, Some("dev")] {
        let get = |path: &str| {
            let r = s.req(Method::GET, path);
            match who {
                Some(login) => r.basic(login, "secret-pass1"),
                None => r.key(ADMIN_KEY),
            }
        };
        // the first request reads what the server then keeps (access, custom fields)
        get("/issues.json?limit=1").send().await;
        let small = get("/issues.json?limit=5&status_id=*&include=attachments,relations")
            .send()
            .await;
        let big = get("/issues.json?limit=100&status_id=*&include=attachments,relations")
            .send()
            .await;
        assert_eq!(
            big.json()["issues"].as_array().unwrap().len(),
            40,
            "{b:?} {who:?}"
        );
        assert_eq!(
            count(&small),
            count(&big),
            "{b:?} {who:?}: the page size does not change the statements"
        );
        // the change counter, the count, the page's ids, its rows, custom values, spent
        // hours, relations, attachments
        assert!(
            count(&big) <= 8,
            "{b:?} {who:?}: {} statements",
            count(&big)
        );
        // a word of the subject: one more, to find the words holding it
        let small = get("/issues.json?limit=5&status_id=*&subject=~issue")
            .send()
            .await;
        let big = get("/issues.json?limit=100&status_id=*&subject=~issue")
            .send()
            .await;
        assert_eq!(big.json()["total_count"], json!(40), "{b:?} {who:?}");
        assert_eq!(small.json()["total_count"], json!(40), "{b:?} {who:?}");
        assert_eq!(count(&small), count(&big), "{b:?} {who:?} (subject)");
        assert!(
            count(&big) <= 7,
            "{b:?} {who:?}: {} statements",
            count(&big)
        );
    }
}

async fn group_by_orders_groups_first(b: Backend) {
    let s = Server::start(b).await;
    setup(&s).await;
    let mut ids = Vec::new();
    for (subject, ratio, start, priority) in [
        ("a", 0, "2026-03-01", 3),
        ("b", 50, "2026-01-01", 2),
        ("c", 0, "2026-01-01", 2),
    ] {
        let r = issue(&s, json!({"project_id": "alpha", "subject": subject, "done_ratio": ratio, "start_date": start, "priority_id": priority})).await;
        assert_eq!(r.status, 201, "{}", r.text);
        ids.push(r.json()["issue"]["id"].as_i64().unwrap());
    }
    let (a, bb, c) = (ids[0], ids[1], ids[2]);
    // the orders the real Redmine 5.0.4 answered for the same data
    for (query, expected) in [
        ("group_by=done_ratio", [c, a, bb]),
        ("group_by=start_date", [c, bb, a]),
        ("group_by=start_date&sort=id", [bb, c, a]),
        ("group_by=priority", [a, c, bb]),
        ("group_by=priority&sort=priority", [c, bb, a]),
        ("group_by=subject", [c, bb, a]),
        ("group_by=nonsense", [c, bb, a]),
    ] {
        let r = s.get(&format!("/issues.json?{query}")).send().await;
        assert_eq!(ids_in(&r), expected, "{b:?} {query}");
    }
}

/// A non-administrator's total_count is counted in two parts (the issues it sees whoever
/// holds them, from `issue_counts`, and the ones it sees as their author or assignee):
/// under every filter, with each of the three issue visibilities, it is the number of
/// issues listed, and the issues listed are the ones the rules let it see. With public
/// projects it is no member of, the viewer sees issues in nearly every project: its
/// total is then the totals over every project less the others (`issue_totals`).
async fn non_admin_totals_match_the_issues_listed(b: Backend) {
    let s = Server::with_setting(b, "admin_api_enabled", "1").await;
    setup(&s).await;
    s.create_project("beta", false).await;
    s.create_project("gamma", true).await;
    let public = ["delta", "epsilon", "zeta", "eta"];
    for p in public {
        s.create_project(p, true).await;
    }
    let viewer = s.create_user("viewer", "secret-pass1").await;
    let other = s.create_user("other", "secret-pass1").await;
    let r = s
        .post(
            "/roles.json",
            json!({"role": {"name": "Own", "issues_visibility": "own", "assignable": true,
                   "permissions": ["view_project", "view_issues", "add_issues"]}}),
        )
        .send()
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let own = r.json()["role"]["id"].as_i64().unwrap();
    // Reporter (default visibility) in alpha, Manager (all) in beta, Own in gamma
    s.add_member("alpha", viewer, &[5]).await;
    s.add_member("beta", viewer, &[3]).await;
    s.add_member("gamma", viewer, &[own]).await;
    for p in ["alpha", "beta", "gamma"] {
        s.add_member(p, other, &[4]).await;
    }
    // (id, project, private, the viewer's own)
    let mut made: Vec<(i64, &str, bool, bool)> = Vec::new();
    for p in ["alpha", "beta", "gamma"] {
        for (private, by_viewer, to_viewer) in [
            (false, false, false),
            (true, false, false),
            (true, false, true),
            (false, true, false),
            (true, true, false),
            (false, false, true),
        ] {
            let mut body = json!({"project_id": p, "subject": format!("{p} {private} {by_viewer}"),
                                  "is_private": private, "tracker_id": if private { 2 } else { 1 }});
            if to_viewer {
                body["assigned_to_id"] = json!(viewer);
            }
            let req = s
                .req(Method::POST, "/issues.json")
                .json(json!({ "issue": body }));
            let req = if by_viewer {
                req.basic("viewer", "secret-pass1")
            } else {
                req.key(ADMIN_KEY)
            };
            let r = req.send().await;
            assert_eq!(r.status, 201, "{b:?} {p}: {}", r.text);
            made.push((
                r.json()["issue"]["id"].as_i64().unwrap(),
                p,
                private,
                by_viewer || to_viewer,
            ));
        }
    }
    for p in public {
        for (private, tracker) in [(false, 1), (true, 2), (false, 2)] {
            let id = s
                .create_issue(json!({"project_id": p, "subject": format!("{p} {private}"),
                                     "is_private": private, "tracker_id": tracker}))
                .await;
            made.push((id, p, private, false));
        }
    }
    let sees = |(_, p, private, mine): &(i64, &str, bool, bool)| match *p {
        "alpha" | "delta" | "epsilon" | "zeta" | "eta" => !private || *mine,
        "beta" => true,
        _ => *mine,
    };
    let mut expected: Vec<i64> = made.iter().filter(|i| sees(i)).map(|i| i.0).collect();
    expected.sort_unstable();
    let listed = |r: &Resp| {
        let mut ids = ids_in(r);
        ids.sort_unstable();
        ids
    };
    let r = s
        .req(Method::GET, "/issues.json?limit=100")
        .basic("viewer", "secret-pass1")
        .send()
        .await;
    assert_eq!(
        listed(&r),
        expected,
        "{b:?}: what the rules let the viewer see"
    );
    for query in [
        "",
        "status_id=*",
        "project_id=alpha",
        "project_id=gamma",
        "project_id=delta",
        "tracker_id=2",
        "tracker_id=2&status_id=*",
        "is_private=1",
        "is_private=0",
        "author_id=me",
        "assigned_to_id=me",
        "subject=~true",
    ] {
        for anonymous in [false, true] {
            let req = s.req(Method::GET, &format!("/issues.json?limit=100&{query}"));
            let req = if anonymous {
                req.anonymous()
            } else {
                req.basic("viewer", "secret-pass1")
            };
            let r = req.send().await;
            assert_eq!(r.status, 200, "{b:?} {query}: {}", r.text);
            let all = s.req(
                Method::GET,
                &format!("/issues.json?{query}&limit=100&offset=0"),
            );
            let all = if anonymous {
                all.anonymous()
            } else {
                all.basic("viewer", "secret-pass1")
            };
            let all = all.send().await;
            assert_eq!(
                r.json()["total_count"],
                json!(ids_in(&all).len()),
                "{b:?} {query} anonymous={anonymous}"
            );
        }
    }
}

/// Runs SQL on the server's database (as another tool would, while it serves).
pub(crate) fn run_sql(s: &Server, sql: &str) {
    match &s.database_url {
        Some(url) => psql_run(url, sql.as_bytes()),
        None => rusqlite::Connection::open(s.data.join("carmine.db"))
            .and_then(|c| c.execute_batch(sql))
            .expect("SQL on the server's database"),
    }
}

/// A page deep in a list in id order over every project starts from the run of 4,096 ids
/// its first issue is in (`issue_blocks`): its issues are those the plain walk gives.
async fn deep_pages_start_from_their_run_of_ids(b: Backend) {
    let s = Server::start(b).await;
    s.create_project("alpha", true).await;
    let first = s
        .create_issue(json!({"project_id": "alpha", "subject": "model"}))
        .await;
    // 20,000 more made by SQL from the first; then every third closed, every fifth a
    // feature (by id: the order rows take ids in is not PostgreSQL's to keep)
    run_sql(
        &s,
        &format!(
            "WITH RECURSIVE n(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM n WHERE k < 20000) \
             INSERT INTO issues (tracker_id, project_id, subject, status_id, priority_id, \
             author_id, created_on, updated_on, start_date, id_path, is_private, done_ratio, \
             lock_version) SELECT i.tracker_id, i.project_id, 'bulk', i.status_id, \
             i.priority_id, i.author_id, i.created_on, i.updated_on, i.start_date, '', \
             i.is_private, 0, 0 FROM issues i, n WHERE i.id = {first}; \
             UPDATE issues SET id_path = '/' || id || '/', \
             status_id = CASE WHEN id % 3 = 0 THEN 5 ELSE 1 END, \
             tracker_id = CASE WHEN id % 5 = 0 THEN 2 ELSE 1 END WHERE id > {first};"
        ),
    );
    let last = first + 20_000;
    let open = |id: &i64| *id == first || id % 3 != 0;
    let feature = |id: &i64| *id != first && id % 5 == 0;
    let all: Vec<i64> = (first..=last).rev().collect();
    for (query, keep, asc) in [
        ("", &open as &dyn Fn(&i64) -> bool, false),
        ("status_id=*", &|_: &i64| true, false),
        ("status_id=*&sort=id", &|_: &i64| true, true),
        ("tracker_id=1", &|id: &i64| open(id) && !feature(id), false),
    ] {
        let mut expected: Vec<i64> = all.iter().copied().filter(|id| keep(id)).collect();
        if asc {
            expected.reverse();
        }
        for offset in [10_000, 10_001, 12_289, 13_000, 19_995, 25_000] {
            let path = format!("/issues.json?{query}&offset={offset}&limit=7");
            let r = s.get(&path).send().await;
            assert_eq!(r.status, 200, "{b:?} {path}: {}", r.text);
            let page: Vec<i64> = expected.iter().skip(offset).take(7).copied().collect();
            assert_eq!(ids_in(&r), page, "{b:?} {path}");
            assert_eq!(
                r.json()["total_count"],
                json!(expected.len()),
                "{b:?} {path}"
            );
        }
    }
}

per_backend!(
    deep_pages_start_from_their_run_of_ids,
    visibility_and_lists,
    non_admin_totals_match_the_issues_listed,
    filters_and_operators,
    list_pages_use_a_bounded_number_of_queries,
    group_by_orders_groups_first,
);
