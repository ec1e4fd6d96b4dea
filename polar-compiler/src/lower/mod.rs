//! Resource-block desugaring and rule collection. (in progress)
