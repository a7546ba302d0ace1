//! Legacy WMS simulator.
