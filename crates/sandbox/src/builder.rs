//! What the two stand-ins share in their builders and running handles, written
//! once: the setters of the common fields and the common handle methods.

/// The settings every stand-in's builder has.
#[derive(Debug)]
pub(crate) struct CommonOptions {
    pub(crate) bind: std::net::SocketAddr,
    pub(crate) clock: std::sync::Arc<dyn jwt_core::Clock>,
    pub(crate) backend: Option<&'static dyn jwt_core::Backend>,
    pub(crate) control_secret: Option<crate::ControlSecret>,
    pub(crate) tls: Option<crate::tls::TlsOptions>,
}

impl Default for CommonOptions {
    fn default() -> Self {
        Self {
            bind: std::net::SocketAddr::from(([127, 0, 0, 1], 0)),
            clock: std::sync::Arc::new(jwt_core::SystemClock),
            backend: None,
            control_secret: None,
            tls: None,
        }
    }
}

/// Expands, inside a builder's `impl` (whose `common` field is a
/// [`CommonOptions`]), to the setters of `bind`, `clock`, `backend`,
/// `control_secret` and `tls`.
macro_rules! common_setters {
    () => {
        /// The address to listen on. Default `127.0.0.1:0` (any free port).
        pub fn bind(mut self, addr: std::net::SocketAddr) -> Self {
            self.common.bind = addr;
            self
        }

        /// The clock that says "now". Default [`SystemClock`](jwt_core::SystemClock).
        pub fn clock(mut self, clock: std::sync::Arc<dyn jwt_core::Clock>) -> Self {
            self.common.clock = clock;
            self
        }

        /// The crypto backend to verify (and sign) with. Default: the first
        /// compiled backend that supports the service's algorithm (ES512 for
        /// VDR, which ring lacks; RS256 for Clearance).
        pub fn backend(mut self, backend: &'static dyn jwt_core::Backend) -> Self {
            self.common.backend = Some(backend);
            self
        }

        /// The secret the `/_sandbox` hooks require. Default: a fresh one.
        pub fn control_secret(mut self, secret: $crate::ControlSecret) -> Self {
            self.common.control_secret = Some(secret);
            self
        }

        /// Serve HTTPS with these options instead of plain HTTP; addresses
        /// become `https://127.0.0.1:<port>/…`.
        pub fn tls(mut self, options: $crate::tls::TlsOptions) -> Self {
            self.common.tls = Some(options);
            self
        }
    };
}

/// Expands, inside a running stand-in's `impl`, to the methods every stand-in
/// has: `counters`, `reset_counters`, `connection_stats` and `shutdown`;
/// `$counters` is its counters type.
macro_rules! common_handle_methods {
    ($counters:ty) => {
        /// The counters so far.
        pub fn counters(&self) -> $counters {
            $crate::faults::lock(&self.state.counters).clone()
        }

        /// Sets every counter back to zero.
        pub fn reset_counters(&self) {
            *$crate::faults::lock(&self.state.counters) = <$counters>::default();
        }

        /// Connections, TLS handshakes and requests the listener has seen.
        pub fn connection_stats(&self) -> $crate::tls::ConnectionStats {
            self.server.stats()
        }

        /// Stops accepting connections, ends hanging requests, lets the
        /// others finish, and waits for the server.
        pub async fn shutdown(self) -> $crate::Result<()> {
            self.server.shutdown().await
        }
    };
}
