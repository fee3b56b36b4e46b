import CLibNL
import FerryAddress

#if canImport(Glibc)
    import Glibc
#endif

/// Conversions between Ferry's address types and libnl's `nl_addr`.
enum NetlinkAddress {
    /// A new nl_addr holding the address and prefix; the caller puts it.
    static func make(_ network: IPNetwork) -> OpaquePointer? {
        let bytes = network.address.bytes
        let address = bytes.withUnsafeBytes { raw in
            nl_addr_build(
                network.family.addressFamily, UnsafeMutableRawPointer(mutating: raw.baseAddress),
                raw.count)
        }
        if let address { nl_addr_set_prefixlen(address, Int32(network.prefixLength)) }
        return address
    }

    static func make(_ address: IPAddress) -> OpaquePointer? {
        make(IPNetwork(address: address, prefixLength: address.family.bitCount)!)
    }

    /// Reads an nl_addr back; nil for families other than IPv4 and IPv6.
    static func read(_ address: OpaquePointer?) -> IPNetwork? {
        guard let address, let data = nl_addr_get_binary_addr(address) else { return nil }
        let length = Int(nl_addr_get_len(address))
        guard length == 4 || length == 16 else { return nil }
        let bytes = Array(UnsafeRawBufferPointer(start: data, count: length))
        guard let ip = IPAddress(bytes: bytes) else { return nil }
        return IPNetwork(address: ip, prefixLength: Int(nl_addr_get_prefixlen(address)))
    }
}
