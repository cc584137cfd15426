//! Task wiring, shutdown, reload and sd_notify for `amo-intake run`. (skeleton)
