/// The help text of the netavark-style surface.
let usageText = """
    Usage: ferry [OPTIONS] <COMMAND>

    A container network plugin that speaks netavark's command line and JSON.

    Commands:
      setup NETNS_PATH        set up the networks of the spec for a container
      teardown NETNS_PATH     tear down the networks of the spec for a container
      update NETWORK --network-dns-servers A,B
                              replace a network's upstream dns servers
      explain [--format text|json] [--default]
                              show the mode chosen for each network, and why
      firewall-reload         re-apply every saved firewall rule (after nft flush ruleset)
      version                 print version information as JSON
      pasta [OPTIONS] PID     run Ferry's user-mode engine with pasta's command line

    Options:
      -c, --config DIR              state directory (default /run/containers/networks)
      -r, --rootless true|false     run as Podman's rootless helper
      -a, --aardvark-binary PATH    aardvark-dns binary for DNS-enabled networks
          --plugin-directory DIR    directory of netavark plugins (repeatable)
      -f, --file PATH               read the JSON spec from PATH instead of stdin
          --firewall-driver NAME    nftables or none
          --log-level LEVEL         error, warn, info, debug or trace (else FERRY_LOG,
                                    else RUST_LOG=netavark=LEVEL)
      -V, --version                 print the version
      -h, --help                    print this help

    """
