import CapstanAPI
import CapstanModel
import NIOHTTP1
@testable import CapstanAPIServer

/// A request for `resource` in `gv`, as the handlers see it.
func resourceRequest(_ group: String, _ version: String, _ resource: String, namespace: String? = "demo",
                     method: HTTPMethod = .GET, table: Bool = true) -> ResourceRequest? {
    let served = ServedAPI(APICatalogue.builtin)
    let gv = GroupVersion(group: group, version: version)
    guard let info = served.resource(gv, resource) else { return nil }
    return ResourceRequest(http: HTTPRequest(method: method, uri: "/"), path: ResourcePath(gv: gv, resource: resource, namespace: namespace),
                           info: info, served: served, dryRun: false, fieldValidation: "Strict", wantsTable: table)
}

extension Value {
    /// Column names of a Table.
    var columnNames: [String] { (self["columnDefinitions"].arrayValue ?? []).compactMap { $0["name"].stringValue } }
    /// Cells of the first row.
    var firstCells: [Value] { self["rows"][0]["cells"].arrayValue ?? [] }
}
