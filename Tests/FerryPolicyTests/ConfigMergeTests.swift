import FerryPolicy
import FerryTOML
import Testing

@Suite struct ConfigMergeTests {
    /// {append=true} in one drop-in appends to the value so far and keeps appending in the
    /// next file, which has no marker; {append=false} in a third stops it and replaces.
    @Test func appendAcrossDropInsAndStop() throws {
        let tree = try ConfigTree()
        let directory = "/etc/containers/containers.conf.d"
        try tree.write(
            "/etc/containers/containers.conf", "[network]\npasta_options = [\"--mtu\", \"1500\"]\n")
        let first = try tree.write(
            "\(directory)/10.conf", "[network]\npasta_options = [\"-4\", {append=true}]\n")
        let second = try tree.write("\(directory)/20.conf", "[network]\npasta_options = [\"-6\"]\n")

        let appended = try tree.loader().load()
        #expect(appended.pastaOptions == ["--mtu", "1500", "-4", "-6"])
        #expect(
            tree.relative(appended[.pastaOptions].sources) == [
                "/etc/containers/containers.conf", "\(directory)/10.conf", "\(directory)/20.conf",
            ])
        #expect(appended[.pastaOptions].sources.suffix(2) == [first, second])

        try tree.write(
            "\(directory)/30.conf", "[network]\npasta_options = [{append=false}, \"-T\"]\n")
        try tree.write("\(directory)/40.conf", "[network]\npasta_options = [\"-U\"]\n")
        let stopped = try tree.loader().load()
        #expect(stopped.pastaOptions == ["-U"])
        #expect(tree.relative(stopped[.pastaOptions].sources) == ["\(directory)/40.conf"])
    }

    /// Appending to a key with a built-in default extends the default.
    @Test func appendExtendsBuiltInDefault() throws {
        var conf = ContainersConf()
        let defaults = conf.helperBinariesDir
        try conf.merge(
            document("engine", "helper_binaries_dir", .array([.string("/opt/x"), appendMarker])),
            from: "a.conf")
        #expect(conf.helperBinariesDir == defaults + ["/opt/x"])
        #expect(conf[.helperBinariesDir].sources == [ContainersConf.builtInSource, "a.conf"])
    }

    /// Without a marker, an array replaces the value so far.
    @Test func arrayReplacesByDefault() throws {
        var conf = ContainersConf()
        try conf.merge(
            document("network", "netavark_plugin_dirs", .array([.string("/p")])), from: "a.conf")
        #expect(conf.netavarkPluginDirs == ["/p"])
    }

    /// The append marker belongs only in an array of strings; an inline table with any
    /// other key is rejected too.
    @Test(arguments: [
        (
            "default_subnet_pools",
            TOMLValue.array([.table(pool("10.0.0.0/8", 24)), appendMarker])
        ),
        ("dns_bind_port", TOMLValue.array([appendMarker])),
        ("default_network", TOMLValue.table(marker(true))),
        ("pasta_options", TOMLValue.array([.string("-4"), .table(markerWithExtra())])),
        ("pasta_options", TOMLValue.array([.table(markerNotBoolean())])),
    ])
    func appendMarkerOutsideStringArrayRejected(key: String, value: TOMLValue) throws {
        var conf = ContainersConf()
        #expect(throws: ConfigError.self) {
            try conf.merge(document("network", key, value), from: "bad.conf")
        }
        #expect(conf == ContainersConf())
    }

    /// Keys and tables Ferry does not read are ignored, not fatal.
    @Test func unknownKeysIgnored() throws {
        let tree = try ConfigTree()
        try tree.write(
            "/etc/containers/containers.conf",
            """
            [engine]
            runtime = "crun"
            events_logger = 7
            [network]
            no_such_key = [1, 2]
            default_network = "kept"
            [machine]
            cpus = 4
            [some_future_table]
            x = { y = 1 }
            """)
        let conf = try tree.loader().load()
        #expect(conf.defaultNetwork == "kept")
        #expect(conf.filesRead.count == 1)
    }

    /// A wrong type names the file, the key and the type expected.
    @Test(arguments: [
        ("network", "default_rootless_network_cmd", "1", "a string", "an integer"),
        ("network", "dns_bind_port", "\"53\"", "an integer from 0 to 65535", "a string"),
        ("network", "pasta_options", "\"-4\"", "an array of strings", "a string"),
        ("engine", "helper_binaries_dir", "[1]", "an array of strings", "an array holding"),
        ("containers", "netns", "true", "a string", "a boolean"),
        ("network", "default_subnet_pools", "[\"10.0.0.0/8\"]", "an array of tables", "an array"),
    ])
    func typeErrors(table: String, key: String, value: String, expected: String, found: String)
        throws
    {
        let tree = try ConfigTree()
        let file = try tree.write(
            "/etc/containers/containers.conf", "[\(table)]\n\(key) = \(value)\n")
        #expect {
            try tree.loader().load()
        } throws: { error in
            let text = "\(error)"
            return text.hasPrefix(file + ": [\(table)] \(key): expected \(expected)")
                && text.contains("found \(found)")
        }
    }

    /// Out-of-range values of the right type are rejected with the key named.
    @Test func invalidValues() throws {
        var conf = ContainersConf()
        #expect(
            throws: ConfigError.invalidValue(
                file: "a.conf", key: "[network] dns_bind_port",
                reason: "70000 is not a port number")
        ) {
            try conf.merge(document("network", "dns_bind_port", .integer(70000)), from: "a.conf")
        }
        #expect(throws: ConfigError.self) {
            try conf.merge(
                document(
                    "network", "default_subnet_pools", .array([.table(pool("10.0.0.0/33", 24))])),
                from: "a.conf")
        }
    }

    @Test func subnetPoolsParse() throws {
        var conf = ContainersConf()
        try conf.merge(
            document("network", "default_subnet_pools", .array([.table(pool("10.20.0.0/16", 24))])),
            from: "a.conf")
        #expect(conf.defaultSubnetPools == [SubnetPool(base: "10.20.0.0/16", size: 24)])
        #expect(conf.source(of: .defaultSubnetPools) == "a.conf")
    }
}

let appendMarker = TOMLValue.table(marker(true))

func marker(_ flag: Bool) -> TOMLTable {
    var table = TOMLTable()
    table["append"] = .boolean(flag)
    return table
}

func markerWithExtra() -> TOMLTable {
    var table = marker(true)
    table["other"] = .string("x")
    return table
}

func markerNotBoolean() -> TOMLTable {
    var table = TOMLTable()
    table["append"] = .string("yes")
    return table
}

func pool(_ base: String, _ size: Int64) -> TOMLTable {
    var table = TOMLTable()
    table["base"] = .string(base)
    table["size"] = .integer(size)
    return table
}

/// A document `[table] key = value`, built without the parser.
func document(_ table: String, _ key: String, _ value: TOMLValue) -> TOMLTable {
    var inner = TOMLTable()
    inner[key] = value
    var outer = TOMLTable()
    outer[table] = .table(inner)
    return outer
}
