using Flagger.LoadTester;

// flagger-loadtester compatible webhook target: parse upstream's flags, then serve until SIGTERM.
var (options, error) = CommandLine.Parse(args, Environment.GetEnvironmentVariable);
if (options is null)
{
    await Console.Error.WriteLineAsync(error);
    return 2;
}

var app = LoadTesterApp.Build(options);
app.Logger.LogInformation("Starting load tester v{Version} API on port {Port}, gate state {State}", LoadTesterApp.Version, options.Port,
    string.IsNullOrEmpty(options.StateDir) ? "in memory" : Path.Combine(options.StateDir, GateStore.FileName));
await app.RunAsync();
return 0;
