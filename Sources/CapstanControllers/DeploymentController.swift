import CapstanClient
import CapstanModel
import Synchronization

/// Rolls Deployments out through ReplicaSets named `NAME-HASH` (`PodTemplateHash`), one per
/// distinct pod template.
///
/// Reconcile (Kubernetes' order): claim ReplicaSets; a deleting Deployment only gets status;
/// a paused one, or one whose replicas changed (a "scaling event": an active ReplicaSet's
/// `desired-replicas` annotation differs from `spec.replicas`), is scaled proportionally
/// without rolling; otherwise Recreate (old ReplicaSets to zero, wait for their pods, then the
/// new one to full size) or RollingUpdate (scale the new ReplicaSet up within maxSurge, the old
/// ones down within maxUnavailable). Finally `status` and the Progressing/Available conditions
/// are written, and ReplicaSets beyond `revisionHistoryLimit` are deleted once complete.
/// The template of an old ReplicaSet (a `rollout undo`) re-activates that ReplicaSet with a new
/// highest revision; its former revision goes into `revision-history`.
public final class DeploymentController: Controller {
    public static let hashLabel = "pod-template-hash"
    public static let revisionAnnotation = "deployment.kubernetes.io/revision"
    public static let revisionHistoryAnnotation = "deployment.kubernetes.io/revision-history"
    public static let desiredReplicasAnnotation = "deployment.kubernetes.io/desired-replicas"
    public static let maxReplicasAnnotation = "deployment.kubernetes.io/max-replicas"
    /// Deployment annotations never copied onto ReplicaSets.
    static let uncopied: Set<String> = ["kubectl.kubernetes.io/last-applied-configuration", revisionAnnotation,
                                        revisionHistoryAnnotation, desiredReplicasAnnotation, maxReplicasAnnotation]

    public let name = "deployment"
    public let workers: Int
    let client: any Client
    let claimer: ReplicaSetController
    /// ScalingReplicaSet events, written in the background.
    public let events: EventRecorder
    private let refs = InformerRefs()
    private let rsRef = Mutex<SharedInformer?>(nil)

    public init(client: any Client, workers: Int = 2) {
        self.client = client
        self.workers = workers
        self.claimer = ReplicaSetController(client: client)
        self.events = EventRecorder(client: client, component: "deployment-controller")
    }

    var replicaSets: SharedInformer? { rsRef.withLock { $0 } }

    public func setUp(informers: InformerFactory, queue: WorkQueue<String>) async throws {
        let deployments = informers.informer(for: .deployments)
        let rss = informers.informer(for: .replicaSets)
        let pods = informers.informer(for: .pods)
        refs.set(primary: deployments, pods: pods)
        rsRef.withLock { $0 = rss }
        deployments.addEventHandler(.enqueue(into: queue))
        let enqueueOwner: @Sendable (Value) -> Void = { rs in
            if let ref = rs.controllerRef {
                if ref.kind == "Deployment" { queue.add(Indexer.key(namespace: rs.namespace, name: ref.name)) }
                return
            }
            for d in deployments.cache.list(namespace: rs.namespace ?? "") where workloadSelector(d).matches(object: rs) {
                queue.add(Indexer.key(of: d))
            }
        }
        rss.addEventHandler(EventHandler(onAdd: enqueueOwner, onUpdate: { old, new in
            if old == new { return }
            if let o = old.controllerRef, o != new.controllerRef, o.kind == "Deployment" {
                queue.add(Indexer.key(namespace: old.namespace, name: o.name))
            }
            enqueueOwner(new)
        }, onDelete: enqueueOwner))
        // Recreate waits for the old pods to go: a pod deletion may unblock a Deployment.
        pods.addEventHandler(EventHandler(onDelete: { pod in
            guard let ref = pod.controllerRef, ref.kind == "ReplicaSet",
                  let rs = rss.cache.get(namespace: pod.namespace, name: ref.name) else { return }
            enqueueOwner(rs)
        }))
    }

    public func reconcile(_ key: String, queue: WorkQueue<String>) async throws {
        guard let informer = refs.primary, let rss = replicaSets, let d = informer.cache.get(key: key) else { return }
        let selector = workloadSelector(d)
        if selector.matchesNothing || selector.isEmpty {
            return  // Kubernetes refuses to act on an empty selector.
        }
        let ownerRef = OwnerReference.controlling(d, apiVersion: "apps/v1", kind: "Deployment")
        let claimed = try await claimer.claimPods(owner: d, ownerRef: ownerRef, selector: selector,
                                                  candidates: rss.cache.list(namespace: d.namespace ?? "default"),
                                                  resource: .replicaSets)
        var rollout = Rollout(deployment: d, replicaSets: claimed, client: client, pods: refs.pods, events: events)
        if d.isBeingDeleted {
            try await rollout.syncStatus(newRS: rollout.findNew(), queue: queue, key: key)
            return
        }
        if d["spec"]["paused"].boolValue == true || rollout.isScalingEvent() {
            try await rollout.sync(queue: queue, key: key)
            return
        }
        if d["spec"]["strategy"]["type"].stringValue == "Recreate" {
            try await rollout.recreate(queue: queue, key: key)
        } else {
            try await rollout.rolling(queue: queue, key: key)
        }
    }
}
