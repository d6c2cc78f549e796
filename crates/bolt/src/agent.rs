//! The user agent and the bolt agent (5.3+) the client sends in HELLO.
//!
//! Shaped like the official drivers': `product` is `name/version`, `platform` names
//! the OS and CPU, `language` the language and the user agent joins them.

/// The default product: this crate's name and version.
pub const DEFAULT_PRODUCT: &str = concat!("quiver/", env!("CARGO_PKG_VERSION"));

/// The structured agent of Bolt 5.3+ (`bolt_agent` in HELLO).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct BoltAgent {
    /// `name/version` of the driver, e.g. `quiver/0.1.0`.
    pub product: String,
    /// OS and architecture, e.g. `linux; x86_64`.
    pub platform: Option<String>,
    /// Language and runtime, e.g. `Rust`.
    pub language: Option<String>,
    /// More about the language runtime.
    pub language_details: Option<String>,
}

impl BoltAgent {
    /// The agent for a product (`name/version`) on this platform.
    pub fn for_product(product: impl Into<String>) -> Self {
        BoltAgent {
            product: product.into(),
            platform: Some(format!(
                "{}; {}",
                std::env::consts::OS,
                std::env::consts::ARCH
            )),
            language: Some("Rust".to_owned()),
            language_details: Some(format!(
                "{}; {}",
                std::env::consts::FAMILY,
                std::env::consts::ARCH
            )),
        }
    }

    /// The user agent string derived from this agent: `product Rust (os)`, as the
    /// official drivers join theirs.
    pub fn user_agent(&self) -> String {
        format!(
            "{} {} ({})",
            self.product,
            self.language.as_deref().unwrap_or("Rust"),
            std::env::consts::OS
        )
    }
}

impl Default for BoltAgent {
    fn default() -> Self {
        Self::for_product(DEFAULT_PRODUCT)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults() {
        let a = BoltAgent::default();
        assert!(a.product.starts_with("quiver/"));
        assert!(a
            .platform
            .as_deref()
            .unwrap()
            .contains(std::env::consts::ARCH));
        assert!(a.user_agent().starts_with("quiver/"));
        assert!(a.user_agent().contains("Rust"));
    }
}
