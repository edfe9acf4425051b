/// CapstanControllers: the control loops of the bundled control plane — ReplicaSet, Deployment,
/// Endpoints/EndpointSlice, Namespace lifecycle, ServiceAccount and the garbage collector.
///
/// Every controller is level-based: a work queue carries only `namespace/name` keys, and each
/// reconcile reads the current state from shared informer caches (never from the event that
/// queued the key), computes the desired state and writes the difference through a `Client`.
/// Errors are retried with per-key exponential back-off; a `TerminalError` stops retries.
/// Events (`EventRecorder`) are written in the background, correlated and rate-limited, so a
/// reconcile never waits on them.
///
/// Must not: depend on the API server or the store (controllers run as a separate process
/// against any Kubernetes API), hold authoritative state in memory (caches and expectations
/// are only hints that a relist rebuilds), or delete anything on the word of a stale cache
/// (the garbage collector confirms absent owners with a live GET by uid first).
import CapstanClient
import CapstanModel

/// The field manager / event source name this module writes with.
public let controllersFieldManager = "capstan-controllers"
