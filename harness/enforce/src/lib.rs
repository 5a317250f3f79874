//! enforcement predicates
