import CArgon2
import Shared
@main struct AccountServiceMain { static func main() { print(x, ARGON2_VERSION_13.rawValue) } }
