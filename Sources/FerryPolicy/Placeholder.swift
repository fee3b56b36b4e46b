// containers.conf loading and the mode decision land here.
public enum FerryPolicy {}
