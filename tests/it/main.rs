//! The crate's one integration test binary.

mod corpus;
mod example;
mod quality;
mod regressions;
mod seeds;
