mod corpus;
mod example;
mod quality;
mod seeds;
