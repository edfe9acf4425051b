/// kubectl's short human durations (`duration.HumanDuration`), used for AGE columns: about
/// two significant figures, coarser as the duration grows.
///
/// | duration        | shape              |
/// |-----------------|--------------------|
/// | < -1s           | `<invalid>`        |
/// | -1s … 0         | `0s`               |
/// | < 2 minutes     | `45s`, `119s`      |
/// | < 10 minutes    | `3m20s`, `5m`      |
/// | < 3 hours       | `75m`              |
/// | < 8 hours       | `3h20m`, `4h`      |
/// | < 2 days        | `30h`              |
/// | < 8 days        | `3d4h`, `5d`       |
/// | < 2 years       | `400d`             |
/// | < 8 years       | `3y20d`, `2y`      |
/// | otherwise       | `12y`              |
///
/// Years are 365 days; all divisions truncate, as in the Go code.
public enum HumanDuration {
    public static func string(nanoseconds d: Int64) -> String {
        let second: Int64 = 1_000_000_000
        let seconds = d / second
        if seconds < -1 { return "<invalid>" }
        if seconds < 0 { return "0s" }
        if seconds < 120 { return "\(seconds)s" }
        let minutes = d / (60 * second)
        if minutes < 10 {
            let s = seconds % 60
            return s == 0 ? "\(minutes)m" : "\(minutes)m\(s)s"
        }
        if minutes < 180 { return "\(minutes)m" }
        let hours = d / (3600 * second)
        if hours < 8 {
            let m = minutes % 60
            return m == 0 ? "\(hours)h" : "\(hours)h\(m)m"
        }
        if hours < 48 { return "\(hours)h" }
        if hours < 24 * 8 {
            let h = hours % 24
            return h == 0 ? "\(hours / 24)d" : "\(hours / 24)d\(h)h"
        }
        if hours < 24 * 365 * 2 { return "\(hours / 24)d" }
        if hours < 24 * 365 * 8 {
            let days = (hours / 24) % 365
            return days == 0 ? "\(hours / 24 / 365)y" : "\(hours / 24 / 365)y\(days)d"
        }
        return "\(hours / 24 / 365)y"
    }

    public static func string(seconds: Int64) -> String {
        let (n, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        return string(nanoseconds: overflow ? (seconds < 0 ? Int64.min : Int64.max) : n)
    }

    /// kubectl's `ShortHumanDuration` (one unit only: `45s`, `3m`, `5h`, `12d`, `2y`).
    public static func short(nanoseconds d: Int64) -> String {
        let seconds = d / 1_000_000_000
        if seconds < -1 { return "<invalid>" }
        if seconds < 0 { return "0s" }
        if seconds < 60 { return "\(seconds)s" }
        let minutes = seconds / 60
        if minutes < 60 { return "\(minutes)m" }
        let hours = minutes / 60
        if hours < 24 { return "\(hours)h" }
        if hours < 24 * 365 { return "\(hours / 24)d" }
        return "\(hours / 24 / 365)y"
    }
}
