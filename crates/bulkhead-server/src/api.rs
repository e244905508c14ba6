//! The HTTP endpoints: Harbor's Pluggable Scanner API v1.2 under
//! `/api/v1`, the probes and `/metrics`. Handlers parse, ask the
//! [`Backend`], and render; rendering a large report runs on the blocking
//! pool like the scans themselves.

use crate::backend::{Backend, BackendError, ReportState, Stored};
use crate::media::{self, Negotiated, ReportKind};
use crate::request::{CONSUMES, RequestError, VULN_PRODUCES, parse_scan_request};
use crate::{ServerConfig, metrics};
use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::rejection::QueryRejection;
use axum::extract::{OriginalUri, Path, Query, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use bulkhead_report::WriteOptions;
use bulkhead_report::harbor::{self, SBOM_REPORT, SbomMediaType};
use serde::Deserialize;
use serde_json::json;
use std::sync::Arc;

#[derive(Clone)]
struct AppState {
    backend: Arc<dyn Backend>,
    cfg: Arc<ServerConfig>,
}

/// The whole application.
pub fn router(backend: Arc<dyn Backend>, cfg: ServerConfig) -> Router {
    let state = AppState {
        backend,
        cfg: Arc::new(cfg),
    };
    let api = Router::new()
        .route("/metadata", get(metadata))
        .route("/scan", post(scan))
        .route("/scan/{id}/report", get(report))
        .route_layer(middleware::from_fn_with_state(state.clone(), require_token));
    Router::new()
        .nest("/api/v1", api)
        .route("/probe/healthy", get(healthy))
        .route("/probe/ready", get(ready))
        .route("/metrics", get(prometheus))
        .fallback(not_found)
        .layer(middleware::from_fn(log_request))
        .with_state(state)
}

/// A JSON body with its media type. Written through
/// `bulkhead_types::text::to_json_pretty` like every JSON document.
fn json_response(
    status: StatusCode,
    media_type: &'static str,
    value: &impl serde::Serialize,
) -> Response {
    match bulkhead_types::text::to_json_pretty(value) {
        Ok(body) => (status, [(header::CONTENT_TYPE, media_type)], body).into_response(),
        Err(e) => error(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("cannot serialise the response: {e}"),
        ),
    }
}

/// The spec's error document (`ErrorResponse`).
pub(crate) fn error(status: StatusCode, message: impl Into<String>) -> Response {
    let message: String = message.into();
    let body = json!({"error": {"message": message}});
    let text = bulkhead_types::text::to_json_pretty(&body)
        .unwrap_or_else(|_| "{\"error\":{\"message\":\"error\"}}".to_string());
    (status, [(header::CONTENT_TYPE, media::ERROR)], text).into_response()
}

fn backend_error(e: BackendError) -> Response {
    match e {
        BackendError::Busy(m) => {
            let mut r = error(StatusCode::SERVICE_UNAVAILABLE, m);
            r.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("30"));
            r
        }
        BackendError::Invalid(m) => error(StatusCode::UNPROCESSABLE_ENTITY, m),
        BackendError::Internal(m) => error(StatusCode::INTERNAL_SERVER_ERROR, m),
    }
}

fn header_str(h: &HeaderMap, name: header::HeaderName) -> Option<&str> {
    h.get(name).and_then(|v| v.to_str().ok())
}

async fn log_request(req: Request, next: Next) -> Response {
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    let resp = next.run(req).await;
    tracing::debug!(%method, path, status = resp.status().as_u16(), "request");
    resp
}

async fn require_token(State(st): State<AppState>, req: Request, next: Next) -> Response {
    if let Some(token) = &st.cfg.token {
        let given = header_str(req.headers(), header::AUTHORIZATION).and_then(|h| {
            h.strip_prefix("Bearer ")
                .or_else(|| h.strip_prefix("bearer "))
        });
        if !given.is_some_and(|g| token.matches(g)) {
            let mut r = error(
                StatusCode::UNAUTHORIZED,
                "this scanner needs `Authorization: Bearer <token>` (the token the server was started with)",
            );
            r.headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            return r;
        }
    }
    next.run(req).await
}

async fn not_found() -> Response {
    error(
        StatusCode::NOT_FOUND,
        "no such endpoint: the scanner API is under /api/v1 (metadata, scan, scan/{id}/report)",
    )
}

async fn healthy() -> Response {
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "text/plain")],
        "ok\n",
    )
        .into_response()
}

async fn ready(State(st): State<AppState>) -> Response {
    if st.backend.ready().await {
        (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "text/plain")],
            "ready\n",
        )
            .into_response()
    } else {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            [(header::CONTENT_TYPE, "text/plain")],
            "not ready\n",
        )
            .into_response()
    }
}

async fn prometheus(State(st): State<AppState>) -> Response {
    match st.backend.metrics().await {
        Ok(m) => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, media::PROMETHEUS_TEXT)],
            metrics::render(&m),
        )
            .into_response(),
        Err(e) => backend_error(e),
    }
}

async fn metadata(State(st): State<AppState>, headers: HeaderMap) -> Response {
    let info = match st.backend.metadata().await {
        Ok(i) => i,
        Err(e) => return backend_error(e),
    };
    let mut properties = serde_json::Map::new();
    properties.insert(
        "harbor.scanner-adapter/scanner-type".into(),
        json!("os-package-vulnerability"),
    );
    if let Some(t) = &info.db_built_at {
        properties.insert(
            "harbor.scanner-adapter/vulnerability-database-updated-at".into(),
            json!(t),
        );
    }
    if let Some(t) = &info.db_checked_at {
        properties.insert("bulkhead/database-checked-at".into(), json!(t));
    }
    for (k, v) in &info.properties {
        properties.insert(k.clone(), json!(v));
    }
    let doc = json!({
        "scanner": st.cfg.scanner,
        "capabilities": [
            {
                "type": "vulnerability",
                "consumes_mime_types": CONSUMES,
                "produces_mime_types": VULN_PRODUCES,
            },
            {
                "type": "sbom",
                "consumes_mime_types": CONSUMES,
                "produces_mime_types": [SBOM_REPORT],
                "additional_attributes": {
                    "sbom_media_types": SbomMediaType::ALL.map(SbomMediaType::as_str),
                },
            },
        ],
        "properties": properties,
    });
    let media_type = media::metadata_type(header_str(&headers, header::ACCEPT));
    json_response(StatusCode::OK, media_type, &doc)
}

async fn scan(State(st): State<AppState>, headers: HeaderMap, body: Body) -> Response {
    if !media::scan_request_type_ok(header_str(&headers, header::CONTENT_TYPE)) {
        return error(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            format!(
                "send the scan request as {} (or version=1.0)",
                media::SCAN_REQUEST[0]
            ),
        );
    }
    let too_large = || {
        error(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!(
                "the scan request is larger than {} bytes (or was cut off)",
                st.cfg.max_body
            ),
        )
    };
    let declared = header_str(&headers, header::CONTENT_LENGTH).and_then(|l| l.parse::<u64>().ok());
    if declared.is_some_and(|n| n > st.cfg.max_body as u64) {
        return too_large();
    }
    let bytes: Bytes = match axum::body::to_bytes(body, st.cfg.max_body).await {
        Ok(b) => b,
        Err(_) => return too_large(),
    };
    let submission = match parse_scan_request(&bytes) {
        Ok(s) => s,
        Err(e) => {
            let status = match e {
                RequestError::Syntax(_) => StatusCode::BAD_REQUEST,
                RequestError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
                RequestError::Unsupported(_) => StatusCode::NOT_IMPLEMENTED,
            };
            tracing::info!(status = status.as_u16(), "scan request refused: {e}");
            return error(status, e.to_string());
        }
    };
    match st.backend.submit(submission).await {
        Ok(id) => json_response(
            StatusCode::ACCEPTED,
            media::SCAN_RESPONSE,
            &json!({"id": id.0}),
        ),
        Err(e) => backend_error(e),
    }
}

#[derive(Deserialize)]
struct ReportQuery {
    sbom_media_type: Option<String>,
}

async fn report(
    State(st): State<AppState>,
    Path(id): Path<String>,
    query: Result<Query<ReportQuery>, QueryRejection>,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
) -> Response {
    let kind = match media::negotiate_report(header_str(&headers, header::ACCEPT)) {
        Negotiated::Kind(k) => k,
        Negotiated::NotProduced => {
            return error(
                StatusCode::NOT_IMPLEMENTED,
                format!(
                    "the scanner produces {} and {SBOM_REPORT}: ask for one of them in Accept",
                    VULN_PRODUCES.join(", ")
                ),
            );
        }
        Negotiated::Malformed => {
            return error(StatusCode::BAD_REQUEST, "the Accept header cannot be read");
        }
    };
    let Ok(Query(query)) = query else {
        return error(StatusCode::BAD_REQUEST, "the query string cannot be read");
    };
    let sbom_type = if kind == ReportKind::Sbom {
        match query.sbom_media_type.as_deref().map(SbomMediaType::parse) {
            Some(Some(m)) => Some(m),
            Some(None) | None => {
                return error(
                    StatusCode::BAD_REQUEST,
                    "an SBOM report needs ?sbom_media_type=application/spdx+json or application/vnd.cyclonedx+json",
                );
            }
        }
    } else {
        None
    };
    let state = match st.backend.report(&id).await {
        Ok(s) => s,
        Err(e) => return backend_error(e),
    };
    let stored = match state {
        ReportState::Unknown => {
            return error(
                StatusCode::NOT_FOUND,
                "no scan with this id (never accepted, or forgotten): submit the scan again",
            );
        }
        ReportState::Failed(m) => {
            return error(
                StatusCode::INTERNAL_SERVER_ERROR,
                format!("the scan failed: {m}"),
            );
        }
        ReportState::Pending { retry_after } => {
            let secs = retry_after.as_secs().max(1).to_string();
            let mut r = StatusCode::FOUND.into_response();
            let h = r.headers_mut();
            if let Ok(v) = HeaderValue::from_str(&secs) {
                h.insert("Refresh-After", v);
            }
            if let Ok(v) = HeaderValue::from_str(&uri.to_string()) {
                h.insert(header::LOCATION, v);
            }
            return r;
        }
        ReportState::Ready(s) => s,
    };
    let enabled = match kind {
        ReportKind::Sbom => stored.capabilities.sbom,
        _ => stored.capabilities.vulnerability,
    };
    if !enabled {
        return error(
            StatusCode::BAD_REQUEST,
            format!(
                "this scan did not enable the capability that produces {}: submit a scan that enables it",
                kind.media_type()
            ),
        );
    }
    let scanner = st.cfg.scanner.clone();
    let rendered =
        tokio::task::spawn_blocking(move || render(&stored, kind, sbom_type, &scanner)).await;
    match rendered {
        Ok(Ok(body)) => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, kind.media_type())],
            body,
        )
            .into_response(),
        Ok(Err(e)) => error(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("cannot render the report: {e}"),
        ),
        Err(e) => error(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("cannot render the report: {e}"),
        ),
    }
}

fn render(
    stored: &Stored,
    kind: ReportKind,
    sbom: Option<SbomMediaType>,
    scanner: &harbor::Scanner,
) -> Result<String, serde_json::Error> {
    let cx = harbor::Context {
        artifact: &stored.artifact,
        scanner,
        generated_at: &stored.generated_at,
    };
    use bulkhead_types::text::to_json_pretty as text;
    match (kind, sbom) {
        (ReportKind::Vulnerability | ReportKind::VulnerabilityHarbor, _) => {
            text(&harbor::vulnerability_report(&stored.report, &cx))
        }
        (ReportKind::Raw, _) => text(&stored.report),
        (ReportKind::Sbom, media) => {
            let opts = WriteOptions {
                tool_version: scanner.version.clone(),
                ..WriteOptions::default()
            };
            let media = media.unwrap_or(SbomMediaType::Spdx);
            text(&harbor::sbom_report(&stored.report, media, &cx, &opts))
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn backend_errors_map_to_the_specs_statuses_and_error_document() {
        for (e, status) in [
            (
                BackendError::Busy("later".into()),
                StatusCode::SERVICE_UNAVAILABLE,
            ),
            (
                BackendError::Invalid("bad".into()),
                StatusCode::UNPROCESSABLE_ENTITY,
            ),
            (
                BackendError::Internal("broken".into()),
                StatusCode::INTERNAL_SERVER_ERROR,
            ),
        ] {
            let r = backend_error(e);
            assert_eq!(r.status(), status);
            assert_eq!(
                r.headers().get(header::CONTENT_TYPE).unwrap(),
                media::ERROR,
                "{status}"
            );
            assert_eq!(
                r.headers().contains_key(header::RETRY_AFTER),
                status == StatusCode::SERVICE_UNAVAILABLE
            );
        }
    }
}
