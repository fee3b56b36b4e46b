/// An error with the step that was under way when it happened, so messages chain as
/// "setting up eth0: adding address 10.88.0.2/16: File exists (errno 17)".
public struct ContextError: Error, CustomStringConvertible, Sendable {
    public let context: String
    public let underlying: any Error

    public init(_ context: String, _ underlying: any Error) {
        self.context = context
        self.underlying = underlying
    }

    public var description: String { "\(context): \(underlying)" }

    /// The innermost error of the chain, for callers that need to match on it.
    public var root: any Error {
        var error: any Error = underlying
        while let inner = error as? ContextError { error = inner.underlying }
        return error
    }
}

/// Runs `body`, and puts `context` in front of any error it throws.
public func withContext<T>(_ context: @autoclosure () -> String, _ body: () throws -> T) throws
    -> T
{
    do {
        return try body()
    } catch {
        throw ContextError(context(), error)
    }
}

/// A plain error with a message, for validation failures and the like.
public struct MessageError: Error, CustomStringConvertible, Sendable, Equatable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
