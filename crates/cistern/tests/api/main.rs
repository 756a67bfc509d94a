//! Integration tests of the `cistern` server: the real application, booted by [`helpers::TestApp`].

mod auth;
mod binary;
mod edge;
mod health;
mod helpers;
mod openapi;
mod shutdown;
