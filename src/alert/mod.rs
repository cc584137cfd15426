//! Alert channels: Telegram, email, webhook, amoCRM task. (skeleton)
