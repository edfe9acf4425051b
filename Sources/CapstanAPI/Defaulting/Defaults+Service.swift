import CapstanModel

/// Services: type, session affinity, port protocol and target port, traffic policies, and
/// the IP-family fields the API server settles before it allocates a cluster IP.
enum ServiceDefaults {
    static func service(_ object: inout Value, families: [String]) {
        let hasSelector = object["spec"]["selector"].count > 0
        object.edit("spec") { spec in
            spec.setDefault("sessionAffinity", "None")
            if spec["sessionAffinity"].stringValue == "None" {
                _ = spec.removeValue(forKey: "sessionAffinityConfig")
            } else if spec["sessionAffinity"].stringValue == "ClientIP",
                spec["sessionAffinityConfig"]["clientIP"]["timeoutSeconds"] == .null
            {
                spec["sessionAffinityConfig"] = ["clientIP": ["timeoutSeconds": 10800]]
            }
            spec.setDefault("type", "ClusterIP")
            let type = spec["type"].stringValue ?? "ClusterIP"
            spec.editEach("ports") { port in
                port.setDefault("protocol", "TCP")
                // An unset, zero or empty target port means "the same as port".
                let target = port["targetPort"]
                if target == .null || target == .int(0) || target == .string("") {
                    if let number = port["port"].intValue { port["targetPort"] = .int(number) }
                }
            }
            let externallyAccessible = type == "LoadBalancer" || type == "NodePort"
                || (type == "ClusterIP" && spec["externalIPs"].count > 0)
            if externallyAccessible { spec.setDefault("externalTrafficPolicy", "Cluster") }
            if type == "NodePort" || type == "LoadBalancer" || type == "ClusterIP" {
                spec.setDefault("internalTrafficPolicy", "Cluster")
            }
            if type == "LoadBalancer" { spec.setDefault("allocateLoadBalancerNodePorts", true) }

            // IP families (the registry's job, before allocation). ExternalName has none.
            guard type != "ExternalName" else { return }
            if let ip = spec["clusterIP"].stringValue, !ip.isEmpty, spec["clusterIPs"].count == 0 {
                spec["clusterIPs"] = [.string(ip)]
            }
            let headless = spec["clusterIP"].stringValue == "None"
            let primary = families.first ?? "IPv4"
            if headless && !hasSelector {
                // Selector-less headless services may list endpoints of both families, even in a
                // single-stack cluster: they default to dual stack, primary family first.
                spec.setDefault("ipFamilyPolicy", "RequireDualStack")
                spec.setDefault("ipFamilies", [.string(primary)])
                if spec["ipFamilies"].count < 2, spec["ipFamilyPolicy"].stringValue != "SingleStack",
                    let first = spec["ipFamilies"][0].stringValue
                {
                    spec["ipFamilies"] = [.string(first), .string(first == "IPv4" ? "IPv6" : "IPv4")]
                }
                return
            }
            spec.setDefault("ipFamilyPolicy", "SingleStack")
            if !spec.isSet("ipFamilies") {
                let count = spec["ipFamilyPolicy"].stringValue == "SingleStack" ? 1 : families.count
                spec["ipFamilies"] = .array(families.prefix(max(count, 1)).map { .string($0) })
            }
        }
        // A new Service has an empty load-balancer status, which Go always writes out.
        object.editCreating("status") { $0.setDefault("loadBalancer", [:]) }
    }
}
