//! Custom field values on issues, their filters and sorts.

use crate::common::*;
use crate::per_backend;
use crate::{issue, with_developer};

async fn custom_field_values(b: Backend) {
    let s = with_developer(b).await;
    let field = |body: Value| s.create_custom_field(body);
    let build = field(json!({"customized_type": "issue", "name": "Build", "field_format": "string", "regexp": "^[0-9]+$", "max_length": 5, "default_value": "1", "is_for_all": true, "tracker_ids": [1]})).await;
    let platforms = field(json!({"customized_type": "issue", "name": "Platforms", "field_format": "list", "possible_values": ["Linux", "Windows"], "multiple": true, "is_for_all": true, "tracker_ids": [1]})).await;
    let cost = field(json!({"customized_type": "issue", "name": "Cost", "field_format": "int", "visible": false, "role_ids": [3], "is_for_all": true, "tracker_ids": [1]})).await;
    let other = field(json!({"customized_type": "issue", "name": "Other", "field_format": "string", "is_for_all": true, "tracker_ids": [2]})).await;
    // the field's errors come before the issue's own
    let r = issue(
        &s,
        json!({"project_id": "alpha", "custom_fields": [{"id": build, "value": "abc"}]}),
    )
    .await;
    assert_eq!(
        r.json(),
        json!({"errors": ["Build is invalid", "Subject cannot be blank"]}),
        "{b:?}"
    );
    let r = issue(&s, json!({"project_id": "alpha", "subject": "cf", "custom_fields": [{"id": platforms, "value": ["Linux", "Linux", ""]}, {"id": other, "value": "ignored"}], "custom_field_values": {cost.to_string(): "12"}})).await;
    assert_eq!(r.status, 201, "{b:?} {}", r.text);
    let i = r.json()["issue"].clone();
    assert_eq!(
        i["custom_fields"],
        json!([
            {"id": build, "name": "Build", "value": "1"},
            {"id": platforms, "name": "Platforms", "multiple": true, "value": ["Linux"]},
            {"id": cost, "name": "Cost", "value": "12"}
        ]),
        "defaults fill what was not sent; fields of other trackers are ignored"
    );
    let keys: Vec<&String> = i.as_object().unwrap().keys().collect();
    let at = keys.iter().position(|k| *k == "custom_fields").unwrap();
    assert_eq!(keys[at - 1], "total_estimated_hours");
    assert_eq!(keys[at + 1], "created_on");
    let path = format!("/issues/{}.json", i["id"]);
    let as_dev = |m: Method, p: &str| s.req(m, p).basic("dev", "secret-pass1");
    // Cost is visible to Managers only: the Developer neither sees nor sets it
    let shown = as_dev(Method::GET, &path).send().await.json();
    let ids: Vec<i64> = shown["issue"]["custom_fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, [build, platforms]);
    let r = as_dev(Method::PUT, &path)
        .json(json!({"issue": {"custom_field_values": {cost.to_string(): "99", platforms.to_string(): ["Windows"]}}}))
        .send()
        .await;
    assert_eq!(r.status, 204, "{}", r.text);
    let shown = s
        .get(&format!("{path}?include=journals"))
        .send()
        .await
        .json();
    assert_eq!(
        shown["issue"]["custom_fields"][1]["value"],
        json!(["Windows"])
    );
    assert_eq!(shown["issue"]["custom_fields"][2]["value"], "12");
    assert_eq!(
        shown["issue"]["journals"][0]["details"],
        json!([
            {"property": "cf", "name": platforms.to_string(), "old_value": "Linux", "new_value": null},
            {"property": "cf", "name": platforms.to_string(), "old_value": null, "new_value": "Windows"}
        ])
    );
    // a change of a hidden field is hidden from the journal too
    assert_eq!(
        s.put(
            &path,
            json!({"issue": {"custom_fields": [{"id": cost, "value": "7"}]}})
        )
        .send()
        .await
        .status,
        204
    );
    let journals = as_dev(Method::GET, &format!("{path}?include=journals"))
        .send()
        .await
        .json()["issue"]["journals"]
        .clone();
    assert_eq!(journals.as_array().unwrap().len(), 1, "{journals}");
    let r = s
        .put(&path, json!({"issue": {"custom_fields": [{"id": platforms, "value": ["Mac"]}, {"id": build, "value": "123456"}]}}))
        .send()
        .await;
    assert_eq!(
        r.json(),
        json!({"errors": ["Build is too long (maximum is 5 characters)", "Platforms is not included in the list"]})
    );
    // lists show the values too, and XML writes multiple values as an array
    let x = as_dev(Method::GET, "/issues.xml?project_id=alpha")
        .send()
        .await
        .text;
    assert!(
        x.contains(&format!("<custom_fields type=\"array\"><custom_field id=\"{build}\" name=\"Build\"><value>1</value></custom_field><custom_field id=\"{platforms}\" name=\"Platforms\" multiple=\"true\"><value type=\"array\"><value>Windows</value></value></custom_field></custom_fields>")),
        "{x}"
    );
    // a required field added later blocks updates until it is given
    let ticket = field(json!({"customized_type": "issue", "name": "Ticket", "field_format": "string", "is_required": true, "is_for_all": true, "tracker_ids": [1]})).await;
    let r = s
        .put(&path, json!({"issue": {"subject": "renamed"}}))
        .send()
        .await;
    assert_eq!(r.json(), json!({"errors": ["Ticket cannot be blank"]}));
    let shown = s.get(&path).send().await.json();
    assert_eq!(
        shown["issue"]["custom_fields"][3],
        json!({"id": ticket, "name": "Ticket", "value": null})
    );
    let r = s.put(&path, json!({"issue": {"subject": "renamed", "custom_fields": [{"id": ticket, "value": "T-1"}]}})).send().await;
    assert_eq!(r.status, 204, "{}", r.text);
    // a field with a default added later takes it at the next save, without a journal
    let later = s.create_custom_field(json!({"customized_type": "issue", "name": "Later", "field_format": "string", "default_value": "d", "is_for_all": true, "tracker_ids": [1]})).await;
    assert_eq!(
        s.get(&path).send().await.json()["issue"]["custom_fields"][4]["value"],
        Value::Null
    );
    let r = s
        .put(&path, json!({"issue": {"notes": "touch"}}))
        .send()
        .await;
    assert_eq!(r.status, 204, "{}", r.text);
    let shown = s
        .get(&format!("{path}?include=journals"))
        .send()
        .await
        .json();
    assert_eq!(
        shown["issue"]["custom_fields"][4],
        json!({"id": later, "name": "Later", "value": "d"})
    );
    let last = shown["issue"]["journals"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(
        (last["notes"].clone(), last["details"].clone()),
        (json!("touch"), json!([]))
    );
}

async fn custom_field_filters_and_sorts(b: Backend) {
    let s = with_developer(b).await;
    let field = |body: Value| s.create_custom_field(body);
    let sev = field(json!({"customized_type": "issue", "name": "Severity", "field_format": "list", "possible_values": ["Low", "High"], "is_filter": true, "is_for_all": true, "tracker_ids": [1]})).await;
    let pts = field(json!({"customized_type": "issue", "name": "Points", "field_format": "int", "is_filter": true, "is_for_all": true, "tracker_ids": [1]})).await;
    let secret = field(json!({"customized_type": "issue", "name": "Secret", "field_format": "string", "is_filter": true, "visible": false, "role_ids": [3], "is_for_all": true, "tracker_ids": [1]})).await;
    let plain = field(json!({"customized_type": "issue", "name": "Plain", "field_format": "string", "is_for_all": true, "tracker_ids": [1]})).await;
    let mut ids = Vec::new();
    for (subject, values) in [
        (
            "A",
            json!({sev.to_string(): "High", pts.to_string(): "5", secret.to_string(): "x", plain.to_string(): "p"}),
        ),
        ("B", json!({sev.to_string(): "Low", pts.to_string(): "12"})),
        ("C", json!({})),
    ] {
        let r = issue(
            &s,
            json!({"project_id": "alpha", "subject": subject, "custom_field_values": values}),
        )
        .await;
        assert_eq!(r.status, 201, "{b:?} {}", r.text);
        ids.push(r.json()["issue"]["id"].as_i64().unwrap());
    }
    let (a, bb, c) = (ids[0], ids[1], ids[2]);
    let found = |r: Resp| -> Vec<i64> {
        assert_eq!(r.status, 200, "{}", r.text);
        ids_in(&r)
    };
    let get = |q: String| s.get(&format!("/issues.json?{q}")).send();
    assert_eq!(found(get(format!("cf_{sev}=High")).await), [a], "{b:?}");
    assert_eq!(found(get(format!("cf_{sev}=!High&sort=id")).await), [bb, c]);
    assert_eq!(found(get(format!("cf_{pts}=%3E%3D6")).await), [bb]);
    assert_eq!(found(get(format!("cf_{pts}=!*")).await), [c]);
    assert_eq!(found(get(format!("cf_{pts}=*&sort=id")).await), [a, bb]);
    assert_eq!(found(get(format!("sort=cf_{pts}:desc")).await), [bb, a, c]);
    assert_eq!(
        found(get(format!("f[]=cf_{sev}&op[cf_{sev}]==&v[cf_{sev}][]=Low")).await),
        [bb]
    );
    assert_eq!(
        get(format!("cf_{pts}=abc")).await.json(),
        json!({"errors": ["Points is invalid"]})
    );
    // a field that is no filter, or hidden from the caller, filters nothing
    assert_eq!(found(get(format!("cf_{plain}=zzz")).await).len(), 3);
    assert_eq!(found(get(format!("cf_{secret}=x")).await), [a]);
    let as_dev = s
        .get(&format!("/issues.json?cf_{secret}=x"))
        .basic("dev", "secret-pass1")
        .send()
        .await;
    assert_eq!(
        found(as_dev).len(),
        3,
        "the Developer cannot filter on Secret"
    );
    // numbers beyond any fixed precision still compare, on both databases
    let r = issue(&s, json!({"project_id": "alpha", "subject": "D", "custom_field_values": {pts.to_string(): "1234567890123456789012345678901234567890"}})).await;
    let d = r.json()["issue"]["id"].as_i64().unwrap();
    assert_eq!(found(get(format!("cf_{pts}=%3E%3D6")).await), [d, bb]);
    assert_eq!(found(get(format!("sort=cf_{pts}:desc")).await)[0], d);
}

async fn user_and_version_fields_take_what_the_project_offers(b: Backend) {
    let s = with_developer(b).await;
    let owner = s.create_custom_field(json!({"customized_type": "issue", "name": "Owner", "field_format": "user", "is_for_all": true, "tracker_ids": [1]})).await;
    let target = s.create_custom_field(json!({"customized_type": "issue", "name": "Target", "field_format": "version", "is_for_all": true, "tracker_ids": [1]})).await;
    let outsider = s.create_user("outsider", "outsider-pass1").await;
    let dev: i64 = s.get("/users.json?name=dev").send().await.json()["users"][0]["id"]
        .as_i64()
        .unwrap();
    let v = s.create_version("alpha", "1.0").await;
    s.create_project("beta", true).await;
    let foreign = s.create_version("beta", "b1").await;
    let create = |owner_value: Value, target_value: Value| {
        let s = &s;
        async move {
            s.post(
                "/issues.json",
                json!({"issue": {"project_id": "alpha", "subject": "cf", "custom_fields": [
                    {"id": owner, "value": owner_value}, {"id": target, "value": target_value}]}}),
            )
            .send()
            .await
        }
    };
    let r = create(json!(outsider), json!(foreign)).await;
    assert_eq!(
        (r.status, r.json()["errors"].clone()),
        (
            422,
            json!([
                "Owner is not included in the list",
                "Target is not included in the list"
            ])
        ),
        "{b:?}"
    );
    let r = create(json!(dev), json!(v)).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let id = r.json()["issue"]["id"].as_i64().unwrap();
    // a stored value stays valid after the user leaves the project
    let m = s
        .get("/projects/alpha/memberships.json")
        .send()
        .await
        .json();
    let mid = m["memberships"][0]["id"].as_i64().unwrap();
    assert_eq!(
        s.delete(&format!("/memberships/{mid}.json"))
            .send()
            .await
            .status,
        204
    );
    let r = s
        .put(
            &format!("/issues/{id}.json"),
            json!({"issue": {"subject": "still"}}),
        )
        .send()
        .await;
    assert_eq!(r.status, 204, "{}", r.text);
    let r = s
        .put(
            &format!("/issues/{id}.json"),
            json!({"issue": {"custom_fields": [{"id": owner, "value": outsider}]}}),
        )
        .send()
        .await;
    assert_eq!(
        r.json()["errors"],
        json!(["Owner is not included in the list"])
    );
}

/// `cf_N=value` totals are summed from issue_value_counts: they follow changes of a value,
/// of an issue's status, project, tracker and privacy, and deletions, for an administrator
/// and for a member, and always match the issues listed. A value too long for the counts
/// is counted from the issues.
async fn value_filter_totals_follow_changes(b: Backend) {
    let s = with_developer(b).await;
    s.create_project("beta", true).await;
    let dev: i64 = s.get("/users.json?name=dev").send().await.json()["users"][0]["id"]
        .as_i64()
        .unwrap();
    s.add_member("beta", dev, &[4]).await;
    let sev = s.create_custom_field(json!({"customized_type": "issue", "name": "Severity", "field_format": "list", "possible_values": ["Low", "High"], "is_filter": true, "is_for_all": true, "tracker_ids": [1, 2]})).await;
    let note = s.create_custom_field(json!({"customized_type": "issue", "name": "Note", "field_format": "string", "is_filter": true, "is_for_all": true, "tracker_ids": [1, 2]})).await;
    let long = "x".repeat(250);
    let mut made = Vec::new();
    for (project, value, private) in [
        ("alpha", "High", false),
        ("alpha", "High", true),
        ("beta", "High", false),
        ("alpha", "Low", false),
    ] {
        let r = issue(&s, json!({"project_id": project, "subject": "s", "tracker_id": 1, "is_private": private,
                                 "custom_fields": [{"id": sev, "value": value}, {"id": note, "value": long}]}))
            .await;
        assert_eq!(r.status, 201, "{b:?}: {}", r.text);
        made.push(r.json()["issue"]["id"].as_i64().unwrap());
    }
    let [a, private, c, d] = made[..] else {
        unreachable!()
    };
    // the issues listed, sorted, after checking that total_count counts them
    let listed = |query: String, member: bool| {
        let s = &s;
        async move {
            let req = s.req(Method::GET, &format!("/issues.json?limit=100&{query}"));
            let req = if member {
                req.basic("dev", "secret-pass1")
            } else {
                req.key(ADMIN_KEY)
            };
            let r = req.send().await;
            assert_eq!(r.status, 200, "{query}: {}", r.text);
            let mut ids = ids_in(&r);
            assert_eq!(
                r.json()["total_count"],
                json!(ids.len()),
                "{query} member={member}"
            );
            ids.sort_unstable();
            ids
        }
    };
    let high = format!("cf_{sev}=High");
    assert_eq!(listed(high.clone(), false).await, [a, private, c], "{b:?}");
    assert_eq!(
        listed(high.clone(), true).await,
        [a, c],
        "{b:?}: not another's private issue"
    );
    let put = |id: i64, body: Value| {
        s.put(&format!("/issues/{id}.json"), json!({ "issue": body }))
            .send()
    };
    assert_eq!(
        put(d, json!({"custom_fields": [{"id": sev, "value": "High"}]}))
            .await
            .status,
        204
    );
    assert_eq!(
        listed(high.clone(), false).await,
        [a, private, c, d],
        "{b:?}: a value changed"
    );
    assert_eq!(put(a, json!({"status_id": 5})).await.status, 204);
    assert_eq!(
        listed(high.clone(), false).await,
        [private, c, d],
        "{b:?}: closed"
    );
    assert_eq!(
        listed(format!("{high}&status_id=*"), false).await,
        [a, private, c, d]
    );
    assert_eq!(put(c, json!({"project_id": "alpha"})).await.status, 204);
    assert_eq!(
        listed(format!("{high}&project_id=beta"), false).await,
        Vec::<i64>::new(),
        "{b:?}: moved"
    );
    assert_eq!(
        listed(format!("{high}&project_id=alpha"), false).await,
        [private, c, d]
    );
    assert_eq!(put(private, json!({"is_private": false})).await.status, 204);
    assert_eq!(
        listed(high.clone(), true).await,
        [private, c, d],
        "{b:?}: made public"
    );
    assert_eq!(put(d, json!({"tracker_id": 2})).await.status, 204);
    assert_eq!(
        listed(format!("{high}&tracker_id=1"), false).await,
        [private, c],
        "{b:?}: tracker"
    );
    assert_eq!(
        s.delete(&format!("/issues/{c}.json")).send().await.status,
        204
    );
    assert_eq!(
        listed(high.clone(), false).await,
        [private, d],
        "{b:?}: deleted"
    );
    assert_eq!(
        listed(format!("cf_{sev}=Low&status_id=*"), false).await,
        Vec::<i64>::new()
    );
    assert_eq!(
        listed(format!("cf_{note}={long}&status_id=*"), false).await,
        [a, private, d],
        "{b:?}: a long value"
    );
}

/// A long text value is kept on both databases (PostgreSQL indexes only values of at most
/// 200 characters: an index row holding a longer one could not be written) and filters
/// still find it; a page in id order under one value walks the value's holders, and
/// its pages and total are the same as those of the plain filter.
async fn long_values_are_kept_and_value_pages_follow_id_order(b: Backend) {
    let s = with_developer(b).await;
    let log = s.create_custom_field(json!({"customized_type": "issue", "name": "Log", "field_format": "text", "is_filter": true, "is_for_all": true, "tracker_ids": [1, 2]})).await;
    let sev = s.create_custom_field(json!({"customized_type": "issue", "name": "Severity", "field_format": "list", "possible_values": ["Low", "High"], "is_filter": true, "is_for_all": true, "tracker_ids": [1, 2]})).await;
    // about 20 KB that compress poorly
    let mut long = String::new();
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    while long.len() < 20_000 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        long.push_str(&format!("{x:016x}"));
    }
    let r = issue(
        &s,
        json!({"project_id": "alpha", "subject": "with a log", "tracker_id": 1,
                             "custom_fields": [{"id": log, "value": long}]}),
    )
    .await;
    assert_eq!(r.status, 201, "{b:?}: {}", &r.text[..r.text.len().min(300)]);
    let logged = r.json()["issue"]["id"].as_i64().unwrap();
    let shown = s.get_json(&format!("/issues/{logged}.json")).await;
    assert_eq!(shown["issue"]["custom_fields"][0]["value"], long.as_str());
    let found = s.get(&format!("/issues.json?cf_{log}={long}")).send().await;
    assert_eq!(ids_in(&found), vec![logged], "{b:?}");
    // every third issue is High, in two trackers (the first tracker's are found by
    // the page walk with a further condition)
    let mut high = Vec::new();
    for k in 0..30 {
        let value = if k % 3 == 0 { "High" } else { "Low" };
        let r = issue(
            &s,
            json!({"project_id": "alpha", "subject": format!("n{k}"), "tracker_id": 1 + k % 2,
                                 "custom_fields": [{"id": sev, "value": value}]}),
        )
        .await;
        assert_eq!(r.status, 201, "{}", r.text);
        if value == "High" {
            high.push((r.json()["issue"]["id"].as_i64().unwrap(), 1 + k % 2));
        }
    }
    for (query, tracker) in [("", None), ("&tracker_id=2", Some(2))] {
        let mut expected: Vec<i64> = high
            .iter()
            .filter(|(_, t)| tracker.is_none_or(|x| x == *t))
            .map(|(id, _)| *id)
            .collect();
        expected.reverse();
        for (sort, ordered) in [
            ("", expected.clone()),
            ("&sort=id", {
                let mut e = expected.clone();
                e.reverse();
                e
            }),
        ] {
            for offset in [0, 2, 4] {
                let path =
                    format!("/issues.json?cf_{sev}=High{query}{sort}&limit=2&offset={offset}");
                let r = s.get(&path).send().await;
                assert_eq!(r.status, 200, "{b:?} {path}: {}", r.text);
                let page: Vec<i64> = ordered.iter().skip(offset).take(2).copied().collect();
                assert_eq!(ids_in(&r), page, "{b:?} {path}");
                assert_eq!(
                    r.json()["total_count"],
                    json!(ordered.len()),
                    "{b:?} {path}"
                );
            }
        }
    }
}

per_backend!(
    long_values_are_kept_and_value_pages_follow_id_order,
    custom_field_values,
    value_filter_totals_follow_changes,
    custom_field_filters_and_sorts,
    user_and_version_fields_take_what_the_project_offers,
);
