//! docs/api.md, "The API described": the OpenAPI document describes every route the router has, with the contract's
//! statuses and error codes; `/api/docs` renders it from this server's own files under a CSP.

use crate::helpers::{assert_error, spawn_app};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::LazyLock;

/// The routes of a router, path to methods, read from its `Debug` output: axum has no other way
/// to list them. `Node { paths: {RouteId(3): "/api/me", …} }` names each route's path, and
/// `RouteId(3): MethodRouter(MethodRouter { get: …, head: None, … })` its methods.
fn routes_of(router: &axum::Router) -> BTreeMap<String, BTreeSet<String>> {
    let text = format!("{router:?}");
    let path_router = &text[..text
        .find("fallback_router")
        .expect("axum's Router Debug names its fallback router")];
    let mut endpoints: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut paths: BTreeMap<String, String> = BTreeMap::new();
    let mut rest = path_router;
    while let Some(at) = rest.find("RouteId(") {
        rest = &rest[at + "RouteId(".len()..];
        let id: String = rest.chars().take_while(char::is_ascii_digit).collect();
        let after = &rest[id.len()..];
        if let Some(methods) = after.strip_prefix("): MethodRouter(MethodRouter { ") {
            let fields = &methods[..methods.find("fallback:").expect("a MethodRouter")];
            let set = fields
                .split(", ")
                .filter_map(|field| field.split_once(": "))
                .filter(|(_, value)| *value != "None")
                .map(|(method, _)| method.to_uppercase())
                .collect();
            endpoints.insert(id, set);
        } else if let Some(quoted) = after.strip_prefix("): \"") {
            let path = &quoted[..quoted.find('"').expect("a quoted path")];
            paths.insert(id, path.to_owned());
        }
    }
    let routes: BTreeMap<String, BTreeSet<String>> = paths
        .into_iter()
        .map(|(id, path)| (path, endpoints.remove(&id).unwrap_or_default()))
        .collect();
    // If axum's Debug output changes, say so here rather than compare nothing.
    assert_eq!(
        routes
            .get("/api/me")
            .map(|m| m.iter().cloned().collect::<Vec<_>>()),
        Some(vec!["GET".to_owned()]),
        "the router's routes could not be read: {routes:?}"
    );
    routes
}

/// The document's operations, path to methods.
fn operations_of(document: &Value) -> BTreeMap<String, BTreeSet<String>> {
    const METHODS: [&str; 8] = [
        "get", "put", "post", "delete", "patch", "head", "options", "trace",
    ];
    document["paths"]
        .as_object()
        .expect("paths")
        .iter()
        .map(|(path, item)| {
            let methods = METHODS
                .iter()
                .filter(|m| item.get(**m).is_some())
                .map(|m| m.to_uppercase())
                .collect();
            (path.clone(), methods)
        })
        .collect()
}

async fn document(app: &crate::helpers::TestApp) -> Value {
    let response = app.api.get("/api/openapi.json").await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "application/json");
    response.json().await.expect("a JSON document")
}

#[tokio::test]
async fn the_document_describes_every_route_the_router_has_and_nothing_else() {
    let app = spawn_app().await;
    let document = document(&app).await;
    let documented = operations_of(&document);
    let routed = routes_of(&gatehouse::router(app.state.clone()));

    // The web app's pages and its server functions are not the JSON API; every other route is.
    let pages: BTreeSet<String> = leptos_axum::generate_route_list(app::App)
        .iter()
        .map(|route| route.path().to_owned())
        .collect();
    assert!(pages.contains("/dashboard"), "{pages:?}");
    let mut api = BTreeMap::new();
    for (path, methods) in routed {
        if path.starts_with("/rpc/") {
            continue;
        }
        if pages.contains(&path) {
            let page_methods: BTreeSet<String> = ["GET", "POST"].map(String::from).into();
            assert!(methods.is_subset(&page_methods), "{path}: {methods:?}");
            continue;
        }
        api.insert(path, methods);
    }
    assert_eq!(
        api, documented,
        "every route outside the pages is in the document, with the same methods, and the other way round"
    );
    for path in [
        "/healthz",
        "/.well-known/jwks.json",
        "/api/auth/register",
        "/api/sessions/{id}",
        "/api/docs",
    ] {
        assert!(documented.contains_key(path), "{path}");
    }
}

#[tokio::test]
async fn the_document_is_openapi_3_1_with_the_error_shape_and_the_bearer_scheme() {
    let app = spawn_app().await;
    let document = document(&app).await;
    assert_eq!(document["openapi"], "3.1.0");
    assert_eq!(document["info"]["title"], "Gatehouse");

    let bearer = &document["components"]["securitySchemes"]["bearer"];
    assert_eq!(bearer["type"], "http");
    assert_eq!(bearer["scheme"], "bearer");
    assert_eq!(bearer["bearerFormat"], "JWT");

    // The error shape: {"error": {"code", "message", "fields"?}}, every code of the contract.
    let schemas = &document["components"]["schemas"];
    assert_eq!(
        schemas["ErrorBody"]["required"],
        serde_json::json!(["error"])
    );
    let error = &schemas["ApiError"];
    assert_eq!(error["required"], serde_json::json!(["code", "message"]));
    assert!(error["properties"]["fields"].is_object());
    let codes: BTreeSet<&str> = schemas["ErrorCode"]["enum"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    let contract: BTreeSet<&str> = [
        "validation_failed",
        "email_taken",
        "bad_request",
        "unsupported_media_type",
        "payload_too_large",
        "invalid_credentials",
        "rate_limited",
        "missing_token",
        "invalid_token",
        "not_found",
        "method_not_allowed",
        "unavailable",
        "internal",
        "invalid_link",
    ]
    .into();
    assert_eq!(codes, contract);

    // USER.
    let user = &schemas["User"];
    let fields: BTreeSet<&str> = user["properties"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        fields,
        ["id", "name", "email", "email_verified", "created_at"].into()
    );
    assert_eq!(user["properties"]["id"]["format"], "uuid");
    assert_eq!(user["properties"]["created_at"]["format"], "date-time");
}

/// docs/api.md, row by row: method, path, success status, whether it needs a
/// token, and the error codes it can answer.
const CONTRACT: &[(&str, &str, u16, bool, &[&str])] = &[
    ("get", "/healthz", 200, false, &["unavailable"]),
    ("get", "/api/public", 200, false, &[]),
    (
        "post",
        "/api/auth/register",
        201,
        false,
        &[
            "validation_failed",
            "email_taken",
            "bad_request",
            "unsupported_media_type",
            "payload_too_large",
            "rate_limited",
        ],
    ),
    (
        "post",
        "/api/auth/login",
        200,
        false,
        &[
            "invalid_credentials",
            "validation_failed",
            "bad_request",
            "unsupported_media_type",
            "payload_too_large",
            "rate_limited",
            "unavailable",
        ],
    ),
    (
        "get",
        "/api/me",
        200,
        true,
        &["missing_token", "invalid_token"],
    ),
    (
        "post",
        "/api/auth/logout",
        204,
        true,
        &["missing_token", "invalid_token", "validation_failed"],
    ),
    (
        "post",
        "/api/auth/refresh",
        200,
        false,
        &[
            "invalid_token",
            "bad_request",
            "unsupported_media_type",
            "payload_too_large",
            "rate_limited",
        ],
    ),
    (
        "get",
        "/api/sessions",
        200,
        true,
        &["missing_token", "invalid_token"],
    ),
    (
        "delete",
        "/api/sessions/{id}",
        204,
        true,
        &["missing_token", "invalid_token", "not_found"],
    ),
    (
        "post",
        "/api/auth/verify-email",
        200,
        false,
        &["invalid_link", "email_taken", "rate_limited"],
    ),
    (
        "post",
        "/api/auth/verify-email/resend",
        202,
        true,
        &["missing_token", "invalid_token"],
    ),
    (
        "post",
        "/api/auth/password/forgot",
        202,
        false,
        &["validation_failed", "bad_request", "rate_limited"],
    ),
    (
        "post",
        "/api/auth/password/reset",
        204,
        false,
        &["invalid_link", "validation_failed", "rate_limited"],
    ),
    (
        "patch",
        "/api/account",
        200,
        true,
        &["missing_token", "invalid_token", "validation_failed"],
    ),
    (
        "post",
        "/api/account/password",
        204,
        true,
        &["invalid_credentials", "validation_failed", "rate_limited"],
    ),
    (
        "post",
        "/api/account/email",
        202,
        true,
        &["invalid_credentials", "email_taken", "validation_failed"],
    ),
    (
        "delete",
        "/api/account",
        204,
        true,
        &["invalid_credentials", "validation_failed"],
    ),
    ("get", "/.well-known/jwks.json", 200, false, &[]),
];

#[tokio::test]
async fn every_operation_lists_the_contracts_statuses_and_error_codes() {
    let app = spawn_app().await;
    let document = document(&app).await;
    let status_of = |code: &str| match code {
        "bad_request" | "invalid_link" => "400",
        "invalid_credentials" | "missing_token" | "invalid_token" => "401",
        "not_found" => "404",
        "email_taken" => "409",
        "payload_too_large" => "413",
        "unsupported_media_type" => "415",
        "validation_failed" => "422",
        "rate_limited" => "429",
        "unavailable" => "503",
        other => panic!("{other} is not an error of these rows"),
    };
    for (method, path, success, needs_token, codes) in CONTRACT {
        let operation = &document["paths"][path][method];
        assert!(operation.is_object(), "{method} {path} is described");
        let responses = &operation["responses"];
        assert!(
            responses[success.to_string()].is_object(),
            "{method} {path}: {success}"
        );
        let security = operation["security"].to_string();
        assert_eq!(
            security.contains("bearer"),
            *needs_token,
            "{method} {path}: {security}"
        );
        for code in *codes {
            let response = &responses[status_of(code)];
            // The response's schema narrows ErrorBody's code to that status's codes.
            assert!(
                allowed_codes(response).iter().any(|c| c == code),
                "{method} {path}: {code} in {response}"
            );
            assert!(
                operation["x-error-codes"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|c| c == code),
                "{method} {path}: {code} in x-error-codes"
            );
        }
        if responses["401"].is_object() {
            assert!(responses["401"]["headers"]["WWW-Authenticate"].is_object());
        }
        if responses["429"].is_object() {
            assert!(responses["429"]["headers"]["Retry-After"].is_object());
        }
        // Every body may be JSON or a form.
        if let Some(content) = operation["requestBody"]["content"].as_object() {
            assert!(content.contains_key("application/json"), "{method} {path}");
            assert!(
                content.contains_key("application/x-www-form-urlencoded"),
                "{method} {path}"
            );
        }
    }
    // Refresh and logout may come with no body at all.
    for path in ["/api/auth/refresh", "/api/auth/logout"] {
        assert_ne!(
            document["paths"][path]["post"]["requestBody"]["required"], true,
            "{path}"
        );
    }
    assert_eq!(
        document["paths"]["/api/auth/register"]["post"]["requestBody"]["required"],
        true
    );
}

/// The codes an error response's schema admits (its `allOf` narrows `ErrorBody`'s `code`).
fn allowed_codes(response: &Value) -> Vec<String> {
    response["content"]["application/json"]["schema"]["allOf"][1]["properties"]["error"]
        ["properties"]["code"]["enum"]
        .as_array()
        .map(|codes| {
            codes
                .iter()
                .map(|c| c.as_str().unwrap().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn every_documented_error_response_is_what_the_server_answers() {
    // A few answers checked against the document's own words for them.
    let app = spawn_app().await;
    let document = document(&app).await;
    let codes = |path: &str, method: &str, status: &str| {
        allowed_codes(&document["paths"][path][method]["responses"][status])
    };
    let body = assert_error(app.api.get("/api/me").await, 401, "missing_token").await;
    assert!(codes("/api/me", "get", "401")
        .contains(&body["error"]["code"].as_str().unwrap().to_owned()));
    let response = app
        .api
        .post_json(
            "/api/auth/register",
            &serde_json::json!({"name": "", "email": "x", "password": "1"}),
        )
        .await;
    let body = assert_error(response, 422, "validation_failed").await;
    assert_eq!(
        codes("/api/auth/register", "post", "422"),
        ["validation_failed"]
    );
    assert!(body["error"]["fields"].is_object());
}

#[tokio::test]
async fn every_body_refuses_what_is_not_an_object_of_the_documented_fields() {
    let app = spawn_app().await;
    let user = app.api.signed_in_user().await;
    let document = document(&app).await;
    let mut bodies = 0;
    for (path, item) in document["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let Some(content) = operation["requestBody"]["content"].as_object() else {
                continue;
            };
            let schema = &content["application/json"]["schema"]["$ref"];
            let name = schema.as_str().unwrap().rsplit('/').next().unwrap();
            assert_eq!(
                document["components"]["schemas"][name]["additionalProperties"], false,
                "{method} {path}: {name}"
            );
            let url = app
                .api
                .url(&path.replace("{id}", "00000000-0000-4000-8000-000000000000"));
            let method: reqwest::Method = method.to_uppercase().parse().unwrap();
            // A field the operation does not take, and JSON that is not an object at all (serde
            // alone would read a struct from an array).
            for (content_type, body) in [
                ("application/json", r#"{"unexpected": "1"}"#),
                ("application/x-www-form-urlencoded", "unexpected=1"),
                ("application/json", "[]"),
                (
                    "application/json",
                    r#"["Ann", "ann@example.com", "correct horse 1"]"#,
                ),
                ("application/json", " null"),
            ] {
                let response = app
                    .http
                    .request(method.clone(), &url)
                    .bearer_auth(&user.token)
                    .header("content-type", content_type)
                    .body(body)
                    .send()
                    .await
                    .unwrap();
                assert_error(response, 400, "bad_request").await;
            }
            bodies += 1;
        }
    }
    assert_eq!(bodies, 11, "every operation with a body was tried");
    // And none of that ended the session.
    assert_eq!(app.api.me(&user.token).await.status(), 200);
}

/// A property's `pattern`, `minLength` and `maxLength` as one check, in characters.
fn admits(property: &Value) -> impl Fn(&str) -> bool {
    let pattern = fancy_regex::Regex::new(property["pattern"].as_str().unwrap()).unwrap();
    let min = property["minLength"].as_u64().unwrap_or(0) as usize;
    let max = property["maxLength"]
        .as_u64()
        .map_or(usize::MAX, |max| max as usize);
    move |text| {
        let chars = text.chars().count();
        (min..=max).contains(&chars) && pattern.is_match(text).unwrap()
    }
}

/// `RegisterRequest`'s properties in the document, made once for every test and proptest case.
static REGISTER_PROPERTIES: LazyLock<Value> = LazyLock::new(|| {
    let document = serde_json::to_value(gatehouse::api::document()).unwrap();
    document["components"]["schemas"]["RegisterRequest"]["properties"].clone()
});

#[test]
fn the_documented_password_rule_is_the_servers() {
    let admits = admits(&REGISTER_PROPERTIES["password"]);
    let listed: Vec<String> = app::domain::common_passwords()
        .flat_map(|word| [word.to_owned(), word.to_ascii_uppercase()])
        .collect();
    assert!(listed.len() > 100);
    let samples = listed.iter().map(String::as_str).chain([
        "correct horse battery staple",
        "password1234",
        "Pässwörd123",
        "short",
        "12345678",
        "exactly8",
        "\u{0}\u{1}\u{2}\u{3}\u{4}\u{5}\u{6}\u{7}",
    ]);
    for sample in samples {
        assert_eq!(
            admits(sample),
            app::domain::Password::parse(sample.into()).is_ok(),
            "{sample:?}"
        );
    }
}

#[test]
fn the_documented_name_rule_is_the_servers() {
    let admits = admits(&REGISTER_PROPERTIES["name"]);
    for sample in [
        "Ada Lovelace",
        "  Ada  ",
        "\tAda\n",
        "Ada\tLovelace",
        "\u{85}Ada\u{2028}",
        "A",
        "",
        "   ",
        "\t\n",
        "Ada\u{0}",
        "Ada\u{7f}",
        "Ada\u{85}",
        "\u{202e}Ada",
        "Ada\u{2066}",
        "Ada\u{200d}Lovelace",
        "زهرا\u{200c}",
        "😀",
        &"x".repeat(100),
        &"x".repeat(101),
        &format!(" {} ", "x".repeat(100)),
        &format!("x{}x", " ".repeat(98)),
    ] {
        assert_eq!(
            admits(sample),
            app::domain::UserName::parse(sample).is_ok(),
            "{sample:?}"
        );
    }
}

proptest::proptest! {
    #[test]
    fn any_name_the_document_admits_the_server_takes(name in "\\PC{0,3}[\\s\\S]{0,5}") {
        let admits = admits(&REGISTER_PROPERTIES["name"]);
        proptest::prop_assert_eq!(admits(&name), app::domain::UserName::parse(&name).is_ok(), "{:?}", name);
    }
}

#[tokio::test]
async fn the_docs_page_loads_only_its_own_files_under_a_nonce_csp() {
    let app = spawn_app().await;
    let response = app.api.get("/api/docs").await;
    assert_eq!(response.status(), 200);
    assert!(response.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    let policy = response.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    let html = response.text().await.unwrap();

    let script_src = policy
        .split(';')
        .map(str::trim)
        .find(|d| d.starts_with("script-src"))
        .expect("a script-src");
    assert!(!script_src.contains("unsafe-inline"), "{policy}");
    assert!(!script_src.contains("unsafe-eval"), "{policy}");
    assert!(policy.contains("default-src 'none'"), "{policy}");
    let nonce = script_src
        .split('\'')
        .find_map(|part| part.strip_prefix("nonce-"))
        .expect("a nonce");
    assert!(nonce.len() >= 16, "{nonce}");

    // Every script carries the nonce and comes from this server, as does every other file.
    let scripts: Vec<&str> = html.split("<script").skip(1).collect();
    assert_eq!(scripts.len(), 3, "{html}");
    for script in &scripts {
        assert!(script.contains(&format!("nonce=\"{nonce}\"")), "{script}");
        assert!(script.contains("src=\"/api/docs/"), "{script}");
    }
    let files: Vec<&str> = html
        .split(['"'])
        .filter(|part| part.starts_with("/api/docs/"))
        .collect();
    assert!(files.len() >= 5, "{files:?}");
    for file in files {
        let asset = app.api.get(file).await;
        assert_eq!(asset.status(), 200, "{file}");
        assert!(asset.headers().contains_key("content-type"));
        let bytes = asset.bytes().await.unwrap();
        assert!(!bytes.is_empty(), "{file}");
    }
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "{html}"
    );

    // Swagger UI is pointed at this server's document.
    let initializer = app
        .api
        .get("/api/docs/swagger-initializer.js")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        initializer.contains("\"/api/openapi.json\""),
        "{initializer}"
    );

    // A second page gets a fresh nonce.
    let again = app.api.get("/api/docs").await;
    assert!(!again.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .contains(nonce));
}

#[tokio::test]
async fn the_docs_serve_nothing_but_swagger_uis_files() {
    let app = spawn_app().await;
    // Its HTML pages would come without the page's CSP; the rest is not needed.
    for file in [
        "index.html",
        "oauth2-redirect.html",
        "swagger-ui-bundle.js.map",
        "..%2FCargo.toml",
        "nothing",
    ] {
        assert_error(
            app.api.get(&format!("/api/docs/{file}")).await,
            404,
            "not_found",
        )
        .await;
    }
}

#[tokio::test]
async fn the_home_page_links_to_the_docs() {
    let app = spawn_app().await;
    let html = app.api.get("/").await.text().await.unwrap();
    assert!(html.contains("href=\"/api/docs\""), "{html}");
}

#[tokio::test]
async fn a_logout_scope_is_one_of_the_documented_strings_or_left_out() {
    let app = spawn_app().await;
    let document = document(&app).await;
    let scope = &document["components"]["schemas"]["LogoutRequest"]["properties"]["scope"];
    assert_eq!(
        scope["enum"],
        serde_json::json!(["local", "others", "global"])
    );
    let user = app.api.signed_in_user().await;
    let logout = |body: &'static str, content_type: &'static str| {
        app.http
            .post(app.api.url("/api/auth/logout"))
            .bearer_auth(&user.token)
            .header("content-type", content_type)
            .body(body)
            .send()
    };
    let null = logout(r#"{"scope": null}"#, "application/json")
        .await
        .unwrap();
    assert_error(null, 400, "bad_request").await;
    let named_null = logout("scope=null", "application/x-www-form-urlencoded")
        .await
        .unwrap();
    assert_error(named_null, 422, "validation_failed").await;
    // None of these ended the session; an empty object is the default scope, which does.
    assert_eq!(app.api.me(&user.token).await.status(), 200);
    assert_eq!(
        logout("{}", "application/json").await.unwrap().status(),
        204
    );
    crate::helpers::assert_invalid_token(app.api.me(&user.token).await).await;
}
