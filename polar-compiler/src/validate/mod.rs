//! Load-time validation. (in progress)
