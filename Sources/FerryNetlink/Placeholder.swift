import CLibNL

// libnl wrappers land here.
public enum FerryNetlink {}
