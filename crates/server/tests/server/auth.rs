//! Who may call what: OMI's checks, in OMI's order, with OMI's exact statuses and details.

use omi_model::{Capability, DevScope};
use reqwest::Method;
use serde_json::{Value, json};

use crate::common::{Auth, Body, Reply, TestServer};

const MISSING: &str = "Missing or invalid Authorization header. Must be 'Bearer API_KEY'";
const INVALID_APP_KEY: &str = "Invalid API key";
const INVALID_DEV_KEY: &str = "Invalid API Key";
const NOT_ENABLED: &str = "App is not enabled for this user";
const MEMORY_NOT_FOUND: &str = "Memory not found";

/// A key of the right form that no one was given.
const UNKNOWN_APP_KEY: &str = "sk_00000000000000000000000000000000";
const UNKNOWN_DEV_KEY: &str = "omi_dev_00000000000000000000000000000000";

/// The four integration routes of an app, each with a body it accepts.
fn integration_routes(app_id: &str, uid: &str) -> Vec<(Method, String, Body)> {
    let base = format!("/v2/integrations/{app_id}");
    vec![
        (
            Method::POST,
            format!("{base}/user/conversations?uid={uid}"),
            Body::Json(json!({"text": "Me: I like tea."})),
        ),
        (
            Method::POST,
            format!("{base}/user/memories?uid={uid}"),
            Body::Json(json!({"memories": [{"content": "User likes tea"}]})),
        ),
        (
            Method::GET,
            format!("{base}/conversations?uid={uid}"),
            Body::None,
        ),
        (
            Method::GET,
            format!("{base}/memories?uid={uid}"),
            Body::None,
        ),
    ]
}

/// The six developer routes, each with a body it accepts.
fn developer_routes() -> Vec<(Method, String, Option<Value>)> {
    let one = "/v1/dev/user/memories/mem_xyz789".to_owned();
    vec![
        (Method::GET, "/v1/dev/user/memories".into(), None),
        (
            Method::POST,
            "/v1/dev/user/memories".into(),
            Some(json!({"content": "User likes tea"})),
        ),
        (
            Method::POST,
            "/v1/dev/user/memories/batch".into(),
            Some(json!({"memories": [{"content": "User likes tea"}]})),
        ),
        (Method::GET, one.clone(), None),
        (
            Method::PATCH,
            one.clone(),
            Some(json!({"visibility": "public"})),
        ),
        (Method::DELETE, one, None),
    ]
}

/// Every integration route of `app_id` for `uid`, called with `auth`, answers `status` and
/// `{"detail": detail}`.
async fn check_integration(
    s: &TestServer,
    app_id: &str,
    uid: &str,
    auth: Auth<'_>,
    status: u16,
    detail: &str,
) {
    for (method, path, body) in integration_routes(app_id, uid) {
        let reply = s.call(method.clone(), &path, auth, body).await;
        check(&reply, status, detail, &format!("{method} {path}"));
    }
}

/// Every developer route, called with `auth`, answers `status` and `{"detail": detail}`.
async fn check_developer(s: &TestServer, auth: Auth<'_>, status: u16, detail: &str) {
    for (method, path, body) in developer_routes() {
        let body = body.map_or(Body::None, Body::Json);
        let reply = s.call(method.clone(), &path, auth, body).await;
        check(&reply, status, detail, &format!("{method} {path}"));
    }
}

#[track_caller]
fn check(reply: &Reply, status: u16, detail: &str, what: &str) {
    assert_eq!(
        (reply.status, &reply.body),
        (status, &json!({ "detail": detail })),
        "{what}: {}",
        reply.text
    );
}

#[tokio::test]
async fn integration_calls_without_authorization_are_401() {
    let s = TestServer::start().await;
    check_integration(&s, &s.demo.app_id, &s.demo.uid, Auth::None, 401, MISSING).await;
}

#[tokio::test]
async fn developer_calls_without_authorization_are_401() {
    let s = TestServer::start().await;
    check_developer(&s, Auth::None, 401, INVALID_DEV_KEY).await;
}

/// A body that is not JSON at all, sent as JSON.
fn malformed_body() -> Body {
    Body::Raw {
        content_type: Some("application/json"),
        bytes: b"{not json".to_vec(),
    }
}

#[tokio::test]
async fn the_key_is_checked_before_the_body_is_read() {
    let s = TestServer::start().await;
    let cases = [
        (
            "/v1/dev/user/memories".to_owned(),
            s.demo.dev_key.clone(),
            INVALID_DEV_KEY,
        ),
        (
            s.integration_path("user/memories"),
            s.demo.app_key.clone(),
            MISSING,
        ),
    ];
    for (path, key, refusal) in cases {
        // Without a key: the refusal, as OMI's key dependencies answer before the body.
        let reply = s
            .call(Method::POST, &path, Auth::None, malformed_body())
            .await;
        check(&reply, 401, refusal, &path);
        // With the key: the body's 422.
        let reply = s
            .call(Method::POST, &path, Auth::Bearer(&key), malformed_body())
            .await;
        assert_eq!(reply.status, 422, "{path}: {}", reply.text);
    }
}

#[tokio::test]
async fn the_key_is_checked_before_the_query_string_is_read() {
    let s = TestServer::start().await;
    let bad = "limit=many&offset=-1&categories=bogus&statuses=bogus&start_date=never\
               &include_transcript=maybe&completed=maybe";
    let dev_routes = [
        "/v1/dev/user/memories",
        "/v1/dev/user/conversations",
        "/v1/dev/user/conversations/0",
        "/v1/dev/user/action-items",
    ];
    for route in dev_routes {
        let path = format!("{route}?{bad}");
        let reply = s.call(Method::GET, &path, Auth::None, Body::None).await;
        check(&reply, 401, INVALID_DEV_KEY, &path);
        let reply = s
            .call(
                Method::GET,
                &path,
                Auth::Bearer(&s.demo.dev_key),
                Body::None,
            )
            .await;
        assert!(
            [400, 404, 422].contains(&reply.status),
            "{path}: {}",
            reply.text
        );
    }
    for tail in ["conversations", "memories"] {
        let path = format!("{}&{bad}", s.integration_path(tail));
        let reply = s.call(Method::GET, &path, Auth::None, Body::None).await;
        check(&reply, 401, MISSING, &path);
        let reply = s
            .call(
                Method::GET,
                &path,
                Auth::Bearer(&s.demo.app_key),
                Body::None,
            )
            .await;
        assert_eq!(reply.status, 422, "{path}: {}", reply.text);
    }
}

#[tokio::test]
async fn a_scheme_other_than_bearer_counts_as_no_authorization() {
    let s = TestServer::start().await;
    let basic = format!("Basic {}", s.demo.app_key);
    check_integration(
        &s,
        &s.demo.app_id,
        &s.demo.uid,
        Auth::Header(&basic),
        401,
        MISSING,
    )
    .await;
    check_integration(
        &s,
        &s.demo.app_id,
        &s.demo.uid,
        Auth::Header("Basic xyz"),
        401,
        MISSING,
    )
    .await;
    check_integration(
        &s,
        &s.demo.app_id,
        &s.demo.uid,
        Auth::Header("Bearer"),
        401,
        MISSING,
    )
    .await;
    let basic = format!("Basic {}", s.demo.dev_key);
    check_developer(&s, Auth::Header(&basic), 401, INVALID_DEV_KEY).await;
    check_developer(&s, Auth::Header("Basic xyz"), 401, INVALID_DEV_KEY).await;
}

#[tokio::test]
async fn the_bearer_scheme_is_case_insensitive() {
    let s = TestServer::start().await;
    let header = format!("bearer {}", s.demo.app_key);
    let path = s.integration_path("memories");
    let reply = s
        .call(Method::GET, &path, Auth::Header(&header), Body::None)
        .await;
    reply.expect_status(200);
}

#[tokio::test]
async fn an_unknown_key_is_refused() {
    let s = TestServer::start().await;
    let (app, uid) = (s.demo.app_id.clone(), s.demo.uid.clone());
    check_integration(
        &s,
        &app,
        &uid,
        Auth::Bearer(UNKNOWN_APP_KEY),
        403,
        INVALID_APP_KEY,
    )
    .await;
    check_integration(
        &s,
        &app,
        &uid,
        Auth::Bearer("not-a-key"),
        403,
        INVALID_APP_KEY,
    )
    .await;
    check_developer(&s, Auth::Bearer(UNKNOWN_DEV_KEY), 401, INVALID_DEV_KEY).await;
    check_developer(&s, Auth::Bearer("not-a-key"), 401, INVALID_DEV_KEY).await;
}

#[tokio::test]
async fn keys_of_the_other_api_are_refused() {
    let s = TestServer::start().await;
    let (app, uid) = (s.demo.app_id.clone(), s.demo.uid.clone());
    let dev_key = s.demo.dev_key.clone();
    check_integration(&s, &app, &uid, Auth::Bearer(&dev_key), 403, INVALID_APP_KEY).await;
    let app_key = s.demo.app_key.clone();
    check_developer(&s, Auth::Bearer(&app_key), 401, INVALID_DEV_KEY).await;
}

#[tokio::test]
async fn another_apps_key_is_403_invalid_api_key() {
    let s = TestServer::start().await;
    let (_, other_key) = s.app(Capability::ALL, true).await;
    let (app, uid) = (s.demo.app_id.clone(), s.demo.uid.clone());
    check_integration(
        &s,
        &app,
        &uid,
        Auth::Bearer(&other_key),
        403,
        INVALID_APP_KEY,
    )
    .await;
}

#[tokio::test]
async fn an_unknown_app_is_refused_before_anything_is_revealed() {
    let s = TestServer::start().await;
    let key = s.demo.app_key.clone();
    let uid = s.demo.uid.clone();
    check_integration(
        &s,
        "no-such-app",
        &uid,
        Auth::Bearer(&key),
        403,
        INVALID_APP_KEY,
    )
    .await;
}

#[tokio::test]
async fn an_app_the_user_has_not_enabled_is_403() {
    let s = TestServer::start().await;
    let (app_id, key) = s.app(Capability::ALL, false).await;
    let uid = s.demo.uid.clone();
    check_integration(&s, &app_id, &uid, Auth::Bearer(&key), 403, NOT_ENABLED).await;
    let stranger = s.user("stranger", None).await;
    check_integration(&s, &app_id, &stranger, Auth::Bearer(&key), 403, NOT_ENABLED).await;
    let nobody = "never-created";
    check_integration(&s, &app_id, nobody, Auth::Bearer(&key), 403, NOT_ENABLED).await;
}

#[tokio::test]
async fn an_app_the_user_disabled_is_403_again() {
    let s = TestServer::start().await;
    let (app, uid, key) = (
        s.demo.app_id.clone(),
        s.demo.uid.clone(),
        s.demo.app_key.clone(),
    );
    s.admin
        .set_app_enabled(&uid, &app, false)
        .await
        .expect("disabled");
    check_integration(&s, &app, &uid, Auth::Bearer(&key), 403, NOT_ENABLED).await;
}

#[tokio::test]
async fn an_app_without_the_capability_is_403_naming_it() {
    let s = TestServer::start().await;
    let uid = s.demo.uid.clone();
    let cases = [
        (Capability::CreateConversation, 0, "create conversations"),
        (Capability::CreateMemories, 1, "create memories"),
        (Capability::ReadConversations, 2, "read conversations"),
        (Capability::ReadMemories, 3, "read memories"),
    ];
    for (missing, route, action) in cases {
        let others: Vec<Capability> = Capability::ALL
            .iter()
            .copied()
            .filter(|c| *c != missing)
            .collect();
        let (app_id, key) = s.app(&others, true).await;
        for (i, (method, path, body)) in integration_routes(&app_id, &uid).into_iter().enumerate() {
            let reply = s
                .call(method.clone(), &path, Auth::Bearer(&key), body)
                .await;
            if i == route {
                let detail = format!("App does not have the capability to {action}");
                check(&reply, 403, &detail, &format!("{method} {path}"));
            } else {
                assert_eq!(reply.status, 200, "{method} {path}: {}", reply.text);
            }
        }
    }
}

#[tokio::test]
async fn capability_aliases_create_facts_and_read_facts_grant_memories() {
    let s = TestServer::start().await;
    let aliases: Vec<Capability> = ["create_facts", "read_facts"]
        .iter()
        .map(|a| a.parse().expect("an accepted alias"))
        .collect();
    let (app_id, key) = s.app(&aliases, true).await;
    let uid = s.demo.uid.clone();
    let routes = integration_routes(&app_id, &uid);
    for (i, (method, path, body)) in routes.into_iter().enumerate() {
        let reply = s
            .call(method.clone(), &path, Auth::Bearer(&key), body)
            .await;
        let expected = if i == 1 || i == 3 { 200 } else { 403 };
        assert_eq!(reply.status, expected, "{method} {path}: {}", reply.text);
    }
}

#[tokio::test]
async fn a_developer_key_without_the_scope_is_403_naming_it() {
    let s = TestServer::start().await;
    let uid = s.demo.uid.clone();
    let read_only = s.dev_key(&uid, &[DevScope::MemoriesRead]).await;
    let write_only = s.dev_key(&uid, &[DevScope::MemoriesWrite]).await;
    let neither = s.dev_key(&uid, &[DevScope::ConversationsRead]).await;
    let write = "Insufficient permissions. Required scope: memories:write";
    let read = "Insufficient permissions. Required scope: memories:read";
    for (method, path, body) in developer_routes() {
        let writes = method != Method::GET;
        let body = body.map_or(Body::None, Body::Json);
        let what = format!("{method} {path}");

        let reply = s
            .call(
                method.clone(),
                &path,
                Auth::Bearer(&read_only),
                body.clone(),
            )
            .await;
        if writes {
            check(&reply, 403, write, &what);
        } else {
            assert_ne!(reply.status, 403, "{what}: {}", reply.text);
        }
        let reply = s
            .call(
                method.clone(),
                &path,
                Auth::Bearer(&write_only),
                body.clone(),
            )
            .await;
        if writes {
            assert_ne!(reply.status, 403, "{what}: {}", reply.text);
        } else {
            check(&reply, 403, read, &what);
        }
        let reply = s.call(method, &path, Auth::Bearer(&neither), body).await;
        check(&reply, 403, if writes { write } else { read }, &what);
    }
}

#[tokio::test]
async fn another_users_memory_is_404_and_left_alone() {
    let s = TestServer::start().await;
    let mine = s.dev_memory(json!({"content": "User likes tea"})).await;
    let path = format!("/v1/dev/user/memories/{}", mine["id"].as_str().expect("id"));
    let other = s.user("someone-else", None).await;
    let theirs = s.dev_key(&other, DevScope::ALL).await;

    let get = s
        .call(Method::GET, &path, Auth::Bearer(&theirs), Body::None)
        .await;
    check(&get, 404, MEMORY_NOT_FOUND, "GET");
    let patch = s
        .call(
            Method::PATCH,
            &path,
            Auth::Bearer(&theirs),
            Body::Json(json!({"content": "User hates tea"})),
        )
        .await;
    check(&patch, 404, MEMORY_NOT_FOUND, "PATCH");
    let delete = s
        .call(Method::DELETE, &path, Auth::Bearer(&theirs), Body::None)
        .await;
    check(&delete, 404, MEMORY_NOT_FOUND, "DELETE");
    let list = s
        .call(
            Method::GET,
            "/v1/dev/user/memories",
            Auth::Bearer(&theirs),
            Body::None,
        )
        .await;
    list.expect_status(200);
    assert_eq!(list.body, json!([]), "another user's list is their own");

    let still = s.dev(Method::GET, &path, None).await;
    still.expect_status(200);
    assert_eq!(still.body, mine, "unchanged");
}

#[tokio::test]
async fn another_users_data_is_not_listed_by_the_same_app() {
    let s = TestServer::start().await;
    let app = s.demo.app_id.clone();
    let other = s.user("neighbour", Some(&app)).await;
    s.import_memories(json!({"memories": [{"content": "User likes tea"}]}))
        .await
        .expect_status(200);
    let key = s.demo.app_key.clone();
    let path = format!("/v2/integrations/{app}/memories?uid={other}");
    let reply = s
        .call(Method::GET, &path, Auth::Bearer(&key), Body::None)
        .await;
    reply.expect_status(200);
    assert_eq!(reply.body, json!({"memories": []}));
}

#[tokio::test]
async fn a_revoked_key_is_refused() {
    let s = TestServer::start().await;
    let app = s.demo.app_id.clone();
    let uid = s.demo.uid.clone();
    let app_key = s
        .admin
        .create_app_key(&app)
        .await
        .expect("a second app key");
    let dev_key = s
        .admin
        .create_dev_key(&uid, DevScope::ALL)
        .await
        .expect("a second dev key");
    let path = s.integration_path("memories");
    s.call(Method::GET, &path, Auth::Bearer(&app_key.key), Body::None)
        .await
        .expect_status(200);
    s.call(
        Method::GET,
        "/v1/dev/user/memories",
        Auth::Bearer(&dev_key.key),
        Body::None,
    )
    .await
    .expect_status(200);

    s.admin.revoke_key(&app_key.id).await.expect("revoked");
    s.admin.revoke_key(&dev_key.id).await.expect("revoked");
    check_integration(
        &s,
        &app,
        &uid,
        Auth::Bearer(&app_key.key),
        403,
        INVALID_APP_KEY,
    )
    .await;
    check_developer(&s, Auth::Bearer(&dev_key.key), 401, INVALID_DEV_KEY).await;

    let demo_key = s.demo.app_key.clone();
    s.call(Method::GET, &path, Auth::Bearer(&demo_key), Body::None)
        .await
        .expect_status(200);
}

#[tokio::test]
async fn a_key_disabled_or_revoked_by_another_process_stops_working_within_the_credential_ttl() {
    let mut config = crate::common::test_config();
    config.service.credential_ttl = std::time::Duration::from_millis(300);
    let s = TestServer::start_with(config, std::sync::Arc::new(omi_extract::RulesExtractor)).await;
    // Another process on the same database: a service of its own, with its own cache.
    let store = s.store().clone();
    let other = omi_server::admin::Admin::new(
        omi_server::server::service(store, &omi_server::server::ServerConfig::default())
            .await
            .expect("a second service"),
    );
    let (app, uid) = (s.demo.app_id.clone(), s.demo.uid.clone());
    let dev_key = s
        .admin
        .create_dev_key(&uid, DevScope::ALL)
        .await
        .expect("a second dev key");
    let path = s.integration_path("memories");
    s.call(
        Method::GET,
        &path,
        Auth::Bearer(&s.demo.app_key),
        Body::None,
    )
    .await
    .expect_status(200);
    s.call(
        Method::GET,
        "/v1/dev/user/memories",
        Auth::Bearer(&dev_key.key),
        Body::None,
    )
    .await
    .expect_status(200);

    other.revoke_key(&dev_key.id).await.expect("revoked");
    other
        .set_app_enabled(&uid, &app, false)
        .await
        .expect("disabled");
    crate::common::eventually("the revocation applies", || async {
        let reply = s
            .call(
                Method::GET,
                "/v1/dev/user/memories",
                Auth::Bearer(&dev_key.key),
                Body::None,
            )
            .await;
        (reply.status == 401).then_some(())
    })
    .await;
    crate::common::eventually("the disabling applies", || async {
        let reply = s
            .call(
                Method::GET,
                &path,
                Auth::Bearer(&s.demo.app_key),
                Body::None,
            )
            .await;
        (reply.status == 403 && reply.body == json!({ "detail": NOT_ENABLED })).then_some(())
    })
    .await;
}

/// The credential TTL of the servers of the revocation tests: short, so they wait little.
const SHORT_CREDENTIAL_TTL: std::time::Duration = std::time::Duration::from_millis(400);

/// `GET /v1/dev/user/memories` with `key` on `server`: its status.
async fn dev_list_status(server: &TestServer, key: &str) -> u16 {
    server
        .call(
            Method::GET,
            "/v1/dev/user/memories",
            Auth::Bearer(key),
            Body::None,
        )
        .await
        .status
}

/// Two servers on `a`'s database, each with its own credential cache of
/// [`SHORT_CREDENTIAL_TTL`]: a key both have used and cached is revoked through `a`; `a`
/// refuses it at once, `b` within its TTL.
async fn a_key_revoked_through_one_server_is_refused_by_the_other_within_its_ttl(a: TestServer) {
    let b = a.start_beside(short_ttl()).await;
    let key = a
        .admin
        .create_dev_key(&a.demo.uid, DevScope::ALL)
        .await
        .expect("a second dev key");
    for server in [&a, &b] {
        assert_eq!(dev_list_status(server, &key.key).await, 200, "live");
    }

    a.admin.revoke_key(&key.id).await.expect("revoked");
    assert_eq!(
        dev_list_status(&a, &key.key).await,
        401,
        "at once where revoked"
    );
    // Polled every 50 ms: the other server's cached copy lives at most its TTL.
    let within = SHORT_CREDENTIAL_TTL + std::time::Duration::from_millis(300);
    crate::common::eventually_within("the other server refuses the key", within, || async {
        (dev_list_status(&b, &key.key).await == 401).then_some(())
    })
    .await;
    b.shutdown().await;
    a.shutdown().await;
}

/// A configuration whose credential TTL is [`SHORT_CREDENTIAL_TTL`].
fn short_ttl() -> omi_server::server::ServerConfig {
    let mut config = crate::common::test_config();
    config.service.credential_ttl = SHORT_CREDENTIAL_TTL;
    config
}

#[tokio::test]
async fn a_key_revoked_through_one_sqlite_server_is_refused_by_another_within_its_ttl() {
    let extractor = std::sync::Arc::new(omi_extract::RulesExtractor);
    let a = TestServer::start_with(short_ttl(), extractor).await;
    a_key_revoked_through_one_server_is_refused_by_the_other_within_its_ttl(a).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_revoked_through_one_postgres_server_is_refused_by_another_within_its_ttl() {
    let Some(admin_url) = crate::common::postgres_url("the two-server revocation test") else {
        return;
    };
    let extractor = std::sync::Arc::new(omi_extract::RulesExtractor);
    let (a, scratch) = TestServer::start_on_postgres(short_ttl(), extractor, &admin_url).await;
    a_key_revoked_through_one_server_is_refused_by_the_other_within_its_ttl(a).await;
    drop(scratch);
}

/// Which key a route takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Api {
    Integration,
    Developer,
}

/// A call whose query string is wrong, and what it needs past its key.
struct BadQuery {
    api: Api,
    method: Method,
    path: String,
    body: Body,
    /// What the key needs for this route: a capability's words or a scope.
    needs: Option<&'static str>,
    /// The answer once the credentials pass.
    status: u16,
}

/// Every route that reads a query string, each with a query it refuses. The integration
/// calls without a valid `uid` have no `needs`: the rate limit, the app's enablement and its
/// capabilities are checked for a user, so without one only the key is.
fn bad_queries(app_id: &str, uid: &str) -> Vec<BadQuery> {
    let base = format!("/v2/integrations/{app_id}");
    let bad = |api, method, path: String, body, needs, status| BadQuery {
        api,
        method,
        path,
        body,
        needs,
        status,
    };
    let conversation = || Body::Json(json!({"text": "Me: I like tea."}));
    let memories = || Body::Json(json!({"memories": [{"content": "User likes tea"}]}));
    let (i, d) = (Api::Integration, Api::Developer);
    let (read_c, read_m) = (Some("read conversations"), Some("read memories"));
    vec![
        bad(
            i,
            Method::GET,
            format!("{base}/conversations?uid={uid}&limit=abc"),
            Body::None,
            read_c,
            422,
        ),
        bad(
            i,
            Method::GET,
            format!("{base}/conversations?uid={uid}&statuses=done"),
            Body::None,
            read_c,
            422,
        ),
        bad(
            i,
            Method::GET,
            format!("{base}/conversations?uid="),
            Body::None,
            None,
            422,
        ),
        bad(
            i,
            Method::GET,
            format!("{base}/memories?uid={uid}&offset=x"),
            Body::None,
            read_m,
            422,
        ),
        bad(
            i,
            Method::GET,
            format!("{base}/conversations?limit=10"),
            Body::None,
            None,
            422,
        ),
        bad(
            i,
            Method::GET,
            format!("{base}/memories"),
            Body::None,
            None,
            422,
        ),
        bad(
            i,
            Method::POST,
            format!("{base}/user/conversations"),
            conversation(),
            None,
            422,
        ),
        bad(
            i,
            Method::POST,
            format!("{base}/user/memories"),
            memories(),
            None,
            422,
        ),
        bad(
            d,
            Method::GET,
            "/v1/dev/user/memories?limit=abc".into(),
            Body::None,
            Some("memories:read"),
            422,
        ),
        bad(
            d,
            Method::GET,
            "/v1/dev/user/memories?categories=bogus".into(),
            Body::None,
            Some("memories:read"),
            400,
        ),
        bad(
            d,
            Method::GET,
            "/v1/dev/user/conversations?include_transcript=maybe".into(),
            Body::None,
            Some("conversations:read"),
            422,
        ),
        bad(
            d,
            Method::GET,
            "/v1/dev/user/conversations/conv_1?include_transcript=maybe".into(),
            Body::None,
            Some("conversations:read"),
            422,
        ),
        bad(
            d,
            Method::GET,
            "/v1/dev/user/action-items?completed=maybe".into(),
            Body::None,
            Some("action_items:read"),
            422,
        ),
    ]
}

#[tokio::test]
async fn a_bad_key_is_refused_before_a_bad_query_string() {
    let s = TestServer::start().await;
    for q in bad_queries(&s.demo.app_id, &s.demo.uid) {
        let what = format!("{} {}", q.method, q.path);
        let (none, unknown) = match q.api {
            Api::Integration => ((401, MISSING), (UNKNOWN_APP_KEY, 403, INVALID_APP_KEY)),
            Api::Developer => (
                (401, INVALID_DEV_KEY),
                (UNKNOWN_DEV_KEY, 401, INVALID_DEV_KEY),
            ),
        };
        let reply = s
            .call(q.method.clone(), &q.path, Auth::None, q.body.clone())
            .await;
        check(&reply, none.0, none.1, &what);
        let reply = s
            .call(
                q.method.clone(),
                &q.path,
                Auth::Bearer(unknown.0),
                q.body.clone(),
            )
            .await;
        check(&reply, unknown.1, unknown.2, &what);
    }
}

#[tokio::test]
async fn a_key_without_the_scope_or_capability_is_refused_before_a_bad_query_string() {
    let s = TestServer::start().await;
    let (app_id, app_key) = s.app(&[], true).await;
    let dev_key = s.dev_key(&s.demo.uid, &[DevScope::MemoriesWrite]).await;
    for q in bad_queries(&app_id, &s.demo.uid) {
        let what = format!("{} {}", q.method, q.path);
        let key = match q.api {
            Api::Integration => &app_key,
            Api::Developer => &dev_key,
        };
        let reply = s
            .call(q.method.clone(), &q.path, Auth::Bearer(key), q.body.clone())
            .await;
        match (q.api, q.needs) {
            (Api::Integration, Some(action)) => {
                let detail = format!("App does not have the capability to {action}");
                check(&reply, 403, &detail, &what);
            }
            (Api::Developer, Some(scope)) => {
                let detail = format!("Insufficient permissions. Required scope: {scope}");
                check(&reply, 403, &detail, &what);
            }
            (_, None) => assert_eq!(reply.status, q.status, "{what}: {}", reply.text),
        }
    }
}

#[tokio::test]
async fn a_good_key_gets_the_bad_query_strings_own_answer() {
    let s = TestServer::start().await;
    for q in bad_queries(&s.demo.app_id, &s.demo.uid) {
        let what = format!("{} {}", q.method, q.path);
        let key = match q.api {
            Api::Integration => s.demo.app_key.clone(),
            Api::Developer => s.demo.dev_key.clone(),
        };
        let reply = s
            .call(
                q.method.clone(),
                &q.path,
                Auth::Bearer(&key),
                q.body.clone(),
            )
            .await;
        assert_eq!(reply.status, q.status, "{what}: {}", reply.text);
        if q.status == 422 {
            assert!(reply.body["detail"].is_array(), "{what}: {}", reply.text);
        }
    }
}
