import CapstanModel

/// Defaults of pod specs, shared by Pods and every pod template (Deployment, Job, …).
enum PodDefaults {
    /// A Pod: what every pod spec gets, plus the Pod-only defaults (service links, requests
    /// copied from limits, host ports under host networking).
    static func pod(_ pod: inout Value) {
        pod.edit("spec") { spec in
            spec.setDefault("enableServiceLinks", true)
            for list in ["initContainers", "containers"] {
                spec.editEach(list) { container in
                    container.edit("resources") { requestsFromLimits(&$0) }
                }
            }
            if spec["hostNetwork"].boolValue == true {
                for list in ["initContainers", "containers"] {
                    spec.editEach(list) { container in
                        container.editEach("ports") { port in
                            if (port["hostPort"].intValue ?? 0) == 0, let cp = port["containerPort"].intValue {
                                port["hostPort"] = .int(cp)
                            }
                        }
                    }
                }
            }
            podSpec(&spec)
        }
    }

    /// A pod template (`metadata` + `spec`) inside a workload.
    static func template(_ template: inout Value) {
        template.edit("spec") { podSpec(&$0) }
    }

    /// Requests default to limits, resource by resource, when not given.
    static func requestsFromLimits(_ resources: inout Value) {
        guard let limits = resources["limits"].objectValue, !limits.isEmpty else { return }
        resources.editCreating("requests") { requests in
            for (name, quantity) in limits where !requests.isSet(name) { requests[name] = quantity }
        }
    }

    static func podSpec(_ spec: inout Value) {
        spec.setDefault("dnsPolicy", "ClusterFirst")
        spec.setDefault("restartPolicy", "Always")
        spec.setDefault("securityContext", [:])
        spec.setDefault("terminationGracePeriodSeconds", 30)
        spec.setDefault("schedulerName", "default-scheduler")
        spec.editEach("volumes") { volume(&$0) }
        for list in ["initContainers", "containers", "ephemeralContainers"] {
            spec.editEach(list) { container(&$0) }
        }
    }

    static let volumeSources = [
        "hostPath", "emptyDir", "gcePersistentDisk", "awsElasticBlockStore", "gitRepo", "secret", "nfs", "iscsi",
        "glusterfs", "persistentVolumeClaim", "rbd", "flexVolume", "cinder", "cephfs", "flocker", "downwardAPI", "fc",
        "azureFile", "configMap", "vsphereVolume", "quobyte", "azureDisk", "photonPersistentDisk", "projected",
        "portworxVolume", "scaleIO", "storageos", "csi", "ephemeral", "image",
    ]

    /// File mode 0644, what Kubernetes gives projected files by default.
    static let defaultFileMode: Value = 420

    static func volume(_ volume: inout Value) {
        if !volumeSources.contains(where: { volume.isSet($0) }) {
            volume["emptyDir"] = [:]  // a volume without a source is an empty directory
        }
        volume.edit("hostPath") { $0.setDefault("type", "") }
        for source in ["secret", "configMap", "downwardAPI", "projected"] {
            volume.edit(source) { $0.setDefault("defaultMode", defaultFileMode) }
        }
        volume.edit("downwardAPI") { $0.editEach("items") { item in item.edit("fieldRef") { fieldRef(&$0) } } }
        volume.edit("projected") { projected in
            projected.editEach("sources") { source in
                source.edit("downwardAPI") { $0.editEach("items") { item in item.edit("fieldRef") { fieldRef(&$0) } } }
                source.edit("serviceAccountToken") { $0.setDefault("expirationSeconds", 3600) }
            }
        }
        volume.edit("ephemeral") { ephemeral in
            ephemeral.edit("volumeClaimTemplate") { template in
                template.edit("spec") { CoreDefaults.persistentVolumeClaimSpec(&$0) }
            }
        }
        volume.edit("image") { image in
            if !image.isSet("pullPolicy") { image["pullPolicy"] = .string(pullPolicy(image["reference"].stringValue ?? "")) }
        }
    }

    static func fieldRef(_ ref: inout Value) { ref.setDefault("apiVersion", "v1") }

    static func container(_ c: inout Value) {
        if !c.isSet("imagePullPolicy") {
            c["imagePullPolicy"] = .string(pullPolicy(c["image"].stringValue ?? ""))
        }
        c.setDefault("terminationMessagePath", "/dev/termination-log")
        c.setDefault("terminationMessagePolicy", "File")
        // Go always writes this struct, so a real API server returns `resources: {}`.
        c.setDefault("resources", [:])
        c.editEach("ports") { $0.setDefault("protocol", "TCP") }
        c.editEach("env") { env in env.edit("valueFrom") { from in from.edit("fieldRef") { fieldRef(&$0) } } }
        for probe in ["livenessProbe", "readinessProbe", "startupProbe"] {
            c.edit(probe) { self.probe(&$0) }
        }
        c.edit("lifecycle") { lifecycle in
            for hook in ["postStart", "preStop"] {
                lifecycle.edit(hook) { handler in handler.edit("httpGet") { httpGet(&$0) } }
            }
        }
    }

    static func probe(_ probe: inout Value) {
        probe.setDefault("timeoutSeconds", 1)
        probe.setDefault("periodSeconds", 10)
        probe.setDefault("successThreshold", 1)
        probe.setDefault("failureThreshold", 3)
        probe.edit("httpGet") { httpGet(&$0) }
        probe.edit("grpc") { $0.setDefault("service", "") }
    }

    static func httpGet(_ action: inout Value) {
        action.setDefault("path", "/")
        action.setDefault("scheme", "HTTP")
    }

    /// `Always` for images tagged `latest` or not tagged at all, `IfNotPresent` otherwise
    /// (including digest-only references and references that do not parse).
    static func pullPolicy(_ image: String) -> String {
        ImageReference.tag(of: image) == "latest" ? "Always" : "IfNotPresent"
    }
}

/// Just enough of the container image reference grammar to find the tag.
enum ImageReference {
    /// The tag of `image`: the explicit one, `latest` when there is neither tag nor digest,
    /// and nil when there is only a digest or the reference is malformed.
    static func tag(of image: String) -> String? {
        if image.utf8.allSatisfy({ $0 < 0x80 }) { return asciiTag(of: image) }
        return generalTag(of: image)
    }

    /// `tag(of:)` for ASCII references (nearly all), by bytes: the same steps as `generalTag`
    /// without Character iteration and splitting (every container of every pod template is
    /// defaulted through here).
    static func asciiTag(of image: String) -> String? {
        let u = image.utf8
        guard !u.isEmpty, !u.contains(where: { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }) else { return nil }
        var name = u[...]
        var hasDigest = false
        if let at = name.firstIndex(of: UInt8(ascii: "@")) {
            hasDigest = true
            name = name[..<at]
        }
        let lastSlash = name.lastIndex(of: UInt8(ascii: "/"))
        let tail = lastSlash.map { name[name.index(after: $0)...] } ?? name
        var tag: Substring.UTF8View?
        if let colon = tail.lastIndex(of: UInt8(ascii: ":")) {
            tag = tail[tail.index(after: colon)...]
            name = name[..<colon]
        }
        // Path components (everything after a registry host) must be lower case.
        var start = name.startIndex
        var index = 0
        var hasHost = false
        let hasSlash = name.contains(UInt8(ascii: "/"))
        while true {
            let end = name[start...].firstIndex(of: UInt8(ascii: "/")) ?? name.endIndex
            let component = name[start..<end]
            if index == 0 && hasSlash {
                hasHost = component.contains(UInt8(ascii: ".")) || component.contains(UInt8(ascii: ":"))
                    || component.elementsEqual("localhost".utf8)
            }
            if !(index == 0 && hasHost) {
                if component.isEmpty || component.contains(where: { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") }) { return nil }
            }
            if end == name.endIndex { break }
            start = name.index(after: end)
            index += 1
        }
        if let tag {
            guard !tag.isEmpty, tag.count <= 128 else { return nil }
            return String(Substring(tag))
        }
        return hasDigest ? nil : "latest"
    }

    /// `tag(of:)` by Characters, for references with non-ASCII text.
    static func generalTag(of image: String) -> String? {
        guard !image.isEmpty, !image.contains(where: { $0 == " " || $0 == "\t" }) else { return nil }
        var name = Substring(image)
        var hasDigest = false
        if let at = name.firstIndex(of: "@") {
            hasDigest = true
            name = name[..<at]
        }
        let lastSlash = name.lastIndex(of: "/")
        let tail = lastSlash.map { name[name.index(after: $0)...] } ?? name
        var tag: Substring?
        if let colon = tail.lastIndex(of: ":") {
            tag = tail[tail.index(after: colon)...]
            name = name[..<colon]
        }
        // Path components (everything after a registry host) must be lower case.
        let components = name.split(separator: "/", omittingEmptySubsequences: false)
        let hasHost = components.count > 1
            && (components[0].contains(".") || components[0].contains(":") || components[0] == "localhost")
        for component in components.dropFirst(hasHost ? 1 : 0) {
            if component.isEmpty || component.contains(where: { $0.isUppercase }) { return nil }
        }
        if let tag {
            guard !tag.isEmpty, tag.utf8.count <= 128 else { return nil }
            return String(tag)
        }
        return hasDigest ? nil : "latest"
    }
}
