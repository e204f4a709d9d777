//! OAuth2 as a real client drives it: register an application, sign in and consent on
//! the authorization page through its own form, exchange the code with PKCE, call the API
//! inside and outside the scopes, refresh, revoke, and see reused codes and rotated
//! refresh tokens refused.

mod common;
use base64::Engine;
use common::*;
use sha2::Digest;

fn form(pairs: &[(&str, &str)]) -> Vec<u8> {
    let mut s = form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        s.append_pair(k, v);
    }
    s.finish().into_bytes()
}

/// The value of `name="…" value="…"` inputs of a page.
fn inputs(page: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for part in page.split("<input").skip(1) {
        let attr = |a: &str| {
            part.split(&format!("{a}=\""))
                .nth(1)
                .and_then(|r| r.split('"').next())
                .map(|v| {
                    v.replace("&quot;", "\"")
                        .replace("&#39;", "'")
                        .replace("&lt;", "<")
                        .replace("&gt;", ">")
                        .replace("&amp;", "&")
                })
        };
        if let (Some(n), Some(v)) = (attr("name"), attr("value")) {
            out.push((n, v));
        }
    }
    out
}

fn query_param(location: &str, name: &str) -> Option<String> {
    let query = location.split_once('?')?.1;
    form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

async fn bearer(s: &Server, method: Method, path: &str, token: &str) -> Resp {
    s.req(method, path)
        .anonymous()
        .header("Authorization", &format!("Bearer {token}"))
        .send()
        .await
}

async fn post_form(s: &Server, path: &str, pairs: &[(&str, &str)], cookie: Option<&str>) -> Resp {
    let mut r = s
        .req(Method::POST, path)
        .anonymous()
        .body(Some("application/x-www-form-urlencoded"), form(pairs));
    if let Some(c) = cookie {
        r = r.header("Cookie", c);
    }
    r.send().await
}

/// Signs in and approves on the page; returns the redirect's Location.
async fn consent(s: &Server, query: &str, login: &str, password: &str, decision: &str) -> Resp {
    let page = s
        .get(&format!("/oauth/authorize?{query}"))
        .anonymous()
        .send()
        .await;
    assert_eq!(page.status, 200, "{}", page.text);
    assert!(page
        .header("content-security-policy")
        .is_some_and(|c| c.contains("frame-ancestors 'none'")));
    let cookie = page.header("set-cookie").unwrap();
    let cookie = cookie.split(';').next().unwrap().to_owned();
    let mut fields = inputs(&page.text);
    fields.push(("login".into(), login.into()));
    fields.push(("password".into(), password.into()));
    fields.push(("decision".into(), decision.into()));
    let pairs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    post_form(s, "/oauth/authorize", &pairs, Some(&cookie)).await
}

async fn whole_flow(b: Backend) {
    let s = Server::with_setting(b, "admin_api_enabled", "1").await;
    s.create_project("p", false).await;
    let alice = s.create_user("alice", "alice-pass-123").await;
    s.add_member("p", alice, &[4]).await;
    s.create_issue(json!({"project_id": "p", "subject": "Seen through a token"}))
        .await;
    // register a public application (PKCE required) on a loopback redirect
    let r = s
        .post(
            "/oauth/applications.json",
            json!({"application": {"name": "Time <tracker>", "redirect_uri": "http://127.0.0.1/cb",
                "scopes": "view_issues add_issues", "confidential": false}}),
        )
        .send()
        .await;
    assert_eq!(r.status, 201, "{b:?} {}", r.text);
    let client_id = r.json()["application"]["uid"].as_str().unwrap().to_owned();
    assert!(r.json()["application"]["secret"].is_string());
    // refused redirect URIs
    let r = s
        .post(
            "/oauth/applications.json",
            json!({"application": {"name": "x", "redirect_uri": "http://evil.example/cb"}}),
        )
        .send()
        .await;
    assert_eq!(r.status, 422);
    assert_eq!(
        r.json()["errors"],
        json!(["Redirect URI must be an HTTPS/SSL URI."])
    );

    let verifier = "a-long-random-verifier-0123456789-abcdefghijklmnop";
    let challenge = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(sha2::Sha256::digest(verifier.as_bytes()));
    let query = format!(
        "response_type=code&client_id={client_id}&redirect_uri=http%3A%2F%2F127.0.0.1%3A4567%2Fcb\
         &scope=view_issues+view_project&state=xyz&code_challenge={challenge}&code_challenge_method=S256"
    );
    // a public client without PKCE is sent back with an error
    let r = s
        .get(&format!(
            "/oauth/authorize?response_type=code&client_id={client_id}&redirect_uri=http%3A%2F%2F127.0.0.1%2Fcb"
        ))
        .anonymous()
        .send()
        .await;
    assert_eq!(r.status, 302);
    assert_eq!(
        query_param(&r.header("location").unwrap(), "error").as_deref(),
        Some("invalid_request")
    );
    // a post without the page's cookie is refused
    let r = post_form(
        &s,
        "/oauth/authorize",
        &[("client_id", &client_id), ("decision", "approve")],
        None,
    )
    .await;
    assert_eq!(r.status, 403);
    // a wrong password shows the page again; denying goes back with access_denied
    let r = consent(&s, &query, "alice", "wrong", "approve").await;
    assert_eq!(r.status, 401, "{b:?}");
    assert!(r.text.contains("Invalid user or password"));
    let r = consent(&s, &query, "alice", "", "deny").await;
    assert_eq!(r.status, 302);
    let loc = r.header("location").unwrap();
    assert_eq!(query_param(&loc, "error").as_deref(), Some("access_denied"));
    assert_eq!(query_param(&loc, "state").as_deref(), Some("xyz"));
    // approve: a code comes back to the loopback redirect, any port, with the state
    let r = consent(&s, &query, "alice", "alice-pass-123", "approve").await;
    assert_eq!(r.status, 302, "{b:?} {}", r.text);
    let loc = r.header("location").unwrap();
    assert!(loc.starts_with("http://127.0.0.1:4567/cb?"), "{loc}");
    assert_eq!(query_param(&loc, "state").as_deref(), Some("xyz"));
    let code = query_param(&loc, "code").unwrap();

    let exchange = |verifier: &'static str| {
        let code = code.clone();
        let client_id = client_id.clone();
        let s = &s;
        async move {
            post_form(
                s,
                "/oauth/token",
                &[
                    ("grant_type", "authorization_code"),
                    ("code", &code),
                    ("client_id", &client_id),
                    ("redirect_uri", "http://127.0.0.1:4567/cb"),
                    ("code_verifier", verifier),
                ],
                None,
            )
            .await
        }
    };
    let r = exchange("a-long-random-verifier-0123456789-abcdefghijklmnop").await;
    assert_eq!(r.status, 200, "{b:?} {}", r.text);
    let t = r.json();
    assert_eq!(t["token_type"], json!("Bearer"));
    assert_eq!(t["expires_in"], json!(7200));
    assert_eq!(t["scope"], json!("view_issues view_project"));
    let access = t["access_token"].as_str().unwrap().to_owned();
    let refresh = t["refresh_token"].as_str().unwrap().to_owned();
    // the code is single-use: used again, it also revokes what it gave
    let r = exchange("a-long-random-verifier-0123456789-abcdefghijklmnop").await;
    assert_eq!(r.status, 400);
    assert_eq!(r.json()["error"], json!("invalid_grant"));
    let r = bearer(&s, Method::GET, "/issues.json", &access).await;
    assert_eq!(r.status, 401, "{b:?}");
    let r = post_form(
        &s,
        "/oauth/token",
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", &refresh),
            ("client_id", &client_id),
        ],
        None,
    )
    .await;
    assert_eq!(r.json()["error"], json!("invalid_grant"), "{b:?}");
    // a new authorization for the rest of the test
    let r = consent(&s, &query, "alice", "alice-pass-123", "approve").await;
    let code = query_param(&r.header("location").unwrap(), "code").unwrap();
    let r = post_form(
        &s,
        "/oauth/token",
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("client_id", &client_id),
            ("redirect_uri", "http://127.0.0.1:4567/cb"),
            (
                "code_verifier",
                "a-long-random-verifier-0123456789-abcdefghijklmnop",
            ),
        ],
        None,
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let access = r.json()["access_token"].as_str().unwrap().to_owned();
    let refresh = r.json()["refresh_token"].as_str().unwrap().to_owned();

    // inside the scopes, as alice; outside them, 403; the key stays hidden
    let r = bearer(&s, Method::GET, "/issues.json", &access).await;
    assert_eq!(r.status, 200, "{b:?} {}", r.text);
    assert_eq!(r.json()["total_count"], json!(1));
    let r = bearer(&s, Method::GET, "/time_entries.json", &access).await;
    assert_eq!(r.status, 403, "{b:?}");
    assert!(r
        .header("www-authenticate")
        .is_some_and(|w| w.contains("insufficient_scope")));
    let r = bearer(&s, Method::POST, "/projects/p/issues.json", &access).await;
    assert_eq!(r.status, 403, "{b:?}");
    let r = bearer(&s, Method::GET, "/my/account.json", &access).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["user"]["login"], json!("alice"));
    assert!(r.json()["user"].get("api_key").is_none());
    let r = bearer(&s, Method::GET, "/oauth/token/info", &access).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["resource_owner_id"], json!(alice));
    // a token never issued leaves the request anonymous, as in Redmine
    let r = bearer(&s, Method::GET, "/users/current.json", "not-a-token").await;
    assert_eq!(r.status, 401);
    assert_eq!(
        r.header("www-authenticate").as_deref(),
        Some("Basic realm=\"Redmine API\"")
    );

    // refresh: a new pair; the used refresh token and its access token are done
    let refresh_with = |token: String| {
        let client_id = client_id.clone();
        let s = &s;
        async move {
            post_form(
                s,
                "/oauth/token",
                &[
                    ("grant_type", "refresh_token"),
                    ("refresh_token", &token),
                    ("client_id", &client_id),
                ],
                None,
            )
            .await
        }
    };
    let r = refresh_with(refresh.clone()).await;
    assert_eq!(r.status, 200, "{b:?} {}", r.text);
    let access2 = r.json()["access_token"].as_str().unwrap().to_owned();
    let r = refresh_with(refresh).await;
    assert_eq!(r.status, 400);
    assert_eq!(r.json()["error"], json!("invalid_grant"));
    let r = bearer(&s, Method::GET, "/issues.json", &access).await;
    assert_eq!(r.status, 401);
    assert!(r
        .header("www-authenticate")
        .is_some_and(|w| w.contains("invalid_token") && w.contains("revoked")));
    let r = bearer(&s, Method::GET, "/issues.json", &access2).await;
    assert_eq!(r.status, 200);

    // alice sees the application among her authorizations, and revokes it
    let r = s
        .get("/oauth/authorized_applications.json")
        .basic("alice", "alice-pass-123")
        .send()
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let app_id = r.json()["applications"][0]["id"].as_i64().unwrap();
    // RFC 7009 revoke by the client
    let r = post_form(
        &s,
        "/oauth/revoke",
        &[("token", &access2), ("client_id", &client_id)],
        None,
    )
    .await;
    assert_eq!(r.status, 200);
    let r = bearer(&s, Method::GET, "/issues.json", &access2).await;
    assert_eq!(r.status, 401);
    let r = s
        .delete(&format!("/oauth/authorized_applications/{app_id}.json"))
        .basic("alice", "alice-pass-123")
        .send()
        .await;
    assert_eq!(r.status, 204);
}

async fn applications_admin(b: Backend) {
    let s = Server::with_setting(b, "admin_api_enabled", "1").await;
    let r = s
        .post(
            "/oauth/applications.json",
            json!({"application": {"name": "CI", "redirect_uri": "https://ci.example/cb",
                "scopes": "view_issues bogus"}}),
        )
        .send()
        .await;
    assert_eq!(r.status, 422);
    assert_eq!(
        r.json()["errors"],
        json!(["Scopes doesn't match configured on the server."])
    );
    let r = s
        .post(
            "/oauth/applications.json",
            json!({"application": {"name": "CI", "redirect_uri": "https://ci.example/cb",
                "scopes": "view_issues"}}),
        )
        .send()
        .await;
    assert_eq!(r.status, 201);
    let id = r.json()["application"]["id"].as_i64().unwrap();
    let secret = r.json()["application"]["secret"]
        .as_str()
        .unwrap()
        .to_owned();
    let shown = s.get_json(&format!("/oauth/applications/{id}.json")).await;
    assert!(shown["application"].get("secret").is_none());
    assert_eq!(shown["application"]["confidential"], json!(true));
    let r = s
        .req(
            Method::POST,
            &format!("/oauth/applications/{id}/secret.json"),
        )
        .key(ADMIN_KEY)
        .send()
        .await;
    assert_eq!(r.status, 200);
    assert_ne!(r.json()["application"]["secret"].as_str().unwrap(), secret);
    let list = s.get("/oauth/applications.xml").send().await;
    assert_eq!(list.status, 200);
    assert!(
        list.text.contains("<applications type=\"array\">"),
        "{}",
        list.text
    );
    let r = s
        .delete(&format!("/oauth/applications/{id}.json"))
        .send()
        .await;
    assert_eq!(r.status, 204);
    // not for other users
    s.create_user("bob", "bob-pass-1234").await;
    let r = s
        .get("/oauth/applications.json")
        .basic("bob", "bob-pass-1234")
        .send()
        .await;
    assert_eq!(r.status, 403);
}

async fn sign_in_attempts_are_limited(b: Backend) {
    let s = Server::with_setting(b, "admin_api_enabled", "1").await;
    let r = s
        .post(
            "/oauth/applications.json",
            json!({"application": {"name": "Limited", "redirect_uri": "https://app.example/cb"}}),
        )
        .send()
        .await;
    let client_id = r.json()["application"]["uid"].as_str().unwrap().to_owned();
    let query = format!(
        "response_type=code&client_id={client_id}&redirect_uri=https%3A%2F%2Fapp.example%2Fcb"
    );
    for _ in 0..5 {
        let r = consent(&s, &query, "mallory", "guess", "approve").await;
        assert_eq!(r.status, 401, "{b:?}");
    }
    let r = consent(&s, &query, "mallory", "guess", "approve").await;
    assert_eq!(r.status, 429, "{b:?}");
    // an unknown client or a redirect URI it did not register is shown, never followed
    let r = s
        .get("/oauth/authorize?response_type=code&client_id=nope&redirect_uri=https%3A%2F%2Fevil.example")
        .anonymous()
        .send()
        .await;
    assert_eq!(r.status, 400);
    let r = s
        .get(&format!(
            "/oauth/authorize?response_type=code&client_id={client_id}&redirect_uri=https%3A%2F%2Fevil.example%2Fcb"
        ))
        .anonymous()
        .send()
        .await;
    assert_eq!(r.status, 400);
    assert!(r.header("location").is_none());
}

/// A token for a user and scope, through the page and a PKCE exchange.
async fn token_for(
    s: &Server,
    client_id: &str,
    login: &str,
    password: &str,
    scope: &str,
) -> String {
    let verifier = "another-long-random-verifier-0123456789-abcdefghij";
    let challenge = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(sha2::Sha256::digest(verifier.as_bytes()));
    let query = form_urlencoded::Serializer::new(String::new())
        .append_pair("response_type", "code")
        .append_pair("client_id", client_id)
        .append_pair("redirect_uri", "http://127.0.0.1/cb")
        .append_pair("scope", scope)
        .append_pair("code_challenge", &challenge)
        .append_pair("code_challenge_method", "S256")
        .finish();
    let r = consent(s, &query, login, password, "approve").await;
    assert_eq!(r.status, 302, "{}", r.text);
    let code = query_param(&r.header("location").unwrap(), "code").unwrap();
    let r = post_form(
        s,
        "/oauth/token",
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("client_id", client_id),
            ("redirect_uri", "http://127.0.0.1/cb"),
            ("code_verifier", verifier),
        ],
        None,
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.json()["access_token"].as_str().unwrap().to_owned()
}

async fn scopes_bound_everything(b: Backend) {
    let s = Server::with_setting(b, "admin_api_enabled", "1").await;
    s.create_project("p", true).await;
    let issue = s
        .create_issue(json!({"project_id": "p", "subject": "Quetzal sighting"}))
        .await;
    let r = s
        .post(
            "/oauth/applications.json",
            json!({"application": {"name": "Narrow", "redirect_uri": "http://127.0.0.1/cb",
                "scopes": "view_issues admin", "confidential": false}}),
        )
        .send()
        .await;
    let client_id = r.json()["application"]["uid"].as_str().unwrap().to_owned();
    s.create_user("dave", "dave-pass-123").await;
    // without view_issues: no issue, by id, in a list or in a search
    let narrow = token_for(
        &s,
        &client_id,
        "dave",
        "dave-pass-123",
        "view_project search_project",
    )
    .await;
    let r = bearer(&s, Method::GET, &format!("/issues/{issue}.json"), &narrow).await;
    assert_eq!(r.status, 403, "{b:?}");
    let r = bearer(&s, Method::GET, "/issues.json", &narrow).await;
    assert_eq!(r.status, 403, "{b:?}");
    let r = bearer(&s, Method::GET, "/search.json?q=quetzal", &narrow).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["total_count"], json!(0), "{b:?}");
    let r = bearer(
        &s,
        Method::GET,
        "/search.json?q=quetzal",
        &token_for(&s, &client_id, "dave", "dave-pass-123", "view_issues").await,
    )
    .await;
    assert_eq!(r.json()["total_count"], json!(1), "{b:?}");
    // an administrator's token acts as one only with the admin scope; switching users too
    let plain = token_for(&s, &client_id, "admin", ADMIN_PASSWORD, "view_issues").await;
    let r = bearer(&s, Method::GET, "/users.json", &plain).await;
    assert_eq!(r.status, 403, "{b:?}");
    let r = s
        .req(Method::GET, "/users/current.json")
        .header("Authorization", &format!("Bearer {plain}"))
        .header("X-Redmine-Switch-User", "dave")
        .send()
        .await;
    assert_eq!(r.json()["user"]["login"], json!("admin"), "{b:?}");
    let full = token_for(&s, &client_id, "admin", ADMIN_PASSWORD, "view_issues admin").await;
    let r = bearer(&s, Method::GET, "/users.json", &full).await;
    assert_eq!(r.status, 200, "{b:?}");
    // no token shows API keys, not even an administrator's
    let r = bearer(&s, Method::GET, "/users/1.json", &full).await;
    assert!(r.json()["user"].get("api_key").is_none(), "{b:?}");
    // nor lists or undoes the user's other authorizations
    let r = bearer(
        &s,
        Method::GET,
        "/oauth/authorized_applications.json",
        &full,
    )
    .await;
    assert_eq!(r.status, 403);
    // a code is exchanged only with its redirect URI
    let r = post_form(
        &s,
        "/oauth/token",
        &[
            ("grant_type", "authorization_code"),
            ("code", "x"),
            ("client_id", &client_id),
        ],
        None,
    )
    .await;
    assert_eq!(r.status, 400);
    assert_eq!(r.json()["error"], json!("invalid_request"));
}

per_backend!(
    whole_flow,
    applications_admin,
    sign_in_attempts_are_limited,
    scopes_bound_everything
);
