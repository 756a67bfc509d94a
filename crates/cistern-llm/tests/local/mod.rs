mod capacity;
mod harness;
mod output;
mod routing;
