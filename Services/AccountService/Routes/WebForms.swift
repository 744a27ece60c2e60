/// A page's form as a browser posts it (`application/x-www-form-urlencoded`), decoded by
/// `WebSession.submitted`. Every field is optional: one left out gets the page's own message.
protocol WebForm: Decodable, Sendable {
    /// The double-submit token that proves the form came from our page.
    var csrf: String? { get }
}

/// Log out, rotate the key, and the night page's buttons without inputs.
struct CSRFOnlyForm: WebForm {
    var csrf: String?
}

struct SignupPageForm: WebForm {
    var csrf: String?
    var email: String?
    var djName: String?
    var timezone: String?
    var password: String?
    var passwordAgain: String?

    enum CodingKeys: String, CodingKey {
        case csrf, email, timezone, password
        case djName = "dj_name"
        case passwordAgain = "password_again"
    }
}

struct LoginPageForm: WebForm {
    var csrf: String?
    var email: String?
    var password: String?
    var next: String?
}

struct ForgotPasswordForm: WebForm {
    var csrf: String?
    var email: String?
}

struct ResetPasswordForm: WebForm {
    var csrf: String?
    var token: String?
    var password: String?
    var passwordAgain: String?

    enum CodingKeys: String, CodingKey {
        case csrf, token, password
        case passwordAgain = "password_again"
    }
}

struct ProfileForm: WebForm {
    var csrf: String?
    var email: String?
    var djName: String?
    var timezone: String?

    enum CodingKeys: String, CodingKey {
        case csrf, email, timezone
        case djName = "dj_name"
    }
}

struct PasswordChangeForm: WebForm {
    var csrf: String?
    var currentPassword: String?
    var newPassword: String?
    var newPasswordAgain: String?

    enum CodingKeys: String, CodingKey {
        case csrf
        case currentPassword = "current_password"
        case newPassword = "new_password"
        case newPasswordAgain = "new_password_again"
    }
}

struct DeleteAccountForm: WebForm {
    var csrf: String?
    var password: String?
}

/// `/admin/users/:id/{active,role,reset-key}`.
struct AccountAdminForm: WebForm {
    var csrf: String?
    var active: String?
    var role: String?
}

/// `/admin/queue/:action`: numbers stay text here so a bad one gets the night page's message.
struct QueueActionForm: WebForm {
    var csrf: String?
    var userId: String?
    var position: String?
    var minutes: String?
    var reset: String?

    enum CodingKeys: String, CodingKey {
        case csrf, position, minutes, reset
        case userId = "user_id"
    }
}

/// `/admin/outputs`: a new output target. The stream key is written here and never shown again.
struct OutputForm: WebForm {
    var csrf: String?
    var name: String?
    var url: String?
    var streamKey: String?

    enum CodingKeys: String, CodingKey {
        case csrf, name, url
        case streamKey = "stream_key"
    }
}

/// `/recordings/:id/delete`, from the dashboard or (`from=admin`) the admins' list.
struct RecordingDeleteForm: WebForm {
    var csrf: String?
    var from: String?
}
