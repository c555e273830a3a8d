//! docs/api.md, "The API described": the OpenAPI 3.1 document, made from the handlers' `#[utoipa::path]` attributes,
//! with what attributes cannot say well added here: each operation's error responses, and the
//! exact rules for names and new passwords. `swagger.rs` serves it.

use app::domain::{common_passwords, MAX_NAME_CHARS, MAX_PASSWORD_CHARS, MIN_PASSWORD_CHARS};
use app::error::ErrorCode;
use serde_json::json;
use utoipa::openapi::path::{Operation, PathItem};
use utoipa::openapi::schema::{
    AllOfBuilder, KnownFormat, Object, ObjectBuilder, SchemaFormat, Type,
};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{ContentBuilder, Header, OpenApi, Ref, RefOr, ResponseBuilder, Schema};
use utoipa::{Modify, OpenApi as _};

/// The groups the document sorts operations into.
pub mod tags {
    pub const HEALTH: &str = "health";
    pub const AUTH: &str = "auth";
    pub const SESSIONS: &str = "sessions";
    pub const ACCOUNT: &str = "account";
    pub const KEYS: &str = "keys";
    pub const DOCS: &str = "docs";
}

/// The extension in which an operation lists the error codes of its own (see [`document`]). The
/// handlers' attributes spell it out: `utoipa` takes only a literal there.
const ERROR_CODES: &str = "x-error-codes";
/// The name of the bearer scheme in `components.securitySchemes`, spelled out likewise in each
/// `security(("bearer" = []))`.
const BEARER: &str = "bearer";

#[derive(utoipa::OpenApi)]
#[openapi(
    info(
        title = "Gatehouse",
        description = "Register, log in for a JWT, and open what only a valid token opens; \
            sessions that refresh and end from anywhere; the account over email; public keys \
            for other services. Every error has the shape `ErrorBody`, and each operation lists \
            the codes it can answer, by status (also in `x-error-codes`). Any request may also \
            answer `503 unavailable` when the server is overloaded; a path under `/api` that is \
            not here answers `404 not_found`, and a method a path does not take \
            `405 method_not_allowed`. Bodies are JSON or forms with exactly the fields shown.",
        license(name = "MIT OR Apache-2.0"),
    ),
    tags(
        (name = "auth", description = "Register, log in, the token's user, log out (the seed's flow)."),
        (name = "sessions", description = "Refresh, and the live sessions of a user (docs/api.md, Sessions)."),
        (name = "account", description = "The account, over email (docs/api.md, The account over email)."),
        (name = "keys", description = "Public keys for services that verify Gatehouse's tokens (docs/api.md, Tokens other services verify)."),
        (name = "health", description = "For load balancers."),
        (name = "docs", description = "This document, and the page that renders it."),
    ),
    components(schemas(app::error::ErrorBody)),
    modifiers(&BearerScheme),
)]
struct ApiDoc;

/// `Authorization: Bearer <access token>`, the scheme of every operation that needs a token.
struct BearerScheme;

impl Modify for BearerScheme {
    fn modify(&self, openapi: &mut OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            BEARER,
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .description(Some("An access token from login or refresh."))
                    .build(),
            ),
        );
    }
}

/// The whole document: the `paths` the routers collected, under [`ApiDoc`]'s info, tags and
/// schemes, with every operation's error responses written out by [`describe_errors`].
pub fn document(paths: OpenApi) -> OpenApi {
    let mut document = ApiDoc::openapi().merge_from(paths);
    for item in document.paths.paths.values_mut() {
        for operation in operations(item) {
            sent_bodies_are_objects(operation);
            describe_errors(operation);
        }
    }
    document
}

fn operations(item: &mut PathItem) -> impl Iterator<Item = &mut Operation> {
    [
        &mut item.get,
        &mut item.put,
        &mut item.post,
        &mut item.delete,
        &mut item.patch,
        &mut item.head,
        &mut item.options,
        &mut item.trace,
    ]
    .into_iter()
    .flatten()
}

/// `Option<T>` as a body means that it may be left out, but utoipa also makes its schema nullable:
/// a body that is sent must be the object (`null` is refused with `400`).
fn sent_bodies_are_objects(operation: &mut Operation) {
    let Some(body) = &mut operation.request_body else {
        return;
    };
    for content in body.content.values_mut() {
        if let Some(RefOr::T(Schema::OneOf(one_of))) = &content.schema {
            let object = one_of
                .items
                .iter()
                .find(|item| matches!(item, RefOr::Ref(_)))
                .cloned();
            if object.is_some() {
                content.schema = object;
            }
        }
    }
}

/// An operation's error responses, from the codes it lists in [`ERROR_CODES`] and two rules
/// that hold by construction: every body goes through `ApiBody` (JSON or a form; `400`, `413`,
/// `415`), and every operation with the bearer scheme through `AuthUser` (`401`). One response per
/// status, whose schema admits exactly that status's codes, so a client (and schemathesis) can
/// tell a wrong code from a right one.
fn describe_errors(operation: &mut Operation) {
    let extensions = operation.extensions.get_or_insert_with(Default::default);
    let mut codes: Vec<ErrorCode> = extensions
        .get(ERROR_CODES)
        .map(|listed| {
            serde_json::from_value(listed.clone()).expect("x-error-codes holds ErrorCode values")
        })
        .unwrap_or_default();
    if let Some(body) = &mut operation.request_body {
        codes.extend([
            ErrorCode::BadRequest,
            ErrorCode::UnsupportedMediaType,
            ErrorCode::PayloadTooLarge,
        ]);
        if let Some(json) = body.content.get("application/json").cloned() {
            body.content
                .insert("application/x-www-form-urlencoded".into(), json);
        }
    }
    if operation.security.as_ref().is_some_and(|s| !s.is_empty()) {
        codes.extend([ErrorCode::MissingToken, ErrorCode::InvalidToken]);
    }
    codes.sort_by_key(|code| (code.status(), code_name(*code)));
    codes.dedup();
    extensions.insert(ERROR_CODES.into(), json!(codes));
    for same_status in codes.chunk_by(|a, b| a.status() == b.status()) {
        let status = same_status[0].status();
        operation
            .responses
            .responses
            .insert(status.to_string(), error_response(same_status).into());
    }
}

fn code_name(code: ErrorCode) -> String {
    json!(code).as_str().unwrap_or_default().to_owned()
}

/// One status's error response: `ErrorBody` with `code` one of `codes`, and the status's headers.
fn error_response(codes: &[ErrorCode]) -> utoipa::openapi::Response {
    let names: Vec<String> = codes.iter().map(|code| code_name(*code)).collect();
    let code = ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(names.clone()));
    let error = ObjectBuilder::new().property("code", code).required("code");
    let schema = AllOfBuilder::new()
        .item(Ref::from_schema_name("ErrorBody"))
        .item(
            ObjectBuilder::new()
                .property("error", error)
                .required("error"),
        );
    let description = codes
        .iter()
        .zip(&names)
        .map(|(code, name)| format!("`{name}`: {}", meaning(*code)))
        .collect::<Vec<_>>()
        .join(" ");
    let mut response = ResponseBuilder::new().description(description).content(
        "application/json",
        ContentBuilder::new().schema(Some(schema)).build(),
    );
    let text = || ObjectBuilder::new().schema_type(Type::String);
    let seconds = || {
        ObjectBuilder::new()
            .schema_type(Type::Integer)
            .minimum(Some(0))
    };
    match codes[0].status() {
        401 => {
            response = response.header(
                "WWW-Authenticate",
                Header::builder()
                    .schema(text())
                    .description(Some(
                        "`Bearer`, with `error=\"invalid_token\"` when a token was sent (RFC 6750).",
                    ))
                    .build(),
            );
        }
        429 | 503 => {
            response = response.header(
                "Retry-After",
                Header::builder()
                    .schema(seconds())
                    .description(Some("Seconds to wait before trying again."))
                    .build(),
            );
        }
        _ => {}
    }
    response.build()
}

/// What each code means, in the document's words.
fn meaning(code: ErrorCode) -> &'static str {
    match code {
        ErrorCode::ValidationFailed => {
            "a field is missing or not valid; `fields` says which and why."
        }
        ErrorCode::EmailTaken => "an account already has this email address.",
        ErrorCode::BadRequest => "the body is not the JSON or form it should be.",
        ErrorCode::UnsupportedMediaType => {
            "the body is neither `application/json` nor `application/x-www-form-urlencoded`."
        }
        ErrorCode::PayloadTooLarge => "the body is over 16 KiB.",
        ErrorCode::InvalidCredentials => "wrong email or password (the same answer for both).",
        ErrorCode::RateLimited => {
            "too many requests from this address, or too many failed logins for this account."
        }
        ErrorCode::MissingToken => "no `Authorization: Bearer` token.",
        ErrorCode::InvalidToken => {
            "the token is refused: bad signature, expired, or its session has ended."
        }
        ErrorCode::NotFound => "there is nothing here.",
        ErrorCode::MethodNotAllowed => "this path does not take this method.",
        ErrorCode::Unavailable => "the server or its database cannot answer now; try again.",
        ErrorCode::Internal => "something went wrong on the server.",
        ErrorCode::InvalidLink => "the link is unknown, already used, or expired.",
    }
}

/// A name as `UserName::parse` takes it, exactly: around any white space, 1 to 100 characters
/// that are neither control nor bidirectional-format characters, the first and last not spaces.
pub fn name_schema() -> Object {
    // What `str::trim` removes (Unicode White_Space), spelled out: `\s` differs between engines.
    let space = r"\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000";
    let refused = r"\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069";
    let middle = MAX_NAME_CHARS - 2;
    ObjectBuilder::new()
        .schema_type(Type::String)
        .pattern(Some(format!(
            "^[{space}]*[^{space}{refused}](?:[^{refused}]{{0,{middle}}}[^{space}{refused}])?[{space}]*$"
        )))
        .description(Some(
            "1 to 100 characters once trimmed; no control or bidirectional-format characters.",
        ))
        .build()
}

/// A new password as `Password::parse` takes it: 8 to 128 characters, and none of the common
/// passwords in any case (a lookahead, since JSON Schema has no case-insensitive match).
pub fn new_password_schema() -> Object {
    let common: Vec<String> = common_passwords()
        .map(|word| {
            word.chars()
                .map(|c| match c {
                    'a'..='z' => format!("[{c}{}]", c.to_ascii_uppercase()),
                    '0'..='9' | 'A'..='Z' => c.to_string(),
                    other => format!("\\u{:04x}", u32::from(other)),
                })
                .collect()
        })
        .collect();
    ObjectBuilder::new()
        .schema_type(Type::String)
        .format(Some(SchemaFormat::KnownFormat(KnownFormat::Password)))
        .min_length(Some(MIN_PASSWORD_CHARS))
        .max_length(Some(MAX_PASSWORD_CHARS))
        .pattern(Some(format!(r"^(?!(?:{})(?![\s\S]))", common.join("|"))))
        .description(Some(
            "8 to 128 characters (not bytes), and not one of the common passwords, in any case.",
        ))
        .build()
}
