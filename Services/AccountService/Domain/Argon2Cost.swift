/// Argon2id's cost (`ARGON2_ITERATIONS`, `ARGON2_MEMORY_KIB`, `ARGON2_PARALLELISM`). The defaults
/// are argon2-cffi's, so hashes made by the original system verify and new ones look the same.
struct Argon2Cost: Sendable, Equatable {
    var iterations: UInt32 = 3
    var memoryKiB: UInt32 = 65536
    var parallelism: UInt32 = 4
}
