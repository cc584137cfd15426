//! IMAP IDLE watcher. (skeleton)
