/// A configuration problem the operator must fix before the service can start.
public struct ConfigurationError: Error, CustomStringConvertible {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }

    static func missing(_ variable: String, hint: String) -> ConfigurationError {
        ConfigurationError("\(variable) is not set. \(hint)")
    }
}
