/// The address space Services draw from: `--service-cluster-ip-range` (an IPv4 CIDR, default
/// 10.96.0.0/12) and `--service-node-port-range` (default 30000-32767). Immutable, `Sendable`.
public struct ServiceAddressing: Sendable, Hashable {
    /// The network address of the cluster IP range and its prefix length.
    public let network: UInt32
    public let prefixLength: Int
    public let nodePorts: ClosedRange<Int>

    /// 10.96.0.0/12 and 30000-32767, as a kube-apiserver without flags.
    public static let standard = ServiceAddressing(network: 0x0A60_0000, prefixLength: 12, nodePorts: 30000...32767)

    private init(network: UInt32, prefixLength: Int, nodePorts: ClosedRange<Int>) {
        self.network = network
        self.prefixLength = prefixLength
        self.nodePorts = nodePorts
    }

    /// Parses both ranges; throws a message naming the flag and what is wrong.
    public init(clusterIPRange: String = "10.96.0.0/12", nodePortRange: String = "30000-32767") throws(ServiceAddressingError) {
        let parts = clusterIPRange.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let ip = IPv4.parse(String(parts[0])), let bits = Int(parts[1]), (8...30).contains(bits) else {
            throw ServiceAddressingError("--service-cluster-ip-range: \"\(clusterIPRange)\" is not an IPv4 CIDR with a prefix length between /8 and /30")
        }
        let mask: UInt32 = ~UInt32(0) << UInt32(32 - bits)
        guard ip & mask == ip else {
            throw ServiceAddressingError("--service-cluster-ip-range: \"\(clusterIPRange)\" has host bits set (did you mean \(IPv4.format(ip & mask))/\(bits)?)")
        }
        let ports = nodePortRange.split(separator: "-", omittingEmptySubsequences: false)
        guard ports.count == 2, let low = Int(ports[0]), let high = Int(ports[1]), 1 <= low, low <= high, high <= 65535 else {
            throw ServiceAddressingError("--service-node-port-range: \"\(nodePortRange)\" is not a port range like 30000-32767")
        }
        network = ip
        prefixLength = bits
        nodePorts = low...high
    }

    /// The range as written in flags and error messages: `10.96.0.0/12`.
    public var clusterIPRange: String { "\(IPv4.format(network))/\(prefixLength)" }
    public var nodePortRange: String { "\(nodePorts.lowerBound)-\(nodePorts.upperBound)" }

    /// Addresses a Service may hold: the range without its network and broadcast addresses.
    var clusterIPs: ClosedRange<Int64> {
        let size = Int64(1) << Int64(32 - prefixLength)
        return (Int64(network) + 1)...(Int64(network) + size - 2)
    }

    /// The first usable address: the `kubernetes` Service's (10.96.0.1 by default).
    public var firstClusterIP: String { IPv4.format(network + 1) }

    func contains(ip: UInt32) -> Bool { clusterIPs.contains(Int64(ip)) }
}

public struct ServiceAddressingError: Error, CustomStringConvertible, Sendable {
    public let description: String
    init(_ description: String) { self.description = description }
}

/// Dotted-quad IPv4 text ⇄ `UInt32`, strictly: four decimal octets, no leading zeros (Go's
/// net.ParseIP refuses them too, as ambiguous octal).
enum IPv4 {
    static func parse(_ text: String) -> UInt32? {
        let octets = text.split(separator: ".", omittingEmptySubsequences: false)
        guard octets.count == 4 else { return nil }
        var value: UInt32 = 0
        for octet in octets {
            guard !octet.isEmpty, octet.count <= 3, octet.allSatisfy(\.isASCIIDigit),
                  octet.count == 1 || octet.first != "0", let n = UInt32(octet), n <= 255 else { return nil }
            value = value << 8 | n
        }
        return value
    }

    static func format(_ ip: UInt32) -> String {
        "\(ip >> 24).\(ip >> 16 & 255).\(ip >> 8 & 255).\(ip & 255)"
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}
