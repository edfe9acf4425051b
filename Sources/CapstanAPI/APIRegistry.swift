import CapstanModel
import Synchronization

/// The catalogue a running server serves, changing as CustomResourceDefinitions come and go.
///
/// Concurrency: the current `APICatalogue` sits behind a `Mutex`. Readers take a snapshot
/// (`current`) and keep using it for the whole request, so one request never sees half of a
/// change; writers build the next catalogue and swap it in under the lock, so concurrent
/// registrations are serialised and none is lost. Catalogues themselves are immutable.
public final class APIRegistry: Sendable {
    private let state: Mutex<APICatalogue>

    public init(_ catalogue: APICatalogue = .builtin) {
        state = Mutex(catalogue)
    }

    /// A consistent snapshot of what is served now.
    public var current: APICatalogue {
        state.withLock { $0 }
    }

    /// Serves the resource `crd` declares (or its new versions when it was served already).
    @discardableResult
    public func register(customResourceDefinition crd: Value) throws(CatalogueError) -> APICatalogue {
        try state.withLock { (catalogue: inout APICatalogue) throws(CatalogueError) -> APICatalogue in
            let next = try catalogue.adding(customResourceDefinition: crd)
            catalogue = next
            return next
        }
    }

    /// Stops serving the custom resource `group/plural`; built-ins stay.
    @discardableResult
    public func unregisterCustomResource(group: String, plural: String) -> APICatalogue {
        state.withLock { catalogue in
            let next = catalogue.removingCustomResource(group: group, plural: plural)
            catalogue = next
            return next
        }
    }
}
