import Hummingbird
import HummingbirdAuth
import KilnCore

/// Per-request state: the authenticated caller and the request id every log line and error carries.
public struct KilnRequestContext: AuthRequestContext, RequestContext {
    public var coreContext: CoreRequestContextStorage
    public var identity: Principal?
    public var requestID: String

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.identity = nil
        self.requestID = ""
    }

    /// The caller; routes behind the authentication middleware always have one.
    public func principal() throws -> Principal {
        guard let identity else { throw KilnError(.unauthenticated, "authentication required") }
        return identity
    }
}
