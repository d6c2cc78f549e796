//! When and how long to wait before retrying a transaction function.

use std::future::Future;
use std::hash::{BuildHasher, Hasher};
use std::time::{Duration, Instant};

use crate::error::{Error, Result};
use crate::Clock;

const MAX_DELAY_SECS: f64 = 3600.0;

/// Exponential backoff with jitter, bounded by a total retry time: the
/// official drivers' policy for transaction functions.
///
/// After the first failure the driver waits about `initial_delay`, then each
/// wait is `multiplier` times the previous one, each randomly moved by up to
/// `jitter` of itself (0.2 = ±20 %), and never past `max_retry_time`
/// counted from the first failure: the last attempt starts by then, and
/// once the time is up the last error is returned.
///
/// ```
/// use std::time::Duration;
/// use quiver::RetryPolicy;
///
/// let policy = RetryPolicy::new(Duration::from_secs(30));
/// // Without jitter (random = 0.5 picks the middle), delays double from 1 s.
/// assert_eq!(policy.delay(0, 0.5), Duration::from_secs(1));
/// assert_eq!(policy.delay(3, 0.5), Duration::from_secs(8));
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RetryPolicy {
    initial_delay: Duration,
    multiplier: f64,
    jitter: f64,
    max_retry_time: Duration,
}

impl RetryPolicy {
    /// The default delays (1 s, ×2, ±20 %) with the given total retry time.
    pub fn new(max_retry_time: Duration) -> Self {
        RetryPolicy {
            initial_delay: Duration::from_secs(1),
            multiplier: 2.0,
            jitter: 0.2,
            max_retry_time,
        }
    }

    /// Sets the first delay.
    pub fn with_initial_delay(mut self, delay: Duration) -> Self {
        self.initial_delay = delay;
        self
    }

    /// Sets the factor between two delays (at least 1).
    pub fn with_multiplier(mut self, multiplier: f64) -> Self {
        self.multiplier = if multiplier.is_finite() {
            multiplier.max(1.0)
        } else {
            1.0
        };
        self
    }

    /// Sets the jitter, between 0 and 1.
    pub fn with_jitter(mut self, jitter: f64) -> Self {
        self.jitter = if jitter.is_finite() {
            jitter.clamp(0.0, 1.0)
        } else {
            0.0
        };
        self
    }

    /// The total time retries may take.
    pub fn max_retry_time(&self) -> Duration {
        self.max_retry_time
    }

    /// The wait before retry number `retry` (0 for the first), with `random`
    /// in `[0, 1)` choosing where in the jitter band it falls.
    pub fn delay(&self, retry: u32, random: f64) -> Duration {
        let exponent = i32::try_from(retry).unwrap_or(i32::MAX);
        // An hour is far beyond any sensible retry time; capping there also
        // keeps the arithmetic below finite.
        let base =
            (self.initial_delay.as_secs_f64() * self.multiplier.powi(exponent)).min(MAX_DELAY_SECS);
        let random = if random.is_finite() {
            random.clamp(0.0, 1.0)
        } else {
            0.5
        };
        let spread = base * self.jitter;
        let secs = base - spread + 2.0 * spread * random;
        Duration::try_from_secs_f64(secs.clamp(0.0, MAX_DELAY_SECS)).unwrap_or(Duration::ZERO)
    }

    /// Starts tracking one transaction function's attempts.
    pub fn start(&self) -> RetryState {
        RetryState {
            policy: *self,
            first_failure: None,
            retries: 0,
        }
    }
}

impl Default for RetryPolicy {
    /// The official defaults: 30 s of retries.
    fn default() -> Self {
        RetryPolicy::new(Duration::from_secs(30))
    }
}

/// What to do after a failed attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum RetryDecision {
    /// Wait this long, then try again.
    RetryAfter(Duration),
    /// Stop and report the error.
    GiveUp,
}

/// The attempts of one transaction function so far.
#[derive(Debug, Clone)]
pub struct RetryState {
    policy: RetryPolicy,
    first_failure: Option<Instant>,
    retries: u32,
}

impl RetryState {
    /// Decides what follows a failure at `now`, with `random` in `[0, 1)`
    /// for the jitter. Errors that are not
    /// [retryable](Error::is_retryable) end the attempts, and so does the
    /// retry time running out (counted from the first failure).
    pub fn on_failure(&mut self, error: &Error, now: Instant, random: f64) -> RetryDecision {
        if !error.is_retryable() {
            return RetryDecision::GiveUp;
        }
        let first = *self.first_failure.get_or_insert(now);
        let elapsed = now.saturating_duration_since(first);
        let max = self.policy.max_retry_time;
        // Past the retry time, or at it after a retry (the last wait ends
        // there): give up. A zero retry time still allows one immediate
        // retry after the first failure, as the Python driver does.
        if elapsed > max || (elapsed == max && self.retries > 0) {
            return RetryDecision::GiveUp;
        }
        // The last wait ends at the retry time rather than past it.
        let delay = self
            .policy
            .delay(self.retries, random)
            .min(max.saturating_sub(elapsed));
        self.retries = self.retries.saturating_add(1);
        RetryDecision::RetryAfter(delay)
    }

    /// How many retries were granted so far.
    pub fn retries(&self) -> u32 {
        self.retries
    }
}

/// Runs `work` until it succeeds, fails with an error that is not
/// retryable, or the policy's retry time runs out; waits between attempts on
/// `clock`. `work` gets the attempt number (0 first).
///
/// ```
/// use std::time::Duration;
/// use quiver::{retry::run_with_retry, Error, FakeClock, RetryPolicy};
///
/// # async fn demo() -> quiver::Result<()> {
/// let clock = FakeClock::new();
/// let value = run_with_retry(&RetryPolicy::default(), &clock, |attempt| async move {
///     Ok::<_, Error>(attempt + 1)
/// })
/// .await?;
/// assert_eq!(value, 1);
/// # Ok(()) }
/// ```
pub async fn run_with_retry<T, F, Fut>(
    policy: &RetryPolicy,
    clock: &dyn Clock,
    mut work: F,
) -> Result<T>
where
    F: FnMut(u32) -> Fut,
    Fut: Future<Output = Result<T>>,
{
    let mut state = policy.start();
    let mut random = Jitter::new();
    let mut attempt = 0u32;
    loop {
        match work(attempt).await {
            Ok(v) => return Ok(v),
            Err(e) => match state.on_failure(&e, clock.now(), random.next()) {
                RetryDecision::RetryAfter(delay) => {
                    tracing::debug!(attempt, ?delay, error = %e, "retrying transaction");
                    clock.sleep(delay).await;
                    attempt = attempt.saturating_add(1);
                }
                RetryDecision::GiveUp => return Err(e),
            },
        }
    }
}

/// A small pseudo-random source for jitter (xorshift, seeded from the
/// standard library's per-process random hasher keys): jitter needs spread,
/// not cryptographic quality.
pub(crate) struct Jitter(u64);

impl Jitter {
    pub(crate) fn new() -> Self {
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u64(0x9E37_79B9_7F4A_7C15);
        Jitter(h.finish() | 1)
    }

    pub(crate) fn next(&mut self) -> f64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        // 53 random bits into [0, 1).
        (x >> 11) as f64 / (1u64 << 53) as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{ErrorKind, ServerError};
    use crate::FakeClock;

    fn transient() -> Error {
        Error::server(ServerError::new(
            "Neo.TransientError.Transaction.DeadlockDetected",
            "deadlock",
        ))
    }

    #[test]
    fn delays_grow_exponentially_within_the_jitter_band() {
        let p = RetryPolicy::new(Duration::from_secs(30));
        assert_eq!(p.delay(0, 0.0), Duration::from_millis(800));
        assert_eq!(p.delay(0, 1.0), Duration::from_millis(1200));
        assert_eq!(p.delay(1, 0.5), Duration::from_secs(2));
        assert_eq!(p.delay(2, 0.0), Duration::from_millis(3200));
        assert_eq!(p.delay(u32::MAX, 0.5), Duration::from_secs(3600));
        assert!(p.delay(u32::MAX, 0.0) <= Duration::from_secs(3600));
        let custom = p
            .with_initial_delay(Duration::from_millis(100))
            .with_multiplier(3.0)
            .with_jitter(0.0);
        assert_eq!(custom.delay(2, 0.9), Duration::from_millis(900));
    }

    #[test]
    fn gives_up_on_non_retryable_errors() {
        let mut s = RetryPolicy::default().start();
        let e = Error::new(ErrorKind::CommitUnknown, "lost");
        assert_eq!(s.on_failure(&e, Instant::now(), 0.5), RetryDecision::GiveUp);
    }

    #[test]
    fn gives_up_once_the_retry_time_has_passed_since_the_first_failure() {
        let p = RetryPolicy::new(Duration::from_secs(5));
        let mut s = p.start();
        let t0 = Instant::now();
        assert_eq!(
            s.on_failure(&transient(), t0, 0.5),
            RetryDecision::RetryAfter(Duration::from_secs(1))
        );
        assert_eq!(
            s.on_failure(&transient(), t0 + Duration::from_secs(1), 0.5),
            RetryDecision::RetryAfter(Duration::from_secs(2))
        );
        // 4 s would end past the retry time: the wait ends at it.
        assert_eq!(
            s.on_failure(&transient(), t0 + Duration::from_secs(3), 0.5),
            RetryDecision::RetryAfter(Duration::from_secs(2))
        );
        assert_eq!(
            s.on_failure(&transient(), t0 + Duration::from_secs(5), 0.5),
            RetryDecision::GiveUp
        );
        assert_eq!(s.retries(), 3);
    }

    #[test]
    fn zero_retry_time_allows_one_immediate_retry() {
        let mut s = RetryPolicy::new(Duration::ZERO).start();
        let t0 = Instant::now();
        assert!(matches!(
            s.on_failure(&transient(), t0, 0.5),
            RetryDecision::RetryAfter(_)
        ));
        assert_eq!(
            s.on_failure(&transient(), t0 + Duration::from_millis(1), 0.5),
            RetryDecision::GiveUp
        );
    }

    #[test]
    fn jitter_stays_in_unit_interval() {
        let mut j = Jitter::new();
        for _ in 0..1000 {
            let r = j.next();
            assert!((0.0..1.0).contains(&r));
        }
    }

    fn block_on<F: Future>(fut: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(fut)
    }

    #[test]
    fn run_with_retry_retries_transient_errors_with_backoff_on_fake_time() {
        let clock = FakeClock::new();
        let policy = RetryPolicy::new(Duration::from_secs(30)).with_jitter(0.0);
        let out = block_on(run_with_retry(&policy, &clock, |attempt| async move {
            if attempt < 3 {
                Err(transient())
            } else {
                Ok(attempt)
            }
        }));
        assert_eq!(out.unwrap(), 3);
        assert_eq!(clock.sleeps(), [1, 2, 4].map(Duration::from_secs).to_vec());
    }

    #[test]
    fn run_with_retry_stops_at_max_retry_time_with_the_last_error() {
        let clock = FakeClock::new();
        let policy = RetryPolicy::new(Duration::from_secs(10)).with_jitter(0.0);
        let mut calls = 0;
        let out: Result<()> = block_on(run_with_retry(&policy, &clock, |_| {
            calls += 1;
            async { Err(transient()) }
        }));
        assert_eq!(out.unwrap_err().kind(), ErrorKind::Transient);
        // Failures at t = 0, 1, 3, 7 retry, the last wait cut to end at
        // 10 s; the failure at 10 s gives up.
        assert_eq!(calls, 5);
        assert_eq!(
            clock.sleeps(),
            [1, 2, 4, 3].map(Duration::from_secs).to_vec()
        );
        assert_eq!(
            clock.sleeps().iter().sum::<Duration>(),
            Duration::from_secs(10)
        );
    }

    #[test]
    fn run_with_retry_does_not_retry_client_errors() {
        let clock = FakeClock::new();
        let mut calls = 0;
        let out: Result<()> = block_on(run_with_retry(&RetryPolicy::default(), &clock, |_| {
            calls += 1;
            async {
                Err(Error::server(ServerError::new(
                    "Neo.ClientError.Statement.SyntaxError",
                    "bad",
                )))
            }
        }));
        assert!(out.is_err());
        assert_eq!(calls, 1);
        assert!(clock.sleeps().is_empty());
    }
}
