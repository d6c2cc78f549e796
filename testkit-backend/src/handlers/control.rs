//! `StartTest`, `StartSubTest`, `GetFeatures`: answered from the tables in [`crate::features`].

use crate::connection::Ctx;
use crate::features::{self, FEATURES, SKIPS, SUBTESTS};
use crate::requests::{GetFeatures, StartSubTest, StartTest};
use crate::responses::Response;

/// `GetFeatures` → `FeatureList`.
pub fn get_features(_ctx: &Ctx, _request: GetFeatures) -> Response {
    Response::FeatureList {
        features: FEATURES.iter().map(|f| (*f).to_owned()).collect(),
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
