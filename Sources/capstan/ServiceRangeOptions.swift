import ArgumentParser
import CapstanAPIServer

/// `--service-cluster-ip-range` and `--service-node-port-range`, shared by `capstan server`
/// and `capstan cluster up`.
struct ServiceRangeOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("IPv4 range Services get cluster IPs from.", valueName: "CIDR"))
    var serviceClusterIpRange: String = ServiceAddressing.standard.clusterIPRange

    @Option(name: .long, help: ArgumentHelp("Ports NodePort Services get node ports from.", valueName: "LOW-HIGH"))
    var serviceNodePortRange: String = ServiceAddressing.standard.nodePortRange

    func validate() throws { _ = try addressing() }

    func addressing() throws -> ServiceAddressing {
        do { return try ServiceAddressing(clusterIPRange: serviceClusterIpRange, nodePortRange: serviceNodePortRange) } catch {
            throw ValidationError(error.description)
        }
    }
}
