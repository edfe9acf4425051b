import CapstanModel

/// Job and CronJob: counts, the pod template's restart policy, the cron schedule.
enum BatchRules {
    static func validateJob(_ object: Value, into errors: inout [FieldError]) {
        jobSpec(object["spec"], at: { FieldPath([.key("spec")]) }, into: &errors)
    }

    static func jobSpec(_ spec: Value, at path: LazyPath, into errors: inout [FieldError]) {
        guard spec.isObject else { return }
        for field in ["parallelism", "completions", "backoffLimit", "activeDeadlineSeconds", "ttlSecondsAfterFinished",
            "backoffLimitPerIndex", "maxFailedIndexes"]
        {
            WorkloadRules.nonNegativeField(spec, field, at: path, into: &errors)
        }
        if spec["completionMode"].stringValue == "Indexed", spec["completions"] == .null {
            errors.append(.required(path().child("completions"), "when completion mode is Indexed"))
        }
        let selector = spec["selector"]
        if selector.isObject {
            LabelSelectorRules.validate(selector, at: { path().child("selector") }, into: &errors)
            // A given selector (manualSelector, or the one the server generated) must select
            // the template's pods.
            let labels = spec["template"]["metadata"]["labels"]
            if spec["template"].isObject, !LabelSelectorRules.isEmpty(selector), !LabelSelectorRules.matches(selector, labels: labels) {
                errors.append(.invalid(
                    path().child("template").child("metadata").child("labels"), shown: goStringMap(labels.stringMapValue),
                    WorkloadRules.selectorMismatch))
            }
        }
        PodSpecRules.validateTemplate(spec["template"], at: { path().child("template") }, context: .job, into: &errors)
    }

    static func validateCronJob(_ object: Value, into errors: inout [FieldError]) {
        let spec = object["spec"]
        guard spec.isObject else { return }
        let path = { FieldPath([.key("spec")]) }
        if let schedule = spec["schedule"].stringValue {
            if let problem = CronSchedule.problem(schedule) {
                errors.append(.invalid(path().child("schedule"), .string(schedule), problem))
            }
        }
        for field in ["startingDeadlineSeconds", "successfulJobsHistoryLimit", "failedJobsHistoryLimit"] {
            WorkloadRules.nonNegativeField(spec, field, at: path, into: &errors)
        }
        let template = spec["jobTemplate"]
        MetadataRules.labels(
            template["metadata"]["labels"], at: { path().child("jobTemplate").child("metadata").child("labels") }, into: &errors)
        jobSpec(template["spec"], at: { path().child("jobTemplate").child("spec") }, into: &errors)
    }
}

/// The standard five-field cron syntax the CronJob controller accepts (minute, hour, day of
/// month, month, day of week), plus the `@hourly`-style descriptors and `@every <duration>`.
enum CronSchedule {
    static let descriptors: Set<String> = ["@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"]
    static let months = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]
    static let days = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"]

    /// nil when `schedule` parses; otherwise why not.
    static func problem(_ schedule: String) -> String? {
        let trimmed = schedule.trimmingSpaces()
        if trimmed.hasPrefix("TZ=") || trimmed.hasPrefix("CRON_TZ=") {
            return "cannot use TZ or CRON_TZ in schedule, use timeZone field instead"
        }
        if trimmed.hasPrefix("@") {
            if descriptors.contains(trimmed.lowercased()) { return nil }
            if trimmed.hasPrefix("@every ") { return nil }
            return "unrecognized descriptor: \(trimmed)"
        }
        let fields = trimmed.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard fields.count == 5 else {
            return "expected exactly 5 fields, found \(fields.count): [\(fields.joined(separator: " "))]"
        }
        let bounds: [(ClosedRange<Int>, [String])] = [(0...59, []), (0...23, []), (1...31, []), (1...12, months), (0...6, days)]
        for (i, field) in fields.enumerated() {
            if let problem = fieldProblem(field, range: bounds[i].0, names: bounds[i].1, allowQuestion: i == 2 || i == 4) {
                return problem
            }
        }
        return nil
    }

    private static func fieldProblem(_ field: String, range: ClosedRange<Int>, names: [String], allowQuestion: Bool) -> String? {
        for part in field.split(separator: ",", omittingEmptySubsequences: false) {
            let pieces = part.split(separator: "/", omittingEmptySubsequences: false)
            guard pieces.count <= 2 else { return "too many slashes: \(part)" }
            if pieces.count == 2 {
                guard let step = Int(pieces[1]), step > 0 else { return "failed to parse int from \(pieces[1])" }
            }
            let body = String(pieces[0])
            if body == "*" || (allowQuestion && body == "?") { continue }
            let ends = body.split(separator: "-", omittingEmptySubsequences: false)
            guard ends.count <= 2 else { return "too many hyphens: \(body)" }
            var values: [Int] = []
            for end in ends {
                if let n = Int(end) {
                    values.append(n)
                } else if let i = names.firstIndex(of: end.uppercased()) {
                    values.append(names.count == 12 ? i + 1 : i)
                } else {
                    return "failed to parse int from \(end)"
                }
            }
            for v in values where !range.contains(v) {
                return v < range.lowerBound
                    ? "beginning of range (\(v)) below minimum (\(range.lowerBound)): \(body)"
                    : "end of range (\(v)) above maximum (\(range.upperBound)): \(body)"
            }
            if values.count == 2, values[0] > values[1] {
                return "beginning of range (\(values[0])) beyond end of range (\(values[1])): \(body)"
            }
        }
        return nil
    }
}
