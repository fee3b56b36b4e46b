// ferry-perf: the latency, loss and reachability probes of bench/compare-modes, in place of
// netperf (not packaged here). Every subcommand prints one JSON line; see PerfCommand.
PerfCommand.main(Array(CommandLine.arguments.dropFirst()))
