//! The spec language reference (this text is `harness/enforce/SPEC.md`).
#![doc = include_str!("../SPEC.md")]
