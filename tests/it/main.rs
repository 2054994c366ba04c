mod corpus;
mod example;
