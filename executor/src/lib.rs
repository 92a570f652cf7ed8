//! Weft's execution engine (see ARCHITECTURE.md).
