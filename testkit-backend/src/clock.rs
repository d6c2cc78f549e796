//! The clock every driver of a connection gets: the system clock, or TestKit's fake clock
//! between `FakeTimeInstall` and `FakeTimeUninstall` (switchable while drivers exist, since
//! TestKit may install fake time after creating the driver).

use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use quiver::{BoxFuture, Clock, FakeClock, SystemClock};

/// A clock that follows the connection's fake-time setting. Cheap to clone; clones share the
/// setting.
#[derive(Debug, Clone, Default)]
pub struct BackendClock {
    fake: Arc<Mutex<Option<FakeClock>>>,
}

impl BackendClock {
    fn current(&self) -> Option<FakeClock> {
        self.fake
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Freezes time (`FakeTimeInstall`). Installing again restarts from now.
    pub fn install(&self) {
        *self.fake.lock().unwrap_or_else(PoisonError::into_inner) = Some(FakeClock::new());
    }

    /// Advances fake time (`FakeTimeTick`); `false` when no fake time is installed.
    pub fn tick(&self, by: Duration) -> bool {
        match self.current() {
            Some(fake) => {
                fake.tick(by);
                true
            }
            None => false,
        }
    }

    /// Back to the system clock (`FakeTimeUninstall`).
    pub fn uninstall(&self) {
        *self.fake.lock().unwrap_or_else(PoisonError::into_inner) = None;
    }

    /// Whether fake time is installed.
    pub fn is_fake(&self) -> bool {
        self.current().is_some()
    }

    /// This clock as the driver takes it.
    pub fn shared(&self) -> Arc<dyn Clock> {
        Arc::new(self.clone())
    }
}

impl Clock for BackendClock {
    fn now(&self) -> Instant {
        match self.current() {
            Some(fake) => fake.now(),
            None => SystemClock.now(),
        }
    }

    fn sleep(&self, duration: Duration) -> BoxFuture<'static, ()> {
        match self.current() {
            Some(fake) => fake.sleep(duration),
            None => SystemClock.sleep(duration),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fake_time_moves_only_when_told() {
        let clock = BackendClock::default();
        assert!(!clock.tick(Duration::from_secs(1)));
        clock.install();
        assert!(clock.is_fake());
        let t0 = clock.now();
        std::thread::sleep(Duration::from_millis(5));
        assert_eq!(clock.now(), t0);
        assert!(clock.tick(Duration::from_millis(1500)));
        assert_eq!(clock.now() - t0, Duration::from_millis(1500));
        // A clone handed to a driver sees the same fake time.
        let driver_view = clock.shared();
        assert_eq!(driver_view.now() - t0, Duration::from_millis(1500));
        clock.uninstall();
        assert!(!clock.is_fake());
        assert!(!driver_view.now().elapsed().is_zero() || driver_view.now() >= t0);
    }
}
