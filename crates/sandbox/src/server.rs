//! Serving a router on a loopback socket, over plain HTTP or TLS, with
//! graceful shutdown, a record of connections and handshakes, and a way for
//! a handler to drop its own connection (the "drop" fault); and the JSON
//! answer every handler and hook sends.

use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::Router;
use axum::extract::connect_info::Connected;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::serve::{IncomingStream, Listener};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;
use tokio_rustls::TlsAcceptor;

use crate::faults::lock;
use crate::tls::{ConnectionStats, Negotiated, TlsOptions};
use crate::{Error, Result};

/// A JSON answer with a status.
pub(crate) fn json(status: StatusCode, body: serde_json::Value) -> Response {
    (status, axum::Json(body)).into_response()
}

/// A per-connection switch: once pulled, the connection's socket fails every
/// read and write, so the server closes it without sending a response.
#[derive(Clone, Debug, Default)]
pub(crate) struct ConnControl(Arc<AtomicBool>);

impl ConnControl {
    /// Closes the connection as soon as the server next touches it.
    pub(crate) fn kill(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    fn killed(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

/// The socket under a [`KillableIo`]: plain TCP, or TLS over TCP.
enum Stream {
    Plain(TcpStream),
    Tls(Box<tokio_rustls::server::TlsStream<TcpStream>>),
}

/// A connection (plain or TLS) that obeys its [`ConnControl`]. The switch
/// sits above TLS, so a "drop" fault closes the connection over HTTPS too.
pub(crate) struct KillableIo {
    inner: Stream,
    control: ConnControl,
}

fn reset() -> io::Error {
    io::Error::new(
        io::ErrorKind::ConnectionReset,
        "connection dropped by a fault",
    )
}

impl AsyncRead for KillableIo {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        if self.control.killed() {
            return Poll::Ready(Err(reset()));
        }
        match &mut self.inner {
            Stream::Plain(s) => Pin::new(s).poll_read(cx, buf),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for KillableIo {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        if self.control.killed() {
            return Poll::Ready(Err(reset()));
        }
        match &mut self.inner {
            Stream::Plain(s) => Pin::new(s).poll_write(cx, buf),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_write(cx, buf),
        }
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        if self.control.killed() {
            return Poll::Ready(Err(reset()));
        }
        match &mut self.inner {
            Stream::Plain(s) => Pin::new(s).poll_flush(cx),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_flush(cx),
        }
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match &mut self.inner {
            Stream::Plain(s) => Pin::new(s).poll_shutdown(cx),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_shutdown(cx),
        }
    }
}

/// Accepted connections, handed over by the accept task once ready (after
/// the TLS handshake, which runs in a task of its own so that one slow
/// client cannot hold up the others).
pub(crate) struct KillableListener {
    incoming: mpsc::Receiver<(KillableIo, SocketAddr)>,
    addr: SocketAddr,
}

impl Listener for KillableListener {
    type Io = KillableIo;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        match self.incoming.recv().await {
            Some(accepted) => accepted,
            // The accept task ended (shutdown): nothing more will come.
            None => std::future::pending().await,
        }
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        Ok(self.addr)
    }
}

impl Connected<IncomingStream<'_, KillableListener>> for ConnControl {
    fn connect_info(stream: IncomingStream<'_, KillableListener>) -> Self {
        stream.io().control.clone()
    }
}

/// Accepts TCP connections until shutdown, runs the TLS handshake when
/// configured, records both, and passes ready connections on.
async fn accept_loop(
    listener: TcpListener,
    tls: Option<TlsAcceptor>,
    stats: Arc<Mutex<ConnectionStats>>,
    ready: mpsc::Sender<(KillableIo, SocketAddr)>,
    mut shutdown: watch::Receiver<bool>,
) {
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            _ = shutdown.wait_for(|stop| *stop) => return,
        };
        let (stream, remote) = match accepted {
            Ok(accepted) => accepted,
            Err(e) => {
                // Out of file descriptors and the like: wait a little, as axum does.
                tracing::warn!(error = %e, "accept failed");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        lock(&stats).accepted += 1;
        let Some(acceptor) = &tls else {
            let io = KillableIo {
                inner: Stream::Plain(stream),
                control: ConnControl::default(),
            };
            if ready.send((io, remote)).await.is_err() {
                return;
            }
            continue;
        };
        let acceptor = acceptor.clone();
        let stats = Arc::clone(&stats);
        let ready = ready.clone();
        let mut shutdown = shutdown.clone();
        tokio::spawn(async move {
            let handshake = tokio::select! {
                handshake = acceptor.accept(stream) => handshake,
                _ = shutdown.wait_for(|stop| *stop) => return,
            };
            match handshake {
                Ok(tls) => {
                    if let Some(negotiated) = Negotiated::of(tls.get_ref().1) {
                        lock(&stats).negotiated.push(negotiated);
                    }
                    let io = KillableIo {
                        inner: Stream::Tls(Box::new(tls)),
                        control: ConnControl::default(),
                    };
                    let _ = ready.send((io, remote)).await;
                }
                Err(e) => {
                    lock(&stats).handshakes_failed += 1;
                    tracing::debug!(error = %e, %remote, "TLS handshake failed");
                }
            }
        });
    }
}

/// A running server: its address, its shutdown signal and its task.
#[derive(Debug)]
pub(crate) struct Server {
    addr: SocketAddr,
    stats: Arc<Mutex<ConnectionStats>>,
    shutdown: watch::Sender<bool>,
    task: Option<JoinHandle<io::Result<()>>>,
}

impl Server {
    /// Binds `addr` (before the router exists, so the router can know its own URL).
    pub(crate) async fn bind(addr: SocketAddr) -> Result<TcpListener> {
        TcpListener::bind(addr)
            .await
            .map_err(|source| Error::Bind { addr, source })
    }

    /// Serves `router` on `listener` until [`Server::shutdown`] or drop, over
    /// TLS when `tls` is given. `shutdown` is the sender whose receivers the
    /// handlers watch (hanging faults end when it fires).
    pub(crate) fn serve(
        listener: TcpListener,
        router: Router,
        shutdown: watch::Sender<bool>,
        tls: Option<&TlsOptions>,
    ) -> Result<Self> {
        let addr = listener.local_addr().map_err(Error::Serve)?;
        let acceptor = match tls {
            Some(options) => Some(TlsAcceptor::from(options.server_config()?)),
            None => None,
        };
        let stats = Arc::new(Mutex::new(ConnectionStats::default()));
        let counted = Arc::clone(&stats);
        let router = router.layer(axum::middleware::from_fn(
            move |request: axum::extract::Request, next: axum::middleware::Next| {
                lock(&counted).requests += 1;
                next.run(request)
            },
        ));
        let (ready, incoming) = mpsc::channel(64);
        tokio::spawn(accept_loop(
            listener,
            acceptor,
            Arc::clone(&stats),
            ready,
            shutdown.subscribe(),
        ));
        let mut signal = shutdown.subscribe();
        let service = router.into_make_service_with_connect_info::<ConnControl>();
        let task = tokio::spawn(async move {
            axum::serve(KillableListener { incoming, addr }, service)
                .with_graceful_shutdown(async move {
                    let _ = signal.wait_for(|stop| *stop).await;
                })
                .await
        });
        Ok(Self {
            addr,
            stats,
            shutdown,
            task: Some(task),
        })
    }

    /// What the listener has seen so far.
    pub(crate) fn stats(&self) -> ConnectionStats {
        lock(&self.stats).clone()
    }

    /// The bound address.
    pub(crate) fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stops accepting, lets in-flight requests finish (hanging faults end at
    /// once), and waits for the server task.
    pub(crate) async fn shutdown(mut self) -> Result<()> {
        let _ = self.shutdown.send(true);
        match self.task.take() {
            Some(task) => match task.await {
                Ok(result) => result.map_err(Error::Serve),
                Err(join) => Err(Error::Serve(io::Error::other(join.to_string()))),
            },
            None => Ok(()),
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        // The task finishes its graceful shutdown on its own.
        let _ = self.shutdown.send(true);
    }
}
