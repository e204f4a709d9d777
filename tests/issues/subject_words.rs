//! `subject=~word` lists, whose totals are summed from the counts of subjects' words
//! (migration 35): they answer as comparing every subject would, for every caller,
//! after every kind of change to the issues. The lists without the filter, whose totals
//! are summed from the counts per project, are checked on the way.

use crate::common::*;
use crate::lists::run_sql;
use crate::per_backend;

/// What a list with `subject=~text` must answer: the ids of the same list without the
/// filter whose subject holds the text (compared in lower case), in the list's order.
async fn expected(s: &Server, caller: Option<&str>, base: &str, text: &str) -> Vec<i64> {
    let r = as_caller(s, caller, &format!("/issues.json?limit=100&{base}")).await;
    assert_eq!(r.status, 200, "{base}: {}", r.text);
    // the list without the filter is whole, and its own total (summed from the counts
    // per project, `issue_project_counts` or `issue_counts`) agrees
    let listed = ids_in(&r).len();
    assert!(listed < 100, "{base}");
    assert_eq!(r.json()["total_count"], json!(listed), "{caller:?} {base}");
    let text = text.to_lowercase();
    r.json()["issues"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| {
            let subject = i["subject"].as_str().unwrap().to_lowercase();
            subject.contains(&text)
        })
        .map(|i| i["id"].as_i64().unwrap())
        .collect()
}

async fn as_caller(s: &Server, caller: Option<&str>, path: &str) -> Resp {
    let req = s.req(Method::GET, path);
    let req = match caller {
        Some("admin") => req.key(ADMIN_KEY),
        Some(login) => req.basic(login, "secret-pass1"),
        None => req.anonymous(),
    };
    req.send().await
}

/// Every caller's lists with `subject=~text` over these bases agree with `expected`.
async fn lists_agree(s: &Server, b: Backend, moment: &str) {
    let bases = [
        "",
        "status_id=*",
        "tracker_id=2",
        "project_id=alpha",
        "status_id=c&sort=id",
        "sort=subject",
    ];
    let texts = [
        "crash", "CRASH", "rash", "crashes", "login", "zzz404", "crash,",
    ];
    for caller in [Some("admin"), Some("rep"), None] {
        for base in bases {
            for text in texts {
                let want = expected(s, caller, base, text).await;
                let path = format!("/issues.json?limit=100&{base}&subject=~{text}");
                let r = as_caller(s, caller, &path).await;
                assert_eq!(r.status, 200, "{path}: {}", r.text);
                let what = format!("{b:?} {moment}: {caller:?} {path}");
                assert_eq!(r.json()["total_count"], json!(want.len()), "{what}");
                assert_eq!(ids_in(&r), want, "{what}");
                // a page of two counts alike
                let r = as_caller(s, caller, &format!("{path}&limit=2&offset=1")).await;
                assert_eq!(r.json()["total_count"], json!(want.len()), "{what}");
                let page: Vec<i64> = want.iter().skip(1).take(2).copied().collect();
                assert_eq!(ids_in(&r), page, "{what} (limit=2&offset=1)");
            }
        }
    }
}

async fn subject_word_totals(b: Backend) {
    let s = Server::start(b).await;
    s.create_project("alpha", true).await;
    s.create_project("beta", false).await;
    let rep = s.create_user("rep", "secret-pass1").await;
    // a Reporter in alpha: the public issues and its own
    s.add_member("alpha", rep, &[5]).await;
    let mut ids = Vec::new();
    for (project, subject, private, tracker) in [
        ("alpha", "Crash on login", false, 1),
        ("alpha", "crashes, again and again", false, 2),
        ("alpha", "(crash) crash CRASH report", false, 1),
        ("alpha", "xcrashy thing", true, 1),
        // two words holding the text in one subject: counted once
        ("alpha", "crash-report: the crashes", false, 2),
        ("alpha", "no match here", false, 1),
        ("alpha", "Login page", true, 2),
        ("beta", "crash in beta", false, 1),
        ("beta", "Trash bin", false, 2),
        ("alpha", "Crashed\tagain [crash]", false, 3),
    ] {
        let id = s
            .create_issue(json!({"project_id": project, "subject": subject,
                                 "is_private": private, "tracker_id": tracker}))
            .await;
        ids.push(id);
    }
    let rep_own = s
        .req(Method::POST, "/issues.json")
        .basic("rep", "secret-pass1")
        .json(json!({"issue": {"project_id": "alpha", "subject": "my crash", "is_private": true}}))
        .send()
        .await;
    assert_eq!(rep_own.status, 201, "{}", rep_own.text);
    lists_agree(&s, b, "as made").await;

    // every change that moves an issue's counts
    let put = |id: i64, body: Value| {
        let s = &s;
        async move {
            let r = s
                .put(&format!("/issues/{id}.json"), json!({ "issue": body }))
                .send()
                .await;
            assert!(r.status == 204 || r.status == 200, "{id}: {}", r.text);
        }
    };
    put(ids[5], json!({"subject": "now it crashed"})).await;
    put(ids[0], json!({"status_id": 5})).await;
    put(ids[1], json!({"tracker_id": 1})).await;
    put(ids[2], json!({"is_private": true})).await;
    put(ids[7], json!({"project_id": "alpha"})).await;
    let r = s.delete(&format!("/issues/{}.json", ids[4])).send().await;
    assert_eq!(r.status, 204, "{}", r.text);
    // and a change made by another program, through the triggers
    run_sql(
        &s,
        &format!(
            "UPDATE issues SET subject = 'CRASHING tool, login' WHERE id = {}",
            ids[6]
        ),
    );
    lists_agree(&s, b, "after changes").await;

    // the longest word the API takes is counted; a longer one, which only another
    // program can write, is not: lists then count their issues, as exactly
    let longest = format!("crash{}", "a".repeat(250));
    let id = s
        .create_issue(json!({"project_id": "alpha", "subject": longest}))
        .await;
    lists_agree(&s, b, "with the longest word").await;
    let long = format!("xcrash{}", "b".repeat(300));
    run_sql(
        &s,
        &format!("UPDATE issues SET subject = '{long}' WHERE id = {id}"),
    );
    lists_agree(&s, b, "with a word too long to count").await;
}

per_backend!(subject_word_totals);
