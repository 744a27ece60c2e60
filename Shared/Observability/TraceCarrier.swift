import Tracing

/// A trace context carried as text where no HTTP header can carry it: in a queue event, from the
/// request that caused it to the service that acts on it later.
public enum TraceCarrier {
    /// The current trace as a W3C `traceparent`, or nil when tracing is off.
    public static func currentTraceparent() -> String? {
        guard let context = ServiceContext.current else { return nil }
        var carrier: [String: String] = [:]
        InstrumentationSystem.instrument.inject(context, into: &carrier, using: DictionaryInjector())
        return carrier["traceparent"]
    }

    /// The context to continue a carried trace in, or nil when nothing was carried.
    public static func context(traceparent: String?) -> ServiceContext? {
        guard let traceparent, !traceparent.isEmpty else { return nil }
        var context = ServiceContext.topLevel
        InstrumentationSystem.instrument.extract(["traceparent": traceparent], into: &context, using: DictionaryExtractor())
        return context
    }
}

private struct DictionaryInjector: Injector {
    func inject(_ value: String, forKey key: String, into carrier: inout [String: String]) {
        carrier[key] = value
    }
}

private struct DictionaryExtractor: Extractor {
    func extract(key: String, from carrier: [String: String]) -> String? {
        carrier[key]
    }
}
