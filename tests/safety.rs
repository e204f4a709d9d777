//! One request must never stop the server: nesting, counts, sizes and numbers in every
//! input are bounded, and what lies beyond a bound gets Redmine's answer to a malformed
//! request (400) or is held to a sound range.

mod common;
use common::*;

const FORM: &str = "application/x-www-form-urlencoded";

fn nested(format: &str, root: &str, levels: usize) -> String {
    let inner = levels - 1;
    match format {
        "xml" => format!(
            "<{root}>{}x{}</{root}>",
            "<a>".repeat(inner),
            "</a>".repeat(inner)
        ),
        "json" => format!(
            "{{\"{root}\":{}1{}}}",
            "{\"a\":".repeat(inner),
            "}".repeat(inner)
        ),
        _ => format!("{root}{}=1", "[a]".repeat(inner)),
    }
}

fn content_type(format: &str) -> &'static str {
    match format {
        "xml" => "application/xml",
        "json" => "application/json",
        _ => FORM,
    }
}

async fn assert_alive(s: &Server) {
    let r = s.get("/trackers.json").send().await;
    assert_eq!(r.status, 200, "the server no longer answers");
}

/// 10,000 levels of XML, JSON or form keys on every create and update that reads a body:
/// 400 in the requested format, and the server goes on. 100 levels (Rails' bound) pass.
async fn deep_bodies(b: Backend) {
    let s = Server::start(b).await;
    s.create_project("deep", true).await;
    let issue = s
        .create_issue(json!({"project_id": "deep", "subject": "x"}))
        .await;
    let update = format!("/issues/{issue}.xml");
    let targets = [
        (Method::POST, "/issues.xml", "issue"),
        (Method::POST, "/projects.xml", "project"),
        (Method::POST, "/users.json", "user"),
        (Method::PUT, update.as_str(), "issue"),
    ];
    for format in ["xml", "json", "form"] {
        for (method, path, root) in &targets {
            for anonymous in [false, true] {
                let mut req = s
                    .req(method.clone(), path)
                    .body(Some(content_type(format)), nested(format, root, 10_000));
                if !anonymous {
                    req = req.key(ADMIN_KEY);
                }
                let r = req.send().await;
                assert_eq!(r.status, 400, "{b:?} {format} {method} {path}: {}", r.text);
                if path.ends_with(".xml") {
                    assert!(r.text.contains("<error>Bad Request</error>"), "{}", r.text);
                } else {
                    assert_eq!(r.json(), json!({"status": 400, "error": "Bad Request"}));
                }
            }
            assert_alive(&s).await;
        }
        // one level beyond Rails' bound is refused, the bound itself is read
        let over = s
            .req(Method::POST, "/issues.json")
            .key(ADMIN_KEY)
            .body(Some(content_type(format)), nested(format, "issue", 101))
            .send()
            .await;
        assert_eq!(over.status, 400, "{b:?} {format} at 101 levels");
        let at = s
            .req(Method::POST, "/issues.json")
            .key(ADMIN_KEY)
            .body(Some(content_type(format)), nested(format, "issue", 100))
            .send()
            .await;
        assert_eq!(at.status, 422, "{b:?} {format} at 100 levels: {}", at.text);
    }
    // arrays nest as deep as objects
    let arrays = format!(
        "{{\"issue\":{{\"a\":{}1{}}}}}",
        "[".repeat(5000),
        "]".repeat(5000)
    );
    let r = s
        .req(Method::POST, "/issues.json")
        .key(ADMIN_KEY)
        .body(Some("application/json"), arrays)
        .send()
        .await;
    assert_eq!(r.status, 400);
    assert_alive(&s).await;
}

/// The query string is bounded like a form body, for every list and show.
async fn deep_query_strings(b: Backend) {
    let s = Server::start(b).await;
    for path in [
        "/issues.json",
        "/projects.json",
        "/users.json",
        "/issues/1.json",
    ] {
        let deep = format!("{path}?{}", nested("form", "f", 1_000));
        let r = s.get(&deep).send().await;
        assert_eq!(r.status, 400, "{b:?} {path}");
        assert_eq!(r.json(), json!({"status": 400, "error": "Bad Request"}));
    }
    let filter = format!("/issues.json?{}", nested("form", "v", 101));
    assert_eq!(s.get(&filter).send().await.status, 400);
    assert_alive(&s).await;
}

/// More values than a request may carry (100,000) is a malformed request; many ids short
/// of that are answered, whatever the databases' limits on one statement.
async fn long_lists(b: Backend) {
    let s = Server::start(b).await;
    s.create_project("lists", true).await;
    let issue = s
        .create_issue(json!({"project_id": "lists", "subject": "kept"}))
        .await;
    // (a million ids is larger than the body limit: 413, see tests/conventions.rs)
    let many = "ids[]=1&".repeat(100_001);
    let r = s
        .req(Method::DELETE, "/issues.json")
        .key(ADMIN_KEY)
        .body(Some(FORM), many)
        .send()
        .await;
    assert_eq!(r.status, 400, "{b:?}: {}", r.text);
    let r = s
        .req(Method::DELETE, "/issues.json")
        .key(ADMIN_KEY)
        .body(
            Some("application/json"),
            format!("{{\"ids\":[{}1]}}", "1,".repeat(200_000)),
        )
        .send()
        .await;
    assert_eq!(r.status, 400, "{b:?}: {}", r.text);
    assert_eq!(
        s.get(&format!("/issues/{issue}.json")).send().await.status,
        200
    );

    // 40,000 ids in one filter: more than SQLite binds in one statement
    let list: Vec<String> = (issue..issue + 40_000).map(|i| i.to_string()).collect();
    let r = s
        .req(Method::GET, "/issues.json")
        .key(ADMIN_KEY)
        .body(Some(FORM), format!("issue_id={}", list.join(",")))
        .send()
        .await;
    assert_eq!(r.status, 200, "{b:?}: {}", r.text);
    assert_eq!(ids_in(&r), vec![issue]);
    let r = s
        .req(Method::GET, "/issues.json")
        .key(ADMIN_KEY)
        .body(
            Some(FORM),
            format!(
                "f[]=updated_by&op[updated_by]=%3D&v[updated_by][]={}",
                list.join("&v[updated_by][]=")
            ),
        )
        .send()
        .await;
    assert_eq!(r.status, 200, "{b:?}: {}", r.text);
    // an include list as long as the URL allows
    let include = vec!["journals"; 5_000].join(",");
    let r = s
        .get(&format!("/issues/{issue}.json?include={include}"))
        .send()
        .await;
    assert_eq!(r.status, 200);
    assert_alive(&s).await;
}

/// Numbers beyond any range: pages, offsets, ids and relative dates are held to sound
/// values instead of overflowing.
async fn huge_numbers(b: Backend) {
    let s = Server::start(b).await;
    s.create_project("numbers", true).await;
    let issue = s
        .create_issue(json!({"project_id": "numbers", "subject": "n"}))
        .await;
    let big = "99999999999999999999";
    for q in [
        format!("offset={big}"),
        format!("limit={big}&page={big}"),
        format!("page=-{big}"),
        "offset=-9223372036854775808&limit=-9223372036854775808".to_owned(),
        format!("issue_id={big},-9223372036854775808"),
        format!("status_id={big}"),
        format!("created_on=%3Et-{big}"),
        "created_on=%3Et--9223372036854775808".to_owned(),
        "created_on=%3Ct-99999999999".to_owned(),
        "due_date=%3E%3Ct%2B99999999999999".to_owned(),
        "start_date=%3E%3Ct-9999999999999999999%7Ct%2B999999999999999".to_owned(),
        "f[]=created_on&op[created_on]=%3E%3Ct-&v[created_on][]=99999999999999999".to_owned(),
        format!("done_ratio=%3E%3D{big}"),
        "estimated_hours=%3E%3D1e308".to_owned(),
    ] {
        let r = s.get(&format!("/issues.json?{q}")).send().await;
        assert!(
            r.status == 200 || r.status == 422,
            "{b:?} {q}: {} {}",
            r.status,
            r.text
        );
    }
    let r = s
        .get("/issues.json?created_on=%3Et-99999999999")
        .send()
        .await;
    assert_eq!(ids_in(&r), vec![issue], "since ever: every issue");
    for path in [
        format!("/issues/{big}.json"),
        format!("/projects/{big}.json"),
        format!("/users/{big}.json"),
        format!("/versions/{big}.json"),
        "/issues/-9223372036854775808.json".to_owned(),
    ] {
        assert_eq!(s.get(&path).send().await.status, 404, "{b:?} {path}");
    }
    for body in [
        json!({"issue": {"project_id": big, "subject": "x"}}),
        json!({"issue": {"project_id": "numbers", "subject": "x", "estimated_hours": 1e308}}),
        json!({"issue": {"project_id": "numbers", "subject": "x", "done_ratio": big}}),
        json!({"issue": {"project_id": "numbers", "subject": "x", "parent_issue_id": big}}),
        json!({"issue": {"project_id": "numbers", "subject": "x", "start_date": "9999-12-31", "due_date": "0001-01-01"}}),
    ] {
        let r = s.post("/issues.json", body.clone()).send().await;
        assert!(
            r.status == 201 || r.status == 422,
            "{b:?} {body}: {} {}",
            r.status,
            r.text
        );
    }
    assert_alive(&s).await;
}

per_backend!(deep_bodies, deep_query_strings, long_lists, huge_numbers);
