//! The crate's one integration test binary.

mod awkward;
mod corpus;
mod example;
mod fuzz_seeds;
mod gen;
mod limits;
mod merge;
mod model_file;
mod naive;
mod prop;
mod quality;
mod regressions;
mod sections;
mod seeds;
