// Lab tests build network namespaces and cgroups; run them one at a time.
[assembly: Xunit.CollectionBehavior(DisableTestParallelization = true)]
