//! The AWS CLI's credential chain as a state machine without I/O: it is
//! given parsed files, an environment snapshot and options, and asks its
//! caller for every STS call, MFA code, file, cache entry and clock reading.
