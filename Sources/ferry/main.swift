import FerryCommands

#if canImport(Glibc)
    import Glibc
#endif

exit(Ferry.main(CommandLine.arguments))
