//! Integration tests of the creator binary and library.
