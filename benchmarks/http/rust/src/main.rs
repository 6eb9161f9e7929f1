//! spec 07 §1: GET /text and GET /json with constant bodies.
use axum::{http::header, routing::get, Router};

#[tokio::main]
async fn main() {
    let port = std::env::var("PORT").unwrap_or_else(|_| "3002".into());
    let app = Router::new()
        .route("/text", get(|| async { ([(header::CONTENT_TYPE, "text/plain")], "Hello, World!\n") }))
        .route(
            "/json",
            get(|| async { ([(header::CONTENT_TYPE, "application/json")], r#"{"message":"Hello, World!"}"#) }),
        );
    let listener = tokio::net::TcpListener::bind(format!("[::]:{port}")).await.unwrap();
    axum::serve(listener, app).await.unwrap();
}
