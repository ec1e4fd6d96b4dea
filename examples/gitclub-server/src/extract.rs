//! Extractors whose rejections are the API's JSON errors: the id in the path, the page in the
//! query string, the JSON body.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Path, Query, Request};
use axum::http::header::{CONTENT_LENGTH, CONTENT_TYPE};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use serde::Deserialize;
use serde::de::{DeserializeOwned, IgnoredAny};

use crate::error::ApiError;
use crate::load::Page;

/// The id of the item a path names: a positive integer of at most 19 digits (an `i64`).
/// Anything else (`abc`, `-1`, `0`, `1.5`, `+1`, a number past `i64::MAX`) is a 400.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Id(pub i64);

/// Parses an id of a path.
pub fn parse_id(text: &str) -> Result<i64, ApiError> {
    let valid = !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit());
    match text.parse::<i64>() {
        Ok(id) if valid && id > 0 => Ok(id),
        _ => Err(ApiError::bad_request("invalid id: expected a positive integer")),
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Id {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let Path(text) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|_| ApiError::bad_request("invalid id: expected a positive integer"))?;
        parse_id(&text).map(Id)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PageQuery {
    limit: Option<u64>,
    offset: Option<u64>,
}

/// The largest `limit` and `offset` accepted (`i64::MAX`, what SQL can bind).
const MAX_PAGE: u64 = i64::MAX as u64;

impl<S: Send + Sync> FromRequestParts<S> for Page {
    type Rejection = ApiError;

    /// `?limit=N&offset=M`, both optional non-negative integers; anything else is a 400.
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let Query(q) = Query::<PageQuery>::from_request_parts(parts, state)
            .await
            .map_err(|e| ApiError::bad_request(format!("invalid query: {}", e.body_text())))?;
        if q.limit.unwrap_or(0) > MAX_PAGE || q.offset.unwrap_or(0) > MAX_PAGE {
            return Err(ApiError::bad_request("invalid query: limit and offset are at most 2^63 - 1"));
        }
        Ok(Page { limit: q.limit, offset: q.offset })
    }
}

/// A JSON body of type `T`: 415 without `content-type: application/json`, 413 over the body
/// limit, 400 when it is not JSON at all, 422 when it is JSON of the wrong shape.
#[derive(Debug)]
pub struct Body<T>(pub T);

fn too_large() -> ApiError {
    ApiError::Invalid(StatusCode::PAYLOAD_TOO_LARGE, format!("the body is over {} bytes", crate::BODY_LIMIT))
}

/// Whether the request declares a JSON body (`application/json`, or `application/...+json`).
fn declares_json(headers: &HeaderMap) -> bool {
    let Some(value) = headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let mime = value.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    mime == "application/json" || (mime.starts_with("application/") && mime.ends_with("+json"))
}

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for Body<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        if !declares_json(req.headers()) {
            return Err(ApiError::Invalid(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "expected a body with content-type: application/json".into(),
            ));
        }
        // A declared length over the limit is refused before a byte of the body is read.
        let declared = req.headers().get(CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
        if declared.is_some_and(|length| length > crate::BODY_LIMIT as u64) {
            return Err(too_large());
        }
        // Otherwise the body is read up to the limit (`DefaultBodyLimit` in `crate::app`).
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(|rejection| ApiError::Invalid(rejection.status(), rejection.body_text()))?;
        // Syntax first, so that malformed JSON is a 400 even where a streaming parse would
        // have met a type error before the syntax error.
        if let Err(e) = serde_json::from_slice::<IgnoredAny>(&bytes) {
            return Err(ApiError::bad_request(format!("invalid JSON: {e}")));
        }
        serde_json::from_slice(&bytes)
            .map(Body)
            .map_err(|e| ApiError::unprocessable(format!("invalid body: {e}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids() {
        assert_eq!(parse_id("1").ok(), Some(1));
        assert_eq!(parse_id("9223372036854775807").ok(), Some(i64::MAX));
        for bad in
            ["", "0", "-1", "+1", "1.5", "abc", " 1", "1 ", "9223372036854775808", "99999999999999999999999"]
        {
            assert!(parse_id(bad).is_err(), "{bad:?}");
        }
    }
}
