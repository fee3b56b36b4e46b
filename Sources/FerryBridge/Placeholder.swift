// The bridge driver lands here.
public enum FerryBridge {}
