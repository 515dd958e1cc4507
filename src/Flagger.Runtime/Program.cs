using Flagger.Runtime;

var (app, exitCode) = FlaggerHost.Build(args);
if (app is null)
{
    return exitCode;
}

await app.RunAsync();
return Environment.ExitCode;
