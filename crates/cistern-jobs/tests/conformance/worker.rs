//! Worker tests (below).
