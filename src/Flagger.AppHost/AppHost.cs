// The local environment as a dependency graph. Resources are added here as their issues land:
// the cluster (simulator or k3s), Prometheus, podinfo, the loadtester and an alert receiver.
var builder = DistributedApplication.CreateBuilder(args);

builder.AddProject<Projects.Flagger_Runtime>("flagger")
    .WithHttpHealthCheck("/healthz");

builder.Build().Run();
