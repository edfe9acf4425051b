import CapstanAPI
import CapstanClient
import CapstanModel

extension RESTMapper {
    /// One entry per group/resource at the group's preferred version, limited to resources that
    /// support every verb in `verbs` (the set a namespace sweep or the garbage collector can use).
    func preferredResources(supporting verbs: Set<String>) -> [ResourceInfo] {
        var preferred: [String: String] = [:]
        for g in groups { if let v = g.versions.first { preferred[g.name] = v } }
        var seen: Set<String> = []
        var out: [ResourceInfo] = []
        for r in resources {
            if let v = preferred[r.gvr.group], v != r.gvr.version { continue }
            guard verbs.isSubset(of: Set(r.verbs)), !r.plural.contains("/") else { continue }
            if seen.insert("\(r.gvr.group)/\(r.plural)").inserted { out.append(r) }
        }
        return out
    }
}
