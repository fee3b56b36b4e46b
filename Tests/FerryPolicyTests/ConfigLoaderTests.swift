import FerryPolicy
import Testing

@Suite struct ConfigLoaderTests {
    /// Every system and user file present: all read in Podman's order, the last one wins.
    @Test func fileOrderAndOverride() throws {
        let tree = try ConfigTree()
        try tree.mark("/usr/share/containers/containers.conf", "usr")
        try tree.mark("/etc/containers/containers.conf", "etc")
        try tree.mark("/etc/containers/containers.conf.d/10-a.conf", "etc.d a")
        try tree.mark("/home/user/.config/containers/containers.conf", "home")
        try tree.mark("/home/user/.config/containers/containers.conf.d/b.conf", "home.d b")

        let conf = try tree.loader().load()
        #expect(
            tree.relative(conf.filesRead) == [
                "/usr/share/containers/containers.conf",
                "/etc/containers/containers.conf",
                "/etc/containers/containers.conf.d/10-a.conf",
                "/home/user/.config/containers/containers.conf",
                "/home/user/.config/containers/containers.conf.d/b.conf",
            ])
        #expect(conf.defaultSubnet == "home.d b")
        #expect(
            tree.relative(conf[.defaultSubnet].sources) == [
                "/home/user/.config/containers/containers.conf.d/b.conf"
            ])
    }

    /// A later file overrides only the keys it sets; the others keep their earlier source.
    @Test func overrideIsKeyByKey() throws {
        let tree = try ConfigTree()
        try tree.write(
            "/usr/share/containers/containers.conf",
            "[network]\ndefault_subnet = \"10.1.0.0/16\"\ndefault_network = \"first\"\n")
        try tree.write(
            "/etc/containers/containers.conf", "[network]\ndefault_network = \"second\"\n")

        let conf = try tree.loader().load()
        #expect(conf.defaultSubnet == "10.1.0.0/16")
        #expect(conf.defaultNetwork == "second")
        #expect(
            tree.relative([conf.source(of: .defaultSubnet)]) == [
                "/usr/share/containers/containers.conf"
            ])
        #expect(
            tree.relative([conf.source(of: .defaultNetwork)]) == [
                "/etc/containers/containers.conf"
            ])
        #expect(conf.source(of: .pastaOptions) == ContainersConf.builtInSource)
    }

    /// Drop-ins: lexical order, ".conf" only, one level (a subdirectory is not entered, and
    /// a directory named like a drop-in is not read).
    @Test func dropInOrder() throws {
        let tree = try ConfigTree()
        let directory = "/etc/containers/containers.conf.d"
        try tree.mark("\(directory)/20-b.conf", "b")
        try tree.mark("\(directory)/10-a.conf", "a")
        try tree.mark("\(directory)/99-z.conf.disabled", "not a drop-in")
        try tree.mark("\(directory)/nested/00-deep.conf", "too deep")
        try tree.mkdir("\(directory)/50-dir.conf")

        let conf = try tree.loader().load()
        #expect(
            tree.relative(conf.filesRead) == ["\(directory)/10-a.conf", "\(directory)/20-b.conf"])
        #expect(conf.defaultSubnet == "b")
    }

    /// CONTAINERS_CONF replaces every system and user file, and must exist.
    @Test func containersConfReplacesSystemAndUserFiles() throws {
        let tree = try ConfigTree()
        try tree.mark("/etc/containers/containers.conf", "etc")
        try tree.mark("/etc/containers/containers.conf.d/a.conf", "etc.d")
        try tree.mark("/etc/containers/containers.rootless.conf", "rootless")
        try tree.mark("/home/user/.config/containers/containers.conf", "home")
        let named = try tree.mark("/elsewhere/only.conf", "named")

        let conf = try tree.loader(environment: ["CONTAINERS_CONF": named], rootless: true).load()
        #expect(conf.filesRead == [named])
        #expect(conf.defaultSubnet == "named")

        let missing = tree.root + "/elsewhere/missing.conf"
        #expect(throws: ConfigError.missingNamedFile(variable: "CONTAINERS_CONF", file: missing)) {
            try tree.loader(environment: ["CONTAINERS_CONF": missing]).load()
        }
    }

    /// CONTAINERS_CONF_OVERRIDE is read last, with and without CONTAINERS_CONF; when it is
    /// missing it is skipped.
    @Test func containersConfOverrideIsLast() throws {
        let tree = try ConfigTree()
        try tree.mark("/etc/containers/containers.conf", "etc")
        try tree.mark("/home/user/.config/containers/containers.conf.d/z.conf", "home.d")
        let named = try tree.mark("/named.conf", "named")
        let override = try tree.mark("/override.conf", "override")

        let plain = try tree.loader(environment: ["CONTAINERS_CONF_OVERRIDE": override]).load()
        #expect(plain.filesRead.last == override)
        #expect(plain.filesRead.count == 3)
        #expect(plain.defaultSubnet == "override")

        let both = try tree.loader(environment: [
            "CONTAINERS_CONF": named, "CONTAINERS_CONF_OVERRIDE": override,
        ]).load()
        #expect(both.filesRead == [named, override])
        #expect(both.defaultSubnet == "override")

        let absent = try tree.loader(environment: [
            "CONTAINERS_CONF_OVERRIDE": tree.root + "/absent.conf"
        ]).load()
        #expect(absent.defaultSubnet == "home.d")
    }

    /// The rootless files come after the system drop-ins and before the user's files, the
    /// per-UID directory last among them; rootful skips all of them.
    @Test func rootlessFilesAndPerUIDDirectory() throws {
        let tree = try ConfigTree()
        try tree.mark("/etc/containers/containers.conf.d/a.conf", "etc.d")
        try tree.mark("/etc/containers/containers.rootless.conf", "rootless")
        try tree.mark("/etc/containers/containers.rootless.conf.d/b.conf", "rootless.d")
        try tree.mark("/etc/containers/containers.rootless.conf.d/1000/c.conf", "uid 1000")
        try tree.mark("/etc/containers/containers.rootless.conf.d/2000/c.conf", "uid 2000")
        try tree.write("/home/user/.config/containers/containers.conf", "[engine]\n")

        let rootless = try tree.loader(uid: 1000, rootless: true).load()
        #expect(
            tree.relative(rootless.filesRead) == [
                "/etc/containers/containers.conf.d/a.conf",
                "/etc/containers/containers.rootless.conf",
                "/etc/containers/containers.rootless.conf.d/b.conf",
                "/etc/containers/containers.rootless.conf.d/1000/c.conf",
                "/home/user/.config/containers/containers.conf",
            ])
        #expect(rootless.defaultSubnet == "uid 1000")

        let rootful = try tree.loader(uid: 0, rootless: false).load()
        #expect(
            tree.relative(rootful.filesRead) == [
                "/etc/containers/containers.conf.d/a.conf",
                "/home/user/.config/containers/containers.conf",
            ])
        #expect(rootful.defaultSubnet == "etc.d")
    }

    /// XDG_CONFIG_HOME, when set, replaces $HOME/.config for the user's files.
    @Test func xdgConfigHomeWinsOverHome() throws {
        let tree = try ConfigTree()
        try tree.mark("/home/user/.config/containers/containers.conf", "home")
        try tree.mark("/xdg/containers/containers.conf", "xdg")
        try tree.mark("/xdg/containers/containers.conf.d/1.conf", "xdg.d")

        let conf = try tree.loader(environment: ["XDG_CONFIG_HOME": tree.root + "/xdg"]).load()
        #expect(
            tree.relative(conf.filesRead) == [
                "/xdg/containers/containers.conf", "/xdg/containers/containers.conf.d/1.conf",
            ])
    }

    /// No files at all: the built-in defaults, as Podman has them.
    @Test func builtInDefaults() throws {
        let tree = try ConfigTree()
        let conf = try tree.loader().load()
        #expect(conf.filesRead.isEmpty)
        #expect(conf.defaultRootlessNetworkCmd == "pasta")
        #expect(conf.defaultNetwork == "podman")
        #expect(conf.defaultSubnet == "10.88.0.0/16")
        #expect(conf.networkBackend == "netavark")
        #expect(conf.dnsBindPort == 53)
        #expect(conf.firewallDriver == "")
        #expect(conf.netns == "private")
        #expect(conf.helperBinariesDir.contains("/usr/libexec/podman"))
        #expect(conf.defaultSubnetPools.first == SubnetPool(base: "10.89.0.0/16", size: 24))
    }

    /// A syntax error names the file, line and column.
    @Test func syntaxErrorNamesFile() throws {
        let tree = try ConfigTree()
        let file = try tree.write("/etc/containers/containers.conf", "[network]\nbad = \n")
        #expect {
            try tree.loader().load()
        } throws: { error in
            let text = "\(error)"
            return text.contains(file + ":2:")
        }
    }
}
