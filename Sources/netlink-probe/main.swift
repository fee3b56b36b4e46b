// Drives the netlink layer from the command line, for its tests.
print("netlink-probe")
