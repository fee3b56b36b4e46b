// The wire format's types land here (NetworkOptions, Network, StatusBlock, ...).
public enum FerryWire {}
