//! TLS for IMAP: rustls (ring) with the Mozilla roots from webpki-roots plus
//! an optional PEM CA file from the config (self-signed servers). No OpenSSL.

use std::path::Path;
use std::sync::Arc;

use rustls::RootCertStore;
use rustls::pki_types::ServerName;
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::client::TlsStream;

#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("cannot read ca_file {path}: {source}")]
    CaRead {
        path: std::path::PathBuf,
        source: std::io::Error,
    },
    #[error("ca_file {path} holds no PEM certificate (expected -----BEGIN CERTIFICATE-----)")]
    CaEmpty { path: std::path::PathBuf },
    #[error("ca_file {path}: {message}")]
    CaBad {
        path: std::path::PathBuf,
        message: String,
    },
    #[error("{0:?} is not a valid TLS server name")]
    ServerName(String),
    #[error("TLS setup: {0}")]
    Rustls(#[from] rustls::Error),
    #[error("TLS handshake with {host}: {source}")]
    Handshake {
        host: String,
        source: std::io::Error,
    },
}

/// Client config trusting the public web roots plus `ca_file`, if any.
pub fn client_config(ca_file: Option<&Path>) -> Result<Arc<rustls::ClientConfig>, TlsError> {
    let mut roots = RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    if let Some(path) = ca_file {
        let pem = std::fs::read(path).map_err(|source| TlsError::CaRead {
            path: path.to_path_buf(),
            source,
        })?;
        let mut n = 0;
        for cert in rustls_pemfile::certs(&mut pem.as_slice()) {
            let cert = cert.map_err(|e| TlsError::CaBad {
                path: path.to_path_buf(),
                message: e.to_string(),
            })?;
            roots.add(cert).map_err(|e| TlsError::CaBad {
                path: path.to_path_buf(),
                message: e.to_string(),
            })?;
            n += 1;
        }
        if n == 0 {
            return Err(TlsError::CaEmpty {
                path: path.to_path_buf(),
            });
        }
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Arc::new(config))
}

/// Runs the TLS handshake over an open TCP stream.
pub async fn wrap(
    config: Arc<rustls::ClientConfig>,
    host: &str,
    tcp: TcpStream,
) -> Result<TlsStream<TcpStream>, TlsError> {
    let name = ServerName::try_from(host.to_string())
        .map_err(|_| TlsError::ServerName(host.to_string()))?;
    TlsConnector::from(config)
        .connect(name, tcp)
        .await
        .map_err(|source| TlsError::Handshake {
            host: host.to_string(),
            source,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_ca_file_is_named() {
        let dir = std::env::temp_dir().join(format!("amo-tls-{}", std::process::id()));
        let _ = std::fs::create_dir_all(&dir);
        let p = dir.join("empty.pem");
        let _ = std::fs::write(&p, "not a cert\n");
        let e = client_config(Some(&p)).err().map(|e| e.to_string());
        assert!(e.as_deref().unwrap_or("").contains("empty.pem"), "{e:?}");
        assert!(client_config(None).is_ok());
    }
}
