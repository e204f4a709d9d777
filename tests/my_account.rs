//! `/my/account`.

mod common;
use common::*;

fn me(r: Req<'_>) -> Req<'_> {
    r.basic("mine", "secret-pass1")
}

async fn show_and_update_own_account(b: Backend) {
    let s = Server::start(b).await;
    let id = s.create_user("mine", "secret-pass1").await;
    let j = me(s.req(Method::GET, "/my/account.json"))
        .send()
        .await
        .json();
    let keys: Vec<&String> = j["user"].as_object().unwrap().keys().collect();
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
            "last_login_on",
            "api_key"
        ],
        "{b:?}"
    );
    assert_eq!(
        j["user"]["mail"], "mine@example.net",
        "mail shown here despite hide_mail"
    );
    let x = me(s.req(Method::GET, "/my/account.xml")).send().await;
    assert!(x.text.contains("<login>mine</login><admin>false</admin>"));

    let r = me(s.req(Method::PUT, "/my/account.json")).json(json!({"user": {"firstname": "Mi", "lastname": "Nombre", "mail": "mi@example.net", "login": "hijack", "admin": true, "status": 3}, "pref": {"hide_mail": false}})).send().await;
    assert_eq!(r.status, 204);
    let u = s.get(&format!("/users/{id}.json")).send().await.json()["user"].clone();
    assert_eq!(
        (
            u["login"].as_str(),
            u["admin"].as_bool(),
            u["status"].as_i64()
        ),
        (Some("mine"), Some(false), Some(1))
    );
    assert_eq!(u["firstname"], "Mi");
    // hide_mail off: others now see the address
    s.create_user("peer", "secret-pass1").await;
    let seen = s
        .req(Method::GET, &format!("/users/{id}.json"))
        .basic("peer", "secret-pass1")
        .send()
        .await
        .json();
    assert_eq!(seen["user"]["mail"], "mi@example.net");

    assert_eq!(
        me(s.req(Method::PUT, "/my/account.json"))
            .json(json!({"user": {"mail": "nope"}}))
            .send()
            .await
            .json(),
        json!({"errors": ["Email is invalid"]})
    );
    let x = me(s.req(Method::PUT, "/my/account.xml"))
        .json(json!({"user": {"firstname": ""}}))
        .send()
        .await;
    assert_eq!(x.text, "<?xml version=\"1.0\" encoding=\"UTF-8\"?><errors type=\"array\"><error>First name cannot be blank</error></errors>");
    assert_eq!(
        me(s.req(Method::PUT, "/my/account.json"))
            .json(json!({"user": {"mail": "ADMIN@example.net"}}))
            .send()
            .await
            .json(),
        json!({"errors": ["Email has already been taken"]})
    );
    assert_eq!(
        me(s.req(Method::PATCH, "/my/account.json"))
            .json(json!({"user": {}}))
            .send()
            .await
            .status,
        404
    );
    assert_eq!(
        me(s.req(Method::PUT, "/my/account.json"))
            .json(json!({"other": 1}))
            .send()
            .await
            .status,
        204
    );
    let anon = s.req(Method::GET, "/my/account.json").send().await;
    assert_eq!(anon.status, 401);
    assert_eq!(
        s.req(Method::PUT, "/my/account.json")
            .json(json!({"user": {}}))
            .send()
            .await
            .status,
        401
    );
    // the password cannot be changed here
    me(s.req(Method::PUT, "/my/account.json"))
        .json(json!({"user": {"password": "changed-pass1"}}))
        .send()
        .await;
    assert_eq!(
        me(s.req(Method::GET, "/my/account.json"))
            .send()
            .await
            .status,
        200
    );
}

per_backend!(show_and_update_own_account,);
