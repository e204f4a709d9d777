//! Formats, bodies, routing errors and robustness: what every resource shares.

mod common;
use common::*;

async fn formats_and_not_api_requests(b: Backend) {
    let s = Server::start(b).await;
    let j = s.get("/trackers?format=json").send().await;
    assert_eq!(
        (j.status, j.content_type().as_deref()),
        (200, Some("application/json; charset=utf-8")),
        "{b:?}"
    );
    let x = s.get("/trackers?format=xml").send().await;
    assert_eq!(
        x.content_type().as_deref(),
        Some("application/xml; charset=utf-8")
    );
    let na = s
        .get("/users")
        .header("Accept", "application/json")
        .send()
        .await;
    assert_eq!(na.status, 406);
    assert!(na.text.starts_with("We couldn't handle your request"));
    assert_eq!(s.get("/trackers.JSON").send().await.status, 406);
    assert_eq!(s.get("/users.txt").send().await.status, 406);
    let over = s
        .get("/trackers.json")
        .header("Accept", "application/xml")
        .send()
        .await;
    assert_eq!(
        over.content_type().as_deref(),
        Some("application/json; charset=utf-8")
    );
    // HEAD: headers only
    let h = s
        .req(Method::HEAD, "/trackers.json")
        .key(ADMIN_KEY)
        .send()
        .await;
    assert_eq!((h.status, h.text.as_str()), (200, ""));
}

async fn routing_errors(b: Backend) {
    let s = Server::start(b).await;
    // reqwest sends Accept: */* by default, which asks for the HTML page
    let r = s
        .get("/no_such_thing.json")
        .header("Accept", "application/json")
        .send()
        .await;
    assert_eq!(
        (r.status, r.json()),
        (404, json!({"status": 404, "error": "Not Found"})),
        "{b:?}"
    );
    let r = s
        .get("/no/such/route.xml")
        .header("Accept", "application/xml")
        .send()
        .await;
    assert_eq!(r.text, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<hash>\n  <status type=\"integer\">404</status>\n  <error>Not Found</error>\n</hash>\n");
    let r = s
        .get("/no_such_thing.json")
        .header("Accept", "*/*")
        .send()
        .await;
    assert_eq!(
        r.content_type().as_deref(),
        Some("text/html; charset=utf-8")
    );
    let r = s
        .get("/users/999.json")
        .header("Accept", "*/*")
        .send()
        .await;
    assert_eq!(
        (r.status, r.text.as_str(), r.content_type().as_deref()),
        (404, "", Some("application/json"))
    );
    assert_eq!(s.delete("/trackers.json").send().await.status, 404);
    assert_eq!(
        s.req(Method::OPTIONS, "/users.json").send().await.status,
        404
    );
    assert_eq!(s.get("/").send().await.status, 404);
}

async fn request_bodies(b: Backend) {
    let s = Server::start(b).await;
    // XML body, JSON answer
    let xml = "<?xml version=\"1.0\"?><user><login>xmluser</login><firstname>Xml</firstname><lastname>User</lastname><mail>xml@example.net</mail><password>secret-pass1</password><admin type=\"boolean\">false</admin></user>";
    let r = s
        .req(Method::POST, "/users.json")
        .key(ADMIN_KEY)
        .body(Some("application/xml"), xml)
        .send()
        .await;
    assert_eq!(r.status, 201, "{b:?} {}", r.text);
    // form body, with brackets
    let r = s
        .req(Method::POST, "/users.xml")
        .key(ADMIN_KEY)
        .body(
            Some("application/x-www-form-urlencoded"),
            "user[login]=formuser&user[firstname]=F&user[lastname]=U&user[mail]=f%40example.net",
        )
        .send()
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert!(r.text.contains("<login>formuser</login>"));
    // malformed bodies: 400 in the requested format
    let r = s
        .req(Method::POST, "/users.json")
        .key(ADMIN_KEY)
        .body(Some("application/json"), "{\"user\": ")
        .send()
        .await;
    assert_eq!(
        (r.status, r.json()),
        (400, json!({"status": 400, "error": "Bad Request"}))
    );
    let r = s
        .req(Method::POST, "/users.xml")
        .key(ADMIN_KEY)
        .body(Some("application/xml"), "<user><login>x</user>")
        .send()
        .await;
    assert_eq!(r.status, 400);
    assert!(r.text.contains("<error>Bad Request</error>"));
    // entity expansion is refused, not performed
    let bomb = "<?xml version=\"1.0\"?><!DOCTYPE u [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;\">]><user><login>&b;</login></user>";
    assert_eq!(
        s.req(Method::POST, "/users.xml")
            .key(ADMIN_KEY)
            .body(Some("application/xml"), bomb)
            .send()
            .await
            .status,
        400
    );
    // JSON without a content type on POST is read as a form: no user key
    let r = s
        .req(Method::POST, "/users.json")
        .key(ADMIN_KEY)
        .body(None, "{\"user\":{\"login\":\"x\"}}")
        .send()
        .await;
    assert_eq!(r.status, 422);
    // PUT with text/plain: body ignored, 204, nothing changed
    let r = s
        .req(Method::PUT, "/users/5.json")
        .key(ADMIN_KEY)
        .body(Some("text/plain"), "{\"user\":{\"firstname\":\"Changed\"}}")
        .send()
        .await;
    assert_eq!(r.status, 204);
    assert_eq!(
        s.get("/users/5.json").send().await.json()["user"]["firstname"],
        "Xml"
    );
    // POST overridden to PUT
    let r = s
        .req(Method::POST, "/users/5.json")
        .key(ADMIN_KEY)
        .header("X-HTTP-Method-Override", "PUT")
        .json(json!({"user": {"firstname": "Over"}}))
        .send()
        .await;
    assert_eq!(r.status, 204);
    assert_eq!(
        s.get("/users/5.json").send().await.json()["user"]["firstname"],
        "Over"
    );
    // too large: 413, never a 500
    let big = format!(
        "{{\"user\":{{\"login\":\"{}\"}}}}",
        "a".repeat(2 * 1024 * 1024)
    );
    let r = s
        .req(Method::POST, "/users.json")
        .key(ADMIN_KEY)
        .body(Some("application/json"), big)
        .send()
        .await;
    assert_eq!(r.status, 413);
    // the server is still fine
    assert_eq!(s.get("/users/current.json").send().await.status, 200);
}

/// Whatever arrives, the answer is never a 500 and the server stays up.
async fn hostile_requests_never_get_a_500(b: Backend) {
    let s = Server::start(b).await;
    let bodies: Vec<(&str, Vec<u8>)> = vec![
        ("application/json", b"null".to_vec()),
        ("application/json", b"\"str\"".to_vec()),
        ("application/json", b"{\"user\":null}".to_vec()),
        (
            "application/json",
            b"{\"user\":{\"login\":null,\"mail\":null,\"password\":null}}".to_vec(),
        ),
        ("application/json", b"{\"user\":{\"login\":1e400}}".to_vec()),
        ("application/json", vec![0xff, 0xfe, 0x00]),
        (
            "application/xml",
            b"<user><login type=\"integer\">abc</login></user>".to_vec(),
        ),
        ("application/xml", b"<user/>".to_vec()),
        ("application/xml", b"<a><b><c/></b></a>".to_vec()),
        ("application/xml", vec![b'<'; 10000]),
        (
            "application/x-www-form-urlencoded",
            b"user[[[]=1&user[login][x]=2&%%%=&user=3".to_vec(),
        ),
        ("multipart/form-data", b"--x\r\n".to_vec()),
    ];
    let paths = [
        "/users.json",
        "/users.xml",
        "/users/5.json",
        "/users/current.json",
        "/my/account.json",
        "/users/%00.json",
        "/users/99999999999999999999999.json",
        "/enumerations/%2e%2e.json",
        "/roles/-1.json",
    ];
    for path in paths {
        for method in [Method::GET, Method::POST, Method::PUT, Method::DELETE] {
            for (ct, body) in &bodies {
                let r = s
                    .req(method.clone(), path)
                    .key(ADMIN_KEY)
                    .body(Some(ct), body.clone())
                    .send()
                    .await;
                assert!(
                    r.status < 500,
                    "{b:?} {method} {path} {ct}: {} {}",
                    r.status,
                    r.text
                );
            }
        }
    }
    assert_eq!(s.get("/users/current.json").send().await.status, 200);
}

async fn escaping_in_both_formats(b: Backend) {
    let s = Server::start(b).await;
    let id = s.create_user("esc", "secret-pass1").await;
    s.put(
        &format!("/users/{id}.json"),
        json!({"user": {"firstname": "a<b>&\"c\"", "lastname": "line\nnext"}}),
    )
    .send()
    .await;
    let j = s.get(&format!("/users/{id}.json")).send().await;
    assert!(
        j.text
            .contains("\"firstname\":\"a\\u003cb\\u003e\\u0026\\\"c\\\"\""),
        "{b:?} {}",
        j.text
    );
    assert!(j.text.contains("\"lastname\":\"line\\nnext\""));
    let x = s.get(&format!("/users/{id}.xml")).send().await;
    assert!(
        x.text
            .contains("<firstname>a&lt;b&gt;&amp;\"c\"</firstname><lastname>line\nnext</lastname>"),
        "{}",
        x.text
    );
    assert!(x.text.contains("<twofa_scheme/>"));
}

async fn jsonp_only_when_enabled(b: Backend) {
    let off = Server::start(b).await;
    let r = off.get("/trackers.json?callback=handle").send().await;
    assert_eq!(
        r.content_type().as_deref(),
        Some("application/json; charset=utf-8"),
        "{b:?}"
    );
    drop(off);
    let s = Server::start_with(
        b,
        Options {
            settings: vec![("jsonp_enabled", "1")],
            ..Default::default()
        },
    )
    .await;
    let r = s
        .get("/issue_statuses.json?callback=my.cb%3Calert%3E")
        .send()
        .await;
    assert_eq!(
        r.content_type().as_deref(),
        Some("application/javascript; charset=utf-8")
    );
    assert!(
        r.text.starts_with("my.cbalert({\"issue_statuses\":["),
        "{}",
        r.text
    );
    assert!(r.text.ends_with("]})"));
    let r = s.get("/issue_statuses.json?jsonp=%3C%3E").send().await;
    assert_eq!(
        r.content_type().as_deref(),
        Some("application/json; charset=utf-8"),
        "nothing left of the name: plain JSON"
    );
    let r = s
        .post("/users.json?callback=cb", json!({"user": {}}))
        .send()
        .await;
    assert!(r.text.starts_with("cb({\"errors\":"));
    let r = s.get("/users/999.json?callback=cb").send().await;
    assert_eq!((r.status, r.text.as_str()), (404, ""));
}

async fn stops_cleanly_on_sigterm_and_keeps_its_data(b: Backend) {
    let s = Server::start(b).await;
    s.create_user("survivor", "secret-pass1").await;
    assert!(s.terminate().success(), "{b:?}");
    // the same data directory / database, started again: no second seeding, data kept
    let again = Server::restart(&s).await;
    let r = again.get("/users.json?name=survivor").send().await.json();
    assert_eq!(r["total_count"], 1, "{b:?}");
    assert_eq!(
        again.get("/users/current.json").send().await.json()["user"]["id"],
        1
    );
}

per_backend!(
    formats_and_not_api_requests,
    routing_errors,
    request_bodies,
    hostile_requests_never_get_a_500,
    escaping_in_both_formats,
    jsonp_only_when_enabled,
    stops_cleanly_on_sigterm_and_keeps_its_data,
);
