//! The HTTP adapter against local servers: limits, redirects, TLS.

mod support;

mod limits;
mod redirects;
mod tls;
