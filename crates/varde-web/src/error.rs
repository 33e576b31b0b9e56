//! Errors as the API answers them: a status and a JSON body with a stable, machine-readable
//! code, a message for people, and the field errors when input was refused.
//!
//! ```json
//! {"error": {"code": "validation_failed", "message": "…", "fields": {"name": "…"}}}
//! ```
//! The cause of an internal error is logged, never sent.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use varde_core::form::FieldErrors;
use varde_store::StoreError;

/// The stable error codes of the API.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorCode {
    BadRequest,
    Unauthenticated,
    Forbidden,
    NotFound,
    Conflict,
    ValidationFailed,
    CsrfFailed,
    RateLimited,
    PayloadTooLarge,
    Unavailable,
    Internal,
}

impl ErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::BadRequest => "bad_request",
            ErrorCode::Unauthenticated => "unauthenticated",
            ErrorCode::Forbidden => "forbidden",
            ErrorCode::NotFound => "not_found",
            ErrorCode::Conflict => "conflict",
            ErrorCode::ValidationFailed => "validation_failed",
            ErrorCode::CsrfFailed => "csrf_failed",
            ErrorCode::RateLimited => "rate_limited",
            ErrorCode::PayloadTooLarge => "payload_too_large",
            ErrorCode::Unavailable => "unavailable",
            ErrorCode::Internal => "internal",
        }
    }

    pub fn status(self) -> StatusCode {
        match self {
            ErrorCode::BadRequest => StatusCode::BAD_REQUEST,
            ErrorCode::Unauthenticated => StatusCode::UNAUTHORIZED,
            ErrorCode::Forbidden | ErrorCode::CsrfFailed => StatusCode::FORBIDDEN,
            ErrorCode::NotFound => StatusCode::NOT_FOUND,
            ErrorCode::Conflict => StatusCode::CONFLICT,
            ErrorCode::ValidationFailed => StatusCode::UNPROCESSABLE_ENTITY,
            ErrorCode::RateLimited => StatusCode::TOO_MANY_REQUESTS,
            ErrorCode::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ErrorCode::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            ErrorCode::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

/// A failed request.
#[derive(Debug)]
pub struct ApiError {
    pub code: ErrorCode,
    pub message: String,
    pub fields: FieldErrors,
}

impl ApiError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> ApiError {
        ApiError {
            code,
            message: message.into(),
            fields: FieldErrors::new(),
        }
    }

    pub fn not_found() -> ApiError {
        ApiError::new(ErrorCode::NotFound, "no such resource, or not yours to see")
    }

    pub fn forbidden() -> ApiError {
        ApiError::new(ErrorCode::Forbidden, "your role does not allow this")
    }

    pub fn unauthenticated() -> ApiError {
        ApiError::new(
            ErrorCode::Unauthenticated,
            "log in, or send an API token as 'Authorization: Bearer <token>'",
        )
    }

    pub fn invalid(fields: FieldErrors) -> ApiError {
        ApiError {
            code: ErrorCode::ValidationFailed,
            message: format!("the input was refused: {}", fields.summary()),
            fields,
        }
    }

    pub fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError::new(ErrorCode::BadRequest, message)
    }

    pub fn internal(cause: impl std::fmt::Display) -> ApiError {
        tracing::error!(%cause, "internal error");
        ApiError::new(ErrorCode::Internal, "internal error; it has been logged")
    }

    pub fn body(&self) -> serde_json::Value {
        let fields: serde_json::Map<String, serde_json::Value> = self
            .fields
            .iter()
            .map(|(f, m)| (f.to_string(), serde_json::Value::String(m.to_string())))
            .collect();
        let mut error = serde_json::json!({"code": self.code.as_str(), "message": self.message});
        if !fields.is_empty() {
            error["fields"] = serde_json::Value::Object(fields);
        }
        serde_json::json!({ "error": error })
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> ApiError {
        match e {
            StoreError::NotFound => ApiError::not_found(),
            StoreError::Conflict(fields) => ApiError {
                code: ErrorCode::Conflict,
                message: format!("conflicts with stored data: {}", fields.summary()),
                fields,
            },
            StoreError::Unavailable(cause) => {
                tracing::error!(%cause, "database unavailable");
                ApiError::new(
                    ErrorCode::Unavailable,
                    "the database is unavailable; try again shortly",
                )
            }
            other => ApiError::internal(other),
        }
    }
}

/// The one mapping from a use case's error to the API's (and the console's, which shows
/// `ApiError`s as pages).
impl From<varde_app::AppError> for ApiError {
    fn from(e: varde_app::AppError) -> ApiError {
        use varde_app::AppError;
        match e {
            AppError::Unauthenticated => ApiError::unauthenticated(),
            AppError::NotFound => ApiError::not_found(),
            AppError::Forbidden => ApiError::forbidden(),
            AppError::Invalid(fields) => ApiError::invalid(fields),
            AppError::Refused(m) => ApiError::new(ErrorCode::ValidationFailed, m),
            AppError::Conflict(fields) => ApiError {
                code: ErrorCode::Conflict,
                message: format!("conflicts with stored data: {}", fields.summary()),
                fields,
            },
            AppError::Unavailable(cause) => {
                tracing::error!(%cause, "database unavailable");
                ApiError::new(
                    ErrorCode::Unavailable,
                    "the database is unavailable; try again shortly",
                )
            }
            AppError::Internal(cause) => ApiError::internal(cause),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut r = (self.code.status(), Json(self.body())).into_response();
        if self.code == ErrorCode::Unauthenticated {
            r.headers_mut().insert(
                axum::http::header::WWW_AUTHENTICATE,
                axum::http::HeaderValue::from_static("Bearer realm=\"varde\""),
            );
        }
        r
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
