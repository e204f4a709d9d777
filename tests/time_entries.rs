//! Time entries: hours notation, dates, visibility by role, editing rights, roll-ups on
//! issues and versions, and what moving or deleting an issue does to its entries.

mod common;
use common::*;

async fn log(s: &Server, project: &str, body: Value) -> Resp {
    s.post(
        &format!("/projects/{project}/time_entries.json"),
        json!({ "time_entry": body }),
    )
    .send()
    .await
}

async fn hours_formats(b: Backend) {
    let s = Server::start(b).await;
    s.create_project("hours", true).await;
    for (i, (given, stored)) in [
        (json!("1.5"), 1.5),
        (json!("1,5"), 1.5),
        (json!("1:30"), 1.5),
        (json!("1:5"), 1.08),
        (json!("1:90"), 2.5),
        (json!("1h30"), 1.5),
        (json!("1h 30m"), 1.5),
        (json!("1 h 30 m"), 1.5),
        (json!("2H"), 2.0),
        (json!("2,25h"), 2.25),
        (json!("90m"), 1.5),
        (json!("45min"), 0.75),
        (json!("2 hours 15 min"), 2.25),
        (json!(" 3 "), 3.0),
        (json!("0"), 0.0),
        (json!("1e2"), 100.0),
        (json!("0x1A"), 26.0),
        (json!("1_0"), 10.0),
        (json!(1.333333), 1.33),
    ]
    .into_iter()
    .enumerate()
    {
        // a day each: the daily maximum must not interfere
        let day = format!("2024-03-{:02}", i + 1);
        let r = log(
            &s,
            "hours",
            json!({"hours": given, "activity_id": 9, "spent_on": day}),
        )
        .await;
        assert_eq!(r.status, 201, "{b:?} {given}: {}", r.text);
        assert_eq!(r.json()["time_entry"]["hours"], json!(stored), "{given}");
    }
    for (given, error) in [
        (json!("abc"), "Hours is invalid"),
        (json!("-1"), "Hours is invalid"),
        (json!(-0.5), "Hours is invalid"),
        (json!("1.5 h"), "Hours is invalid"),
        (json!("1.5H"), "Hours is invalid"),
        (json!("30 minutes"), "Hours is invalid"),
        (json!("1:"), "Hours is invalid"),
        (json!(":30"), "Hours is invalid"),
        (json!("1d"), "Hours is invalid"),
        (json!("1.2.3"), "Hours is invalid"),
        (json!("1__0"), "Hours is invalid"),
        (json!(""), "Hours cannot be blank"),
        (json!(null), "Hours cannot be blank"),
    ] {
        let r = log(
            &s,
            "hours",
            json!({"hours": given, "activity_id": 9, "spent_on": "2024-02-01"}),
        )
        .await;
        assert_eq!(r.status, 422, "{b:?} {given}: {}", r.text);
        assert_eq!(r.json()["errors"], json!([error]), "{given}");
    }
    // the daily maximum (999 by default) counts the user's other entries that day
    let r = log(
        &s,
        "hours",
        json!({"hours": 998, "activity_id": 9, "spent_on": "2024-02-01"}),
    )
    .await;
    assert_eq!(r.status, 201);
    let r = log(
        &s,
        "hours",
        json!({"hours": "1:30", "activity_id": 9, "spent_on": "2024-02-01"}),
    )
    .await;
    assert_eq!(r.status, 422);
    assert!(
        r.json()["errors"][0]
            .as_str()
            .unwrap()
            .starts_with("Cannot log more than 999:00 hours on the same day"),
        "{}",
        r.text
    );
}

async fn dates_and_presence(b: Backend) {
    let s = Server::start(b).await;
    s.create_project("dates", true).await;
    for (given, errors) in [
        ("2024-3-1", json!(["Date is not a valid date"])),
        ("2024/03/01", json!(["Date is not a valid date"])),
        (
            "2023-02-29",
            json!(["Date cannot be blank", "Date is not a valid date"]),
        ),
        (
            "garbage",
            json!(["Date cannot be blank", "Date is not a valid date"]),
        ),
        ("", json!(["Date cannot be blank"])),
    ] {
        let r = log(
            &s,
            "dates",
            json!({"hours": 1, "activity_id": 9, "spent_on": given}),
        )
        .await;
        assert_eq!(r.status, 422, "{b:?} {given}");
        assert_eq!(r.json()["errors"], errors, "{given}");
    }
    let r = s
        .post(
            "/time_entries.json",
            json!({"time_entry": {"spent_on": ""}}),
        )
        .send()
        .await;
    assert_eq!(
        r.json()["errors"],
        json!([
            "Activity cannot be blank",
            "Project cannot be blank",
            "Hours cannot be blank",
            "Date cannot be blank",
            "Project is invalid"
        ])
    );
    let r = log(&s, "dates", json!({"hours": 1, "activity_id": 2})).await;
    assert_eq!(
        r.json()["errors"],
        json!(["Activity is not included in the list"])
    );
}

/// A project where `own` sees only its own entries: a role with
/// `time_entries_visibility = own`.
async fn visibility_by_role(b: Backend) {
    let s = Server::with_setting(b, "admin_api_enabled", "1").await;
    s.create_project("vis", false).await;
    let r = s
        .post(
            "/roles.json",
            json!({"role": {"name": "Own timer", "time_entries_visibility": "own",
                "permissions": ["view_project", "view_time_entries", "log_time", "edit_own_time_entries"]}}),
        )
        .send()
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let own_role = r.json()["role"]["id"].as_i64().unwrap();
    let own = s.create_user("owner", "owner-pass-1").await;
    let all = s.create_user("watcher", "watcher-pass-1").await;
    s.add_member("vis", own, &[own_role]).await;
    s.add_member("vis", all, &[5]).await;
    let admin_entry = log(
        &s,
        "vis",
        json!({"hours": 1, "activity_id": 9, "spent_on": "2024-01-01"}),
    )
    .await
    .json()["time_entry"]["id"]
        .as_i64()
        .unwrap();
    let r = s
        .post(
            "/projects/vis/time_entries.json",
            json!({"time_entry": {"hours": 2, "activity_id": 9, "spent_on": "2024-01-02"}}),
        )
        .basic("owner", "owner-pass-1")
        .send()
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let own_entry = r.json()["time_entry"]["id"].as_i64().unwrap();
    let ids = |r: Resp| -> Vec<i64> {
        r.json()["time_entries"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["id"].as_i64().unwrap())
            .collect()
    };
    // own: only its entry, in lists and by id
    let r = s
        .get("/time_entries.json")
        .basic("owner", "owner-pass-1")
        .send()
        .await;
    assert_eq!(ids(r), vec![own_entry], "{b:?}");
    let r = s
        .get(&format!("/time_entries/{admin_entry}.json"))
        .basic("owner", "owner-pass-1")
        .send()
        .await;
    assert_eq!(r.status, 403, "{b:?}");
    // its own entry it may edit, the other not (not visible)
    let r = s
        .put(
            &format!("/time_entries/{own_entry}.json"),
            json!({"time_entry": {"hours": 3}}),
        )
        .basic("owner", "owner-pass-1")
        .send()
        .await;
    assert_eq!(r.status, 204, "{}", r.text);
    let r = s
        .put(
            &format!("/time_entries/{admin_entry}.json"),
            json!({"time_entry": {"hours": 3}}),
        )
        .basic("owner", "owner-pass-1")
        .send()
        .await;
    assert_eq!(r.status, 403);
    // all (Reporter): both entries; a non-member and anonymous: none of a private project
    let r = s
        .get("/projects/vis/time_entries.json?sort=spent_on")
        .basic("watcher", "watcher-pass-1")
        .send()
        .await;
    assert_eq!(ids(r), vec![admin_entry, own_entry]);
    let stranger = s.create_user("stranger", "stranger-pass-1").await;
    let _ = stranger;
    let r = s
        .get("/time_entries.json")
        .basic("stranger", "stranger-pass-1")
        .send()
        .await;
    assert_eq!(ids(r), Vec::<i64>::new());
    let r = s
        .get(&format!("/time_entries/{own_entry}.json"))
        .anonymous()
        .send()
        .await;
    assert_eq!(r.status, 401);
    // the module off: entries disappear from lists, the project's list is 403
    let r = s
        .put(
            "/projects/vis.json",
            json!({"project": {"enabled_module_names": ["issue_tracking"]}}),
        )
        .send()
        .await;
    assert_eq!(r.status, 204, "{}", r.text);
    let r = s.get("/time_entries.json").send().await;
    assert_eq!(ids(r), Vec::<i64>::new());
    let r = s.get("/projects/vis/time_entries.json").send().await;
    assert_eq!(r.status, 403);
}

async fn moving_entries_needs_log_time(b: Backend) {
    let s = Server::start(b).await;
    s.create_project("here", true).await;
    s.create_project("there", false).await;
    let dev = s.create_user("dev", "dev-pass-123").await;
    s.add_member("here", dev, &[3]).await;
    let r = s
        .post(
            "/projects/here/time_entries.json",
            json!({"time_entry": {"hours": 1, "activity_id": 9, "spent_on": "2024-01-01"}}),
        )
        .basic("dev", "dev-pass-123")
        .send()
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let id = r.json()["time_entry"]["id"].as_i64().unwrap();
    let there = s.get_json("/projects/there.json").await["project"]["id"].clone();
    let r = s
        .put(
            &format!("/time_entries/{id}.json"),
            json!({"time_entry": {"project_id": there}}),
        )
        .basic("dev", "dev-pass-123")
        .send()
        .await;
    assert_eq!(r.status, 403, "{b:?} {}", r.text);
    let e = s.get_json(&format!("/time_entries/{id}.json")).await;
    assert_eq!(e["time_entry"]["project"]["name"], json!("here"));
    // a deleted project takes its entries with it
    let r = s.delete("/projects/here.json").send().await;
    assert_eq!(r.status, 204, "{}", r.text);
    let r = s.get(&format!("/time_entries/{id}.json")).send().await;
    assert_eq!(r.status, 404);
}

async fn spent_hours_roll_up(b: Backend) {
    let s = Server::start(b).await;
    s.create_project("roll", true).await;
    let v = s.create_version("roll", "1.0").await;
    let parent = s
        .create_issue(json!({"project_id": "roll", "subject": "Parent", "fixed_version_id": v}))
        .await;
    let child = s
        .create_issue(json!({"project_id": "roll", "subject": "Child", "parent_issue_id": parent}))
        .await;
    for (issue, hours) in [(parent, 0.1), (parent, 0.2), (child, 1.5)] {
        let r = s
            .post(
                &format!("/issues/{issue}/time_entries.json"),
                json!({"time_entry": {"hours": hours, "activity_id": 9}}),
            )
            .send()
            .await;
        assert_eq!(r.status, 201, "{}", r.text);
    }
    let p = s.get_json(&format!("/issues/{parent}.json")).await;
    assert_eq!(p["issue"]["spent_hours"], json!(0.30000000000000004));
    // the total is a raw float sum (its last digit depends on the order of the sum)
    let total = p["issue"]["total_spent_hours"].as_f64().unwrap();
    assert!((total - 1.8).abs() < 1e-9, "{total}");
    let list = s.get_json("/issues.json?sort=id").await;
    assert_eq!(list["issues"][1]["spent_hours"], json!(1.5));
    let ver = s.get_json(&format!("/versions/{v}.json")).await;
    assert_eq!(ver["version"]["spent_hours"], json!(0.30000000000000004));
    let r = s
        .get("/issues.json?spent_time=%3E%3D1&sort=id")
        .send()
        .await
        .json();
    assert_eq!(r["total_count"], json!(1));
    // time logged with an issue update
    let r = s
        .put(
            &format!("/issues/{child}.json"),
            json!({"issue": {"notes": "n"}, "time_entry": {"hours": "0:30", "activity_id": 9}}),
        )
        .send()
        .await;
    assert_eq!(r.status, 204, "{}", r.text);
    let c = s.get_json(&format!("/issues/{child}.json")).await;
    assert_eq!(c["issue"]["spent_hours"], json!(2.0));
    let r = s
        .put(
            &format!("/issues/{child}.json"),
            json!({"issue": {"notes": "n"}, "time_entry": {"hours": "lots", "activity_id": 9}}),
        )
        .send()
        .await;
    assert_eq!(r.status, 422, "{}", r.text);
    // deleting the parent deletes the subtree's entries
    let r = s.delete(&format!("/issues/{parent}.json")).send().await;
    assert_eq!(r.status, 204);
    let all = s.get_json("/time_entries.json").await;
    assert_eq!(all["total_count"], json!(0));
}

async fn list_statements_are_bounded(b: Backend) {
    let s = Server::start(b).await;
    s.create_project("many", true).await;
    let count = |r: &Resp| {
        r.header("x-carmine-queries")
            .and_then(|q| q.parse::<u32>().ok())
            .unwrap_or(0)
    };
    let r = s
        .get("/time_entries.json?user_id=me&spent_on=%3E%3D2024-01-01")
        .send()
        .await;
    let few = count(&r);
    for day in 1..=30 {
        log(
            &s,
            "many",
            json!({"hours": 1, "activity_id": 9, "spent_on": format!("2024-01-{day:02}")}),
        )
        .await;
    }
    let r = s
        .get("/time_entries.json?user_id=me&spent_on=%3E%3D2024-01-01")
        .send()
        .await;
    assert_eq!(r.json()["total_count"], json!(30));
    assert!(
        count(&r) <= few + 1,
        "{b:?}: {} statements for 25 entries, {few} for none",
        count(&r)
    );
}

async fn custom_fields(b: Backend) {
    let s = Server::with_setting(b, "admin_api_enabled", "1").await;
    s.create_project("cf", true).await;
    let billable = s
        .create_custom_field(json!({"customized_type": "time_entry", "name": "Billable",
            "field_format": "bool", "is_required": true, "is_filter": true}))
        .await;
    let secret = s
        .create_custom_field(json!({"customized_type": "time_entry", "name": "Rate",
            "field_format": "int", "visible": false, "role_ids": [3]}))
        .await;
    let rep = s.create_user("rep", "rep-pass-123").await;
    s.add_member("cf", rep, &[5]).await;
    let r = log(
        &s,
        "cf",
        json!({"hours": "x", "activity_id": 9, "spent_on": "2024-01-01"}),
    )
    .await;
    assert_eq!(
        r.json()["errors"],
        json!(["Billable cannot be blank", "Hours is invalid"]),
        "{b:?}"
    );
    let r = log(
        &s,
        "cf",
        json!({"hours": 1, "activity_id": 9, "spent_on": "2024-01-01",
            "custom_fields": [{"id": billable, "value": "1"}, {"id": secret, "value": "90"}]}),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let id = r.json()["time_entry"]["id"].as_i64().unwrap();
    assert_eq!(
        r.json()["time_entry"]["custom_fields"],
        json!([{"id": billable, "name": "Billable", "value": "1"},
               {"id": secret, "name": "Rate", "value": "90"}])
    );
    // the Reporter does not see the field hidden from its role, in show or list
    let shown = s
        .get(&format!("/time_entries/{id}.json"))
        .basic("rep", "rep-pass-123")
        .send()
        .await
        .json();
    assert_eq!(
        shown["time_entry"]["custom_fields"],
        json!([{"id": billable, "name": "Billable", "value": "1"}])
    );
    let listed = s
        .get("/time_entries.json")
        .basic("rep", "rep-pass-123")
        .send()
        .await
        .json();
    assert_eq!(
        listed["time_entries"][0]["custom_fields"],
        json!([{"id": billable, "name": "Billable", "value": "1"}])
    );
    let r = s
        .put(
            &format!("/time_entries/{id}.json"),
            json!({"time_entry": {"custom_fields": [{"id": billable, "value": "0"}]}}),
        )
        .send()
        .await;
    assert_eq!(r.status, 204, "{}", r.text);
    let e = s.get_json(&format!("/time_entries/{id}.json")).await;
    assert_eq!(e["time_entry"]["custom_fields"][0]["value"], json!("0"));
    // the field is a filter
    let none = s
        .get_json(&format!("/time_entries.json?cf_{billable}=1"))
        .await;
    assert_eq!(none["total_count"], json!(0), "{b:?}");
    let one = s
        .get_json(&format!("/time_entries.json?cf_{billable}=0"))
        .await;
    assert_eq!(one["total_count"], json!(1));
    let long = s
        .get_json(&format!(
            "/time_entries.json?f[]=cf_{billable}&op[cf_{billable}]=!*&v[cf_{billable}][]="
        ))
        .await;
    assert_eq!(long["total_count"], json!(0));
    // the fields of the entry's issue and project are filters too
    let team = s
        .create_custom_field(json!({"customized_type": "issue", "name": "Team",
            "field_format": "string", "is_for_all": true, "tracker_ids": [1], "is_filter": true}))
        .await;
    let unit = s
        .create_custom_field(json!({"customized_type": "project", "name": "Unit",
            "field_format": "string", "is_filter": true}))
        .await;
    let issue = s
        .create_issue(json!({"project_id": "cf", "subject": "T", "tracker_id": 1,
            "custom_fields": [{"id": team, "value": "core"}]}))
        .await;
    let r = s
        .post(
            &format!("/issues/{issue}/time_entries.json"),
            json!({"time_entry": {"hours": 2, "activity_id": 9,
                "custom_fields": [{"id": billable, "value": "1"}]}}),
        )
        .send()
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let r = s
        .put(
            "/projects/cf.json",
            json!({"project": {"custom_fields": [{"id": unit, "value": "north"}]}}),
        )
        .send()
        .await;
    assert_eq!(r.status, 204, "{}", r.text);
    let by_issue = s
        .get_json(&format!("/time_entries.json?issue.cf_{team}=core"))
        .await;
    assert_eq!(by_issue["total_count"], json!(1), "{b:?}");
    let by_project = s
        .get_json(&format!("/time_entries.json?project.cf_{unit}=north"))
        .await;
    assert_eq!(by_project["total_count"], json!(2));
    // numeric fields sort as numbers; entries without a value come first ascending
    let r = log(
        &s,
        "cf",
        json!({"hours": 1, "activity_id": 9, "spent_on": "2024-01-02",
            "custom_fields": [{"id": billable, "value": "1"}, {"id": secret, "value": "100"}]}),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let sorted = s
        .get_json(&format!("/time_entries.json?sort=cf_{secret},id"))
        .await;
    let rates: Vec<Value> = sorted["time_entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            e["custom_fields"]
                .as_array()
                .unwrap()
                .iter()
                .find(|f| f["id"] == json!(secret))
                .map_or(json!(null), |f| f["value"].clone())
        })
        .collect();
    assert_eq!(rates, vec![json!(null), json!("90"), json!("100")], "{b:?}");
}

/// Past 5,000 matches a page is read in the sort's order (another statement shape):
/// the answers stay those of the narrow form.
async fn wide_lists(b: Backend) {
    let s = Server::start(b).await;
    s.create_project("wide", true).await;
    let n = 5_010;
    let bodies: Vec<Value> = (0..n)
        .map(|i| {
            json!({"time_entry": {"hours": (i % 97) as f64 / 4.0 + 0.25, "activity_id": 8 + i % 2,
                "spent_on": format!("2024-{:02}-{:02}", 1 + i % 12, 1 + i % 28)}})
        })
        .collect();
    for chunk in bodies.chunks(64) {
        let sent = chunk.iter().map(|body| {
            s.post("/projects/wide/time_entries.json", body.clone())
                .send()
        });
        for r in futures_util::future::join_all(sent).await {
            assert_eq!(r.status, 201, "{}", r.text);
        }
    }
    let page = |q: &'static str| {
        let s = &s;
        async move {
            let r = s.get(q).send().await;
            assert_eq!(r.status, 200, "{q}: {}", r.text);
            r.json()
        }
    };
    let first = page("/projects/wide/time_entries.json?limit=100").await;
    assert_eq!(first["total_count"], json!(n), "{b:?}");
    let entries = first["time_entries"].as_array().unwrap();
    assert_eq!(entries.len(), 100);
    let days: Vec<&str> = entries
        .iter()
        .map(|e| e["spent_on"].as_str().unwrap())
        .collect();
    assert_eq!(days[0], "2024-12-28");
    assert!(days.windows(2).all(|w| w[0] >= w[1]), "{days:?}");
    let by_hours = page("/time_entries.json?limit=5&sort=hours:desc").await;
    let hours: Vec<f64> = by_hours["time_entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["hours"].as_f64().unwrap())
        .collect();
    assert_eq!(hours, vec![24.25; 5], "{b:?}");
    let by_id = page("/time_entries.json?limit=3&offset=10&sort=bogus").await;
    let ids: Vec<i64> = by_id["time_entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, vec![11, 12, 13]);
    let design = page("/time_entries.json?limit=1&activity_id=8").await;
    assert_eq!(design["total_count"], json!(n / 2));
}

/// The list's total_count (null when the list is not found).
async fn total(s: &Server, path: &str) -> Value {
    let r = s.get(path).send().await;
    serde_json::from_str::<Value>(&r.text).unwrap_or(Value::Null)["total_count"].clone()
}

/// (all, project one, project two, activity 8, dev's) entries, as the lists count them.
async fn totals(s: &Server, dev: i64) -> [Value; 5] {
    [
        total(s, "/time_entries.json").await,
        total(s, "/projects/one/time_entries.json").await,
        total(s, "/projects/two/time_entries.json").await,
        total(s, "/time_entries.json?activity_id=8").await,
        total(s, &format!("/time_entries.json?user_id={dev}")).await,
    ]
}

async fn update_entry(s: &Server, id: i64, body: Value) {
    let r = s
        .put(
            &format!("/time_entries/{id}.json"),
            json!({ "time_entry": body }),
        )
        .send()
        .await;
    assert_eq!(r.status, 204, "{}", r.text);
}

/// The totals of lists answered from the counts tables (per project, user and activity;
/// per project alone for the lists of all entries and of a project) follow every
/// create, move, change of activity or user, and delete, and the deletion of a project.
async fn counted_totals_follow_changes(b: Backend) {
    let s = Server::start(b).await;
    s.create_project("one", true).await;
    let two = s.create_project("two", true).await;
    let dev = s.create_user("dev", "secret-pass1").await;
    for p in ["one", "two"] {
        s.add_member(p, dev, &[4]).await;
    }
    let mut ids = Vec::new();
    for k in 0..4 {
        let r = log(
            &s,
            "one",
            json!({"hours": 1, "activity_id": 9, "spent_on": format!("2024-03-0{}", k + 1)}),
        )
        .await;
        assert_eq!(r.status, 201, "{}", r.text);
        ids.push(r.json()["time_entry"]["id"].as_i64().unwrap());
    }
    let n = |v: [i64; 4]| v.map(|x| json!(x));
    assert_eq!(totals(&s, dev).await[..4], n([4, 4, 0, 0]), "{b:?}");
    assert_eq!(totals(&s, dev).await[4], json!(0));
    update_entry(&s, ids[0], json!({"project_id": two})).await;
    update_entry(&s, ids[1], json!({"activity_id": 8})).await;
    update_entry(&s, ids[2], json!({"user_id": dev})).await;
    assert_eq!(totals(&s, dev).await[..4], n([4, 3, 1, 1]), "{b:?}");
    assert_eq!(totals(&s, dev).await[4], json!(1));
    let r = s
        .delete(&format!("/time_entries/{}.json", ids[3]))
        .send()
        .await;
    assert_eq!(r.status, 204, "{}", r.text);
    assert_eq!(totals(&s, dev).await[..4], n([3, 2, 1, 1]), "{b:?}");
    let r = s.delete("/projects/one.json").send().await;
    assert_eq!(r.status, 204, "{}", r.text);
    let after = totals(&s, dev).await;
    assert_eq!(
        [&after[0], &after[2], &after[3], &after[4]],
        [&json!(1), &json!(1), &json!(0), &json!(0)],
        "{b:?}"
    );
}

per_backend!(
    counted_totals_follow_changes,
    wide_lists,
    custom_fields,
    hours_formats,
    dates_and_presence,
    visibility_by_role,
    moving_entries_needs_log_time,
    spent_hours_roll_up,
    list_statements_are_bounded,
);
