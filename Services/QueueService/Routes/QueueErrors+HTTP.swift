import Hummingbird
import Shared

/// Where the queue's errors become HTTP answers: the engine and the machine throw plain errors.
extension QueueUnavailable: HTTPResponseError {
    var status: HTTPResponse.Status { .serviceUnavailable }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        try APIError.unavailable("The queue could not save this change, so it was not made. Try again.", code: "queue_not_durable")
            .response(from: request, context: context)
    }
}

extension QueueCommandError: HTTPResponseError {
    private var apiError: APIError {
        switch self {
        case .nobodyOnAir: .conflict("Nobody is on air.", code: "nobody_on_air")
        case .isOnAir: .conflict("This DJ is on air: skip them instead.", code: "dj_on_air")
        case .notInQueue: .notFound("This DJ is not in the queue.", code: "not_in_queue")
        case .noSuchPosition(let count): .badRequest("Positions run from 1 to \(count).", code: "invalid_position", field: "position")
        case .invalidSeconds: .badRequest("Give a positive number of seconds (at most a week for the interval, a day for an extension).", code: "invalid_seconds", field: "seconds")
        }
    }

    var status: HTTPResponse.Status { apiError.status }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        try apiError.response(from: request, context: context)
    }
}
