import CapstanClient
import CapstanModel

/// Records a core/v1 Event about `object` (what `kubectl describe` lists). Best effort: a
/// failure to record never fails a reconcile.
func recordEvent(_ client: any Client, about object: Value, type: String = "Normal", reason: String, message: String,
                 component: String) async
{
    let now = Value.string(Timestamp.now().rfc3339)
    let namespace = object.namespace ?? "default"
    let event: Value = [
        "apiVersion": "v1", "kind": "Event",
        "metadata": ["generateName": .string("\(object.name ?? "object")."), "namespace": .string(namespace)],
        "involvedObject": ["apiVersion": .string(object.apiVersion ?? ""), "kind": .string(object.kind ?? ""),
                           "namespace": .string(namespace), "name": .string(object.name ?? ""),
                           "uid": .string(object.uid ?? ""), "resourceVersion": .string(object.resourceVersion ?? "")],
        "reason": .string(reason), "message": .string(message), "type": .string(type),
        "source": ["component": .string(component)], "reportingComponent": .string(component),
        "firstTimestamp": now, "lastTimestamp": now, "count": 1,
    ]
    _ = try? await client.create(.events, namespace: namespace, event)
}
