//! Admin-written rule files: match, extract, classify. (skeleton)

pub mod crm_spec;
