//! A tiny HTTP server on loopback that answers every request with one configurable reply and
//! counts the requests, standing in for an issuer's JWKS endpoint (or an attacker's server).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// What the server answers.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub content_type: String,
    pub body: String,
    pub cache_control: Option<String>,
    pub delay: Duration,
}

impl Reply {
    /// `200` with a JSON document.
    pub fn json(document: &serde_json::Value) -> Self {
        Self {
            status: 200,
            content_type: "application/json".into(),
            body: document.to_string(),
            cache_control: None,
            delay: Duration::ZERO,
        }
    }
}

/// A running server; stops when dropped.
pub struct JwksServer {
    address: std::net::SocketAddr,
    reply: Arc<Mutex<Reply>>,
    hits: Arc<AtomicUsize>,
    task: tokio::task::JoinHandle<()>,
}

impl JwksServer {
    /// Starts serving `document` as JSON.
    pub async fn start(document: &serde_json::Value) -> Self {
        Self::start_with(Reply::json(document)).await
    }

    /// Starts serving `reply`.
    pub async fn start_with(reply: Reply) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a loopback port");
        let address = listener.local_addr().expect("a bound address");
        let reply = Arc::new(Mutex::new(reply));
        let hits = Arc::new(AtomicUsize::new(0));

        let task = tokio::spawn(serve(listener, Arc::clone(&reply), Arc::clone(&hits)));
        Self {
            address,
            reply,
            hits,
            task,
        }
    }

    /// `http://127.0.0.1:<port>`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.address)
    }

    /// The conventional JWKS location on this server.
    pub fn jwks_url(&self) -> String {
        format!("{}/.well-known/jwks.json", self.base_url())
    }

    /// Requests received so far.
    pub fn hits(&self) -> usize {
        self.hits.load(Ordering::SeqCst)
    }

    /// Serves `document` from now on.
    pub fn set_document(&self, document: &serde_json::Value) {
        self.set_reply(Reply::json(document));
    }

    /// Answers with `reply` from now on.
    pub fn set_reply(&self, reply: Reply) {
        *self.reply.lock().expect("reply lock") = reply;
    }
}

impl Drop for JwksServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn serve(listener: TcpListener, reply: Arc<Mutex<Reply>>, hits: Arc<AtomicUsize>) {
    loop {
        let Ok((mut stream, _)) = listener.accept().await else {
            continue;
        };
        let reply = Arc::clone(&reply);
        let hits = Arc::clone(&hits);
        tokio::spawn(async move {
            let mut request = Vec::new();
            let mut buffer = [0u8; 4096];
            while !request.windows(4).any(|window| window == b"\r\n\r\n") {
                match stream.read(&mut buffer).await {
                    Ok(0) | Err(_) => return,
                    Ok(read) => request.extend_from_slice(&buffer[..read]),
                }
                if request.len() > 64 * 1024 {
                    return;
                }
            }
            hits.fetch_add(1, Ordering::SeqCst);

            let reply = reply.lock().expect("reply lock").clone();
            tokio::time::sleep(reply.delay).await;
            let cache_control = reply
                .cache_control
                .map(|value| format!("Cache-Control: {value}\r\n"))
                .unwrap_or_default();
            let response = format!(
                "HTTP/1.1 {} X\r\nContent-Type: {}\r\nContent-Length: {}\r\n{}\
                 Connection: close\r\n\r\n{}",
                reply.status,
                reply.content_type,
                reply.body.len(),
                cache_control,
                reply.body
            );
            let _ = stream.write_all(response.as_bytes()).await;
            let _ = stream.shutdown().await;
        });
    }
}
