/// The filter API version this library speaks (OpenSMTPD-portable 6.0.x, FILTER_API_VERSION).
public let FilterVersion: UInt32 = 52

/// The queue API version of the same daemon generation (QUEUE_API_VERSION).
public let QueueVersion: UInt32 = 2

/// The table API version this library speaks (PROC_TABLE_API_VERSION).
public let TableVersion: UInt32 = 2
