import CapstanModel

/// One page of a `list`: the items, the version to watch from, and the token for the next page.
public struct ObjectList: Sendable, Hashable {
    /// The list kind: `DeploymentList`.
    public var kind: String
    public var apiVersion: String
    /// Each item carries `kind` and `apiVersion` (filled in from the list when the server omits them).
    public var items: [Value]
    /// `metadata.resourceVersion` of the list: watch from here to miss nothing.
    public var resourceVersion: String
    /// `metadata.continue`; nil on the last page.
    public var continueToken: String?
    public var remainingItemCount: Int64?

    public init(kind: String, apiVersion: String, items: [Value], resourceVersion: String,
                continueToken: String? = nil, remainingItemCount: Int64? = nil)
    {
        self.kind = kind
        self.apiVersion = apiVersion
        self.items = items
        self.resourceVersion = resourceVersion
        self.continueToken = continueToken
        self.remainingItemCount = remainingItemCount
    }

    /// Reads a `…List` object; items get `kind`/`apiVersion` from the list when missing
    /// (Kubernetes omits them on items), so every item is self-describing.
    public init(value: Value) throws(APIError) {
        guard let items = value["items"].arrayValue ?? (value["items"].isNull ? [] : nil) else {
            throw .local(.decoding, "list response has no items array")
        }
        kind = value["kind"].stringValue ?? ""
        let listVersion = value["apiVersion"].stringValue ?? ""
        apiVersion = listVersion
        let itemKind = kind.hasSuffix("List") ? String(kind.dropLast(4)) : ""
        self.items = items.map { item in
            var item = item
            if item["kind"].stringValue == nil, !itemKind.isEmpty, item.isObject { item["kind"] = .string(itemKind) }
            if item["apiVersion"].stringValue == nil, !listVersion.isEmpty, item.isObject { item["apiVersion"] = .string(listVersion) }
            return item
        }
        resourceVersion = value["metadata"]["resourceVersion"].stringValue ?? ""
        let token = value["metadata"]["continue"].stringValue ?? ""
        continueToken = token.isEmpty ? nil : token
        remainingItemCount = value["metadata"]["remainingItemCount"].intValue
    }

    /// The list object, as a server would send it.
    public var value: Value {
        var meta: Value = ["resourceVersion": .string(resourceVersion)]
        if let continueToken { meta["continue"] = .string(continueToken) }
        if let remainingItemCount { meta["remainingItemCount"] = .int(remainingItemCount) }
        return ["kind": .string(kind), "apiVersion": .string(apiVersion), "metadata": meta, "items": .array(items)]
    }
}
