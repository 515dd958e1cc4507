using Flagger.Modules.Shared;
using Flagger.Runtime.Configuration;
using Flagger.Runtime.Hosting;
using Prometheus;

// The operator process. Each line wires one part; the modules own their behaviour.
var commandLine = FlaggerCommandLine.Parse(args);
if (commandLine.VersionRequested)
{
    Console.WriteLine(FlaggerVersion.Current);
    return 0;
}

if (commandLine.Errors.Count > 0)
{
    foreach (var error in commandLine.Errors)
    {
        Console.Error.WriteLine(error);
    }

    return 2;
}

var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = [] });
builder.Configuration.AddInMemoryCollection(commandLine.Values);
var options = builder.Configuration.GetSection(FlaggerOptions.Section).Get<FlaggerOptions>() ?? new FlaggerOptions();

builder.AddServiceDefaults();
builder.AddFlaggerLogging(options);
builder.ListenOn(options, portGiven: commandLine.Values.ContainsKey($"{FlaggerOptions.Section}:Port"));
builder.AddSharedModule();
try
{
    builder.AddCluster(options, moreKinds: _ => { });
}
catch (k8s.Exceptions.KubeConfigException e)
{
    Console.Error.WriteLine($"No Kubernetes API to talk to: {e.Message}. Pass -kubeconfig <file>, set KUBECONFIG, or run in a cluster.");
    return 1;
}

builder.AddLeaderElection(options);

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapMetrics("/metrics");
await app.RunAsync();
return Environment.ExitCode;
