/// This build's release, the same for all five services (they ship together), reported by
/// `/health` so an operator sees at a glance whether every service runs the same one.
public enum Release {
    public static let version = "2026.12.1"
}
