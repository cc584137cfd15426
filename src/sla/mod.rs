//! The 10-minute rule: business-hours deadlines, callback evidence. (skeleton)
