import FerryWire
import Foundation
import Testing

/// `networks` as an object (Podman's spelling) and as an array of named objects.
@Suite struct NetworksSpellingTests {
    static let capture = "rootful-4.3.1-two-networks-dns-setup.stdin.json"

    /// The capture with `networks` rewritten as an array in the given order.
    func arraySpelling(order: [String]) throws -> Data {
        let data = try SharedCaptures.data(Self.capture)
        var object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let map = try #require(object["networks"] as? [String: [String: Any]])
        object["networks"] = try order.map { name in
            var entry = try #require(map[name])
            entry["name"] = name
            return entry
        }
        return try JSONSerialization.data(withJSONObject: object)
    }

    @Test func objectIsOrderedByInterfaceName() throws {
        let options = try NetworkOptions.decode(try SharedCaptures.data(Self.capture))
        #expect(options.orderedNetworks.map(\.name) == ["capnet2", "capnet"])
        #expect(options.orderedNetworks.map(\.options.interfaceName) == ["eth0", "eth1"])
        #expect(options.networks["capnet"]?.staticMAC?.description == "02:42:ac:11:00:32")
        #expect(options.networks["capnet"]?.aliases == ["web", "ea0be2bb7017"])
    }

    @Test func arrayInSortedOrderEqualsObject() throws {
        let fromObject = try NetworkOptions.decode(try SharedCaptures.data(Self.capture))
        let fromArray = try NetworkOptions.decode(try arraySpelling(order: ["capnet2", "capnet"]))
        #expect(fromArray == fromObject)
    }

    @Test func arrayKeepsItsOrder() throws {
        let fromObject = try NetworkOptions.decode(try SharedCaptures.data(Self.capture))
        let fromArray = try NetworkOptions.decode(try arraySpelling(order: ["capnet", "capnet2"]))
        #expect(fromArray.orderedNetworks.map(\.name) == ["capnet", "capnet2"])
        #expect(fromArray.networks == fromObject.networks)
        #expect(fromArray.networkInfo == fromObject.networkInfo)
    }

    @Test func equalInterfaceNamesOrderByNetworkName() throws {
        var spec = Spec()
        spec.more = [
            Spec.network(
                name: "net0", interface: "eth0", bridge: "fy-br1", subnet: "10.78.0.0/24",
                address: "10.78.0.2")
        ]
        let options = try NetworkOptions.decode(spec.data)
        #expect(options.orderedNetworks.map(\.name) == ["net0", "net1"])
    }
}
