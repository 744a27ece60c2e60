import Testing
@testable import AccountService

@Suite struct AccountRulesTests {
    func form(email: String = "dj@example.org", password: String = "long enough", djName: String = "DJ Test", timezone: String = "Europe/Berlin") -> SignupForm {
        SignupForm(email: email, password: password, djName: djName, timezone: timezone)
    }

    func field(_ form: SignupForm) -> String? {
        do {
            _ = try AccountRules.validate(form)
            return nil
        } catch let AccountError.invalidField(field, _) {
            return field
        } catch {
            return "unexpected \(error)"
        }
    }

    @Test func aGoodSignupIsNormalised() throws {
        let signup = try AccountRules.validate(form(email: "  DJ@Example.org ", djName: "  Night Owl "))
        #expect(signup.email == "DJ@Example.org")
        #expect(signup.djName == "Night Owl")
    }

    @Test(arguments: ["", "no-at-sign", "two@@example.org", "dj@nodot", "dj @example.org", "dj@.org"])
    func badEmailsNameTheEmailField(_ email: String) {
        #expect(field(form(email: email)) == "email")
    }

    @Test func passwordsNeedEightCharacters() {
        #expect(field(form(password: "1234567")) == "password")
        #expect(field(form(password: "12345678")) == nil)
        #expect(field(form(password: String(repeating: "x", count: 2000))) == "password")
    }

    @Test(arguments: ["", "   ", String(repeating: "n", count: 41), "bad\u{0007}bell", "<script>"])
    func badDJNamesNameTheDJNameField(_ name: String) {
        #expect(field(form(djName: name)) == "dj_name")
    }

    @Test(arguments: ["", "Mars/Olympus", "Europe/Nowhere"])
    func unknownTimeZonesNameTheTimezoneField(_ zone: String) {
        #expect(field(form(timezone: zone)) == "timezone")
    }
}
