//! TestKit's `AuthorizationToken` to the driver's `AuthToken`, and the auth token managers
//! whose decisions TestKit makes through callbacks.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use quiver::{AuthToken, AuthTokenManager, BoxFuture, ExpiringAuth, RefreshingAuthTokenManager};

use crate::callbacks;
use crate::connection::WeakCtx;
use crate::convert::plain_json_to_value;
use crate::ids::Id;
use crate::requests::{AuthTokenData, AuthorizationToken};
use crate::state::AuthManagerKind;

/// The driver's token for TestKit's.
pub fn to_auth_token(token: &AuthorizationToken) -> AuthToken {
    let AuthTokenData {
        scheme,
        principal,
        credentials,
        realm,
        parameters,
    } = token.data();
    let principal = principal.clone().unwrap_or_default();
    let credentials = credentials.clone().unwrap_or_default();
    match scheme.as_str() {
        "none" => AuthToken::none(),
        "basic" => match realm {
            Some(realm) => AuthToken::basic_with_realm(principal, credentials, realm.clone()),
            None => AuthToken::basic(principal, credentials),
        },
        "bearer" => AuthToken::bearer(credentials),
        "kerberos" => AuthToken::kerberos(credentials),
        other => AuthToken::custom(
            other,
            principal,
            credentials,
            realm.clone(),
            parameters.as_ref().map(|p| {
                p.iter()
                    .map(|(k, v)| (k.clone(), plain_json_to_value(v.clone())))
                    .collect()
            }),
        ),
    }
}

/// Tokens handed to the driver, with the TestKit form they came from: the driver's token does
/// not reveal its credentials, and TestKit wants the very token back in
/// `AuthTokenManagerHandleSecurityExceptionRequest`.
#[derive(Debug, Default)]
struct HandedOut(Mutex<Vec<(AuthToken, AuthorizationToken)>>);

impl HandedOut {
    fn remember(&self, original: &AuthorizationToken) -> AuthToken {
        let token = to_auth_token(original);
        let mut list = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        if !list.iter().any(|(t, _)| *t == token) {
            list.push((token.clone(), original.clone()));
        }
        token
    }

    fn original(&self, token: &AuthToken) -> AuthorizationToken {
        let list = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        match list.iter().find(|(t, _)| t == token) {
            Some((_, original)) => original.clone(),
            // Not one of ours: send what the driver's token shows.
            None => AuthorizationToken::AuthorizationToken(AuthTokenData {
                scheme: token.scheme().to_owned(),
                principal: token.principal().map(str::to_owned),
                credentials: None,
                realm: token.realm().map(str::to_owned),
                parameters: None,
            }),
        }
    }
}

fn user_error(e: crate::error::Error) -> quiver::Error {
    quiver::Error::user(e)
}

/// `NewAuthTokenManager`'s manager: `get_auth` and `handle_security_error` ask TestKit.
#[derive(Debug)]
pub struct TestkitAuthTokenManager {
    ctx: WeakCtx,
    id: Id,
    handed_out: HandedOut,
}

impl TestkitAuthTokenManager {
    /// The manager TestKit created under `id`.
    pub fn new(ctx: WeakCtx, id: Id) -> Self {
        Self {
            ctx,
            id,
            handed_out: HandedOut::default(),
        }
    }
}

impl AuthTokenManager for TestkitAuthTokenManager {
    fn get_auth(&self) -> BoxFuture<'_, quiver::Result<AuthToken>> {
        Box::pin(async move {
            let ctx = self.ctx.upgrade().map_err(user_error)?;
            let token = callbacks::get_auth(&ctx, self.id)
                .await
                .map_err(user_error)?;
            Ok(self.handed_out.remember(&token))
        })
    }

    fn handle_security_error<'a>(
        &'a self,
        auth: &'a AuthToken,
        error: &'a quiver::Error,
    ) -> BoxFuture<'a, quiver::Result<bool>> {
        Box::pin(async move {
            let ctx = self.ctx.upgrade().map_err(user_error)?;
            callbacks::handle_security_exception(
                &ctx,
                self.id,
                self.handed_out.original(auth),
                error.code().unwrap_or_default().to_owned(),
            )
            .await
            .map_err(user_error)
        })
    }
}

/// The driver's manager for a TestKit auth token manager of any kind.
pub fn auth_token_manager(
    ctx: WeakCtx,
    id: Id,
    kind: AuthManagerKind,
    clock: Arc<dyn quiver::Clock>,
) -> Arc<dyn AuthTokenManager> {
    match kind {
        AuthManagerKind::Custom => Arc::new(TestkitAuthTokenManager::new(ctx, id)),
        AuthManagerKind::Basic => Arc::new(
            RefreshingAuthTokenManager::basic(move || {
                let ctx = ctx.clone();
                async move {
                    let ctx = ctx.upgrade().map_err(user_error)?;
                    let token = callbacks::provide_basic_auth(&ctx, id)
                        .await
                        .map_err(user_error)?;
                    Ok(to_auth_token(&token))
                }
            })
            .with_clock(clock),
        ),
        AuthManagerKind::Bearer => Arc::new(
            RefreshingAuthTokenManager::bearer(move || {
                let ctx = ctx.clone();
                async move {
                    let ctx = ctx.upgrade().map_err(user_error)?;
                    let (token, expires_in_ms) = callbacks::provide_bearer_auth(&ctx, id)
                        .await
                        .map_err(user_error)?;
                    let auth = ExpiringAuth::new(to_auth_token(&token));
                    Ok(match expires_in_ms {
                        // A token that expired already (or right now) must be refreshed on use.
                        Some(ms) => {
                            auth.expires_in(Duration::from_millis(u64::try_from(ms).unwrap_or(0)))
                        }
                        None => auth,
                    })
                }
            })
            .with_clock(clock),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token(json: serde_json::Value) -> AuthorizationToken {
        serde_json::from_value(serde_json::json!({"name": "AuthorizationToken", "data": json}))
            .unwrap()
    }

    #[test]
    fn schemes_map_to_driver_tokens() {
        assert_eq!(
            to_auth_token(&token(
                serde_json::json!({"scheme": "basic", "principal": "u", "credentials": "p"})
            )),
            AuthToken::basic("u", "p")
        );
        assert_eq!(
            to_auth_token(&token(
                serde_json::json!({"scheme": "basic", "principal": "u",
                "credentials": "p", "realm": "r"})
            )),
            AuthToken::basic_with_realm("u", "p", "r")
        );
        assert_eq!(
            to_auth_token(&token(
                serde_json::json!({"scheme": "bearer", "credentials": "t"})
            )),
            AuthToken::bearer("t")
        );
        assert_eq!(
            to_auth_token(&token(
                serde_json::json!({"scheme": "kerberos", "credentials": "k"})
            )),
            AuthToken::kerberos("k")
        );
        let custom = to_auth_token(&token(serde_json::json!({"scheme": "wild-west",
            "principal": "u", "credentials": "p", "realm": "r", "parameters": {"n": 1}})));
        assert_eq!(custom.scheme(), "wild-west");
        assert_eq!(custom.realm(), Some("r"));
    }

    #[test]
    fn handed_out_tokens_are_given_back_whole() {
        let handed = HandedOut::default();
        let original = token(serde_json::json!({"scheme": "bearer", "credentials": "secret"}));
        let driver_token = handed.remember(&original);
        assert_eq!(handed.original(&driver_token), original);
        let stranger = handed.original(&AuthToken::basic("x", "y"));
        assert_eq!(stranger.data().scheme, "basic");
        assert_eq!(stranger.data().credentials, None);
    }

    fn assert_send_sync<T: Send + Sync>(_: &T) {}

    #[test]
    fn adapters_are_send_and_sync() {
        // The driver keeps managers behind `Arc<dyn AuthTokenManager>` (Send + Sync) and may
        // call them from any task.
        let weak = crate::connection::tests_support::dangling_ctx();
        let m = TestkitAuthTokenManager::new(weak, Id::from(1));
        assert_send_sync(&m);
        let fut = m.get_auth();
        fn assert_send<T: Send>(_: &T) {}
        assert_send(&fut);
    }
}
