//! Integration tests of cistern-extension: the validator on fixtures (one per rule), the
//! generation contract, versions, packaging, and the real-browser check in Chromium.

mod blueprint;
mod chromium;
mod contract;
mod fixtures;
mod package;
mod pages;
mod props;
mod validate;
