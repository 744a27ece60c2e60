/// Everything that can go wrong for an account holder: the sentence they are shown and the form
/// field at fault. `Routes/AccountError+HTTP.swift` maps it to HTTP, in one place.
enum AccountError: Error, Equatable {
    case duplicateEmail
    case duplicateDJName
    case invalidField(field: String, message: String)
    case invalidCredentials
    case accountDeactivated
    case unknownStreamKey
    /// The session token is valid but its account is gone, deactivated or its sessions ended.
    case userNotFound
    /// No session token, or one that is not ours.
    case notSignedIn
    /// An admin acted on an account id that does not exist.
    case noSuchAccount
    /// A door that checks or sets a password was tried too often; try again after this many seconds.
    case tooManyAttempts(retryAfter: Int)
    /// As many password hashes are running and waiting as AccountService allows; try again after this many seconds.
    case busy(retryAfter: Int)
    /// A profile picture over `ProfilePicture.maximumUploadBytes`.
    case pictureTooLarge
    /// A profile picture that is no PNG, JPEG, GIF or WebP, or that ffmpeg could not make a picture of.
    case unreadablePicture
    /// ffmpeg could not be run, or as many pictures are being made as allowed: pictures cannot be
    /// taken now (the operator's log says why when ffmpeg is missing).
    case picturesUnavailable
    /// No picture has this id (it was replaced or removed, or its account is gone or deactivated).
    case noSuchPicture

    var message: String {
        switch self {
        case .duplicateEmail: "An account with this email already exists. Log in instead, or reset your password."
        case .duplicateDJName: "This DJ name is taken. Pick another one."
        case .invalidField(_, let message): message
        case .invalidCredentials: "Incorrect email or password"
        case .accountDeactivated: "This account is deactivated. Ask an admin to reactivate it."
        case .unknownStreamKey: "No active account has this stream key."
        case .userNotFound: "Your session is no longer valid. Log in again."
        case .notSignedIn: "Sign in first: send `Authorization: Bearer <token>`."
        case .noSuchAccount: "No such account."
        case .tooManyAttempts(let seconds): "Too many attempts. Wait \(seconds / 60 + 1) minutes and try again."
        case .busy: "Too many sign-ups and logins at once. Try again in a few seconds."
        case .pictureTooLarge: "This picture is over 4 MB. Pick a smaller one."
        case .unreadablePicture: "This is not a picture that can be read. Pick a PNG, JPEG, GIF or WebP image."
        case .picturesUnavailable: "Pictures cannot be taken right now. Try again later, or go on without one."
        case .noSuchPicture: "No such picture."
        }
    }

    var field: String? {
        switch self {
        case .duplicateEmail: "email"
        case .duplicateDJName: "dj_name"
        case .invalidField(let field, _): field
        case .pictureTooLarge, .unreadablePicture, .picturesUnavailable: "picture"
        case .invalidCredentials, .accountDeactivated, .unknownStreamKey, .userNotFound, .notSignedIn, .noSuchAccount, .tooManyAttempts, .busy,
             .noSuchPicture: nil
        }
    }
}
