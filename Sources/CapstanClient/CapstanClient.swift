/// CapstanClient — how everything outside the API server reaches a cluster.
///
/// Owns: the `Client` protocol (get/list/watch/create/update/patch/delete, subresources,
/// discovery and REST mapping) with typed `APIError`s that carry the server's `Status`; a
/// `Transport` seam (one HTTP-shaped exchange, plus a streaming variant for watches and logs)
/// with an HTTP/1.1 implementation on swift-nio (HTTPS through CapstanTLS, configured from the
/// kubeconfig's TLS fields) and an in-process one built from closures;
/// kubeconfig loading and merging; discovery with an on-disk cache; informers (list-then-watch
/// caches with indexes and handlers) and rate-limited work queues for controllers; and
/// `FakeClient`, an in-memory `Client` for unit tests.
///
/// Must not: import the API server or the store. Controllers, the scheduler and node runtimes
/// see the cluster only through this module, so each can run as a separate process against
/// any Kubernetes-compatible server.
///
/// The one flow to know: an informer lists (recording the list's resourceVersion), then
/// watches from that version, applies each event to its thread-safe cache, and calls handlers
/// that enqueue keys; a 410 Gone or broken watch relists. Workers pop keys from the work queue,
/// which never hands the same key to two workers at once.
