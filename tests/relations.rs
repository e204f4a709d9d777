//! Issue relations: stored forms and order, validation, permissions and hiding of
//! invisible issues, `precedes` rescheduling, closing rules, relation filters, copies,
//! bulk delete and concurrent creation.

mod common;
use common::*;

/// Alpha (public) with issues named by `subjects`, created without dates.
async fn issues(s: &Server, subjects: &[&str]) -> Vec<i64> {
    if s.get("/projects/alpha.json").send().await.status == 404 {
        s.create_project("alpha", true).await;
    }
    let mut ids = Vec::new();
    for subject in subjects {
        ids.push(
            s.create_issue(json!({"project_id": "alpha", "subject": subject, "start_date": ""}))
                .await,
        );
    }
    ids
}

fn errors(r: &Resp) -> Value {
    r.json()["errors"].clone()
}

async fn types_are_stored_forward_and_listed_in_order(b: Backend) {
    let s = Server::start(b).await;
    let ids = issues(&s, &["hub", "a", "b", "c", "d"]).await;
    let (hub, a, bb, c, d) = (ids[0], ids[1], ids[2], ids[3], ids[4]);
    let r = s.relate(hub, json!(a), "follows").await;
    assert_eq!(r.status, 201, "{b:?} {}", r.text);
    let rel = r.json()["relation"].clone();
    assert_eq!(
        (
            rel["issue_id"].clone(),
            rel["issue_to_id"].clone(),
            rel["relation_type"].clone(),
            rel["delay"].clone()
        ),
        (json!(a), json!(hub), json!("precedes"), json!(0)),
        "follows is stored as precedes from the other side"
    );
    let rid = rel["id"].as_i64().unwrap();
    assert_eq!(
        r.header("location").unwrap(),
        format!("{}/relations/{rid}", s.base)
    );
    let r = s.relate(c, json!(format!("#{hub}")), "relates").await;
    assert_eq!(
        r.json()["relation"]["issue_id"],
        json!(hub),
        "relates: lower id first"
    );
    let r = s
        .post(
            &format!("/issues/{hub}/relations.json"),
            json!({"relation": {"issue_to_id": bb, "relation_type": "blocked", "delay": 4}}),
        )
        .send()
        .await;
    let rel = r.json()["relation"].clone();
    assert_eq!(
        (
            rel["issue_id"].clone(),
            rel["relation_type"].clone(),
            rel["delay"].clone()
        ),
        (json!(bb), json!("blocks"), Value::Null),
        "delay only kept for precedes"
    );
    // no type: relates
    let r = s
        .post(
            &format!("/issues/{hub}/relations.json"),
            json!({"relation": {"issue_to_id": d}}),
        )
        .send()
        .await;
    assert_eq!(r.json()["relation"]["relation_type"], "relates");

    let list = s.get_json(&format!("/issues/{hub}/relations.json")).await;
    let types: Vec<&str> = list["relations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["relation_type"].as_str().unwrap())
        .collect();
    assert_eq!(types, ["relates", "relates", "blocks", "precedes"], "{b:?}");

    let xml = s.get(&format!("/relations/{rid}.xml")).send().await.text;
    assert!(
        xml.contains("<relation><id>")
            && xml.contains("<relation_type>precedes</relation_type><delay>0</delay>"),
        "{xml}"
    );
    let show = s
        .get(&format!("/issues/{hub}.xml?include=relations"))
        .send()
        .await
        .text;
    assert!(
        show.contains(&format!("<relation id=\"{rid}\" issue_id=\"{a}\" issue_to_id=\"{hub}\" relation_type=\"precedes\" delay=\"0\"/>")),
        "{show}"
    );
    // journals on both sides, each with the type as seen from there
    let j = s
        .get_json(&format!("/issues/{a}.json?include=journals"))
        .await;
    assert_eq!(
        j["issue"]["journals"][0]["details"],
        json!([{"property": "relation", "name": "precedes", "old_value": null, "new_value": hub.to_string()}])
    );
    let j = s
        .get_json(&format!("/issues/{hub}.json?include=journals"))
        .await;
    assert_eq!(j["issue"]["journals"][0]["details"][0]["name"], "follows");

    // lists: always present when asked, empty for an issue without relations
    let lst = s.get_json("/issues.json?include=relations&sort=id").await;
    let by_id = |id: i64| {
        lst["issues"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["id"] == json!(id))
            .unwrap()["relations"]
            .as_array()
            .unwrap()
            .len()
    };
    assert_eq!((by_id(hub), by_id(a), by_id(c)), (4, 1, 1));

    // delete: 204, journals with the old value, gone
    let r = s.delete(&format!("/relations/{rid}.json")).send().await;
    assert_eq!(r.status, 204);
    assert_eq!(
        s.get(&format!("/relations/{rid}.json")).send().await.status,
        404
    );
    let j = s
        .get_json(&format!("/issues/{a}.json?include=journals,relations"))
        .await;
    assert_eq!(
        j["issue"]["journals"][1]["details"][0],
        json!({"property": "relation", "name": "precedes", "old_value": hub.to_string(), "new_value": null})
    );
    assert!(
        j["issue"].get("relations").is_none(),
        "show omits an empty list"
    );
}

async fn validation_in_redmines_order(b: Backend) {
    let s = Server::start(b).await;
    let ids = issues(&s, &["a", "b", "c", "d", "e"]).await;
    let (a, bb, c, d, e) = (ids[0], ids[1], ids[2], ids[3], ids[4]);
    s.create_project("beta", true).await;
    let x = s
        .create_issue(json!({"project_id": "beta", "subject": "x"}))
        .await;
    assert_eq!(s.relate(a, json!(bb), "blocks").await.status, 201);
    assert_eq!(s.relate(bb, json!(c), "precedes").await.status, 201);
    let cases: Vec<(i64, Value, &str, Value)> = vec![
        (a, json!(a), "relates", json!(["Related issue is invalid"])),
        (
            a,
            json!(bb),
            "relates",
            json!(["Related issue has already been taken"]),
        ),
        (
            bb,
            json!(a),
            "relates",
            json!(["This relation would create a circular dependency"]),
        ),
        (
            bb,
            json!(a),
            "blocks",
            json!(["This relation would create a circular dependency"]),
        ),
        (
            a,
            json!(bb),
            "blocked",
            json!([
                "Related issue has already been taken",
                "This relation would create a circular dependency"
            ]),
        ),
        (
            c,
            json!(bb),
            "precedes",
            json!(["This relation would create a circular dependency"]),
        ),
        (
            bb,
            json!(c),
            "follows",
            json!([
                "Related issue has already been taken",
                "This relation would create a circular dependency"
            ]),
        ),
        (
            a,
            json!(x),
            "relates",
            json!(["Related issue doesn't belong to the same project"]),
        ),
        (
            a,
            json!(999_999),
            "relates",
            json!(["Related issue cannot be blank"]),
        ),
        (
            a,
            json!("abc"),
            "relates",
            json!(["Related issue cannot be blank"]),
        ),
        (
            a,
            json!(d),
            "bogus",
            json!(["Relation type is not included in the list"]),
        ),
        (
            a,
            json!(d),
            "",
            json!([
                "Relation type cannot be blank",
                "Relation type is not included in the list"
            ]),
        ),
    ];
    for (from, to, t, want) in cases {
        let r = s.relate(from, to.clone(), t).await;
        assert_eq!((r.status, errors(&r)), (422, want), "{b:?} {from} {to} {t}");
    }
    let r = s
        .post(
            &format!("/issues/{a}/relations.json"),
            json!({"relation": {"issue_to_id": a, "relation_type": "bogus", "delay": "soon"}}),
        )
        .send()
        .await;
    assert_eq!(
        errors(&r),
        json!([
            "Relation type is not included in the list",
            "Delay is not a number",
            "Related issue is invalid"
        ])
    );
    // a subtask cannot be linked to its parent
    let kid = s
        .create_issue(json!({"project_id": "alpha", "subject": "kid", "parent_issue_id": e}))
        .await;
    let r = s.relate(kid, json!(e), "relates").await;
    assert_eq!(
        errors(&r),
        json!(["An issue cannot be linked to one of its subtasks"])
    );
    // a missing relation object is a blank target, not a crash
    let r = s
        .post(&format!("/issues/{a}/relations.json"), json!({}))
        .send()
        .await;
    assert_eq!(
        (r.status, errors(&r)),
        (422, json!(["Related issue cannot be blank"]))
    );
    // several targets: each is tried, the answer is the last one's
    let r = s.relate(d, json!(format!("{e}, {a}")), "relates").await;
    assert_eq!(r.status, 201, "{}", r.text);
    let r = s.relate(c, json!([d, a]), "relates").await;
    assert_eq!(r.status, 201);
    let r = s.relate(e, json!(format!("{c},{d}")), "relates").await;
    assert_eq!(
        (r.status, errors(&r)),
        (
            422,
            json!(["This relation would create a circular dependency"])
        ),
        "the last target fails although the first was created"
    );
    let around_c = s.get_json(&format!("/issues/{c}/relations.json")).await;
    assert!(around_c["relations"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["issue_id"] == json!(c) && r["issue_to_id"] == json!(e)));
    assert_eq!(s.relate(999_999, json!(a), "relates").await.status, 404);
}

async fn cross_project_relations_when_allowed(b: Backend) {
    let s = Server::with_setting(b, "cross_project_issue_relations", "1").await;
    let a = issues(&s, &["a"]).await[0];
    s.create_project("beta", true).await;
    let x = s
        .create_issue(json!({"project_id": "beta", "subject": "x"}))
        .await;
    assert_eq!(s.relate(a, json!(x), "relates").await.status, 201, "{b:?}");
    // moving an issue keeps its relations then
    let r = s
        .put(
            &format!("/issues/{a}.json"),
            json!({"issue": {"project_id": "beta"}}),
        )
        .send()
        .await;
    assert_eq!(r.status, 204);
    let l = s.get_json(&format!("/issues/{x}/relations.json")).await;
    assert_eq!(l["relations"].as_array().unwrap().len(), 1);
}

async fn moving_an_issue_drops_its_relations(b: Backend) {
    let s = Server::start(b).await;
    let ids = issues(&s, &["a", "b"]).await;
    s.create_project("beta", true).await;
    assert_eq!(s.relate(ids[0], json!(ids[1]), "blocks").await.status, 201);
    let r = s
        .put(
            &format!("/issues/{}.json", ids[0]),
            json!({"issue": {"project_id": "beta"}}),
        )
        .send()
        .await;
    assert_eq!(r.status, 204, "{b:?} {}", r.text);
    let l = s
        .get_json(&format!("/issues/{}/relations.json", ids[1]))
        .await;
    assert_eq!(l["relations"], json!([]));
}

async fn permissions_and_hidden_issues(b: Backend) {
    let s = Server::start(b).await;
    let ids = issues(&s, &["a", "b"]).await;
    let (a, bb) = (ids[0], ids[1]);
    let secret = s
        .create_issue(json!({"project_id": "alpha", "subject": "secret", "is_private": true}))
        .await;
    let dev = s.create_user("dev", "dev-pass-123").await;
    let rep = s.create_user("rep", "rep-pass-123").await;
    s.add_member("alpha", dev, &[4]).await;
    s.add_member("alpha", rep, &[5]).await;
    let r1 = s.relate(a, json!(bb), "relates").await.json()["relation"]["id"]
        .as_i64()
        .unwrap();
    let r2 = s.relate(a, json!(secret), "blocks").await.json()["relation"]["id"]
        .as_i64()
        .unwrap();
    let path = format!("/issues/{a}/relations.json");
    assert_eq!(
        s.get(&path)
            .basic("rep", "rep-pass-123")
            .send()
            .await
            .status,
        403,
        "{b:?}"
    );
    assert_eq!(s.get(&path).anonymous().send().await.status, 401);
    let r = s
        .post(
            &path,
            json!({"relation": {"issue_to_id": bb, "relation_type": "precedes"}}),
        )
        .basic("rep", "rep-pass-123")
        .send()
        .await;
    assert_eq!(r.status, 403);
    // GET /relations/:id needs both issues visible, nothing more
    let one = format!("/relations/{r1}.json");
    assert_eq!(
        s.get(&one).basic("rep", "rep-pass-123").send().await.status,
        200
    );
    assert_eq!(s.get(&one).anonymous().send().await.status, 200);
    let hidden = format!("/relations/{r2}.json");
    assert_eq!(
        s.get(&hidden)
            .basic("dev", "dev-pass-123")
            .send()
            .await
            .status,
        403
    );
    assert_eq!(s.get(&hidden).anonymous().send().await.status, 401);
    // the relation to the private issue is hidden everywhere from dev
    let l = s
        .get(&path)
        .basic("dev", "dev-pass-123")
        .send()
        .await
        .json();
    assert_eq!(l["relations"].as_array().unwrap().len(), 1, "{l}");
    let show = s
        .get(&format!("/issues/{a}.json?include=relations,journals"))
        .basic("dev", "dev-pass-123")
        .send()
        .await
        .json();
    assert_eq!(show["issue"]["relations"].as_array().unwrap().len(), 1);
    let details: Vec<Value> = show["issue"]["journals"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|j| j["details"].as_array().unwrap().clone())
        .collect();
    assert!(
        !details
            .iter()
            .any(|d| d["new_value"] == json!(secret.to_string())),
        "{details:?}"
    );
    let lst = s
        .get("/issues.json?include=relations&blocks=*")
        .basic("dev", "dev-pass-123")
        .send()
        .await
        .json();
    assert_eq!(
        lst["total_count"], 0,
        "a relation to a hidden issue does not match: {lst}"
    );
    let r = s.relate(bb, json!(secret), "relates").await;
    assert_eq!(r.status, 201, "the admin sees it");
    let r = s
        .post(
            &format!("/issues/{bb}/relations.json"),
            json!({"relation": {"issue_to_id": secret}}),
        )
        .basic("dev", "dev-pass-123")
        .send()
        .await;
    assert_eq!(
        errors(&r),
        json!(["Related issue cannot be blank"]),
        "invisible = missing"
    );
    // delete: both visible and manage_issue_relations
    assert_eq!(
        s.delete(&one)
            .basic("rep", "rep-pass-123")
            .send()
            .await
            .status,
        403
    );
    assert_eq!(
        s.delete(&hidden)
            .basic("dev", "dev-pass-123")
            .send()
            .await
            .status,
        403
    );
    assert_eq!(
        s.delete(&one)
            .basic("dev", "dev-pass-123")
            .send()
            .await
            .status,
        204
    );
    assert_eq!(s.delete(&one).send().await.status, 404);
    assert_eq!(s.get("/relations/abc.json").send().await.status, 404);
}

async fn dates(s: &Server, id: i64) -> (Value, Value) {
    let i = s.get_json(&format!("/issues/{id}.json")).await["issue"].clone();
    (i["start_date"].clone(), i["due_date"].clone())
}

async fn precedes_reschedules_on_working_days(b: Backend) {
    let s = Server::start(b).await;
    s.create_project("alpha", true).await;
    let mk = |subject: &'static str, start: &'static str, due: Option<&'static str>| {
        let s = &s;
        async move {
            s.create_issue(json!({"project_id": "alpha", "subject": subject, "start_date": start, "due_date": due}))
                .await
        }
    };
    let a = mk("A", "2024-01-01", Some("2024-01-05")).await;
    let bb = mk("B", "2024-01-02", Some("2024-01-03")).await;
    let c = mk("C", "2024-02-01", Some("2024-02-02")).await;
    let r = s
        .post(
            &format!("/issues/{a}/relations.json"),
            json!({"relation": {"issue_to_id": bb, "relation_type": "precedes", "delay": 2}}),
        )
        .send()
        .await;
    assert_eq!(r.status, 201, "{b:?} {}", r.text);
    assert_eq!(
        dates(&s, bb).await,
        (json!("2024-01-10"), json!("2024-01-11")),
        "{b:?}"
    );
    let j = s
        .get_json(&format!("/issues/{bb}.json?include=journals"))
        .await;
    let names: Vec<&str> = j["issue"]["journals"][0]["details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["due_date", "start_date", "follows"],
        "one journal for the move"
    );
    // pulled earlier to the soonest start
    assert_eq!(s.relate(c, json!(a), "follows").await.status, 201);
    assert_eq!(
        dates(&s, c).await,
        (json!("2024-01-08"), json!("2024-01-09"))
    );
    // B's start is guarded
    let r = s
        .put(
            &format!("/issues/{bb}.json"),
            json!({"issue": {"start_date": "2024-01-09"}}),
        )
        .send()
        .await;
    assert_eq!(
        errors(&r),
        json!(["Start date cannot be earlier than 01/10/2024 because of preceding issues"])
    );
    // the chain moves with A, with journals by the same user
    let r = s
        .put(
            &format!("/issues/{a}.json"),
            json!({"issue": {"due_date": "2024-01-19"}}),
        )
        .send()
        .await;
    assert_eq!(r.status, 204);
    assert_eq!(
        dates(&s, bb).await,
        (json!("2024-01-24"), json!("2024-01-25"))
    );
    assert_eq!(
        dates(&s, c).await,
        (json!("2024-01-22"), json!("2024-01-23"))
    );
    let j = s
        .get_json(&format!("/issues/{c}.json?include=journals"))
        .await;
    assert_eq!(j["issue"]["journals"].as_array().unwrap().len(), 2);
    // a follower that is a parent moves its subtasks; the parent's dates follow them
    let p = mk("P", "2024-01-01", None).await;
    let kid = s
        .create_issue(
            json!({"project_id": "alpha", "subject": "kid", "parent_issue_id": p,
                             "start_date": "2024-01-02", "due_date": "2024-01-04"}),
        )
        .await;
    assert_eq!(s.relate(a, json!(p), "precedes").await.status, 201);
    assert_eq!(
        dates(&s, kid).await,
        (json!("2024-01-22"), json!("2024-01-24"))
    );
    assert_eq!(
        dates(&s, p).await,
        (json!("2024-01-22"), json!("2024-01-24"))
    );
    // a cycle through the subtask is refused
    let r = s.relate(kid, json!(a), "precedes").await;
    assert_eq!(
        errors(&r),
        json!(["This relation would create a circular dependency"])
    );
}

async fn blocked_issues_and_subtasks_cannot_close_duplicates_close_along(b: Backend) {
    let s = Server::start(b).await;
    let ids = issues(&s, &["blocker", "blocked", "dup", "orig"]).await;
    let (blocker, blocked, dup, orig) = (ids[0], ids[1], ids[2], ids[3]);
    assert_eq!(
        s.relate(blocker, json!(blocked), "blocks").await.status,
        201
    );
    let closed_offered = |v: &Value| {
        v["issue"]["allowed_statuses"]
            .as_array()
            .unwrap()
            .iter()
            .any(|st| st["is_closed"] == json!(true))
    };
    let show = |id: i64| {
        s.get(&format!("/issues/{id}.json?include=allowed_statuses"))
            .send()
    };
    assert!(!closed_offered(&show(blocked).await.json()), "{b:?}");
    // the closing status is ignored, as any status outside the allowed ones
    let r = s
        .put(
            &format!("/issues/{blocked}.json"),
            json!({"issue": {"status_id": 5}}),
        )
        .send()
        .await;
    assert_eq!(r.status, 204);
    assert_eq!(show(blocked).await.json()["issue"]["status"]["id"], 1);
    let r = s
        .put(
            &format!("/issues/{blocker}.json"),
            json!({"issue": {"status_id": 5}}),
        )
        .send()
        .await;
    assert_eq!(r.status, 204);
    assert!(
        closed_offered(&show(blocked).await.json()),
        "the blocker is closed now"
    );
    // open subtasks keep a parent open; a closed parent only offers closed statuses
    let kid = s
        .create_issue(json!({"project_id": "alpha", "subject": "kid", "parent_issue_id": blocked}))
        .await;
    assert!(!closed_offered(&show(blocked).await.json()));
    s.put(
        &format!("/issues/{kid}.json"),
        json!({"issue": {"status_id": 5}}),
    )
    .send()
    .await;
    s.put(
        &format!("/issues/{blocked}.json"),
        json!({"issue": {"status_id": 5}}),
    )
    .send()
    .await;
    let k = show(kid).await.json();
    assert!(
        k["issue"]["allowed_statuses"]
            .as_array()
            .unwrap()
            .iter()
            .all(|st| st["is_closed"] == json!(true)),
        "{k}"
    );
    // closing an issue closes what duplicates it, with the same notes
    assert_eq!(s.relate(dup, json!(orig), "duplicates").await.status, 201);
    let r = s
        .put(
            &format!("/issues/{orig}.json"),
            json!({"issue": {"status_id": 5, "notes": "done"}}),
        )
        .send()
        .await;
    assert_eq!(r.status, 204);
    let d = s
        .get_json(&format!("/issues/{dup}.json?include=journals"))
        .await;
    assert_eq!(d["issue"]["status"]["id"], 5);
    assert!(d["issue"]["closed_on"].is_string());
    let last = d["issue"]["journals"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(last["notes"], "done");
    assert_eq!(
        last["details"],
        json!([{"property": "attr", "name": "status_id", "old_value": "1", "new_value": "5"}])
    );
}

async fn relation_filters(b: Backend) {
    let s = Server::start(b).await;
    let ids = issues(&s, &["a", "b", "c", "d"]).await;
    let (a, bb, c, d) = (ids[0], ids[1], ids[2], ids[3]);
    s.create_project("beta", true).await;
    let x = s
        .create_issue(json!({"project_id": "beta", "subject": "x"}))
        .await;
    s.put(
        &format!("/issues/{bb}.json"),
        json!({"issue": {"status_id": 5}}),
    )
    .send()
    .await;
    s.relate(a, json!(bb), "blocks").await;
    s.relate(c, json!(a), "relates").await;
    s.relate(d, json!(c), "precedes").await;
    let cases: Vec<(String, Vec<i64>)> = vec![
        ("blocks=*".into(), vec![a]),
        ("blocked=*".into(), vec![bb]),
        ("blocks=!*".into(), vec![bb, c, d, x]),
        (format!("blocks={bb}"), vec![a]),
        (format!("blocks=!{bb}"), vec![bb, c, d, x]),
        ("relates=*".into(), vec![a, c]),
        (format!("relates={a}"), vec![c]),
        (format!("relates={c}"), vec![a]),
        ("relates=!*".into(), vec![bb, d, x]),
        ("precedes=*".into(), vec![d]),
        ("follows=*".into(), vec![c]),
        ("blocks=*o".into(), vec![]),
        ("blocks=!o".into(), vec![a, bb, c, d, x]),
        ("precedes=*o".into(), vec![d]),
        ("f[]=blocks&op[blocks]==p&v[blocks][]=1".into(), vec![a]),
        ("f[]=blocks&op[blocks]==!p&v[blocks][]=1".into(), vec![]),
        (
            "f[]=relates&op[relates]=!p&v[relates][]=1".into(),
            vec![bb, d, x],
        ),
        ("duplicates=*".into(), vec![]),
        ("copied_from=!*".into(), vec![a, bb, c, d, x]),
    ];
    for (q, want) in cases {
        assert_eq!(
            s.issue_ids(&format!("status_id=*&{q}")).await,
            want,
            "{b:?} {q}"
        );
    }
    let r = s
        .get("/issues.json?f[]=blocks&op[blocks]==&v[blocks][]=")
        .send()
        .await;
    assert_eq!(
        (r.status, errors(&r)),
        (422, json!(["Blocks cannot be blank"]))
    );
}

async fn copies_link_and_take_subtasks(b: Backend) {
    let s = Server::start(b).await;
    s.create_project("alpha", true).await;
    let src = s
        .create_issue(
            json!({"project_id": "alpha", "subject": "Src", "description": "d",
                             "estimated_hours": 3, "watcher_user_ids": [1]}),
        )
        .await;
    let kid = s
        .create_issue(json!({"project_id": "alpha", "subject": "Kid", "parent_issue_id": src}))
        .await;
    s.put(
        &format!("/issues/{src}.json"),
        json!({"issue": {"status_id": 2}}),
    )
    .send()
    .await;
    // by default ("ask") no link without link_copy=1
    let r = s
        .post(
            &format!("/issues.json?copy_from={src}"),
            json!({"issue": {"project_id": "alpha", "subject": "Plain"}}),
        )
        .send()
        .await;
    assert_eq!(r.status, 201, "{b:?} {}", r.text);
    let plain = r.json()["issue"].clone();
    assert_eq!(
        (
            plain["description"].clone(),
            plain["estimated_hours"].clone(),
            plain["status"]["id"].clone()
        ),
        (json!("d"), json!(3.0), json!(1)),
        "attributes copied, the status is not"
    );
    let pid = plain["id"].as_i64().unwrap();
    let p = s
        .get_json(&format!(
            "/issues/{pid}.json?include=relations,watchers,children"
        ))
        .await;
    assert!(p["issue"].get("relations").is_none());
    assert!(
        p["issue"].get("children").is_none(),
        "subtasks only when asked"
    );
    // watchers are copied only into a project the URL names, as in Redmine
    assert_eq!(p["issue"]["watchers"], json!([]));

    let r = s
        .post(
            &format!("/issues.json?copy_from={src}&link_copy=1&copy_subtasks=1"),
            json!({"issue": {"project_id": "alpha", "subject": "Copy"}}),
        )
        .send()
        .await;
    assert_eq!(r.status, 201);
    let copy = r.json()["issue"]["id"].as_i64().unwrap();
    let c = s
        .get_json(&format!(
            "/issues/{copy}.json?include=relations,children,journals"
        ))
        .await;
    assert_eq!(
        c["issue"]["relations"],
        json!([{"id": c["issue"]["relations"][0]["id"], "issue_id": src, "issue_to_id": copy,
                "relation_type": "copied_to", "delay": null}])
    );
    assert_eq!(
        c["issue"]["journals"][0]["details"][0]["name"],
        "copied_from"
    );
    let kid_copy = c["issue"]["children"][0]["id"].as_i64().unwrap();
    assert_eq!(c["issue"]["children"][0]["subject"], "Kid");
    let kc = s
        .get_json(&format!("/issues/{kid_copy}.json?include=relations"))
        .await;
    assert_eq!(kc["issue"]["relations"][0]["issue_id"], json!(kid));

    // the source must be visible (404) and copyable (403)
    let r = s
        .post(
            "/issues.json?copy_from=999999",
            json!({"issue": {"project_id": "alpha"}}),
        )
        .send()
        .await;
    assert_eq!(r.status, 404);
    let rep = s.create_user("rep", "rep-pass-123").await;
    s.add_member("alpha", rep, &[5]).await;
    let r = s
        .post(
            &format!("/issues.json?copy_from={src}"),
            json!({"issue": {"project_id": "alpha"}}),
        )
        .basic("rep", "rep-pass-123")
        .send()
        .await;
    assert_eq!(r.status, 403, "Reporter has no copy_issues");
}

async fn copies_always_linked_when_set(b: Backend) {
    let s = Server::with_setting(b, "link_copied_issue", "yes").await;
    let src = issues(&s, &["src"]).await[0];
    let r = s
        .post(
            &format!("/issues.json?copy_from={src}"),
            json!({"issue": {"project_id": "alpha"}}),
        )
        .send()
        .await;
    assert_eq!(r.status, 201, "{b:?} {}", r.text);
    assert_eq!(r.json()["issue"]["subject"], "src");
    let l = s.get_json(&format!("/issues/{src}/relations.json")).await;
    assert_eq!(l["relations"][0]["relation_type"], "copied_to");
}

async fn bulk_delete_and_relations_going_with_issues(b: Backend) {
    let s = Server::start(b).await;
    let ids = issues(&s, &["a", "b", "c"]).await;
    s.relate(ids[0], json!(ids[1]), "relates").await;
    let dev = s.create_user("dev", "dev-pass-123").await;
    s.add_member("alpha", dev, &[4]).await;
    let path = format!("/issues.json?ids[]={}&ids[]={}", ids[0], ids[2]);
    assert_eq!(
        s.delete(&path)
            .basic("dev", "dev-pass-123")
            .send()
            .await
            .status,
        403,
        "{b:?}"
    );
    assert_eq!(s.delete(&path).send().await.status, 204);
    let l = s
        .get_json(&format!("/issues/{}/relations.json", ids[1]))
        .await;
    assert_eq!(l["relations"], json!([]));
    let r = s.delete(&path).send().await;
    assert_eq!((r.status, r.text.as_str()), (404, ""));
    assert_eq!(s.delete("/issues.json").send().await.status, 404);
    assert_eq!(s.get_json("/issues.json").await["total_count"], 1);
}

async fn concurrent_opposite_relations_make_no_cycle(b: Backend) {
    let s = Server::start(b).await;
    let ids = issues(&s, &["a", "b"]).await;
    let (a, bb) = (ids[0], ids[1]);
    let mut tasks = Vec::new();
    for k in 0..8 {
        let (from, to) = if k % 2 == 0 { (a, bb) } else { (bb, a) };
        tasks.push(s.relate(from, json!(to), "blocks"));
    }
    let results = futures_util::future::join_all(tasks).await;
    let created = results.iter().filter(|r| r.status == 201).count();
    assert_eq!(created, 1, "{b:?}");
    for r in &results {
        assert!(
            r.status == 201 || r.status == 422,
            "{b:?} {} {}",
            r.status,
            r.text
        );
    }
    let l = s.get_json(&format!("/issues/{a}/relations.json")).await;
    assert_eq!(l["relations"].as_array().unwrap().len(), 1);
}

per_backend!(
    types_are_stored_forward_and_listed_in_order,
    validation_in_redmines_order,
    cross_project_relations_when_allowed,
    moving_an_issue_drops_its_relations,
    permissions_and_hidden_issues,
    precedes_reschedules_on_working_days,
    blocked_issues_and_subtasks_cannot_close_duplicates_close_along,
    relation_filters,
    copies_link_and_take_subtasks,
    copies_always_linked_when_set,
    bulk_delete_and_relations_going_with_issues,
    concurrent_opposite_relations_make_no_cycle,
);
