//! Turning the initial address into addresses to try: a custom resolver
//! (a user function, or testkit), then DNS.

use std::fmt;
use std::future::Future;
use std::pin::Pin;

use crate::Address;

/// A boxed future, the return type of [`Resolver::resolve`].
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Maps one address to the addresses to try for it. Implemented by the
/// custom resolver the user configures and by [`DnsResolver`]. Failures are
/// reported as an empty list (and logged by the implementation).
pub trait Resolver: Send + Sync + fmt::Debug {
    /// The addresses `address` stands for.
    fn resolve<'a>(&'a self, address: &'a Address) -> BoxFuture<'a, Vec<Address>>;

    /// [`resolve`](Self::resolve), with the reason when it finds nothing
    /// (DNS says why; the default has no reason to give).
    fn try_resolve<'a>(
        &'a self,
        address: &'a Address,
    ) -> BoxFuture<'a, std::io::Result<Vec<Address>>> {
        Box::pin(async move { Ok(self.resolve(address).await) })
    }
}

/// A custom resolver from a synchronous function.
///
/// ```
/// use quiver_pool::{Address, FnResolver, Resolver};
/// let r = FnResolver::new(|a: &Address| vec![Address::new("10.0.0.1", a.port())]);
/// # let _ = r;
/// ```
pub struct FnResolver<F>(F);

impl<F> FnResolver<F>
where
    F: Fn(&Address) -> Vec<Address> + Send + Sync,
{
    /// Wraps `f`.
    pub fn new(f: F) -> Self {
        Self(f)
    }
}

impl<F> fmt::Debug for FnResolver<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("FnResolver")
    }
}

impl<F> Resolver for FnResolver<F>
where
    F: Fn(&Address) -> Vec<Address> + Send + Sync,
{
    fn resolve<'a>(&'a self, address: &'a Address) -> BoxFuture<'a, Vec<Address>> {
        let out = (self.0)(address);
        Box::pin(std::future::ready(out))
    }
}

/// DNS through the system resolver (tokio's `lookup_host`). An address that
/// is already resolved, or an IP literal, resolves to itself.
#[derive(Debug, Clone, Copy, Default)]
pub struct DnsResolver;

impl Resolver for DnsResolver {
    fn resolve<'a>(&'a self, address: &'a Address) -> BoxFuture<'a, Vec<Address>> {
        Box::pin(async move { self.try_resolve(address).await.unwrap_or_default() })
    }

    fn try_resolve<'a>(
        &'a self,
        address: &'a Address,
    ) -> BoxFuture<'a, std::io::Result<Vec<Address>>> {
        Box::pin(async move {
            if address.is_resolved() || address.host().parse::<std::net::IpAddr>().is_ok() {
                return Ok(vec![address.clone()]);
            }
            match tokio::net::lookup_host((address.host(), address.port())).await {
                Ok(found) => {
                    let mut out: Vec<Address> = Vec::new();
                    for sa in found {
                        let a = Address::from(sa).resolved_from(address);
                        if !out.contains(&a) {
                            out.push(a);
                        }
                    }
                    Ok(out)
                }
                Err(e) => {
                    tracing::warn!(%address, error = %e, "DNS resolution failed");
                    Err(e)
                }
            }
        })
    }
}

/// Custom resolver (if any) then DNS on each of its results, without
/// duplicates, in order; with the last resolution failure, if any (the
/// reason, when nothing was found).
pub(crate) async fn resolve_all(
    custom: Option<&dyn Resolver>,
    dns: &dyn Resolver,
    address: &Address,
) -> (Vec<Address>, Option<(Address, std::io::Error)>) {
    let first = match custom {
        Some(r) => r.resolve(address).await,
        None => vec![address.clone()],
    };
    let mut out: Vec<Address> = Vec::new();
    let mut failure = None;
    for a in &first {
        match dns.try_resolve(a).await {
            Ok(found) => {
                for resolved in found {
                    if !out.contains(&resolved) {
                        out.push(resolved);
                    }
                }
            }
            Err(e) => failure = Some((a.clone(), e)),
        }
    }
    (out, failure)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn dns_keeps_ip_literals_and_resolves_localhost() {
        let ip = Address::new("127.0.0.1", 9);
        assert_eq!(DnsResolver.resolve(&ip).await, vec![ip.clone()]);
        let local = Address::new("localhost", 9);
        let found = DnsResolver.resolve(&local).await;
        assert!(!found.is_empty());
        assert!(found
            .iter()
            .all(|a| a.is_resolved() && a.server_name() == "localhost"));
    }

    #[tokio::test]
    async fn custom_then_dns_in_order_without_duplicates() {
        let custom = FnResolver::new(|_: &Address| {
            vec![
                Address::new("10.0.0.2", 1),
                Address::new("10.0.0.1", 1),
                Address::new("10.0.0.2", 1),
            ]
        });
        let (got, failure) =
            resolve_all(Some(&custom), &DnsResolver, &Address::new("seed", 1)).await;
        assert!(failure.is_none());
        assert_eq!(
            got,
            vec![Address::new("10.0.0.2", 1), Address::new("10.0.0.1", 1)]
        );
    }

    #[tokio::test]
    async fn a_dns_failure_is_kept_with_the_address() {
        let bad = Address::new("no-such-host.invalid", 7687);
        let (got, failure) = resolve_all(None, &DnsResolver, &bad).await;
        assert!(got.is_empty());
        let (address, _) = failure.expect("the DNS error is kept");
        assert_eq!(address, bad);
    }
}
