import KilnCore

/// A loaded model artifact that runs one batch at a time.
///
/// `execute` is called on the scheduler's compute threads, never on an event loop, and may be
/// called by several instances at once.
public protocol ModelRuntime: Sendable {
    /// Runs a batch. Inputs come in the order of the config's `inputs`; outputs are returned in
    /// the order of its `outputs`.
    func execute(_ inputs: [Tensor]) throws -> [Tensor]
}
