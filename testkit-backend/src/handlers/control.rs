//! `StartTest`, `StartSubTest`, `GetFeatures`: answered from the tables in [`crate::features`].

use crate::connection::Ctx;
use crate::features::{self, FORK_FEATURES_ENV, SKIPS, SUBTESTS};
use crate::requests::{GetFeatures, StartSubTest, StartTest};
use crate::responses::Response;

/// `GetFeatures` → `FeatureList`: [`features::FEATURES`], plus the fork-only ones when
/// `QUIVER_TESTKIT_FORK=1`.
pub fn get_features(_ctx: &Ctx, _request: GetFeatures) -> Response {
    let fork = std::env::var(FORK_FEATURES_ENV).is_ok_and(|v| v == "1");
    Response::FeatureList {
        features: features::advertised(fork)
            .into_iter()
            .map(str::to_owned)
            .collect(),
    }
}

/// `StartTest` → `RunTest` / `SkipTest` / `RunSubTests`.
pub fn start_test(_ctx: &Ctx, request: StartTest) -> Response {
    features::start_test(&request.test_name, SKIPS, SUBTESTS)
}

/// `StartSubTest` → `RunTest` / `SkipTest`.
pub fn start_subtest(_ctx: &Ctx, request: StartSubTest) -> Response {
    features::start_subtest(&request.test_name, &request.subtest_arguments, SUBTESTS)
}
