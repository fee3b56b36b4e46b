// libnftables inside the Ferry process: one context, one batch per call.
//
// nft_run_cmd_from_buffer parses a whole buffer of commands and sends them to the kernel as
// one netlink transaction, so a buffer is applied completely or not at all. Output and
// errors are buffered in the context rather than printed, so a failure carries nft's own
// message (with the offending line) and a listing can be returned as a string.
import CNFTables

/// A failed nftables call, with nft's own message.
public struct NFTablesError: Error, CustomStringConvertible, Sendable, Equatable {
    public let operation: String
    public let message: String

    public init(_ operation: String, message: String) {
        self.operation = operation
        self.message = message
    }

    public var description: String {
        let trimmed = message.trimmingTrailingNewlines()
        return trimmed.isEmpty ? "\(operation): nft failed" : "\(operation): \(trimmed)"
    }
}

/// An nftables context: runs batches of nft commands in this process.
///
/// The context is not thread-safe; one owner uses it from one thread at a time.
public final class NFTables {
    private let context: OpaquePointer

    /// Opens a context whose output and error go to buffers; `json` asks for JSON listings.
    public init(json: Bool = false) throws(NFTablesError) {
        guard let context = nft_ctx_new(UInt32(NFT_CTX_DEFAULT)) else {
            throw NFTablesError("creating an nftables context", message: "out of memory")
        }
        self.context = context
        if json {
            let flags = nft_ctx_output_get_flags(context)
            nft_ctx_output_set_flags(context, flags | UInt32(NFT_CTX_OUTPUT_JSON))
        }
        if nft_ctx_buffer_output(context) != 0 || nft_ctx_buffer_error(context) != 0 {
            nft_ctx_free(context)
            throw NFTablesError("buffering nftables output", message: "out of memory")
        }
    }

    deinit {
        nft_ctx_free(context)
    }

    /// Runs `commands` (nft syntax, one command a line) as one atomic batch and returns what
    /// nft printed (listings; empty for changes). On failure nothing of the batch is applied.
    @discardableResult
    public func run(_ commands: String, operation: @autoclosure () -> String = "applying rules")
        throws(NFTablesError) -> String
    {
        let status = nft_run_cmd_from_buffer(context, commands)

        // Reading a buffer also resets it, so each call starts clean.
        let output = nft_ctx_get_output_buffer(context).map { String(cString: $0) } ?? ""
        let errors = nft_ctx_get_error_buffer(context).map { String(cString: $0) } ?? ""
        if status != 0 { throw NFTablesError(operation(), message: errors) }
        return output
    }

    /// Checks `commands` without applying them (nft --check).
    public func check(_ commands: String) throws(NFTablesError) {
        nft_ctx_set_dry_run(context, true)
        defer { nft_ctx_set_dry_run(context, false) }
        try run(commands, operation: "checking rules")
    }
}

extension String {
    func trimmingTrailingNewlines() -> String {
        var text = Substring(self)
        while text.last == "\n" { text = text.dropLast() }
        return String(text)
    }
}
