//! amoCRM: the only module that knows amoCRM's JSON. (skeleton)

pub mod events;
