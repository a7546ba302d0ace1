//! Every route, its minimum role, and the router built from them.

use axum::extract::{Request, State};
use axum::http::Method;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse as _, Response};
use axum::routing::{delete, get, post, MethodRouter};
use axum::Router;
use wharf_store::Role;

use crate::{api, auth, health, pages, rejections, ServerState};

/// Access rule of a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone: health checks for load balancers and orchestrators.
    Open,
    /// A JSON route for a token of at least this role; 401 or 403 otherwise.
    Api(Role),
    /// A dashboard page for a session of at least this role; a caller
    /// without one is sent to the sign-in page.
    Page(Role),
    /// The sign-in and sign-out pages themselves.
    SignIn,
}

/// One route of the server.
#[derive(Debug, Clone)]
pub struct Route {
    pub method: Method,
    pub path: &'static str,
    pub access: Access,
}

const fn route(method: Method, path: &'static str, access: Access) -> Route {
    Route {
        method,
        path,
        access,
    }
}

use Access::{Api, Open, Page, SignIn};
use Role::{Admin, Operator, Viewer};

/// Every route the server serves, with its access rule.
pub const ROUTES: &[Route] = &[
    route(Method::GET, "/healthz", Open),
    route(Method::GET, "/readyz", Open),
    route(Method::GET, "/metrics", Api(Viewer)),
    route(Method::GET, "/api/v1/status", Api(Viewer)),
    route(Method::GET, "/api/v1/exceptions", Api(Viewer)),
    route(Method::GET, "/api/v1/exceptions/{id}", Api(Viewer)),
    route(Method::POST, "/api/v1/exceptions/{id}/retry", Api(Operator)),
    route(
        Method::POST,
        "/api/v1/exceptions/{id}/resolve",
        Api(Operator),
    ),
    route(Method::GET, "/api/v1/trace", Api(Viewer)),
    route(Method::POST, "/api/v1/replay", Api(Admin)),
    route(Method::GET, "/api/v1/tokens", Api(Admin)),
    route(Method::POST, "/api/v1/tokens", Api(Admin)),
    route(Method::DELETE, "/api/v1/tokens/{id}", Api(Admin)),
    route(Method::GET, "/login", SignIn),
    route(Method::POST, "/login", SignIn),
    route(Method::POST, "/logout", SignIn),
    route(Method::GET, "/", Page(Viewer)),
    route(Method::GET, "/business", Page(Viewer)),
    route(Method::GET, "/technical", Page(Viewer)),
    route(Method::GET, "/exceptions", Page(Viewer)),
    route(Method::GET, "/exceptions/{id}", Page(Viewer)),
    route(Method::POST, "/exceptions/{id}/retry", Page(Operator)),
    route(Method::POST, "/exceptions/{id}/resolve", Page(Operator)),
    route(Method::GET, "/trace", Page(Viewer)),
];

/// The handler of a route in [`ROUTES`].
fn handler(route: &Route) -> MethodRouter<ServerState> {
    match (route.method.as_str(), route.path) {
        ("GET", "/healthz") => get(health::live),
        ("GET", "/readyz") => get(health::ready),
        ("GET", "/metrics") => get(health::metrics),
        ("GET", "/api/v1/status") => get(api::status),
        ("GET", "/api/v1/exceptions") => get(api::exceptions),
        ("GET", "/api/v1/exceptions/{id}") => get(api::exception),
        ("POST", "/api/v1/exceptions/{id}/retry") => post(api::retry),
        ("POST", "/api/v1/exceptions/{id}/resolve") => post(api::resolve),
        ("GET", "/api/v1/trace") => get(api::trace),
        ("POST", "/api/v1/replay") => post(api::replay),
        ("GET", "/api/v1/tokens") => get(api::tokens),
        ("POST", "/api/v1/tokens") => post(api::create_token),
        ("DELETE", "/api/v1/tokens/{id}") => delete(api::revoke_token),
        ("GET", "/login") => get(pages::sign_in_page),
        ("POST", "/login") => post(pages::sign_in),
        ("POST", "/logout") => post(pages::sign_out),
        ("GET", "/") => get(pages::home),
        ("GET", "/business") => get(pages::business),
        ("GET", "/technical") => get(pages::technical),
        ("GET", "/exceptions") => get(pages::exceptions),
        ("GET", "/exceptions/{id}") => get(pages::exception),
        ("POST", "/exceptions/{id}/retry") => post(pages::retry),
        ("POST", "/exceptions/{id}/resolve") => post(pages::resolve),
        ("GET", "/trace") => get(pages::trace),
        (method, path) => unreachable!("route {method} {path} is listed without a handler"),
    }
}

/// Builds the router: each route with its role check, behind the layer that
/// identifies the caller and the one that sets security headers.
pub fn router(state: ServerState) -> Router {
    let mut router = Router::new();
    for route in ROUTES {
        let method_router = match route.access {
            Access::Open => handler(route),
            Access::SignIn => handler(route).layer(middleware::from_fn(rejections::as_page)),
            Access::Api(role) => handler(route)
                .route_layer(middleware::from_fn_with_state((role, true), check_role))
                .layer(middleware::from_fn(rejections::as_json)),
            Access::Page(role) => handler(route)
                .route_layer(middleware::from_fn_with_state((role, false), check_role))
                .layer(middleware::from_fn(rejections::as_page)),
        };
        router = router.route(route.path, method_router);
    }
    router
        .fallback(rejections::not_found)
        .layer(middleware::from_fn_with_state(
            state.clone(),
            auth::identify,
        ))
        .layer(middleware::from_fn(pages::security_headers))
        .with_state(state)
}

/// Middleware of one route: lets the request through when its caller has
/// `role`, and returns the rejection otherwise.
async fn check_role(
    State((role, api)): State<(Role, bool)>,
    request: Request,
    next: Next,
) -> Response {
    match auth::require(role, &request, api) {
        Ok(_) => next.run(request).await,
        Err(error) => error.into_response(),
    }
}
