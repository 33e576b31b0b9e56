//! The OpenAPI document at `/api/openapi.json`, and a viewer at `/api/docs` served from
//! vendored files (nothing is loaded from outside).

use axum::Router;
use axum::http::header;
use axum::response::{Html, IntoResponse};
use axum::routing::get;
use utoipa::OpenApi;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};

use crate::api::{accounts, contacts, contracts, dto, organizations, queues, tickets, transfer};
use crate::app::AppState;

#[derive(OpenApi)]
#[openapi(
    info(title = "Varde API", description = "The customer database, accounts and access of Varde. Every route needs `Authorization: Bearer <token>` (or a browser session with an `X-CSRF-Token` header for changes). Errors are `{\"error\": {\"code\", \"message\", \"fields\"}}`."),
    paths(
        organizations::list, organizations::create, organizations::read, organizations::update, organizations::delete,
        organizations::entitlements, organizations::audit,
        contacts::list, contacts::create, contacts::read, contacts::update, contacts::delete,
        contracts::list, contracts::create, contracts::read, contracts::replace, contracts::delete, contracts::products,
        accounts::me, accounts::list_users, accounts::create_user, accounts::list_tokens, accounts::create_token, accounts::revoke_token,
        transfer::export, transfer::import,
        tickets::search, tickets::create, tickets::read, tickets::update, tickets::reply, tickets::comment,
        tickets::phone_call, tickets::history, tickets::merge, tickets::link,
        queues::list, queues::create, queues::set_custom_fields, queues::on_call, queues::set_on_call,
    ),
    components(schemas(dto::ErrorBody, dto::ErrorDetail)),
    modifiers(&BearerAuth),
    security(("bearer" = []))
)]
pub struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/api/openapi.json",
            get(|| async { axum::Json(ApiDoc::openapi()) }),
        )
        .route("/api/docs", get(viewer))
        .route(
            "/assets/swagger-ui.css",
            get(|| async { ([(header::CONTENT_TYPE, "text/css")], SWAGGER_CSS) }),
        )
        .route(
            "/assets/swagger-init.js",
            get(|| async {
                (
                    [(header::CONTENT_TYPE, "text/javascript")],
                    include_str!("../assets/swagger-init.js"),
                )
            }),
        )
        .route(
            "/assets/swagger-ui-bundle.js",
            get(|| async { ([(header::CONTENT_TYPE, "text/javascript")], SWAGGER_JS) }),
        )
}

const SWAGGER_CSS: &str = include_str!("../assets/vendor/swagger-ui.css");
const SWAGGER_JS: &str = include_str!("../assets/vendor/swagger-ui-bundle.js");

async fn viewer() -> impl IntoResponse {
    Html(
        r##"<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Varde API</title>
<link rel="stylesheet" href="/assets/swagger-ui.css"></head><body><div id="ui"></div>
<script src="/assets/swagger-ui-bundle.js"></script>
<script src="/assets/swagger-init.js"></script></body></html>"##,
    )
}
